/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/faults.h: the faults a test injects into its app (through the
 * parigot.test built-in, pg_native_inject_fault): fail, delay, or kill the
 * callee of, the Nth calls to a service or one of its methods, counted
 * from when the fault was set. pg_app_dispatch asks for the fault that
 * hits each call it starts. Under the app's lock; the table is the app's.
 */
#ifndef PG_FAULTS_H
#define PG_FAULTS_H

#include "appstate.h"
#include "parigot/native.h"

/* At most this many faults in one app: a test that sets more is refused. */
#define PG_FAULTS_MAX 64

typedef struct pg_fault {
  char service[PARIGOT_ABI_NAME_MAX + 1]; /* a protobuf service */
  char method[PARIGOT_ABI_NAME_MAX + 1];  /* "": every method */
  uint32_t first, last; /* the matching calls it hits, counted from 1 */
  uint32_t seen;        /* matching calls so far */
  int action;           /* PG_NATIVE_FAULT_* */
  uint32_t code;        /* FAIL: the gRPC code */
  char message[200];    /* FAIL: the status message */
  uint64_t delay_ns;    /* DELAY */
} pg_fault;

/* Adds a copy of @p f, checked. 0; or PARIGOT_EINVAL with @p why (a bad
 * action, code or count; a service no guest of the app exports),
 * PARIGOT_ENOSPC (PG_FAULTS_MAX set already), PARIGOT_ENOMEM. */
int pg_faults_add(pg_app *app, const pg_native_fault *f, char *why,
                  size_t why_cap);

/* The fault that hits a call to @p method of @p service now starting (its
 * count moves on), or NULL: the call goes as usual. Borrowed from the
 * app. */
const pg_fault *pg_faults_hit(pg_app *app, const char *service,
                              const char *method, size_t method_len);

/* Frees the table. */
void pg_faults_free(pg_app *app);

#endif /* PG_FAULTS_H */
