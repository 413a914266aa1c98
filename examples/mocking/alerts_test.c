/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/mocking/alerts_test.c: tests Alerts with the generated mock of
 * notify.v1.Mailer standing in for the manifest's "mailer" (its
 * `mocks = ["mailer"]`): a warning is mailed to on-call exactly once with
 * its subject, an info is not mailed at all, and a critical alert whose
 * mail fails fails with the mailer's code. Then verify checks that every
 * expectation was met and nothing unexpected came; a failed check or
 * verify makes the test exit with status 1 (parigot/testing.h).
 */
#include <string.h>

#define PARIGOT_TESTING_SHORT_NAMES
#include "notify/v1/notify.pg.h"
#include "parigot/guest.h"
#include "parigot/testing.h"

static parigot_mock *mailer;
static int answers;

static parigot_pb_bytes str(const char *s) {
  return (parigot_pb_bytes){(uint8_t *)s, strlen(s)};
}

/* After the three answers: the mock's verdict and its record. */
static void done(void) {
  if (++answers < 3)
    return;
  EXPECT_EQ(notify_v1_Mailer_Send_calls(mailer), 2);
  parigot_mock_verify(mailer);
  parigot_mock_free(mailer);
  parigot_exit(0); /* 1 if anything failed */
}

static void raised(void *ctx, const notify_v1_RaiseReply *r) {
  EXPECT_EQ(r->mailed, ctx != NULL); /* only the warning is mailed */
  done();
}

static void raise_failed(void *ctx, const parigot_status *st) {
  (void)ctx;
  EXPECT_EQ(st->code, PARIGOT_CODE_UNAVAILABLE);
  EXPECT_EQ(st->message, "mailer: smtp down");
  done();
}

static void raise_alert(int32_t level, const char *text, void *ctx) {
  notify_v1_RaiseRequest req;
  notify_v1_RaiseRequest_init(&req);
  req.level = level;
  req.text = str(text);
  notify_v1_Alerts_Raise(&req, raised, raise_failed, ctx);
}

static bool is_critical(const notify_v1_SendRequest *req, void *ctx) {
  (void)ctx;
  return req->subject.len >= 10 &&
         memcmp(req->subject.data, "[CRITICAL]", 10) == 0;
}

void parigot_guest_declare(void) {
  mailer = notify_v1_Mailer_mock_new(); /* the mock takes calls from now */
  notify_v1_Mailer_mock_export(mailer);
  notify_v1_Alerts_require();
}

void parigot_guest_start(void) {
  /* A warning: this exact mail, once, answered with a message id. */
  notify_v1_SendRequest warning;
  notify_v1_SendRequest_init(&warning);
  warning.to = str("oncall@example.com");
  warning.subject = str("[WARNING] disk 91% full");
  parigot_mock_expect *e = notify_v1_Mailer_expect_Send(mailer, &warning);
  notify_v1_SendReply id;
  notify_v1_SendReply_init(&id);
  id.message_id = str("m-1");
  notify_v1_Mailer_Send_answer(e, &id);

  /* A critical alert: any such mail fails. */
  e = notify_v1_Mailer_expect_Send_if(mailer, is_critical, NULL);
  parigot_mock_fail(e, PARIGOT_CODE_UNAVAILABLE, 0, "smtp down");

  raise_alert(notify_v1_LEVEL_INFO, "backup done", NULL); /* no mail expected */
  raise_alert(notify_v1_LEVEL_WARNING, "disk 91% full", &warning);
  raise_alert(notify_v1_LEVEL_CRITICAL, "disk full", NULL);
}
