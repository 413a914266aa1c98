/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/static.c: answers GET and HEAD for the files of one directory
 * (static.h says what is served and how a path is read).
 *
 * Owns the directory's O_PATH fd and, per response, its body and header
 * values. Calls the OS only: openat2 beneath the directory fd (the one way
 * from a request path to a file, resolved once, so nothing swapped between
 * a check and a use matters), fstat, pread. The body is read after the
 * file's stat and stat'ed again after, so a file changed while read is a
 * 500, not a body that disagrees with its ETag. Any thread; no state
 * between calls.
 */
#include "static.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "parigot/error.h"

struct pg_static {
  int dirfd; /* O_PATH | O_DIRECTORY, owned */
  const pg_mem *mem;
};

/* ---- responses ---- */

static void set_why(pg_static_response *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->why, sizeof r->why, fmt, ap);
  va_end(ap);
}

/* r->why: file @p name and the message of errno @p e. strerror_r (GNU's)
 * because several threads serve at once. */
static void set_why_errno(pg_static_response *r, const char *name, int e) {
  char buf[128];
  set_why(r, "/%s: %s", name, strerror_r(e, buf, sizeof buf));
}

static void add_header(pg_static_response *r, const char *name,
                       const char *value) {
  if (r->nheaders < PG_STATIC_MAX_HEADERS)
    r->headers[r->nheaders++] = (pg_static_header){name, value};
}

/* Gives @p r a block of @p cap bytes for its header values: false when
 * memory ran out (r->why says so). */
static bool reserve_text(pg_static_response *r, size_t cap) {
  r->text = pg_mem_malloc(r->mem, cap);
  r->text_cap = r->text ? cap : 0;
  if (r->text == NULL)
    set_why(r, "out of memory for the headers");
  return r->text != NULL;
}

/* Adds a header whose value is formatted into r->text. */
static void add_headerf(pg_static_response *r, const char *name,
                        const char *fmt, ...) {
  char *p = r->text + r->text_len;
  size_t room = r->text_cap - r->text_len;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(p, room, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= room)
    return; /* cannot happen: reserve_text made room for every value */
  r->text_len += (size_t)n + 1;
  add_header(r, name, p);
}

/* A response without a file: its status, a one-line text body. */
static int answer(pg_static_response *r, int status, bool is_head) {
  static const struct {
    int status;
    const char *text;
  } texts[] = {
      {301, "Moved Permanently\n"},
      {400, "Bad Request\n"},
      {403, "Forbidden\n"},
      {404, "Not Found\n"},
      {405, "Method Not Allowed\n"},
      {416, "Range Not Satisfiable\n"},
      {500, "Internal Server Error\n"},
  };
  const char *text = "";
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
    if (texts[i].status == status)
      text = texts[i].text;
  r->status = status;
  add_header(r, "content-type", "text/plain; charset=utf-8");
  add_header(r, "x-content-type-options", "nosniff");
  size_t len = strlen(text);
  r->content_length = len;
  if (!is_head && len > 0) {
    r->body = pg_mem_malloc(r->mem, len);
    if (r->body == NULL) {
      r->content_length = 0; /* no body rather than a failure */
      return status;
    }
    memcpy(r->body, text, len);
    r->len = len;
  }
  return status;
}

const char *pg_static_header_get(const pg_static_response *r,
                                 const char *name) {
  for (size_t i = 0; i < r->nheaders; i++)
    if (strcmp(r->headers[i].name, name) == 0)
      return r->headers[i].value;
  return NULL;
}

void pg_static_response_free(pg_static_response *r) {
  if (r->mem != NULL) {
    pg_mem_free(r->mem, r->body);
    pg_mem_free(r->mem, r->text);
  }
  r->body = NULL;
  r->text = NULL;
  r->len = 0;
  r->nheaders = 0;
}

/* ---- request paths ---- */

static int hex_digit(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* A request path read: the relative path to open ("" is the directory
 * itself), and whether it ended in '/'. */
typedef struct decoded {
  char rel[PG_STATIC_MAX_PATH + 1];
  size_t len;
  bool has_slash; /* the path ended in '/' */
} decoded;

/* Decodes one segment @p seg / @p n onto d->rel; the status that refuses
 * it, or 0. */
static int decode_segment(const char *seg, size_t n, decoded *d,
                          pg_static_response *r) {
  size_t start = d->len;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)seg[i];
    if (c == '%') {
      int hi = i + 2 < n ? hex_digit((unsigned char)seg[i + 1]) : -1;
      int lo = i + 2 < n ? hex_digit((unsigned char)seg[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return set_why(r, "a '%%' without two hex digits in the path"), 400;
      c = (unsigned char)(hi << 4 | lo);
      i += 2;
      if (c == 0)
        return set_why(r, "an encoded NUL in the path"), 400;
      if (c == '/')
        return set_why(r, "an encoded '/' in the path"), 404;
    }
    if (c < 0x20 || c == 0x7f)
      return set_why(r, "a control byte in the path"), 400;
    if (c == '\\')
      return set_why(r, "a '\\' in the path"), 404;
    d->rel[d->len++] = (char)c;
  }
  if (d->len == start)
    return set_why(r, "an empty segment in the path"), 404;
  if (d->rel[start] == '.')
    return set_why(r, "a segment starting with '.' in the path"), 404;
  return 0;
}

/* Reads request path @p path into @p d; the status that refuses it, or
 * 0. Decoding never makes a segment longer, so rel fits. */
static int decode_path(const char *path, decoded *d, pg_static_response *r) {
  size_t n = strlen(path);
  d->len = 0;
  d->has_slash = n > 0 && path[n - 1] == '/';
  if (n > PG_STATIC_MAX_PATH)
    return set_why(r, "a path of %zu bytes, over %u", n, PG_STATIC_MAX_PATH),
           404;
  if (n > 0 && path[0] != '/')
    return set_why(r, "a path not starting with '/'"), 404;
  size_t i = n > 0 ? 1 : 0, end = d->has_slash ? n - 1 : n;
  if (end > 0 && path[end - 1] == '/')
    return set_why(r, "an empty segment in the path"), 404; /* "..//" */
  while (i < end) {
    const char *slash = memchr(path + i, '/', end - i);
    size_t seg = slash ? (size_t)(slash - (path + i)) : end - i;
    if (d->len > 0)
      d->rel[d->len++] = '/';
    int status = decode_segment(path + i, seg, d, r);
    if (status)
      return status;
    i += seg + 1;
  }
  d->rel[d->len] = '\0';
  return 0;
}

/* ---- files ---- */

/* Opens @p rel ("" for the directory) beneath s->dirfd, for reading: the fd,
 * or -errno (-EXDEV: it would lead out of the directory). O_NONBLOCK so a
 * FIFO does not block the open; fstat refuses it after. */
static int open_beneath(const pg_static *s, const char *rel) {
  struct open_how how = {
      .flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
      .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
  };
  for (int tries = 0;; tries++) {
    long fd =
        syscall(SYS_openat2, s->dirfd, rel[0] ? rel : ".", &how, sizeof how);
    if (fd >= 0)
      return (int)fd;
    if (errno != EINTR && (errno != EAGAIN || tries >= 16))
      return -errno; /* EAGAIN: a rename raced the lookup */
  }
}

/* The status for open_beneath's failure @p neg_errno on @p what. */
static int open_failed(pg_static_response *r, const char *what, int neg_errno) {
  int e = -neg_errno;
  if (e == EXDEV)
    set_why(r, "/%s: leads out of the directory", what);
  else
    set_why_errno(r, what, e);
  switch (e) {
  case EACCES:
  case EPERM:
    return 403;
  case ENOENT:
  case ENOTDIR:
  case EXDEV:
  case ELOOP:
  case ENAMETOOLONG:
  case ENXIO: /* a socket */
  case ENODEV:
    return 404;
  default:
    return 500;
  }
}

static const struct {
  const char *ext;
  const char *type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/vnd.microsoft.icon"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
};

/* The content type of file name @p name, by its extension, ignoring case. */
static const char *content_type(const char *name) {
  const char *slash = strrchr(name, '/');
  const char *dot = strrchr(slash ? slash + 1 : name, '.');
  if (dot != NULL)
    for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
      if (strcasecmp(dot + 1, content_types[i].ext) == 0)
        return content_types[i].type;
  return "application/octet-stream";
}

/* ---- dates ---- */

static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed",
                                "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm):
 * no time zone, no locale, no lock. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Writes @p t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into
 * @p out (30 bytes for any year of 4 digits). */
static void format_date(int64_t t, char *out, size_t cap) {
  struct tm tm;
  time_t tt = (time_t)t;
  if (gmtime_r(&tt, &tm) == NULL)
    memset(&tm, 0, sizeof tm);
  int year = tm.tm_year + 1900 < 0 ? 0 : tm.tm_year + 1900;
  int n = snprintf(out, cap, "%s, %02u %s %04u %02u:%02u:%02u GMT",
                   days[(unsigned)tm.tm_wday % 7], (unsigned)tm.tm_mday % 100u,
                   months[(unsigned)tm.tm_mon % 12], (unsigned)year % 10000u,
                   (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
                   (unsigned)tm.tm_sec % 100u);
  if (n < 0 || (size_t)n >= cap)
    out[0] = '\0'; /* cannot happen: cap is 30 or more */
}

static int month_of(const char *s) {
  for (int i = 0; i < 12; i++)
    if (strncmp(s, months[i], 3) == 0)
      return i + 1;
  return 0;
}

/* Reads an HTTP date in any of RFC 9110's three forms into *out (seconds
 * since the epoch); false when it is none of them. */
static bool parse_date(const char *s, int64_t *out) {
  char wd[16], mon[4];
  int d, y, h, mi, sec, n = 0;
  const char *comma = strchr(s, ',');
  if (comma != NULL && comma - s == 3) { /* IMF-fixdate */
    if (sscanf(s, "%3[A-Za-z], %2d %3s %4d %2d:%2d:%2d GMT%n", wd, &d, mon, &y,
               &h, &mi, &sec, &n) != 7)
      return false;
  } else if (comma != NULL) { /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
    if (sscanf(comma + 1, " %2d-%3s-%2d %2d:%2d:%2d GMT%n", &d, mon, &y, &h,
               &mi, &sec, &n) != 6)
      return false;
    y += y < 70 ? 2000 : 1900;
    s = comma + 1;
  } else { /* asctime: "Sun Nov  6 08:49:37 1994" */
    if (sscanf(s, "%3s %3s %d %2d:%2d:%2d %4d%n", wd, mon, &d, &h, &mi, &sec,
               &y, &n) != 7)
      return false;
  }
  int m = month_of(mon);
  if (s[n] != '\0' || m == 0 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec > 60 || h < 0 || mi < 0 || sec < 0)
    return false;
  *out = days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + sec;
  return true;
}

/* ---- validators ---- */

static const char *skip_ows(const char *p) {
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* Reads one entity-tag at @p p: *tag and *len, its opaque part with quotes,
 * *is_weak; the end, or NULL when malformed. */
static const char *read_etag(const char *p, const char **tag, size_t *len,
                             bool *is_weak) {
  *is_weak = p[0] == 'W' && p[1] == '/';
  if (*is_weak)
    p += 2;
  if (*p != '"')
    return NULL;
  const char *end = strchr(p + 1, '"');
  if (end == NULL)
    return NULL;
  *tag = p;
  *len = (size_t)(end + 1 - p);
  return end + 1;
}

/* If-None-Match @p list against @p etag, compared weakly: '*' or any
 * entity-tag of the list with the same opaque part. A malformed list
 * matches nothing. */
static bool none_match_hits(const char *list, const char *etag) {
  const char *p = skip_ows(list);
  if (*p == '*')
    return *skip_ows(p + 1) == '\0';
  while (*p != '\0') {
    const char *tag;
    size_t len;
    bool is_weak;
    p = read_etag(p, &tag, &len, &is_weak);
    if (p == NULL)
      return false;
    if (len == strlen(etag) && memcmp(tag, etag, len) == 0)
      return true;
    p = skip_ows(p);
    if (*p == ',')
      p = skip_ows(p + 1);
    else if (*p != '\0')
      return false;
  }
  return false;
}

/* If-Range @p v: the range applies when it is the file's strong ETag or
 * exactly its Last-Modified date. */
static bool if_range_holds(const char *v, const char *etag, int64_t mtime_s) {
  v = skip_ows(v);
  if (v[0] == '"' || (v[0] == 'W' && v[1] == '/')) {
    const char *tag;
    size_t len;
    bool is_weak;
    const char *end = read_etag(v, &tag, &len, &is_weak);
    return end != NULL && *skip_ows(end) == '\0' && !is_weak &&
           len == strlen(etag) && memcmp(tag, etag, len) == 0;
  }
  int64_t t;
  return parse_date(v, &t) && t == mtime_s;
}

/* ---- ranges ---- */

/* Reads decimal digits at *p into *out; false with none or on overflow. */
static bool read_u64(const char **p, uint64_t *out) {
  const char *s = *p;
  uint64_t v = 0;
  if (*s < '0' || *s > '9')
    return false;
  for (; *s >= '0' && *s <= '9'; s++) {
    if (v > (UINT64_MAX - 9) / 10)
      return false;
    v = v * 10 + (uint64_t)(*s - '0');
  }
  *p = s;
  *out = v;
  return true;
}

typedef enum range_kind {
  RANGE_NONE,          /* absent, malformed, several: the whole file */
  RANGE_ONE,           /* *first, *last */
  RANGE_UNSATISFIABLE, /* 416 */
} range_kind;

/* Reads Range @p v for a file of @p size bytes. */
static range_kind parse_range(const char *v, uint64_t size, uint64_t *first,
                              uint64_t *last) {
  const char *p = skip_ows(v);
  if (strncasecmp(p, "bytes=", 6) != 0)
    return RANGE_NONE;
  p = skip_ows(p + 6);
  uint64_t a = 0, b = UINT64_MAX;
  bool is_suffix = *p == '-';
  if (is_suffix) {
    p++;
    if (!read_u64(&p, &b))
      return RANGE_NONE;
  } else {
    if (!read_u64(&p, &a) || *p++ != '-')
      return RANGE_NONE;
    if (*p >= '0' && *p <= '9' && (!read_u64(&p, &b) || b < a))
      return RANGE_NONE;
  }
  if (*skip_ows(p) != '\0')
    return RANGE_NONE; /* several ranges, or junk: the whole file */
  if (is_suffix) {
    if (b == 0 || size == 0)
      return RANGE_UNSATISFIABLE;
    a = b >= size ? 0 : size - b;
    b = size - 1;
  } else if (a >= size) {
    return RANGE_UNSATISFIABLE;
  } else if (b >= size) {
    b = size - 1;
  }
  *first = a;
  *last = b;
  return RANGE_ONE;
}

/* ---- serving a file ---- */

/* Reads @p len bytes at @p off of @p fd into a new body of @p r: 0, or
 * the status of the failure. */
static int read_body(pg_static_response *r, int fd, uint64_t off, size_t len,
                     const char *name) {
  if (len == 0)
    return 0; /* an empty file: no body */
  r->body = pg_mem_malloc(r->mem, len);
  if (r->body == NULL) {
    set_why(r, "/%s: out of memory for %zu bytes", name, len);
    return 500;
  }
  size_t got = 0;
  while (got < len) {
    ssize_t n = pread(fd, r->body + got, len - got, (off_t)(off + got));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n < 0)
        set_why_errno(r, name, errno);
      else
        set_why(r, "/%s: shrank while read", name);
      return 500;
    }
    got += (size_t)n;
  }
  r->len = len;
  return 0;
}

/* One file to answer from. */
typedef struct target {
  int fd;
  struct stat st;
  const char *name; /* its relative path: content type, messages */
} target;

static bool same_version(const struct stat *a, const struct stat *b) {
  return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
         a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* If-None-Match, or else If-Modified-Since, says the client's copy is
 * current. */
static bool is_not_modified(const pg_static_request *rq, const char *etag,
                            int64_t mtime_s) {
  if (rq->if_none_match != NULL)
    return none_match_hits(rq->if_none_match, etag);
  int64_t since;
  return rq->if_modified_since != NULL &&
         parse_date(rq->if_modified_since, &since) && mtime_s <= since;
}

/* The range of the file @p t the request selects: 200 (*first, *count the
 * whole), 206, or 416. */
static int select_range(const pg_static_request *rq, const target *t,
                        const char *etag, bool is_head, uint64_t *first,
                        uint64_t *count) {
  uint64_t size = (uint64_t)t->st.st_size, last = 0;
  *first = 0;
  *count = size;
  if (is_head || rq->range == NULL ||
      (rq->if_range != NULL &&
       !if_range_holds(rq->if_range, etag, (int64_t)t->st.st_mtim.tv_sec)))
    return 200;
  switch (parse_range(rq->range, size, first, &last)) {
  case RANGE_ONE:
    *count = last - *first + 1;
    return 206;
  case RANGE_UNSATISFIABLE:
    return 416;
  default:
    *first = 0;
    return 200;
  }
}

/* Reads the body of @p t and checks it is still the version its headers
 * describe: 0, or 500 with r->why set. */
static int read_checked(pg_static_response *r, const target *t, uint64_t first,
                        size_t count) {
  int status = read_body(r, t->fd, first, count, t->name);
  struct stat after;
  if (status == 0 && fstat(t->fd, &after) != 0)
    status = 500, set_why_errno(r, t->name, errno);
  else if (status == 0 && !same_version(&t->st, &after))
    status = 500, set_why(r, "/%s: changed while read", t->name);
  if (status != 0) {
    pg_mem_free(r->mem, r->body);
    r->body = NULL;
    r->len = 0;
  }
  return status;
}

/* Answers from regular file @p t: conditionals, range, limit, body. */
static int serve_file(const pg_static_request *rq, const target *t,
                      uint64_t max_bytes, bool is_head, pg_static_response *r) {
  uint64_t size = (uint64_t)t->st.st_size;
  int64_t mtime_s = (int64_t)t->st.st_mtim.tv_sec;
  uint64_t mtime_ns =
      (uint64_t)mtime_s * 1000000000u + (uint64_t)t->st.st_mtim.tv_nsec;
  char etag[48], date[80];
  snprintf(etag, sizeof etag, "\"%" PRIx64 "-%" PRIx64 "\"", size, mtime_ns);
  format_date(mtime_s, date, sizeof date);
  if (!reserve_text(r, 256)) /* etag, date and content-range fit */
    return answer(r, 500, is_head);
  if (is_not_modified(rq, etag, mtime_s)) {
    add_headerf(r, "etag", "%s", etag);
    add_headerf(r, "last-modified", "%s", date);
    add_header(r, "cache-control", "no-cache");
    return r->status = 304;
  }
  uint64_t first, count;
  int status = select_range(rq, t, etag, is_head, &first, &count);
  if (status == 416) {
    set_why(r, "/%s: range \"%.64s\" of a file of %" PRIu64 " bytes", t->name,
            rq->range, size);
    answer(r, 416, is_head);
    add_headerf(r, "content-range", "bytes */%" PRIu64, size);
    return 416;
  }
  if (count > max_bytes || count > SIZE_MAX) {
    set_why(r, "/%s: %" PRIu64 " bytes, over the limit of %" PRIu64, t->name,
            count, max_bytes);
    return answer(r, 500, is_head);
  }
  if (!is_head && read_checked(r, t, first, (size_t)count) != 0)
    return answer(r, 500, is_head);
  add_header(r, "content-type", content_type(t->name));
  add_header(r, "x-content-type-options", "nosniff");
  add_headerf(r, "etag", "%s", etag);
  add_headerf(r, "last-modified", "%s", date);
  add_header(r, "accept-ranges", "bytes");
  add_header(r, "cache-control", "no-cache");
  if (status == 206)
    add_headerf(r, "content-range", "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
                first, first + count - 1, size);
  r->content_length = count;
  return r->status = status;
}

/* ---- requests ---- */

static bool has_control(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return true;
  return false;
}

/* 301 to the request path with a '/' added (@p path was checked). */
static int redirect(const pg_static_request *rq, const char *path, bool is_head,
                    pg_static_response *r) {
  const char *base = rq->base ? rq->base : "", *query = rq->query;
  if (has_control(base) || (query && has_control(query))) {
    set_why(r, "a control byte in the path or query");
    return answer(r, 400, is_head);
  }
  size_t len =
      strlen(base) + strlen(path) + 2 + (query ? strlen(query) + 1 : 0);
  if (!reserve_text(r, len))
    return answer(r, 500, is_head);
  add_headerf(r, "location", "%s%s/%s%s", base, path, query ? "?" : "",
              query ? query : "");
  const char *location = r->text;
  if (location[0] != '/' || location[1] == '/') {
    set_why(r, "a redirect to \"%.64s\", not a path", location);
    r->nheaders = 0;
    return answer(r, 404, is_head); /* "//host" would leave the site */
  }
  answer(r, 301, is_head);
  return 301;
}

/* Appends the directory's index file to d->rel: 0, or the status that
 * refuses it. */
static int add_index(const char *index, decoded *d, pg_static_response *r) {
  size_t n = index ? strlen(index) : 0;
  if (index == NULL) {
    set_why(r, "/%s: a directory, and no index file", d->rel);
    return 404;
  }
  if (n == 0 || n > 255 || index[0] == '.' || strpbrk(index, "/\\") ||
      has_control(index)) {
    set_why(r, "index \"%.64s\" is not a plain file name", index);
    return 500;
  }
  if (d->len + 1 + n > PG_STATIC_MAX_PATH) {
    set_why(r, "/%s: too long with its index", d->rel);
    return 404;
  }
  if (d->len > 0)
    d->rel[d->len++] = '/';
  memcpy(d->rel + d->len, index, n + 1);
  d->len += n;
  return 0;
}

/* Opens d->rel as a file to serve into @p t (the index for a directory
 * path ending in '/'): 0, or 301 or the status that refuses it. */
static int open_target(const pg_static *s, const pg_static_request *rq,
                       decoded *d, target *t, pg_static_response *r) {
  t->name = d->rel;
  for (int pass = 0;; pass++) {
    t->fd = open_beneath(s, d->rel);
    if (t->fd < 0)
      return open_failed(r, d->rel, t->fd);
    if (fstat(t->fd, &t->st) != 0) {
      set_why_errno(r, d->rel, errno);
      return 500;
    }
    if (S_ISREG(t->st.st_mode) && pass == 0 && d->has_slash) {
      set_why(r, "/%s/: a file named as a directory", d->rel);
      return 404;
    }
    if (S_ISREG(t->st.st_mode))
      return 0;
    close(t->fd);
    t->fd = -1;
    if (!S_ISDIR(t->st.st_mode) || pass > 0) {
      set_why(r, "/%s: not a regular file", d->rel);
      return 404;
    }
    if (!d->has_slash)
      return 301;
    int status = add_index(rq->index, d, r);
    if (status)
      return status;
  }
}

int pg_static_serve(const pg_static *s, const pg_static_request *rq,
                    uint64_t max_bytes, pg_static_response *out) {
  memset(out, 0, sizeof *out);
  out->mem = s->mem;
  const char *method = rq->method ? rq->method : "";
  bool is_head = strcmp(method, "HEAD") == 0;
  if (!is_head && strcmp(method, "GET") != 0) {
    set_why(out, "method \"%.32s\"", method);
    answer(out, 405, false);
    add_header(out, "allow", "GET, HEAD");
    return 405;
  }
  const char *path = rq->path ? rq->path : "";
  decoded d;
  int status = decode_path(path, &d, out);
  if (status)
    return answer(out, status, is_head);
  target t = {.fd = -1};
  status = open_target(s, rq, &d, &t, out);
  if (status == 0)
    status = serve_file(rq, &t, max_bytes, is_head, out);
  else if (status == 301)
    status = redirect(rq, path, is_head, out);
  else
    status = answer(out, status, is_head);
  if (t.fd >= 0)
    close(t.fd);
  return status;
}

/* ---- lifetime ---- */

int pg_static_open(const char *dir, const pg_mem *mem, pg_static **out,
                   char *err, size_t err_len) {
  int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    char buf[128];
    snprintf(err, err_len, "static files: %s: %s", dir,
             strerror_r(e, buf, sizeof buf));
    return e == ENOENT || e == ENOTDIR ? PARIGOT_ENOENT
           : e == EACCES || e == EPERM ? PARIGOT_EPERM
                                       : PARIGOT_EIO;
  }
  pg_static *s = pg_mem_malloc(mem, sizeof *s);
  if (s == NULL) {
    close(fd);
    snprintf(err, err_len, "static files: %s: out of memory", dir);
    return PARIGOT_ENOMEM;
  }
  s->dirfd = fd;
  s->mem = mem;
  *out = s;
  return 0;
}

void pg_static_free(pg_static *s) {
  if (s == NULL)
    return;
  close(s->dirfd);
  pg_mem_free(s->mem, s);
}
