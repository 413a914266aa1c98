/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/helloworld/hello.c: the program: asks the Greeting service for
 * the French greeting and prints "Bonjour, world".
 */
#include <stdio.h>

#include "greeting/v1/greeting.pg.h"
#include "parigot/guest.h"

static void greeted(void *ctx, const greeting_v1_FetchGreetingResponse *r) {
  (void)ctx;
  printf("%.*s, world\n", (int)r->greeting.len, (const char *)r->greeting.data);
  parigot_exit(0);
}

static void failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  parigot_log(PARIGOT_ERROR, "FetchGreeting failed: code %u: %s",
              (unsigned)st->code, st->message);
  parigot_exit(1);
}

void parigot_guest_declare(void) {
  greeting_v1_Greeting_require();
}

void parigot_guest_start(void) {
  greeting_v1_FetchGreetingRequest req;
  greeting_v1_FetchGreetingRequest_init(&req);
  req.tongue = greeting_v1_TONGUE_FRENCH;
  greeting_v1_Greeting_FetchGreeting(&req, greeted, failed, NULL);
}
