/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/wire/test_static.c: wire/static.c on real directories and files.
 *
 * Each test builds a fresh directory under $TMPDIR (or /tmp) with the
 * files it needs, and a sibling "outside" directory holding a secret that
 * no request may read; it serves requests straight through
 * pg_static_serve, and removes both at the end. The race tests swap files
 * and directories for symlinks from a second thread while the first
 * serves, so they prove what openat2 promises, not what a check did.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "parigot/error.h"
#include "static.h"
#include "test.h"
#include "test_mem.h"

#define SECRET "outside secret"
#define LIMIT (1u << 20)

/* ---- fixtures ---- */

typedef struct fixture {
  char top[256];  /* the temporary directory holding both */
  char root[300]; /* top/www: what is served */
  char out[300];  /* top/outside: what must never be */
  pg_static *s;
} fixture;

static void put(const fixture *f, const char *rel, const char *content) {
  char p[1024];
  snprintf(p, sizeof p, "%s/%s", f->root, rel);
  FILE *fp = fopen(p, "wb");
  if (fp == NULL)
    PG_FAIL("cannot write %s: %s", p, strerror(errno));
  fwrite(content, 1, strlen(content), fp);
  fclose(fp);
}

static void mkdir_in(const fixture *f, const char *rel) {
  char p[1024];
  snprintf(p, sizeof p, "%s/%s", f->root, rel);
  if (mkdir(p, 0755) != 0)
    PG_FAIL("mkdir %s: %s", p, strerror(errno));
}

static void link_in(const fixture *f, const char *rel, const char *target) {
  char p[1024];
  snprintf(p, sizeof p, "%s/%s", f->root, rel);
  if (symlink(target, p) != 0)
    PG_FAIL("symlink %s: %s", p, strerror(errno));
}

static void setup(fixture *f) {
  const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  snprintf(f->top, sizeof f->top, "%s/pg-static-XXXXXX", tmp);
  if (mkdtemp(f->top) == NULL)
    PG_FAIL("mkdtemp %s: %s", f->top, strerror(errno));
  snprintf(f->root, sizeof f->root, "%s/www", f->top);
  snprintf(f->out, sizeof f->out, "%s/outside", f->top);
  ASSERT_EQ(mkdir(f->root, 0755), 0);
  ASSERT_EQ(mkdir(f->out, 0755), 0);
  char p[400];
  snprintf(p, sizeof p, "%s/secret.txt", f->out);
  FILE *fp = fopen(p, "wb");
  ASSERT_TRUE(fp != NULL);
  fputs(SECRET, fp);
  fclose(fp);
  char err[256];
  ASSERT_EQ(pg_static_open(f->root, pg_mem_default(), &f->s, err, sizeof err),
            0);
}

static int remove_one(const char *p, const struct stat *st, int flag,
                      struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(p);
}

static void teardown(fixture *f) {
  pg_static_free(f->s);
  nftw(f->top, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- requests ---- */

static pg_static_request get(const char *path) {
  return (pg_static_request){
      .method = "GET", .path = path, .base = "/static", .index = "index.html"};
}

static int serve(const fixture *f, const pg_static_request *rq,
                 pg_static_response *out) {
  int status = pg_static_serve(f->s, rq, LIMIT, out);
  ASSERT_EQ(status, out->status);
  return status;
}

/* GET @p path: the status. */
static int status_of(const fixture *f, const char *path) {
  pg_static_request rq = get(path);
  pg_static_response r;
  int status = serve(f, &rq, &r);
  if (r.status >= 400 && r.status != 405)
    ASSERT_TRUE(r.why[0] != '\0');
  pg_static_response_free(&r);
  return status;
}

static void expect_body(const pg_static_response *r, const char *body) {
  size_t n = strlen(body);
  if (r->len != n || (n && memcmp(r->body, body, n) != 0))
    PG_FAIL("body \"%.*s\", not \"%s\"", (int)r->len,
            r->body ? (const char *)r->body : "", body);
  ASSERT_EQ(r->content_length, n);
}

static const char *hdr(const pg_static_response *r, const char *name) {
  return pg_static_header_get(r, name);
}

/* GET @p path and the body it must answer with 200. */
static void expect_file(const fixture *f, const char *path, const char *body) {
  pg_static_request rq = get(path);
  pg_static_response r;
  if (serve(f, &rq, &r) != 200)
    PG_FAIL("GET %s: %d (%s)", path, r.status, r.why);
  expect_body(&r, body);
  pg_static_response_free(&r);
}

/* The ETag and Last-Modified of @p path, copied into @p etag / @p date. */
static void validators(const fixture *f, const char *path, char *etag,
                       char *date) {
  pg_static_request rq = get(path);
  pg_static_response r;
  ASSERT_EQ(serve(f, &rq, &r), 200);
  snprintf(etag, 64, "%s", hdr(&r, "etag"));
  snprintf(date, 64, "%s", hdr(&r, "last-modified"));
  pg_static_response_free(&r);
}

/* Sets @p rel's mtime to @p sec.@p nsec. */
static void set_mtime(const fixture *f, const char *rel, time_t sec,
                      long nsec) {
  char p[1024];
  snprintf(p, sizeof p, "%s/%s", f->root, rel);
  struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};
  ASSERT_EQ(utimensat(AT_FDCWD, p, ts, 0), 0);
}

/* ---- content types ---- */

PG_TEST(static_content_types) {
  static const struct {
    const char *name, *type;
  } cases[] = {
      {"a.html", "text/html; charset=utf-8"},
      {"a.htm", "text/html; charset=utf-8"},
      {"A.HTML", "text/html; charset=utf-8"},
      {"a.css", "text/css; charset=utf-8"},
      {"a.js", "text/javascript; charset=utf-8"},
      {"a.mjs", "text/javascript; charset=utf-8"},
      {"a.json", "application/json"},
      {"a.js.map", "application/json"},
      {"a.webmanifest", "application/manifest+json"},
      {"a.txt", "text/plain; charset=utf-8"},
      {"a.md", "text/markdown; charset=utf-8"},
      {"a.csv", "text/csv; charset=utf-8"},
      {"a.xml", "application/xml"},
      {"a.svg", "image/svg+xml"},
      {"a.png", "image/png"},
      {"a.jpg", "image/jpeg"},
      {"a.jpeg", "image/jpeg"},
      {"a.gif", "image/gif"},
      {"a.webp", "image/webp"},
      {"a.avif", "image/avif"},
      {"a.ico", "image/vnd.microsoft.icon"},
      {"a.wasm", "application/wasm"},
      {"a.pdf", "application/pdf"},
      {"a.woff", "font/woff"},
      {"a.woff2", "font/woff2"},
      {"a.ttf", "font/ttf"},
      {"a.otf", "font/otf"},
      {"a.mp4", "video/mp4"},
      {"a.webm", "video/webm"},
      {"a.mp3", "audio/mpeg"},
      {"a.ogg", "audio/ogg"},
      {"a.zip", "application/zip"},
      {"a.tar.gz", "application/gzip"},
      {"a.exe", "application/octet-stream"},
      {"README", "application/octet-stream"},
      {"a.", "application/octet-stream"},
      {"v1.2/LICENSE", "application/octet-stream"}, /* the dot is a dir's */
  };
  fixture f;
  setup(&f);
  mkdir_in(&f, "v1.2");
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    put(&f, cases[i].name, "x");
    char path[64];
    snprintf(path, sizeof path, "/%s", cases[i].name);
    pg_static_request rq = get(path);
    pg_static_response r;
    if (serve(&f, &rq, &r) != 200)
      PG_FAIL("GET %s: %d (%s)", path, r.status, r.why);
    ASSERT_STREQ(hdr(&r, "content-type"), cases[i].type);
    ASSERT_STREQ(hdr(&r, "x-content-type-options"), "nosniff");
    pg_static_response_free(&r);
  }
  teardown(&f);
}

/* ---- a plain GET ---- */

PG_TEST(static_get_headers) {
  fixture f;
  setup(&f);
  mkdir_in(&f, "css");
  put(&f, "css/site.css", "body { color: red }\n");
  set_mtime(&f, "css/site.css", 784111777, 123456789); /* 1994-11-06 */
  pg_static_request rq = get("/css/site.css");
  pg_static_response r;
  ASSERT_EQ(serve(&f, &rq, &r), 200);
  expect_body(&r, "body { color: red }\n");
  ASSERT_STREQ(hdr(&r, "content-type"), "text/css; charset=utf-8");
  ASSERT_STREQ(hdr(&r, "last-modified"), "Sun, 06 Nov 1994 08:49:37 GMT");
  /* size 0x14, mtime 784111777123456789 ns = 0xae1b7b5f82db315 */
  char want[64];
  snprintf(want, sizeof want, "\"14-%llx\"", 784111777123456789ull);
  ASSERT_STREQ(hdr(&r, "etag"), want);
  ASSERT_STREQ(hdr(&r, "accept-ranges"), "bytes");
  ASSERT_STREQ(hdr(&r, "cache-control"), "no-cache");
  ASSERT_TRUE(hdr(&r, "content-range") == NULL);
  ASSERT_STREQ(r.why, "");
  /* A copy stands for the response: nothing points into the struct. */
  pg_static_response copy = r;
  memset(&r, 0xa5, sizeof r);
  ASSERT_STREQ(hdr(&copy, "etag"), want);
  ASSERT_STREQ(hdr(&copy, "last-modified"), "Sun, 06 Nov 1994 08:49:37 GMT");
  pg_static_response_free(&copy);
  pg_static_response_free(&copy); /* twice is safe */
  teardown(&f);
}

PG_TEST(static_empty_file) {
  fixture f;
  setup(&f);
  put(&f, "empty.txt", "");
  pg_static_request rq = get("/empty.txt");
  pg_static_response r;
  ASSERT_EQ(serve(&f, &rq, &r), 200);
  ASSERT_TRUE(r.body == NULL);
  ASSERT_EQ(r.len, 0);
  ASSERT_EQ(r.content_length, 0);
  ASSERT_CONTAINS(hdr(&r, "etag"), "\"0-");
  pg_static_response_free(&r);
  teardown(&f);
}

PG_TEST(static_etag_ignores_inode) {
  fixture f;
  setup(&f);
  put(&f, "a.txt", "same bytes");
  put(&f, "b.txt", "same bytes");
  set_mtime(&f, "a.txt", 1700000000, 5);
  set_mtime(&f, "b.txt", 1700000000, 5);
  char ea[64], eb[64], d[64];
  validators(&f, "/a.txt", ea, d);
  validators(&f, "/b.txt", eb, d);
  ASSERT_STREQ(ea, eb); /* two inodes, one version */
  set_mtime(&f, "b.txt", 1700000000, 6);
  validators(&f, "/b.txt", eb, d);
  ASSERT_TRUE(strcmp(ea, eb) != 0); /* one ns apart */
  teardown(&f);
}

PG_TEST(static_unicode_name) {
  fixture f;
  setup(&f);
  put(&f, "\xc3\xa9t\xc3\xa9 1.txt", "summer");
  expect_file(&f, "/%C3%A9t%c3%a9%201.txt", "summer");
  teardown(&f);
}

/* ---- conditionals ---- */

static int conditional(const fixture *f, const char *inm, const char *ims) {
  pg_static_request rq = get("/a.txt");
  rq.if_none_match = inm;
  rq.if_modified_since = ims;
  pg_static_response r;
  int status = serve(f, &rq, &r);
  if (status == 304) {
    ASSERT_TRUE(r.body == NULL);
    ASSERT_EQ(r.content_length, 0);
    ASSERT_TRUE(hdr(&r, "etag") != NULL);
    ASSERT_TRUE(hdr(&r, "last-modified") != NULL);
    ASSERT_STREQ(hdr(&r, "cache-control"), "no-cache");
  } else {
    expect_body(&r, "hello");
  }
  pg_static_response_free(&r);
  return status;
}

PG_TEST(static_etag_round_trip) {
  fixture f;
  setup(&f);
  put(&f, "a.txt", "hello");
  char etag[64], date[64], list[200];
  validators(&f, "/a.txt", etag, date);
  ASSERT_EQ(conditional(&f, etag, NULL), 304);
  snprintf(list, sizeof list, "W/%s", etag); /* weak comparison */
  ASSERT_EQ(conditional(&f, list, NULL), 304);
  snprintf(list, sizeof list, "\"x\" ,W/\"y\",\t%s", etag);
  ASSERT_EQ(conditional(&f, list, NULL), 304);
  ASSERT_EQ(conditional(&f, "*", NULL), 304);
  ASSERT_EQ(conditional(&f, "\"x\", \"y\"", NULL), 200);
  ASSERT_EQ(conditional(&f, "garbage", NULL), 200);
  snprintf(list, sizeof list, "%.*s", (int)strlen(etag) - 1, etag);
  ASSERT_EQ(conditional(&f, list, NULL), 200); /* unterminated */
  /* The file changes: its old ETag no longer matches. */
  set_mtime(&f, "a.txt", 1600000000, 0);
  ASSERT_EQ(conditional(&f, etag, NULL), 200);
  /* If-None-Match decides even when If-Modified-Since would say 304. */
  ASSERT_EQ(conditional(&f, "\"x\"", "Fri, 31 Dec 9999 23:59:59 GMT"), 200);
  teardown(&f);
}

PG_TEST(static_if_modified_since) {
  fixture f;
  setup(&f);
  put(&f, "a.txt", "hello");
  set_mtime(&f, "a.txt", 784111777, 900000000); /* 1994-11-06 08:49:37.9 */
  ASSERT_EQ(conditional(&f, NULL, "Sun, 06 Nov 1994 08:49:37 GMT"), 304);
  ASSERT_EQ(conditional(&f, NULL, "Sun, 06 Nov 1994 08:49:38 GMT"), 304);
  ASSERT_EQ(conditional(&f, NULL, "Sun, 06 Nov 1994 08:49:36 GMT"), 200);
  ASSERT_EQ(conditional(&f, NULL, "Sunday, 06-Nov-94 08:49:37 GMT"), 304);
  ASSERT_EQ(conditional(&f, NULL, "Sunday, 06-Nov-94 08:49:36 GMT"), 200);
  ASSERT_EQ(conditional(&f, NULL, "Sun Nov  6 08:49:37 1994"), 304);
  ASSERT_EQ(conditional(&f, NULL, "Sun Nov  6 08:49:36 1994"), 200);
  ASSERT_EQ(conditional(&f, NULL, "yesterday"), 200);
  ASSERT_EQ(conditional(&f, NULL, "Sun, 06 Nov 1994 08:49:37 GMT junk"), 200);
  ASSERT_EQ(conditional(&f, NULL, "Sun, 06 Foo 1994 08:49:37 GMT"), 200);
  ASSERT_EQ(conditional(&f, NULL, "Sun, 06 Nov 1994 25:49:37 GMT"), 200);
  teardown(&f);
}

/* ---- ranges ---- */

/* GET /digits.txt with Range @p range (and If-Range @p if_range): the
 * status, the body in @p body, Content-Range in @p cr. */
static int ranged(const fixture *f, const char *method, const char *range,
                  const char *if_range, char *body, char *cr) {
  pg_static_request rq = get("/digits.txt");
  rq.method = method;
  rq.range = range;
  rq.if_range = if_range;
  pg_static_response r;
  int status = serve(f, &rq, &r);
  snprintf(body, 64, "%.*s", (int)r.len, r.body ? (char *)r.body : "");
  const char *v = hdr(&r, "content-range");
  snprintf(cr, 64, "%s", v ? v : "-");
  if (status == 206 || status == 200)
    ASSERT_EQ(r.content_length, status == 200 ? 10 : strlen(body));
  pg_static_response_free(&r);
  return status;
}

#define EXPECT_RANGE(range, want_status, want_body, want_cr)                   \
  do {                                                                         \
    char b_[64], cr_[64];                                                      \
    ASSERT_EQ(ranged(&f, "GET", range, NULL, b_, cr_), want_status);           \
    ASSERT_STREQ(b_, want_body);                                               \
    ASSERT_STREQ(cr_, want_cr);                                                \
  } while (0)

PG_TEST(static_range_forms) {
  fixture f;
  setup(&f);
  put(&f, "digits.txt", "0123456789");
  EXPECT_RANGE("bytes=0-0", 206, "0", "bytes 0-0/10");
  EXPECT_RANGE("bytes=2-5", 206, "2345", "bytes 2-5/10");
  EXPECT_RANGE("bytes=7-", 206, "789", "bytes 7-9/10");
  EXPECT_RANGE("bytes=-3", 206, "789", "bytes 7-9/10");
  EXPECT_RANGE("bytes=8-100", 206, "89", "bytes 8-9/10"); /* clamped */
  EXPECT_RANGE("bytes=-100", 206, "0123456789", "bytes 0-9/10");
  EXPECT_RANGE("bytes=0-", 206, "0123456789", "bytes 0-9/10");
  EXPECT_RANGE("Bytes=9-9 ", 206, "9", "bytes 9-9/10");
  teardown(&f);
}

PG_TEST(static_range_unsatisfiable) {
  fixture f;
  setup(&f);
  put(&f, "digits.txt", "0123456789");
  EXPECT_RANGE("bytes=10-", 416, "Range Not Satisfiable\n", "bytes */10");
  EXPECT_RANGE("bytes=10-20", 416, "Range Not Satisfiable\n", "bytes */10");
  EXPECT_RANGE("bytes=-0", 416, "Range Not Satisfiable\n", "bytes */10");
  put(&f, "digits.txt", ""); /* nothing in an empty file is satisfiable */
  EXPECT_RANGE("bytes=0-", 416, "Range Not Satisfiable\n", "bytes */0");
  EXPECT_RANGE("bytes=-1", 416, "Range Not Satisfiable\n", "bytes */0");
  teardown(&f);
}

PG_TEST(static_range_ignored) {
  fixture f;
  setup(&f);
  put(&f, "digits.txt", "0123456789");
  EXPECT_RANGE("bytes=0-1,4-5", 200, "0123456789", "-"); /* several */
  EXPECT_RANGE("bytes=5-2", 200, "0123456789", "-");
  EXPECT_RANGE("bytes=", 200, "0123456789", "-");
  EXPECT_RANGE("bytes=a-b", 200, "0123456789", "-");
  EXPECT_RANGE("bytes=1-2x", 200, "0123456789", "-");
  EXPECT_RANGE("items=0-1", 200, "0123456789", "-");
  EXPECT_RANGE("bytes=99999999999999999999-", 200, "0123456789", "-");
  /* HEAD: Range is defined for GET only. */
  char b[64], cr[64];
  ASSERT_EQ(ranged(&f, "HEAD", "bytes=0-1", NULL, b, cr), 200);
  ASSERT_STREQ(b, "");
  ASSERT_STREQ(cr, "-");
  teardown(&f);
}

PG_TEST(static_if_range) {
  fixture f;
  setup(&f);
  put(&f, "digits.txt", "0123456789");
  char etag[64], date[64], weak[80], b[64], cr[64];
  validators(&f, "/digits.txt", etag, date);
  ASSERT_EQ(ranged(&f, "GET", "bytes=1-2", etag, b, cr), 206);
  ASSERT_STREQ(b, "12");
  ASSERT_EQ(ranged(&f, "GET", "bytes=1-2", date, b, cr), 206);
  ASSERT_STREQ(b, "12");
  /* A mismatch: the whole file, as it is now. */
  ASSERT_EQ(ranged(&f, "GET", "bytes=1-2", "\"0-0\"", b, cr), 200);
  ASSERT_STREQ(b, "0123456789");
  snprintf(weak, sizeof weak, "W/%s", etag); /* If-Range compares strongly */
  ASSERT_EQ(ranged(&f, "GET", "bytes=1-2", weak, b, cr), 200);
  ASSERT_EQ(
      ranged(&f, "GET", "bytes=1-2", "Thu, 01 Jan 1970 00:00:00 GMT", b, cr),
      200);
  ASSERT_EQ(ranged(&f, "GET", "bytes=1-2", "nonsense", b, cr), 200);
  /* The file changed since the client's copy: whole again. */
  set_mtime(&f, "digits.txt", 1500000000, 0);
  ASSERT_EQ(ranged(&f, "GET", "bytes=1-2", etag, b, cr), 200);
  ASSERT_STREQ(cr, "-");
  teardown(&f);
}

/* ---- HEAD, methods ---- */

PG_TEST(static_head) {
  fixture f;
  setup(&f);
  put(&f, "page.html", "<p>hi</p>");
  pg_static_request rq = get("/page.html");
  pg_static_response g, h;
  ASSERT_EQ(serve(&f, &rq, &g), 200);
  rq.method = "HEAD";
  ASSERT_EQ(serve(&f, &rq, &h), 200);
  ASSERT_TRUE(h.body == NULL);
  ASSERT_EQ(h.len, 0);
  ASSERT_EQ(h.content_length, 9);
  ASSERT_EQ(g.nheaders, h.nheaders);
  for (size_t i = 0; i < g.nheaders; i++) {
    ASSERT_STREQ(g.headers[i].name, h.headers[i].name);
    ASSERT_STREQ(g.headers[i].value, h.headers[i].value);
  }
  pg_static_response_free(&g);
  pg_static_response_free(&h);
  rq.path = "/missing";
  ASSERT_EQ(serve(&f, &rq, &h), 404);
  ASSERT_TRUE(h.body == NULL);
  ASSERT_EQ(h.content_length, strlen("Not Found\n"));
  pg_static_response_free(&h);
  teardown(&f);
}

PG_TEST(static_method_not_allowed) {
  fixture f;
  setup(&f);
  put(&f, "a.txt", "x");
  const char *methods[] = {"POST", "PUT", "DELETE", "get", "", NULL};
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
    pg_static_request rq = get("/a.txt");
    rq.method = methods[i];
    pg_static_response r;
    ASSERT_EQ(serve(&f, &rq, &r), 405);
    ASSERT_STREQ(hdr(&r, "allow"), "GET, HEAD");
    ASSERT_CONTAINS(r.why, "method");
    pg_static_response_free(&r);
  }
  teardown(&f);
}

/* ---- directories ---- */

PG_TEST(static_index) {
  fixture f;
  setup(&f);
  put(&f, "index.html", "<h1>home</h1>");
  mkdir_in(&f, "docs");
  put(&f, "docs/index.html", "<h1>docs</h1>");
  mkdir_in(&f, "empty");
  mkdir_in(&f, "odd");
  mkdir_in(&f, "odd/index.html"); /* an index that is a directory */
  expect_file(&f, "/", "<h1>home</h1>");
  expect_file(&f, "/docs/", "<h1>docs</h1>");
  pg_static_request rq = get("/docs/");
  pg_static_response r;
  ASSERT_EQ(serve(&f, &rq, &r), 200);
  ASSERT_STREQ(hdr(&r, "content-type"), "text/html; charset=utf-8");
  pg_static_response_free(&r);
  ASSERT_EQ(status_of(&f, "/empty/"), 404);
  ASSERT_EQ(status_of(&f, "/odd/"), 404);
  rq.index = NULL; /* no index: no directory is served */
  ASSERT_EQ(serve(&f, &rq, &r), 404);
  pg_static_response_free(&r);
  const char *bad[] = {"../secret.txt", ".index", "a/b", "", "x\\y"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    rq.index = bad[i];
    ASSERT_EQ(serve(&f, &rq, &r), 500);
    ASSERT_CONTAINS(r.why, "index");
    pg_static_response_free(&r);
  }
  teardown(&f);
}

/* The Location of a 301 for @p base + @p path (?@p query). */
static void expect_redirect(const fixture *f, const char *base,
                            const char *path, const char *query,
                            const char *location) {
  pg_static_request rq = get(path);
  rq.base = base;
  rq.query = query;
  pg_static_response r;
  if (serve(f, &rq, &r) != 301)
    PG_FAIL("GET %s%s: %d (%s)", base ? base : "", path, r.status, r.why);
  ASSERT_STREQ(hdr(&r, "location"), location);
  pg_static_response_free(&r);
}

PG_TEST(static_directory_redirect) {
  fixture f;
  setup(&f);
  mkdir_in(&f, "docs");
  mkdir_in(&f, "docs/api v2");
  put(&f, "docs/index.html", "x");
  expect_redirect(&f, "/static", "/docs", NULL, "/static/docs/");
  expect_redirect(&f, "/static", "/docs", "a=1&b", "/static/docs/?a=1&b");
  expect_redirect(&f, "/static", "/docs/api%20v2", NULL,
                  "/static/docs/api%20v2/");
  expect_redirect(&f, "/static", "", NULL, "/static/");
  expect_redirect(&f, NULL, "", NULL, "/");
  pg_static_request rq = get("/docs");
  rq.method = "HEAD";
  pg_static_response r;
  ASSERT_EQ(serve(&f, &rq, &r), 301);
  ASSERT_TRUE(r.body == NULL);
  pg_static_response_free(&r);
  /* A control byte in what would be echoed in Location. */
  rq = get("/docs");
  rq.query = "a\r\nset-cookie: x";
  ASSERT_EQ(serve(&f, &rq, &r), 400);
  pg_static_response_free(&r);
  teardown(&f);
}

PG_TEST(static_file_with_trailing_slash) {
  fixture f;
  setup(&f);
  put(&f, "a.txt", "x");
  ASSERT_EQ(status_of(&f, "/a.txt"), 200);
  ASSERT_EQ(status_of(&f, "/a.txt/"), 404);
  teardown(&f);
}

/* ---- paths that must not reach a file ---- */

PG_TEST(static_hidden_files) {
  fixture f;
  setup(&f);
  put(&f, ".env", "PASSWORD=x");
  mkdir_in(&f, ".git");
  put(&f, ".git/config", "x");
  mkdir_in(&f, "sub");
  put(&f, "sub/.htpasswd", "x");
  put(&f, "sub/ok.txt", "ok");
  ASSERT_EQ(status_of(&f, "/.env"), 404);
  ASSERT_EQ(status_of(&f, "/%2eenv"), 404);
  ASSERT_EQ(status_of(&f, "/.git/config"), 404);
  ASSERT_EQ(status_of(&f, "/.git/"), 404);
  ASSERT_EQ(status_of(&f, "/sub/.htpasswd"), 404);
  ASSERT_EQ(status_of(&f, "/sub/%2Ehtpasswd"), 404);
  expect_file(&f, "/sub/ok.txt", "ok");
  teardown(&f);
}

PG_TEST(static_dot_segments) {
  fixture f;
  setup(&f);
  put(&f, "a.txt", "x");
  mkdir_in(&f, "sub");
  const char *paths[] = {
      "/..",
      "/../outside/secret.txt",
      "/sub/../a.txt",
      "/./a.txt",
      "/%2e%2e/outside/secret.txt",
      "/%2E%2e/",
      "/sub/%2e%2e/%2e%2e/outside/secret.txt",
      "/.%2e/outside/secret.txt",
  };
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
    if (status_of(&f, paths[i]) != 404)
      PG_FAIL("%s was not 404", paths[i]);
  teardown(&f);
}

PG_TEST(static_encoded_separators) {
  fixture f;
  setup(&f);
  mkdir_in(&f, "sub");
  put(&f, "sub/a.txt", "x");
  put(&f, "back\\slash.txt", "x"); /* a legal Linux name, never served */
  ASSERT_EQ(status_of(&f, "/sub/a.txt"), 200);
  ASSERT_EQ(status_of(&f, "/sub%2fa.txt"), 404);
  ASSERT_EQ(status_of(&f, "/sub%2Fa.txt"), 404);
  ASSERT_EQ(status_of(&f, "/%2e%2e%2foutside%2fsecret.txt"), 404);
  ASSERT_EQ(status_of(&f, "/back\\slash.txt"), 404);
  ASSERT_EQ(status_of(&f, "/back%5cslash.txt"), 404);
  ASSERT_EQ(status_of(&f, "/..%5c..%5coutside%5csecret.txt"), 404);
  teardown(&f);
}

PG_TEST(static_bad_encoding) {
  fixture f;
  setup(&f);
  put(&f, "a.txt", "x");
  const char *paths[] = {"/a.txt%",   "/a.txt%4",  "/%zz",
                         "/a%00.txt", "/a.txt%00", "/a\x01.txt",
                         "/a%0a.txt", "/a%7f",     "/%g0"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
    if (status_of(&f, paths[i]) != 400)
      PG_FAIL("%s was not 400", paths[i]);
  teardown(&f);
}

PG_TEST(static_odd_paths) {
  fixture f;
  setup(&f);
  mkdir_in(&f, "sub");
  put(&f, "sub/a.txt", "x");
  ASSERT_EQ(status_of(&f, "//sub/a.txt"), 404);
  ASSERT_EQ(status_of(&f, "//"), 404);
  ASSERT_EQ(status_of(&f, "/sub//"), 404);
  ASSERT_EQ(status_of(&f, "/sub//a.txt"), 404);
  ASSERT_EQ(status_of(&f, "sub/a.txt"), 404); /* "/staticsub/a.txt" */
  ASSERT_EQ(status_of(&f, "/sub/a.txt"), 200);
  char *big = malloc(PG_STATIC_MAX_PATH + 2);
  big[0] = '/';
  memset(big + 1, 'a', PG_STATIC_MAX_PATH);
  big[PG_STATIC_MAX_PATH + 1] = '\0';
  ASSERT_EQ(status_of(&f, big), 404);
  big[PG_STATIC_MAX_PATH] = '\0'; /* fits, but no such name */
  ASSERT_EQ(status_of(&f, big), 404);
  free(big);
  /* "//host" in Location would leave the site. */
  pg_static_request rq = get("");
  rq.base = "//evil.example";
  pg_static_response r;
  ASSERT_EQ(serve(&f, &rq, &r), 404);
  pg_static_response_free(&r);
  teardown(&f);
}

/* ---- symlinks and special files ---- */

PG_TEST(static_symlink_out) {
  fixture f;
  setup(&f);
  char abs[400];
  snprintf(abs, sizeof abs, "%s/secret.txt", f.out);
  link_in(&f, "abs.txt", abs);
  link_in(&f, "rel.txt", "../outside/secret.txt");
  link_in(&f, "dir", "../outside");
  link_in(&f, "absdir", f.out);
  mkdir_in(&f, "sub");
  link_in(&f, "sub/up.txt", "../../outside/secret.txt");
  link_in(&f, "proc", "/proc/self/root/etc/passwd");
  const char *paths[] = {"/abs.txt",
                         "/rel.txt",
                         "/dir/secret.txt",
                         "/absdir/secret.txt",
                         "/sub/up.txt",
                         "/proc",
                         "/dir/"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    pg_static_request rq = get(paths[i]);
    pg_static_response r;
    int status = serve(&f, &rq, &r);
    if (status != 404 && status != 403)
      PG_FAIL("%s: %d", paths[i], status);
    ASSERT_TRUE(r.body == NULL || memmem(r.body, r.len, SECRET, 6) == NULL);
    pg_static_response_free(&r);
  }
  teardown(&f);
}

PG_TEST(static_symlink_within) {
  fixture f;
  setup(&f);
  put(&f, "a.txt", "inside");
  mkdir_in(&f, "sub");
  link_in(&f, "alias.txt", "a.txt");
  link_in(&f, "sub/up.txt", "../a.txt");
  link_in(&f, "sub2", "sub");
  link_in(&f, "loop", "loop");
  expect_file(&f, "/alias.txt", "inside");
  expect_file(&f, "/sub/up.txt", "inside");
  expect_file(&f, "/sub2/up.txt", "inside");
  ASSERT_EQ(status_of(&f, "/loop"), 404);
  /* An absolute symlink is refused even when it points inside. */
  char abs[400];
  snprintf(abs, sizeof abs, "%s/a.txt", f.root);
  link_in(&f, "abs.txt", abs);
  ASSERT_EQ(status_of(&f, "/abs.txt"), 404);
  teardown(&f);
}

PG_TEST(static_special_files) {
  fixture f;
  setup(&f);
  char p[400];
  snprintf(p, sizeof p, "%s/fifo", f.root);
  ASSERT_EQ(mkfifo(p, 0644), 0);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  ASSERT_EQ(status_of(&f, "/fifo"), 404); /* at once: no writer awaited */
  clock_gettime(CLOCK_MONOTONIC, &t1);
  ASSERT_TRUE(t1.tv_sec - t0.tv_sec < 2);
  /* A Unix socket. */
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(p, sizeof p, "%s/sock", f.root);
  if (strlen(p) < sizeof sa.sun_path) {
    memcpy(sa.sun_path, p, strlen(p) + 1);
    ASSERT_EQ(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    ASSERT_EQ(status_of(&f, "/sock"), 404);
  }
  close(fd);
  /* A device: /dev/null's numbers, where this user may make one. */
  snprintf(p, sizeof p, "%s/null", f.root);
  if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) == 0)
    ASSERT_EQ(status_of(&f, "/null"), 404);
  else
    fprintf(stderr, "note: mknod %s: %s; device case not run\n", p,
            strerror(errno));
  teardown(&f);
}

/* ---- the limit ---- */

PG_TEST(static_over_limit) {
  fixture f;
  setup(&f);
  put(&f, "big.bin", "0123456789abcdef"); /* 16 bytes */
  pg_static_request rq = get("/big.bin");
  pg_static_response r;
  ASSERT_EQ(pg_static_serve(f.s, &rq, 16, &r), 200);
  pg_static_response_free(&r);
  ASSERT_EQ(pg_static_serve(f.s, &rq, 15, &r), 500);
  ASSERT_CONTAINS(r.why, "big.bin: 16 bytes, over the limit of 15");
  ASSERT_TRUE(hdr(&r, "etag") == NULL);
  pg_static_response_free(&r);
  rq.method = "HEAD"; /* HEAD answers as GET would */
  ASSERT_EQ(pg_static_serve(f.s, &rq, 15, &r), 500);
  pg_static_response_free(&r);
  rq.method = "GET";
  rq.range = "bytes=4-8"; /* a range that fits is served */
  ASSERT_EQ(pg_static_serve(f.s, &rq, 5, &r), 206);
  expect_body(&r, "45678");
  pg_static_response_free(&r);
  ASSERT_EQ(pg_static_serve(f.s, &rq, 4, &r), 500);
  pg_static_response_free(&r);
  teardown(&f);
}

/* ---- races ---- */

typedef struct swapper {
  const fixture *f;
  const char *a, *b; /* exchanged, over and over */
  atomic_bool stop;
  long swaps;
} swapper;

static void *swap_loop(void *arg) {
  swapper *sw = arg;
  char a[400], b[400];
  snprintf(a, sizeof a, "%s/%s", sw->f->root, sw->a);
  snprintf(b, sizeof b, "%s/%s", sw->f->root, sw->b);
  while (!atomic_load(&sw->stop)) {
    if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0)
      PG_FAIL("renameat2 %s %s: %s", a, b, strerror(errno));
    sw->swaps++;
  }
  return NULL;
}

/* Serves @p path while @p a and @p b are swapped: every answer is the
 * inside file or 404, and both are seen. */
static void race(fixture *f, const char *a, const char *b, const char *path) {
  swapper sw = {.f = f, .a = a, .b = b};
  pthread_t th;
  ASSERT_EQ(pthread_create(&th, NULL, swap_loop, &sw), 0);
  long ok = 0, refused = 0;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0;; i++) {
    pg_static_request rq = get(path);
    pg_static_response r;
    int status = serve(f, &rq, &r);
    if (r.body != NULL && memmem(r.body, r.len, SECRET, strlen(SECRET)))
      PG_FAIL("request %ld of %s read the outside file", i, path);
    if (status == 200)
      expect_body(&r, "inside"), ok++;
    else if (status == 404)
      refused++;
    else
      PG_FAIL("request %ld of %s: %d (%s)", i, path, status, r.why);
    pg_static_response_free(&r);
    clock_gettime(CLOCK_MONOTONIC, &t);
    double secs =
        (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
    if ((i >= 2000 && ok > 50 && refused > 50) || secs > 10)
      break;
  }
  atomic_store(&sw.stop, true);
  pthread_join(th, NULL);
  printf("%s: %ld served, %ld refused, %ld swaps\n", path, ok, refused,
         sw.swaps);
  ASSERT_TRUE(ok > 0 && refused > 0); /* the race did happen */
}

PG_TEST(static_race_file_swapped_for_symlink) {
  fixture f;
  setup(&f);
  put(&f, "f.txt", "inside");
  link_in(&f, ".lnk", "../outside/secret.txt");
  race(&f, "f.txt", ".lnk", "/f.txt");
  teardown(&f);
}

PG_TEST(static_race_dir_swapped_for_symlink) {
  fixture f;
  setup(&f);
  mkdir_in(&f, "sub");
  put(&f, "sub/secret.txt", "inside");
  char abs[400];
  snprintf(abs, sizeof abs, "%s", f.out);
  link_in(&f, ".lnk", abs);
  race(&f, "sub", ".lnk", "/sub/secret.txt");
  teardown(&f);
}

/* ---- threads, memory, opening ---- */

typedef struct worker {
  const fixture *f;
  int failures;
} worker;

static void *serve_many(void *arg) {
  worker *w = arg;
  for (int i = 0; i < 300; i++) {
    pg_static_request rq = get(i % 2 ? "/a.txt" : "/");
    pg_static_response r;
    if (pg_static_serve(w->f->s, &rq, LIMIT, &r) != 200 || r.len != 6)
      w->failures++;
    pg_static_response_free(&r);
  }
  return NULL;
}

PG_TEST(static_many_threads) {
  fixture f;
  setup(&f);
  put(&f, "a.txt", "inside");
  put(&f, "index.html", "<home>");
  pthread_t th[4];
  worker w[4];
  for (int i = 0; i < 4; i++) {
    w[i] = (worker){&f, 0};
    ASSERT_EQ(pthread_create(&th[i], NULL, serve_many, &w[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    ASSERT_EQ(w[i].failures, 0);
  }
  teardown(&f);
}

/* Serves @p rq with allocation @p fail_at failing: no leak, and either
 * the answer @p want or a 500 (or the same status without its body). */
static void serve_failing(const char *root, const pg_static_request *rq,
                          int want) {
  for (long fail_at = 0;; fail_at++) {
    counter c = {.fail_at = fail_at};
    pg_mem mem = counting_mem(&c);
    pg_static *s;
    char err[256];
    int rc = pg_static_open(root, &mem, &s, err, sizeof err);
    if (rc != 0) {
      ASSERT_EQ(rc, PARIGOT_ENOMEM);
      ASSERT_CONTAINS(err, "out of memory");
      ASSERT_EQ(c.live, 0);
      continue;
    }
    pg_static_response r;
    int status = pg_static_serve(s, rq, LIMIT, &r);
    if (status != want && status != 500)
      PG_FAIL("allocation %ld failing: %d", fail_at, status);
    pg_static_response_free(&r);
    pg_static_free(s);
    ASSERT_EQ(c.live, 0);
    if (c.calls <= fail_at) /* nothing failed: every point was tried */
      break;
  }
}

PG_TEST(static_allocation_failures) {
  fixture f;
  setup(&f);
  put(&f, "a.txt", "inside");
  mkdir_in(&f, "d");
  pg_static_request rq = get("/a.txt");
  serve_failing(f.root, &rq, 200);
  rq = get("/d");
  serve_failing(f.root, &rq, 301);
  rq = get("/missing");
  serve_failing(f.root, &rq, 404);
  teardown(&f);
}

PG_TEST(static_open_errors) {
  fixture f;
  setup(&f);
  put(&f, "a.txt", "x");
  pg_static *s = NULL;
  char err[512], p[400];
  snprintf(p, sizeof p, "%s/nope", f.root);
  ASSERT_EQ(pg_static_open(p, pg_mem_default(), &s, err, sizeof err),
            PARIGOT_ENOENT);
  ASSERT_CONTAINS(err, p);
  ASSERT_CONTAINS(err, "No such file");
  ASSERT_TRUE(s == NULL);
  snprintf(p, sizeof p, "%s/a.txt", f.root);
  ASSERT_EQ(pg_static_open(p, pg_mem_default(), &s, err, sizeof err),
            PARIGOT_ENOENT);
  ASSERT_CONTAINS(err, "Not a directory");
  pg_static_free(NULL);
  teardown(&f);
}
