/*
 * greeter.c: the greeter.v1.Greeter service: "Hello, <name>!", or
 * INVALID_ARGUMENT for an empty name.
 */
#include <stdio.h>

#include "greeter/v1/greeter.pg.h"
#include "parigot/guest.h"

static void greet(parigot_call *call, const greeter_v1_GreetRequest *req,
                  void *ctx) {
  (void)ctx;
  if (req->name.len == 0) {
    parigot_call_fail(call, PARIGOT_CODE_INVALID_ARGUMENT, 0, "name is empty");
    return;
  }
  char text[256];
  int n = snprintf(text, sizeof text, "Hello, %.*s!", (int)req->name.len,
                   (const char *)req->name.data);
  greeter_v1_GreetResponse resp;
  greeter_v1_GreetResponse_init(&resp);
  resp.message.data = (uint8_t *)text;
  resp.message.len = n < (int)sizeof text ? (size_t)n : sizeof text - 1;
  greeter_v1_Greeter_Greet_respond(call, &resp);
}

static const greeter_v1_Greeter_handlers handlers = {.Greet = greet};

void parigot_guest_declare(void) {
  greeter_v1_Greeter_export(&handlers);
}

void parigot_guest_start(void) {
  parigot_log(PARIGOT_INFO, "ready");
}
