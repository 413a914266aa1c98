/*
 * hello_test.c: the app's test (test = true in the manifest, run by
 * `make test`): a name gets its greeting, and an empty name gets
 * INVALID_ARGUMENT. Exits 0 when both answers are right.
 */
#include <string.h>

#include "greeter/v1/greeter.pg.h"
#include "parigot/guest.h"

static int answered, wrong;

static void finish_one(void) {
  if (++answered == 2)
    parigot_exit(wrong == 0 ? 0 : 1);
}

static void greeted(void *ctx, const greeter_v1_GreetResponse *r) {
  const char *want = ctx;
  if (want == NULL || r->message.len != strlen(want) ||
      memcmp(r->message.data, want, r->message.len) != 0) {
    parigot_log(PARIGOT_ERROR, "wrong answer: %.*s", (int)r->message.len,
                (const char *)r->message.data);
    wrong++;
  }
  finish_one();
}

static void failed(void *ctx, const parigot_status *st) {
  if (ctx != NULL || st->code != PARIGOT_CODE_INVALID_ARGUMENT) {
    parigot_log(PARIGOT_ERROR, "failed with code %u: %s", (unsigned)st->code,
                st->message);
    wrong++;
  }
  finish_one();
}

static void greet(const char *name, const char *want) {
  greeter_v1_GreetRequest req;
  greeter_v1_GreetRequest_init(&req);
  req.name.data = (uint8_t *)name;
  req.name.len = strlen(name);
  greeter_v1_Greeter_Greet(&req, greeted, failed, (void *)want);
}

void parigot_guest_declare(void) {
  greeter_v1_Greeter_require();
}

void parigot_guest_start(void) {
  greet("Ada", "Hello, Ada!");
  greet("", NULL); /* NULL: INVALID_ARGUMENT expected */
}
