/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/protoc-gen-parigot/main.c: the protoc plugin's front door.
 *
 * protoc runs the plugin with a CodeGeneratorRequest on stdin and reads a
 * CodeGeneratorResponse from stdout. Errors in the .proto files go back in
 * the response's error field, so protoc prints them and fails; only a
 * broken pipe or an unreadable request makes the plugin itself exit
 * non-zero. Parameter: "lang=c" (the default: NAME.pg.h and NAME.pg.c),
 * "lang=rust" (NAME.pg.rs) or "lang=assemblyscript" (NAME.pg.ts); each
 * output is generated from the same model of the request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_as.h"
#include "gen_c.h"
#include "gen_rust.h"
#include "strbuf.h"

typedef Google__Protobuf__Compiler__CodeGeneratorRequest pd_request;
typedef Google__Protobuf__Compiler__CodeGeneratorResponse pd_response;
typedef Google__Protobuf__Compiler__CodeGeneratorResponse__File pd_out_file;

static uint8_t *read_all(FILE *in, size_t *len) {
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  while (buf != NULL) {
    n += fread(buf + n, 1, cap - n, in);
    if (n < cap)
      break;
    cap *= 2;
    uint8_t *bigger = realloc(buf, cap);
    if (bigger == NULL)
      free(buf);
    buf = bigger;
  }
  if (buf == NULL || ferror(in)) {
    free(buf);
    return NULL;
  }
  *len = n;
  return buf;
}

static const pd_file *find_proto(const pd_request *req, const char *name) {
  for (size_t i = 0; i < req->n_proto_file; i++)
    if (strcmp(req->proto_file[i]->name, name) == 0)
      return req->proto_file[i];
  return NULL;
}

/* The descriptor as generated code embeds it: without source positions and
 * comments, which reflection does not need. Heap; caller frees. */
static uint8_t *pack_descriptor(const pd_file *f, size_t *len) {
  pd_file copy = *f;
  copy.source_code_info = NULL;
  *len = google__protobuf__file_descriptor_proto__get_packed_size(&copy);
  uint8_t *buf = malloc(*len ? *len : 1);
  if (buf == NULL)
    abort();
  google__protobuf__file_descriptor_proto__pack(&copy, buf);
  return buf;
}

typedef enum pg_lang { PG_LANG_C, PG_LANG_RUST, PG_LANG_AS } pg_lang;

static char *parse_parameter(const char *param, pg_lang *lang) {
  static const struct {
    const char *param;
    pg_lang lang;
  } langs[] = {{"lang=c", PG_LANG_C},
               {"lang=rust", PG_LANG_RUST},
               {"lang=assemblyscript", PG_LANG_AS}};
  *lang = PG_LANG_C;
  if (param == NULL || *param == 0)
    return NULL;
  for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
    if (strcmp(param, langs[i].param) == 0) {
      *lang = langs[i].lang;
      return NULL;
    }
  return pg_strdupf("protoc-gen-parigot: unknown option '%s' (supported: "
                    "lang=c, lang=rust, lang=assemblyscript)",
                    param);
}

static char *check_syntax(const pd_file *f) {
  if (f->syntax != NULL && strcmp(f->syntax, "proto3") == 0)
    return NULL;
  return pg_strdupf("%s: %s syntax is not supported; parigot generates "
                    "code for proto3 files only",
                    f->name, f->syntax && *f->syntax ? f->syntax : "proto2");
}

static void add_file(pd_response *resp, pg_gen_output *o) {
  pd_out_file *f = malloc(sizeof *f);
  resp->file = realloc(resp->file, (resp->n_file + 1) * sizeof *resp->file);
  if (f == NULL || resp->file == NULL)
    abort();
  google__protobuf__compiler__code_generator_response__file__init(f);
  f->name = o->name;
  f->content = o->content;
  resp->file[resp->n_file++] = f;
}

static char *generate(const pd_request *req, const pg_model *m,
                      pd_response *resp) {
  pg_lang lang;
  char *err = parse_parameter(req->parameter, &lang);
  for (size_t i = 0; err == NULL && i < req->n_file_to_generate; i++) {
    const pd_file *f = find_proto(req, req->file_to_generate[i]);
    if (f == NULL)
      return pg_strdupf("protoc-gen-parigot: %s is not in the request",
                        req->file_to_generate[i]);
    if ((err = check_syntax(f)) != NULL)
      break;
    size_t len;
    uint8_t *d = pack_descriptor(f, &len);
    pg_gen_output out[2];
    int n = lang == PG_LANG_RUST ? pg_gen_rust(m, f, d, len, out, &err)
            : lang == PG_LANG_AS ? pg_gen_as(m, f, d, len, out, &err)
                                 : pg_gen_c(m, f, d, len, out, &err);
    for (int k = 0; k < n; k++)
      add_file(resp, &out[k]);
    free(d);
  }
  return err;
}

static void free_response(pd_response *resp) {
  for (size_t i = 0; i < resp->n_file; i++) {
    free(resp->file[i]->name);
    free(resp->file[i]->content);
    free(resp->file[i]);
  }
  free(resp->file);
  free(resp->error);
}

int main(int argc, char **argv) {
  (void)argv;
  if (argc > 1) {
    fputs("usage: protoc --plugin=protoc-gen-parigot=PATH --parigot_out=DIR "
          "FILE.proto...\nprotoc-gen-parigot is run by protoc: it reads a "
          "CodeGeneratorRequest on stdin.\n",
          stderr);
    return 2;
  }
  size_t len;
  uint8_t *in = read_all(stdin, &len);
  pd_request *req =
      in ? google__protobuf__compiler__code_generator_request__unpack(NULL, len,
                                                                      in)
         : NULL;
  free(in);
  if (req == NULL) {
    fputs("protoc-gen-parigot: cannot read the CodeGeneratorRequest on "
          "stdin\n",
          stderr);
    return 1;
  }
  pd_response resp;
  google__protobuf__compiler__code_generator_response__init(&resp);
  resp.has_supported_features = 1;
  resp.supported_features =
      GOOGLE__PROTOBUF__COMPILER__CODE_GENERATOR_RESPONSE__FEATURE__FEATURE_PROTO3_OPTIONAL;
  pg_model m;
  char *err = NULL;
  if (pg_model_build(&m, req->proto_file, req->n_proto_file, &err) == 0)
    err = generate(req, &m, &resp);
  if (err != NULL) {
    /* On error protoc wants no files, only the message. */
    free_response(&resp);
    google__protobuf__compiler__code_generator_response__init(&resp);
    resp.error = err;
  }
  size_t out_len =
      google__protobuf__compiler__code_generator_response__get_packed_size(
          &resp);
  uint8_t *out = malloc(out_len ? out_len : 1);
  if (out == NULL)
    abort();
  google__protobuf__compiler__code_generator_response__pack(&resp, out);
  int rc =
      fwrite(out, 1, out_len, stdout) == out_len && fflush(stdout) == 0 ? 0 : 1;
  free(out);
  free_response(&resp);
  pg_model_free(&m);
  google__protobuf__compiler__code_generator_request__free_unpacked(req, NULL);
  return rc;
}
