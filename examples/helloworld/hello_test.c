/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/helloworld/hello_test.c: the app's test program: every tongue
 * gets its greeting, and an unknown tongue gets the service's own error,
 * not a system one. Exits 0 when all four answers are right.
 */
#include <string.h>

#include "greeting/v1/greeting.pg.h"
#include "parigot/guest.h"

typedef struct expect {
  int32_t tongue;
  const char *greeting; /* NULL: the unknown-tongue error */
} expect;

static const expect cases[] = {
    {greeting_v1_TONGUE_ENGLISH, "Hello"},
    {greeting_v1_TONGUE_FRENCH, "Bonjour"},
    {greeting_v1_TONGUE_GERMAN, "Guten Tag"},
    {42, NULL},
};
static int answered, wrong;

static void finish_one(void) {
  if (++answered == (int)(sizeof cases / sizeof cases[0]))
    parigot_exit(wrong == 0 ? 0 : 1);
}

static void got(void *ctx, const greeting_v1_FetchGreetingResponse *r) {
  const expect *e = ctx;
  if (e->greeting == NULL || r->greeting.len != strlen(e->greeting) ||
      memcmp(r->greeting.data, e->greeting, r->greeting.len) != 0) {
    parigot_log(PARIGOT_ERROR, "tongue %d: wrong greeting", (int)e->tongue);
    wrong++;
  }
  finish_one();
}

static void failed(void *ctx, const parigot_status *st) {
  const expect *e = ctx;
  if (e->greeting != NULL || st->code != PARIGOT_CODE_UNKNOWN ||
      st->app_error != greeting_v1_GREETING_ERROR_UNKNOWN_TONGUE) {
    parigot_log(PARIGOT_ERROR, "tongue %d: failed with code %u error %d",
                (int)e->tongue, (unsigned)st->code, (int)st->app_error);
    wrong++;
  }
  finish_one();
}

void parigot_guest_declare(void) {
  greeting_v1_Greeting_require();
}

void parigot_guest_start(void) {
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    greeting_v1_FetchGreetingRequest req;
    greeting_v1_FetchGreetingRequest_init(&req);
    req.tongue = cases[i].tongue;
    greeting_v1_Greeting_FetchGreeting(&req, got, failed, (void *)&cases[i]);
  }
}
