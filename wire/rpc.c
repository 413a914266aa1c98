/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/rpc.c: a unary call in gRPC or Connect (rpc.h), from the checked
 * request to the app's call and from its reply to the response.
 *
 * gRPC frames its one message with a 5-byte prefix, and says how the call
 * ended in trailers (grpc-status, grpc-message), with HTTP 200 either way.
 * Connect sends the bare message, and a failure as an HTTP status with a
 * JSON body {"code": "...", "message": "..."}; its application/json form
 * needs the service's message types, which the unit's guests declared
 * (pg_wire_set_types), to transcode with pbjson.c.
 */
#include "rpc.h"

#include <stdio.h>
#include <string.h>

#include "grpc.h"
#include "pbjson.h"

static void failure(pg_wire *w, pg_rpc_protocol protocol, uint32_t status,
                    const char *why, int32_t app_error, pg_rpc_response *out);

/* Connect's names for the codes, and the HTTP status of each, as its
 * protocol document gives them (google.rpc.Code's mapping). */
static const struct {
  const char *name;
  int http;
} codes[PG_GRPC_MAX + 1] = {
    {"ok", 200},
    {"canceled", 499},
    {"unknown", 500},
    {"invalid_argument", 400},
    {"deadline_exceeded", 504},
    {"not_found", 404},
    {"already_exists", 409},
    {"permission_denied", 403},
    {"resource_exhausted", 429},
    {"failed_precondition", 400},
    {"aborted", 409},
    {"out_of_range", 400},
    {"unimplemented", 501},
    {"internal", 500},
    {"unavailable", 503},
    {"data_loss", 500},
    {"unauthenticated", 401},
};

pg_rpc_protocol pg_rpc_protocol_of(const char *type, size_t len) {
  /* The media type, without parameters such as "; charset=utf-8". */
  size_t n = 0;
  while (n < len && type[n] != ';' && type[n] != ' ')
    n++;
  if ((n == 16 || (n == 22 && memcmp(type + 16, "+proto", 6) == 0)) &&
      memcmp(type, "application/grpc", 16) == 0)
    return RPC_GRPC;
  if (n == 17 && memcmp(type, "application/proto", 17) == 0)
    return RPC_CONNECT_PROTO;
  if (n == 16 && memcmp(type, "application/json", 16) == 0)
    return RPC_CONNECT_JSON;
  return RPC_NONE;
}

void pg_rpc_plain(pg_rpc_response *out, int http_status) {
  *out = (pg_rpc_response){.http_status = http_status,
                           .content_type = "text/plain"};
}

void pg_rpc_text(pg_wire *w, pg_rpc_response *out, int http_status,
                 const char *text) {
  pg_rpc_plain(out, http_status);
  size_t n = strlen(text);
  out->body = pg_mem_malloc(w->mem, n + 1);
  if (out->body == NULL)
    return;
  memcpy(out->body, text, n);
  out->body[n] = '\n';
  out->len = n + 1;
}

void pg_rpc_response_free(pg_wire *w, pg_rpc_response *r) {
  pg_mem_free(w->mem, r->body);
  r->body = NULL;
  pg_wire_hdrs_free(w->mem, &r->headers);
}

/* JSON strings need their quotes and backslashes escaped, and control
 * characters written as \u00XX. */
static size_t json_escape(const char *s, char *out, size_t cap) {
  size_t n = 0;
  for (; *s != '\0' && n + 7 < cap; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      out[n++] = '\\';
      out[n++] = (char)c;
    } else if (c < 0x20) {
      n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
    } else {
      out[n++] = (char)c;
    }
  }
  out[n] = '\0';
  return n;
}

void pg_rpc_failure(pg_wire *w, pg_rpc_protocol protocol, uint32_t status,
                    const char *why, pg_rpc_response *out) {
  failure(w, protocol, status, why, 0, out);
}

/* A failed call in @p protocol's form. */
static void failure(pg_wire *w, pg_rpc_protocol protocol, uint32_t status,
                    const char *why, int32_t app_error, pg_rpc_response *out) {
  if (status > PG_GRPC_MAX || status == 0)
    status = PG_GRPC_UNKNOWN;
  if (protocol == RPC_GRPC) {
    *out = (pg_rpc_response){.http_status = 200,
                             .content_type = "application/grpc",
                             .is_grpc = true,
                             .is_trailers_only = true,
                             .grpc_status = status,
                             .app_error = app_error};
    pg_grpc_encode_message(why, strlen(why), out->grpc_message,
                           sizeof out->grpc_message);
    return;
  }
  char message[1024];
  json_escape(why, message, sizeof message);
  size_t cap = strlen(message) + 64;
  *out = (pg_rpc_response){.http_status = codes[status].http,
                           .content_type = "application/json",
                           .app_error = app_error};
  out->body = pg_mem_malloc(w->mem, cap);
  if (out->body != NULL)
    out->len = (size_t)snprintf((char *)out->body, cap,
                                "{\"code\":\"%s\",\"message\":\"%s\"}",
                                codes[status].name, message);
}

/* "/package.Service/Method": the two names, or false. */
bool pg_rpc_split_path(const char *p, size_t len, const char **service,
                       size_t *service_len, const char **method,
                       size_t *method_len) {
  const char *slash = len > 1 ? memchr(p + 1, '/', len - 1) : NULL;
  if (len < 4 || p[0] != '/' || slash == NULL || slash == p + 1 ||
      slash == p + len - 1)
    return false;
  *service = p + 1;
  *service_len = (size_t)(slash - p - 1);
  *method = slash + 1;
  *method_len = len - (size_t)(slash - p) - 1;
  return memchr(*method, '/', *method_len) == NULL;
}

/* The request's message in binary: as sent, unframed, or from JSON
 * (then owned by @p json). False with the failure in @p early. */
static bool request_message(pg_wire *w, const pg_rpc_request *req,
                            const char *input_type, pg_pbjson_buf *json,
                            const uint8_t **msg, size_t *msg_len,
                            pg_rpc_response *early) {
  uint32_t status;
  const char *why;
  char text[512];
  switch (req->protocol) {
  case RPC_GRPC:
    if (pg_grpc_unframe(req->body, req->len, msg, msg_len, &status, &why))
      return true;
    failure(w, req->protocol, status, why, 0, early);
    return false;
  case RPC_CONNECT_JSON:
    *json = (pg_pbjson_buf){.mem = w->mem};
    if (pg_pbjson_from_json(w->types, input_type, (const char *)req->body,
                            req->len, json, text, sizeof text) == 0) {
      *msg = json->data;
      *msg_len = json->len;
      return true;
    }
    failure(w, req->protocol, PG_GRPC_INVALID_ARGUMENT, text, 0, early);
    return false;
  default:
    *msg = req->body;
    *msg_len = req->len;
    return true;
  }
}

uint64_t pg_rpc_start(pg_wire *w, const pg_rpc_request *req, pg_rpc_call *call,
                      pg_rpc_response *early) {
  const char *service, *method, *input_type = NULL, *output_type = NULL;
  size_t service_len, method_len, msg_len;
  const uint8_t *msg;
  char text[512] = "";
  *call = (pg_rpc_call){.protocol = req->protocol};
  if (!req->is_post) {
    pg_rpc_plain(early, 405);
    return 0;
  }
  if (req->protocol == RPC_NONE ||
      (req->protocol == RPC_GRPC && !req->is_http2)) {
    pg_rpc_plain(early, 415); /* gRPC needs HTTP/2 */
    return 0;
  }
  if (req->has_encoding) {
    failure(w, req->protocol, PG_GRPC_UNIMPLEMENTED,
            "compressed messages are not supported", 0, early);
    return 0;
  }
  if (req->is_too_big) {
    snprintf(text, sizeof text,
             "request larger than max_message_size (%llu "
             "bytes)",
             (unsigned long long)w->cfg.max_message_size);
    failure(w, req->protocol, PG_GRPC_RESOURCE_EXHAUSTED, text, 0, early);
    return 0;
  }
  if (!pg_rpc_split_path(req->path, req->path_len, &service, &service_len,
                         &method, &method_len)) {
    failure(w, req->protocol, PG_GRPC_UNIMPLEMENTED, "malformed method path", 0,
            early);
    return 0;
  }
  if (req->protocol == RPC_CONNECT_JSON &&
      (w->types == NULL ||
       pg_pbjson_method(w->types, service, service_len, method, method_len,
                        &input_type, &output_type) != 0)) {
    snprintf(text, sizeof text,
             "no method %.*s/%.*s with known message "
             "types, which JSON needs",
             (int)service_len, service, (int)method_len, method);
    failure(w, req->protocol, PG_GRPC_UNIMPLEMENTED, text, 0, early);
    return 0;
  }
  pg_pbjson_buf json = {.mem = w->mem};
  if (!request_message(w, req, input_type, &json, &msg, &msg_len, early))
    return 0;
  uint64_t id = 0;
  const pg_wire_who *who = req->who;
  pg_wire_call_in in = {
      .service = service,
      .service_len = service_len,
      .method = method,
      .method_len = method_len,
      .req = msg,
      .req_len = msg_len,
      .timeout_ns = req->timeout_ns,
      .is_from_peer = who->is_from_peer,
      .caller = who->caller,
      .origin = who->origin,
      .ctx = {who->user_id, who->user_name, who->user_roles, who->traceparent}};
  uint32_t status = w->app.call(w->app.user, &in, &id, text, sizeof text);
  pg_pbjson_buf_free(&json);
  if (status != 0) {
    failure(w, req->protocol, status, text, 0, early);
    return 0;
  }
  call->output_type = output_type;
  return id;
}

void pg_rpc_respond(pg_wire *w, const pg_rpc_call *call, const pg_wire_job *j,
                    pg_rpc_response *out) {
  if (j->status != 0) {
    char why[512];
    size_t n = j->len < sizeof why - 1 ? j->len : sizeof why - 1;
    memcpy(why, j->msg, n);
    why[n] = '\0';
    failure(w, call->protocol, j->status, why, j->app_error, out);
    return;
  }
  if (call->protocol == RPC_CONNECT_JSON) {
    char text[512];
    pg_pbjson_buf json = {.mem = w->mem};
    if (pg_pbjson_to_json(w->types, call->output_type, j->msg, j->len, &json,
                          text, sizeof text) != 0) {
      pg_pbjson_buf_free(&json);
      failure(w, call->protocol, PG_GRPC_INTERNAL, text, 0, out);
      return;
    }
    *out = (pg_rpc_response){.http_status = 200,
                             .content_type = "application/json",
                             .body = json.data,
                             .len = json.len};
    return;
  }
  bool is_grpc = call->protocol == RPC_GRPC;
  size_t prefix = is_grpc ? PG_GRPC_PREFIX : 0;
  *out = (pg_rpc_response){.http_status = 200,
                           .is_grpc = is_grpc,
                           .content_type = is_grpc ? "application/grpc"
                                                   : "application/proto"};
  out->body = pg_mem_malloc(w->mem, prefix + j->len + 1);
  if (out->body == NULL) {
    failure(w, call->protocol, PG_GRPC_RESOURCE_EXHAUSTED, "out of memory", 0,
            out);
    return;
  }
  if (is_grpc)
    pg_grpc_frame(out->body, j->len);
  memcpy(out->body + prefix, j->msg, j->len);
  out->len = prefix + j->len;
}
