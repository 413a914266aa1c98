/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tools/toml-decode/main.c: parigot-toml-decode, the toml-test decoder.
 *
 * Reads TOML on stdin, parses it with config/toml.c and writes toml-test's
 * tagged JSON ({"type":"integer","value":"42"}) on stdout, exit 0; on
 * invalid input it writes the parser's message on stderr and exits 1. Owns
 * only its input buffer. Single-threaded.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

static void print_value(const pg_toml_value *v);

/* Reads all of stdin; NULL on failure. The buffer may contain NUL bytes,
 * which the parser rejects, so the length is returned separately. */
static char *read_stdin(size_t *len_out) {
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  while (buf != NULL) {
    len += fread(buf + len, 1, cap - len, stdin);
    if (len < cap)
      break;
    char *bigger = realloc(buf, cap * 2);
    if (bigger == NULL)
      free(buf);
    buf = bigger;
    cap *= 2;
  }
  if (buf != NULL && ferror(stdin)) {
    free(buf);
    return NULL;
  }
  *len_out = len;
  return buf;
}

/* JSON string body: escapes quotes, backslashes and every control byte;
 * UTF-8 passes through, since the parser already validated it. */
static void print_json_string(const char *s, size_t len) {
  putchar('"');
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c == '\n')
      fputs("\\n", stdout);
    else if (c == '\t')
      fputs("\\t", stdout);
    else if (c < 0x20 || c == 0x7F)
      printf("\\u%04x", c);
    else
      putchar(c);
  }
  putchar('"');
}

/* The shortest %g form that reads back as the same double. */
static void format_float(double d, char *out, size_t cap) {
  if (isnan(d)) {
    snprintf(out, cap, "nan");
    return;
  }
  if (isinf(d)) {
    snprintf(out, cap, "%sinf", d < 0 ? "-" : "");
    return;
  }
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(out, cap, "%.*g", prec, d);
    if (strtod(out, NULL) == d)
      return;
  }
}

static void format_datetime(const pg_toml_value *v, char *out, size_t cap) {
  pg_toml_datetime dt;
  pg_toml_kind kind = pg_toml_value_kind(v);
  int n = 0;
  pg_toml_value_datetime(v, &dt);
  if (kind != PG_TOML_LOCAL_TIME)
    n += snprintf(out + n, cap - (size_t)n, "%04d-%02d-%02d", dt.year, dt.month,
                  dt.day);
  if (kind == PG_TOML_LOCAL_DATE)
    return;
  if (kind != PG_TOML_LOCAL_TIME)
    out[n++] = 'T';
  n += snprintf(out + n, cap - (size_t)n, "%02d:%02d:%02d", dt.hour, dt.minute,
                dt.second);
  if (dt.nanosecond != 0) {
    n += snprintf(out + n, cap - (size_t)n, ".%09d", dt.nanosecond);
    while (out[n - 1] == '0')
      n--;
    out[n] = '\0';
  }
  if (kind != PG_TOML_OFFSET_DATETIME)
    return;
  int off = dt.offset_minutes < 0 ? -dt.offset_minutes : dt.offset_minutes;
  if (off == 0)
    snprintf(out + n, cap - (size_t)n, "Z");
  else
    snprintf(out + n, cap - (size_t)n, "%c%02d:%02d",
             dt.offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
}

static const char *type_tag(pg_toml_kind kind) {
  switch (kind) {
  case PG_TOML_STRING:
    return "string";
  case PG_TOML_INTEGER:
    return "integer";
  case PG_TOML_FLOAT:
    return "float";
  case PG_TOML_BOOL:
    return "bool";
  case PG_TOML_OFFSET_DATETIME:
    return "datetime";
  case PG_TOML_LOCAL_DATETIME:
    return "datetime-local";
  case PG_TOML_LOCAL_DATE:
    return "date-local";
  case PG_TOML_LOCAL_TIME:
    return "time-local";
  default:
    return "unknown";
  }
}

static void print_scalar(const pg_toml_value *v) {
  char text[64];
  const char *s = text;
  size_t len;
  int64_t i;
  double d;
  bool b;
  pg_toml_kind kind = pg_toml_value_kind(v);
  if (kind == PG_TOML_STRING) {
    pg_toml_value_string(v, &s, &len);
  } else if (pg_toml_value_int(v, &i) == 0) {
    snprintf(text, sizeof text, "%lld", (long long)i);
  } else if (pg_toml_value_float(v, &d) == 0) {
    format_float(d, text, sizeof text);
  } else if (pg_toml_value_bool(v, &b) == 0) {
    snprintf(text, sizeof text, "%s", b ? "true" : "false");
  } else {
    format_datetime(v, text, sizeof text);
  }
  if (kind != PG_TOML_STRING)
    len = strlen(text);
  printf("{\"type\":\"%s\",\"value\":", type_tag(kind));
  print_json_string(s, len);
  putchar('}');
}

static void print_table(const pg_toml_value *t) {
  putchar('{');
  for (size_t i = 0; i < pg_toml_table_len(t); i++) {
    const char *key;
    size_t key_len;
    const pg_toml_value *v = pg_toml_table_at(t, i, &key, &key_len);
    if (i > 0)
      putchar(',');
    print_json_string(key, key_len);
    putchar(':');
    print_value(v);
  }
  putchar('}');
}

static void print_array(const pg_toml_value *a) {
  putchar('[');
  for (size_t i = 0; i < pg_toml_array_len(a); i++) {
    if (i > 0)
      putchar(',');
    print_value(pg_toml_array_at(a, i));
  }
  putchar(']');
}

/* Recursion is bounded by PG_TOML_MAX_DEPTH, which the parser enforces. */
static void print_value(const pg_toml_value *v) {
  pg_toml_kind kind = pg_toml_value_kind(v);
  if (kind == PG_TOML_TABLE)
    print_table(v);
  else if (kind == PG_TOML_ARRAY)
    print_array(v);
  else
    print_scalar(v);
}

int main(void) {
  size_t len;
  char *buf = read_stdin(&len);
  if (buf == NULL) {
    fprintf(stderr, "parigot-toml-decode: cannot read stdin\n");
    return 1;
  }
  pg_toml_doc *doc;
  pg_toml_error err;
  int rc = pg_toml_parse(buf, len, NULL, &doc, &err);
  free(buf);
  if (rc != 0) {
    fprintf(stderr, "parigot-toml-decode: %s\n", err.msg);
    return 1;
  }
  print_value(pg_toml_doc_root(doc));
  putchar('\n');
  pg_toml_free(doc);
  return fflush(stdout) == 0 ? 0 : 1;
}
