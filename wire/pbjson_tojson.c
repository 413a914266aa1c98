/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/pbjson_tojson.c: binary to JSON (pg_pbjson_to_json) for
 * regular messages: scalars, repeated fields, maps, oneofs, and the merge
 * of a field given more than once, as protobuf parsing does. Well-known
 * types go to pbjson_wkt.c.
 *
 * The conversion's state (pg_pbjson_tj) lives on the caller's stack; the
 * output buffer belongs to the caller. Calls pbjson_pb.c to read the wire
 * and pbjson.c for lookups. Any thread.
 */
#include "pbjson_int.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/error.h"
#include "utf8.h"

int pg_pbjson_tj_nomem(pg_pbjson_tj *t) {
  return pg_pbjson_rep_fail(&t->rep, PARIGOT_ENOMEM, "out of memory");
}

int pg_pbjson_put(pg_pbjson_tj *t, const void *p, size_t n) {
  if (t->quiet)
    return 0;
  return pg_pbjson_buf_add(t->out, p, n) == 0 ? 0 : pg_pbjson_tj_nomem(t);
}

int pg_pbjson_put_str(pg_pbjson_tj *t, const char *s) {
  return pg_pbjson_put(t, s, strlen(s));
}

/* Escapes as Python's json.dumps(ensure_ascii=False) does: '"', '\\' and
 * the control characters; everything else stays as it is. */
int pg_pbjson_put_json_string(pg_pbjson_tj *t, const uint8_t *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  if (t->quiet)
    return 0;
  if (n > SIZE_MAX / 8 || pg_pbjson_buf_reserve(t->out, n * 6 + 2) != 0)
    return pg_pbjson_tj_nomem(t);
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

static int put_base64(pg_pbjson_tj *t, const uint8_t *s, size_t n) {
  static const char abc[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (t->quiet)
    return 0;
  if (n > SIZE_MAX / 2 ||
      pg_pbjson_buf_reserve(t->out, (n + 2) / 3 * 4 + 2) != 0)
    return pg_pbjson_tj_nomem(t);
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
    if (pg_pbjson_narrow(r) == f)
      break;
  }
  fmt_double(out, r);
}

static int put_double(pg_pbjson_tj *t, double d, bool is_float) {
  char buf[48];
  if (isnan(d))
    return pg_pbjson_put_str(t, "\"NaN\"");
  if (isinf(d))
    return pg_pbjson_put_str(t, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  if (is_float)
    fmt_float(buf, (float)d);
  else
    fmt_double(buf, d);
  return pg_pbjson_put_str(t, buf);
}

static int64_t unzigzag(uint64_t v) {
  return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Prints one scalar: @p v holds a varint or fixed value, @p p/len the bytes
 * of a string or bytes field. */
int pg_pbjson_emit_scalar(pg_pbjson_tj *t, uint8_t type,
                          const pg_pbjson_enum *en, uint64_t v,
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
    return pg_pbjson_put_str(t, v ? "true" : "false");
  case TY_ENUM: {
    if (en->is_null)
      return pg_pbjson_put_str(t, "null");
    const pg_pbjson_enumval *ev =
        pg_pbjson_enum_by_number(en, (int32_t)(uint32_t)v);
    if (ev != NULL)
      return pg_pbjson_put_json_string(t, (const uint8_t *)ev->name,
                                       strlen(ev->name));
    /* An open enum's unknown number prints as the number (json_format
     * refuses one only in proto2, where parsing would not keep it). */
    snprintf(buf, sizeof buf, "%" PRId32, (int32_t)(uint32_t)v);
    break;
  }
  case TY_STRING:
    return pg_pbjson_put_json_string(t, p, len);
  default: /* TY_BYTES */
    return put_base64(t, p, len);
  }
  return pg_pbjson_put_str(t, buf);
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
  const pg_pbjson_occ *x = a, *y = b;
  if (x->field != y->field)
    return x->field < y->field ? -1 : 1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Reads every field of the spans of @p m, checking wire types and UTF-8,
 * and leaves the known ones in @p sc sorted by field then wire order. The
 * caller frees sc->v, also on failure. */
int pg_pbjson_scan_message(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                           const pg_pbjson_span *s, size_t ns,
                           pg_pbjson_scan *sc) {
  memset(sc, 0, sizeof *sc);
  uint32_t seq = 0;
  for (size_t i = 0; i < ns; i++) {
    for (pg_pbjson_rd r = {s[i].p, s[i].p + s[i].len}; r.p < r.end;) {
      pg_pbjson_wfield w;
      const char *why = pg_pbwire_read_field(&r, &w);
      if (why != NULL)
        return pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL, "malformed %s: %s",
                                  m->full_name, why);
      long fi = pg_pbjson_field_by_number(m, w.num);
      if (fi < 0)
        continue; /* unknown fields are skipped, as json_format does */
      const pg_pbjson_field *f = &m->fields[fi];
      if (f->type == TY_GROUP) {
        pg_pbjson_path_name(&t->rep.pt, f->json_name);
        return pg_pbjson_rep_fail(&t->rep, PARIGOT_ENOTSUP,
                                  "groups are not supported");
      }
      /* C++ would keep a field of the wrong wire type as an unknown field;
       * for a gateway it is a sign of the wrong schema, so refused. */
      if (!pg_pbjson_wire_ok(f, w.wt)) {
        pg_pbjson_path_name(&t->rep.pt, f->json_name);
        return pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL,
                                  "wire type %d for a %s field", w.wt,
                                  pg_pbjson_type_label(f->type));
      }
      if (f->type == TY_STRING && !pg_utf8_valid(w.p, w.len)) {
        pg_pbjson_path_name(&t->rep.pt, f->json_name);
        return pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL,
                                  "string is not valid UTF-8");
      }
      if (seq == UINT32_MAX)
        return pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL, "too many fields");
      if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 16;
        pg_pbjson_occ *nv = pg_mem_realloc(t->j->mem, sc->v, cap * sizeof *nv);
        if (nv == NULL)
          return pg_pbjson_tj_nomem(t);
        sc->v = nv;
        sc->cap = cap;
      }
      sc->v[sc->n++] =
          (pg_pbjson_occ){w.p, w.len, w.v, (uint32_t)fi, seq++, w.wt};
    }
  }
  pg_pbjson_sort(sc->v, sc->n, sizeof(pg_pbjson_occ), cmp_occ);
  return 0;
}

/* The occurrences of field index @p fi in a sorted scan. */
void pg_pbjson_occs_of(const pg_pbjson_scan *sc, uint32_t fi,
                       const pg_pbjson_occ **o, size_t *n) {
  size_t i = 0;
  while (i < sc->n && sc->v[i].field < fi)
    i++;
  size_t k = i;
  while (k < sc->n && sc->v[k].field == fi)
    k++;
  *o = sc->v + i;
  *n = k - i;
}

int pg_pbjson_resolve_oneofs(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                             const pg_pbjson_scan *sc, pg_pbjson_oneofs **out) {
  *out = NULL;
  if (m->noneofs == 0)
    return 0;
  pg_pbjson_oneofs *os = pg_mem_malloc(t->j->mem, m->noneofs * sizeof *os);
  if (os == NULL)
    return pg_pbjson_tj_nomem(t);
  for (size_t i = 0; i < m->noneofs; i++)
    os[i] = (pg_pbjson_oneofs){-1, -1, -1};
  for (size_t i = 0; i < sc->n;) {
    size_t k = i;
    while (k < sc->n && sc->v[k].field == sc->v[i].field)
      k++;
    const pg_pbjson_field *f = &m->fields[sc->v[i].field];
    if (f->oneof >= 0) {
      pg_pbjson_oneofs *st = &os[f->oneof];
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

/* Prints a message field from all its occurrences, which protobuf merges;
 * none gives the empty message. */
int pg_pbjson_emit_message_occs(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                                const pg_pbjson_occ *o, size_t n, int depth) {
  pg_pbjson_span one = {NULL, 0}, *s = &one;
  if (n > 1) {
    s = pg_mem_malloc(t->j->mem, n * sizeof *s);
    if (s == NULL)
      return pg_pbjson_tj_nomem(t);
  }
  for (size_t i = 0; i < n; i++)
    s[i] = (pg_pbjson_span){o[i].p, o[i].len};
  int rc = pg_pbjson_emit_message(t, m, s, n, depth);
  if (s != &one)
    pg_mem_free(t->j->mem, s);
  return rc;
}

/* Narrows a field's occurrences to those its oneof keeps. Message
 * occurrences that are dropped are still checked, quietly, since protobuf
 * would have parsed them. */
int pg_pbjson_oneof_keep(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                         const pg_pbjson_field *f, const pg_pbjson_oneofs *os,
                         const pg_pbjson_occ **o, size_t *n, int depth) {
  if (f->oneof < 0)
    return 0;
  const pg_pbjson_oneofs *st = &os[f->oneof];
  size_t drop = *n;
  if (st->winner == f - m->fields) {
    drop = 0;
    while (drop < *n && (int64_t)(*o)[drop].seq < st->cut)
      drop++;
  }
  int rc = 0;
  if (drop > 0 && f->type == TY_MESSAGE) {
    t->quiet++;
    rc = pg_pbjson_emit_message_occs(t, f->msg, *o, drop, depth + 1);
    t->quiet--;
  }
  *o += drop;
  *n -= drop;
  return rc;
}

static int put_key(pg_pbjson_tj *t, const char *name, bool *first) {
  int rc = *first ? 0 : pg_pbjson_put(t, ",", 1);
  *first = false;
  if (rc == 0)
    rc = pg_pbjson_put_json_string(t, (const uint8_t *)name, strlen(name));
  return rc ? rc : pg_pbjson_put(t, ":", 1);
}

/* Counts (and checks) the elements of a repeated field. */
static int count_elements(pg_pbjson_tj *t, const pg_pbjson_field *f,
                          const pg_pbjson_occ *o, size_t n, size_t *count) {
  *count = 0;
  for (size_t i = 0; i < n; i++) {
    if (o[i].wt != WT_LEN || !pg_pbjson_is_packable(f->type)) {
      (*count)++;
      continue;
    }
    for (pg_pbjson_rd r = {o[i].p, o[i].p + o[i].len}; r.p < r.end;
         (*count)++) {
      uint64_t v;
      const char *why = pg_pbjson_rd_packed(&r, f->type, &v);
      if (why != NULL)
        return pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL,
                                  "malformed packed field: %s", why);
    }
  }
  return 0;
}

int pg_pbjson_emit_array(pg_pbjson_tj *t, const pg_pbjson_field *f,
                         const pg_pbjson_occ *o, size_t n, int depth) {
  int rc = pg_pbjson_put(t, "[", 1);
  size_t idx = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    if (f->type == TY_MESSAGE) {
      size_t saved = pg_pbjson_path_index(&t->rep.pt, idx);
      pg_pbjson_span s = {o[i].p, o[i].len};
      rc = idx++ ? pg_pbjson_put(t, ",", 1) : 0;
      if (rc == 0)
        rc = pg_pbjson_emit_message(t, f->msg, &s, 1, depth + 1);
      pg_pbjson_path_pop(&t->rep.pt, saved);
    } else if (o[i].wt == WT_LEN && pg_pbjson_is_packable(f->type)) {
      for (pg_pbjson_rd r = {o[i].p, o[i].p + o[i].len};
           rc == 0 && r.p < r.end;) {
        uint64_t v;
        if (pg_pbjson_rd_packed(&r, f->type, &v) != NULL)
          return pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL,
                                    "malformed packed field");
        rc = idx++ ? pg_pbjson_put(t, ",", 1) : 0;
        if (rc == 0)
          rc = pg_pbjson_emit_scalar(t, f->type, f->en, v, NULL, 0);
      }
    } else {
      rc = idx++ ? pg_pbjson_put(t, ",", 1) : 0;
      if (rc == 0)
        rc = pg_pbjson_emit_scalar(t, f->type, f->en, o[i].v, o[i].p, o[i].len);
    }
  }
  return rc ? rc : pg_pbjson_put(t, "]", 1);
}

/* Prints a map entry's value from the entry's bytes: the last scalar, or
 * every occurrence of a message merged; the type's default if absent. */
static int emit_entry_value(pg_pbjson_tj *t, const pg_pbjson_msg *entry,
                            pg_pbjson_span s, int depth) {
  pg_pbjson_scan sc;
  const pg_pbjson_field *vf = &entry->fields[1];
  int rc = pg_pbjson_scan_message(t, entry, &s, 1, &sc);
  if (rc == 0) {
    const pg_pbjson_occ *o;
    size_t n;
    pg_pbjson_occs_of(&sc, 1, &o, &n);
    if (vf->type == TY_MESSAGE)
      rc = pg_pbjson_emit_message_occs(t, vf->msg, o, n, depth + 1);
    else if (n > 0)
      rc = pg_pbjson_emit_scalar(t, vf->type, vf->en, o[n - 1].v, o[n - 1].p,
                                 o[n - 1].len);
    else
      rc = pg_pbjson_emit_scalar(t, vf->type, vf->en, 0, NULL, 0);
  }
  pg_mem_free(t->j->mem, sc.v);
  return rc;
}

typedef struct mapent {
  const uint8_t *key; /* the JSON key's bytes, or NULL: see num */
  size_t key_len;
  char num[24]; /* an integral key's digits */
  pg_pbjson_span entry;
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
static int read_map_key(pg_pbjson_tj *t, const pg_pbjson_msg *entry,
                        mapent *e) {
  const pg_pbjson_field *kf = &entry->fields[0], *vf = &entry->fields[1];
  uint64_t v = 0;
  e->key = (const uint8_t *)"";
  e->key_len = 0;
  for (pg_pbjson_rd r = {e->entry.p, e->entry.p + e->entry.len}; r.p < r.end;) {
    pg_pbjson_wfield w;
    const char *why = pg_pbwire_read_field(&r, &w);
    if (why != NULL)
      return pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL,
                                "malformed map entry: %s", why);
    const pg_pbjson_field *f = w.num == 1 ? kf : w.num == 2 ? vf : NULL;
    if (f != NULL && !pg_pbjson_wire_ok(f, w.wt))
      return pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL,
                                "wire type %d for a map %s", w.wt,
                                w.num == 1 ? "key" : "value");
    if (w.num == 1) {
      v = w.v;
      e->key = w.p;
      e->key_len = w.len;
    }
  }
  if (kf->type == TY_STRING) {
    if (!pg_utf8_valid(e->key, e->key_len))
      return pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL,
                                "map key is not valid UTF-8");
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
int pg_pbjson_emit_map(pg_pbjson_tj *t, const pg_pbjson_field *f,
                       const pg_pbjson_occ *o, size_t n, int depth) {
  const pg_pbjson_msg *entry = f->msg;
  mapent *es = n ? pg_mem_calloc(t->j->mem, n, sizeof *es) : NULL;
  if (n > 0 && es == NULL)
    return pg_pbjson_tj_nomem(t);
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    es[i].entry = (pg_pbjson_span){o[i].p, o[i].len};
    es[i].index = i;
    rc = read_map_key(t, entry, &es[i]);
  }
  if (rc == 0 && n > 1) {
    pg_pbjson_sort(es, n, sizeof *es, cmp_mapent_key);
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
    pg_pbjson_sort(es, n, sizeof *es, cmp_mapent_first);
  } else if (n == 1) {
    es[0].is_kept = true;
  }
  if (rc == 0)
    rc = pg_pbjson_put(t, "{", 1);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    size_t saved =
        pg_pbjson_path_key(&t->rep.pt, mapent_key(&es[i]), es[i].key_len);
    if (!es[i].is_kept)
      t->quiet++;
    else if (i > 0)
      rc = pg_pbjson_put(t, ",", 1);
    if (rc == 0)
      rc = pg_pbjson_put_json_string(t, mapent_key(&es[i]), es[i].key_len);
    if (rc == 0)
      rc = pg_pbjson_put(t, ":", 1);
    if (rc == 0)
      rc = emit_entry_value(t, entry, es[i].entry, depth);
    if (!es[i].is_kept)
      t->quiet--;
    pg_pbjson_path_pop(&t->rep.pt, saved);
  }
  pg_mem_free(t->j->mem, es);
  return rc ? rc : pg_pbjson_put(t, "}", 1);
}

/* Prints one field of a regular message, from the occurrences its oneof
 * keeps. */
static int emit_field(pg_pbjson_tj *t, const pg_pbjson_field *f,
                      const pg_pbjson_occ *o, size_t n, int depth,
                      bool *first) {
  int rc = 0;
  if (f->is_map) {
    rc = put_key(t, f->json_name, first);
    return rc ? rc : pg_pbjson_emit_map(t, f, o, n, depth);
  }
  if (f->label == LB_REPEATED) {
    size_t count;
    if ((rc = count_elements(t, f, o, n, &count)) != 0 || count == 0)
      return rc;
    rc = put_key(t, f->json_name, first);
    return rc ? rc : pg_pbjson_emit_array(t, f, o, n, depth);
  }
  if (f->type == TY_MESSAGE) {
    rc = put_key(t, f->json_name, first);
    return rc ? rc : pg_pbjson_emit_message_occs(t, f->msg, o, n, depth + 1);
  }
  const pg_pbjson_occ *last = &o[n - 1];
  if (!f->has_presence && scalar_is_default(f->type, last->v, last->len))
    return 0;
  rc = put_key(t, f->json_name, first);
  return rc ? rc
            : pg_pbjson_emit_scalar(t, f->type, f->en, last->v, last->p,
                                    last->len);
}

/* Prints the fields of a regular message in field-number order, after
 * whatever the caller has put in the object already (*first false). */
int pg_pbjson_emit_fields(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                          const pg_pbjson_span *s, size_t ns, int depth,
                          bool *first) {
  pg_pbjson_scan sc;
  pg_pbjson_oneofs *os = NULL;
  int rc = pg_pbjson_scan_message(t, m, s, ns, &sc);
  if (rc == 0)
    rc = pg_pbjson_resolve_oneofs(t, m, &sc, &os);
  for (size_t i = 0; rc == 0 && i < sc.n;) {
    size_t k = i;
    while (k < sc.n && sc.v[k].field == sc.v[i].field)
      k++;
    const pg_pbjson_field *f = &m->fields[sc.v[i].field];
    const pg_pbjson_occ *o = sc.v + i;
    size_t n = k - i;
    size_t saved = pg_pbjson_path_name(&t->rep.pt, f->json_name);
    rc = pg_pbjson_oneof_keep(t, m, f, os, &o, &n, depth);
    if (rc == 0 && n > 0)
      rc = emit_field(t, f, o, n, depth, first);
    pg_pbjson_path_pop(&t->rep.pt, saved);
    i = k;
  }
  pg_mem_free(t->j->mem, os);
  pg_mem_free(t->j->mem, sc.v);
  return rc;
}

/* Prints message @p m, the merge of @p ns serialized spans. */
int pg_pbjson_emit_message(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                           const pg_pbjson_span *s, size_t ns, int depth) {
  if (depth > MAX_DEPTH)
    return pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL,
                              "messages nested deeper than %d", MAX_DEPTH);
  if (m->wkt != WKT_NONE)
    return pg_pbjson_emit_wkt(t, m, s, ns, depth);
  bool first = true;
  int rc = pg_pbjson_put(t, "{", 1);
  if (rc == 0)
    rc = pg_pbjson_emit_fields(t, m, s, ns, depth, &first);
  return rc ? rc : pg_pbjson_put(t, "}", 1);
}

int pg_pbjson_to_json(const pg_pbjson *j, const char *type, const uint8_t *pb,
                      size_t len, pg_pbjson_buf *out, char *err,
                      size_t err_len) {
  const pg_pbjson_msg *m =
      pg_pbjson_begin_conversion(j, type, out, err, err_len);
  if (m == NULL)
    return PARIGOT_ENOENT;
  pg_pbjson_tj t = {
      .j = j, .out = out, .rep = {.err = err, .err_len = err_len}};
  pg_pbjson_span s = {pb, pb ? len : 0};
  int rc = pg_pbjson_emit_message(&t, m, &s, 1, 1);
  if (rc == 0 && pg_pbjson_buf_reserve(out, 0) != 0)
    rc = pg_pbjson_tj_nomem(&t);
  if (rc == 0)
    out->data[out->len] = '\0';
  else
    out->len = 0;
  return rc;
}
