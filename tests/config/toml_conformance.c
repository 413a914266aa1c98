/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/config/toml_conformance.c: runs parigot-toml-decode over toml-test.
 *
 * Usage: toml_conformance DECODER SUITE_DIR. Every SUITE_DIR/valid/ **.toml
 * must decode (exit 0) to JSON equal to its .json twin, compared as trees the
 * way toml-test compares them: object keys in any order, integers and floats
 * by value (nan equals nan), date-times as instants, local dates and times by
 * their fields. Every SUITE_DIR/invalid/ **.toml must make the decoder exit
 * with status 1, as toml-test asks (a crash or a sanitizer report does not
 * count). Prints each failure and a last line "N passed, N failed"; exits 0
 * only when nothing failed, and 77 (CTest's SKIP_RETURN_CODE) when the suite
 * is absent. Owns a small JSON parser for that purpose. Single-threaded;
 * spawns one decoder at a time.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SKIPPED 77
#define SANITIZER_EXIT 86 /* see distinguish_sanitizer_exits() */
#define MAX_JSON_DEPTH 512

extern char **environ;

/* ---- a small JSON tree ------------------------------------------------ */

typedef enum { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } jtype;

typedef struct json {
  jtype type;
  char *str;           /* J_STRING: decoded bytes; J_NUMBER/J_BOOL: text */
  size_t len;          /* bytes in str */
  struct json **items; /* J_ARRAY elements, J_OBJECT values */
  struct json **keys;  /* J_OBJECT keys (J_STRING nodes) */
  size_t n;
} json;

typedef struct jparser {
  const char *s, *end;
  int depth;
} jparser;

static json *json_parse_value(jparser *p);

static void json_free(json *j) {
  if (j == NULL)
    return;
  for (size_t i = 0; i < j->n; i++) {
    json_free(j->items[i]);
    if (j->keys != NULL)
      json_free(j->keys[i]);
  }
  free(j->items);
  free(j->keys);
  free(j->str);
  free(j);
}

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n);
  if (q == NULL) {
    fprintf(stderr, "toml_conformance: out of memory\n");
    exit(2);
  }
  return q;
}

static void skip_space(jparser *p) {
  while (p->s < p->end && strchr(" \t\r\n", *p->s) != NULL)
    p->s++;
}

static json *new_node(jtype type) {
  json *j = xrealloc(NULL, sizeof *j);
  memset(j, 0, sizeof *j);
  j->type = type;
  return j;
}

static void put_byte(json *j, char c) {
  j->str = xrealloc(j->str, j->len + 2);
  j->str[j->len++] = c;
  j->str[j->len] = '\0';
}

static void put_utf8(json *j, uint32_t cp) {
  if (cp < 0x80) {
    put_byte(j, (char)cp);
  } else if (cp < 0x800) {
    put_byte(j, (char)(0xC0 | cp >> 6));
    put_byte(j, (char)(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    put_byte(j, (char)(0xE0 | cp >> 12));
    put_byte(j, (char)(0x80 | (cp >> 6 & 0x3F)));
    put_byte(j, (char)(0x80 | (cp & 0x3F)));
  } else {
    put_byte(j, (char)(0xF0 | cp >> 18));
    put_byte(j, (char)(0x80 | (cp >> 12 & 0x3F)));
    put_byte(j, (char)(0x80 | (cp >> 6 & 0x3F)));
    put_byte(j, (char)(0x80 | (cp & 0x3F)));
  }
}

static bool read_hex4(jparser *p, uint32_t *out) {
  *out = 0;
  for (int i = 0; i < 4; i++, p->s++) {
    if (p->s == p->end)
      return false;
    char c = *p->s;
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0)
      return false;
    *out = *out << 4 | (uint32_t)d;
  }
  return true;
}

/* \uXXXX, joining a UTF-16 surrogate pair when one follows. */
static bool read_json_unicode(jparser *p, json *j) {
  uint32_t cp, lo;
  if (!read_hex4(p, &cp))
    return false;
  if (cp >= 0xD800 && cp <= 0xDBFF && p->end - p->s >= 6 && p->s[0] == '\\' &&
      p->s[1] == 'u') {
    p->s += 2;
    if (!read_hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF)
      return false;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
  }
  put_utf8(j, cp);
  return true;
}

static bool read_json_escape(jparser *p, json *j) {
  static const char from[] = "\"\\/bfnrt";
  static const char to[] = "\"\\/\b\f\n\r\t";
  if (p->s == p->end)
    return false;
  char c = *p->s++;
  if (c == 'u')
    return read_json_unicode(p, j);
  const char *hit = strchr(from, c);
  if (hit == NULL || c == '\0')
    return false;
  put_byte(j, to[hit - from]);
  return true;
}

static json *json_parse_string(jparser *p) {
  json *j = new_node(J_STRING);
  put_byte(j, '\0');
  j->len = 0;
  for (p->s++; p->s < p->end && *p->s != '"';) {
    char c = *p->s++;
    if (c == '\\' ? !read_json_escape(p, j) : (put_byte(j, c), false)) {
      json_free(j);
      return NULL;
    }
  }
  if (p->s == p->end) {
    json_free(j);
    return NULL;
  }
  p->s++;
  return j;
}

static void push(json *j, json *key, json *item) {
  j->items = xrealloc(j->items, (j->n + 1) * sizeof *j->items);
  if (j->type == J_OBJECT)
    j->keys = xrealloc(j->keys, (j->n + 1) * sizeof *j->keys);
  j->items[j->n] = item;
  if (j->type == J_OBJECT)
    j->keys[j->n] = key;
  j->n++;
}

/* One member of an array or object; false on a syntax error. */
static bool json_parse_member(jparser *p, json *j) {
  json *key = NULL;
  skip_space(p);
  if (j->type == J_OBJECT) {
    if (p->s == p->end || *p->s != '"' || (key = json_parse_string(p)) == NULL)
      return false;
    skip_space(p);
    if (p->s == p->end || *p->s++ != ':') {
      json_free(key);
      return false;
    }
  }
  json *item = json_parse_value(p);
  if (item == NULL) {
    json_free(key);
    return false;
  }
  push(j, key, item);
  skip_space(p);
  return true;
}

static json *json_parse_container(jparser *p, jtype type, char close) {
  json *j = new_node(type);
  if (++p->depth > MAX_JSON_DEPTH)
    goto fail;
  p->s++;
  skip_space(p);
  if (p->s < p->end && *p->s == close) {
    p->s++;
    p->depth--;
    return j;
  }
  for (;;) {
    if (!json_parse_member(p, j) || p->s == p->end)
      goto fail;
    char c = *p->s++;
    if (c == close)
      break;
    if (c != ',')
      goto fail;
  }
  p->depth--;
  return j;
fail:
  json_free(j);
  return NULL;
}

/* Numbers and literals keep their text; toml-test never emits them, but a
 * decoder bug might, and the comparison should report it, not crash. */
static json *json_parse_word(jparser *p) {
  const char *start = p->s;
  while (p->s < p->end && strchr("+-.0123456789eEtruefalsn", *p->s) != NULL)
    p->s++;
  if (p->s == start)
    return NULL;
  json *j = new_node(isdigit((unsigned char)*start) || *start == '-' ? J_NUMBER
                                                                     : J_BOOL);
  for (const char *c = start; c < p->s; c++)
    put_byte(j, *c);
  if (strcmp(j->str, "null") == 0)
    j->type = J_NULL;
  return j;
}

static json *json_parse_value(jparser *p) {
  skip_space(p);
  if (p->s == p->end)
    return NULL;
  if (*p->s == '{')
    return json_parse_container(p, J_OBJECT, '}');
  if (*p->s == '[')
    return json_parse_container(p, J_ARRAY, ']');
  if (*p->s == '"')
    return json_parse_string(p);
  return json_parse_word(p);
}

static json *json_parse(const char *s, size_t len) {
  jparser p = {s, s + len, 0};
  json *j = json_parse_value(&p);
  skip_space(&p);
  if (j != NULL && p.s != p.end) {
    json_free(j);
    return NULL;
  }
  return j;
}

/* ---- comparing the way toml-test does --------------------------------- */

typedef struct stamp {
  int y, mo, d, h, mi, s;
  long ns;
  int off_minutes;
} stamp;

/* Reads "YYYY-MM-DD", "HH:MM:SS[.f]" and "Z|z|+HH:MM|-HH:MM" pieces in the
 * order the tag asks for; false unless the whole string is consumed. */
static bool parse_stamp(const char *s, bool date, bool time, bool offset,
                        stamp *o) {
  int n = 0;
  memset(o, 0, sizeof *o);
  if (date && (sscanf(s, "%4d-%2d-%2d%n", &o->y, &o->mo, &o->d, &n) != 3))
    return false;
  s += n;
  if (date && time && (*s == 'T' || *s == 't' || *s == ' '))
    s++;
  if (time && sscanf(s, "%2d:%2d:%2d%n", &o->h, &o->mi, &o->s, &n) != 3)
    return false;
  s += time ? n : 0;
  if (time && *s == '.')
    for (long scale = 100000000; *++s >= '0' && *s <= '9'; scale /= 10)
      o->ns += scale * (*s - '0');
  if (offset && (*s == 'Z' || *s == 'z')) {
    s++;
  } else if (offset) {
    int hh, mm;
    if ((*s != '+' && *s != '-') ||
        sscanf(s + 1, "%2d:%2d%n", &hh, &mm, &n) != 2)
      return false;
    o->off_minutes = (*s == '-' ? -1 : 1) * (hh * 60 + mm);
    s += 1 + n;
  }
  return *s == '\0';
}

/* Days since 1970-01-01 in the proleptic Gregorian calendar. */
static long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static bool same_stamp(const char *type, const char *a, const char *b) {
  bool offset = strcmp(type, "datetime") == 0;
  bool date = strcmp(type, "time-local") != 0;
  bool time = strcmp(type, "date-local") != 0;
  stamp x, y;
  if (!parse_stamp(a, date, time, offset, &x) ||
      !parse_stamp(b, date, time, offset, &y))
    return false;
  long long sx = (long long)days_from_civil(x.y, x.mo, x.d) * 86400 +
                 x.h * 3600 + x.mi * 60 + x.s - x.off_minutes * 60;
  long long sy = (long long)days_from_civil(y.y, y.mo, y.d) * 86400 +
                 y.h * 3600 + y.mi * 60 + y.s - y.off_minutes * 60;
  return sx == sy && x.ns == y.ns;
}

static bool same_float(const char *a, const char *b) {
  char *ea, *eb;
  double x = strtod(a, &ea), y = strtod(b, &eb);
  if (*ea != '\0' || *eb != '\0')
    return false;
  if (isnan(x) || isnan(y))
    return isnan(x) && isnan(y);
  return x == y && signbit(x) == signbit(y);
}

static bool same_integer(const char *a, const char *b) {
  char *ea, *eb;
  long long x = strtoll(a, &ea, 10), y = strtoll(b, &eb, 10);
  return *ea == '\0' && *eb == '\0' && x == y;
}

static const json *member(const json *obj, const char *key, size_t len) {
  for (size_t i = 0; i < obj->n; i++)
    if (obj->keys[i]->len == len && memcmp(obj->keys[i]->str, key, len) == 0)
      return obj->items[i];
  return NULL;
}

/* toml-test's tag: an object whose only members are string "type" and
 * "value". A TOML table with those keys has tables or tags as values. */
static bool is_tag(const json *j) {
  const json *t, *v;
  return j->type == J_OBJECT && j->n == 2 &&
         (t = member(j, "type", 4)) != NULL && t->type == J_STRING &&
         (v = member(j, "value", 5)) != NULL && v->type == J_STRING;
}

static bool same_tag(const json *want, const json *got, char *why, size_t cap) {
  const char *wt = member(want, "type", 4)->str;
  const char *wv = member(want, "value", 5)->str;
  const char *gt = member(got, "type", 4)->str;
  const json *gvj = member(got, "value", 5);
  bool same;
  if (strcmp(wt, gt) != 0)
    same = false;
  else if (strcmp(wt, "float") == 0)
    same = same_float(wv, gvj->str);
  else if (strcmp(wt, "integer") == 0)
    same = same_integer(wv, gvj->str);
  else if (strstr(wt, "date") != NULL || strstr(wt, "time") != NULL)
    same = same_stamp(wt, wv, gvj->str);
  else
    same = member(want, "value", 5)->len == gvj->len &&
           memcmp(wv, gvj->str, gvj->len) == 0;
  if (!same)
    snprintf(why, cap, "expected %s \"%s\", got %s \"%s\"", wt, wv, gt,
             gvj->str);
  return same;
}

static bool same_json(const json *want, const json *got, char *why, size_t cap);

static bool same_members(const json *want, const json *got, char *why,
                         size_t cap) {
  for (size_t i = 0; i < want->n; i++) {
    const json *key = want->keys ? want->keys[i] : NULL;
    const json *g = key ? member(got, key->str, key->len) : got->items[i];
    if (g == NULL) {
      snprintf(why, cap, "missing key \"%s\"", key->str);
      return false;
    }
    if (!same_json(want->items[i], g, why, cap))
      return false;
  }
  return true;
}

/* Names the first key of @p got that @p want lacks. */
static void extra_key(const json *want, const json *got, char *why,
                      size_t cap) {
  for (size_t i = 0; i < got->n; i++) {
    const json *key = got->keys[i];
    if (member(want, key->str, key->len) == NULL) {
      snprintf(why, cap, "unexpected key \"%s\"", key->str);
      return;
    }
  }
  snprintf(why, cap, "duplicate keys in decoder output");
}

static bool same_json(const json *want, const json *got, char *why,
                      size_t cap) {
  if (is_tag(want) || is_tag(got)) {
    if (is_tag(want) && is_tag(got))
      return same_tag(want, got, why, cap);
    snprintf(why, cap, "%s where %s was expected",
             is_tag(got) ? "a value" : "a table or array",
             is_tag(want) ? "a value" : "a table or array");
    return false;
  }
  if (want->type != got->type) {
    snprintf(why, cap, "JSON type %d where %d was expected", got->type,
             want->type);
    return false;
  }
  if (want->type == J_OBJECT && !same_members(want, got, why, cap))
    return false;
  if (want->type == J_OBJECT && want->n != got->n) {
    extra_key(want, got, why, cap);
    return false;
  }
  if (want->type == J_ARRAY && want->n != got->n) {
    snprintf(why, cap, "array of %zu elements where %zu were expected", got->n,
             want->n);
    return false;
  }
  if (want->type == J_ARRAY || want->type == J_OBJECT)
    return want->type == J_OBJECT || same_members(want, got, why, cap);
  if (want->len == got->len && memcmp(want->str, got->str, got->len) == 0)
    return true;
  snprintf(why, cap, "expected %s, got %s", want->str, got->str);
  return false;
}

/* ---- running the decoder ---------------------------------------------- */

static char *read_fd(int fd, size_t *len_out) {
  size_t len = 0, cap = 4096;
  char *buf = xrealloc(NULL, cap);
  for (;;) {
    ssize_t n = read(fd, buf + len, cap - len);
    if (n <= 0)
      break;
    len += (size_t)n;
    if (len == cap)
      buf = xrealloc(buf, cap *= 2);
  }
  buf[len] = '\0'; /* len < cap: the loop grows a full buffer */
  *len_out = len;
  return buf;
}

static char *read_file(const char *path, size_t *len_out) {
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return NULL;
  char *buf = read_fd(fd, len_out);
  close(fd);
  return buf;
}

/* Runs DECODER < input; returns its wait status, or -1 if it never ran.
 * stderr goes to /dev/null: invalid cases print a message by design. */
static int run_decoder(const char *decoder, const char *input, char **out,
                       size_t *out_len) {
  int fds[2], status = -1;
  pid_t pid;
  if (pipe(fds) != 0)
    return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, input, O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  posix_spawn_file_actions_addclose(&fa, fds[1]);
  char *argv[] = {(char *)decoder, NULL};
  int rc = posix_spawn(&pid, decoder, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  *out = read_fd(fds[0], out_len);
  close(fds[0]);
  if (rc == 0)
    waitpid(pid, &status, 0);
  return rc == 0 ? status : -1;
}

/* ---- walking the suite ------------------------------------------------ */

typedef struct list {
  char **paths;
  size_t n;
} list;

static bool ends_with(const char *s, const char *tail) {
  size_t a = strlen(s), b = strlen(tail);
  return a >= b && strcmp(s + a - b, tail) == 0;
}

static void collect(const char *dir, list *out) {
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d != NULL && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    char *path = xrealloc(NULL, len);
    snprintf(path, len, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      collect(path, out);
      free(path);
    } else if (ends_with(path, ".toml")) {
      out->paths = xrealloc(out->paths, (out->n + 1) * sizeof *out->paths);
      out->paths[out->n++] = path;
    } else {
      free(path);
    }
  }
  if (d != NULL)
    closedir(d);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks one valid case; fills @p why and returns false on a mismatch. */
static bool check_valid(const char *decoder, const char *path, char *why,
                        size_t cap) {
  size_t out_len, want_len;
  char *out = NULL, *want_text = NULL, twin[4096];
  json *got = NULL, *want = NULL;
  bool ok = false;
  snprintf(twin, sizeof twin, "%.*s.json", (int)(strlen(path) - 5), path);
  int status = run_decoder(decoder, path, &out, &out_len);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    snprintf(why, cap, "decoder rejected it (status %d)", status);
  else if ((want_text = read_file(twin, &want_len)) == NULL)
    snprintf(why, cap, "cannot read %.400s", twin);
  else if ((want = json_parse(want_text, want_len)) == NULL)
    snprintf(why, cap, "expected JSON in %.400s does not parse", twin);
  else if ((got = json_parse(out, out_len)) == NULL)
    snprintf(why, cap, "decoder output (%zu bytes) is not JSON", out_len);
  else
    ok = same_json(want, got, why, cap);
  json_free(got);
  json_free(want);
  free(want_text);
  free(out);
  return ok;
}

static bool check_invalid(const char *decoder, const char *path, char *why,
                          size_t cap) {
  size_t out_len;
  char *out = NULL;
  int status = run_decoder(decoder, path, &out, &out_len);
  free(out);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
    return true;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    snprintf(why, cap, "decoder accepted invalid TOML");
  else
    snprintf(why, cap, "decoder crashed or failed (wait status 0x%x)",
             (unsigned)status);
  return false;
}

/* Runs every case under SUITE/@p kind; counts into @p passed, @p failed. */
static void run_kind(const char *decoder, const char *suite, const char *kind,
                     int *passed, int *failed) {
  char dir[4096], why[512];
  list cases = {NULL, 0};
  snprintf(dir, sizeof dir, "%s/%s", suite, kind);
  collect(dir, &cases);
  qsort(cases.paths, cases.n, sizeof *cases.paths, by_name);
  int before = *passed;
  for (size_t i = 0; i < cases.n; i++) {
    const char *path = cases.paths[i];
    bool ok = strcmp(kind, "valid") == 0
                  ? check_valid(decoder, path, why, sizeof why)
                  : check_invalid(decoder, path, why, sizeof why);
    if (ok)
      ++*passed;
    else
      printf("FAIL %s: %s\n", path + strlen(suite) + 1, why), ++*failed;
    free(cases.paths[i]);
  }
  printf("%s: %d of %zu passed\n", kind, *passed - before, cases.n);
  free(cases.paths);
}

/*
 * Sanitizers exit with status 1 by default, the same status the decoder uses
 * to reject invalid TOML; give them another so a memory error in an invalid
 * case counts as a crash, not a rejection.
 */
static void distinguish_sanitizer_exits(void) {
  static const char *vars[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS"};
  for (size_t i = 0; i < 2; i++) {
    const char *old = getenv(vars[i]);
    char value[1024];
    snprintf(value, sizeof value, "%s%sexitcode=%d", old ? old : "",
             old && *old ? ":" : "", SANITIZER_EXIT);
    setenv(vars[i], value, 1);
  }
}

int main(int argc, char **argv) {
  struct stat st;
  if (argc != 3) {
    fprintf(stderr, "usage: %s DECODER SUITE_DIR\n", argv[0]);
    return 2;
  }
  if (stat(argv[2], &st) != 0 || !S_ISDIR(st.st_mode)) {
    printf("toml-test suite not found at %s: SKIPPED\n", argv[2]);
    return SKIPPED;
  }
  int passed = 0, failed = 0;
  distinguish_sanitizer_exits();
  run_kind(argv[1], argv[2], "valid", &passed, &failed);
  run_kind(argv[1], argv[2], "invalid", &passed, &failed);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
