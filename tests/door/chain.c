/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/door/chain.c: one link of a chain of calls, picked by $ROLE:
 * "front" (doortest.v1.Front, calls Middle), "middle" (Middle, calls
 * Back), "back" (Back), "vault" (Vault) or "lobby" (Lobby). The last link
 * answers with the user its call is for (parigot_call_user) and its
 * caller; each link on the way back adds its name to the path. No link
 * copies the user: the kernel hands it down, from the handler through the
 * continuation that makes the next call.
 */
#include <stdlib.h>
#include <string.h>

#include "doortest/v1/doortest.pg.h"
#include "parigot/guest.h"

static const char *role(void) {
  const char *r = getenv("ROLE");
  return r != NULL ? r : "";
}

static parigot_pb_bytes text(const char *s) {
  return (parigot_pb_bytes){(uint8_t *)s, strlen(s)};
}

/* What this link sees: the user of the event it handles. */
static void seen(parigot_call *call, doortest_v1_WhoResponse *r) {
  static parigot_pb_bytes path[1];
  parigot_user u;
  doortest_v1_WhoResponse_init(r);
  if (parigot_call_user(&u)) {
    r->user = text(u.id);
    r->name = text(u.name);
    r->roles = text(u.roles);
  }
  path[0] = text(role());
  r->path = path;
  r->path_count = 1;
  r->caller = text(parigot_call_caller(call));
}

/* The next link answered: add this one to the path. The user here, in
 * the continuation, must still be the one of the call it continues. */
static void answered(void *ctx, const doortest_v1_WhoResponse *next) {
  parigot_call *call = ctx;
  static parigot_pb_bytes path[16];
  doortest_v1_WhoResponse r = *next;
  parigot_user u;
  size_t n = next->path_count < 15 ? next->path_count : 15;
  memcpy(path, next->path, n * sizeof *path);
  path[n] = text(role());
  const char *id = parigot_call_user(&u) ? u.id : "";
  if (strlen(id) != next->user.len ||
      memcmp(id, next->user.data, next->user.len) != 0)
    path[n] = text("continuation-lost-the-user");
  r.path = path;
  r.path_count = n + 1;
  if (strcmp(role(), "front") == 0)
    doortest_v1_Front_Who_respond(call, &r);
  else
    doortest_v1_Middle_Who_respond(call, &r);
}

static void failed(void *ctx, const parigot_status *st) {
  parigot_call_fail(ctx, st->code, st->app_error, st->message);
}

static void front_who(parigot_call *call, const doortest_v1_WhoRequest *req,
                      void *ctx) {
  (void)ctx;
  doortest_v1_Middle_Who(req, answered, failed, call);
}

static void middle_who(parigot_call *call, const doortest_v1_WhoRequest *req,
                       void *ctx) {
  (void)ctx;
  doortest_v1_Back_Who(req, answered, failed, call);
}

static void back_who(parigot_call *call, const doortest_v1_WhoRequest *req,
                     void *ctx) {
  (void)req, (void)ctx;
  doortest_v1_WhoResponse r;
  seen(call, &r);
  doortest_v1_Back_Who_respond(call, &r);
}

static void vault_who(parigot_call *call, const doortest_v1_WhoRequest *req,
                      void *ctx) {
  (void)req, (void)ctx;
  doortest_v1_WhoResponse r;
  seen(call, &r);
  doortest_v1_Vault_Who_respond(call, &r);
}

static void lobby_who(parigot_call *call, const doortest_v1_WhoRequest *req,
                      void *ctx) {
  (void)req, (void)ctx;
  doortest_v1_WhoResponse r;
  seen(call, &r);
  doortest_v1_Lobby_Who_respond(call, &r);
}

void parigot_guest_declare(void) {
  static const doortest_v1_Front_handlers front = {.Who = front_who};
  static const doortest_v1_Middle_handlers middle = {.Who = middle_who};
  static const doortest_v1_Back_handlers back = {.Who = back_who};
  static const doortest_v1_Vault_handlers vault = {.Who = vault_who};
  static const doortest_v1_Lobby_handlers lobby = {.Who = lobby_who};
  if (strcmp(role(), "front") == 0) {
    doortest_v1_Middle_require();
    doortest_v1_Front_export(&front);
  } else if (strcmp(role(), "middle") == 0) {
    doortest_v1_Back_require();
    doortest_v1_Middle_export(&middle);
  } else if (strcmp(role(), "back") == 0) {
    doortest_v1_Back_export(&back);
  } else if (strcmp(role(), "vault") == 0) {
    doortest_v1_Vault_export(&vault);
  } else if (strcmp(role(), "lobby") == 0) {
    doortest_v1_Lobby_export(&lobby);
  } else {
    parigot_log(PARIGOT_ERROR, "no such ROLE: \"%s\"", role());
    exit(2);
  }
}

void parigot_guest_start(void) {}
