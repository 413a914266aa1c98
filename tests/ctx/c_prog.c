/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/ctx/c_prog.c: the program of tests/ctx. In its START it makes its
 * calls for the user $USER_AS ("id:name:roles"; unset: nobody), which its
 * manifest entry must let it (authenticates = true), then calls $TARGET
 * (first or third) with $FIRST_LOGIN and $SECOND_LOGIN, prints what each
 * hop reports, or the status the call failed with, and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctxtest/v1/ctxtest.pg.h"
#include "parigot/guest.h"

static const char *env(const char *name) {
  const char *v = getenv(name);
  return v != NULL ? v : "";
}

static void answered(void *ctx, const ctxtest_v1_HopResponse *resp) {
  printf("%s answered:\n%.*s", (const char *)ctx, (int)resp->report.len,
         (const char *)resp->report.data);
  parigot_exit(0);
}

static void failed(void *ctx, const parigot_status *st) {
  printf("%s failed: code %u: %s\n", (const char *)ctx, (unsigned)st->code,
         st->message);
  parigot_exit(0);
}

void parigot_guest_declare(void) {
  ctxtest_v1_First_require();
  ctxtest_v1_Third_require();
}

/* Sets the user of "id:name:roles" and says how it went. */
static void log_in(const char *as) {
  char id[128] = "", name[256] = "", roles[600] = "";
  sscanf(as, "%127[^:]:%255[^:]:%599s", id, name, roles);
  int rc = parigot_call_set_user(id, name, roles);
  printf("prog (C): set user %s: %s\n", id,
         rc == 0 ? "ok" : parigot_strerror(rc));
  parigot_user u;
  if (parigot_call_user(&u))
    printf("prog (C): now id=%s name=%s roles=%s admin=%s\n", u.id, u.name,
           u.roles, parigot_call_user_has_role("admin") ? "yes" : "no");
  else
    printf("prog (C): now nobody\n");
}

void parigot_guest_start(void) {
  if (*env("USER_AS") != '\0')
    log_in(env("USER_AS"));
  ctxtest_v1_HopRequest req;
  ctxtest_v1_HopRequest_init(&req);
  req.first_login.data = (uint8_t *)env("FIRST_LOGIN");
  req.first_login.len = strlen(env("FIRST_LOGIN"));
  req.second_login.data = (uint8_t *)env("SECOND_LOGIN");
  req.second_login.len = strlen(env("SECOND_LOGIN"));
  if (strcmp(env("TARGET"), "third") == 0)
    ctxtest_v1_Third_Hop(&req, answered, failed, "third");
  else
    ctxtest_v1_First_Hop(&req, answered, failed, "first");
}
