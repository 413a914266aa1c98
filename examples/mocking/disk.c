/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/mocking/disk.c: the program: raises a warning that the disk is
 * nearly full, which Alerts mails.
 */
#include <string.h>

#include "notify/v1/notify.pg.h"
#include "parigot/guest.h"

static void raised(void *ctx, const notify_v1_RaiseReply *r) {
  (void)ctx;
  parigot_exit(r->mailed ? 0 : 1);
}

static void failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  parigot_log(PARIGOT_ERROR, "Raise failed: %s", st->message);
  parigot_exit(1);
}

void parigot_guest_declare(void) {
  notify_v1_Alerts_require();
}

void parigot_guest_start(void) {
  notify_v1_RaiseRequest req;
  notify_v1_RaiseRequest_init(&req);
  req.level = notify_v1_LEVEL_WARNING;
  req.text.data = (uint8_t *)"disk 91% full";
  req.text.len = strlen("disk 91% full");
  notify_v1_Alerts_Raise(&req, raised, failed, NULL);
}
