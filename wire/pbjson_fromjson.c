/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/pbjson_fromjson.c: JSON to binary (pg_pbjson_from_json) for
 * regular messages: each field by its JSON or proto name, scalars in every
 * form json_format takes, repeated fields, maps, oneofs and null. Fields are
 * written in the order given. Well-known types go to pbjson_wkt.c.
 *
 * The conversion's state (pg_pbjson_fj) lives on the caller's stack; the
 * output buffer belongs to the caller. Calls pbjson_lex.c for tokens and
 * pbjson_pb.c to write. Any thread.
 */
#include "pbjson_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/error.h"

/* strtod on a token's text, which pg_pbjson_number_len has checked. */
int pg_pbjson_tok_strtod(pg_pbjson_fj *f, const uint8_t *p, size_t n,
                         double *out) {
  char small[64], *s = small;
  if (n >= sizeof small) {
    f->scratch2.len = 0;
    if (pg_pbjson_buf_reserve(&f->scratch2, n) != 0)
      return pg_pbjson_fj_nomem(f);
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
static int parse_int(pg_pbjson_fj *f, const pg_pbjson_tok *t, bool is_signed,
                     int bits, const char *what, uint64_t *out) {
  char buf[64];
  bool neg = false, overflow = false;
  uint64_t mag = 0;
  const uint8_t *p = t->p, *e = t->p + t->n;
  if (t->kind == TK_NUM && !t->is_int) {
    double d = 0;
    int rc = pg_pbjson_tok_strtod(f, t->p, t->n, &d);
    if (rc != 0)
      return rc;
    neg = d < 0;
    double a = neg ? -d : d;
    if (a >= 18446744073709551616.0) {
      overflow = true;
    } else {
      mag = (uint64_t)a;
      if ((double)mag != a)
        return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                                  "expected an integer, got %s",
                                  pg_pbjson_got(f, t, buf, sizeof buf));
    }
  } else if (t->kind == TK_NUM || t->kind == TK_STR) {
    if (p < e && (*p == '-' || (*p == '+' && t->kind == TK_STR)))
      neg = *p++ == '-';
    if (p == e)
      return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                                "expected a number, got %s",
                                pg_pbjson_got(f, t, buf, sizeof buf));
    for (; p < e; p++) {
      if (!pg_pbjson_is_digit(*p))
        return pg_pbjson_rep_fail(
            &f->rep, PARIGOT_EINVAL, "expected %s, got %s",
            pg_pbjson_number_len(t->p, t->n, &(bool){0}) == t->n ? "an integer"
                                                                 : "a number",
            pg_pbjson_got(f, t, buf, sizeof buf));
      unsigned d = (unsigned)(*p - '0');
      if (mag > (UINT64_MAX - d) / 10)
        overflow = true;
      else
        mag = mag * 10 + d;
    }
  } else {
    return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                              "expected a number, got %s",
                              pg_pbjson_got(f, t, buf, sizeof buf));
  }
  uint64_t max_pos = is_signed    ? (UINT64_C(1) << (bits - 1)) - 1
                     : bits == 64 ? UINT64_MAX
                                  : (UINT64_C(1) << bits) - 1;
  uint64_t max_neg = is_signed ? UINT64_C(1) << (bits - 1) : 0;
  if (overflow || (neg ? mag > max_neg : mag > max_pos))
    return pg_pbjson_rep_fail(&f->rep, PARIGOT_ERANGE,
                              "%s is out of range for %s",
                              pg_pbjson_got(f, t, buf, sizeof buf), what);
  *out = neg ? (uint64_t)0 - mag : mag;
  return 0;
}

/* A float or double from a number, or from "NaN", "Infinity",
 * "-Infinity" or a number in a string. A value past the type's range is
 * refused (json_format: Python turns a float's overflow into infinity when
 * the value comes in a string, and refuses 3.4028235e38, the shortest
 * form of FLT_MAX it prints itself; this takes what rounds to a finite
 * float and refuses the rest). */
static int parse_float(pg_pbjson_fj *f, const pg_pbjson_tok *t, bool is_float,
                       double *out) {
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
                            pg_pbjson_number_len(t->p, t->n, &is_int) == t->n))
    rc = pg_pbjson_tok_strtod(f, t->p, t->n, out);
  else
    return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                              "expected a number, got %s",
                              pg_pbjson_got(f, t, buf, sizeof buf));
  if (rc == 0 && (isinf(*out) || (is_float && isinf(pg_pbjson_narrow(*out)))))
    rc = pg_pbjson_rep_fail(
        &f->rep, PARIGOT_ERANGE, "%s is out of range for %s",
        pg_pbjson_got(f, t, buf, sizeof buf), is_float ? "float" : "double");
  return rc;
}

/* Standard or URL-safe base64, with or without padding, into scratch2.
 * json_format: Python also drops characters outside the alphabet; those
 * are refused here. */
static int parse_base64(pg_pbjson_fj *f, const pg_pbjson_tok *t,
                        pg_pbjson_sval *v) {
  char buf[64];
  size_t n = t->n;
  for (int i = 0; i < 2 && n > 0 && t->p[n - 1] == '='; i++)
    n--;
  f->scratch2.len = 0;
  if (pg_pbjson_buf_reserve(&f->scratch2, n / 4 * 3 + 3) != 0)
    return pg_pbjson_fj_nomem(f);
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
      return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL, "invalid base64 %s",
                                pg_pbjson_got(f, t, buf, sizeof buf));
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
    return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                              "invalid base64 length in %s",
                              pg_pbjson_got(f, t, buf, sizeof buf));
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
static int parse_enum(pg_pbjson_fj *f, const pg_pbjson_enum *en,
                      const pg_pbjson_tok *t, uint64_t *out) {
  char buf[64];
  if (t->kind == TK_STR) {
    const pg_pbjson_enumval *ev = pg_pbjson_enum_by_name(en, t->p, t->n);
    if (ev != NULL) {
      *out = (uint64_t)(int64_t)ev->number;
      return 0;
    }
    const uint8_t *p = t->p, *e = t->p + t->n;
    if (p < e && (*p == '-' || *p == '+'))
      p++;
    while (p < e && pg_pbjson_is_digit(*p))
      p++;
    if (t->n == 0 || p != e || !pg_pbjson_is_digit(e[-1]))
      return pg_pbjson_rep_fail(
          &f->rep, PARIGOT_EINVAL, "unknown value %s for enum %s",
          pg_pbjson_got(f, t, buf, sizeof buf), en->full_name);
  } else if (t->kind != TK_NUM) {
    return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                              "expected an enum name or number "
                              "for %s, got %s",
                              en->full_name,
                              pg_pbjson_got(f, t, buf, sizeof buf));
  }
  int rc = parse_int(f, t, true, 32, "enum", out);
  if (rc == 0 && en->is_closed &&
      pg_pbjson_enum_by_number(en, (int32_t)(uint32_t)*out) == NULL)
    rc = pg_pbjson_rep_fail(
        &f->rep, PARIGOT_EINVAL, "unknown value %s for enum %s",
        pg_pbjson_got(f, t, buf, sizeof buf), en->full_name);
  return rc;
}

/* A scalar of @p type from token @p t; a map key (@p is_key) arrives as a
 * string whatever its type. */
int pg_pbjson_parse_scalar(pg_pbjson_fj *f, uint8_t type,
                           const pg_pbjson_enum *en, const pg_pbjson_tok *t,
                           bool is_key, pg_pbjson_sval *v) {
  char buf[64];
  memset(v, 0, sizeof *v);
  switch (type) {
  case TY_INT32:
  case TY_SINT32:
  case TY_SFIXED32:
    return parse_int(f, t, true, 32, pg_pbjson_type_label(type), &v->u);
  case TY_INT64:
  case TY_SINT64:
  case TY_SFIXED64:
    return parse_int(f, t, true, 64, pg_pbjson_type_label(type), &v->u);
  case TY_UINT32:
  case TY_FIXED32:
    return parse_int(f, t, false, 32, pg_pbjson_type_label(type), &v->u);
  case TY_UINT64:
  case TY_FIXED64:
    return parse_int(f, t, false, 64, pg_pbjson_type_label(type), &v->u);
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
    return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                              "expected true or false, got %s",
                              pg_pbjson_got(f, t, buf, sizeof buf));
  case TY_ENUM:
    return parse_enum(f, en, t, &v->u);
  default: /* TY_STRING, TY_BYTES */
    if (t->kind != TK_STR)
      return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                                "expected a string, got %s",
                                pg_pbjson_got(f, t, buf, sizeof buf));
    if (type == TY_BYTES)
      return parse_base64(f, t, v);
    v->p = t->p;
    v->n = t->n;
    return 0;
  }
}

/* Value {null_value: NULL_VALUE}, the body null stands for. */
static int w_null_value(pg_pbjson_fj *f, uint32_t num) {
  static const uint8_t body[] = {0x08, 0x00};
  size_t mark;
  int rc = pg_pbjson_begin_len(f, num, &mark);
  if (rc == 0)
    rc = pg_pbjson_w_raw(f, body, sizeof body);
  return rc ? rc : pg_pbjson_end_len(f, mark);
}

/* A message value as a length-delimited field numbered @p num. */
int pg_pbjson_parse_sub(pg_pbjson_fj *f, uint32_t num, const pg_pbjson_msg *m,
                        int depth) {
  size_t mark;
  int rc = pg_pbjson_begin_len(f, num, &mark);
  if (rc == 0)
    rc = pg_pbjson_parse_message(f, m, depth);
  return rc ? rc : pg_pbjson_end_len(f, mark);
}

static bool is_value_type(const pg_pbjson_field *fd) {
  return fd->type == TY_MESSAGE && fd->msg->wkt == WKT_VALUE;
}

/* Reads the null at f->pos if there is one. */
static int take_null(pg_pbjson_fj *f, bool *is_null) {
  *is_null = false;
  if (pg_pbjson_peek(f) != 'n')
    return 0;
  pg_pbjson_tok t;
  int rc = pg_pbjson_next_token(f, &t);
  *is_null = rc == 0;
  return rc;
}

/* A map's object. json_format: Python refuses a key given twice (as its
 * JSON reader does); here the last one wins, as on the wire. */
static int parse_map(pg_pbjson_fj *f, const pg_pbjson_field *fd, int depth) {
  pg_pbjson_tok t;
  int rc = pg_pbjson_open_container(f, TK_OBJ, "an object for a map", NULL);
  if (rc != 0)
    return rc;
  const pg_pbjson_field *kf = &fd->msg->fields[0], *vf = &fd->msg->fields[1];
  bool first = true, has;
  for (;;) {
    pg_pbjson_tok key;
    size_t saved, mark;
    if ((rc = pg_pbjson_key_next(f, &first, &has, &key, &saved)) != 0 || !has)
      return rc;
    pg_pbjson_sval kv, vv;
    bool is_null;
    /* The key is written before the value is read: it may live in the
     * scratch buffer, which the value's strings reuse. */
    rc = pg_pbjson_parse_scalar(f, kf->type, NULL, &key, true, &kv);
    if (rc == 0)
      rc = pg_pbjson_begin_len(f, fd->number, &mark);
    if (rc == 0)
      rc = pg_pbjson_w_tag(f, 1, pg_pbjson_wire_type_of(kf->type));
    if (rc == 0)
      rc = pg_pbjson_w_scalar(f, kf->type, &kv);
    if (rc == 0)
      rc = take_null(f, &is_null);
    if (rc == 0 && is_null && is_value_type(vf))
      rc = w_null_value(f, 2);
    else if (rc == 0 && is_null)
      rc = pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                              "null is not allowed as a map value");
    else if (rc == 0 && vf->type == TY_MESSAGE)
      rc = pg_pbjson_parse_sub(f, 2, vf->msg, depth + 1);
    else if (rc == 0 && (rc = pg_pbjson_next_token(f, &t)) == 0 &&
             (rc = pg_pbjson_parse_scalar(f, vf->type, vf->en, &t, false,
                                          &vv)) == 0 &&
             (rc = pg_pbjson_w_tag(f, 2, pg_pbjson_wire_type_of(vf->type))) ==
                 0)
      rc = pg_pbjson_w_scalar(f, vf->type, &vv);
    if (rc == 0)
      rc = pg_pbjson_end_len(f, mark);
    if (rc != 0)
      return rc;
    pg_pbjson_path_pop(&f->rep.pt, saved);
  }
}

static int parse_repeated(pg_pbjson_fj *f, const pg_pbjson_field *fd,
                          int depth) {
  pg_pbjson_tok t;
  int rc = pg_pbjson_open_container(f, TK_ARR, "an array", NULL);
  if (rc != 0)
    return rc;
  size_t start = f->out->len, mark = 0, idx = 0;
  if (fd->is_packed && (rc = pg_pbjson_begin_len(f, fd->number, &mark)) != 0)
    return rc;
  bool first = true, has;
  for (;;) {
    if ((rc = pg_pbjson_arr_next(f, &first, &has)) != 0)
      return rc;
    if (!has)
      break;
    size_t saved = pg_pbjson_path_index(&f->rep.pt, idx++);
    bool is_null;
    pg_pbjson_sval v;
    rc = take_null(f, &is_null);
    if (rc == 0 && is_null && is_value_type(fd))
      rc = w_null_value(f, fd->number);
    else if (rc == 0 && is_null)
      rc = pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                              "null is not allowed in a repeated field");
    else if (rc == 0 && fd->type == TY_MESSAGE)
      rc = pg_pbjson_parse_sub(f, fd->number, fd->msg, depth + 1);
    else if (rc == 0 && (rc = pg_pbjson_next_token(f, &t)) == 0 &&
             (rc = pg_pbjson_parse_scalar(f, fd->type, fd->en, &t, false,
                                          &v)) == 0) {
      if (!fd->is_packed)
        rc = pg_pbjson_w_tag(f, fd->number, pg_pbjson_wire_type_of(fd->type));
      if (rc == 0)
        rc = pg_pbjson_w_scalar(f, fd->type, &v);
    }
    if (rc != 0)
      return rc;
    pg_pbjson_path_pop(&f->rep.pt, saved);
  }
  if (fd->is_packed && idx == 0) {
    f->out->len = start; /* no elements: no field */
    return 0;
  }
  return fd->is_packed ? pg_pbjson_end_len(f, mark) : 0;
}

/* null for a field means its default, so nothing is written; except that
 * a Value becomes null_value, and a NullValue with presence is set. */
static int parse_null_field(pg_pbjson_fj *f, const pg_pbjson_field *fd) {
  if (fd->label == LB_REPEATED)
    return 0;
  if (is_value_type(fd))
    return w_null_value(f, fd->number);
  if (fd->type == TY_ENUM && fd->en->is_null && fd->has_presence) {
    int rc = pg_pbjson_w_tag(f, fd->number, WT_VARINT);
    return rc ? rc : pg_pbjson_w_varint(f, 0);
  }
  return 0;
}

/* One field's value. @p oneof_set holds, per oneof, 1 + the index of the
 * member already given, or 0. */
static int parse_field(pg_pbjson_fj *f, const pg_pbjson_msg *m, uint32_t fi,
                       uint32_t *oneof_set, int depth) {
  const pg_pbjson_field *fd = &m->fields[fi];
  bool is_null;
  int rc = take_null(f, &is_null);
  if (rc != 0 || is_null)
    return rc ? rc : parse_null_field(f, fd);
  if (fd->oneof >= 0) {
    uint32_t *slot = &oneof_set[fd->oneof];
    if (*slot != 0)
      return pg_pbjson_rep_fail(
          &f->rep, PARIGOT_EINVAL,
          "oneof \"%s\" is set twice, by \"%s\" and \"%s\"",
          m->oneofs[fd->oneof], m->fields[*slot - 1].json_name, fd->json_name);
    *slot = fi + 1;
  }
  if (fd->type == TY_GROUP)
    return pg_pbjson_rep_fail(&f->rep, PARIGOT_ENOTSUP,
                              "groups are not supported");
  if (fd->is_map)
    return parse_map(f, fd, depth);
  if (fd->label == LB_REPEATED)
    return parse_repeated(f, fd, depth);
  if (fd->type == TY_MESSAGE)
    return pg_pbjson_parse_sub(f, fd->number, fd->msg, depth + 1);
  pg_pbjson_tok t;
  pg_pbjson_sval v;
  if ((rc = pg_pbjson_next_token(f, &t)) != 0 ||
      (rc = pg_pbjson_parse_scalar(f, fd->type, fd->en, &t, false, &v)) != 0)
    return rc;
  if (!fd->has_presence && pg_pbjson_sval_is_default(fd->type, &v))
    return 0; /* proto3 writes no default */
  rc = pg_pbjson_w_tag(f, fd->number, pg_pbjson_wire_type_of(fd->type));
  return rc ? rc : pg_pbjson_w_scalar(f, fd->type, &v);
}

/* A regular message's object (json_format: Python takes an empty array
 * too). Inside an Any (@p is_any_body) the "@type"
 * key is stepped over. A field named twice is refused, whichever names are
 * used (json_format: Python refuses the same key twice but takes a field
 * under both of its names, the last winning). */
int pg_pbjson_parse_object(pg_pbjson_fj *f, const pg_pbjson_msg *m, int depth,
                           bool is_any_body) {
  char buf[64];
  int rc = pg_pbjson_open_container(f, TK_OBJ, "an object", m);
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
    rc = pg_pbjson_fj_nomem(f);
    goto done;
  }
  memset(seen, 0, m->nfields);
  memset(oneof_set, 0, m->noneofs * sizeof(uint32_t));
  bool first = true, has;
  for (;;) {
    pg_pbjson_tok key;
    if ((rc = pg_pbjson_obj_next(f, &first, &has, &key)) != 0 || !has)
      break;
    if (is_any_body && key.n == 5 && memcmp(key.p, "@type", 5) == 0) {
      if ((rc = pg_pbjson_skip_value(f, depth)) != 0)
        break;
      continue;
    }
    long fi = pg_pbjson_field_by_name(m, key.p, key.n);
    if (fi < 0) {
      pg_pbjson_snip(buf, sizeof buf, key.p, key.n);
      rc = pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                              "unknown field \"%s\" in %s", buf, m->full_name);
      break;
    }
    if (seen[fi]) {
      rc = pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                              "field \"%s\" of %s given twice",
                              m->fields[fi].json_name, m->full_name);
      break;
    }
    seen[fi] = 1;
    size_t saved = pg_pbjson_path_name(&f->rep.pt, m->fields[fi].json_name);
    if ((rc = parse_field(f, m, (uint32_t)fi, oneof_set, depth)) != 0)
      break;
    pg_pbjson_path_pop(&f->rep.pt, saved);
  }
done:
  if (seen != seen_small)
    pg_mem_free(f->j->mem, seen);
  if (oneof_set != oneof_small)
    pg_mem_free(f->j->mem, oneof_set);
  return rc;
}

/* Reads message @p m's JSON value at f->pos and appends its fields. */
int pg_pbjson_parse_message(pg_pbjson_fj *f, const pg_pbjson_msg *m,
                            int depth) {
  if (depth > MAX_DEPTH)
    return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                              "messages nested deeper than %d", MAX_DEPTH);
  if (m->wkt != WKT_NONE)
    return pg_pbjson_parse_wkt(f, m, depth);
  return pg_pbjson_parse_object(f, m, depth, false);
}

int pg_pbjson_from_json(const pg_pbjson *j, const char *type, const char *json,
                        size_t len, pg_pbjson_buf *out, char *err,
                        size_t err_len) {
  const pg_pbjson_msg *m =
      pg_pbjson_begin_conversion(j, type, out, err, err_len);
  if (m == NULL)
    return PARIGOT_ENOENT;
  pg_pbjson_fj f = {.j = j,
                    .s = (const uint8_t *)(json ? json : ""),
                    .len = json ? len : 0,
                    .out = out,
                    .scratch = {.mem = j->mem},
                    .scratch2 = {.mem = j->mem},
                    .rep = {.err = err, .err_len = err_len}};
  int rc = pg_pbjson_parse_message(&f, m, 1);
  if (rc == 0 && pg_pbjson_peek(&f) >= 0)
    rc = pg_pbjson_fj_syntax(&f, f.pos, "unexpected data after the value");
  pg_pbjson_buf_free(&f.scratch);
  pg_pbjson_buf_free(&f.scratch2);
  if (rc != 0)
    out->len = 0;
  return rc;
}
