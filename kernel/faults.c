/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/faults.c: the app's table of injected faults (faults.h). A short
 * array, searched in the order the faults were set: the first whose
 * window holds a call decides what happens to it, and every fault that
 * matches the call counts it.
 */
#include "faults.h"

#include <stdio.h>
#include <string.h>

#include "parigot/error.h"

static bool is_exported(const pg_app *app, const char *service) {
  for (uint32_t i = 0; i < app->nguests; i++)
    for (uint32_t e = 0; e < app->guests[i].nexports; e++)
      if (strcmp(app->guests[i].exports[e], service) == 0)
        return true;
  return false;
}

/* Why @p f cannot be set, or NULL. */
static const char *refusal(const pg_app *app, const pg_native_fault *f,
                           char *why, size_t cap) {
  if (f->service == NULL || f->service[0] == '\0')
    return "a fault needs the service it hits";
  if (strlen(f->service) > PARIGOT_ABI_NAME_MAX ||
      (f->method != NULL && strlen(f->method) > PARIGOT_ABI_NAME_MAX))
    return "the service or method name is too long";
  if (!is_exported(app, f->service)) {
    snprintf(why, cap, "no guest of the app exports %s", f->service);
    return why;
  }
  if (f->nth == 0)
    return "nth counts from 1 (the next call)";
  if (f->action == PG_NATIVE_FAULT_FAIL &&
      (f->code == 0 || f->code > PARIGOT_CODE_MAX))
    return "a failure needs a gRPC code from 1 to 16";
  if (f->action == PG_NATIVE_FAULT_DELAY && f->delay_ns == 0)
    return "a delay needs delay_ns";
  if (f->action < PG_NATIVE_FAULT_FAIL || f->action > PG_NATIVE_FAULT_KILL)
    return "the action is FAIL, DELAY or KILL";
  return NULL;
}

int pg_faults_add(pg_app *app, const pg_native_fault *f, char *why,
                  size_t why_cap) {
  char buf[PARIGOT_ABI_NAME_MAX + 64];
  const char *no = refusal(app, f, buf, sizeof buf);
  if (no != NULL) {
    snprintf(why, why_cap, "%s", no);
    return PARIGOT_EINVAL;
  }
  if (app->nfaults >= PG_FAULTS_MAX) {
    snprintf(why, why_cap, "a test sets at most %d faults", PG_FAULTS_MAX);
    return PARIGOT_ENOSPC;
  }
  if (app->faults == NULL &&
      (app->faults =
           pg_mem_calloc(app->mem, PG_FAULTS_MAX, sizeof *app->faults)) == NULL)
    return PARIGOT_ENOMEM;
  pg_fault *t = &app->faults[app->nfaults++];
  uint32_t count = f->count > 0 ? f->count : 1;
  *t = (pg_fault){.first = f->nth,
                  .last = f->nth + count - 1 < f->nth ? UINT32_MAX
                                                      : f->nth + count - 1,
                  .action = f->action,
                  .code = f->code,
                  .delay_ns = f->delay_ns};
  snprintf(t->service, sizeof t->service, "%s", f->service);
  snprintf(t->method, sizeof t->method, "%s", f->method ? f->method : "");
  snprintf(t->message, sizeof t->message, "%s",
           f->message && f->message[0] ? f->message : "injected fault");
  return 0;
}

const pg_fault *pg_faults_hit(pg_app *app, const char *service,
                              const char *method, size_t method_len) {
  const pg_fault *hit = NULL;
  for (uint32_t i = 0; i < app->nfaults; i++) {
    pg_fault *f = &app->faults[i];
    if (strcmp(f->service, service) != 0 ||
        (f->method[0] != '\0' && (strlen(f->method) != method_len ||
                                  memcmp(f->method, method, method_len) != 0)))
      continue;
    if (f->seen < UINT32_MAX)
      f->seen++;
    if (hit == NULL && f->seen >= f->first && f->seen <= f->last)
      hit = f;
  }
  return hit;
}

void pg_faults_free(pg_app *app) {
  pg_mem_free(app->mem, app->faults);
  app->faults = NULL;
  app->nfaults = 0;
}
