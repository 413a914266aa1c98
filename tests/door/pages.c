/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/door/pages.c: doortest.v1.Pages, a guest that serves web pages
 * through a [[route]] (parigot.http.v1): GET /page asks Front who the
 * user is, three calls deep, and answers HTML with their name; /page/go
 * redirects there with a cookie; /page/echo answers what it was sent.
 */
#include <stdio.h>
#include <string.h>

#include "doortest/v1/doortest.pg.h"
#include "parigot/guest.h"
#include "parigot/http/v1/http.pg.h"

static parigot_pb_bytes text(const char *s) {
  return (parigot_pb_bytes){(uint8_t *)s, strlen(s)};
}

static bool is(parigot_pb_bytes b, const char *s) {
  return b.len == strlen(s) && memcmp(b.data, s, b.len) == 0;
}

static void answer(parigot_call *call, uint32_t status, const char *type,
                   const char *body, const parigot_http_v1_Header *extra,
                   size_t nextra) {
  static parigot_http_v1_Header headers[4];
  parigot_http_v1_Response r;
  parigot_http_v1_Response_init(&r);
  r.status = status;
  parigot_http_v1_Header_init(&headers[0]);
  headers[0].name = text("content-type");
  headers[0].value = text(type);
  for (size_t i = 0; i < nextra && i < 3; i++)
    headers[1 + i] = extra[i];
  r.headers = headers;
  r.headers_count = 1 + (nextra < 3 ? nextra : 3);
  r.body = text(body);
  doortest_v1_Pages_Handle_respond(call, &r);
}

static void who_answered(void *ctx, const doortest_v1_WhoResponse *w) {
  static char html[2048], path[256];
  path[0] = '\0';
  for (size_t i = 0; i < w->path_count; i++)
    snprintf(path + strlen(path), sizeof path - strlen(path), "%s%.*s",
             i ? " &lt; " : "", (int)w->path[i].len,
             (const char *)w->path[i].data);
  snprintf(html, sizeof html,
           "<!doctype html><html><head><title>door</title></head><body>"
           "<h1 id=\"user\">Hello, %.*s</h1><p id=\"roles\">%.*s</p>"
           "<p id=\"path\">%s</p></body></html>",
           (int)w->name.len, (const char *)w->name.data, (int)w->roles.len,
           (const char *)w->roles.data, path);
  answer(ctx, 200, "text/html; charset=utf-8", html, NULL, 0);
}

static void who_failed(void *ctx, const parigot_status *st) {
  static char body[512];
  snprintf(body, sizeof body, "Front failed: %s\n", st->message);
  answer(ctx, 502, "text/plain; charset=utf-8", body, NULL, 0);
}

static void handle(parigot_call *call, const parigot_http_v1_Request *req,
                   void *ctx) {
  (void)ctx;
  static char body[8192];
  if (is(req->path, "/page/go")) {
    parigot_http_v1_Header h[2];
    parigot_http_v1_Header_init(&h[0]);
    parigot_http_v1_Header_init(&h[1]);
    h[0].name = text("location");
    h[0].value = text("/page");
    h[1].name = text("set-cookie");
    h[1].value = text("visited=yes; Path=/; HttpOnly");
    answer(call, 302, "text/plain", "to /page\n", h, 2);
  } else if (is(req->path, "/page/echo")) {
    parigot_user u;
    int n = snprintf(body, sizeof body,
                     "method=%.*s path=%.*s query=%.*s route=%.*s user=%s "
                     "body=%.*s\n",
                     (int)req->method.len, (const char *)req->method.data,
                     (int)req->path.len, (const char *)req->path.data,
                     (int)req->query.len, (const char *)req->query.data,
                     (int)req->route.len, (const char *)req->route.data,
                     parigot_call_user(&u) ? u.id : "-", (int)req->body.len,
                     (const char *)req->body.data);
    for (size_t i = 0;
         i < req->headers_count && n > 0 && (size_t)n < sizeof body; i++)
      n += snprintf(body + n, sizeof body - (size_t)n, "header %.*s: %.*s\n",
                    (int)req->headers[i].name.len,
                    (const char *)req->headers[i].name.data,
                    (int)req->headers[i].value.len,
                    (const char *)req->headers[i].value.data);
    answer(call, 200, "text/plain; charset=utf-8", body, NULL, 0);
  } else {
    doortest_v1_WhoRequest w;
    doortest_v1_WhoRequest_init(&w);
    doortest_v1_Front_Who(&w, who_answered, who_failed, call);
  }
}

void parigot_guest_declare(void) {
  static const doortest_v1_Pages_handlers h = {.Handle = handle};
  doortest_v1_Front_require();
  doortest_v1_Pages_export(&h);
}

void parigot_guest_start(void) {}
