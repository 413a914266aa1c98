/*
 * hello.c: the program: asks the Greeter to greet the world, prints the
 * answer and exits.
 */
#include <stdio.h>
#include <string.h>

#include "greeter/v1/greeter.pg.h"
#include "parigot/guest.h"

static void greeted(void *ctx, const greeter_v1_GreetResponse *r) {
  (void)ctx;
  printf("%.*s\n", (int)r->message.len, (const char *)r->message.data);
  parigot_exit(0);
}

static void failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  parigot_log(PARIGOT_ERROR, "Greet failed: code %u: %s", (unsigned)st->code,
              st->message);
  parigot_exit(1);
}

void parigot_guest_declare(void) {
  greeter_v1_Greeter_require();
}

void parigot_guest_start(void) {
  greeter_v1_GreetRequest req;
  greeter_v1_GreetRequest_init(&req);
  req.name.data = (uint8_t *)"world";
  req.name.len = strlen("world");
  greeter_v1_Greeter_Greet(&req, greeted, failed, NULL);
}
