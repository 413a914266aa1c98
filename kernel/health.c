/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/health.c: grpc.health.v1.Health/Check for a unit (see health.h).
 * HealthCheckRequest { string service = 1; } in, HealthCheckResponse
 * { ServingStatus status = 1; } out, read and written here by hand: two
 * fields do not need a codec. No state of its own.
 */
#include "health.h"

#include <stdio.h>
#include <string.h>

#include "parigot/abi.h"
#include "pbwire.h"

/* HealthCheckResponse.ServingStatus */
enum { SERVING = 1, NOT_SERVING = 2 };

bool pg_health_is_service(const char *service, size_t len) {
  return len == sizeof PG_HEALTH_SERVICE - 1 &&
         memcmp(service, PG_HEALTH_SERVICE, len) == 0;
}

/* The service the request names; "" (the whole unit) when none. */
static bool read_request(const uint8_t *req, size_t len, const uint8_t **name,
                         size_t *name_len) {
  pg_pbwire_reader r = pg_pbwire_reader_of(req, len);
  pg_pbwire_field f;
  *name = (const uint8_t *)"";
  *name_len = 0;
  while (r.p < r.end) {
    if (pg_pbwire_read_field(&r, &f) != NULL)
      return false;
    if (f.num == 1 && f.wt == PG_PBWIRE_LEN) {
      *name = f.p;
      *name_len = f.len;
    }
  }
  return true;
}

/* Whether the unit serves: every local guest that exports is up. */
static bool unit_serves(const pg_app *app) {
  if (app->is_shutting_down)
    return false;
  for (uint32_t i = 0; i < app->nguests; i++) {
    const pg_guest *g = &app->guests[i];
    if (!g->is_remote && g->nexports > 0 && !g->spec->is_program && !g->is_up)
      return false;
  }
  return true;
}

/* NOT_FOUND (-1) when no local guest exports @p name. */
static int service_status(const pg_app *app, const uint8_t *name, size_t len) {
  for (uint32_t i = 0; i < app->nguests; i++) {
    const pg_guest *g = &app->guests[i];
    for (uint32_t e = 0; e < g->nexports && !g->is_remote; e++)
      if (strlen(g->exports[e]) == len && memcmp(g->exports[e], name, len) == 0)
        return g->is_up && !app->is_shutting_down ? SERVING : NOT_SERVING;
  }
  return -1;
}

uint32_t pg_health_answer(pg_app *app, const char *method, size_t method_len,
                          const uint8_t *req, size_t req_len, uint8_t out[2],
                          size_t *out_len, char *why, size_t why_cap) {
  const uint8_t *name;
  size_t name_len;
  if (method_len != 5 || memcmp(method, "Check", 5) != 0) {
    snprintf(why, why_cap, "%s/%.*s: only Check is served (Watch is a stream)",
             PG_HEALTH_SERVICE, (int)method_len, method);
    return PARIGOT_CODE_UNIMPLEMENTED;
  }
  if (!read_request(req, req_len, &name, &name_len)) {
    snprintf(why, why_cap, "malformed HealthCheckRequest");
    return PARIGOT_CODE_INVALID_ARGUMENT;
  }
  int status = name_len == 0 ? (unit_serves(app) ? SERVING : NOT_SERVING)
                             : service_status(app, name, name_len);
  if (status < 0) {
    snprintf(why, why_cap, "unit %s serves no service %.*s",
             app->cfg->unit->name, (int)name_len, (const char *)name);
    return PARIGOT_CODE_NOT_FOUND;
  }
  out[0] = 0x08; /* field 1, varint */
  out[1] = (uint8_t)status;
  *out_len = 2;
  return PARIGOT_CODE_OK;
}
