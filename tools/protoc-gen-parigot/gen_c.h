/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/protoc-gen-parigot/gen_c.h: the C output of protoc-gen-parigot.
 *
 * For "dir/name.proto" it writes "dir/name.pg.h" (structs, enums, typed
 * wrappers around include/parigot/pb.h, descriptors, each service's client,
 * skeleton and mock: gen_c_mock.c) and "dir/name.pg.c"
 * (the tables the runtime walks, the serialized FileDescriptorProto and
 * the service method lists).
 */
#ifndef PG_GEN_C_H
#define PG_GEN_C_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "strbuf.h"

typedef struct pg_gen_output {
  char *name;    /* path relative to the output directory; heap */
  char *content; /* heap */
} pg_gen_output;

/* Generates the two files for @p f. @p descriptor is @p f serialized (the
 * caller strips source info). Returns 2 (files) with out[0] the header and
 * out[1] the source, or -1 with a message naming the file and item in
 * *err. Every generator (gen_rust.h, gen_as.h) has this shape. */
int pg_gen_c(const pg_model *m, const pd_file *f, const uint8_t *descriptor,
             size_t descriptor_len, pg_gen_output out[2], char **err);

/* Writes into @p h the typed C mock of service @p s (gen_c_mock.c): @p n
 * is its C name, @p file_sym its file's descriptor, @p ins and @p outs
 * each method's request and response types. */
void pg_gen_c_mock(pg_strbuf *h, const char *n, const char *file_sym,
                   const pd_service *s, const pg_type *const *ins,
                   const pg_type *const *outs);

#endif /* PG_GEN_C_H */
