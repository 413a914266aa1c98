/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/config/test_toml.c: unit tests for config/toml.c, the TOML parser.
 *
 * Each PG_TEST checks one behaviour: the tree and its accessors, positions
 * and messages of errors, the nesting limit, the length-bounded input, and an
 * allocation-failure sweep through a counting allocator. Conformance with
 * toml-test is checked separately by toml_conformance.c. Single-threaded.
 */
#include <math.h>

#include "parigot/error.h"
#include "test.h"
#include "test_mem.h"
#include "toml.h"

/* ---- helpers ---------------------------------------------------------- */

static pg_toml_doc *parse_ok(const char *text) {
  pg_toml_doc *doc = NULL;
  pg_toml_error err;
  int rc = pg_toml_parse(text, strlen(text), NULL, &doc, &err);
  if (rc != 0)
    PG_FAIL("parse failed with %d: %s\n--- input:\n%s", rc, err.msg, text);
  return doc;
}

static int parse_err(const char *text, pg_toml_error *err) {
  pg_toml_doc *doc = NULL;
  int rc = pg_toml_parse(text, strlen(text), NULL, &doc, err);
  if (rc == 0)
    PG_FAIL("parse succeeded but should fail:\n%s", text);
  ASSERT_TRUE(doc == NULL);
  return rc;
}

static const pg_toml_value *get(const pg_toml_doc *doc, const char *key) {
  return pg_toml_table_get(pg_toml_doc_root(doc), key);
}

static int64_t get_int(const pg_toml_value *v) {
  int64_t i = 0;
  ASSERT_EQ(pg_toml_value_int(v, &i), 0);
  return i;
}

static const char *get_str(const pg_toml_value *v) {
  const char *s = NULL;
  ASSERT_EQ(pg_toml_value_string(v, &s, NULL), 0);
  return s;
}

/* Returns head, @p n copies of @p piece, then tail, in a malloc'd string. */
static char *repeat(const char *head, const char *piece, int n,
                    const char *tail) {
  size_t hl = strlen(head), pl = strlen(piece), tl = strlen(tail);
  char *s = malloc(hl + pl * (size_t)n + tl + 1);
  ASSERT_TRUE(s != NULL);
  memcpy(s, head, hl);
  for (int i = 0; i < n; i++)
    memcpy(s + hl + pl * (size_t)i, piece, pl);
  memcpy(s + hl + pl * (size_t)n, tail, tl + 1);
  return s;
}

/* ---- the tree --------------------------------------------------------- */

PG_TEST(toml_parses_every_scalar_kind) {
  pg_toml_doc *doc = parse_ok("s = 'lit'\n"
                              "f = 6.626e-34\n"
                              "b = true\n"
                              "odt = 1979-05-27T07:32:00-08:00\n"
                              "ldt = 1979-05-27 07:32:00\n"
                              "ld = 1979-05-27\n"
                              "lt = 07:32:00.5\n"
                              "x = 0xDEAD_beef\n");
  double f;
  bool b;
  ASSERT_STREQ(get_str(get(doc, "s")), "lit");
  ASSERT_EQ(get_int(get(doc, "x")), 0xDEADBEEF);
  ASSERT_EQ(pg_toml_value_float(get(doc, "f"), &f), 0);
  ASSERT_TRUE(f == 6.626e-34);
  ASSERT_EQ(pg_toml_value_bool(get(doc, "b"), &b), 0);
  ASSERT_TRUE(b);
  ASSERT_EQ(pg_toml_value_kind(get(doc, "odt")), PG_TOML_OFFSET_DATETIME);
  ASSERT_EQ(pg_toml_value_kind(get(doc, "ldt")), PG_TOML_LOCAL_DATETIME);
  ASSERT_EQ(pg_toml_value_kind(get(doc, "ld")), PG_TOML_LOCAL_DATE);
  ASSERT_EQ(pg_toml_value_kind(get(doc, "lt")), PG_TOML_LOCAL_TIME);
  pg_toml_free(doc);
}

PG_TEST(toml_reads_date_time_fields_and_offsets) {
  pg_toml_doc *doc = parse_ok("t = 1979-05-27T07:32:59.999999999999-08:30\n");
  pg_toml_datetime dt;
  ASSERT_EQ(pg_toml_value_datetime(get(doc, "t"), &dt), 0);
  ASSERT_EQ(dt.year, 1979);
  ASSERT_EQ(dt.month, 5);
  ASSERT_EQ(dt.day, 27);
  ASSERT_EQ(dt.hour, 7);
  ASSERT_EQ(dt.minute, 32);
  ASSERT_EQ(dt.second, 59);
  ASSERT_EQ(dt.nanosecond, 999999999); /* truncated, not rounded */
  ASSERT_EQ(dt.offset_minutes, -(8 * 60 + 30));
  pg_toml_free(doc);
}

PG_TEST(toml_keeps_keys_in_document_order) {
  pg_toml_doc *doc = parse_ok("zeta = 1\nalpha = 2\nmid.z = 3\nmid.a = 4\n"
                              "[beta]\n[aa]\n");
  static const char *want[] = {"zeta", "alpha", "mid", "beta", "aa"};
  const pg_toml_value *root = pg_toml_doc_root(doc);
  const char *key;
  ASSERT_EQ(pg_toml_table_len(root), 5);
  for (size_t i = 0; i < 5; i++) {
    ASSERT_TRUE(pg_toml_table_at(root, i, &key, NULL) != NULL);
    ASSERT_STREQ(key, want[i]);
  }
  pg_toml_table_at(get(doc, "mid"), 0, &key, NULL);
  ASSERT_STREQ(key, "z");
  pg_toml_free(doc);
}

PG_TEST(toml_appends_array_of_tables_in_order) {
  pg_toml_doc *doc = parse_ok("[[svc]]\nname = 'a'\n[svc.env]\nX = 1\n"
                              "[[svc]]\nname = 'b'\n");
  const pg_toml_value *svc = get(doc, "svc");
  ASSERT_EQ(pg_toml_array_len(svc), 2);
  ASSERT_STREQ(get_str(pg_toml_table_get(pg_toml_array_at(svc, 0), "name")),
               "a");
  ASSERT_STREQ(get_str(pg_toml_table_get(pg_toml_array_at(svc, 1), "name")),
               "b");
  const pg_toml_value *env = pg_toml_table_get(pg_toml_array_at(svc, 0), "env");
  ASSERT_EQ(get_int(pg_toml_table_get(env, "X")), 1);
  pg_toml_free(doc);
}

PG_TEST(toml_finds_keys_in_large_tables) {
  char line[64];
  size_t cap = 2000 * sizeof line, len = 0;
  char *text = malloc(cap);
  for (int i = 0; i < 2000; i++)
    len += (size_t)snprintf(text + len, cap - len, "k%d = %d\n", i, i);
  pg_toml_doc *doc = parse_ok(text);
  const pg_toml_value *root = pg_toml_doc_root(doc);
  ASSERT_EQ(pg_toml_table_len(root), 2000);
  for (int i = 0; i < 2000; i++) {
    snprintf(line, sizeof line, "k%d", i);
    ASSERT_EQ(get_int(pg_toml_table_get(root, line)), i);
  }
  ASSERT_TRUE(pg_toml_table_get(root, "k2000") == NULL);
  pg_toml_free(doc);
  free(text);
}

PG_TEST(toml_keeps_nul_escapes_in_strings_and_keys) {
  pg_toml_doc *doc = parse_ok("\"a\\u0000b\" = \"x\\u0000y\"\n");
  const pg_toml_value *v = pg_toml_table_getn(pg_toml_doc_root(doc), "a\0b", 3);
  const char *s;
  size_t len;
  ASSERT_EQ(pg_toml_value_string(v, &s, &len), 0);
  ASSERT_EQ(len, 3);
  ASSERT_EQ(memcmp(s, "x\0y", 4), 0);
  ASSERT_TRUE(get(doc, "a") == NULL);
  pg_toml_free(doc);
}

PG_TEST(toml_normalizes_crlf_in_multiline_strings) {
  pg_toml_doc *doc =
      parse_ok("s = \"\"\"\r\none\r\ntwo \\\r\n   three\"\"\"\r\n"
               "r = '''\r\nx\r\n'''\r\n");
  ASSERT_STREQ(get_str(get(doc, "s")), "one\ntwo three");
  ASSERT_STREQ(get_str(get(doc, "r")), "x\n");
  pg_toml_free(doc);
}

PG_TEST(toml_accepts_the_int64_extremes) {
  pg_toml_doc *doc = parse_ok("min = -9_223_372_036_854_775_808\n"
                              "max = 9223372036854775807\n"
                              "hex = 0x7fffffffffffffff\n");
  ASSERT_TRUE(get_int(get(doc, "min")) == INT64_MIN);
  ASSERT_TRUE(get_int(get(doc, "max")) == INT64_MAX);
  ASSERT_TRUE(get_int(get(doc, "hex")) == INT64_MAX);
  pg_toml_free(doc);
}

PG_TEST(toml_keeps_inf_and_nan_signs) {
  pg_toml_doc *doc = parse_ok("a = -inf\nb = +nan\nc = -0.0\n");
  double a, b, c;
  pg_toml_value_float(get(doc, "a"), &a);
  pg_toml_value_float(get(doc, "b"), &b);
  pg_toml_value_float(get(doc, "c"), &c);
  ASSERT_TRUE(isinf(a) && a < 0);
  ASSERT_TRUE(isnan(b));
  ASSERT_TRUE(c == 0 && signbit(c));
  pg_toml_free(doc);
}

PG_TEST(toml_getters_refuse_the_wrong_kind) {
  pg_toml_doc *doc = parse_ok("n = 1\ns = 'x'\n");
  const pg_toml_value *n = get(doc, "n");
  const char *s;
  double f;
  bool b;
  pg_toml_datetime dt;
  ASSERT_EQ(pg_toml_value_string(n, &s, NULL), PARIGOT_EINVAL);
  ASSERT_EQ(pg_toml_value_float(n, &f), PARIGOT_EINVAL);
  ASSERT_EQ(pg_toml_value_bool(n, &b), PARIGOT_EINVAL);
  ASSERT_EQ(pg_toml_value_datetime(n, &dt), PARIGOT_EINVAL);
  ASSERT_EQ(pg_toml_value_int(get(doc, "missing"), NULL), PARIGOT_EINVAL);
  ASSERT_EQ(pg_toml_value_kind(get(doc, "missing")), PG_TOML_NONE);
  ASSERT_TRUE(pg_toml_table_get(n, "x") == NULL);
  ASSERT_TRUE(pg_toml_array_at(n, 0) == NULL);
  ASSERT_STREQ(pg_toml_kind_name(PG_TOML_LOCAL_DATE), "local date");
  pg_toml_free(doc);
}

PG_TEST(toml_parses_an_empty_document) {
  pg_toml_doc *doc = NULL;
  ASSERT_EQ(pg_toml_parse(NULL, 0, NULL, &doc, NULL), 0);
  ASSERT_EQ(pg_toml_table_len(pg_toml_doc_root(doc)), 0);
  pg_toml_free(doc);
  pg_toml_free(NULL);
}

PG_TEST(toml_allows_a_header_to_define_an_implied_table_once) {
  pg_toml_error err;
  pg_toml_doc *doc = parse_ok("[a.b]\nx = 1\n[a]\ny = 2\n");
  ASSERT_EQ(get_int(pg_toml_table_get(get(doc, "a"), "y")), 2);
  ASSERT_EQ(pg_toml_value_pos(get(doc, "a")).line, 3);
  pg_toml_free(doc);
  parse_err("[a.b]\n[a]\n[a]\n", &err);
  ASSERT_STREQ(err.msg, "line 3, column 2: table \"a\" already defined on "
                        "line 2");
}

/* ---- positions and messages ------------------------------------------- */

PG_TEST(toml_records_line_and_column_of_values) {
  pg_toml_doc *doc = parse_ok("title = \"x\"\n"
                              "[server]\n"
                              "  port = 8080\n"
                              "  hosts = [\"a\",\n"
                              "           \"b\"]\n");
  const pg_toml_value *server = get(doc, "server");
  const pg_toml_value *hosts = pg_toml_table_get(server, "hosts");
  pg_toml_pos pos = pg_toml_value_pos(get(doc, "title"));
  ASSERT_EQ(pos.line, 1);
  ASSERT_EQ(pos.column, 9);
  pos = pg_toml_value_pos(server);
  ASSERT_EQ(pos.line, 2);
  ASSERT_EQ(pos.column, 1);
  pos = pg_toml_value_pos(pg_toml_table_get(server, "port"));
  ASSERT_EQ(pos.line, 3);
  ASSERT_EQ(pos.column, 10);
  pos = pg_toml_value_pos(pg_toml_array_at(hosts, 1));
  ASSERT_EQ(pos.line, 5);
  ASSERT_EQ(pos.column, 12);
  pg_toml_free(doc);
}

PG_TEST(toml_rejects_duplicate_key_naming_its_line) {
  pg_toml_error err;
  int rc = parse_err("name = 'a'\n# comment\nname = 'b'\n", &err);
  ASSERT_EQ(rc, PARIGOT_ESYNTAX);
  ASSERT_EQ(err.line, 3);
  ASSERT_EQ(err.column, 1);
  ASSERT_STREQ(err.msg, "line 3, column 1: duplicate key \"name\" (first "
                        "defined on line 1)");
}

PG_TEST(toml_names_the_dotted_path_of_a_duplicate_key) {
  pg_toml_error err;
  parse_err("[svc]\nenv.HOME = '/'\nenv.HOME = '/root'\n", &err);
  ASSERT_STREQ(err.msg, "line 3, column 5: duplicate key \"env.HOME\" (first "
                        "defined on line 2)");
}

PG_TEST(toml_reports_column_of_bad_escape) {
  pg_toml_error err;
  ASSERT_EQ(parse_err("ok = 1\ns = \"ab\\qc\"\n", &err), PARIGOT_ESYNTAX);
  ASSERT_EQ(err.line, 2);
  ASSERT_EQ(err.column, 8);
  ASSERT_CONTAINS(err.msg, "invalid escape sequence: '\\' then 'q'");
}

PG_TEST(toml_counts_columns_in_characters_not_bytes) {
  pg_toml_error err;
  parse_err("s = \"\xC3\xA9\xE2\x82\xAC\" x\n", &err);
  ASSERT_EQ(err.line, 1);
  ASSERT_EQ(err.column, 10);
}

PG_TEST(toml_skips_a_leading_bom_without_shifting_columns) {
  pg_toml_error err;
  pg_toml_doc *doc = parse_ok("\xEF\xBB\xBF"
                              "a = 1\n");
  ASSERT_EQ(pg_toml_value_pos(get(doc, "a")).column, 5);
  pg_toml_free(doc);
  parse_err("\xEF\xBB\xBF"
            "a = 1 x\n",
            &err);
  ASSERT_EQ(err.column, 7);
}

/* ---- what is refused -------------------------------------------------- */

PG_TEST(toml_rejects_embedded_nul) {
  static const char text[] = "a = 1\nb = \"x\0y\"\n";
  pg_toml_doc *doc = NULL;
  pg_toml_error err;
  int rc = pg_toml_parse(text, sizeof text - 1, NULL, &doc, &err);
  ASSERT_EQ(rc, PARIGOT_ESYNTAX);
  ASSERT_TRUE(doc == NULL);
  ASSERT_STREQ(err.msg, "line 2, column 7: NUL byte in input");
}

PG_TEST(toml_rejects_invalid_utf8) {
  static const char *bad[] = {"a = '\xC0\xAF'\n", "a = '\xED\xA0\x80'\n",
                              "a = '\xF4\x90\x80\x80'\n", "# \xE2\x82\n",
                              "a = 1 # \xFF\n"};
  pg_toml_error err;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ASSERT_EQ(parse_err(bad[i], &err), PARIGOT_ESYNTAX);
    ASSERT_CONTAINS(err.msg, "invalid UTF-8");
  }
}

PG_TEST(toml_rejects_control_characters) {
  pg_toml_error err;
  parse_err("a = 'x\x01'\n", &err);
  ASSERT_CONTAINS(err.msg, "control character U+0001");
  parse_err("a = 1 # \x7F\n", &err);
  ASSERT_CONTAINS(err.msg, "control character U+007F in comment");
  parse_err("a = 1\rb = 2\n", &err);
  ASSERT_EQ(err.line, 1);
}

PG_TEST(toml_rejects_redefining_a_table_with_dotted_keys) {
  pg_toml_error err;
  parse_err("[fruit]\napple.color = 'red'\n[fruit.apple]\n", &err);
  ASSERT_STREQ(err.msg, "line 3, column 8: table \"fruit.apple\" already "
                        "defined by dotted keys on line 2");
  parse_err("[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n", &err);
  ASSERT_CONTAINS(err.msg, "dotted key cannot add to table \"b\"");
}

PG_TEST(toml_rejects_extending_an_inline_table) {
  pg_toml_error err;
  parse_err("a = {b = 1}\na.c = 2\n", &err);
  ASSERT_CONTAINS(err.msg, "inline table, which cannot be extended");
  parse_err("a = {b = 1}\n[a.c]\n", &err);
  ASSERT_CONTAINS(err.msg, "inline table, which cannot be extended");
  parse_err("a = {b = 1,}\n", &err);
  ASSERT_CONTAINS(err.msg, "trailing comma");
}

PG_TEST(toml_rejects_february_30) {
  pg_toml_error err;
  parse_err("d = 2024-02-30\n", &err);
  ASSERT_STREQ(err.msg, "line 1, column 5: date 2024-02-30 does not exist");
  pg_toml_doc *doc = parse_ok("d = 2024-02-29\n");
  pg_toml_free(doc);
  parse_err("d = 2023-02-29\n", &err);
}

PG_TEST(toml_rejects_out_of_range_integers) {
  static const char *bad[] = {
      "a = 9223372036854775808\n", "a = -9223372036854775809\n",
      "a = 0x8000000000000000\n", "a = 0o1777777777777777777777\n"};
  pg_toml_error err;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ASSERT_EQ(parse_err(bad[i], &err), PARIGOT_ESYNTAX);
    ASSERT_CONTAINS(err.msg, "does not fit in 64 bits");
  }
  parse_err("a = 1e400\n", &err);
  ASSERT_CONTAINS(err.msg, "float is out of range");
}

PG_TEST(toml_rejects_leading_zeros) {
  pg_toml_error err;
  parse_err("a = 007\n", &err);
  ASSERT_STREQ(err.msg, "line 1, column 5: leading zeros are not allowed in "
                        "numbers");
  parse_err("a = -01.5\n", &err);
  ASSERT_EQ(err.column, 6);
}

PG_TEST(toml_limits_nesting_depth) {
  pg_toml_error err;
  pg_toml_doc *doc;
  char *ok = repeat("a = ", "[", PG_TOML_MAX_DEPTH, "");
  char *deep = repeat("a = ", "[", PG_TOML_MAX_DEPTH + 1, "");
  char *closed = malloc(strlen(ok) + PG_TOML_MAX_DEPTH + 1);
  strcpy(closed, ok);
  memset(closed + strlen(ok), ']', PG_TOML_MAX_DEPTH);
  closed[strlen(ok) + PG_TOML_MAX_DEPTH] = '\0';
  doc = parse_ok(closed);
  pg_toml_free(doc);
  ASSERT_EQ(parse_err(deep, &err), PARIGOT_ENOTSUP);
  ASSERT_STREQ(err.msg, "line 1, column 133: nesting deeper than 128 levels");
  free(ok);
  free(deep);
  free(closed);
}

PG_TEST(toml_limits_nesting_through_every_route) {
  pg_toml_error err;
  char *inl = repeat("a = ", "{b = ", 200, "");
  char *hdr = repeat("[a", ".a", 200, "]\n");
  char *dot = repeat("a", ".a", 200, " = 1\n");
  char *aot = repeat("[[a", ".a", 200, "]]\n");
  char *huge = repeat("a = ", "[", 1000000, "");
  ASSERT_EQ(parse_err(inl, &err), PARIGOT_ENOTSUP);
  ASSERT_EQ(parse_err(hdr, &err), PARIGOT_ENOTSUP);
  ASSERT_EQ(parse_err(dot, &err), PARIGOT_ENOTSUP);
  ASSERT_EQ(parse_err(aot, &err), PARIGOT_ENOTSUP);
  ASSERT_EQ(parse_err(huge, &err), PARIGOT_ENOTSUP);
  free(inl);
  free(hdr);
  free(dot);
  free(aot);
  free(huge);
}

PG_TEST(toml_reads_only_len_bytes) {
  /* Exactly sized heap copies: ASan flags any read past the end. */
  static const char *texts[] = {"a = 1",         "a = \"abc", "a = '''x''",
                                "a = 1e",        "a = [1,",   "[t",
                                "a = 2024-01-0", "a = tru",   "a = \"\\u00"};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    size_t len = strlen(texts[i]);
    char *buf = malloc(len);
    memcpy(buf, texts[i], len);
    pg_toml_doc *doc = NULL;
    int rc = pg_toml_parse(buf, len, NULL, &doc, NULL);
    ASSERT_EQ(rc, i == 0 ? 0 : PARIGOT_ESYNTAX);
    pg_toml_free(doc);
    free(buf);
  }
}

PG_TEST(toml_rejects_bad_arguments) {
  pg_toml_doc *doc = NULL;
  pg_toml_error err;
  pg_mem half = {NULL, NULL, NULL, NULL};
  ASSERT_EQ(pg_toml_parse("a = 1", 5, NULL, NULL, &err), PARIGOT_EINVAL);
  ASSERT_STREQ(err.msg, "invalid argument");
  ASSERT_EQ(pg_toml_parse(NULL, 5, NULL, &doc, NULL), PARIGOT_EINVAL);
  ASSERT_EQ(pg_toml_parse("a = 1", 5, &half, &doc, NULL), PARIGOT_EINVAL);
  ASSERT_TRUE(doc == NULL);
}

/* ---- memory ----------------------------------------------------------- */

/* A document that exercises every allocation site: scratch growth, big
 * strings, hash indexes, nested containers, headers of every kind. */
static char *rich_document(void) {
  size_t cap = 64 * 1024, len = 0;
  char *s = malloc(cap);
  len += (size_t)snprintf(s + len, cap - len,
                          "title = \"manifest \\u00e9\"\n"
                          "when = 2024-02-29T12:00:00.5+01:00\n"
                          "nums = [1, 2.5, [true, 'x'], {a.b = 1}]\n"
                          "dotted.key.path = 0x2A\n"
                          "[[svc]]\nname = 'a'\n[svc.env]\nK = '''\nv\n'''\n"
                          "[[svc]]\nname = 'b'\n[big]\nlong = \"");
  for (int i = 0; i < 9000; i++)
    s[len++] = (char)('a' + i % 26);
  len += (size_t)snprintf(s + len, cap - len, "\"\n");
  for (int i = 0; i < 40; i++)
    len += (size_t)snprintf(s + len, cap - len, "key%d = %d\n", i, i);
  return s;
}

PG_TEST(toml_frees_everything_after_any_allocation_failure) {
  char *text = rich_document();
  long i;
  for (i = 0;; i++) {
    counter c = {.fail_at = i};
    pg_mem mem = counting_mem(&c);
    pg_toml_doc *doc = NULL;
    pg_toml_error err;
    int rc = pg_toml_parse(text, strlen(text), &mem, &doc, &err);
    if (rc == 0) {
      ASSERT_TRUE(c.calls <= i); /* no failure was injected */
      pg_toml_free(doc);
      ASSERT_EQ(c.live, 0);
      break;
    }
    if (rc != PARIGOT_ENOMEM)
      PG_FAIL("failing allocation %ld gave %d: %s", i, rc, err.msg);
    ASSERT_TRUE(doc == NULL);
    ASSERT_STREQ(err.msg, "out of memory");
    if (c.live != 0)
      PG_FAIL("failing allocation %ld leaked %ld blocks", i, c.live);
  }
  ASSERT_TRUE(i >= 10); /* the sweep really covered several sites */
  free(text);
}

PG_TEST(toml_uses_only_the_callers_allocator) {
  char *text = rich_document();
  counter c = {.fail_at = -1};
  pg_mem mem = counting_mem(&c);
  pg_toml_doc *doc = NULL;
  ASSERT_EQ(pg_toml_parse(text, strlen(text), &mem, &doc, NULL), 0);
  ASSERT_TRUE(c.calls > 0);
  ASSERT_TRUE(c.live > 0);
  pg_toml_free(doc);
  ASSERT_EQ(c.live, 0);
  free(text);
}
