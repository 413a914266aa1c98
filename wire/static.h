/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/static.h: the files of one directory, answered to HTTP GET and
 * HEAD requests (a manifest [[route]] with dir = "...").
 *
 * pg_static_open() holds the directory open (an O_PATH fd); every request
 * path is resolved beneath it by the kernel with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS), so neither "..", an absolute symlink nor a
 * relative one leading out can reach a file outside, even if the tree
 * changes while a request is served. Only regular files are served; a
 * directory serves its index file; anything else is 404.
 *
 * How a request path is read (the path after the route's prefix, as sent):
 * it must be "" or start with '/'; it is split on '/' and each segment is
 * percent-decoded strictly. 400 Bad Request: a '%' not followed by two hex
 * digits, an encoded NUL (%00), a control byte (below 0x20, or 0x7f).
 * 404 Not Found: an encoded '/' (%2f) or any '\' (raw or %5c), a segment
 * starting with '.' (".", "..", hidden files, however encoded), an empty
 * segment anywhere but at the end ("//"), a path over PG_STATIC_MAX_PATH
 * bytes. A directory named without its trailing '/' answers 301 to the
 * same path with '/'; a file named with one is 404. Symlinks are followed
 * while they stay inside (a relative one); an absolute symlink, even to a
 * file inside, is refused (404) as RESOLVE_BENEATH does.
 *
 * Validators: a strong ETag made of the file's size and mtime in ns (hex,
 * not the inode, so copies of one tree on two hosts agree), Last-Modified,
 * If-None-Match (weak comparison, '*'), If-Modified-Since (only without
 * If-None-Match) -> 304. Ranges (GET only, as RFC 9110 defines them for
 * GET alone): one "bytes=" range (first-last, first-, -suffix) -> 206 with
 * Content-Range; a range starting past the end -> 416, whose
 * Content-Range gives the size alone; several ranges or a malformed
 * header -> the whole file, 200; If-Range (an ETag, compared strongly, or
 * the exact Last-Modified date) that does not match -> the whole file,
 * 200. Every file answer says "cache-control: no-cache" (the client keeps
 * it and revalidates each time: a 304 costs one stat) and
 * "x-content-type-options: nosniff"; the content type comes from the
 * extension (a fixed table; text types with "; charset=utf-8"; unknown:
 * application/octet-stream).
 *
 * Other statuses: 403 when the process may not read a file (EACCES), 500
 * when reading fails otherwise or the file changes while it is read (its
 * size or mtime after the read differ from before), always with a reason
 * in pg_static_response.why for the log.
 *
 * The limit: the body is read whole into memory (no streaming), so a body
 * over the caller's max_bytes is refused with 500 and a reason in
 * pg_static_response.why; a range within the limit is still served.
 *
 * Threads: a pg_static is immutable after pg_static_open(), so any number
 * of threads may serve from one at once (the wire does, from libuv's
 * worker threads: pg_static_serve blocks on the file system). Every
 * allocation goes through the pg_mem it was opened with.
 */
#ifndef PG_WIRE_STATIC_H
#define PG_WIRE_STATIC_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

typedef struct pg_static pg_static;

/* The longest request path read, in bytes; a longer one is 404. */
#define PG_STATIC_MAX_PATH 4096u
/* The most headers one response has. */
#define PG_STATIC_MAX_HEADERS 8u

/* One request, as the wire parsed it. Every string is borrowed for the
 * call and untrusted; NULL where the header was absent. */
typedef struct pg_static_request {
  const char *method; /* "GET" or "HEAD"; anything else: 405 with Allow */
  const char *path;   /* after the route's prefix, percent-encoded as sent,
                         without the query: "/css/site.css", "/", or ""
                         (the route's own path: 301 to base + "/") */
  const char *base;   /* the request path before @p path (the route's
                         prefix as sent: "/static"), for Location; NULL:
                         "" */
  const char *query;  /* after the '?', without it, kept in Location; NULL:
                         none */
  const char *index;  /* the file a directory serves: "index.html" (one
                         plain name); NULL: a directory is 404 */
  const char *if_none_match;
  const char *if_modified_since;
  const char *range;
  const char *if_range;
} pg_static_request;

typedef struct pg_static_header {
  const char *name;  /* lower case; static storage */
  const char *value; /* static storage, or owned by the response */
} pg_static_header;

/* The answer. The wire writes status, headers, and Content-Length:
 * content_length (except for a 304, which has none), then body. What it
 * owns is on the heap, so a copy of the struct may stand for it (and be
 * freed, once). */
typedef struct pg_static_response {
  int status; /* 200, 206, 301, 304, 400, 403, 404, 405, 416, 500 */
  pg_static_header headers[PG_STATIC_MAX_HEADERS];
  size_t nheaders;
  uint8_t *body;           /* owned; NULL for HEAD, 304, or no body */
  size_t len;              /* bytes at body */
  uint64_t content_length; /* len; for HEAD, what GET would send; 0: 304 */
  char why[256];           /* for the log, with a 4xx or 5xx: what was
                              refused and why ("big.bin: 3000000 bytes, over
                              the limit of 1000000"); "" otherwise */
  /* private */
  const pg_mem *mem; /* what body and text were allocated with */
  char *text;        /* owned: the header values not in static storage */
  size_t text_len, text_cap;
} pg_static_response;

/* Opens directory @p dir (an absolute or relative path; symlinks in it are
 * followed once, here) to serve its files. 0 with *out set, or a negative
 * parigot errno with @p err naming @p dir and the reason. @p mem is
 * borrowed until pg_static_free(); @p dir is not kept. */
int pg_static_open(const char *dir, const pg_mem *mem, pg_static **out,
                   char *err, size_t err_len);

/* Answers @p rq from @p s's directory, whole bodies up to @p max_bytes
 * bytes. Always fills @p out (failures are a status: 500 when a file
 * cannot be read or memory runs out), which the caller must release with
 * pg_static_response_free(); returns out->status. Borrows @p rq for the
 * call. Blocks on the file system; any thread. */
int pg_static_serve(const pg_static *s, const pg_static_request *rq,
                    uint64_t max_bytes, pg_static_response *out);

/* The value of header @p name (lower case) in @p r, or NULL. Owned by
 * @p r. */
const char *pg_static_header_get(const pg_static_response *r, const char *name);

/* Frees what @p r owns (its body and header values); @p r itself is the
 * caller's. Safe to call twice. */
void pg_static_response_free(pg_static_response *r);

/* Closes the directory and frees @p s. NULL is a no-op. No pg_static_serve
 * may be running on it. */
void pg_static_free(pg_static *s);

#endif /* PG_WIRE_STATIC_H */
