/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/mocking/alerts.c: notify.v1.Alerts, the service under test.
 * Raise mails a warning or worse to on-call through notify.v1.Mailer, and
 * only logs an info; a mail that fails fails the alert with its code.
 */
#include <stdio.h>
#include <string.h>

#include "notify/v1/notify.pg.h"
#include "parigot/guest.h"

static void mailed(void *ctx, const notify_v1_SendReply *r) {
  (void)r;
  notify_v1_RaiseReply reply;
  notify_v1_RaiseReply_init(&reply);
  reply.mailed = true;
  notify_v1_Alerts_Raise_respond(ctx, &reply);
}

static void mail_failed(void *ctx, const parigot_status *st) {
  char msg[256];
  snprintf(msg, sizeof msg, "mailer: %s", st->message);
  parigot_call_fail(ctx, st->code, st->app_error, msg);
}

static void raise_(parigot_call *call, const notify_v1_RaiseRequest *req,
                   void *ctx) {
  (void)ctx;
  if (req->level < notify_v1_LEVEL_WARNING) {
    parigot_log(PARIGOT_INFO, "%.*s", (int)req->text.len,
                (const char *)req->text.data);
    notify_v1_RaiseReply reply;
    notify_v1_RaiseReply_init(&reply);
    notify_v1_Alerts_Raise_respond(call, &reply);
    return;
  }
  char subject[256];
  snprintf(subject, sizeof subject, "[%s] %.*s",
           req->level == notify_v1_LEVEL_WARNING ? "WARNING" : "CRITICAL",
           (int)req->text.len, (const char *)req->text.data);
  notify_v1_SendRequest mail;
  notify_v1_SendRequest_init(&mail);
  mail.to.data = (uint8_t *)"oncall@example.com";
  mail.to.len = strlen("oncall@example.com");
  mail.subject.data = (uint8_t *)subject;
  mail.subject.len = strlen(subject);
  notify_v1_Mailer_Send(&mail, mailed, mail_failed, call);
}

static const notify_v1_Alerts_handlers handlers = {.Raise = raise_};

void parigot_guest_declare(void) {
  notify_v1_Mailer_require();
  notify_v1_Alerts_export(&handlers);
}

void parigot_guest_start(void) {}
