/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/mocking/mailer.c: notify.v1.Mailer for `parigot run`: it
 * prints each mail instead of sending it. alerts_test mocks it.
 */
#include <stdio.h>

#include "notify/v1/notify.pg.h"
#include "parigot/guest.h"

static void send(parigot_call *call, const notify_v1_SendRequest *req,
                 void *ctx) {
  (void)ctx;
  printf("mail to %.*s: %.*s\n", (int)req->to.len, (const char *)req->to.data,
         (int)req->subject.len, (const char *)req->subject.data);
  notify_v1_SendReply reply;
  notify_v1_SendReply_init(&reply);
  reply.message_id.data = (uint8_t *)"1";
  reply.message_id.len = 1;
  notify_v1_Mailer_Send_respond(call, &reply);
}

static const notify_v1_Mailer_handlers handlers = {.Send = send};

void parigot_guest_declare(void) {
  notify_v1_Mailer_export(&handlers);
}

void parigot_guest_start(void) {}
