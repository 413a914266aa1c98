/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/pbjson_wkt.c: the well-known types, whose JSON forms are their
 * own, both ways: Any, Timestamp, Duration, FieldMask, Struct, Value,
 * ListValue and the scalar wrappers.
 *
 * Owns nothing beyond a call. Called by pbjson_tojson.c and
 * pbjson_fromjson.c for a message whose wkt is set; calls back into them
 * for the messages and fields inside. Any thread.
 */
#include "pbjson_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "parigot/error.h"

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

static int emit_time(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                     const pg_pbjson_span *s, size_t ns) {
  pg_pbjson_scan sc;
  int rc = pg_pbjson_scan_message(t, m, s, ns, &sc);
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
      return pg_pbjson_rep_fail(&t->rep, PARIGOT_ERANGE,
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
    return pg_pbjson_put_str(t, buf);
  }
  if (secs < -DURATION_MAX || secs > DURATION_MAX)
    return pg_pbjson_rep_fail(&t->rep, PARIGOT_ERANGE,
                              "duration %" PRId64 "s is out of range", secs);
  if (nanos <= -1000000000 || nanos >= 1000000000)
    return pg_pbjson_rep_fail(&t->rep, PARIGOT_ERANGE,
                              "duration nanos %" PRId32 " out of range", nanos);
  if ((secs > 0 && nanos < 0) || (secs < 0 && nanos > 0))
    return pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL,
                              "duration seconds and nanos differ in sign");
  bool neg = secs < 0 || nanos < 0;
  fmt_nanos(frac, sizeof frac, neg ? -nanos : nanos);
  snprintf(buf, sizeof buf, "\"%s%" PRId64 "%ss\"", neg ? "-" : "",
           neg ? -secs : secs, frac);
  return pg_pbjson_put_str(t, buf);
}

/* A FieldMask is its paths in lowerCamelCase joined by ','. json_format
 * refuses a path it could not read back: an upper-case letter, a '_' not
 * followed by a lower-case letter. */
static int emit_fieldmask(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                          const pg_pbjson_span *s, size_t ns) {
  pg_pbjson_scan sc;
  pg_pbjson_buf b = {.mem = t->j->mem};
  int rc = pg_pbjson_scan_message(t, m, s, ns, &sc);
  for (size_t i = 0; rc == 0 && i < sc.n; i++) {
    const pg_pbjson_occ *o = &sc.v[i];
    if (i > 0 && pg_pbjson_buf_add(&b, ",", 1) != 0)
      rc = pg_pbjson_tj_nomem(t);
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
        if (pg_pbjson_buf_add(&b, &ch, 1) != 0)
          rc = pg_pbjson_tj_nomem(t);
      }
    }
    if (why != NULL) {
      char txt[64];
      pg_pbjson_snip(txt, sizeof txt, o->p, o->len);
      rc = pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL,
                              "FieldMask path \"%s\" %s", txt, why);
    }
  }
  if (rc == 0)
    rc = pg_pbjson_put_json_string(t, b.data ? b.data : (const uint8_t *)"",
                                   b.len);
  pg_pbjson_buf_free(&b);
  pg_mem_free(t->j->mem, sc.v);
  return rc;
}

/* Value: its kind's JSON, null when no kind is set. json_format prints a
 * NaN or infinite number_value as "NaN", "Infinity" or "-Infinity" (the
 * mapping says it should fail); so does this. */
static int emit_value(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                      const pg_pbjson_span *s, size_t ns, int depth) {
  pg_pbjson_scan sc;
  pg_pbjson_oneofs *os = NULL;
  bool printed = false;
  int rc = pg_pbjson_scan_message(t, m, s, ns, &sc);
  if (rc == 0)
    rc = pg_pbjson_resolve_oneofs(t, m, &sc, &os);
  for (uint32_t fi = 0; rc == 0 && fi < m->nfields; fi++) {
    const pg_pbjson_field *f = &m->fields[fi];
    const pg_pbjson_occ *o;
    size_t n;
    pg_pbjson_occs_of(&sc, fi, &o, &n);
    rc = pg_pbjson_oneof_keep(t, m, f, os, &o, &n, depth);
    if (rc != 0 || n == 0)
      continue;
    if (f->type == TY_MESSAGE)
      rc = pg_pbjson_emit_message_occs(t, f->msg, o, n, depth + 1);
    else if (f->type == TY_ENUM)
      rc = pg_pbjson_put_str(t, "null");
    else
      rc = pg_pbjson_emit_scalar(t, f->type, f->en, o[n - 1].v, o[n - 1].p,
                                 o[n - 1].len);
    printed = true;
  }
  if (rc == 0 && !printed)
    rc = pg_pbjson_put_str(t, "null");
  pg_mem_free(t->j->mem, os);
  pg_mem_free(t->j->mem, sc.v);
  return rc;
}

/* Any: {"@type": url, fields...}, or {"@type": url, "value": json} when the
 * packed type has a special form; {} when empty. The type must be in the
 * set. */
static int emit_any(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                    const pg_pbjson_span *s, size_t ns, int depth) {
  pg_pbjson_scan sc;
  int rc = pg_pbjson_scan_message(t, m, s, ns, &sc);
  const pg_pbjson_occ *url = NULL, *val = NULL;
  for (size_t i = 0; rc == 0 && i < sc.n; i++) {
    if (sc.v[i].field == 0)
      url = &sc.v[i];
    else
      val = &sc.v[i];
  }
  size_t url_len = url ? url->len : 0;
  pg_pbjson_span inner_span = {val ? val->p : NULL, val ? val->len : 0};
  if (rc == 0 && url_len == 0 && inner_span.len == 0) {
    rc = pg_pbjson_put_str(t, "{}");
  } else if (rc == 0) {
    const uint8_t *name = url ? url->p : (const uint8_t *)"";
    for (size_t i = 0; i < url_len; i++)
      if (url->p[i] == '/')
        name = url->p + i + 1;
    const pg_pbjson_msg *inner = pg_pbjson_find_msg(
        t->j, name, url_len - (size_t)(name - (url ? url->p : name)));
    char txt[64];
    pg_pbjson_snip(txt, sizeof txt, url ? url->p : (const uint8_t *)"",
                   url_len);
    if (inner == NULL)
      rc = pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL,
                              "Any type \"%s\" is not in the descriptor set",
                              txt);
    else if (depth + 1 > MAX_DEPTH)
      rc = pg_pbjson_rep_fail(&t->rep, PARIGOT_EINVAL,
                              "messages nested deeper than %d", MAX_DEPTH);
    if (rc == 0)
      rc = pg_pbjson_put_str(t, "{\"@type\":");
    if (rc == 0)
      rc = pg_pbjson_put_json_string(t, url->p, url_len);
    if (rc == 0 && inner->wkt != WKT_NONE) {
      rc = pg_pbjson_put_str(t, ",\"value\":");
      if (rc == 0)
        rc = pg_pbjson_emit_message(t, inner, &inner_span, 1, depth + 1);
    } else if (rc == 0) {
      bool first = false;
      rc = pg_pbjson_emit_fields(t, inner, &inner_span, 1, depth + 1, &first);
    }
    if (rc == 0)
      rc = pg_pbjson_put(t, "}", 1);
  }
  pg_mem_free(t->j->mem, sc.v);
  return rc;
}

/* Prints a well-known type, whose JSON form is its own. */
int pg_pbjson_emit_wkt(pg_pbjson_tj *t, const pg_pbjson_msg *m,
                       const pg_pbjson_span *s, size_t ns, int depth) {
  pg_pbjson_scan sc;
  const pg_pbjson_occ *o;
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
  default: /* WKT_STRUCT, WKT_LIST, WKT_WRAPPER */
    rc = pg_pbjson_scan_message(t, m, s, ns, &sc);
    pg_pbjson_occs_of(&sc, 0, &o, &n);
    if (rc == 0 && m->wkt == WKT_STRUCT)
      rc = pg_pbjson_emit_map(t, &m->fields[0], o, n, depth);
    else if (rc == 0 && m->wkt == WKT_LIST)
      rc = pg_pbjson_emit_array(t, &m->fields[0], o, n, depth);
    else if (rc == 0)
      rc = pg_pbjson_emit_scalar(t, m->fields[0].type, NULL, n ? o[n - 1].v : 0,
                                 n ? o[n - 1].p : NULL, n ? o[n - 1].len : 0);
    pg_mem_free(t->j->mem, sc.v);
    return rc;
  }
}

/* Two digits or four, at p; -1 if they are not all digits. */
static int digits_at(const uint8_t *p, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!pg_pbjson_is_digit(p[i]))
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
  for (; at < n && pg_pbjson_is_digit(p[at]); at++, k++) {
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
  for (; i < n && pg_pbjson_is_digit(p[i]); i++, k++) {
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

static int w_time(pg_pbjson_fj *f, int64_t secs, int32_t nanos) {
  int rc = 0;
  if (secs != 0 && (rc = pg_pbjson_w_tag(f, 1, WT_VARINT)) == 0)
    rc = pg_pbjson_w_varint(f, (uint64_t)secs);
  if (rc == 0 && nanos != 0 && (rc = pg_pbjson_w_tag(f, 2, WT_VARINT)) == 0)
    rc = pg_pbjson_w_varint(f, (uint64_t)(int64_t)nanos);
  return rc;
}

static int parse_time(pg_pbjson_fj *f, const pg_pbjson_msg *m,
                      const pg_pbjson_tok *t) {
  char buf[64];
  int64_t secs = 0;
  int32_t nanos = 0;
  int r = m->wkt == WKT_TIMESTAMP ? parse_rfc3339(t->p, t->n, &secs, &nanos)
                                  : parse_duration(t->p, t->n, &secs, &nanos);
  const char *kind = m->wkt == WKT_TIMESTAMP ? "timestamp" : "duration";
  if (r == -1)
    return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL, "invalid %s %s", kind,
                              pg_pbjson_got(f, t, buf, sizeof buf));
  if (r == -2)
    return pg_pbjson_rep_fail(&f->rep, PARIGOT_ERANGE, "%s %s is out of range",
                              kind, pg_pbjson_got(f, t, buf, sizeof buf));
  return w_time(f, secs, nanos);
}

/* "a.bC,d": paths to snake_case ("a.b_c", "d"); a '_' is refused. An
 * empty string is no path at all. */
static int parse_fieldmask(pg_pbjson_fj *f, const pg_pbjson_tok *t) {
  char buf[64];
  int rc;
  if (t->n == 0)
    return 0;
  if (memchr(t->p, '_', t->n) != NULL)
    return pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                              "FieldMask %s contains '_'",
                              pg_pbjson_got(f, t, buf, sizeof buf));
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
      if (pg_pbjson_buf_add(&f->scratch2, up ? ch : ch + 1, up ? 2 : 1) != 0)
        return pg_pbjson_fj_nomem(f);
    }
    if ((rc = pg_pbjson_w_tag(f, 1, WT_LEN)) != 0 ||
        (rc = pg_pbjson_w_varint(f, f->scratch2.len)) != 0 ||
        (rc = pg_pbjson_w_raw(f, f->scratch2.data, f->scratch2.len)) != 0)
      return rc;
    i = k + 1;
  }
  return 0;
}

/* Struct: {"k": any, ...} as map<string, Value> entries. json_format:
 * Python refuses a key given twice; here the last one wins. */
static int parse_struct(pg_pbjson_fj *f, const pg_pbjson_msg *m, int depth) {
  int rc = pg_pbjson_open_container(f, TK_OBJ, "an object", m);
  if (rc != 0)
    return rc;
  const pg_pbjson_msg *value = m->fields[0].msg->fields[1].msg;
  bool first = true, has;
  for (;;) {
    pg_pbjson_tok key;
    size_t saved, mark;
    if ((rc = pg_pbjson_key_next(f, &first, &has, &key, &saved)) != 0 || !has)
      return rc;
    if ((rc = pg_pbjson_begin_len(f, 1, &mark)) != 0 ||
        (rc = pg_pbjson_w_tag(f, 1, WT_LEN)) != 0 ||
        (rc = pg_pbjson_w_varint(f, key.n)) != 0 ||
        (rc = pg_pbjson_w_raw(f, key.p, key.n)) != 0 ||
        (rc = pg_pbjson_parse_sub(f, 2, value, depth + 1)) != 0 ||
        (rc = pg_pbjson_end_len(f, mark)) != 0)
      return rc;
    pg_pbjson_path_pop(&f->rep.pt, saved);
  }
}

static int parse_list(pg_pbjson_fj *f, const pg_pbjson_msg *m, int depth) {
  int rc = pg_pbjson_open_container(f, TK_ARR, "an array", m);
  if (rc != 0)
    return rc;
  bool first = true, has;
  for (size_t idx = 0;; idx++) {
    if ((rc = pg_pbjson_arr_next(f, &first, &has)) != 0 || !has)
      return rc;
    size_t saved = pg_pbjson_path_index(&f->rep.pt, idx);
    if ((rc = pg_pbjson_parse_sub(f, 1, m->fields[0].msg, depth + 1)) != 0)
      return rc;
    pg_pbjson_path_pop(&f->rep.pt, saved);
  }
}

/* Value: any JSON value. json_format: Python's json reads 1e400 as
 * infinity and keeps it; this refuses it as out of range. */
static int parse_value(pg_pbjson_fj *f, const pg_pbjson_msg *m, int depth) {
  char buf[64];
  int c = pg_pbjson_peek(f);
  if (c == '{')
    return pg_pbjson_parse_sub(f, 5, m->fields[4].msg, depth + 1);
  if (c == '[')
    return pg_pbjson_parse_sub(f, 6, m->fields[5].msg, depth + 1);
  pg_pbjson_tok t;
  double d;
  uint64_t bits;
  int rc = pg_pbjson_next_token(f, &t);
  if (rc != 0)
    return rc;
  switch (t.kind) {
  case TK_NULL:
    rc = pg_pbjson_w_tag(f, 1, WT_VARINT);
    return rc ? rc : pg_pbjson_w_varint(f, 0);
  case TK_TRUE:
  case TK_FALSE:
    rc = pg_pbjson_w_tag(f, 4, WT_VARINT);
    return rc ? rc : pg_pbjson_w_varint(f, t.kind == TK_TRUE);
  case TK_STR:
    if ((rc = pg_pbjson_w_tag(f, 3, WT_LEN)) != 0 ||
        (rc = pg_pbjson_w_varint(f, t.n)) != 0)
      return rc;
    return pg_pbjson_w_raw(f, t.p, t.n);
  default: /* TK_NUM */
    if ((rc = pg_pbjson_tok_strtod(f, t.p, t.n, &d)) != 0)
      return rc;
    if (isinf(d))
      return pg_pbjson_rep_fail(&f->rep, PARIGOT_ERANGE,
                                "%s is out of range for double",
                                pg_pbjson_got(f, &t, buf, sizeof buf));
    memcpy(&bits, &d, sizeof bits);
    rc = pg_pbjson_w_tag(f, 2, WT_I64);
    return rc ? rc : pg_pbjson_w_fixed(f, bits, 8);
  }
}

/* Any: finds "@type" wherever it is in the object, then reads the object
 * again as the packed type (or its "value", for a type with a special
 * form). {} is the empty Any. json_format: Python ignores keys other than
 * "@type" and "value" beside a special form; they are refused here. */
static int parse_any(pg_pbjson_fj *f, const pg_pbjson_msg *m, int depth) {
  char buf[64], extra[64] = "";
  pg_pbjson_tok t;
  int rc = pg_pbjson_expect_kind(f, TK_OBJ, "an object", m, &t);
  if (rc != 0)
    return rc;
  size_t start = f->pos, value_at = 0, end, nkeys = 0, mark;
  uint8_t *url = NULL;
  size_t url_len = 0;
  bool first = true, has, has_value = false;
  f->pos++;
  for (;;) {
    pg_pbjson_tok key;
    if ((rc = pg_pbjson_obj_next(f, &first, &has, &key)) != 0 || !has)
      break;
    nkeys++;
    if (key.n == 5 && memcmp(key.p, "@type", 5) == 0) {
      if (url != NULL) {
        rc = pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                                "\"@type\" given twice");
        break;
      }
      pg_pbjson_tok v;
      rc = pg_pbjson_expect_kind(f, TK_STR, "a string for \"@type\"", NULL, &v);
      if (rc != 0)
        break;
      url = pg_mem_malloc(f->j->mem, v.n);
      if (url == NULL) {
        rc = pg_pbjson_fj_nomem(f);
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
      pg_pbjson_snip(extra, sizeof extra, key.p, key.n);
    }
    if ((rc = pg_pbjson_skip_value(f, depth)) != 0)
      break;
  }
  end = f->pos;
  if (rc != 0 || nkeys == 0)
    goto done;
  if (url == NULL) {
    rc = pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                            "\"@type\" is missing in %s", m->full_name);
    goto done;
  }
  const uint8_t *name = url;
  for (size_t i = 0; i < url_len; i++)
    if (url[i] == '/')
      name = url + i + 1;
  const pg_pbjson_msg *inner =
      pg_pbjson_find_msg(f->j, name, url_len - (size_t)(name - url));
  pg_pbjson_snip(buf, sizeof buf, url, url_len);
  if (inner == NULL) {
    rc =
        pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                           "Any type \"%s\" is not in the descriptor set", buf);
    goto done;
  }
  if (depth + 1 > MAX_DEPTH) {
    rc = pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                            "messages nested deeper than %d", MAX_DEPTH);
    goto done;
  }
  if ((rc = pg_pbjson_w_tag(f, 1, WT_LEN)) != 0 ||
      (rc = pg_pbjson_w_varint(f, url_len)) != 0 ||
      (rc = pg_pbjson_w_raw(f, url, url_len)) != 0 ||
      (rc = pg_pbjson_begin_len(f, 2, &mark)) != 0)
    goto done;
  if (inner->wkt == WKT_NONE) {
    f->pos = start;
    rc = pg_pbjson_parse_object(f, inner, depth + 1, true);
  } else if (!has_value) {
    rc = pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                            "Any of type \"%s\" needs a \"value\"", buf);
  } else if (extra[0] != '\0') {
    rc = pg_pbjson_rep_fail(&f->rep, PARIGOT_EINVAL,
                            "unknown field \"%s\" in an Any of "
                            "type \"%s\"",
                            extra, buf);
  } else {
    f->pos = value_at;
    rc = pg_pbjson_parse_message(f, inner, depth + 1);
    f->pos = end;
  }
  if (rc == 0)
    rc = pg_pbjson_end_len(f, mark);
done:
  pg_mem_free(f->j->mem, url);
  return rc;
}

/* Reads a well-known type's own JSON form at f->pos. */
int pg_pbjson_parse_wkt(pg_pbjson_fj *f, const pg_pbjson_msg *m, int depth) {
  switch (m->wkt) {
  case WKT_ANY:
    return parse_any(f, m, depth);
  case WKT_TIMESTAMP:
  case WKT_DURATION:
  case WKT_FIELDMASK: {
    pg_pbjson_tok t; /* each is a string */
    int rc = pg_pbjson_expect_kind(f, TK_STR, "a string", m, &t);
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
  default: { /* WKT_WRAPPER */
    const pg_pbjson_field *fd = &m->fields[0];
    pg_pbjson_tok t;
    pg_pbjson_sval v;
    int rc = pg_pbjson_next_token(f, &t);
    if (rc == 0)
      rc = pg_pbjson_parse_scalar(f, fd->type, NULL, &t, false, &v);
    if (rc != 0 || pg_pbjson_sval_is_default(fd->type, &v))
      return rc;
    rc = pg_pbjson_w_tag(f, 1, pg_pbjson_wire_type_of(fd->type));
    return rc ? rc : pg_pbjson_w_scalar(f, fd->type, &v);
  }
  }
}
