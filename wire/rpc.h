/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire/rpc.h: one unary call as the protocols carry it, whatever the HTTP
 * version underneath: gRPC (HTTP/2 only) and Connect, in binary protobuf
 * or in JSON. The transports (server.c for HTTP/2, http1.c for HTTP/1.1)
 * fill a pg_rpc_request from what they parsed; rpc.c checks it, turns it
 * into a call of the app, and writes the pg_rpc_response they send back: its
 * status line, headers, body and, for gRPC, trailers.
 *
 * Loop thread only. Every byte of a request is untrusted.
 */
#ifndef PG_WIRE_RPC_H
#define PG_WIRE_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wireint.h"

typedef enum pg_rpc_protocol {
  RPC_NONE = 0,      /* a content type no protocol here speaks */
  RPC_GRPC,          /* application/grpc[+proto] */
  RPC_CONNECT_PROTO, /* application/proto */
  RPC_CONNECT_JSON,  /* application/json */
} pg_rpc_protocol;

/* What a transport read of a request. */
typedef struct pg_rpc_request {
  const char *path; /* "/package.Service/Method" */
  size_t path_len;
  bool is_post;
  bool is_http2;
  pg_rpc_protocol protocol;
  bool has_encoding;      /* compressed: not supported */
  uint64_t timeout_ns;    /* grpc-timeout or connect-timeout-ms; 0: none */
  const pg_wire_who *who; /* who calls, for whom */
  const uint8_t *body;
  size_t len;
  bool is_too_big; /* the body passed max_message_size; not kept */
} pg_rpc_request;

/* What to send back. The body and headers are owned
 * (pg_rpc_response_free). A gRPC response ends with trailers: after the
 * body, or alone in the headers (is_trailers_only) when the call failed.
 * A HEAD request's answer is sent without its body (the stream knows). */
typedef struct pg_rpc_response {
  int http_status;
  const char *content_type; /* NULL: none, or one in headers */
  pg_wire_hdrs headers;     /* more header lines, sent as they are */
  uint8_t *body;
  size_t len;
  bool is_length_set;      /* Content-Length is content_length, not len */
  uint64_t content_length; /* a HEAD's: what GET would send */
  bool is_grpc;
  bool is_trailers_only;
  uint32_t grpc_status;
  char grpc_message[512]; /* percent-encoded */
  int32_t app_error;      /* parigot-app-error, when not 0 */
} pg_rpc_response;

/* A call in progress, as the transport keeps it until the reply. */
typedef struct pg_rpc_call {
  pg_rpc_protocol protocol;
  const char *output_type; /* JSON: the response's message type */
} pg_rpc_call;

/* Checks @p req and starts its call: the id (never 0), with @p call
 * filled; or 0 with @p early the response to send at once. */
uint64_t pg_rpc_start(pg_wire *w, const pg_rpc_request *req, pg_rpc_call *call,
                      pg_rpc_response *early);

/* The response to @p call from the app's reply @p j. */
void pg_rpc_respond(pg_wire *w, const pg_rpc_call *call, const pg_wire_job *j,
                    pg_rpc_response *out);

/* An HTTP-level answer with no protocol body (405, 415...). */
void pg_rpc_plain(pg_rpc_response *out, int http_status);

/* An HTTP-level answer (text/plain) with a short text body, copied, and a
 * newline. */
void pg_rpc_text(pg_wire *w, pg_rpc_response *out, int http_status,
                 const char *text);

/* A failed call in @p protocol's form: gRPC trailers, or Connect's
 * status and JSON. */
void pg_rpc_failure(pg_wire *w, pg_rpc_protocol protocol, uint32_t status,
                    const char *why, pg_rpc_response *out);

/* Whether @p path is "/package.Service/Method", with its two names. */
bool pg_rpc_split_path(const char *path, size_t len, const char **service,
                       size_t *service_len, const char **method,
                       size_t *method_len);

void pg_rpc_response_free(pg_wire *w, pg_rpc_response *r);

/* The protocol a Content-Type names. */
pg_rpc_protocol pg_rpc_protocol_of(const char *type, size_t len);

#endif /* PG_WIRE_RPC_H */
