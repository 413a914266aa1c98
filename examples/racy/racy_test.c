/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/racy/racy_test.c: a test with a race in it. It puts a value in
 * the cache and, without waiting for the Put to be answered, asks the
 * reader for it. Under the default schedule the Put reaches the cache
 * first, so the test passes; but nothing makes it so, and a schedule in
 * which the Put is delivered later than the reader's Get fails the test.
 * `parigot test --explore 20` finds such a schedule, and `--seed` replays
 * it. The fix is to ask only once the Put has been answered.
 */
#include <string.h>

#include "parigot/guest.h"
#include "racy/v1/racy.pg.h"

#define TEXT(s) ((parigot_pb_bytes){(uint8_t *)(s), sizeof(s) - 1})

static void failed(void *ctx, const parigot_status *st) {
  parigot_log(PARIGOT_ERROR, "%s failed: %s", (const char *)ctx, st->message);
  parigot_exit(1);
}

static void put_done(void *ctx, const racy_v1_PutReply *r) {
  (void)ctx;
  (void)r;
  parigot_log(PARIGOT_INFO, "Put answered");
}

static void looked_up(void *ctx, const racy_v1_GetReply *r) {
  (void)ctx;
  if (!r->found || strcmp((const char *)r->value.data, "blue") != 0) {
    parigot_log(PARIGOT_ERROR, "Lookup(color) after Put(color, blue) saw %s",
                r->found ? (const char *)r->value.data : "nothing");
    parigot_exit(1);
  }
  parigot_log(PARIGOT_INFO, "Lookup saw blue");
  parigot_exit(0);
}

void parigot_guest_declare(void) {
  racy_v1_Cache_require();
  racy_v1_Reader_require();
}

void parigot_guest_start(void) {
  racy_v1_PutRequest put;
  racy_v1_PutRequest_init(&put);
  put.key = TEXT("color");
  put.value = TEXT("blue");
  racy_v1_Cache_Put(&put, put_done, failed, "Put");
  /* The race: this should wait for put_done. */
  racy_v1_GetRequest get;
  racy_v1_GetRequest_init(&get);
  get.key = TEXT("color");
  racy_v1_Reader_Lookup(&get, looked_up, failed, "Lookup");
}
