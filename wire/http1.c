/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/http1.c: HTTP/1.1 on a unit's port, for Connect's unary calls
 * (curl, browsers, any HTTP client), parsed by Node's http-parser (Debian's
 * libhttp-parser-dev) rather than by hand.
 *
 * One request at a time per connection: when one is whole, reading stops
 * and the parser pauses until its response is written; the bytes already
 * read after it (pipelined requests) wait in `pending`. One loop (run)
 * parses and dispatches them in turn, never recursing, however many a
 * client sends at once. A request that breaks the limits (URL, headers,
 * body) gets its HTTP status and the connection closes after it; a
 * malformed one gets 400.
 *
 * Owns the connection's h1 state and its pending bytes; loop thread only.
 */
#include <http_parser.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "parigot/error.h"
#include "rpc.h"
#include "wireint.h"

struct pg_wire_h1 {
  http_parser parser;
  pg_wire_stream *s; /* the request being read or answered */
  char field[64];    /* the header being read, lowercased */
  size_t field_len;
  char value[8192];
  size_t value_len;
  bool in_value;    /* the parser is in a value: a field ends it */
  bool is_overlong; /* a header did not fit: 431 */
  bool keeps_alive;
  bool wants_continue; /* Expect: 100-continue */
  bool is_answering;   /* whole; its response is not written yet */
  bool is_running;     /* run() is on the stack */
  bool is_paused;      /* reading stopped while a request is answered */
  uint8_t *pending;    /* owned: bytes read and not parsed yet */
  size_t npending;
};

static pg_wire_conn *conn_of(http_parser *p) {
  return p->data;
}

/* The header read so far goes to the stream, as HTTP/2's would. */
static int end_header(pg_wire_conn *c) {
  pg_wire_h1 *h = c->h1;
  if (h->field_len == 0)
    return 0;
  if (h->field_len == 6 && memcmp(h->field, "expect", 6) == 0 &&
      h->value_len == 12 && strncasecmp(h->value, "100-continue", 12) == 0)
    h->wants_continue = true;
  bool ok = pg_wire_stream_header(h->s, (const uint8_t *)h->field, h->field_len,
                                  (const uint8_t *)h->value, h->value_len);
  h->field_len = h->value_len = 0;
  h->in_value = false;
  h->is_overlong |= !ok; /* past max_header_bytes */
  return ok ? 0 : -1;
}

static int on_begin(http_parser *p) {
  pg_wire_conn *c = conn_of(p);
  c->h1->s = pg_wire_stream_new(c, 0);
  return c->h1->s != NULL ? 0 : -1;
}

static int on_url(http_parser *p, const char *at, size_t len) {
  pg_wire_stream *s = conn_of(p)->h1->s;
  if (s->path_len + len >= sizeof s->path)
    return -1; /* 414 in spirit; the parser's error closes */
  memcpy(s->path + s->path_len, at, len);
  s->path_len += len;
  s->path[s->path_len] = '\0';
  return 0;
}

static int on_field(http_parser *p, const char *at, size_t len) {
  pg_wire_conn *c = conn_of(p);
  pg_wire_h1 *h = c->h1;
  if (h->in_value && end_header(c) != 0)
    return -1;
  for (size_t i = 0; i < len; i++) {
    if (h->field_len + 1 >= sizeof h->field) {
      h->is_overlong = true;
      return -1;
    }
    char ch = at[i];
    h->field[h->field_len++] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
  }
  return 0;
}

static int on_value(http_parser *p, const char *at, size_t len) {
  pg_wire_h1 *h = conn_of(p)->h1;
  h->in_value = true;
  if (h->value_len + len >= sizeof h->value) {
    h->is_overlong = true;
    return -1;
  }
  memcpy(h->value + h->value_len, at, len);
  h->value_len += len;
  return 0;
}

static int on_headers_done(http_parser *p) {
  pg_wire_conn *c = conn_of(p);
  if (end_header(c) != 0)
    return -1;
  pg_wire_stream *s = c->h1->s;
  snprintf(s->method, sizeof s->method, "%s",
           http_method_str((enum http_method)p->method));
  s->is_post = p->method == HTTP_POST;
  s->is_head = p->method == HTTP_HEAD;
  if (c->h1->wants_continue) { /* curl waits for it before a big body */
    static const char go_on[] = "HTTP/1.1 100 Continue\r\n\r\n";
    c->h1->wants_continue = false;
    pg_wire_conn_write(c, go_on, sizeof go_on - 1, NULL, 0);
  }
  return 0;
}

static int on_body(http_parser *p, const char *at, size_t len) {
  pg_wire_stream *s = conn_of(p)->h1->s;
  return pg_wire_stream_add_body(s, (const uint8_t *)at, len) ? 0 : -1;
}

/* Whole: nothing more is read until it is answered. Pausing makes
 * http_parser_execute return at once; pg_wire_h1_feed starts the call. */
static int on_done(http_parser *p) {
  pg_wire_conn *c = conn_of(p);
  pg_wire_h1 *h = c->h1;
  h->keeps_alive = http_should_keep_alive(p) != 0;
  h->is_answering = true;
  http_parser_pause(p, 1);
  if (!h->is_paused) {
    h->is_paused = true;
    uv_read_stop((uv_stream_t *)&c->tcp);
  }
  return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_begin,
    .on_url = on_url,
    .on_header_field = on_field,
    .on_header_value = on_value,
    .on_headers_complete = on_headers_done,
    .on_body = on_body,
    .on_message_complete = on_done,
};

int pg_wire_h1_session(pg_wire_conn *c) {
  c->h1 = pg_mem_calloc(c->w->mem, 1, sizeof *c->h1);
  if (c->h1 == NULL)
    return PARIGOT_ENOMEM;
  http_parser_init(&c->h1->parser, HTTP_REQUEST);
  c->h1->parser.data = c;
  return 0;
}

void pg_wire_h1_free(pg_wire_conn *c) {
  if (c->h1 == NULL)
    return;
  pg_mem_free(c->w->mem, c->h1->pending);
  pg_mem_free(c->w->mem, c->h1);
  c->h1 = NULL;
}

static const char *reason(int status) {
  switch (status) {
  case 200:
    return "OK";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 408:
    return "Request Timeout";
  case 409:
    return "Conflict";
  case 413:
    return "Payload Too Large";
  case 414:
    return "URI Too Long";
  case 415:
    return "Unsupported Media Type";
  case 429:
    return "Too Many Requests";
  case 431:
    return "Request Header Fields Too Large";
  case 499:
    return "Client Closed Request";
  case 502:
    return "Bad Gateway";
  case 301:
    return "Moved Permanently";
  case 302:
    return "Found";
  case 303:
    return "See Other";
  case 304:
    return "Not Modified";
  case 307:
    return "Temporary Redirect";
  case 308:
    return "Permanent Redirect";
  case 201:
    return "Created";
  case 204:
    return "No Content";
  case 206:
    return "Partial Content";
  case 416:
    return "Range Not Satisfiable";
  case 501:
    return "Not Implemented";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  default:
    return status >= 500 ? "Internal Server Error" : "Status";
  }
}

/* Writes a whole response, its extra headers from @p extra (may be NULL);
 * a HEAD request's without the body. False if it could not be queued. */
static bool write_response(pg_wire_conn *c, int status, const char *type,
                           const pg_wire_hdrs *extra, const uint8_t *body,
                           size_t len, uint64_t length, int32_t app_error,
                           bool closes, bool is_head) {
  size_t cap = 256 + (extra != NULL ? extra->len + 4 * extra->n : 0);
  char *head = pg_mem_malloc(c->w->mem, cap);
  if (head == NULL)
    return false;
  size_t n =
      (size_t)snprintf(head, cap, "HTTP/1.1 %d %s\r\n", status, reason(status));
  if (type != NULL)
    n += (size_t)snprintf(head + n, cap - n, "Content-Type: %s\r\n", type);
  if (status != 304 && status != 204)
    n += (size_t)snprintf(head + n, cap - n, "Content-Length: %llu\r\n",
                          (unsigned long long)length);
  if (app_error != 0)
    n += (size_t)snprintf(head + n, cap - n, "Parigot-App-Error: %d\r\n",
                          app_error);
  if (closes)
    n += (size_t)snprintf(head + n, cap - n, "Connection: close\r\n");
  size_t at = 0;
  const char *name, *value;
  while (extra != NULL && pg_wire_hdrs_next(extra, &at, &name, &value))
    n += (size_t)snprintf(head + n, cap - n, "%s: %s\r\n", name, value);
  n += (size_t)snprintf(head + n, cap - n, "\r\n");
  bool ok = n < cap && pg_wire_conn_write(c, head, n, body, is_head ? 0 : len);
  pg_mem_free(c->w->mem, head);
  return ok;
}

static void run(pg_wire_conn *c);

void pg_wire_h1_send(pg_wire_stream *s, const void *response) {
  pg_rpc_response *r = (pg_rpc_response *)response;
  pg_wire_conn *c = s->c;
  pg_wire_h1 *h = c->h1;
  bool closes = !h->keeps_alive;
  bool ok =
      write_response(c, r->http_status, r->content_type, &r->headers, r->body,
                     r->len, r->is_length_set ? r->content_length : r->len,
                     r->app_error, closes, s->is_head);
  pg_rpc_response_free(c->w, r);
  if (h->s == s)
    h->s = NULL;
  pg_wire_stream_free(c, s);
  if (!ok || closes) {
    pg_wire_conn_end(c);
    return;
  }
  h->is_answering = false;
  http_parser_pause(&h->parser, 0);
  run(c); /* the next one; or, called from run, run's loop goes on */
}

/* A request the parser or the limits refused: its status, and the end. */
static void refuse(pg_wire_conn *c, int status) {
  const char *msg = status == 431   ? "request headers too large"
                    : status == 414 ? "URL too long"
                    : status == 408 ? "request not whole in time"
                                    : "malformed HTTP request";
  write_response(c, status, "text/plain", NULL, (const uint8_t *)msg,
                 strlen(msg), strlen(msg), 0, true, false);
  if (c->h1->s != NULL) {
    pg_wire_stream_free(c, c->h1->s);
    c->h1->s = NULL;
  }
  pg_wire_conn_end(c);
}

void pg_wire_h1_timed_out(pg_wire_conn *c) {
  refuse(c, 408);
}

/* Bytes read past the request being answered, for later. */
static int keep(pg_wire_conn *c, const uint8_t *data, size_t len) {
  pg_wire_h1 *h = c->h1;
  if (len == 0)
    return 0;
  uint8_t *more = pg_mem_realloc(c->w->mem, h->pending, h->npending + len);
  if (more == NULL)
    return PARIGOT_ENOMEM;
  memcpy(more + h->npending, data, len);
  h->pending = more;
  h->npending += len;
  return 0;
}

/* Parses what is pending, one request at a time, and starts each call
 * once the parser has returned (an answer given at once comes back here
 * through pg_wire_h1_send, which only lets the loop go on). Reads again when
 * all is answered and parsed. */
static void run(pg_wire_conn *c) {
  pg_wire_h1 *h = c->h1;
  if (h->is_running)
    return;
  h->is_running = true;
  while (!c->is_closing && !c->is_ending && !h->is_answering &&
         h->npending > 0) {
    uint8_t *data = h->pending;
    size_t len = h->npending;
    h->pending = NULL;
    h->npending = 0;
    size_t used =
        http_parser_execute(&h->parser, &settings, (const char *)data, len);
    enum http_errno e = HTTP_PARSER_ERRNO(&h->parser);
    int rc =
        e == HPE_PAUSED || e == HPE_OK ? keep(c, data + used, len - used) : 0;
    pg_mem_free(c->w->mem, data);
    if (rc != 0) {
      pg_wire_conn_end(c);
      break;
    }
    if (e == HPE_PAUSED) {
      pg_wire_stream_dispatch(
          h->s); /* may answer at once: see pg_wire_h1_send */
    } else if (e != HPE_OK) {
      bool is_header = h->is_overlong || e == HPE_HEADER_OVERFLOW;
      refuse(c, is_header ? 431 : e == HPE_CB_url ? 414 : 400);
      break;
    }
  }
  if (c->is_closing)
    return; /* h1 may be gone */
  h->is_running = false;
  if (c->is_ending)
    return; /* its last answer is on its way */
  if (!h->is_answering && h->is_paused) {
    h->is_paused = false;
    pg_wire_conn_read(c);
  }
}

int pg_wire_h1_feed(pg_wire_conn *c, const uint8_t *data, size_t len) {
  int rc = keep(c, data, len);
  if (rc == 0)
    run(c);
  return rc;
}
