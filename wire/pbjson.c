/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/pbjson.c: protobuf binary to and from proto3 JSON, driven by a
 * FileDescriptorSet read at run time, for Connect's application/json.
 *
 * Owns the pg_pbjson: an arena of message, field, enum and service
 * descriptions resolved from the set, plus sorted indexes over them. Calls
 * only libc and the pg_mem it is given. A built pg_pbjson is never written
 * again, so any thread may convert with it; a conversion keeps its state on
 * its stack and in buffers of its own.
 *
 * The reference for every choice is protobuf's own json_format (Python,
 * protobuf 3.21, default options) printed compactly with UTF-8 left as it
 * is. Where json_format departs from the published mapping, or accepts
 * input that the mapping does not allow, a comment marked "json_format:"
 * says which way this file goes.
 *
 * Sections: basics; the wire format; loading the descriptor set; binary to
 * JSON; the JSON reader; JSON to binary.
 */
#include "pbjson.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/error.h"

/* ---- basics -------------------------------------------------------------- */

/* Messages nest at most this deep, counting the outermost as 1, in both
 * directions (json_format's max_recursion_depth and C++'s recursion limit
 * are both 100). Struct, Value and ListValue count as the messages they
 * are. */
#define MAX_DEPTH 100

enum {
  WT_VARINT = 0,
  WT_I64 = 1,
  WT_LEN = 2,
  WT_SGROUP = 3,
  WT_EGROUP = 4,
  WT_I32 = 5
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

typedef struct msgdesc msgdesc;
typedef struct enumdesc enumdesc;

typedef struct enumval {
  const char *name;
  int32_t number;
} enumval;

struct enumdesc {
  const char *full_name;
  enumval *values; /* declaration order */
  size_t nvalues;
  const enumval **by_name;   /* values sorted by name */
  const enumval **by_number; /* by number, then declaration order */
  bool is_closed;            /* proto2: a number that is no value is refused */
  bool is_null;              /* google.protobuf.NullValue: printed as null */
};

typedef struct fielddesc {
  const char *name;      /* as written in the .proto */
  const char *json_name; /* lowerCamelCase unless [json_name] said else */
  const char *type_name; /* as in the descriptor, until resolved */
  uint32_t number;
  uint8_t type;       /* TY_* */
  uint8_t label;      /* LB_* */
  bool is_packed;     /* repeated scalar written packed */
  bool has_presence;  /* printed when set, even to its default */
  bool is_map;        /* repeated map entry: a JSON object */
  int32_t oneof;      /* index into the message's oneofs, or -1 */
  const msgdesc *msg; /* TY_MESSAGE, TY_GROUP */
  const enumdesc *en; /* TY_ENUM */
} fielddesc;

typedef struct nameix {
  const char *name; /* a json_name or a proto name */
  uint32_t field;   /* index into fields */
  bool is_json;     /* name is the field's json_name */
} nameix;

struct msgdesc {
  const char *full_name;
  fielddesc *fields; /* sorted by number once built */
  size_t nfields;
  nameix *names; /* both names of every field, sorted */
  size_t nnames;
  const char **oneofs; /* oneof names, declaration order */
  size_t noneofs;
  uint8_t wkt; /* WKT_* */
  bool is_map_entry;
};

typedef struct methoddesc {
  const char *name;
  const char *input, *output; /* full names, no leading dot */
} methoddesc;

typedef struct svcdesc {
  const char *full_name;
  methoddesc *methods;
  size_t nmethods;
} svcdesc;

/* Arena chunks hold every description and name; freed all at once. */
typedef struct chunk {
  struct chunk *next;
  size_t used, cap;
  max_align_t data[];
} chunk;

struct pg_pbjson {
  const pg_mem *mem;
  chunk *chunks;
  msgdesc **msgs; /* sorted by full_name */
  size_t nmsgs;
  enumdesc **enums; /* sorted by full_name */
  size_t nenums;
  svcdesc **svcs; /* sorted by full_name */
  size_t nsvcs;
};

/* qsort, which may not be given NULL even for no elements. */
static void sort(void *base, size_t n, size_t size,
                 int (*cmp)(const void *, const void *)) {
  if (n > 1)
    qsort(base, n, size, cmp);
}

static void *arena_alloc(pg_pbjson *j, size_t n) {
  const size_t align = sizeof(max_align_t);
  if (n > SIZE_MAX / 2)
    return NULL;
  n = (n + align - 1) / align * align;
  chunk *c = j->chunks;
  if (c == NULL || c->cap - c->used < n) {
    size_t cap = n > 16384 ? n : 16384;
    c = pg_mem_malloc(j->mem, sizeof(chunk) + cap);
    if (c == NULL)
      return NULL;
    c->next = j->chunks;
    c->used = 0;
    c->cap = cap;
    j->chunks = c;
  }
  void *p = (unsigned char *)c->data + c->used;
  c->used += n;
  memset(p, 0, n);
  return p;
}

/* An array of @p n elements in the arena; at least one, so that no
 * description's array is NULL. */
static void *arena_array(pg_pbjson *j, size_t n, size_t size) {
  return arena_alloc(j, (n ? n : 1) * size);
}

/* Makes room for @p n more bytes (plus a NUL) in @p b. */
static int buf_reserve(pg_pbjson_buf *b, size_t n) {
  if (n >= SIZE_MAX / 2 - b->len)
    return PARIGOT_ENOMEM;
  if (b->len + n + 1 <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + n + 1)
    cap *= 2;
  uint8_t *p = pg_mem_realloc(b->mem, b->data, cap);
  if (p == NULL)
    return PARIGOT_ENOMEM;
  b->data = p;
  b->cap = cap;
  return 0;
}

static int buf_add(pg_pbjson_buf *b, const void *p, size_t n) {
  int rc = buf_reserve(b, n);
  if (rc == 0 && n > 0) {
    memcpy(b->data + b->len, p, n);
    b->len += n;
  }
  return rc;
}

void pg_pbjson_buf_free(pg_pbjson_buf *b) {
  if (b == NULL)
    return;
  if (b->data != NULL)
    pg_mem_free(b->mem, b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

/* A field path for error messages, such as "user.friends[2].age". Text that
 * does not fit is cut; the message still names the start of the path. */
typedef struct path {
  char buf[200];
  size_t len;
} path;

static size_t path_add(path *pt, const char *fmt, ...) {
  size_t saved = pt->len;
  char tmp[sizeof pt->buf];
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k > 0) {
    size_t room = sizeof pt->buf - 1 - pt->len;
    size_t m = (size_t)k < room ? (size_t)k : room;
    memcpy(pt->buf + pt->len, tmp, m);
    pt->len += m;
    pt->buf[pt->len] = '\0';
  }
  return saved;
}

static size_t path_name(path *pt, const char *name) {
  return path_add(pt, pt->len ? ".%.64s" : "%.64s", name);
}

static size_t path_index(path *pt, size_t i) {
  return path_add(pt, "[%zu]", i);
}

static void path_pop(path *pt, size_t saved) {
  pt->len = saved;
  pt->buf[saved] = '\0';
}

/* Where a conversion, either way, reports a failure: the field path it is
 * at, and the caller's buffer for the message. */
typedef struct report {
  path pt;
  char *err;
  size_t err_len;
} report;

/* Writes "field \"PATH\": WHAT" (or WHAT alone at the top) into the
 * caller's buffer, and returns @p code. */
static int rep_fail(report *r, int code, const char *fmt, ...) {
  if (r->err == NULL || r->err_len == 0)
    return code;
  char what[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (r->pt.len > 0)
    snprintf(r->err, r->err_len, "field \"%s%s\": %s", r->pt.buf,
             r->pt.len + 1 >= sizeof r->pt.buf ? "..." : "", what);
  else
    snprintf(r->err, r->err_len, "%s", what);
  return code;
}

/* Copies up to 40 bytes of @p s into @p dst for a message: control
 * characters become '?', and a cut never splits a UTF-8 sequence. */
static void snip(char *dst, size_t dst_len, const uint8_t *s, size_t n) {
  size_t max = dst_len - 4, k = 0, i = 0;
  if (max > 40)
    max = 40;
  bool cut = n > max;
  if (cut) {
    n = max;
    while (n > 0 && (s[n] & 0xc0) == 0x80)
      n--;
  }
  for (; i < n; i++)
    dst[k++] = s[i] < 0x20 || s[i] == 0x7f ? '?' : (char)s[i];
  if (cut) {
    memcpy(dst + k, "...", 3);
    k += 3;
  }
  dst[k] = '\0';
}

static size_t path_key(path *pt, const uint8_t *key, size_t n) {
  char tmp[64];
  snip(tmp, sizeof tmp, key, n);
  return path_add(pt, "[%s]", tmp);
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
 * Returns the length of the sequence at s[0..n), or 0 if invalid. */
static size_t utf8_seq(const uint8_t *s, size_t n) {
  uint8_t c = s[0];
  if (c < 0x80)
    return 1;
  size_t k;
  uint32_t min, cp;
  if (c >= 0xc2 && c <= 0xdf) {
    k = 2, min = 0x80, cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    k = 3, min = 0x800, cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    k = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (n < k)
    return 0;
  for (size_t i = 1; i < k; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (s[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return k;
}

static bool utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    size_t k = utf8_seq(s + i, n - i);
    if (k == 0)
      return false;
    i += k;
  }
  return true;
}

/* Compares bytes with a NUL-terminated string, as strcmp would. */
static int cmp_name(const uint8_t *p, size_t n, const char *s) {
  size_t sn = strlen(s);
  int c = memcmp(p, s, n < sn ? n : sn);
  if (c != 0)
    return c;
  return n < sn ? -1 : n > sn;
}

/* Entry @p i's name in a table sorted by name, one getter per table. */
typedef const char *name_at_fn(const void *table, size_t i);

static const char *msg_name_at(const void *table, size_t i) {
  return ((msgdesc *const *)table)[i]->full_name;
}

static const char *enum_name_at(const void *table, size_t i) {
  return ((enumdesc *const *)table)[i]->full_name;
}

static const char *svc_name_at(const void *table, size_t i) {
  return ((svcdesc *const *)table)[i]->full_name;
}

static const char *value_name_at(const void *table, size_t i) {
  return ((const enumval *const *)table)[i]->name;
}

static const char *nameix_name_at(const void *table, size_t i) {
  return ((const nameix *)table)[i].name;
}

/* Binary search of a table of @p count entries sorted by name: the index
 * of the entry called @p name, or -1. */
static long search_name(const void *table, size_t count, name_at_fn *name_at,
                        const uint8_t *name, size_t n) {
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = cmp_name(name, n, name_at(table, mid));
    if (c == 0)
      return (long)mid;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return -1;
}

static const msgdesc *find_msg(const pg_pbjson *j, const uint8_t *name,
                               size_t n) {
  long i = search_name(j->msgs, j->nmsgs, msg_name_at, name, n);
  return i < 0 ? NULL : j->msgs[i];
}

static const enumdesc *find_enum(const pg_pbjson *j, const uint8_t *name,
                                 size_t n) {
  long i = search_name(j->enums, j->nenums, enum_name_at, name, n);
  return i < 0 ? NULL : j->enums[i];
}

/* Index into m->fields of the field numbered @p number, or -1. */
static long field_by_number(const msgdesc *m, uint32_t number) {
  size_t lo = 0, hi = m->nfields;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->fields[mid].number == number)
      return (long)mid;
    if (m->fields[mid].number > number)
      hi = mid;
    else
      lo = mid + 1;
  }
  return -1;
}

/* Index of the field called @p name (json_name or proto name), or -1. */
static long field_by_name(const msgdesc *m, const uint8_t *name, size_t n) {
  long i = search_name(m->names, m->nnames, nameix_name_at, name, n);
  return i < 0 ? -1 : (long)m->names[i].field;
}

static const enumval *enum_by_name(const enumdesc *e, const uint8_t *name,
                                   size_t n) {
  long i = search_name(e->by_name, e->nvalues, value_name_at, name, n);
  return i < 0 ? NULL : e->by_name[i];
}

/* The first entry of a sorted table whose name repeats the one before it,
 * or 0 if no name repeats. */
static size_t repeated_name(const void *table, size_t count,
                            name_at_fn *name_at) {
  for (size_t i = 1; i < count; i++)
    if (strcmp(name_at(table, i), name_at(table, i - 1)) == 0)
      return i;
  return 0;
}

/* The first value declared with @p number (json_format prints the first of
 * aliases, as C++'s FindValueByNumber does), or NULL. */
static const enumval *enum_by_number(const enumdesc *e, int32_t number) {
  size_t lo = 0, hi = e->nvalues;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (e->by_number[mid]->number < number)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < e->nvalues && e->by_number[lo]->number == number)
    return e->by_number[lo];
  return NULL;
}

/* ---- the wire format ----------------------------------------------------- */

typedef struct rd {
  const uint8_t *p, *end;
} rd;

/* One field as read: for WT_LEN and groups p/len is the payload, for the
 * others v is the value and p/len its bytes. */
typedef struct wfield {
  uint32_t num;
  uint8_t wt;
  uint64_t v;
  const uint8_t *p;
  size_t len;
} wfield;

/* Reads a varint of up to 10 bytes; bits past 64 are dropped, as protobuf
 * does. Returns NULL or what is wrong. */
static const char *rd_varint(rd *r, uint64_t *out) {
  uint64_t v = 0;
  for (int i = 0; i < 10; i++) {
    if (r->p == r->end)
      return "truncated varint";
    uint8_t b = *r->p++;
    v |= (uint64_t)(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      *out = v;
      return NULL;
    }
  }
  return "varint longer than 10 bytes";
}

static const char *rd_fixed(rd *r, size_t n, uint64_t *out) {
  if ((size_t)(r->end - r->p) < n)
    return "truncated fixed-width value";
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++)
    v |= (uint64_t)r->p[i] << (8 * i);
  r->p += n;
  *out = v;
  return NULL;
}

static const char *rd_tag(rd *r, uint32_t *num, uint8_t *wt) {
  uint64_t tag;
  const char *why = rd_varint(r, &tag);
  if (why != NULL)
    return why;
  if (tag > UINT32_MAX)
    return "tag does not fit 32 bits";
  *wt = (uint8_t)(tag & 7);
  *num = (uint32_t)(tag >> 3);
  if (*num == 0)
    return "field number 0";
  if (*wt > 5)
    return "invalid wire type";
  return NULL;
}

/* Skips a group's contents up to its end tag; nested groups count towards
 * the nesting limit. */
static const char *skip_group(rd *r, uint32_t num, const uint8_t **end) {
  uint32_t stack[MAX_DEPTH];
  size_t depth = 0;
  stack[depth++] = num;
  while (depth > 0) {
    const uint8_t *at = r->p;
    uint32_t n;
    uint8_t wt;
    uint64_t v;
    const char *why = rd_tag(r, &n, &wt);
    if (why != NULL)
      return r->p == r->end && at == r->end ? "unterminated group" : why;
    switch (wt) {
    case WT_VARINT:
      why = rd_varint(r, &v);
      break;
    case WT_I64:
      why = rd_fixed(r, 8, &v);
      break;
    case WT_I32:
      why = rd_fixed(r, 4, &v);
      break;
    case WT_LEN:
      why = rd_varint(r, &v);
      if (why == NULL && v > (uint64_t)(r->end - r->p))
        why = "length runs past the end";
      if (why == NULL)
        r->p += v;
      break;
    case WT_SGROUP:
      if (depth == MAX_DEPTH)
        return "groups nested too deeply";
      stack[depth++] = n;
      break;
    default: /* WT_EGROUP */
      if (stack[depth - 1] != n)
        return "mismatched end-group tag";
      if (--depth == 0)
        *end = at;
      break;
    }
    if (why != NULL)
      return why;
  }
  return NULL;
}

/* Reads the next field of @p r. Returns NULL or what is wrong. */
static const char *rd_field(rd *r, wfield *f) {
  const char *why = rd_tag(r, &f->num, &f->wt);
  if (why != NULL)
    return why;
  f->p = r->p;
  switch (f->wt) {
  case WT_VARINT:
    why = rd_varint(r, &f->v);
    break;
  case WT_I64:
    why = rd_fixed(r, 8, &f->v);
    break;
  case WT_I32:
    why = rd_fixed(r, 4, &f->v);
    break;
  case WT_LEN:
    why = rd_varint(r, &f->v);
    if (why == NULL && f->v > (uint64_t)(r->end - r->p))
      why = "length runs past the end";
    if (why == NULL) {
      f->p = r->p;
      r->p += f->v;
      f->len = (size_t)f->v;
      return NULL;
    }
    break;
  case WT_SGROUP: {
    const uint8_t *end = NULL;
    why = skip_group(r, f->num, &end);
    if (why == NULL)
      f->len = (size_t)(end - f->p);
    return why;
  }
  default:
    return "end-group tag without a group";
  }
  f->len = (size_t)(r->p - f->p);
  return why;
}

/* The wire type a scalar of @p type is written with. */
static uint8_t wire_type_of(uint8_t type) {
  switch (type) {
  case TY_DOUBLE:
  case TY_FIXED64:
  case TY_SFIXED64:
    return WT_I64;
  case TY_FLOAT:
  case TY_FIXED32:
  case TY_SFIXED32:
    return WT_I32;
  case TY_STRING:
  case TY_BYTES:
  case TY_MESSAGE:
    return WT_LEN;
  case TY_GROUP:
    return WT_SGROUP;
  default:
    return WT_VARINT;
  }
}

static bool is_packable(uint8_t type) {
  return type != TY_STRING && type != TY_BYTES && type != TY_MESSAGE &&
         type != TY_GROUP;
}

/* Whether a field may arrive with wire type @p wt: its own, or packed for a
 * repeated scalar (protobuf takes either form whatever [packed] says). */
static bool wire_ok(const fielddesc *f, uint8_t wt) {
  if (wt == wire_type_of(f->type))
    return true;
  return wt == WT_LEN && f->label == LB_REPEATED && is_packable(f->type);
}

static const char *type_label(uint8_t type) {
  static const char *const names[] = {
      "?",        "double",   "float",   "int64",  "uint64",
      "int32",    "fixed64",  "fixed32", "bool",   "string",
      "group",    "message",  "bytes",   "uint32", "enum",
      "sfixed32", "sfixed64", "sint32",  "sint64"};
  return type <= TY_SINT64 ? names[type] : "?";
}

/* ---- loading the descriptor set ------------------------------------------ */

typedef struct ptrvec {
  void **v;
  size_t n, cap;
} ptrvec;

typedef struct ld {
  pg_pbjson *j;
  char *err;
  size_t err_len;
  const char *file; /* name of the file being read, for messages */
  ptrvec msgs, enums, svcs;
} ld;

static int ld_fail(ld *l, const char *fmt, ...) {
  char what[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (l->err != NULL && l->err_len > 0) {
    if (l->file != NULL)
      snprintf(l->err, l->err_len, "descriptor set: %s: %s", l->file, what);
    else
      snprintf(l->err, l->err_len, "descriptor set: %s", what);
  }
  return PARIGOT_EINVAL;
}

static int ld_nomem(ld *l) {
  if (l->err != NULL && l->err_len > 0)
    snprintf(l->err, l->err_len, "descriptor set: out of memory");
  return PARIGOT_ENOMEM;
}

static int vec_push(ld *l, ptrvec *v, void *p) {
  if (v->n == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 32;
    void **nv = pg_mem_realloc(l->j->mem, v->v, cap * sizeof *nv);
    if (nv == NULL)
      return ld_nomem(l);
    v->v = nv;
    v->cap = cap;
  }
  v->v[v->n++] = p;
  return 0;
}

/* Reads the next field of a descriptor message, failing on bad bytes. */
static int ld_field(ld *l, rd *r, wfield *f) {
  const char *why = rd_field(r, f);
  if (why != NULL)
    return ld_fail(l, "malformed descriptor: %s", why);
  return 0;
}

/* Steps @p r to its next field whose number's bit is set in @p nums: 1
 * with that field in *f, 0 at the end, or a failure. */
static int ld_next(ld *l, rd *r, uint32_t nums, wfield *f) {
  while (r->p < r->end) {
    int rc = ld_field(l, r, f);
    if (rc != 0)
      return rc;
    if (f->num < 32 && ((nums >> f->num) & 1) != 0)
      return 1;
  }
  return 0;
}

/* A descriptor string copied into the arena: valid UTF-8, no NUL. */
static int ld_string(ld *l, const wfield *f, const char **out) {
  if (f->wt != WT_LEN)
    return ld_fail(l, "malformed descriptor: a string with wire type %d",
                   f->wt);
  if (memchr(f->p, 0, f->len) != NULL || !utf8_valid(f->p, f->len))
    return ld_fail(l, "a name that is not UTF-8 text");
  char *s = arena_alloc(l->j, f->len + 1);
  if (s == NULL)
    return ld_nomem(l);
  memcpy(s, f->p, f->len);
  *out = s;
  return 0;
}

static int ld_varint(ld *l, const wfield *f, uint64_t *out) {
  if (f->wt != WT_VARINT)
    return ld_fail(l, "malformed descriptor: wire type %d for a number", f->wt);
  *out = f->v;
  return 0;
}

/* An identifier: letters, digits and '_', not empty. With @p dotted, a
 * dot-separated sequence of them (a package). */
static bool is_ident(const char *s, bool dotted) {
  bool empty = true;
  for (; *s; s++) {
    char c = *s;
    if (c == '.' && dotted && !empty) {
      empty = true;
      continue;
    }
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9')))
      return false;
    empty = false;
  }
  return !empty;
}

static int ld_join(ld *l, const char *scope, const char *name,
                   const char **out) {
  size_t a = strlen(scope), b = strlen(name);
  char *s = arena_alloc(l->j, a + b + 2);
  if (s == NULL)
    return ld_nomem(l);
  if (a > 0) {
    memcpy(s, scope, a);
    s[a++] = '.';
  }
  memcpy(s + a, name, b);
  *out = s;
  return 0;
}

/* protobuf's ToJsonName: drop each '_' and upper-case the letter after. */
static int ld_json_name(ld *l, const char *name, const char **out) {
  size_t n = strlen(name), k = 0;
  char *s = arena_alloc(l->j, n + 1);
  if (s == NULL)
    return ld_nomem(l);
  bool up = false;
  for (size_t i = 0; i < n; i++) {
    if (name[i] == '_') {
      up = true;
    } else {
      char c = name[i];
      s[k++] = up && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
      up = false;
    }
  }
  *out = s;
  return 0;
}

/* Reads the bool numbered @p num from the options message in @p f, each
 * time it is given (the last wins); sets *is_set, if not NULL, when it is
 * there. Options of another wire type are none. */
static int ld_option(ld *l, const wfield *f, uint32_t num, bool *is_set,
                     bool *out) {
  int rc;
  for (rd o = {f->p, f->p + f->len}; f->wt == WT_LEN && o.p < o.end;) {
    wfield g;
    uint64_t v;
    if ((rc = ld_field(l, &o, &g)) != 0)
      return rc;
    if (g.num != num)
      continue;
    if ((rc = ld_varint(l, &g, &v)) != 0)
      return rc;
    if (is_set != NULL)
      *is_set = true;
    *out = v != 0;
  }
  return 0;
}

/* What the first pass over a descriptor found, by field number. */
typedef struct ldscan {
  size_t count[16];    /* how often each field is given */
  const char *str[16]; /* the strings asked for; the last one given */
} ldscan;

/* The first pass over the descriptor at p[0..len): reads every field, so
 * that later passes meet no bad bytes, and counts them by number. Fields
 * whose bit is set in @p strings are taken as strings. For a message,
 * @p map_entry receives MessageOptions.map_entry (both numbered 7); else
 * it is NULL. */
static int ld_scan(ld *l, const uint8_t *p, size_t len, uint32_t strings,
                   bool *map_entry, ldscan *out) {
  wfield f;
  int rc;
  memset(out, 0, sizeof *out);
  for (rd r = {p, p + len}; r.p < r.end;) {
    if ((rc = ld_field(l, &r, &f)) != 0)
      return rc;
    if (f.num >= 16)
      continue;
    out->count[f.num]++;
    if (((strings >> f.num) & 1) != 0 &&
        (rc = ld_string(l, &f, &out->str[f.num])) != 0)
      return rc;
    if (f.num == 7 && map_entry != NULL &&
        (rc = ld_option(l, &f, 7, NULL, map_entry)) != 0)
      return rc;
  }
  return 0;
}

/* ld_scan for a message, enum or service (named by field 1) in @p scope,
 * whose full name goes into *full_name. A missing or invalid name fails
 * with @p bad_name, a format that may take the scope. */
static int ld_named(ld *l, const char *scope, const uint8_t *p, size_t len,
                    const char *bad_name, bool *map_entry, ldscan *sc,
                    const char **full_name) {
  int rc = ld_scan(l, p, len, 1u << 1, map_entry, sc);
  if (rc != 0)
    return rc;
  const char *name = sc->str[1];
  if (name == NULL || !is_ident(name, false))
    return ld_fail(l, bad_name, scope);
  return ld_join(l, scope, name, full_name);
}

static int ld_enum(ld *l, const char *scope, const uint8_t *p, size_t len,
                   bool is_proto3) {
  enumdesc *e = arena_alloc(l->j, sizeof *e);
  if (e == NULL)
    return ld_nomem(l);
  ldscan sc;
  wfield f;
  int rc = ld_named(l, scope, p, len, "an enum without a valid name in \"%s\"",
                    NULL, &sc, &e->full_name);
  if (rc != 0)
    return rc;
  size_t nvalues = sc.count[2];
  e->values = arena_array(l->j, nvalues, sizeof(enumval));
  e->by_name = arena_array(l->j, nvalues, sizeof(void *));
  e->by_number = arena_array(l->j, nvalues, sizeof(void *));
  if (e->values == NULL || e->by_name == NULL || e->by_number == NULL)
    return ld_nomem(l);
  for (rd r = {p, p + len}; (rc = ld_next(l, &r, 1u << 2, &f)) > 0;) {
    if (f.wt != WT_LEN)
      return ld_fail(l, "malformed enum value in %s", e->full_name);
    enumval *v = &e->values[e->nvalues++];
    v->name = NULL;
    for (rd vr = {f.p, f.p + f.len}; vr.p < vr.end;) {
      wfield g;
      uint64_t n;
      if ((rc = ld_field(l, &vr, &g)) != 0)
        return rc;
      if (g.num == 1 && (rc = ld_string(l, &g, &v->name)) != 0)
        return rc;
      if (g.num == 2) {
        if ((rc = ld_varint(l, &g, &n)) != 0)
          return rc;
        v->number = (int32_t)(uint32_t)n;
      }
    }
    if (v->name == NULL || !is_ident(v->name, false))
      return ld_fail(l, "a value of %s without a valid name", e->full_name);
  }
  if (rc != 0)
    return rc;
  e->is_closed = !is_proto3;
  return vec_push(l, &l->enums, e);
}

static int ld_field_desc(ld *l, msgdesc *m, fielddesc *fd, const uint8_t *p,
                         size_t len, bool is_proto3) {
  wfield f;
  uint64_t v;
  int rc;
  bool proto3_optional = false, packed_set = false, packed = false;
  /* FieldDescriptorProto's fields 3, 4, 5, 9 and 17 are numbers. */
  const uint32_t numbers = 1u << 3 | 1u << 4 | 1u << 5 | 1u << 9 | 1u << 17;
  fd->oneof = -1;
  for (rd r = {p, p + len}; r.p < r.end;) {
    if ((rc = ld_field(l, &r, &f)) != 0)
      return rc;
    if (f.num < 32 && ((numbers >> f.num) & 1) != 0 &&
        (rc = ld_varint(l, &f, &v)) != 0)
      return rc;
    switch (f.num) {
    case 1:
      rc = ld_string(l, &f, &fd->name);
      break;
    case 3:
      fd->number = v >= 1 && v <= 536870911 ? (uint32_t)v : 0;
      break;
    case 4:
      fd->label = v >= 1 && v <= 3 ? (uint8_t)v : 0;
      break;
    case 5:
      fd->type = v >= 1 && v <= 18 ? (uint8_t)v : 0;
      break;
    case 6:
      rc = ld_string(l, &f, &fd->type_name);
      break;
    case 8: /* FieldOptions: packed is field 2 */
      if (f.wt != WT_LEN)
        return ld_fail(l, "malformed field options in %s", m->full_name);
      rc = ld_option(l, &f, 2, &packed_set, &packed);
      break;
    case 9:
      if (v >= m->noneofs)
        return ld_fail(l, "a oneof index out of range in %s", m->full_name);
      fd->oneof = (int32_t)v;
      break;
    case 10:
      rc = ld_string(l, &f, &fd->json_name);
      break;
    case 17:
      proto3_optional = v != 0;
      break;
    default:
      break;
    }
    if (rc != 0)
      return rc;
  }
  if (fd->name == NULL || !is_ident(fd->name, false))
    return ld_fail(l, "a field without a valid name in %s", m->full_name);
  if (fd->number == 0 || fd->label == 0 || fd->type == 0)
    return ld_fail(l, "field %s.%s: missing or invalid number, label or type",
                   m->full_name, fd->name);
  if ((fd->type == TY_MESSAGE || fd->type == TY_GROUP || fd->type == TY_ENUM) &&
      fd->type_name == NULL)
    return ld_fail(l, "field %s.%s: no type name", m->full_name, fd->name);
  if (fd->json_name == NULL &&
      (rc = ld_json_name(l, fd->name, &fd->json_name)) != 0)
    return rc;
  bool repeated = fd->label == LB_REPEATED;
  if (repeated && is_packable(fd->type))
    fd->is_packed = is_proto3 ? !packed_set || packed : packed_set && packed;
  fd->has_presence =
      !repeated && (fd->type == TY_MESSAGE || fd->type == TY_GROUP ||
                    fd->oneof >= 0 || !is_proto3 || proto3_optional);
  return 0;
}

static int ld_message(ld *l, const char *scope, const uint8_t *p, size_t len,
                      bool is_proto3, int depth) {
  if (depth > MAX_DEPTH)
    return ld_fail(l, "messages nested more than %d deep", MAX_DEPTH);
  msgdesc *m = arena_alloc(l->j, sizeof *m);
  if (m == NULL)
    return ld_nomem(l);
  ldscan sc;
  wfield f;
  int rc =
      ld_named(l, scope, p, len, "a message without a valid name in \"%s\"",
               &m->is_map_entry, &sc, &m->full_name);
  if (rc != 0)
    return rc;
  size_t nfields = sc.count[2], noneofs = sc.count[8];
  m->fields = arena_array(l->j, nfields, sizeof(fielddesc));
  m->oneofs = arena_array(l->j, noneofs, sizeof(char *));
  if (m->fields == NULL || m->oneofs == NULL)
    return ld_nomem(l);
  /* Oneof names first: fields refer to them by index. */
  for (rd r = {p, p + len}; (rc = ld_next(l, &r, 1u << 8, &f)) > 0;) {
    ldscan os = {0};
    if (f.wt == WT_LEN && (rc = ld_scan(l, f.p, f.len, 1u << 1, NULL, &os)))
      return rc;
    if (os.str[1] == NULL)
      return ld_fail(l, "a oneof without a name in %s", m->full_name);
    m->oneofs[m->noneofs++] = os.str[1];
  }
  if (rc != 0)
    return rc;
  /* Fields, nested messages and nested enums. */
  const uint32_t nested = 1u << 2 | 1u << 3 | 1u << 4;
  for (rd r = {p, p + len}; (rc = ld_next(l, &r, nested, &f)) > 0;) {
    if (f.wt != WT_LEN)
      return ld_fail(l, "malformed descriptor of %s", m->full_name);
    if (f.num == 2)
      rc = ld_field_desc(l, m, &m->fields[m->nfields++], f.p, f.len, is_proto3);
    else if (f.num == 3)
      rc = ld_message(l, m->full_name, f.p, f.len, is_proto3, depth + 1);
    else
      rc = ld_enum(l, m->full_name, f.p, f.len, is_proto3);
    if (rc != 0)
      return rc;
  }
  return rc != 0 ? rc : vec_push(l, &l->msgs, m);
}

static int ld_service(ld *l, const char *scope, const uint8_t *p, size_t len) {
  svcdesc *s = arena_alloc(l->j, sizeof *s);
  if (s == NULL)
    return ld_nomem(l);
  ldscan sc;
  wfield f;
  /* The message names no scope: the format leaves it out. */
  int rc = ld_named(l, scope, p, len, "a service without a valid name", NULL,
                    &sc, &s->full_name);
  if (rc != 0)
    return rc;
  size_t n = sc.count[2];
  s->methods = arena_array(l->j, n, sizeof(methoddesc));
  if (s->methods == NULL)
    return ld_nomem(l);
  for (rd r = {p, p + len}; (rc = ld_next(l, &r, 1u << 2, &f)) > 0;) {
    /* MethodDescriptorProto: name = 1, input_type = 2, output_type = 3. */
    methoddesc *md = &s->methods[s->nmethods++];
    ldscan ms = {0};
    if (f.wt == WT_LEN &&
        (rc = ld_scan(l, f.p, f.len, 1u << 1 | 1u << 2 | 1u << 3, NULL, &ms)))
      return rc;
    md->name = ms.str[1];
    md->input = ms.str[2];
    md->output = ms.str[3];
    if (md->name == NULL || md->input == NULL || md->output == NULL)
      return ld_fail(l, "a method of %s lacks a name or a type", s->full_name);
  }
  return rc != 0 ? rc : vec_push(l, &l->svcs, s);
}

static int ld_file(ld *l, const uint8_t *p, size_t len) {
  /* FileDescriptorProto: package = 2, syntax = 12. */
  ldscan sc;
  wfield f;
  int rc = ld_scan(l, p, len, 1u << 2 | 1u << 12, NULL, &sc);
  if (rc != 0)
    return rc;
  const char *package = sc.str[2] ? sc.str[2] : "", *syntax = sc.str[12];
  if (package[0] != '\0' && !is_ident(package, true))
    return ld_fail(l, "invalid package name");
  bool is_proto3 = false;
  if (syntax != NULL && strcmp(syntax, "proto3") == 0)
    is_proto3 = true;
  else if (syntax != NULL && syntax[0] != '\0' && strcmp(syntax, "proto2") != 0)
    return ld_fail(l, "unsupported syntax \"%s\"", syntax);
  /* Messages, enums and services. */
  const uint32_t types = 1u << 4 | 1u << 5 | 1u << 6;
  for (rd r = {p, p + len}; (rc = ld_next(l, &r, types, &f)) > 0;) {
    if (f.wt != WT_LEN)
      return ld_fail(l, "malformed file descriptor");
    if (f.num == 4)
      rc = ld_message(l, package, f.p, f.len, is_proto3, 1);
    else if (f.num == 5)
      rc = ld_enum(l, package, f.p, f.len, is_proto3);
    else
      rc = ld_service(l, package, f.p, f.len);
    if (rc != 0)
      return rc;
  }
  return rc;
}

/* A file of the set before loading: where it is and what it is called. */
typedef struct filespan {
  const uint8_t *p;
  size_t len;
  const uint8_t *name; /* bytes of FileDescriptorProto.name */
  size_t name_len;
  size_t index; /* position in the set */
  bool is_copy; /* a later file of the same name: skipped */
} filespan;

static int cmp_filespan(const void *a, const void *b) {
  const filespan *x = a, *y = b;
  size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
  int c = n ? memcmp(x->name, y->name, n) : 0;
  if (c == 0)
    c = (x->name_len > y->name_len) - (x->name_len < y->name_len);
  if (c == 0)
    c = (x->index > y->index) - (x->index < y->index);
  return c;
}

static int cmp_filespan_index(const void *a, const void *b) {
  const filespan *x = a, *y = b;
  return (x->index > y->index) - (x->index < y->index);
}

static int ld_files(ld *l, const uint8_t *fds, size_t len) {
  ldscan sc;
  wfield f;
  int rc = ld_scan(l, fds, len, 0, NULL, &sc);
  if (rc != 0)
    return rc;
  size_t n = sc.count[1];
  filespan *files = pg_mem_calloc(l->j->mem, n ? n : 1, sizeof *files);
  if (files == NULL)
    return ld_nomem(l);
  size_t k = 0;
  for (rd r = {fds, fds + len}; (rc = ld_next(l, &r, 1u << 1, &f)) != 0;) {
    if (rc < 0)
      goto done;
    if (f.wt != WT_LEN) {
      rc = ld_fail(l, "malformed descriptor set");
      goto done;
    }
    filespan *fs = &files[k];
    fs->p = f.p;
    fs->len = f.len;
    fs->index = k++;
    for (rd fr = {f.p, f.p + f.len}; fr.p < fr.end;) {
      wfield g;
      if ((rc = ld_field(l, &fr, &g)) != 0)
        goto done;
      if (g.num == 1 && g.wt == WT_LEN) {
        fs->name = g.p;
        fs->name_len = g.len;
      }
    }
  }
  sort(files, n, sizeof *files, cmp_filespan);
  for (size_t i = 1; i < n; i++)
    files[i].is_copy =
        files[i].name_len == files[i - 1].name_len &&
        (files[i].name_len == 0 ||
         memcmp(files[i].name, files[i - 1].name, files[i].name_len) == 0);
  sort(files, n, sizeof *files, cmp_filespan_index);
  for (size_t i = 0; i < n; i++) {
    if (files[i].is_copy)
      continue;
    char name[128];
    snip(name, sizeof name, files[i].name ? files[i].name : (uint8_t *)"",
         files[i].name_len);
    l->file = name;
    rc = ld_file(l, files[i].p, files[i].len);
    l->file = NULL;
    if (rc != 0)
      goto done;
  }
  rc = 0;
done:
  pg_mem_free(l->j->mem, files);
  return rc;
}

static int cmp_msg(const void *a, const void *b) {
  return strcmp((*(msgdesc *const *)a)->full_name,
                (*(msgdesc *const *)b)->full_name);
}

static int cmp_enum(const void *a, const void *b) {
  return strcmp((*(enumdesc *const *)a)->full_name,
                (*(enumdesc *const *)b)->full_name);
}

static int cmp_svc(const void *a, const void *b) {
  return strcmp((*(svcdesc *const *)a)->full_name,
                (*(svcdesc *const *)b)->full_name);
}

static int cmp_field_number(const void *a, const void *b) {
  const fielddesc *x = a, *y = b;
  return (x->number > y->number) - (x->number < y->number);
}

/* By name; for a name that is one field's json_name and another's proto
 * name, the json_name first (json_format looks json names up first). */
static int cmp_nameix(const void *a, const void *b) {
  const nameix *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c == 0)
    c = (int)y->is_json - (int)x->is_json;
  return c ? c : (x->field > y->field) - (x->field < y->field);
}

/* Sorts by name; the values array is in declaration order, so pointer
 * order breaks ties by declaration. */
static int cmp_enum_name(const void *a, const void *b) {
  return strcmp((*(const enumval *const *)a)->name,
                (*(const enumval *const *)b)->name);
}

static int cmp_enum_number(const void *a, const void *b) {
  const enumval *x = *(const enumval *const *)a;
  const enumval *y = *(const enumval *const *)b;
  if (x->number != y->number)
    return x->number < y->number ? -1 : 1;
  return (x > y) - (x < y);
}

static int ld_index_enum(ld *l, enumdesc *e) {
  for (size_t i = 0; i < e->nvalues; i++)
    e->by_name[i] = e->by_number[i] = &e->values[i];
  sort(e->by_name, e->nvalues, sizeof(void *), cmp_enum_name);
  sort(e->by_number, e->nvalues, sizeof(void *), cmp_enum_number);
  size_t twice = repeated_name(e->by_name, e->nvalues, value_name_at);
  if (twice != 0)
    return ld_fail(l, "enum %s: value %s defined twice", e->full_name,
                   e->by_name[twice]->name);
  e->is_null = strcmp(e->full_name, "google.protobuf.NullValue") == 0;
  return 0;
}

/* Resolves a field's type name (".pkg.Type") to its description. */
static int ld_resolve(ld *l, const msgdesc *m, fielddesc *fd) {
  if (fd->type != TY_MESSAGE && fd->type != TY_GROUP && fd->type != TY_ENUM)
    return 0;
  const char *t = fd->type_name;
  if (t[0] != '.')
    return ld_fail(l, "field %s.%s: type name \"%s\" is not fully qualified",
                   m->full_name, fd->name, t);
  size_t n = strlen(t + 1);
  if (fd->type == TY_ENUM)
    fd->en = find_enum(l->j, (const uint8_t *)t + 1, n);
  else
    fd->msg = find_msg(l->j, (const uint8_t *)t + 1, n);
  if (fd->en == NULL && fd->msg == NULL)
    return ld_fail(l, "field %s.%s: unknown type \"%s\"", m->full_name,
                   fd->name, t);
  return 0;
}

/* A map entry must be {key = 1; value = 2;} with a key of integral, bool or
 * string type (the rules protoc enforces, checked again here). */
static bool is_valid_map_entry(const msgdesc *e) {
  if (e->nfields != 2 || e->fields[0].number != 1 || e->fields[1].number != 2)
    return false;
  const fielddesc *k = &e->fields[0], *v = &e->fields[1];
  if (k->label == LB_REPEATED || v->label == LB_REPEATED)
    return false;
  switch (k->type) {
  case TY_DOUBLE:
  case TY_FLOAT:
  case TY_BYTES:
  case TY_MESSAGE:
  case TY_GROUP:
  case TY_ENUM:
    return false;
  default:
    return v->type != TY_GROUP;
  }
}

/* The shape each well-known type must have: field numbers, types, labels
 * and, for messages and enums, the type's name. */
typedef struct wktfield {
  uint32_t number;
  uint8_t type, label;
  const char *type_name;
} wktfield;

typedef struct wktshape {
  const char *name;
  uint8_t wkt;
  uint8_t nfields;
  wktfield fields[6];
} wktshape;

#define SCALAR_WRAPPER(n, ty)                                                  \
  {                                                                            \
    "google.protobuf." n, WKT_WRAPPER, 1, {                                    \
      { 1, ty, LB_OPTIONAL, NULL }                                             \
    }                                                                          \
  }

static const wktshape wkt_shapes[] = {
    {"google.protobuf.Any",
     WKT_ANY,
     2,
     {{1, TY_STRING, LB_OPTIONAL, NULL}, {2, TY_BYTES, LB_OPTIONAL, NULL}}},
    {"google.protobuf.Timestamp",
     WKT_TIMESTAMP,
     2,
     {{1, TY_INT64, LB_OPTIONAL, NULL}, {2, TY_INT32, LB_OPTIONAL, NULL}}},
    {"google.protobuf.Duration",
     WKT_DURATION,
     2,
     {{1, TY_INT64, LB_OPTIONAL, NULL}, {2, TY_INT32, LB_OPTIONAL, NULL}}},
    {"google.protobuf.FieldMask",
     WKT_FIELDMASK,
     1,
     {{1, TY_STRING, LB_REPEATED, NULL}}},
    {"google.protobuf.Struct",
     WKT_STRUCT,
     1,
     {{1, TY_MESSAGE, LB_REPEATED, "google.protobuf.Struct.FieldsEntry"}}},
    {"google.protobuf.Value",
     WKT_VALUE,
     6,
     {{1, TY_ENUM, LB_OPTIONAL, "google.protobuf.NullValue"},
      {2, TY_DOUBLE, LB_OPTIONAL, NULL},
      {3, TY_STRING, LB_OPTIONAL, NULL},
      {4, TY_BOOL, LB_OPTIONAL, NULL},
      {5, TY_MESSAGE, LB_OPTIONAL, "google.protobuf.Struct"},
      {6, TY_MESSAGE, LB_OPTIONAL, "google.protobuf.ListValue"}}},
    {"google.protobuf.ListValue",
     WKT_LIST,
     1,
     {{1, TY_MESSAGE, LB_REPEATED, "google.protobuf.Value"}}},
    SCALAR_WRAPPER("DoubleValue", TY_DOUBLE),
    SCALAR_WRAPPER("FloatValue", TY_FLOAT),
    SCALAR_WRAPPER("Int64Value", TY_INT64),
    SCALAR_WRAPPER("UInt64Value", TY_UINT64),
    SCALAR_WRAPPER("Int32Value", TY_INT32),
    SCALAR_WRAPPER("UInt32Value", TY_UINT32),
    SCALAR_WRAPPER("BoolValue", TY_BOOL),
    SCALAR_WRAPPER("StringValue", TY_STRING),
    SCALAR_WRAPPER("BytesValue", TY_BYTES),
};

static int ld_wkt(ld *l, msgdesc *m) {
  for (size_t i = 0; i < sizeof wkt_shapes / sizeof wkt_shapes[0]; i++) {
    const wktshape *w = &wkt_shapes[i];
    if (strcmp(m->full_name, w->name) != 0)
      continue;
    bool ok = m->nfields == w->nfields;
    for (size_t k = 0; ok && k < w->nfields; k++) {
      const fielddesc *f = &m->fields[k];
      const wktfield *e = &w->fields[k];
      ok = f->number == e->number && f->type == e->type && f->label == e->label;
      if (ok && e->type_name != NULL)
        ok = strcmp(f->msg ? f->msg->full_name : f->en->full_name,
                    e->type_name) == 0;
      if (ok && w->wkt == WKT_VALUE)
        ok = f->oneof == 0;
    }
    if (ok && w->wkt == WKT_STRUCT)
      ok = m->fields[0].is_map &&
           m->fields[0].msg->fields[0].type == TY_STRING &&
           m->fields[0].msg->fields[1].type == TY_MESSAGE &&
           strcmp(m->fields[0].msg->fields[1].msg->full_name,
                  "google.protobuf.Value") == 0;
    if (!ok)
      return ld_fail(l, "well-known type %s has an unexpected shape",
                     m->full_name);
    m->wkt = w->wkt;
  }
  return 0;
}

static int ld_index_message(ld *l, msgdesc *m) {
  int rc;
  for (size_t i = 0; i < m->nfields; i++)
    if ((rc = ld_resolve(l, m, &m->fields[i])) != 0)
      return rc;
  sort(m->fields, m->nfields, sizeof(fielddesc), cmp_field_number);
  for (size_t i = 1; i < m->nfields; i++)
    if (m->fields[i].number == m->fields[i - 1].number)
      return ld_fail(l, "%s: field number %u used twice", m->full_name,
                     m->fields[i].number);
  m->names = arena_alloc(l->j, (2 * m->nfields + 1) * sizeof(nameix));
  if (m->names == NULL)
    return ld_nomem(l);
  for (size_t i = 0; i < m->nfields; i++) {
    const fielddesc *f = &m->fields[i];
    m->names[m->nnames++] = (nameix){f->json_name, (uint32_t)i, true};
    if (strcmp(f->name, f->json_name) != 0)
      m->names[m->nnames++] = (nameix){f->name, (uint32_t)i, false};
  }
  sort(m->names, m->nnames, sizeof(nameix), cmp_nameix);
  /* Two fields with one json_name would make JSON ambiguous (protoc
   * refuses such a .proto); a proto name shadowed by a json_name is
   * dropped. */
  size_t k = 0;
  for (size_t i = 0; i < m->nnames; i++) {
    if (k > 0 && strcmp(m->names[i].name, m->names[k - 1].name) == 0) {
      if (m->names[i].is_json)
        return ld_fail(l, "%s: two fields have the JSON name \"%s\"",
                       m->full_name, m->names[i].name);
      continue;
    }
    m->names[k++] = m->names[i];
  }
  m->nnames = k;
  return 0;
}

/* Marks @p m's map fields, whose entries must have the shape of one. */
static int ld_mark_maps(ld *l, msgdesc *m) {
  for (size_t k = 0; k < m->nfields; k++) {
    fielddesc *f = &m->fields[k];
    if (f->type != TY_MESSAGE || f->label != LB_REPEATED ||
        !f->msg->is_map_entry)
      continue;
    if (!is_valid_map_entry(f->msg))
      return ld_fail(l, "%s: map entry %s is not {key = 1; value = 2;}",
                     m->full_name, f->msg->full_name);
    f->is_map = true;
  }
  return 0;
}

static int ld_finish(ld *l) {
  pg_pbjson *j = l->j;
  int rc;
  j->msgs = (msgdesc **)l->msgs.v;
  j->nmsgs = l->msgs.n;
  j->enums = (enumdesc **)l->enums.v;
  j->nenums = l->enums.n;
  j->svcs = (svcdesc **)l->svcs.v;
  j->nsvcs = l->svcs.n;
  l->msgs.v = l->enums.v = l->svcs.v = NULL;
  const struct {
    void *v;
    size_t n;
    int (*cmp)(const void *, const void *);
    name_at_fn *name_at;
    const char *kind; /* for the message */
  } tables[] = {
      {j->msgs, j->nmsgs, cmp_msg, msg_name_at, "type"},
      {j->enums, j->nenums, cmp_enum, enum_name_at, "enum"},
      {j->svcs, j->nsvcs, cmp_svc, svc_name_at, "service"},
  };
  for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
    sort(tables[t].v, tables[t].n, sizeof(void *), tables[t].cmp);
    size_t twice = repeated_name(tables[t].v, tables[t].n, tables[t].name_at);
    if (twice != 0)
      return ld_fail(l, "%s %s defined twice", tables[t].kind,
                     tables[t].name_at(tables[t].v, twice));
  }
  for (size_t i = 0; i < j->nenums; i++) {
    const char *name = j->enums[i]->full_name;
    if (find_msg(j, (const uint8_t *)name, strlen(name)) != NULL)
      return ld_fail(l, "%s is both a message and an enum", name);
    if ((rc = ld_index_enum(l, j->enums[i])) != 0)
      return rc;
  }
  /* Each step sees every message before the next begins: a map entry is
   * checked once its fields are sorted, and Struct's shape once its map is
   * marked. */
  static int (*const steps[])(ld *, msgdesc *) = {ld_index_message,
                                                  ld_mark_maps, ld_wkt};
  for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++)
    for (size_t i = 0; i < j->nmsgs; i++)
      if ((rc = steps[s](l, j->msgs[i])) != 0)
        return rc;
  for (size_t i = 0; i < j->nsvcs; i++) {
    svcdesc *s = j->svcs[i];
    for (size_t k = 0; k < s->nmethods; k++) {
      methoddesc *md = &s->methods[k];
      const char **types[2] = {&md->input, &md->output};
      for (int t = 0; t < 2; t++) {
        const char *name = *types[t];
        const msgdesc *m =
            name[0] == '.'
                ? find_msg(j, (const uint8_t *)name + 1, strlen(name + 1))
                : NULL;
        if (m == NULL)
          return ld_fail(l, "method %s.%s: unknown type \"%s\"", s->full_name,
                         md->name, name);
        *types[t] = m->full_name;
      }
    }
  }
  return 0;
}

int pg_pbjson_new(pg_pbjson **out, const uint8_t *fds, size_t len,
                  const pg_mem *mem, char *err, size_t err_len) {
  if (mem == NULL)
    mem = pg_mem_default();
  if (err != NULL && err_len > 0)
    err[0] = '\0';
  ld l = {.err = err, .err_len = err_len};
  l.j = pg_mem_calloc(mem, 1, sizeof *l.j);
  if (l.j == NULL)
    return ld_nomem(&l);
  l.j->mem = mem;
  int rc = fds == NULL && len > 0 ? ld_fail(&l, "no bytes") : 0;
  if (rc == 0)
    rc = ld_files(&l, fds, len);
  if (rc == 0)
    rc = ld_finish(&l);
  pg_mem_free(mem, l.msgs.v);
  pg_mem_free(mem, l.enums.v);
  pg_mem_free(mem, l.svcs.v);
  if (rc != 0) {
    pg_pbjson_free(l.j);
    return rc;
  }
  *out = l.j;
  return 0;
}

void pg_pbjson_free(pg_pbjson *j) {
  if (j == NULL)
    return;
  const pg_mem *mem = j->mem;
  for (chunk *c = j->chunks, *next; c != NULL; c = next) {
    next = c->next;
    pg_mem_free(mem, c);
  }
  pg_mem_free(mem, j->msgs);
  pg_mem_free(mem, j->enums);
  pg_mem_free(mem, j->svcs);
  pg_mem_free(mem, j);
}

int pg_pbjson_method(const pg_pbjson *j, const char *service,
                     size_t service_len, const char *method, size_t method_len,
                     const char **input_type, const char **output_type) {
  long i = search_name(j->svcs, j->nsvcs, svc_name_at, (const uint8_t *)service,
                       service_len);
  if (i < 0)
    return PARIGOT_ENOENT;
  const svcdesc *s = j->svcs[i];
  for (size_t k = 0; k < s->nmethods; k++) {
    if (cmp_name((const uint8_t *)method, method_len, s->methods[k].name) ==
        0) {
      *input_type = s->methods[k].input;
      *output_type = s->methods[k].output;
      return 0;
    }
  }
  return PARIGOT_ENOENT;
}

/* ---- binary to JSON ------------------------------------------------------ */

/* One serialized message among several that protobuf would merge. */
typedef struct span {
  const uint8_t *p;
  size_t len;
} span;

/* One occurrence of a known field on the wire. */
typedef struct occ {
  const uint8_t *p; /* payload (WT_LEN) or the value's bytes */
  size_t len;
  uint64_t v;     /* varint or fixed-width value */
  uint32_t field; /* index into the message's fields */
  uint32_t seq;   /* position on the wire, across all spans */
  uint8_t wt;
} occ;

typedef struct scan {
  occ *v; /* sorted by field, then seq; owned, pg_mem */
  size_t n, cap;
} scan;

typedef struct tj {
  const pg_pbjson *j;
  pg_pbjson_buf *out;
  int quiet; /* > 0: checking what is not printed; writes are dropped */
  report rep;
} tj;

static int tj_nomem(tj *t) {
  return rep_fail(&t->rep, PARIGOT_ENOMEM, "out of memory");
}

static int put(tj *t, const void *p, size_t n) {
  if (t->quiet)
    return 0;
  return buf_add(t->out, p, n) == 0 ? 0 : tj_nomem(t);
}

static int put_str(tj *t, const char *s) {
  return put(t, s, strlen(s));
}

/* Escapes as Python's json.dumps(ensure_ascii=False) does: '"', '\\' and
 * the control characters; everything else stays as it is. */
static int put_json_string(tj *t, const uint8_t *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  if (t->quiet)
    return 0;
  if (n > SIZE_MAX / 8 || buf_reserve(t->out, n * 6 + 2) != 0)
    return tj_nomem(t);
  uint8_t *o = t->out->data + t->out->len;
  *o++ = '"';
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    if (c == '"' || c == '\\') {
      *o++ = '\\';
      *o++ = c;
    } else if (c >= 0x20) {
      *o++ = c;
    } else {
      *o++ = '\\';
      switch (c) {
      case '\b':
        *o++ = 'b';
        break;
      case '\f':
        *o++ = 'f';
        break;
      case '\n':
        *o++ = 'n';
        break;
      case '\r':
        *o++ = 'r';
        break;
      case '\t':
        *o++ = 't';
        break;
      default:
        memcpy(o, "u00", 3);
        o[3] = (uint8_t)hex[c >> 4];
        o[4] = (uint8_t)hex[c & 15];
        o += 5;
        break;
      }
    }
  }
  *o++ = '"';
  t->out->len = (size_t)(o - t->out->data);
  return 0;
}

static int put_base64(tj *t, const uint8_t *s, size_t n) {
  static const char abc[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (t->quiet)
    return 0;
  if (n > SIZE_MAX / 2 || buf_reserve(t->out, (n + 2) / 3 * 4 + 2) != 0)
    return tj_nomem(t);
  uint8_t *o = t->out->data + t->out->len;
  *o++ = '"';
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
    *o++ = (uint8_t)abc[v >> 18];
    *o++ = (uint8_t)abc[(v >> 12) & 63];
    *o++ = (uint8_t)abc[(v >> 6) & 63];
    *o++ = (uint8_t)abc[v & 63];
  }
  if (i < n) {
    uint32_t v = (uint32_t)s[i] << 16;
    if (i + 1 < n)
      v |= (uint32_t)s[i + 1] << 8;
    *o++ = (uint8_t)abc[v >> 18];
    *o++ = (uint8_t)abc[(v >> 12) & 63];
    *o++ = i + 1 < n ? (uint8_t)abc[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
  *o++ = '"';
  t->out->len = (size_t)(o - t->out->data);
  return 0;
}

/* A double narrowed to float as C++'s SafeDoubleToFloat does, without the
 * undefined behaviour of converting an out-of-range double. */
static float narrow(double d) {
  const double edge = (double)FLT_MAX + 0x1p103; /* halfway to 2^128 */
  if (d > FLT_MAX)
    return d < edge ? FLT_MAX : (float)INFINITY;
  if (d < -FLT_MAX)
    return d > -edge ? -FLT_MAX : -(float)INFINITY;
  return (float)d;
}

/* Python's repr() of a finite double, which json.dumps prints: the fewest
 * digits that read back as the same double, in exponent form when the
 * decimal point would sit more than 16 places right or 4 left of them.
 * json_format: so 1.0 prints as "1.0" and 1e16 as "1e+16" (C++ and Go would
 * print "1" and "10000000000000000"; every JSON reader takes either). */
static void fmt_double(char out[48], double v) {
  if (v == 0) {
    strcpy(out, signbit(v) ? "-0.0" : "0.0");
    return;
  }
  char tmp[48];
  for (int p = 1; p <= 17; p++) {
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
    if (strtod(tmp, NULL) == v)
      break;
  }
  const char *s = tmp;
  char *o = out;
  if (*s == '-')
    *o++ = *s++;
  char digits[24];
  int nd = 0;
  for (; *s != 'e'; s++)
    if (*s != '.')
      digits[nd++] = *s;
  int exp = atoi(s + 1);
  while (nd > 1 && digits[nd - 1] == '0')
    nd--;
  int decpt = exp + 1;
  if (decpt > 16 || decpt < -3) {
    *o++ = digits[0];
    if (nd > 1) {
      *o++ = '.';
      memcpy(o, digits + 1, (size_t)nd - 1);
      o += nd - 1;
    }
    snprintf(o, 16, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    return;
  }
  if (decpt <= 0) {
    *o++ = '0';
    *o++ = '.';
    for (int i = 0; i < -decpt; i++)
      *o++ = '0';
    memcpy(o, digits, (size_t)nd);
    o += nd;
  } else if (decpt >= nd) {
    memcpy(o, digits, (size_t)nd);
    o += nd;
    for (int i = nd; i < decpt; i++)
      *o++ = '0';
    *o++ = '.';
    *o++ = '0';
  } else {
    memcpy(o, digits, (size_t)decpt);
    o += decpt;
    *o++ = '.';
    memcpy(o, digits + decpt, (size_t)(nd - decpt));
    o += nd - decpt;
  }
  *o = '\0';
}

/* json_format's ToShortestFloat: the first of "%.6g", "%.7g", ... that
 * reads back as the same float, then printed as a double. */
static void fmt_float(char out[48], float f) {
  char tmp[48];
  double r = f;
  for (int p = 6; p <= 17; p++) {
    snprintf(tmp, sizeof tmp, "%.*g", p, (double)f);
    r = strtod(tmp, NULL);
    if (narrow(r) == f)
      break;
  }
  fmt_double(out, r);
}

static int put_double(tj *t, double d, bool is_float) {
  char buf[48];
  if (isnan(d))
    return put_str(t, "\"NaN\"");
  if (isinf(d))
    return put_str(t, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  if (is_float)
    fmt_float(buf, (float)d);
  else
    fmt_double(buf, d);
  return put_str(t, buf);
}

static int64_t unzigzag(uint64_t v) {
  return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Prints one scalar: @p v holds a varint or fixed value, @p p/len the bytes
 * of a string or bytes field. */
static int emit_scalar(tj *t, uint8_t type, const enumdesc *en, uint64_t v,
                       const uint8_t *p, size_t len) {
  char buf[48];
  switch (type) {
  case TY_DOUBLE: {
    double d;
    memcpy(&d, &v, sizeof d);
    return put_double(t, d, false);
  }
  case TY_FLOAT: {
    uint32_t bits = (uint32_t)v;
    float f;
    memcpy(&f, &bits, sizeof f);
    return put_double(t, f, true);
  }
  case TY_INT64:
  case TY_SFIXED64:
    snprintf(buf, sizeof buf, "\"%" PRId64 "\"", (int64_t)v);
    break;
  case TY_SINT64:
    snprintf(buf, sizeof buf, "\"%" PRId64 "\"", unzigzag(v));
    break;
  case TY_UINT64:
  case TY_FIXED64:
    snprintf(buf, sizeof buf, "\"%" PRIu64 "\"", v);
    break;
  case TY_INT32:
  case TY_SFIXED32:
    snprintf(buf, sizeof buf, "%" PRId32, (int32_t)(uint32_t)v);
    break;
  case TY_SINT32:
    snprintf(buf, sizeof buf, "%" PRId32, (int32_t)unzigzag((uint32_t)v));
    break;
  case TY_UINT32:
  case TY_FIXED32:
    snprintf(buf, sizeof buf, "%" PRIu32, (uint32_t)v);
    break;
  case TY_BOOL:
    return put_str(t, v ? "true" : "false");
  case TY_ENUM: {
    if (en->is_null)
      return put_str(t, "null");
    const enumval *ev = enum_by_number(en, (int32_t)(uint32_t)v);
    if (ev != NULL)
      return put_json_string(t, (const uint8_t *)ev->name, strlen(ev->name));
    /* An open enum's unknown number prints as the number (json_format
     * refuses one only in proto2, where parsing would not keep it). */
    snprintf(buf, sizeof buf, "%" PRId32, (int32_t)(uint32_t)v);
    break;
  }
  case TY_STRING:
    return put_json_string(t, p, len);
  default: /* TY_BYTES */
    return put_base64(t, p, len);
  }
  return put_str(t, buf);
}

/* Whether a scalar is its type's default, which proto3 leaves unprinted
 * unless the field has presence. A double is the default only as +0.0:
 * C++ looks at the bits, so -0.0 counts as set. */
static bool scalar_is_default(uint8_t type, uint64_t v, size_t len) {
  switch (type) {
  case TY_STRING:
  case TY_BYTES:
    return len == 0;
  case TY_FLOAT:
  case TY_INT32:
  case TY_UINT32:
  case TY_SINT32:
  case TY_FIXED32:
  case TY_SFIXED32:
  case TY_ENUM:
    return (uint32_t)v == 0;
  default:
    return v == 0;
  }
}

static int cmp_occ(const void *a, const void *b) {
  const occ *x = a, *y = b;
  if (x->field != y->field)
    return x->field < y->field ? -1 : 1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Reads every field of the spans of @p m, checking wire types and UTF-8,
 * and leaves the known ones in @p sc sorted by field then wire order. The
 * caller frees sc->v, also on failure. */
static int scan_message(tj *t, const msgdesc *m, const span *s, size_t ns,
                        scan *sc) {
  memset(sc, 0, sizeof *sc);
  uint32_t seq = 0;
  for (size_t i = 0; i < ns; i++) {
    for (rd r = {s[i].p, s[i].p + s[i].len}; r.p < r.end;) {
      wfield w;
      const char *why = rd_field(&r, &w);
      if (why != NULL)
        return rep_fail(&t->rep, PARIGOT_EINVAL, "malformed %s: %s",
                        m->full_name, why);
      long fi = field_by_number(m, w.num);
      if (fi < 0)
        continue; /* unknown fields are skipped, as json_format does */
      const fielddesc *f = &m->fields[fi];
      if (f->type == TY_GROUP) {
        path_name(&t->rep.pt, f->json_name);
        return rep_fail(&t->rep, PARIGOT_ENOTSUP, "groups are not supported");
      }
      /* C++ would keep a field of the wrong wire type as an unknown field;
       * for a gateway it is a sign of the wrong schema, so refused. */
      if (!wire_ok(f, w.wt)) {
        path_name(&t->rep.pt, f->json_name);
        return rep_fail(&t->rep, PARIGOT_EINVAL, "wire type %d for a %s field",
                        w.wt, type_label(f->type));
      }
      if (f->type == TY_STRING && !utf8_valid(w.p, w.len)) {
        path_name(&t->rep.pt, f->json_name);
        return rep_fail(&t->rep, PARIGOT_EINVAL, "string is not valid UTF-8");
      }
      if (seq == UINT32_MAX)
        return rep_fail(&t->rep, PARIGOT_EINVAL, "too many fields");
      if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 16;
        occ *nv = pg_mem_realloc(t->j->mem, sc->v, cap * sizeof *nv);
        if (nv == NULL)
          return tj_nomem(t);
        sc->v = nv;
        sc->cap = cap;
      }
      sc->v[sc->n++] = (occ){w.p, w.len, w.v, (uint32_t)fi, seq++, w.wt};
    }
  }
  sort(sc->v, sc->n, sizeof(occ), cmp_occ);
  return 0;
}

/* The occurrences of field index @p fi in a sorted scan. */
static void occs_of(const scan *sc, uint32_t fi, const occ **o, size_t *n) {
  size_t i = 0;
  while (i < sc->n && sc->v[i].field < fi)
    i++;
  size_t k = i;
  while (k < sc->n && sc->v[k].field == fi)
    k++;
  *o = sc->v + i;
  *n = k - i;
}

/* For each oneof: the member protobuf keeps (the one seen last) and the
 * wire position of the last other member, before which the kept member's
 * own occurrences were cleared. */
typedef struct oneofstate {
  long winner;  /* field index, or -1 */
  int64_t last; /* seq of the winner's last occurrence */
  int64_t cut;  /* seq of the last occurrence of any other member */
} oneofstate;

static int resolve_oneofs(tj *t, const msgdesc *m, const scan *sc,
                          oneofstate **out) {
  *out = NULL;
  if (m->noneofs == 0)
    return 0;
  oneofstate *os = pg_mem_malloc(t->j->mem, m->noneofs * sizeof *os);
  if (os == NULL)
    return tj_nomem(t);
  for (size_t i = 0; i < m->noneofs; i++)
    os[i] = (oneofstate){-1, -1, -1};
  for (size_t i = 0; i < sc->n;) {
    size_t k = i;
    while (k < sc->n && sc->v[k].field == sc->v[i].field)
      k++;
    const fielddesc *f = &m->fields[sc->v[i].field];
    if (f->oneof >= 0) {
      oneofstate *st = &os[f->oneof];
      int64_t last = sc->v[k - 1].seq;
      if (last > st->last) {
        st->cut = st->last;
        st->last = last;
        st->winner = (long)sc->v[i].field;
      } else if (last > st->cut) {
        st->cut = last;
      }
    }
    i = k;
  }
  *out = os;
  return 0;
}

static int emit_message(tj *t, const msgdesc *m, const span *s, size_t ns,
                        int depth);

/* Prints a message field from all its occurrences, which protobuf merges;
 * none gives the empty message. */
static int emit_message_occs(tj *t, const msgdesc *m, const occ *o, size_t n,
                             int depth) {
  span one = {NULL, 0}, *s = &one;
  if (n > 1) {
    s = pg_mem_malloc(t->j->mem, n * sizeof *s);
    if (s == NULL)
      return tj_nomem(t);
  }
  for (size_t i = 0; i < n; i++)
    s[i] = (span){o[i].p, o[i].len};
  int rc = emit_message(t, m, s, n, depth);
  if (s != &one)
    pg_mem_free(t->j->mem, s);
  return rc;
}

/* Narrows a field's occurrences to those its oneof keeps. Message
 * occurrences that are dropped are still checked, quietly, since protobuf
 * would have parsed them. */
static int oneof_keep(tj *t, const msgdesc *m, const fielddesc *f,
                      const oneofstate *os, const occ **o, size_t *n,
                      int depth) {
  if (f->oneof < 0)
    return 0;
  const oneofstate *st = &os[f->oneof];
  size_t drop = *n;
  if (st->winner == f - m->fields) {
    drop = 0;
    while (drop < *n && (int64_t)(*o)[drop].seq < st->cut)
      drop++;
  }
  int rc = 0;
  if (drop > 0 && f->type == TY_MESSAGE) {
    t->quiet++;
    rc = emit_message_occs(t, f->msg, *o, drop, depth + 1);
    t->quiet--;
  }
  *o += drop;
  *n -= drop;
  return rc;
}

static int put_key(tj *t, const char *name, bool *first) {
  int rc = *first ? 0 : put(t, ",", 1);
  *first = false;
  if (rc == 0)
    rc = put_json_string(t, (const uint8_t *)name, strlen(name));
  return rc ? rc : put(t, ":", 1);
}

/* Reads one element of a packed field. */
static const char *rd_packed(rd *r, uint8_t type, uint64_t *v) {
  switch (wire_type_of(type)) {
  case WT_I64:
    return rd_fixed(r, 8, v);
  case WT_I32:
    return rd_fixed(r, 4, v);
  default:
    return rd_varint(r, v);
  }
}

/* Counts (and checks) the elements of a repeated field. */
static int count_elements(tj *t, const fielddesc *f, const occ *o, size_t n,
                          size_t *count) {
  *count = 0;
  for (size_t i = 0; i < n; i++) {
    if (o[i].wt != WT_LEN || !is_packable(f->type)) {
      (*count)++;
      continue;
    }
    for (rd r = {o[i].p, o[i].p + o[i].len}; r.p < r.end; (*count)++) {
      uint64_t v;
      const char *why = rd_packed(&r, f->type, &v);
      if (why != NULL)
        return rep_fail(&t->rep, PARIGOT_EINVAL, "malformed packed field: %s",
                        why);
    }
  }
  return 0;
}

static int emit_array(tj *t, const fielddesc *f, const occ *o, size_t n,
                      int depth) {
  int rc = put(t, "[", 1);
  size_t idx = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    if (f->type == TY_MESSAGE) {
      size_t saved = path_index(&t->rep.pt, idx);
      span s = {o[i].p, o[i].len};
      rc = idx++ ? put(t, ",", 1) : 0;
      if (rc == 0)
        rc = emit_message(t, f->msg, &s, 1, depth + 1);
      path_pop(&t->rep.pt, saved);
    } else if (o[i].wt == WT_LEN && is_packable(f->type)) {
      for (rd r = {o[i].p, o[i].p + o[i].len}; rc == 0 && r.p < r.end;) {
        uint64_t v;
        if (rd_packed(&r, f->type, &v) != NULL)
          return rep_fail(&t->rep, PARIGOT_EINVAL, "malformed packed field");
        rc = idx++ ? put(t, ",", 1) : 0;
        if (rc == 0)
          rc = emit_scalar(t, f->type, f->en, v, NULL, 0);
      }
    } else {
      rc = idx++ ? put(t, ",", 1) : 0;
      if (rc == 0)
        rc = emit_scalar(t, f->type, f->en, o[i].v, o[i].p, o[i].len);
    }
  }
  return rc ? rc : put(t, "]", 1);
}

/* Prints a map entry's value from the entry's bytes: the last scalar, or
 * every occurrence of a message merged; the type's default if absent. */
static int emit_entry_value(tj *t, const msgdesc *entry, span s, int depth) {
  scan sc;
  const fielddesc *vf = &entry->fields[1];
  int rc = scan_message(t, entry, &s, 1, &sc);
  if (rc == 0) {
    const occ *o;
    size_t n;
    occs_of(&sc, 1, &o, &n);
    if (vf->type == TY_MESSAGE)
      rc = emit_message_occs(t, vf->msg, o, n, depth + 1);
    else if (n > 0)
      rc = emit_scalar(t, vf->type, vf->en, o[n - 1].v, o[n - 1].p,
                       o[n - 1].len);
    else
      rc = emit_scalar(t, vf->type, vf->en, 0, NULL, 0);
  }
  pg_mem_free(t->j->mem, sc.v);
  return rc;
}

typedef struct mapent {
  const uint8_t *key; /* the JSON key's bytes, or NULL: see num */
  size_t key_len;
  char num[24]; /* an integral key's digits */
  span entry;
  size_t index; /* wire order */
  size_t first; /* wire order of the first entry with this key */
  bool is_kept; /* the last entry with its key */
} mapent;

static const uint8_t *mapent_key(const mapent *e) {
  return e->key ? e->key : (const uint8_t *)e->num;
}

static int cmp_mapent_key(const void *a, const void *b) {
  const mapent *x = a, *y = b;
  size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
  int c = n ? memcmp(mapent_key(x), mapent_key(y), n) : 0;
  if (c == 0)
    c = (x->key_len > y->key_len) - (x->key_len < y->key_len);
  return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int cmp_mapent_first(const void *a, const void *b) {
  const mapent *x = a, *y = b;
  if (x->is_kept != y->is_kept)
    return x->is_kept ? -1 : 1;
  return (x->first > y->first) - (x->first < y->first);
}

/* Reads a map entry's key (the last one; the default if none) as the text
 * of its JSON key. */
static int read_map_key(tj *t, const msgdesc *entry, mapent *e) {
  const fielddesc *kf = &entry->fields[0], *vf = &entry->fields[1];
  uint64_t v = 0;
  e->key = (const uint8_t *)"";
  e->key_len = 0;
  for (rd r = {e->entry.p, e->entry.p + e->entry.len}; r.p < r.end;) {
    wfield w;
    const char *why = rd_field(&r, &w);
    if (why != NULL)
      return rep_fail(&t->rep, PARIGOT_EINVAL, "malformed map entry: %s", why);
    const fielddesc *f = w.num == 1 ? kf : w.num == 2 ? vf : NULL;
    if (f != NULL && !wire_ok(f, w.wt))
      return rep_fail(&t->rep, PARIGOT_EINVAL, "wire type %d for a map %s",
                      w.wt, w.num == 1 ? "key" : "value");
    if (w.num == 1) {
      v = w.v;
      e->key = w.p;
      e->key_len = w.len;
    }
  }
  if (kf->type == TY_STRING) {
    if (!utf8_valid(e->key, e->key_len))
      return rep_fail(&t->rep, PARIGOT_EINVAL, "map key is not valid UTF-8");
    return 0;
  }
  e->key = NULL;
  switch (kf->type) {
  case TY_BOOL:
    strcpy(e->num, v ? "true" : "false");
    break;
  case TY_INT64:
  case TY_SFIXED64:
    snprintf(e->num, sizeof e->num, "%" PRId64, (int64_t)v);
    break;
  case TY_SINT64:
    snprintf(e->num, sizeof e->num, "%" PRId64, unzigzag(v));
    break;
  case TY_UINT64:
  case TY_FIXED64:
    snprintf(e->num, sizeof e->num, "%" PRIu64, v);
    break;
  case TY_SINT32:
    snprintf(e->num, sizeof e->num, "%" PRId32, (int32_t)unzigzag((uint32_t)v));
    break;
  case TY_UINT32:
  case TY_FIXED32:
    snprintf(e->num, sizeof e->num, "%" PRIu32, (uint32_t)v);
    break;
  default: /* TY_INT32, TY_SFIXED32 */
    snprintf(e->num, sizeof e->num, "%" PRId32, (int32_t)(uint32_t)v);
    break;
  }
  e->key_len = strlen(e->num);
  return 0;
}

/* Prints a map as a JSON object. Entries with the same key keep the last
 * value (as parsing does) at the place of the first; entries print in wire
 * order, which for a map protobuf serialized deterministically is key
 * order. Dropped entries are still checked, quietly. */
static int emit_map(tj *t, const fielddesc *f, const occ *o, size_t n,
                    int depth) {
  const msgdesc *entry = f->msg;
  mapent *es = n ? pg_mem_calloc(t->j->mem, n, sizeof *es) : NULL;
  if (n > 0 && es == NULL)
    return tj_nomem(t);
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    es[i].entry = (span){o[i].p, o[i].len};
    es[i].index = i;
    rc = read_map_key(t, entry, &es[i]);
  }
  if (rc == 0 && n > 1) {
    sort(es, n, sizeof *es, cmp_mapent_key);
    for (size_t i = 0; i < n;) {
      size_t k = i;
      while (k + 1 < n && es[k + 1].key_len == es[i].key_len &&
             memcmp(mapent_key(&es[k + 1]), mapent_key(&es[i]),
                    es[i].key_len) == 0)
        k++;
      es[k].is_kept = true;
      es[k].first = es[i].index;
      i = k + 1;
    }
    sort(es, n, sizeof *es, cmp_mapent_first);
  } else if (n == 1) {
    es[0].is_kept = true;
  }
  if (rc == 0)
    rc = put(t, "{", 1);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    size_t saved = path_key(&t->rep.pt, mapent_key(&es[i]), es[i].key_len);
    if (!es[i].is_kept)
      t->quiet++;
    else if (i > 0)
      rc = put(t, ",", 1);
    if (rc == 0)
      rc = put_json_string(t, mapent_key(&es[i]), es[i].key_len);
    if (rc == 0)
      rc = put(t, ":", 1);
    if (rc == 0)
      rc = emit_entry_value(t, entry, es[i].entry, depth);
    if (!es[i].is_kept)
      t->quiet--;
    path_pop(&t->rep.pt, saved);
  }
  pg_mem_free(t->j->mem, es);
  return rc ? rc : put(t, "}", 1);
}

/* Prints one field of a regular message, from the occurrences its oneof
 * keeps. */
static int emit_field(tj *t, const fielddesc *f, const occ *o, size_t n,
                      int depth, bool *first) {
  int rc = 0;
  if (f->is_map) {
    rc = put_key(t, f->json_name, first);
    return rc ? rc : emit_map(t, f, o, n, depth);
  }
  if (f->label == LB_REPEATED) {
    size_t count;
    if ((rc = count_elements(t, f, o, n, &count)) != 0 || count == 0)
      return rc;
    rc = put_key(t, f->json_name, first);
    return rc ? rc : emit_array(t, f, o, n, depth);
  }
  if (f->type == TY_MESSAGE) {
    rc = put_key(t, f->json_name, first);
    return rc ? rc : emit_message_occs(t, f->msg, o, n, depth + 1);
  }
  const occ *last = &o[n - 1];
  if (!f->has_presence && scalar_is_default(f->type, last->v, last->len))
    return 0;
  rc = put_key(t, f->json_name, first);
  return rc ? rc : emit_scalar(t, f->type, f->en, last->v, last->p, last->len);
}

/* Prints the fields of a regular message in field-number order, after
 * whatever the caller has put in the object already (*first false). */
static int emit_fields(tj *t, const msgdesc *m, const span *s, size_t ns,
                       int depth, bool *first) {
  scan sc;
  oneofstate *os = NULL;
  int rc = scan_message(t, m, s, ns, &sc);
  if (rc == 0)
    rc = resolve_oneofs(t, m, &sc, &os);
  for (size_t i = 0; rc == 0 && i < sc.n;) {
    size_t k = i;
    while (k < sc.n && sc.v[k].field == sc.v[i].field)
      k++;
    const fielddesc *f = &m->fields[sc.v[i].field];
    const occ *o = sc.v + i;
    size_t n = k - i;
    size_t saved = path_name(&t->rep.pt, f->json_name);
    rc = oneof_keep(t, m, f, os, &o, &n, depth);
    if (rc == 0 && n > 0)
      rc = emit_field(t, f, o, n, depth, first);
    path_pop(&t->rep.pt, saved);
    i = k;
  }
  pg_mem_free(t->j->mem, os);
  pg_mem_free(t->j->mem, sc.v);
  return rc;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's algorithms). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the mapping's range. */
#define TS_MIN (-62135596800LL)
#define TS_MAX 253402300799LL
#define DURATION_MAX 315576000000LL

/* Appends nanos as json_format does: none, 3, 6 or 9 digits. */
static void fmt_nanos(char *out, size_t n, int32_t nanos) {
  if (nanos == 0)
    out[0] = '\0';
  else if (nanos % 1000000 == 0)
    snprintf(out, n, ".%03" PRId32, nanos / 1000000);
  else if (nanos % 1000 == 0)
    snprintf(out, n, ".%06" PRId32, nanos / 1000);
  else
    snprintf(out, n, ".%09" PRId32, nanos);
}

static int emit_time(tj *t, const msgdesc *m, const span *s, size_t ns) {
  scan sc;
  int rc = scan_message(t, m, s, ns, &sc);
  int64_t secs = 0;
  int32_t nanos = 0;
  for (size_t i = 0; rc == 0 && i < sc.n; i++) {
    if (sc.v[i].field == 0)
      secs = (int64_t)sc.v[i].v;
    else
      nanos = (int32_t)(uint32_t)sc.v[i].v;
  }
  pg_mem_free(t->j->mem, sc.v);
  if (rc != 0)
    return rc;
  char buf[80], frac[16];
  if (m->wkt == WKT_TIMESTAMP) {
    /* json_format moves nanos outside [0, 1e9) into the seconds. */
    int64_t carry = nanos / 1000000000 - (nanos % 1000000000 < 0);
    nanos = (int32_t)((int64_t)nanos - carry * 1000000000);
    if (secs < TS_MIN - 3 || secs > TS_MAX + 3 || secs + carry < TS_MIN ||
        secs + carry > TS_MAX)
      return rep_fail(&t->rep, PARIGOT_ERANGE,
                      "timestamp %" PRId64 "s is out of range", secs);
    secs += carry;
    int64_t days = (secs >= 0 ? secs : secs - 86399) / 86400;
    int64_t sod = secs - days * 86400;
    int y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    fmt_nanos(frac, sizeof frac, nanos);
    snprintf(buf, sizeof buf, "\"%04d-%02u-%02uT%02d:%02d:%02d%sZ\"", y, mo, d,
             (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), frac);
    return put_str(t, buf);
  }
  if (secs < -DURATION_MAX || secs > DURATION_MAX)
    return rep_fail(&t->rep, PARIGOT_ERANGE,
                    "duration %" PRId64 "s is out of range", secs);
  if (nanos <= -1000000000 || nanos >= 1000000000)
    return rep_fail(&t->rep, PARIGOT_ERANGE,
                    "duration nanos %" PRId32 " out of range", nanos);
  if ((secs > 0 && nanos < 0) || (secs < 0 && nanos > 0))
    return rep_fail(&t->rep, PARIGOT_EINVAL,
                    "duration seconds and nanos differ in sign");
  bool neg = secs < 0 || nanos < 0;
  fmt_nanos(frac, sizeof frac, neg ? -nanos : nanos);
  snprintf(buf, sizeof buf, "\"%s%" PRId64 "%ss\"", neg ? "-" : "",
           neg ? -secs : secs, frac);
  return put_str(t, buf);
}

/* A FieldMask is its paths in lowerCamelCase joined by ','. json_format
 * refuses a path it could not read back: an upper-case letter, a '_' not
 * followed by a lower-case letter. */
static int emit_fieldmask(tj *t, const msgdesc *m, const span *s, size_t ns) {
  scan sc;
  pg_pbjson_buf b = {.mem = t->j->mem};
  int rc = scan_message(t, m, s, ns, &sc);
  for (size_t i = 0; rc == 0 && i < sc.n; i++) {
    const occ *o = &sc.v[i];
    if (i > 0 && buf_add(&b, ",", 1) != 0)
      rc = tj_nomem(t);
    bool up = false;
    const char *why = NULL;
    for (size_t k = 0; rc == 0 && why == NULL && k < o->len; k++) {
      uint8_t c = o->p[k];
      if (c >= 'A' && c <= 'Z') {
        why = "has an upper-case letter";
      } else if (up && !(c >= 'a' && c <= 'z')) {
        why = "has a '_' before a non-letter";
      } else if (c == '_') {
        up = true;
        if (k + 1 == o->len)
          why = "ends in '_'";
      } else {
        uint8_t ch = up ? (uint8_t)(c - 'a' + 'A') : c;
        up = false;
        if (buf_add(&b, &ch, 1) != 0)
          rc = tj_nomem(t);
      }
    }
    if (why != NULL) {
      char txt[64];
      snip(txt, sizeof txt, o->p, o->len);
      rc = rep_fail(&t->rep, PARIGOT_EINVAL, "FieldMask path \"%s\" %s", txt,
                    why);
    }
  }
  if (rc == 0)
    rc = put_json_string(t, b.data ? b.data : (const uint8_t *)"", b.len);
  pg_pbjson_buf_free(&b);
  pg_mem_free(t->j->mem, sc.v);
  return rc;
}

/* Value: its kind's JSON, null when no kind is set. json_format prints a
 * NaN or infinite number_value as "NaN", "Infinity" or "-Infinity" (the
 * mapping says it should fail); so does this. */
static int emit_value(tj *t, const msgdesc *m, const span *s, size_t ns,
                      int depth) {
  scan sc;
  oneofstate *os = NULL;
  bool printed = false;
  int rc = scan_message(t, m, s, ns, &sc);
  if (rc == 0)
    rc = resolve_oneofs(t, m, &sc, &os);
  for (uint32_t fi = 0; rc == 0 && fi < m->nfields; fi++) {
    const fielddesc *f = &m->fields[fi];
    const occ *o;
    size_t n;
    occs_of(&sc, fi, &o, &n);
    rc = oneof_keep(t, m, f, os, &o, &n, depth);
    if (rc != 0 || n == 0)
      continue;
    if (f->type == TY_MESSAGE)
      rc = emit_message_occs(t, f->msg, o, n, depth + 1);
    else if (f->type == TY_ENUM)
      rc = put_str(t, "null");
    else
      rc = emit_scalar(t, f->type, f->en, o[n - 1].v, o[n - 1].p, o[n - 1].len);
    printed = true;
  }
  if (rc == 0 && !printed)
    rc = put_str(t, "null");
  pg_mem_free(t->j->mem, os);
  pg_mem_free(t->j->mem, sc.v);
  return rc;
}

/* Any: {"@type": url, fields...}, or {"@type": url, "value": json} when the
 * packed type has a special form; {} when empty. The type must be in the
 * set. */
static int emit_any(tj *t, const msgdesc *m, const span *s, size_t ns,
                    int depth) {
  scan sc;
  int rc = scan_message(t, m, s, ns, &sc);
  const occ *url = NULL, *val = NULL;
  for (size_t i = 0; rc == 0 && i < sc.n; i++) {
    if (sc.v[i].field == 0)
      url = &sc.v[i];
    else
      val = &sc.v[i];
  }
  size_t url_len = url ? url->len : 0;
  span inner_span = {val ? val->p : NULL, val ? val->len : 0};
  if (rc == 0 && url_len == 0 && inner_span.len == 0) {
    rc = put_str(t, "{}");
  } else if (rc == 0) {
    const uint8_t *name = url ? url->p : (const uint8_t *)"";
    for (size_t i = 0; i < url_len; i++)
      if (url->p[i] == '/')
        name = url->p + i + 1;
    const msgdesc *inner =
        find_msg(t->j, name, url_len - (size_t)(name - (url ? url->p : name)));
    char txt[64];
    snip(txt, sizeof txt, url ? url->p : (const uint8_t *)"", url_len);
    if (inner == NULL)
      rc = rep_fail(&t->rep, PARIGOT_EINVAL,
                    "Any type \"%s\" is not in the descriptor set", txt);
    else if (depth + 1 > MAX_DEPTH)
      rc = rep_fail(&t->rep, PARIGOT_EINVAL, "messages nested deeper than %d",
                    MAX_DEPTH);
    if (rc == 0)
      rc = put_str(t, "{\"@type\":");
    if (rc == 0)
      rc = put_json_string(t, url->p, url_len);
    if (rc == 0 && inner->wkt != WKT_NONE) {
      rc = put_str(t, ",\"value\":");
      if (rc == 0)
        rc = emit_message(t, inner, &inner_span, 1, depth + 1);
    } else if (rc == 0) {
      bool first = false;
      rc = emit_fields(t, inner, &inner_span, 1, depth + 1, &first);
    }
    if (rc == 0)
      rc = put(t, "}", 1);
  }
  pg_mem_free(t->j->mem, sc.v);
  return rc;
}

/* Prints message @p m, the merge of @p ns serialized spans. */
static int emit_message(tj *t, const msgdesc *m, const span *s, size_t ns,
                        int depth) {
  if (depth > MAX_DEPTH)
    return rep_fail(&t->rep, PARIGOT_EINVAL, "messages nested deeper than %d",
                    MAX_DEPTH);
  scan sc;
  const occ *o;
  size_t n;
  int rc;
  switch (m->wkt) {
  case WKT_ANY:
    return emit_any(t, m, s, ns, depth);
  case WKT_TIMESTAMP:
  case WKT_DURATION:
    return emit_time(t, m, s, ns);
  case WKT_FIELDMASK:
    return emit_fieldmask(t, m, s, ns);
  case WKT_VALUE:
    return emit_value(t, m, s, ns, depth);
  case WKT_STRUCT:
  case WKT_LIST:
  case WKT_WRAPPER:
    rc = scan_message(t, m, s, ns, &sc);
    occs_of(&sc, 0, &o, &n);
    if (rc == 0 && m->wkt == WKT_STRUCT)
      rc = emit_map(t, &m->fields[0], o, n, depth);
    else if (rc == 0 && m->wkt == WKT_LIST)
      rc = emit_array(t, &m->fields[0], o, n, depth);
    else if (rc == 0)
      rc = emit_scalar(t, m->fields[0].type, NULL, n ? o[n - 1].v : 0,
                       n ? o[n - 1].p : NULL, n ? o[n - 1].len : 0);
    pg_mem_free(t->j->mem, sc.v);
    return rc;
  default: {
    bool first = true;
    rc = put(t, "{", 1);
    if (rc == 0)
      rc = emit_fields(t, m, s, ns, depth, &first);
    return rc ? rc : put(t, "}", 1);
  }
  }
}

/* Looks up @p type for a conversion and readies @p out. */
static const msgdesc *begin_conversion(const pg_pbjson *j, const char *type,
                                       pg_pbjson_buf *out, char *err,
                                       size_t err_len) {
  if (err != NULL && err_len > 0)
    err[0] = '\0';
  if (out->mem == NULL)
    out->mem = j->mem;
  out->len = 0;
  const msgdesc *m = find_msg(j, (const uint8_t *)type, strlen(type));
  if (m == NULL && err != NULL && err_len > 0)
    snprintf(err, err_len, "unknown message type \"%.100s\"", type);
  return m;
}

int pg_pbjson_to_json(const pg_pbjson *j, const char *type, const uint8_t *pb,
                      size_t len, pg_pbjson_buf *out, char *err,
                      size_t err_len) {
  const msgdesc *m = begin_conversion(j, type, out, err, err_len);
  if (m == NULL)
    return PARIGOT_ENOENT;
  tj t = {.j = j, .out = out, .rep = {.err = err, .err_len = err_len}};
  span s = {pb, pb ? len : 0};
  int rc = emit_message(&t, m, &s, 1, 1);
  if (rc == 0 && buf_reserve(out, 0) != 0)
    rc = tj_nomem(&t);
  if (rc == 0)
    out->data[out->len] = '\0';
  else
    out->len = 0;
  return rc;
}

/* ---- the JSON reader ----------------------------------------------------- */

typedef enum tkind {
  TK_STR,
  TK_NUM,
  TK_TRUE,
  TK_FALSE,
  TK_NULL,
  TK_OBJ,
  TK_ARR
} tkind;

typedef struct tok {
  tkind kind;
  const uint8_t *p; /* TK_STR: decoded bytes; TK_NUM: the literal */
  size_t n;
  bool is_int;    /* TK_NUM with neither fraction nor exponent */
  size_t at, end; /* the token's place in the input */
} tok;

typedef struct fj {
  const pg_pbjson *j;
  const uint8_t *s; /* the JSON text; borrowed */
  size_t len, pos;
  pg_pbjson_buf *out;
  pg_pbjson_buf scratch;  /* a string with escapes, decoded; one at a time */
  pg_pbjson_buf scratch2; /* decoded base64, FieldMask paths, numbers */
  report rep;
} fj;

static int fj_nomem(fj *f) {
  return rep_fail(&f->rep, PARIGOT_ENOMEM, "out of memory");
}

static int fj_syntax(fj *f, size_t at, const char *what) {
  if (f->rep.err != NULL && f->rep.err_len > 0)
    snprintf(f->rep.err, f->rep.err_len, "invalid JSON at offset %zu: %s", at,
             what);
  return PARIGOT_EINVAL;
}

/* What a token is, for "got ..." in messages: its text, cut short. */
static const char *got(const fj *f, const tok *t, char *buf, size_t n) {
  if (t->kind == TK_OBJ)
    return "an object";
  if (t->kind == TK_ARR)
    return "an array";
  snip(buf, n, f->s + t->at, t->end - t->at);
  return buf;
}

static void ws(fj *f) {
  while (f->pos < f->len && (f->s[f->pos] == ' ' || f->s[f->pos] == '\t' ||
                             f->s[f->pos] == '\n' || f->s[f->pos] == '\r'))
    f->pos++;
}

static int peek(fj *f) {
  ws(f);
  return f->pos < f->len ? f->s[f->pos] : -1;
}

static int hex4(const uint8_t *p, uint32_t *out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    uint8_t c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (uint32_t)(c - 'A' + 10);
    else
      return -1;
  }
  *out = v;
  return 0;
}

static size_t utf8_put(uint8_t *o, uint32_t cp) {
  if (cp < 0x80) {
    o[0] = (uint8_t)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (uint8_t)(0xc0 | cp >> 6);
    o[1] = (uint8_t)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (uint8_t)(0xe0 | cp >> 12);
    o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    o[2] = (uint8_t)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (uint8_t)(0xf0 | cp >> 18);
  o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
  o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
  o[3] = (uint8_t)(0x80 | (cp & 0x3f));
  return 4;
}

/* Decodes the escapes of s[from, to) into f->scratch. */
static int unescape(fj *f, size_t from, size_t to, tok *t) {
  f->scratch.len = 0;
  if (buf_reserve(&f->scratch, to - from) != 0)
    return fj_nomem(f);
  uint8_t *o = f->scratch.data;
  for (size_t i = from; i < to;) {
    if (f->s[i] != '\\') {
      *o++ = f->s[i++];
      continue;
    }
    uint8_t e = f->s[i + 1]; /* the scan saw to it that this exists */
    uint32_t cp, lo;
    switch (e) {
    case '"':
    case '\\':
    case '/':
      *o++ = e;
      break;
    case 'b':
      *o++ = '\b';
      break;
    case 'f':
      *o++ = '\f';
      break;
    case 'n':
      *o++ = '\n';
      break;
    case 'r':
      *o++ = '\r';
      break;
    case 't':
      *o++ = '\t';
      break;
    case 'u':
      if (to - i < 6 || hex4(f->s + i + 2, &cp) != 0)
        return fj_syntax(f, i, "invalid \\u escape");
      if (cp >= 0xdc00 && cp <= 0xdfff)
        return fj_syntax(f, i, "unpaired surrogate in \\u escape");
      if (cp >= 0xd800 && cp <= 0xdbff) {
        if (to - i < 12 || f->s[i + 6] != '\\' || f->s[i + 7] != 'u' ||
            hex4(f->s + i + 8, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
          return fj_syntax(f, i, "unpaired surrogate in \\u escape");
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i += 6;
      }
      o += utf8_put(o, cp);
      i += 4;
      break;
    default:
      return fj_syntax(f, i, "invalid escape");
    }
    i += 2;
  }
  t->p = f->scratch.data;
  t->n = (size_t)(o - f->scratch.data);
  return 0;
}

/* A string at f->pos. Bytes point into the input when there is no escape,
 * else into f->scratch, valid until the next string is read. */
static int lex_string(fj *f, tok *t) {
  size_t i = ++f->pos;
  bool has_escape = false;
  for (;;) {
    if (i >= f->len)
      return fj_syntax(f, t->at, "unterminated string");
    uint8_t c = f->s[i];
    if (c == '"')
      break;
    if (c == '\\') {
      has_escape = true;
      i += 2;
    } else if (c < 0x20) {
      return fj_syntax(f, i, "control character in a string");
    } else if (c >= 0x80) {
      size_t k = utf8_seq(f->s + i, f->len - i);
      if (k == 0)
        return fj_syntax(f, i, "invalid UTF-8");
      i += k;
    } else {
      i++;
    }
  }
  t->kind = TK_STR;
  if (has_escape) {
    int rc = unescape(f, f->pos, i, t);
    if (rc != 0)
      return rc;
  } else {
    t->p = f->s + f->pos;
    t->n = i - f->pos;
  }
  f->pos = i + 1;
  return 0;
}

static bool is_digit(int c) {
  return c >= '0' && c <= '9';
}

/* The length of a JSON number at s[0, n), 0 if there is none; *is_int when
 * it has neither fraction nor exponent. */
static size_t number_len(const uint8_t *s, size_t n, bool *is_int) {
  size_t i = 0;
  *is_int = true;
  if (i < n && s[i] == '-')
    i++;
  if (i < n && s[i] == '0') {
    i++;
  } else if (i < n && is_digit(s[i])) {
    while (i < n && is_digit(s[i]))
      i++;
  } else {
    return 0;
  }
  if (i < n && s[i] == '.') {
    *is_int = false;
    if (++i >= n || !is_digit(s[i]))
      return 0;
    while (i < n && is_digit(s[i]))
      i++;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    *is_int = false;
    if (++i < n && (s[i] == '+' || s[i] == '-'))
      i++;
    if (i >= n || !is_digit(s[i]))
      return 0;
    while (i < n && is_digit(s[i]))
      i++;
  }
  return i;
}

/* Reads the next value's token. An object or array is only looked at: its
 * bracket stays for the caller to step over. */
static int next_token(fj *f, tok *t) {
  int c = peek(f);
  memset(t, 0, sizeof *t);
  t->at = f->pos;
  int rc = 0;
  if (c < 0) {
    return fj_syntax(f, f->pos, "unexpected end of input");
  } else if (c == '"') {
    rc = lex_string(f, t);
  } else if (c == '-' || is_digit(c)) {
    t->kind = TK_NUM;
    t->p = f->s + f->pos;
    t->n = number_len(t->p, f->len - f->pos, &t->is_int);
    if (t->n == 0)
      return fj_syntax(f, f->pos, "invalid number");
    f->pos += t->n;
  } else if (c == '{' || c == '[') {
    t->kind = c == '{' ? TK_OBJ : TK_ARR;
    t->end = f->pos + 1;
    return 0;
  } else {
    static const struct {
      const char *text;
      tkind kind;
    } words[] = {{"true", TK_TRUE}, {"false", TK_FALSE}, {"null", TK_NULL}};
    size_t i = 0;
    for (; i < 3; i++) {
      size_t n = strlen(words[i].text);
      if (f->len - f->pos >= n && memcmp(f->s + f->pos, words[i].text, n) == 0)
        break;
    }
    if (i == 3)
      return fj_syntax(f, f->pos, "unexpected character");
    t->kind = words[i].kind;
    f->pos += strlen(words[i].text);
  }
  t->end = f->pos;
  return rc;
}

/* Steps over the ',' before the next member or element of an object or
 * array whose opening bracket was stepped over (*has), or over its closing
 * bracket @p close (!*has). */
static int list_next(fj *f, int close, bool *first, bool *has) {
  int c = peek(f);
  *has = false;
  if (c == close) {
    f->pos++;
    return 0;
  }
  if (!*first) {
    if (c != ',')
      return fj_syntax(f, f->pos,
                       close == '}' ? "expected ',' or '}'"
                                    : "expected ',' or ']'");
    f->pos++;
  }
  *first = false;
  *has = true;
  return 0;
}

/* Steps to the next member of an object whose '{' was stepped over: *has
 * and the key in *key, or !*has after the closing brace. */
static int obj_next(fj *f, bool *first, bool *has, tok *key) {
  int rc = list_next(f, '}', first, has);
  if (rc != 0 || !*has)
    return rc;
  *has = false;
  if (peek(f) != '"')
    return fj_syntax(f, f->pos, "expected a string key");
  memset(key, 0, sizeof *key);
  key->at = f->pos;
  if ((rc = lex_string(f, key)) != 0)
    return rc;
  key->end = f->pos;
  if (peek(f) != ':')
    return fj_syntax(f, f->pos, "expected ':'");
  f->pos++;
  *has = true;
  return 0;
}

/* Steps to the next element of an array whose '[' was stepped over. */
static int arr_next(fj *f, bool *first, bool *has) {
  return list_next(f, ']', first, has);
}

/* Reads the next token into @p t; one not of @p kind is refused as
 * "expected WHAT[ for M's type], got ...". */
static int expect_kind(fj *f, tkind kind, const char *what, const msgdesc *m,
                       tok *t) {
  char buf[64];
  int rc = next_token(f, t);
  if (rc != 0 || t->kind == kind)
    return rc;
  if (m != NULL)
    return rep_fail(&f->rep, PARIGOT_EINVAL, "expected %s for %s, got %s", what,
                    m->full_name, got(f, t, buf, sizeof buf));
  return rep_fail(&f->rep, PARIGOT_EINVAL, "expected %s, got %s", what,
                  got(f, t, buf, sizeof buf));
}

/* Reads the '{' or '[' (@p kind) that opens an object or array, as
 * expect_kind does, and steps over it. */
static int open_container(fj *f, tkind kind, const char *what,
                          const msgdesc *m) {
  tok t;
  int rc = expect_kind(f, kind, what, m, &t);
  if (rc == 0)
    f->pos++;
  return rc;
}

/* Steps over one value, checking it; containers nest at most MAX_DEPTH. */
static int skip_value(fj *f, int depth) {
  tok t;
  int rc = next_token(f, &t);
  if (rc != 0 || (t.kind != TK_OBJ && t.kind != TK_ARR))
    return rc;
  if (depth >= MAX_DEPTH)
    return fj_syntax(f, f->pos, "nested deeper than 100");
  f->pos++;
  bool first = true, has;
  for (;;) {
    if (t.kind == TK_OBJ) {
      tok key;
      rc = obj_next(f, &first, &has, &key);
    } else {
      rc = arr_next(f, &first, &has);
    }
    if (rc != 0 || !has)
      return rc;
    if ((rc = skip_value(f, depth + 1)) != 0)
      return rc;
  }
}

/* ---- JSON to binary ------------------------------------------------------ */

/* One scalar as read from JSON, before encoding. */
typedef struct sval {
  uint64_t u;       /* integers, bools and enums, two's complement */
  double d;         /* double and float */
  const uint8_t *p; /* string and bytes */
  size_t n;
} sval;

static int w_raw(fj *f, const void *p, size_t n) {
  return buf_add(f->out, p, n) == 0 ? 0 : fj_nomem(f);
}

static size_t varint_put(uint8_t *o, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    o[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  o[n++] = (uint8_t)v;
  return n;
}

static int w_varint(fj *f, uint64_t v) {
  uint8_t b[10];
  return w_raw(f, b, varint_put(b, v));
}

static int w_tag(fj *f, uint32_t num, uint8_t wt) {
  return w_varint(f, (uint64_t)num << 3 | wt);
}

static int w_fixed(fj *f, uint64_t v, size_t n) {
  uint8_t b[8];
  for (size_t i = 0; i < n; i++)
    b[i] = (uint8_t)(v >> (8 * i));
  return w_raw(f, b, n);
}

/* A length-delimited field: its tag now, its length once the body is
 * written (the body moves right to make room). */
static int begin_len(fj *f, uint32_t num, size_t *mark) {
  int rc = w_tag(f, num, WT_LEN);
  *mark = f->out->len;
  return rc;
}

static int end_len(fj *f, size_t mark) {
  size_t n = f->out->len - mark;
  uint8_t b[10];
  size_t k = varint_put(b, n);
  if (buf_reserve(f->out, k) != 0)
    return fj_nomem(f);
  memmove(f->out->data + mark + k, f->out->data + mark, n);
  memcpy(f->out->data + mark, b, k);
  f->out->len += k;
  return 0;
}

static int w_scalar(fj *f, uint8_t type, const sval *v) {
  switch (type) {
  case TY_DOUBLE: {
    uint64_t bits;
    memcpy(&bits, &v->d, sizeof bits);
    return w_fixed(f, bits, 8);
  }
  case TY_FLOAT: {
    float x = narrow(v->d);
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    return w_fixed(f, bits, 4);
  }
  case TY_FIXED64:
  case TY_SFIXED64:
    return w_fixed(f, v->u, 8);
  case TY_FIXED32:
  case TY_SFIXED32:
    return w_fixed(f, (uint32_t)v->u, 4);
  case TY_SINT32: {
    uint32_t x = (uint32_t)v->u;
    return w_varint(f, (uint32_t)(x << 1) ^ (uint32_t) - (x >> 31));
  }
  case TY_SINT64:
    return w_varint(f, v->u << 1 ^ (uint64_t) - (v->u >> 63));
  case TY_UINT32:
    return w_varint(f, (uint32_t)v->u);
  case TY_STRING:
  case TY_BYTES: {
    int rc = w_varint(f, v->n);
    return rc ? rc : w_raw(f, v->p, v->n);
  }
  default: /* int32 and enums sign-extended to 64 bits, as protobuf does */
    return w_varint(f, v->u);
  }
}

static bool sval_is_default(uint8_t type, const sval *v) {
  uint64_t bits;
  switch (type) {
  case TY_DOUBLE:
    memcpy(&bits, &v->d, sizeof bits);
    return bits == 0;
  case TY_FLOAT: {
    float x = narrow(v->d);
    uint32_t b32;
    memcpy(&b32, &x, sizeof b32);
    return b32 == 0;
  }
  case TY_STRING:
  case TY_BYTES:
    return v->n == 0;
  default:
    return v->u == 0;
  }
}

/* strtod on a token's text, which number_len has checked. */
static int tok_strtod(fj *f, const uint8_t *p, size_t n, double *out) {
  char small[64], *s = small;
  if (n >= sizeof small) {
    f->scratch2.len = 0;
    if (buf_reserve(&f->scratch2, n) != 0)
      return fj_nomem(f);
    s = (char *)f->scratch2.data;
  }
  memcpy(s, p, n);
  s[n] = '\0';
  *out = strtod(s, NULL);
  return 0;
}

/* Reads an integer of @p bits bits (signed or not) from a number or a
 * string, as json_format does: a number must have an integral value (1.0
 * and 1e2 are fine; one with a fraction or exponent goes through a double,
 * as Python's json does); a string is an optional sign and digits.
 * json_format: Python's int() would also take '_' between digits and
 * surrounding tabs; those are refused here. */
static int parse_int(fj *f, const tok *t, bool is_signed, int bits,
                     const char *what, uint64_t *out) {
  char buf[64];
  bool neg = false, overflow = false;
  uint64_t mag = 0;
  const uint8_t *p = t->p, *e = t->p + t->n;
  if (t->kind == TK_NUM && !t->is_int) {
    double d;
    int rc = tok_strtod(f, t->p, t->n, &d);
    if (rc != 0)
      return rc;
    neg = d < 0;
    double a = neg ? -d : d;
    if (a >= 18446744073709551616.0) {
      overflow = true;
    } else {
      mag = (uint64_t)a;
      if ((double)mag != a)
        return rep_fail(&f->rep, PARIGOT_EINVAL, "expected an integer, got %s",
                        got(f, t, buf, sizeof buf));
    }
  } else if (t->kind == TK_NUM || t->kind == TK_STR) {
    if (p < e && (*p == '-' || (*p == '+' && t->kind == TK_STR)))
      neg = *p++ == '-';
    if (p == e)
      return rep_fail(&f->rep, PARIGOT_EINVAL, "expected a number, got %s",
                      got(f, t, buf, sizeof buf));
    for (; p < e; p++) {
      if (!is_digit(*p))
        return rep_fail(&f->rep, PARIGOT_EINVAL, "expected %s, got %s",
                        number_len(t->p, t->n, &(bool){0}) == t->n
                            ? "an integer"
                            : "a number",
                        got(f, t, buf, sizeof buf));
      unsigned d = (unsigned)(*p - '0');
      if (mag > (UINT64_MAX - d) / 10)
        overflow = true;
      else
        mag = mag * 10 + d;
    }
  } else {
    return rep_fail(&f->rep, PARIGOT_EINVAL, "expected a number, got %s",
                    got(f, t, buf, sizeof buf));
  }
  uint64_t max_pos = is_signed    ? (UINT64_C(1) << (bits - 1)) - 1
                     : bits == 64 ? UINT64_MAX
                                  : (UINT64_C(1) << bits) - 1;
  uint64_t max_neg = is_signed ? UINT64_C(1) << (bits - 1) : 0;
  if (overflow || (neg ? mag > max_neg : mag > max_pos))
    return rep_fail(&f->rep, PARIGOT_ERANGE, "%s is out of range for %s",
                    got(f, t, buf, sizeof buf), what);
  *out = neg ? (uint64_t)0 - mag : mag;
  return 0;
}

/* A float or double from a number, or from "NaN", "Infinity",
 * "-Infinity" or a number in a string. A value past the type's range is
 * refused (json_format: Python turns a float's overflow into infinity when
 * the value comes in a string, and refuses 3.4028235e38, the shortest
 * form of FLT_MAX it prints itself; this takes what rounds to a finite
 * float and refuses the rest). */
static int parse_float(fj *f, const tok *t, bool is_float, double *out) {
  char buf[64];
  bool is_int;
  int rc = 0;
  if (t->kind == TK_STR && t->n == 3 && memcmp(t->p, "NaN", 3) == 0) {
    *out = NAN;
    return 0;
  }
  if (t->kind == TK_STR && t->n == 8 && memcmp(t->p, "Infinity", 8) == 0) {
    *out = INFINITY;
    return 0;
  }
  if (t->kind == TK_STR && t->n == 9 && memcmp(t->p, "-Infinity", 9) == 0) {
    *out = -INFINITY;
    return 0;
  }
  if (t->kind == TK_NUM || (t->kind == TK_STR && t->n > 0 &&
                            number_len(t->p, t->n, &is_int) == t->n))
    rc = tok_strtod(f, t->p, t->n, out);
  else
    return rep_fail(&f->rep, PARIGOT_EINVAL, "expected a number, got %s",
                    got(f, t, buf, sizeof buf));
  if (rc == 0 && (isinf(*out) || (is_float && isinf(narrow(*out)))))
    rc = rep_fail(&f->rep, PARIGOT_ERANGE, "%s is out of range for %s",
                  got(f, t, buf, sizeof buf), is_float ? "float" : "double");
  return rc;
}

/* Standard or URL-safe base64, with or without padding, into scratch2.
 * json_format: Python also drops characters outside the alphabet; those
 * are refused here. */
static int parse_base64(fj *f, const tok *t, sval *v) {
  char buf[64];
  size_t n = t->n;
  for (int i = 0; i < 2 && n > 0 && t->p[n - 1] == '='; i++)
    n--;
  f->scratch2.len = 0;
  if (buf_reserve(&f->scratch2, n / 4 * 3 + 3) != 0)
    return fj_nomem(f);
  uint8_t *o = f->scratch2.data;
  uint32_t acc = 0;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = t->p[i];
    uint32_t d;
    if (c >= 'A' && c <= 'Z')
      d = (uint32_t)(c - 'A');
    else if (c >= 'a' && c <= 'z')
      d = (uint32_t)(c - 'a' + 26);
    else if (c >= '0' && c <= '9')
      d = (uint32_t)(c - '0' + 52);
    else if (c == '+' || c == '-')
      d = 62;
    else if (c == '/' || c == '_')
      d = 63;
    else
      return rep_fail(&f->rep, PARIGOT_EINVAL, "invalid base64 %s",
                      got(f, t, buf, sizeof buf));
    acc = acc << 6 | d;
    if (++k == 4) {
      *o++ = (uint8_t)(acc >> 16);
      *o++ = (uint8_t)(acc >> 8);
      *o++ = (uint8_t)acc;
      acc = 0;
      k = 0;
    }
  }
  if (k == 1)
    return rep_fail(&f->rep, PARIGOT_EINVAL, "invalid base64 length in %s",
                    got(f, t, buf, sizeof buf));
  if (k == 2) {
    *o++ = (uint8_t)(acc >> 4);
  } else if (k == 3) {
    *o++ = (uint8_t)(acc >> 10);
    *o++ = (uint8_t)(acc >> 2);
  }
  v->p = f->scratch2.data;
  v->n = (size_t)(o - f->scratch2.data);
  return 0;
}

/* An enum value: its name, or its number (as a number or, as json_format
 * allows, a string of digits). A proto2 enum refuses numbers it lacks.
 * json_format: Python truncates 1.5 to 1 and takes true as 1; both are
 * refused here. */
static int parse_enum(fj *f, const enumdesc *en, const tok *t, uint64_t *out) {
  char buf[64];
  if (t->kind == TK_STR) {
    const enumval *ev = enum_by_name(en, t->p, t->n);
    if (ev != NULL) {
      *out = (uint64_t)(int64_t)ev->number;
      return 0;
    }
    const uint8_t *p = t->p, *e = t->p + t->n;
    if (p < e && (*p == '-' || *p == '+'))
      p++;
    while (p < e && is_digit(*p))
      p++;
    if (t->n == 0 || p != e || !is_digit(e[-1]))
      return rep_fail(&f->rep, PARIGOT_EINVAL, "unknown value %s for enum %s",
                      got(f, t, buf, sizeof buf), en->full_name);
  } else if (t->kind != TK_NUM) {
    return rep_fail(&f->rep, PARIGOT_EINVAL,
                    "expected an enum name or number "
                    "for %s, got %s",
                    en->full_name, got(f, t, buf, sizeof buf));
  }
  int rc = parse_int(f, t, true, 32, "enum", out);
  if (rc == 0 && en->is_closed &&
      enum_by_number(en, (int32_t)(uint32_t)*out) == NULL)
    rc = rep_fail(&f->rep, PARIGOT_EINVAL, "unknown value %s for enum %s",
                  got(f, t, buf, sizeof buf), en->full_name);
  return rc;
}

/* A scalar of @p type from token @p t; a map key (@p is_key) arrives as a
 * string whatever its type. */
static int parse_scalar(fj *f, uint8_t type, const enumdesc *en, const tok *t,
                        bool is_key, sval *v) {
  char buf[64];
  memset(v, 0, sizeof *v);
  switch (type) {
  case TY_INT32:
  case TY_SINT32:
  case TY_SFIXED32:
    return parse_int(f, t, true, 32, type_label(type), &v->u);
  case TY_INT64:
  case TY_SINT64:
  case TY_SFIXED64:
    return parse_int(f, t, true, 64, type_label(type), &v->u);
  case TY_UINT32:
  case TY_FIXED32:
    return parse_int(f, t, false, 32, type_label(type), &v->u);
  case TY_UINT64:
  case TY_FIXED64:
    return parse_int(f, t, false, 64, type_label(type), &v->u);
  case TY_DOUBLE:
  case TY_FLOAT:
    return parse_float(f, t, type == TY_FLOAT, &v->d);
  case TY_BOOL:
    if (!is_key && (t->kind == TK_TRUE || t->kind == TK_FALSE)) {
      v->u = t->kind == TK_TRUE;
      return 0;
    }
    if (is_key && t->n == 4 && memcmp(t->p, "true", 4) == 0) {
      v->u = 1;
      return 0;
    }
    if (is_key && t->n == 5 && memcmp(t->p, "false", 5) == 0)
      return 0;
    return rep_fail(&f->rep, PARIGOT_EINVAL, "expected true or false, got %s",
                    got(f, t, buf, sizeof buf));
  case TY_ENUM:
    return parse_enum(f, en, t, &v->u);
  default: /* TY_STRING, TY_BYTES */
    if (t->kind != TK_STR)
      return rep_fail(&f->rep, PARIGOT_EINVAL, "expected a string, got %s",
                      got(f, t, buf, sizeof buf));
    if (type == TY_BYTES)
      return parse_base64(f, t, v);
    v->p = t->p;
    v->n = t->n;
    return 0;
  }
}

static int parse_message(fj *f, const msgdesc *m, int depth);

/* Value {null_value: NULL_VALUE}, the body null stands for. */
static int w_null_value(fj *f, uint32_t num) {
  static const uint8_t body[] = {0x08, 0x00};
  size_t mark;
  int rc = begin_len(f, num, &mark);
  if (rc == 0)
    rc = w_raw(f, body, sizeof body);
  return rc ? rc : end_len(f, mark);
}

/* A message value as a length-delimited field numbered @p num. */
static int parse_sub(fj *f, uint32_t num, const msgdesc *m, int depth) {
  size_t mark;
  int rc = begin_len(f, num, &mark);
  if (rc == 0)
    rc = parse_message(f, m, depth);
  return rc ? rc : end_len(f, mark);
}

static bool is_value_type(const fielddesc *fd) {
  return fd->type == TY_MESSAGE && fd->msg->wkt == WKT_VALUE;
}

/* Reads the null at f->pos if there is one. */
static int take_null(fj *f, bool *is_null) {
  *is_null = false;
  if (peek(f) != 'n')
    return 0;
  tok t;
  int rc = next_token(f, &t);
  *is_null = rc == 0;
  return rc;
}

/* obj_next for an object whose keys are map keys: a key also goes on the
 * path, from where path_pop(*saved) takes it. */
static int key_next(fj *f, bool *first, bool *has, tok *key, size_t *saved) {
  int rc = obj_next(f, first, has, key);
  if (rc == 0 && *has)
    *saved = path_key(&f->rep.pt, key->p, key->n);
  return rc;
}

/* A map's object. json_format: Python refuses a key given twice (as its
 * JSON reader does); here the last one wins, as on the wire. */
static int parse_map(fj *f, const fielddesc *fd, int depth) {
  tok t;
  int rc = open_container(f, TK_OBJ, "an object for a map", NULL);
  if (rc != 0)
    return rc;
  const fielddesc *kf = &fd->msg->fields[0], *vf = &fd->msg->fields[1];
  bool first = true, has;
  for (;;) {
    tok key;
    size_t saved, mark;
    if ((rc = key_next(f, &first, &has, &key, &saved)) != 0 || !has)
      return rc;
    sval kv, vv;
    bool is_null;
    /* The key is written before the value is read: it may live in the
     * scratch buffer, which the value's strings reuse. */
    rc = parse_scalar(f, kf->type, NULL, &key, true, &kv);
    if (rc == 0)
      rc = begin_len(f, fd->number, &mark);
    if (rc == 0)
      rc = w_tag(f, 1, wire_type_of(kf->type));
    if (rc == 0)
      rc = w_scalar(f, kf->type, &kv);
    if (rc == 0)
      rc = take_null(f, &is_null);
    if (rc == 0 && is_null && is_value_type(vf))
      rc = w_null_value(f, 2);
    else if (rc == 0 && is_null)
      rc = rep_fail(&f->rep, PARIGOT_EINVAL,
                    "null is not allowed as a map value");
    else if (rc == 0 && vf->type == TY_MESSAGE)
      rc = parse_sub(f, 2, vf->msg, depth + 1);
    else if (rc == 0 && (rc = next_token(f, &t)) == 0 &&
             (rc = parse_scalar(f, vf->type, vf->en, &t, false, &vv)) == 0 &&
             (rc = w_tag(f, 2, wire_type_of(vf->type))) == 0)
      rc = w_scalar(f, vf->type, &vv);
    if (rc == 0)
      rc = end_len(f, mark);
    if (rc != 0)
      return rc;
    path_pop(&f->rep.pt, saved);
  }
}

static int parse_repeated(fj *f, const fielddesc *fd, int depth) {
  tok t;
  int rc = open_container(f, TK_ARR, "an array", NULL);
  if (rc != 0)
    return rc;
  size_t start = f->out->len, mark = 0, idx = 0;
  if (fd->is_packed && (rc = begin_len(f, fd->number, &mark)) != 0)
    return rc;
  bool first = true, has;
  for (;;) {
    if ((rc = arr_next(f, &first, &has)) != 0)
      return rc;
    if (!has)
      break;
    size_t saved = path_index(&f->rep.pt, idx++);
    bool is_null;
    sval v;
    rc = take_null(f, &is_null);
    if (rc == 0 && is_null && is_value_type(fd))
      rc = w_null_value(f, fd->number);
    else if (rc == 0 && is_null)
      rc = rep_fail(&f->rep, PARIGOT_EINVAL,
                    "null is not allowed in a repeated field");
    else if (rc == 0 && fd->type == TY_MESSAGE)
      rc = parse_sub(f, fd->number, fd->msg, depth + 1);
    else if (rc == 0 && (rc = next_token(f, &t)) == 0 &&
             (rc = parse_scalar(f, fd->type, fd->en, &t, false, &v)) == 0) {
      if (!fd->is_packed)
        rc = w_tag(f, fd->number, wire_type_of(fd->type));
      if (rc == 0)
        rc = w_scalar(f, fd->type, &v);
    }
    if (rc != 0)
      return rc;
    path_pop(&f->rep.pt, saved);
  }
  if (fd->is_packed && idx == 0) {
    f->out->len = start; /* no elements: no field */
    return 0;
  }
  return fd->is_packed ? end_len(f, mark) : 0;
}

/* null for a field means its default, so nothing is written; except that
 * a Value becomes null_value, and a NullValue with presence is set. */
static int parse_null_field(fj *f, const fielddesc *fd) {
  if (fd->label == LB_REPEATED)
    return 0;
  if (is_value_type(fd))
    return w_null_value(f, fd->number);
  if (fd->type == TY_ENUM && fd->en->is_null && fd->has_presence) {
    int rc = w_tag(f, fd->number, WT_VARINT);
    return rc ? rc : w_varint(f, 0);
  }
  return 0;
}

/* One field's value. @p oneof_set holds, per oneof, 1 + the index of the
 * member already given, or 0. */
static int parse_field(fj *f, const msgdesc *m, uint32_t fi,
                       uint32_t *oneof_set, int depth) {
  const fielddesc *fd = &m->fields[fi];
  bool is_null;
  int rc = take_null(f, &is_null);
  if (rc != 0 || is_null)
    return rc ? rc : parse_null_field(f, fd);
  if (fd->oneof >= 0) {
    uint32_t *slot = &oneof_set[fd->oneof];
    if (*slot != 0)
      return rep_fail(&f->rep, PARIGOT_EINVAL,
                      "oneof \"%s\" is set twice, by \"%s\" and \"%s\"",
                      m->oneofs[fd->oneof], m->fields[*slot - 1].json_name,
                      fd->json_name);
    *slot = fi + 1;
  }
  if (fd->type == TY_GROUP)
    return rep_fail(&f->rep, PARIGOT_ENOTSUP, "groups are not supported");
  if (fd->is_map)
    return parse_map(f, fd, depth);
  if (fd->label == LB_REPEATED)
    return parse_repeated(f, fd, depth);
  if (fd->type == TY_MESSAGE)
    return parse_sub(f, fd->number, fd->msg, depth + 1);
  tok t;
  sval v;
  if ((rc = next_token(f, &t)) != 0 ||
      (rc = parse_scalar(f, fd->type, fd->en, &t, false, &v)) != 0)
    return rc;
  if (!fd->has_presence && sval_is_default(fd->type, &v))
    return 0; /* proto3 writes no default */
  rc = w_tag(f, fd->number, wire_type_of(fd->type));
  return rc ? rc : w_scalar(f, fd->type, &v);
}

/* A regular message's object (json_format: Python takes an empty array
 * too). Inside an Any (@p is_any_body) the "@type"
 * key is stepped over. A field named twice is refused, whichever names are
 * used (json_format: Python refuses the same key twice but takes a field
 * under both of its names, the last winning). */
static int parse_object(fj *f, const msgdesc *m, int depth, bool is_any_body) {
  char buf[64];
  int rc = open_container(f, TK_OBJ, "an object", m);
  if (rc != 0)
    return rc;
  uint8_t seen_small[64];
  uint32_t oneof_small[8];
  uint8_t *seen = seen_small;
  uint32_t *oneof_set = oneof_small;
  if (m->nfields > sizeof seen_small)
    seen = pg_mem_malloc(f->j->mem, m->nfields);
  if (m->noneofs > sizeof oneof_small / sizeof oneof_small[0])
    oneof_set = pg_mem_malloc(f->j->mem, m->noneofs * sizeof(uint32_t));
  if (seen == NULL || oneof_set == NULL) {
    rc = fj_nomem(f);
    goto done;
  }
  memset(seen, 0, m->nfields);
  memset(oneof_set, 0, m->noneofs * sizeof(uint32_t));
  bool first = true, has;
  for (;;) {
    tok key;
    if ((rc = obj_next(f, &first, &has, &key)) != 0 || !has)
      break;
    if (is_any_body && key.n == 5 && memcmp(key.p, "@type", 5) == 0) {
      if ((rc = skip_value(f, depth)) != 0)
        break;
      continue;
    }
    long fi = field_by_name(m, key.p, key.n);
    if (fi < 0) {
      snip(buf, sizeof buf, key.p, key.n);
      rc = rep_fail(&f->rep, PARIGOT_EINVAL, "unknown field \"%s\" in %s", buf,
                    m->full_name);
      break;
    }
    if (seen[fi]) {
      rc = rep_fail(&f->rep, PARIGOT_EINVAL, "field \"%s\" of %s given twice",
                    m->fields[fi].json_name, m->full_name);
      break;
    }
    seen[fi] = 1;
    size_t saved = path_name(&f->rep.pt, m->fields[fi].json_name);
    if ((rc = parse_field(f, m, (uint32_t)fi, oneof_set, depth)) != 0)
      break;
    path_pop(&f->rep.pt, saved);
  }
done:
  if (seen != seen_small)
    pg_mem_free(f->j->mem, seen);
  if (oneof_set != oneof_small)
    pg_mem_free(f->j->mem, oneof_set);
  return rc;
}

/* Two digits or four, at p; -1 if they are not all digits. */
static int digits_at(const uint8_t *p, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!is_digit(p[i]))
      return -1;
    v = v * 10 + (p[i] - '0');
  }
  return v;
}

/* The fraction of a second after the '.' at p[*i]: 1 to 9 digits, as
 * nanoseconds; *i moves past them. Returns 0, or -1 for bad syntax. */
static int parse_fraction(const uint8_t *p, size_t n, size_t *i,
                          int32_t *nanos) {
  size_t k = 0, at = *i + 1;
  int32_t ns = 0;
  for (; at < n && is_digit(p[at]); at++, k++) {
    if (k == 9)
      return -1;
    ns = ns * 10 + (p[at] - '0');
  }
  if (k == 0)
    return -1;
  for (; k < 9; k++)
    ns *= 10;
  *i = at;
  *nanos = ns;
  return 0;
}

/* RFC 3339 as the mapping writes it: "1972-01-01T10:00:20.021Z", with 0 to
 * 9 fractional digits and "Z" or an offset "+hh:mm". json_format: Python's
 * strptime also takes one-digit fields, and it lets an offset carry the
 * time outside 0001..9999; this does neither. Returns 0, -1 for bad
 * syntax, -2 for out of range. */
static int parse_rfc3339(const uint8_t *p, size_t n, int64_t *secs,
                         int32_t *nanos) {
  static const unsigned mdays[] = {31, 29, 31, 30, 31, 30,
                                   31, 31, 30, 31, 30, 31};
  if (n < 20 || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' ||
      p[16] != ':')
    return -1;
  int y = digits_at(p, 4), mo = digits_at(p + 5, 2), d = digits_at(p + 8, 2);
  int h = digits_at(p + 11, 2), mi = digits_at(p + 14, 2);
  int s = digits_at(p + 17, 2);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 ||
      mi > 59 || s < 0 || s > 59)
    return -1;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if ((unsigned)d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
    return -1;
  size_t i = 19;
  int32_t ns = 0;
  if (p[i] == '.' && parse_fraction(p, n, &i, &ns) != 0)
    return -1;
  int64_t offset = 0;
  if (i < n && p[i] == 'Z') {
    i++;
  } else if (i + 6 == n && (p[i] == '+' || p[i] == '-') && p[i + 3] == ':') {
    int oh = digits_at(p + i + 1, 2), om = digits_at(p + i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59)
      return -1;
    offset = (p[i] == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
    i += 6;
  } else {
    return -1;
  }
  if (i != n)
    return -1;
  int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
              mi * 60 + s - offset;
  if (t < TS_MIN || t > TS_MAX)
    return -2;
  *secs = t;
  *nanos = ns;
  return 0;
}

/* "-1.5s": an optional '-', seconds, 0 to 9 fractional digits, 's'.
 * json_format: Python rounds away a tenth digit and takes "+1s" and "1.s";
 * this does not. Returns 0, -1 for bad syntax, -2 for out of range. */
static int parse_duration(const uint8_t *p, size_t n, int64_t *secs,
                          int32_t *nanos) {
  size_t i = 0, k = 0;
  bool neg = n > 0 && p[0] == '-';
  int64_t s = 0;
  int32_t ns = 0;
  bool too_big = false;
  if (neg)
    i++;
  for (; i < n && is_digit(p[i]); i++, k++) {
    s = s * 10 + (p[i] - '0');
    if (s > DURATION_MAX) {
      too_big = true;
      s = DURATION_MAX;
    }
  }
  if (k == 0)
    return -1;
  if (i < n && p[i] == '.' && parse_fraction(p, n, &i, &ns) != 0)
    return -1;
  if (i + 1 != n || p[i] != 's')
    return -1;
  if (too_big)
    return -2;
  *secs = neg ? -s : s;
  *nanos = neg ? -ns : ns;
  return 0;
}

static int w_time(fj *f, int64_t secs, int32_t nanos) {
  int rc = 0;
  if (secs != 0 && (rc = w_tag(f, 1, WT_VARINT)) == 0)
    rc = w_varint(f, (uint64_t)secs);
  if (rc == 0 && nanos != 0 && (rc = w_tag(f, 2, WT_VARINT)) == 0)
    rc = w_varint(f, (uint64_t)(int64_t)nanos);
  return rc;
}

static int parse_time(fj *f, const msgdesc *m, const tok *t) {
  char buf[64];
  int64_t secs = 0;
  int32_t nanos = 0;
  int r = m->wkt == WKT_TIMESTAMP ? parse_rfc3339(t->p, t->n, &secs, &nanos)
                                  : parse_duration(t->p, t->n, &secs, &nanos);
  const char *kind = m->wkt == WKT_TIMESTAMP ? "timestamp" : "duration";
  if (r == -1)
    return rep_fail(&f->rep, PARIGOT_EINVAL, "invalid %s %s", kind,
                    got(f, t, buf, sizeof buf));
  if (r == -2)
    return rep_fail(&f->rep, PARIGOT_ERANGE, "%s %s is out of range", kind,
                    got(f, t, buf, sizeof buf));
  return w_time(f, secs, nanos);
}

/* "a.bC,d": paths to snake_case ("a.b_c", "d"); a '_' is refused. An
 * empty string is no path at all. */
static int parse_fieldmask(fj *f, const tok *t) {
  char buf[64];
  int rc;
  if (t->n == 0)
    return 0;
  if (memchr(t->p, '_', t->n) != NULL)
    return rep_fail(&f->rep, PARIGOT_EINVAL, "FieldMask %s contains '_'",
                    got(f, t, buf, sizeof buf));
  for (size_t i = 0; i <= t->n;) {
    size_t k = i;
    while (k < t->n && t->p[k] != ',')
      k++;
    f->scratch2.len = 0;
    for (size_t c = i; c < k; c++) {
      uint8_t ch[2] = {'_', t->p[c]};
      bool up = t->p[c] >= 'A' && t->p[c] <= 'Z';
      if (up)
        ch[1] = (uint8_t)(t->p[c] - 'A' + 'a');
      if (buf_add(&f->scratch2, up ? ch : ch + 1, up ? 2 : 1) != 0)
        return fj_nomem(f);
    }
    if ((rc = w_tag(f, 1, WT_LEN)) != 0 ||
        (rc = w_varint(f, f->scratch2.len)) != 0 ||
        (rc = w_raw(f, f->scratch2.data, f->scratch2.len)) != 0)
      return rc;
    i = k + 1;
  }
  return 0;
}

/* Struct: {"k": any, ...} as map<string, Value> entries. json_format:
 * Python refuses a key given twice; here the last one wins. */
static int parse_struct(fj *f, const msgdesc *m, int depth) {
  int rc = open_container(f, TK_OBJ, "an object", m);
  if (rc != 0)
    return rc;
  const msgdesc *value = m->fields[0].msg->fields[1].msg;
  bool first = true, has;
  for (;;) {
    tok key;
    size_t saved, mark;
    if ((rc = key_next(f, &first, &has, &key, &saved)) != 0 || !has)
      return rc;
    if ((rc = begin_len(f, 1, &mark)) != 0 || (rc = w_tag(f, 1, WT_LEN)) != 0 ||
        (rc = w_varint(f, key.n)) != 0 || (rc = w_raw(f, key.p, key.n)) != 0 ||
        (rc = parse_sub(f, 2, value, depth + 1)) != 0 ||
        (rc = end_len(f, mark)) != 0)
      return rc;
    path_pop(&f->rep.pt, saved);
  }
}

static int parse_list(fj *f, const msgdesc *m, int depth) {
  int rc = open_container(f, TK_ARR, "an array", m);
  if (rc != 0)
    return rc;
  bool first = true, has;
  for (size_t idx = 0;; idx++) {
    if ((rc = arr_next(f, &first, &has)) != 0 || !has)
      return rc;
    size_t saved = path_index(&f->rep.pt, idx);
    if ((rc = parse_sub(f, 1, m->fields[0].msg, depth + 1)) != 0)
      return rc;
    path_pop(&f->rep.pt, saved);
  }
}

/* Value: any JSON value. json_format: Python's json reads 1e400 as
 * infinity and keeps it; this refuses it as out of range. */
static int parse_value(fj *f, const msgdesc *m, int depth) {
  char buf[64];
  int c = peek(f);
  if (c == '{')
    return parse_sub(f, 5, m->fields[4].msg, depth + 1);
  if (c == '[')
    return parse_sub(f, 6, m->fields[5].msg, depth + 1);
  tok t;
  double d;
  uint64_t bits;
  int rc = next_token(f, &t);
  if (rc != 0)
    return rc;
  switch (t.kind) {
  case TK_NULL:
    rc = w_tag(f, 1, WT_VARINT);
    return rc ? rc : w_varint(f, 0);
  case TK_TRUE:
  case TK_FALSE:
    rc = w_tag(f, 4, WT_VARINT);
    return rc ? rc : w_varint(f, t.kind == TK_TRUE);
  case TK_STR:
    if ((rc = w_tag(f, 3, WT_LEN)) != 0 || (rc = w_varint(f, t.n)) != 0)
      return rc;
    return w_raw(f, t.p, t.n);
  default: /* TK_NUM */
    if ((rc = tok_strtod(f, t.p, t.n, &d)) != 0)
      return rc;
    if (isinf(d))
      return rep_fail(&f->rep, PARIGOT_ERANGE, "%s is out of range for double",
                      got(f, &t, buf, sizeof buf));
    memcpy(&bits, &d, sizeof bits);
    rc = w_tag(f, 2, WT_I64);
    return rc ? rc : w_fixed(f, bits, 8);
  }
}

/* Any: finds "@type" wherever it is in the object, then reads the object
 * again as the packed type (or its "value", for a type with a special
 * form). {} is the empty Any. json_format: Python ignores keys other than
 * "@type" and "value" beside a special form; they are refused here. */
static int parse_any(fj *f, const msgdesc *m, int depth) {
  char buf[64], extra[64] = "";
  tok t;
  int rc = expect_kind(f, TK_OBJ, "an object", m, &t);
  if (rc != 0)
    return rc;
  size_t start = f->pos, value_at = 0, end, nkeys = 0, mark;
  uint8_t *url = NULL;
  size_t url_len = 0;
  bool first = true, has, has_value = false;
  f->pos++;
  for (;;) {
    tok key;
    if ((rc = obj_next(f, &first, &has, &key)) != 0 || !has)
      break;
    nkeys++;
    if (key.n == 5 && memcmp(key.p, "@type", 5) == 0) {
      if (url != NULL) {
        rc = rep_fail(&f->rep, PARIGOT_EINVAL, "\"@type\" given twice");
        break;
      }
      tok v;
      rc = expect_kind(f, TK_STR, "a string for \"@type\"", NULL, &v);
      if (rc != 0)
        break;
      url = pg_mem_malloc(f->j->mem, v.n);
      if (url == NULL) {
        rc = fj_nomem(f);
        break;
      }
      memcpy(url, v.p, v.n);
      url_len = v.n;
      continue;
    }
    if (key.n == 5 && memcmp(key.p, "value", 5) == 0) {
      has_value = true;
      value_at = f->pos;
    } else if (extra[0] == '\0') {
      snip(extra, sizeof extra, key.p, key.n);
    }
    if ((rc = skip_value(f, depth)) != 0)
      break;
  }
  end = f->pos;
  if (rc != 0 || nkeys == 0)
    goto done;
  if (url == NULL) {
    rc = rep_fail(&f->rep, PARIGOT_EINVAL, "\"@type\" is missing in %s",
                  m->full_name);
    goto done;
  }
  const uint8_t *name = url;
  for (size_t i = 0; i < url_len; i++)
    if (url[i] == '/')
      name = url + i + 1;
  const msgdesc *inner = find_msg(f->j, name, url_len - (size_t)(name - url));
  snip(buf, sizeof buf, url, url_len);
  if (inner == NULL) {
    rc = rep_fail(&f->rep, PARIGOT_EINVAL,
                  "Any type \"%s\" is not in the descriptor set", buf);
    goto done;
  }
  if (depth + 1 > MAX_DEPTH) {
    rc = rep_fail(&f->rep, PARIGOT_EINVAL, "messages nested deeper than %d",
                  MAX_DEPTH);
    goto done;
  }
  if ((rc = w_tag(f, 1, WT_LEN)) != 0 || (rc = w_varint(f, url_len)) != 0 ||
      (rc = w_raw(f, url, url_len)) != 0 || (rc = begin_len(f, 2, &mark)) != 0)
    goto done;
  if (inner->wkt == WKT_NONE) {
    f->pos = start;
    rc = parse_object(f, inner, depth + 1, true);
  } else if (!has_value) {
    rc = rep_fail(&f->rep, PARIGOT_EINVAL,
                  "Any of type \"%s\" needs a \"value\"", buf);
  } else if (extra[0] != '\0') {
    rc = rep_fail(&f->rep, PARIGOT_EINVAL,
                  "unknown field \"%s\" in an Any of "
                  "type \"%s\"",
                  extra, buf);
  } else {
    f->pos = value_at;
    rc = parse_message(f, inner, depth + 1);
    f->pos = end;
  }
  if (rc == 0)
    rc = end_len(f, mark);
done:
  pg_mem_free(f->j->mem, url);
  return rc;
}

/* Reads message @p m's JSON value at f->pos and appends its fields. */
static int parse_message(fj *f, const msgdesc *m, int depth) {
  if (depth > MAX_DEPTH)
    return rep_fail(&f->rep, PARIGOT_EINVAL, "messages nested deeper than %d",
                    MAX_DEPTH);
  switch (m->wkt) {
  case WKT_ANY:
    return parse_any(f, m, depth);
  case WKT_TIMESTAMP:
  case WKT_DURATION:
  case WKT_FIELDMASK: {
    tok t; /* each is a string */
    int rc = expect_kind(f, TK_STR, "a string", m, &t);
    if (rc != 0)
      return rc;
    return m->wkt == WKT_FIELDMASK ? parse_fieldmask(f, &t)
                                   : parse_time(f, m, &t);
  }
  case WKT_STRUCT:
    return parse_struct(f, m, depth);
  case WKT_LIST:
    return parse_list(f, m, depth);
  case WKT_VALUE:
    return parse_value(f, m, depth);
  case WKT_WRAPPER: {
    const fielddesc *fd = &m->fields[0];
    tok t;
    sval v;
    int rc = next_token(f, &t);
    if (rc == 0)
      rc = parse_scalar(f, fd->type, NULL, &t, false, &v);
    if (rc != 0 || sval_is_default(fd->type, &v))
      return rc;
    rc = w_tag(f, 1, wire_type_of(fd->type));
    return rc ? rc : w_scalar(f, fd->type, &v);
  }
  default:
    return parse_object(f, m, depth, false);
  }
}

int pg_pbjson_from_json(const pg_pbjson *j, const char *type, const char *json,
                        size_t len, pg_pbjson_buf *out, char *err,
                        size_t err_len) {
  const msgdesc *m = begin_conversion(j, type, out, err, err_len);
  if (m == NULL)
    return PARIGOT_ENOENT;
  fj f = {.j = j,
          .s = (const uint8_t *)(json ? json : ""),
          .len = json ? len : 0,
          .out = out,
          .scratch = {.mem = j->mem},
          .scratch2 = {.mem = j->mem},
          .rep = {.err = err, .err_len = err_len}};
  int rc = parse_message(&f, m, 1);
  if (rc == 0 && peek(&f) >= 0)
    rc = fj_syntax(&f, f.pos, "unexpected data after the value");
  pg_pbjson_buf_free(&f.scratch);
  pg_pbjson_buf_free(&f.scratch2);
  if (rc != 0)
    out->len = 0;
  return rc;
}
