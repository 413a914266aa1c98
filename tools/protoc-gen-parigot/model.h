/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/protoc-gen-parigot/model.h: every message and enum protoc sent,
 * indexed by full name, with the C name the generated code gives it.
 *
 * protoc's request holds the files to generate and all they import; a field
 * names its type as ".package.Outer.Inner", so the generator resolves each
 * such name here to a C identifier and the file that defines it.
 */
#ifndef PG_GEN_MODEL_H
#define PG_GEN_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "google/protobuf/compiler/plugin.pb-c.h"
#include "google/protobuf/descriptor.pb-c.h"

typedef Google__Protobuf__FileDescriptorProto pd_file;
typedef Google__Protobuf__DescriptorProto pd_msg;
typedef Google__Protobuf__FieldDescriptorProto pd_field;
typedef Google__Protobuf__EnumDescriptorProto pd_enum;
typedef Google__Protobuf__ServiceDescriptorProto pd_service;
typedef Google__Protobuf__MethodDescriptorProto pd_method;

typedef struct pg_type {
  char *full_name; /* "pkg.Outer.Inner", no leading dot */
  char *c_name;    /* "pkg_Outer_Inner" */
  char *scope;     /* C prefix of enum values: the enclosing scope */
  const pd_file *file;
  const pd_msg *msg;  /* a message type, or */
  const pd_enum *enm; /* an enum type */
} pg_type;

typedef struct pg_model {
  pg_type *types; /* sorted by full_name */
  size_t n;
  size_t cap;
} pg_model;

/* Indexes every type of every file. Returns 0, or -1 with a message in
 * *err (heap, caller frees) when two types would get the same C name. */
int pg_model_build(pg_model *m, pd_file *const *files, size_t n_files,
                   char **err);
void pg_model_free(pg_model *m);

/* Looks up a type by a field's type_name (".pkg.Msg" or "pkg.Msg"). */
const pg_type *pg_model_find(const pg_model *m, const char *name);

/* "pkg.sub" -> "pkg_sub"; heap string. */
char *pg_c_ident(const char *dotted);

/* Whether a field name must be renamed to be a C or C++ identifier. */
bool pg_is_reserved(const char *name);

bool pg_is_map_entry(const pd_msg *msg);

/* The file of the request named @p name ("dir/name.proto"), or NULL. */
const pd_file *pg_model_find_file(const pg_model *m, const char *name);

/* Whether parigot generates code for the imported file @p name, so that
 * generated code may refer to its output: a proto3 file of the request. */
bool pg_model_generates(const pg_model *m, const char *name);

/* Generated names of one scope, to refuse two uses of one name. */
typedef struct pg_names {
  char **v; /* heap strings, owned */
  size_t n;
} pg_names;

/* Takes @p name (heap) into @p ns and returns true; returns false, with
 * @p name still the caller's, when @p ns already holds it. */
bool pg_names_take(pg_names *ns, char *name);
void pg_names_free(pg_names *ns);

/* "dir/name.proto" -> "dir/name"; heap. */
char *pg_path_stem(const char *path);

/* An identifier from a path: "a/b-c.proto" -> "a_b_c_proto"; heap. */
char *pg_path_ident(const char *path);

#endif /* PG_GEN_MODEL_H */
