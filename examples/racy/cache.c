/* SPDX-License-Identifier: Apache-2.0 */
/*
 * examples/racy/cache.c: racy.v1.Cache, a map of up to 64 short keys in
 * memory.
 */
#include <string.h>

#include "parigot/guest.h"
#include "racy/v1/racy.pg.h"

#define MAX_ENTRIES 64
#define MAX_TEXT 64

static struct { char key[MAX_TEXT], value[MAX_TEXT]; } entries[MAX_ENTRIES];
static int nentries;

static int find(const parigot_pb_bytes *key) {
  for (int i = 0; i < nentries; i++)
    if (strlen(entries[i].key) == key->len &&
        memcmp(entries[i].key, key->data, key->len) == 0)
      return i;
  return -1;
}

static void put(parigot_call *call, const racy_v1_PutRequest *req, void *ctx) {
  (void)ctx;
  int i = find(&req->key);
  if (req->key.len >= MAX_TEXT || req->value.len >= MAX_TEXT ||
      (i < 0 && nentries == MAX_ENTRIES)) {
    parigot_call_fail(call, PARIGOT_CODE_RESOURCE_EXHAUSTED, 0,
                      "the cache holds 64 keys and values of 63 bytes");
    return;
  }
  if (i < 0)
    i = nentries++;
  memcpy(entries[i].key, req->key.data, req->key.len);
  entries[i].key[req->key.len] = '\0';
  memcpy(entries[i].value, req->value.data, req->value.len);
  entries[i].value[req->value.len] = '\0';
  racy_v1_PutReply resp;
  racy_v1_PutReply_init(&resp);
  racy_v1_Cache_Put_respond(call, &resp);
}

static void get(parigot_call *call, const racy_v1_GetRequest *req, void *ctx) {
  (void)ctx;
  racy_v1_GetReply resp;
  racy_v1_GetReply_init(&resp);
  int i = find(&req->key);
  if (i >= 0) {
    resp.found = true;
    resp.value = (parigot_pb_bytes){(uint8_t *)entries[i].value,
                                    strlen(entries[i].value)};
  }
  racy_v1_Cache_Get_respond(call, &resp);
}

static const racy_v1_Cache_handlers handlers = {.Put = put, .Get = get};

void parigot_guest_declare(void) {
  racy_v1_Cache_export(&handlers);
}

void parigot_guest_start(void) {}
