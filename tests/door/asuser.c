/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/door/asuser.c: a program that plays users, one step after the
 * other, and prints what each call saw: logged out, as alice (staff) three
 * calls deep and again from a continuation, as alice at the admin-only
 * Vault, as root (admin). With $PLAIN set it is a guest the manifest does
 * not let authenticate, and says what set_user answered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doortest/v1/doortest.pg.h"
#include "parigot/guest.h"

static int step;
static void next(void);

static void print(const char *what, const doortest_v1_WhoResponse *w) {
  printf("%s: user=%.*s name=%.*s roles=%.*s caller=%.*s path=", what,
         (int)w->user.len, (const char *)w->user.data, (int)w->name.len,
         (const char *)w->name.data, (int)w->roles.len,
         (const char *)w->roles.data, (int)w->caller.len,
         (const char *)w->caller.data);
  for (size_t i = 0; i < w->path_count; i++)
    printf("%s%.*s", i ? "<" : "", (int)w->path[i].len,
           (const char *)w->path[i].data);
  printf("\n");
}

static void ok(void *ctx, const doortest_v1_WhoResponse *w) {
  print(ctx, w);
  next();
}

static void failed(void *ctx, const parigot_status *st) {
  printf("%s: failed, code %u: %s\n", (const char *)ctx, (unsigned)st->code,
         st->message);
  next();
}

static void as(const char *id, const char *name, const char *roles) {
  int rc = parigot_call_set_user(id, name, roles);
  if (rc != 0) {
    printf("set_user(%s): %s\n", id, parigot_strerror(rc));
    parigot_exit(1);
  }
}

static void next(void) {
  doortest_v1_WhoRequest r;
  doortest_v1_WhoRequest_init(&r);
  parigot_user u;
  switch (step++) {
  case 0:
    doortest_v1_Lobby_Who(&r, ok, failed, "lobby, nobody");
    break;
  case 1:
    doortest_v1_Front_Who(&r, ok, failed, "front, nobody");
    break;
  case 2:
    as("alice", "Alice Liddell", "staff");
    doortest_v1_Front_Who(&r, ok, failed, "front, alice");
    break;
  case 3: /* a continuation of alice's call: still alice, with no copy */
    printf("continuation: user=%s\n",
           parigot_call_user(&u) ? u.id : "(nobody)");
    doortest_v1_Lobby_Who(&r, ok, failed, "lobby, from the continuation");
    break;
  case 4:
    doortest_v1_Vault_Who(&r, ok, failed, "vault, alice");
    break;
  case 5:
    as("root", NULL, "admin,staff");
    doortest_v1_Vault_Who(&r, ok, failed, "vault, root");
    break;
  case 6:
    as(NULL, NULL, NULL); /* logged out again */
    doortest_v1_Lobby_Who(&r, ok, failed, "lobby, logged out");
    break;
  default:
    parigot_exit(0);
  }
}

void parigot_guest_declare(void) {
  doortest_v1_Front_require();
  doortest_v1_Vault_require();
  doortest_v1_Lobby_require();
}

void parigot_guest_start(void) {
  if (getenv("PLAIN") != NULL) {
    int rc = parigot_call_set_user("mallory", NULL, "admin");
    printf("set_user without authenticates: %s\n", parigot_strerror(rc));
    parigot_exit(rc == PARIGOT_EPERM ? 0 : 1);
  }
  next();
}
