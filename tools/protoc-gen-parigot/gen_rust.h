/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/protoc-gen-parigot/gen_rust.h: the Rust output of
 * protoc-gen-parigot (--parigot_opt=lang=rust).
 *
 * For "dir/name.proto" it writes "dir/name.pg.rs": one module's worth of
 * message structs with encode/decode, enums, client stubs, service traits,
 * service mocks for test programs and the serialized FileDescriptorProto,
 * for the sdk/rust crate.
 */
#ifndef PG_GEN_RUST_H
#define PG_GEN_RUST_H

#include "gen_c.h"

/* As pg_gen_c (gen_c.h): returns 1 (file) in out[0], or -1 with *err. */
int pg_gen_rust(const pg_model *m, const pd_file *f, const uint8_t *descriptor,
                size_t descriptor_len, pg_gen_output out[2], char **err);

#endif /* PG_GEN_RUST_H */
