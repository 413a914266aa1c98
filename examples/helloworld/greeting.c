/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/helloworld/greeting.c: the greeting.v1.Greeting service: a
 * greeting per tongue, or the service's own error for a tongue it does not
 * know.
 */
#include <string.h>

#include "greeting/v1/greeting.pg.h"
#include "parigot/guest.h"

static void fetch_greeting(parigot_call *call,
                           const greeting_v1_FetchGreetingRequest *req,
                           void *ctx) {
  (void)ctx;
  static const char *const greetings[] = {
      [greeting_v1_TONGUE_ENGLISH] = "Hello",
      [greeting_v1_TONGUE_FRENCH] = "Bonjour",
      [greeting_v1_TONGUE_GERMAN] = "Guten Tag",
  };
  int32_t t = req->tongue;
  if (t <= 0 || t >= (int32_t)(sizeof greetings / sizeof greetings[0])) {
    parigot_log(PARIGOT_WARN, "no greeting in tongue %d", (int)t);
    parigot_call_fail(call, PARIGOT_CODE_UNKNOWN,
                      greeting_v1_GREETING_ERROR_UNKNOWN_TONGUE,
                      "unknown tongue");
    return;
  }
  greeting_v1_FetchGreetingResponse resp;
  greeting_v1_FetchGreetingResponse_init(&resp);
  resp.greeting.data = (uint8_t *)greetings[t];
  resp.greeting.len = strlen(greetings[t]);
  greeting_v1_Greeting_FetchGreeting_respond(call, &resp);
}

static const greeting_v1_Greeting_handlers handlers = {
    .FetchGreeting = fetch_greeting,
};

void parigot_guest_declare(void) {
  greeting_v1_Greeting_export(&handlers);
}

void parigot_guest_start(void) {
  parigot_log(PARIGOT_INFO, "ready");
}
