/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth/throttle.c: failures to log in per client, in a bounded table.
 *
 * Owns its entries, allocated once (max_clients of them): a hash table of
 * chains finds a client, a doubly linked list keeps them in order of use so
 * that the least recently used one makes room for a new client. Calls
 * nothing but pg_mem. NOT thread-safe: one thread owns a pg_throttle.
 */
#include "throttle.h"

#include <stdbool.h>
#include <string.h>

#include "parigot/error.h"

#define NONE UINT32_MAX

typedef struct slot {
  char client[PG_THROTTLE_CLIENT_MAX + 1];
  uint32_t failures;
  uint64_t last_failure_ns;
  uint32_t next_in_chain; /* hash chain */
  uint32_t newer, older;  /* use order */
  bool is_used;
} slot;

struct pg_throttle {
  const pg_mem *mem;
  slot *slots;
  uint32_t *buckets; /* index of a chain's first slot, or NONE */
  uint32_t max, n_buckets, used;
  uint32_t newest, oldest, free_head; /* free slots chained by next_in_chain */
};

static uint32_t hash(const char *s) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

int pg_throttle_new(uint32_t max_clients, const pg_mem *mem,
                    pg_throttle **out) {
  if (max_clients == 0 || max_clients > (1u << 24))
    return PARIGOT_EINVAL;
  pg_throttle *t = pg_mem_calloc(mem, 1, sizeof *t);
  if (!t)
    return PARIGOT_ENOMEM;
  t->mem = mem;
  t->max = max_clients;
  t->n_buckets = 1;
  while (t->n_buckets < 2 * max_clients)
    t->n_buckets *= 2;
  t->slots = pg_mem_calloc(mem, max_clients, sizeof *t->slots);
  t->buckets = pg_mem_calloc(mem, t->n_buckets, sizeof *t->buckets);
  if (!t->slots || !t->buckets) {
    pg_throttle_free(t);
    return PARIGOT_ENOMEM;
  }
  for (uint32_t i = 0; i < t->n_buckets; i++)
    t->buckets[i] = NONE;
  for (uint32_t i = 0; i < max_clients; i++)
    t->slots[i].next_in_chain = i + 1 < max_clients ? i + 1 : NONE;
  t->free_head = 0;
  t->newest = t->oldest = NONE;
  *out = t;
  return 0;
}

void pg_throttle_free(pg_throttle *t) {
  if (!t)
    return;
  pg_mem_free(t->mem, t->slots);
  pg_mem_free(t->mem, t->buckets);
  pg_mem_free(t->mem, t);
}

/* The client as kept: cut to PG_THROTTLE_CLIENT_MAX bytes. */
static void key_of(const char *client, char out[PG_THROTTLE_CLIENT_MAX + 1]) {
  size_t len = strnlen(client, PG_THROTTLE_CLIENT_MAX);
  memcpy(out, client, len);
  out[len] = 0;
}

static uint32_t lookup(const pg_throttle *t, const char *key) {
  uint32_t i = t->buckets[hash(key) & (t->n_buckets - 1)];
  while (i != NONE && strcmp(t->slots[i].client, key) != 0)
    i = t->slots[i].next_in_chain;
  return i;
}

static void unlink_use(pg_throttle *t, uint32_t i) {
  slot *s = &t->slots[i];
  if (s->newer != NONE)
    t->slots[s->newer].older = s->older;
  else
    t->newest = s->older;
  if (s->older != NONE)
    t->slots[s->older].newer = s->newer;
  else
    t->oldest = s->newer;
}

static void push_newest(pg_throttle *t, uint32_t i) {
  slot *s = &t->slots[i];
  s->newer = NONE;
  s->older = t->newest;
  if (t->newest != NONE)
    t->slots[t->newest].newer = i;
  t->newest = i;
  if (t->oldest == NONE)
    t->oldest = i;
}

static void remove_slot(pg_throttle *t, uint32_t i) {
  uint32_t *p = &t->buckets[hash(t->slots[i].client) & (t->n_buckets - 1)];
  while (*p != i)
    p = &t->slots[*p].next_in_chain;
  *p = t->slots[i].next_in_chain;
  unlink_use(t, i);
  t->slots[i] = (slot){.next_in_chain = t->free_head};
  t->free_head = i;
  t->used--;
}

/* @p key's slot, made (forgetting the least recently used client if the
 * table is full) when it has none. */
static uint32_t get_slot(pg_throttle *t, const char *key) {
  uint32_t i = lookup(t, key);
  if (i != NONE) {
    unlink_use(t, i);
    push_newest(t, i);
    return i;
  }
  if (t->free_head == NONE)
    remove_slot(t, t->oldest);
  i = t->free_head;
  slot *s = &t->slots[i];
  t->free_head = s->next_in_chain;
  *s = (slot){.is_used = true};
  memcpy(s->client, key, strlen(key) + 1);
  uint32_t *b = &t->buckets[hash(key) & (t->n_buckets - 1)];
  s->next_in_chain = *b;
  *b = i;
  push_newest(t, i);
  t->used++;
  return i;
}

static uint64_t hold_after(uint32_t failures) {
  if (failures < PG_THROTTLE_FREE_FAILURES)
    return 0;
  uint32_t doublings = failures - PG_THROTTLE_FREE_FAILURES;
  if (doublings >= 40)
    return PG_THROTTLE_MAX_DELAY_NS;
  uint64_t d = PG_THROTTLE_FIRST_DELAY_NS << doublings;
  return d < PG_THROTTLE_MAX_DELAY_NS ? d : PG_THROTTLE_MAX_DELAY_NS;
}

uint64_t pg_throttle_delay(pg_throttle *t, const char *client,
                           uint64_t now_ns) {
  char key[PG_THROTTLE_CLIENT_MAX + 1];
  key_of(client, key);
  uint32_t i = lookup(t, key);
  if (i == NONE)
    return 0;
  slot *s = &t->slots[i];
  uint64_t since =
      now_ns > s->last_failure_ns ? now_ns - s->last_failure_ns : 0;
  if (since >= PG_THROTTLE_FORGET_NS) {
    remove_slot(t, i);
    return 0;
  }
  uint64_t hold = hold_after(s->failures);
  return hold > since ? hold - since : 0;
}

void pg_throttle_failed(pg_throttle *t, const char *client, uint64_t now_ns) {
  char key[PG_THROTTLE_CLIENT_MAX + 1];
  key_of(client, key);
  slot *s = &t->slots[get_slot(t, key)];
  if (s->failures > 0 && now_ns >= s->last_failure_ns &&
      now_ns - s->last_failure_ns >= PG_THROTTLE_FORGET_NS)
    s->failures = 0; /* quiet long enough: a fresh start */
  if (s->failures < UINT32_MAX)
    s->failures++;
  s->last_failure_ns = now_ns;
}

void pg_throttle_passed(pg_throttle *t, const char *client) {
  char key[PG_THROTTLE_CLIENT_MAX + 1];
  key_of(client, key);
  uint32_t i = lookup(t, key);
  if (i != NONE)
    remove_slot(t, i);
}
