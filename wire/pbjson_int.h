/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/pbjson_int.h: what the files of the JSON transcoder (pbjson.h) share,
 * internal to them: the descriptions a pg_pbjson holds, the state of a
 * conversion either way, and the functions each file lends the others.
 *
 * The reference for every choice is protobuf's own json_format (Python,
 * protobuf 3.21, default options) printed compactly with UTF-8 left as it
 * is. Where json_format departs from the published mapping, or accepts
 * input that the mapping does not allow, a comment marked "json_format:"
 * says which way the code goes.
 *
 * The files, each one job:
 *   pbjson.c         basics: the arena, output buffers, error paths,
 *                    lookups by name and number; pg_pbjson_free, _method.
 *                    (UTF-8, the arena itself and the wire reader are
 *                    util/'s.)
 *   pbjson_pb.c      protobuf's binary format: reading fields, writing them.
 *   pbjson_load.c    reading the FileDescriptorSet into descriptions
 *                    (pg_pbjson_new).
 *   pbjson_link.c    resolving and indexing them, and checking the shapes of
 *                    map entries and well-known types.
 *   pbjson_tojson.c  binary to JSON (pg_pbjson_to_json).
 *   pbjson_lex.c     the JSON reader: tokens, objects, arrays.
 *   pbjson_fromjson.c JSON to binary (pg_pbjson_from_json).
 *   pbjson_wkt.c     the well-known types' own JSON forms, both ways.
 *
 * A built pg_pbjson is never written again, so any thread may convert with
 * it; a conversion keeps its state (pg_pbjson_tj, pg_pbjson_fj) on its
 * caller's stack and in buffers of its own.
 */
#ifndef PG_WIRE_PBJSON_INT_H
#define PG_WIRE_PBJSON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "pbjson.h"
#include "pbwire.h"

/* Messages nest at most this deep, counting the outermost as 1, in both
 * directions (json_format's max_recursion_depth and C++'s recursion limit
 * are both 100). Struct, Value and ListValue count as the messages they
 * are. */
#define MAX_DEPTH 100

/* Wire types, util/pbwire.h's. */
enum {
  WT_VARINT = PG_PBWIRE_VARINT,
  WT_I64 = PG_PBWIRE_I64,
  WT_LEN = PG_PBWIRE_LEN,
  WT_SGROUP = PG_PBWIRE_SGROUP,
  WT_EGROUP = PG_PBWIRE_EGROUP,
  WT_I32 = PG_PBWIRE_I32
};

/* FieldDescriptorProto.Type and .Label. */
enum {
  TY_DOUBLE = 1,
  TY_FLOAT,
  TY_INT64,
  TY_UINT64,
  TY_INT32,
  TY_FIXED64,
  TY_FIXED32,
  TY_BOOL,
  TY_STRING,
  TY_GROUP,
  TY_MESSAGE,
  TY_BYTES,
  TY_UINT32,
  TY_ENUM,
  TY_SFIXED32,
  TY_SFIXED64,
  TY_SINT32,
  TY_SINT64
};
enum { LB_OPTIONAL = 1, LB_REQUIRED = 2, LB_REPEATED = 3 };

/* Messages whose JSON form is special. Empty is not among them: it is an
 * ordinary message with no fields, and prints as {}. */
enum {
  WKT_NONE,
  WKT_ANY,
  WKT_TIMESTAMP,
  WKT_DURATION,
  WKT_FIELDMASK,
  WKT_STRUCT,
  WKT_VALUE,
  WKT_LIST,
  WKT_WRAPPER
};

typedef struct pg_pbjson_msg pg_pbjson_msg;
typedef struct pg_pbjson_enum pg_pbjson_enum;

typedef struct pg_pbjson_enumval {
  const char *name;
  int32_t number;
} pg_pbjson_enumval;

struct pg_pbjson_enum {
  const char *full_name;
  pg_pbjson_enumval *values; /* declaration order */
  size_t nvalues;
  const pg_pbjson_enumval **by_name;   /* values sorted by name */
  const pg_pbjson_enumval **by_number; /* by number, then declaration order */
  bool is_closed; /* proto2: a number that is no value is refused */
  bool is_null;   /* google.protobuf.NullValue: printed as null */
};

typedef struct pg_pbjson_field {
  const char *name;      /* as written in the .proto */
  const char *json_name; /* lowerCamelCase unless [json_name] said else */
  const char *type_name; /* as in the descriptor, until resolved */
  uint32_t number;
  uint8_t type;             /* TY_* */
  uint8_t label;            /* LB_* */
  bool is_packed;           /* repeated scalar written packed */
  bool has_presence;        /* printed when set, even to its default */
  bool is_map;              /* repeated map entry: a JSON object */
  int32_t oneof;            /* index into the message's oneofs, or -1 */
  const pg_pbjson_msg *msg; /* TY_MESSAGE, TY_GROUP */
  const pg_pbjson_enum *en; /* TY_ENUM */
} pg_pbjson_field;

typedef struct pg_pbjson_nameix {
  const char *name; /* a json_name or a proto name */
  uint32_t field;   /* index into fields */
  bool is_json;     /* name is the field's json_name */
} pg_pbjson_nameix;

struct pg_pbjson_msg {
  const char *full_name;
  pg_pbjson_field *fields; /* sorted by number once built */
  size_t nfields;
  pg_pbjson_nameix *names; /* both names of every field, sorted */
  size_t nnames;
  const char **oneofs; /* oneof names, declaration order */
  size_t noneofs;
  uint8_t wkt; /* WKT_* */
  bool is_map_entry;
};

typedef struct pg_pbjson_methoddesc {
  const char *name;
  const char *input, *output; /* full names, no leading dot */
} pg_pbjson_methoddesc;

typedef struct pg_pbjson_svc {
  const char *full_name;
  pg_pbjson_methoddesc *methods;
  size_t nmethods;
} pg_pbjson_svc;

struct pg_pbjson {
  const pg_mem *mem;
  pg_arena arena;       /* every description and name; freed all at once */
  pg_pbjson_msg **msgs; /* sorted by full_name */
  size_t nmsgs;
  pg_pbjson_enum **enums; /* sorted by full_name */
  size_t nenums;
  pg_pbjson_svc **svcs; /* sorted by full_name */
  size_t nsvcs;
};

/* A field path for error messages, such as "user.friends[2].age". Text that
 * does not fit is cut; the message still names the start of the path. */
typedef struct pg_pbjson_path {
  char buf[200];
  size_t len;
} pg_pbjson_path;

/* Where a conversion, either way, reports a failure: the field path it is
 * at, and the caller's buffer for the message. */
typedef struct pg_pbjson_report {
  pg_pbjson_path pt;
  char *err;
  size_t err_len;
} pg_pbjson_report;

/* Entry @p i's name in a table sorted by name, one getter per table. */
typedef const char *pg_pbjson_name_at_fn(const void *table, size_t i);

/* Protobuf's binary format is read with util/pbwire.h's reader. */
typedef pg_pbwire_reader pg_pbjson_rd;
typedef pg_pbwire_field pg_pbjson_wfield;

typedef struct pg_pbjson_ptrvec {
  void **v;
  size_t n, cap;
} pg_pbjson_ptrvec;

typedef struct pg_pbjson_ld {
  pg_pbjson *j;
  char *err;
  size_t err_len;
  const char *file; /* name of the file being read, for messages */
  pg_pbjson_ptrvec msgs, enums, svcs;
} pg_pbjson_ld;

/* One serialized message among several that protobuf would merge. */
typedef struct pg_pbjson_span {
  const uint8_t *p;
  size_t len;
} pg_pbjson_span;

/* One occurrence of a known field on the wire. */
typedef struct pg_pbjson_occ {
  const uint8_t *p; /* payload (WT_LEN) or the value's bytes */
  size_t len;
  uint64_t v;     /* varint or fixed-width value */
  uint32_t field; /* index into the message's fields */
  uint32_t seq;   /* position on the wire, across all spans */
  uint8_t wt;
} pg_pbjson_occ;

typedef struct pg_pbjson_scan {
  pg_pbjson_occ *v; /* sorted by field, then seq; owned, pg_mem */
  size_t n, cap;
} pg_pbjson_scan;

typedef struct pg_pbjson_tj {
  const pg_pbjson *j;
  pg_pbjson_buf *out;
  int quiet; /* > 0: checking what is not printed; writes are dropped */
  pg_pbjson_report rep;
} pg_pbjson_tj;

/* For each oneof: the member protobuf keeps (the one seen last) and the
 * wire position of the last other member, before which the kept member's
 * own occurrences were cleared. */
typedef struct pg_pbjson_oneofs {
  long winner;  /* field index, or -1 */
  int64_t last; /* seq of the winner's last occurrence */
  int64_t cut;  /* seq of the last occurrence of any other member */
} pg_pbjson_oneofs;

typedef enum pg_pbjson_tkind {
  TK_STR,
  TK_NUM,
  TK_TRUE,
  TK_FALSE,
  TK_NULL,
  TK_OBJ,
  TK_ARR
} pg_pbjson_tkind;

typedef struct pg_pbjson_tok {
  pg_pbjson_tkind kind;
  const uint8_t *p; /* TK_STR: decoded bytes; TK_NUM: the literal */
  size_t n;
  bool is_int;    /* TK_NUM with neither fraction nor exponent */
  size_t at, end; /* the token's place in the input */
} pg_pbjson_tok;

typedef struct pg_pbjson_fj {
  const pg_pbjson *j;
  const uint8_t *s; /* the JSON text; borrowed */
  size_t len, pos;
  pg_pbjson_buf *out;
  pg_pbjson_buf scratch;  /* a string with escapes, decoded; one at a time */
  pg_pbjson_buf scratch2; /* decoded base64, FieldMask paths, numbers */
  pg_pbjson_report rep;
} pg_pbjson_fj;

/* One scalar as read from JSON, before encoding. */
typedef struct pg_pbjson_sval {
  uint64_t u;       /* integers, bools and enums, two's complement */
  double d;         /* double and float */
  const uint8_t *p; /* string and bytes */
  size_t n;
} pg_pbjson_sval;

/* ---- pbjson.c: basics and lookups -------------------------------------- */

/* qsort, which may not be given NULL even for no elements. */
void pg_pbjson_sort(void *base, size_t n, size_t size,
                    int (*cmp)(const void *, const void *));
/* Zeroed memory owned by @p j, valid until pg_pbjson_free(); NULL when
 * out of memory. Only while @p j is being built. */
void *pg_pbjson_arena_alloc(pg_pbjson *j, size_t n);
void *pg_pbjson_arena_array(pg_pbjson *j, size_t n, size_t size);
/* Grow @p b, which its holder owns; 0 or PARIGOT_ENOMEM. */
int pg_pbjson_buf_reserve(pg_pbjson_buf *b, size_t n);
int pg_pbjson_buf_add(pg_pbjson_buf *b, const void *p, size_t n);
/* Push a step onto a field path; each returns what path_pop takes back. */
size_t pg_pbjson_path_name(pg_pbjson_path *pt, const char *name);
size_t pg_pbjson_path_index(pg_pbjson_path *pt, size_t i);
size_t pg_pbjson_path_key(pg_pbjson_path *pt, const uint8_t *key, size_t n);
void pg_pbjson_path_pop(pg_pbjson_path *pt, size_t saved);
/* Writes the failure into the caller's buffer; returns @p code. */
int pg_pbjson_rep_fail(pg_pbjson_report *r, int code, const char *fmt, ...);
void pg_pbjson_snip(char *dst, size_t dst_len, const uint8_t *s, size_t n);
bool pg_pbjson_is_digit(int c);
float pg_pbjson_narrow(double d);
/* Lookups in a built pg_pbjson; what they return is owned by it. */
const char *pg_pbjson_msg_name_at(const void *table, size_t i);
const char *pg_pbjson_enum_name_at(const void *table, size_t i);
const char *pg_pbjson_svc_name_at(const void *table, size_t i);
const char *pg_pbjson_value_name_at(const void *table, size_t i);
size_t pg_pbjson_repeated_name(const void *table, size_t count,
                               pg_pbjson_name_at_fn *name_at);
const pg_pbjson_msg *pg_pbjson_find_msg(const pg_pbjson *j, const uint8_t *name,
                                        size_t n);
const pg_pbjson_enum *pg_pbjson_find_enum(const pg_pbjson *j,
                                          const uint8_t *name, size_t n);
long pg_pbjson_field_by_number(const pg_pbjson_msg *m, uint32_t number);
long pg_pbjson_field_by_name(const pg_pbjson_msg *m, const uint8_t *name,
                             size_t n);
const pg_pbjson_enumval *pg_pbjson_enum_by_name(const pg_pbjson_enum *e,
                                                const uint8_t *name, size_t n);
const pg_pbjson_enumval *pg_pbjson_enum_by_number(const pg_pbjson_enum *e,
                                                  int32_t number);
/* The start of either conversion: @p type's message, or NULL with the
 * message in @p err; @p out emptied and given an allocator. */
const pg_pbjson_msg *pg_pbjson_begin_conversion(const pg_pbjson *j,
                                                const char *type,
                                                pg_pbjson_buf *out, char *err,
                                                size_t err_len);

/* ---- pbjson_pb.c: the binary format ------------------------------------ */

/* Reads borrow @p r's bytes; each returns NULL or what is wrong. Whole
 * fields are read with pg_pbwire_read_field. */
const char *pg_pbjson_rd_packed(pg_pbjson_rd *r, uint8_t type, uint64_t *v);
uint8_t pg_pbjson_wire_type_of(uint8_t type);
bool pg_pbjson_is_packable(uint8_t type);
bool pg_pbjson_wire_ok(const pg_pbjson_field *f, uint8_t wt);
const char *pg_pbjson_type_label(uint8_t type);
/* Writes append to f->out; 0, or PARIGOT_ENOMEM reported in f->rep. */
int pg_pbjson_w_raw(pg_pbjson_fj *f, const void *p, size_t n);
int pg_pbjson_w_varint(pg_pbjson_fj *f, uint64_t v);
int pg_pbjson_w_tag(pg_pbjson_fj *f, uint32_t num, uint8_t wt);
int pg_pbjson_w_fixed(pg_pbjson_fj *f, uint64_t v, size_t n);
int pg_pbjson_begin_len(pg_pbjson_fj *f, uint32_t num, size_t *mark);
int pg_pbjson_end_len(pg_pbjson_fj *f, size_t mark);
int pg_pbjson_w_scalar(pg_pbjson_fj *f, uint8_t type, const pg_pbjson_sval *v);
bool pg_pbjson_sval_is_default(uint8_t type, const pg_pbjson_sval *v);

/* ---- pbjson_load.c and pbjson_link.c: loading a descriptor set --------- */

/* The loader's failures, written into its caller's buffer: PARIGOT_EINVAL
 * or PARIGOT_ENOMEM. */
int pg_pbjson_ld_fail(pg_pbjson_ld *l, const char *fmt, ...);
int pg_pbjson_ld_nomem(pg_pbjson_ld *l);
/* pbjson_link.c: takes l's tables into l->j, sorted, resolved, indexed. */
int pg_pbjson_ld_finish(pg_pbjson_ld *l);

/* ---- pbjson_tojson.c: binary to JSON ----------------------------------- */

/* Output goes to t->out unless t->quiet; failures to t->rep. A scan's
 * array (sc->v) is the caller's to free, also on failure; so is *out of
 * resolve_oneofs. */
int pg_pbjson_tj_nomem(pg_pbjson_tj *t);
int pg_pbjson_put(pg_pbjson_tj *t, const void *p, size_t n);
int pg_pbjson_put_str(pg_pbjson_tj *t, const char *s);
int pg_pbjson_put_json_string(pg_pbjson_tj *t, const uint8_t *s, size_t n);
int pg_pbjson_emit_scalar(pg_pbjson_tj *t, uint8_t type,
                          const pg_pbjson_enum *en, uint64_t v,
                          const uint8_t *p, size_t len);
int pg_pbjson_scan_message(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                           const pg_pbjson_span *s, size_t ns,
                           pg_pbjson_scan *sc);
void pg_pbjson_occs_of(const pg_pbjson_scan *sc, uint32_t fi,
                       const pg_pbjson_occ **o, size_t *n);
int pg_pbjson_resolve_oneofs(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                             const pg_pbjson_scan *sc, pg_pbjson_oneofs **out);
int pg_pbjson_oneof_keep(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                         const pg_pbjson_field *f, const pg_pbjson_oneofs *os,
                         const pg_pbjson_occ **o, size_t *n, int depth);
int pg_pbjson_emit_message_occs(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                                const pg_pbjson_occ *o, size_t n, int depth);
int pg_pbjson_emit_array(pg_pbjson_tj *t, const pg_pbjson_field *f,
                         const pg_pbjson_occ *o, size_t n, int depth);
int pg_pbjson_emit_map(pg_pbjson_tj *t, const pg_pbjson_field *f,
                       const pg_pbjson_occ *o, size_t n, int depth);
int pg_pbjson_emit_fields(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                          const pg_pbjson_span *s, size_t ns, int depth,
                          bool *first);
int pg_pbjson_emit_message(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                           const pg_pbjson_span *s, size_t ns, int depth);

/* ---- pbjson_wkt.c: well-known types ------------------------------------ */

/* A message whose m->wkt is not WKT_NONE, printed or read in its own form;
 * depth as in emit_message and parse_message. */
int pg_pbjson_emit_wkt(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                       const pg_pbjson_span *s, size_t ns, int depth);
int pg_pbjson_parse_wkt(pg_pbjson_fj *f, const pg_pbjson_msg *m, int depth);

/* ---- pbjson_lex.c: the JSON reader ------------------------------------- */

/* A token's bytes point into the input, or into f->scratch until the next
 * string is read. Failures go to f->rep. */
int pg_pbjson_fj_nomem(pg_pbjson_fj *f);
int pg_pbjson_fj_syntax(pg_pbjson_fj *f, size_t at, const char *what);
const char *pg_pbjson_got(const pg_pbjson_fj *f, const pg_pbjson_tok *t,
                          char *buf, size_t n);
int pg_pbjson_peek(pg_pbjson_fj *f);
size_t pg_pbjson_number_len(const uint8_t *s, size_t n, bool *is_int);
int pg_pbjson_next_token(pg_pbjson_fj *f, pg_pbjson_tok *t);
int pg_pbjson_obj_next(pg_pbjson_fj *f, bool *first, bool *has,
                       pg_pbjson_tok *key);
int pg_pbjson_key_next(pg_pbjson_fj *f, bool *first, bool *has,
                       pg_pbjson_tok *key, size_t *saved);
int pg_pbjson_arr_next(pg_pbjson_fj *f, bool *first, bool *has);
int pg_pbjson_expect_kind(pg_pbjson_fj *f, pg_pbjson_tkind kind,
                          const char *what, const pg_pbjson_msg *m,
                          pg_pbjson_tok *t);
int pg_pbjson_open_container(pg_pbjson_fj *f, pg_pbjson_tkind kind,
                             const char *what, const pg_pbjson_msg *m);
int pg_pbjson_skip_value(pg_pbjson_fj *f, int depth);

/* ---- pbjson_fromjson.c: JSON to binary --------------------------------- */

int pg_pbjson_tok_strtod(pg_pbjson_fj *f, const uint8_t *p, size_t n,
                         double *out);
int pg_pbjson_parse_scalar(pg_pbjson_fj *f, uint8_t type,
                           const pg_pbjson_enum *en, const pg_pbjson_tok *t,
                           bool is_key, pg_pbjson_sval *v);
int pg_pbjson_parse_sub(pg_pbjson_fj *f, uint32_t num, const pg_pbjson_msg *m,
                        int depth);
int pg_pbjson_parse_object(pg_pbjson_fj *f, const pg_pbjson_msg *m, int depth,
                           bool is_any_body);
int pg_pbjson_parse_message(pg_pbjson_fj *f, const pg_pbjson_msg *m, int depth);

#endif /* PG_WIRE_PBJSON_INT_H */
