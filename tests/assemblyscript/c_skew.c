/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/assemblyscript/c_skew.c: a C program built against another
 * version of astest.v1.Probe (proto_skew/) that calls the AssemblyScript
 * probe with what it cannot take: a method it does not have, then a
 * request that does not decode (a string that is not UTF-8). It prints
 * each failure for the test to compare with the C SDK's own texts.
 */
#include <stdio.h>
#include <string.h>

#include "astest/v1/astest.pg.h"
#include "parigot/guest.h"

static void failed(void *ctx, const parigot_status *st);

static void echoed(void *ctx, const astest_v1_Blob *resp) {
  (void)resp;
  printf("%s: answered\n", (const char *)ctx);
  parigot_exit(1);
}

static void extra_answered(void *ctx, const astest_v1_Empty *resp) {
  (void)resp;
  printf("%s: answered\n", (const char *)ctx);
  parigot_exit(1);
}

static void send_bad_text(void) {
  static uint8_t bad[] = {0x61, 0xff, 0x62};
  astest_v1_Blob b;
  astest_v1_Blob_init(&b);
  b.text.data = bad;
  b.text.len = sizeof bad;
  astest_v1_Probe_Echo(&b, echoed, failed, "echo");
}

static void failed(void *ctx, const parigot_status *st) {
  printf("%s: code=%u app_error=%d message=%s\n", (const char *)ctx,
         (unsigned)st->code, (int)st->app_error, st->message);
  if (strcmp(ctx, "extra") == 0)
    send_bad_text();
  else
    parigot_exit(0);
}

void parigot_guest_declare(void) {
  astest_v1_Probe_require();
}

void parigot_guest_start(void) {
  astest_v1_Empty e;
  astest_v1_Empty_init(&e);
  astest_v1_Probe_Extra(&e, extra_answered, failed, "extra");
}
