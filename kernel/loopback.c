/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/loopback.c: the in-memory transport. Each unit's endpoint turns
 * the kernel's ops into messages on one FIFO, and pg_loopback_deliver()
 * turns them into the receiving unit's events, as a network would: a call
 * becomes a call in (with the caller's unit and id as its origin, as the
 * wire's parigot-call-id header carries them), its reply goes back as the
 * caller's answer, and a unit that serves is seen up by every unit that
 * asked to connect to it. Every message is a copy; nothing is shared
 * between units but the queue. Owns the endpoints' bookkeeping and the
 * queued messages; the endpoints themselves belong to their apps.
 */
#include "loopback.h"

#include <stdio.h>
#include <string.h>

#include "parigot/abi.h"
#include "parigot/error.h"

typedef enum lb_kind { LB_CALL, LB_ANSWER, LB_PEER } lb_kind;

/* One message between two units; its strings and body follow it. */
typedef struct lb_msg {
  struct lb_msg *next;
  lb_kind kind;
  uint32_t from, to;   /* unit indices */
  uint64_t id;         /* CALL and ANSWER: the caller's id */
  uint32_t status;     /* ANSWER */
  int32_t app_error;   /* ANSWER */
  bool is_up;          /* PEER */
  uint64_t timeout_ns; /* CALL */
  const char *service; /* CALL; NUL-terminated */
  const char *method;  /* CALL; method_len bytes */
  size_t method_len;
  const char *caller; /* CALL; NUL-terminated */
  const char *user_id, *user_name, *user_roles, *traceparent; /* CALL: its
                          context, each NUL-terminated */
  const uint8_t *body; /* CALL: the request; ANSWER: the body; PEER: why */
  size_t body_len;
  uint64_t due_ns; /* not delivered before (a delayed link); 0: at once */
  char data[];
} lb_msg;

/* What a link from one unit to another does (set_link). */
typedef struct lb_link {
  int state; /* PG_TRANSPORT_LINK_* */
  uint64_t delay_ns;
} lb_link;

/* A call into a unit, until it is answered: its id there, and whose it
 * is. */
typedef struct lb_inflight {
  uint64_t id;
  uint32_t caller_unit;
  uint64_t caller_id;
} lb_inflight;

typedef struct lb_end {
  pg_transport base; /* first: the app holds a pg_transport * */
  pg_loopback *lb;
  uint32_t index;
  pg_transport_events ev;
  bool is_serving;
  bool is_closed;
  bool *wants;           /* owned, nunits: it asked to connect to each */
  lb_inflight *inflight; /* owned */
  uint32_t ninflight, inflight_cap;
} lb_end;

struct pg_loopback {
  pg_transport_kind kind; /* kind.user is the loopback */
  const pg_mem *mem;
  uint32_t nunits;
  const char **names; /* owned array of borrowed unit names */
  lb_end **ends;      /* owned array, by unit; NULL until opened */
  lb_msg *head, *tail;
  uint32_t nqueued;
  lb_link *links;   /* owned, nunits * nunits: [from * nunits + to] */
  uint64_t now_ns;  /* the clock, as pg_loopback_deliver was last told */
  uint64_t rng;     /* explored: the delivery order's random state */
  bool is_explored; /* deliver in an order drawn from rng */
};

/* Queues a message; NULL when out of room or memory. */
static lb_msg *push(pg_loopback *lb, lb_kind kind, uint32_t from, uint32_t to,
                    size_t extra) {
  if (lb->nqueued >= PG_LOOPBACK_MAX_QUEUED)
    return NULL;
  lb_msg *m = pg_mem_calloc(lb->mem, 1, sizeof *m + extra);
  if (m == NULL)
    return NULL;
  m->kind = kind;
  m->from = from;
  m->to = to;
  if (lb->tail != NULL)
    lb->tail->next = m;
  else
    lb->head = m;
  lb->tail = m;
  lb->nqueued++;
  return m;
}

static char *copy(char **at, const void *p, size_t len) {
  char *start = *at;
  if (len > 0)
    memcpy(start, p, len);
  start[len] = '\0';
  *at += len + 1;
  return start;
}

static const lb_link *link_of(const pg_loopback *lb, uint32_t from,
                              uint32_t to) {
  return &lb->links[(size_t)from * lb->nunits + to];
}

/* "the link from a to b is cut" into @p out. */
static const char *cut_why(const pg_loopback *lb, uint32_t from, uint32_t to,
                           char *out, size_t cap) {
  snprintf(out, cap, "the link from unit %s to unit %s is cut", lb->names[from],
           lb->names[to]);
  return out;
}

static void push_answer(pg_loopback *lb, uint32_t from, uint32_t to,
                        uint64_t id, uint32_t status, int32_t app_error,
                        const void *body, size_t len) {
  const lb_link *l = link_of(lb, from, to);
  char why[320];
  if (l->state == PG_TRANSPORT_LINK_DROP)
    return; /* the caller's deadline ends the call */
  if (l->state == PG_TRANSPORT_LINK_CUT) {
    status = PARIGOT_CODE_UNAVAILABLE;
    app_error = 0;
    body = cut_why(lb, from, to, why, sizeof why);
    len = strlen(why);
  }
  lb_msg *m = push(lb, LB_ANSWER, from, to, len + 1);
  if (m == NULL)
    return; /* the caller's deadline ends the call */
  char *at = m->data;
  m->id = id;
  m->status = status;
  m->app_error = app_error;
  m->body = (const uint8_t *)copy(&at, body, len);
  m->body_len = len;
  if (l->state == PG_TRANSPORT_LINK_DELAY)
    m->due_ns = lb->now_ns + l->delay_ns;
}

static void push_peer(pg_loopback *lb, uint32_t from, uint32_t to, bool is_up,
                      const char *why) {
  size_t len = strlen(why);
  lb_msg *m = push(lb, LB_PEER, from, to, len + 1);
  if (m == NULL)
    return;
  char *at = m->data;
  m->is_up = is_up;
  m->body = (const uint8_t *)copy(&at, why, len);
  m->body_len = len;
}

static lb_end *of(pg_transport *t) {
  return (lb_end *)t;
}

static int set_types(pg_transport *t, const uint8_t *fds, size_t len, char *err,
                     size_t err_len) {
  (void)t, (void)fds, (void)len, (void)err, (void)err_len;
  return 0; /* calls stay binary protobuf: no JSON to transcode */
}

static uint16_t port(const pg_transport *t) {
  (void)t;
  return 0;
}

/* Every unit that asked for this one sees it up. */
static void serve(pg_transport *t) {
  lb_end *e = of(t);
  pg_loopback *lb = e->lb;
  e->is_serving = true;
  for (uint32_t q = 0; q < lb->nunits; q++)
    if (lb->ends[q] != NULL && lb->ends[q]->wants[e->index])
      push_peer(lb, e->index, q, true, "");
}

static void reply(pg_transport *t, const pg_transport_answer *a) {
  lb_end *e = of(t);
  for (uint32_t i = 0; i < e->ninflight; i++) {
    lb_inflight f = e->inflight[i];
    if (f.id != a->id)
      continue;
    e->inflight[i] = e->inflight[--e->ninflight];
    push_answer(e->lb, e->index, f.caller_unit, f.caller_id, a->status,
                a->app_error, a->body, a->len);
    return;
  }
  /* its caller's unit ended first: dropped */
}

static void connect_peer(pg_transport *t, uint32_t peer) {
  lb_end *e = of(t);
  pg_loopback *lb = e->lb;
  if (peer >= lb->nunits || e->wants[peer])
    return;
  e->wants[peer] = true;
  lb_end *p = lb->ends[peer];
  if (p != NULL && p->is_serving && !p->is_closed)
    push_peer(lb, peer, e->index, true, "");
}

static int call(pg_transport *t, const pg_transport_call_out *c) {
  lb_end *e = of(t);
  size_t slen = strlen(c->service), clen = strlen(c->caller);
  const pg_transport_ctx *x = &c->ctx;
  size_t xlen = strlen(x->user_id) + strlen(x->user_name) +
                strlen(x->user_roles) + strlen(x->traceparent);
  if (c->peer >= e->lb->nunits)
    return PARIGOT_EINVAL;
  const lb_link *l = link_of(e->lb, e->index, c->peer);
  if (l->state == PG_TRANSPORT_LINK_DROP)
    return 0; /* lost: its deadline ends it */
  if (l->state == PG_TRANSPORT_LINK_CUT) {
    char why[320];
    cut_why(e->lb, e->index, c->peer, why, sizeof why);
    lb_msg *a = push(e->lb, LB_ANSWER, c->peer, e->index, strlen(why) + 1);
    if (a == NULL)
      return PARIGOT_ENOMEM;
    char *at = a->data;
    a->id = c->id;
    a->status = PARIGOT_CODE_UNAVAILABLE;
    a->body = (const uint8_t *)copy(&at, why, strlen(why));
    a->body_len = strlen(why);
    return 0;
  }
  lb_msg *m = push(e->lb, LB_CALL, e->index, c->peer,
                   slen + c->method_len + clen + c->req_len + xlen + 8);
  if (m == NULL)
    return PARIGOT_ENOMEM;
  char *at = m->data;
  m->id = c->id;
  m->timeout_ns = c->timeout_ns;
  m->service = copy(&at, c->service, slen);
  m->method = copy(&at, c->method, c->method_len);
  m->method_len = c->method_len;
  m->caller = copy(&at, c->caller, clen);
  m->user_id = copy(&at, x->user_id, strlen(x->user_id));
  m->user_name = copy(&at, x->user_name, strlen(x->user_name));
  m->user_roles = copy(&at, x->user_roles, strlen(x->user_roles));
  m->traceparent = copy(&at, x->traceparent, strlen(x->traceparent));
  m->body = (const uint8_t *)copy(&at, c->req, c->req_len);
  m->body_len = c->req_len;
  if (l->state == PG_TRANSPORT_LINK_DELAY)
    m->due_ns = e->lb->now_ns + l->delay_ns;
  return 0;
}

static int set_link(pg_transport *t, uint32_t from, uint32_t to, int state,
                    uint64_t delay_ns) {
  pg_loopback *lb = of(t)->lb;
  if (from >= lb->nunits || to >= lb->nunits || from == to ||
      state < PG_TRANSPORT_LINK_OK || state > PG_TRANSPORT_LINK_DELAY ||
      (state == PG_TRANSPORT_LINK_DELAY && delay_ns == 0))
    return PARIGOT_EINVAL;
  lb->links[(size_t)from * lb->nunits + to] = (lb_link){state, delay_ns};
  return 0;
}

void pg_loopback_close_unit(pg_loopback *lb, uint32_t unit) {
  lb_end *e = unit < lb->nunits ? lb->ends[unit] : NULL;
  if (e == NULL || e->is_closed)
    return;
  char why[320];
  snprintf(why, sizeof why, "unit %s stopped", lb->names[unit]);
  e->is_closed = true;
  e->is_serving = false;
  for (uint32_t i = 0; i < e->ninflight; i++)
    push_answer(lb, unit, e->inflight[i].caller_unit, e->inflight[i].caller_id,
                PARIGOT_CODE_UNAVAILABLE, 0, why, strlen(why));
  e->ninflight = 0;
  for (uint32_t q = 0; q < lb->nunits; q++)
    if (lb->ends[q] != NULL && lb->ends[q]->wants[unit])
      push_peer(lb, unit, q, false, why);
}

static void free_end(pg_transport *t) {
  lb_end *e = of(t);
  pg_loopback *lb = e->lb;
  pg_loopback_close_unit(lb, e->index);
  lb->ends[e->index] = NULL;
  pg_mem_free(lb->mem, e->wants);
  pg_mem_free(lb->mem, e->inflight);
  pg_mem_free(lb->mem, e);
}

static const pg_transport_ops loopback_ops = {
    set_types, port, serve, reply, connect_peer, call, free_end, set_link};

/* The unit is found by its name among the peers. */
static int open_end(const pg_transport_kind *kind,
                    const pg_transport_config *cfg,
                    const pg_transport_events *ev, const pg_mem *mem,
                    pg_transport **out, char *err, size_t err_len) {
  pg_loopback *lb = kind->user;
  uint32_t u = 0;
  while (u < cfg->npeers && strcmp(cfg->peers[u].unit, cfg->unit) != 0)
    u++;
  if (cfg->npeers != lb->nunits || u == lb->nunits || lb->ends[u] != NULL) {
    snprintf(err, err_len,
             "unit %s: not one of the %u units of this "
             "process, or opened twice",
             cfg->unit, lb->nunits);
    return PARIGOT_EINVAL;
  }
  lb_end *e = pg_mem_calloc(mem, 1, sizeof *e);
  bool *wants = pg_mem_calloc(mem, lb->nunits + 1, sizeof *wants);
  if (e == NULL || wants == NULL) {
    pg_mem_free(mem, e);
    pg_mem_free(mem, wants);
    snprintf(err, err_len, "out of memory");
    return PARIGOT_ENOMEM;
  }
  *e = (lb_end){.base.ops = &loopback_ops,
                .lb = lb,
                .index = u,
                .ev = *ev,
                .wants = wants};
  if (lb->names[0] == NULL) /* the first unit's list: all's */
    for (uint32_t i = 0; i < lb->nunits; i++)
      lb->names[i] = cfg->peers[i].unit;
  lb->ends[u] = e;
  *out = &e->base;
  return 0;
}

int pg_loopback_new(pg_loopback **out, uint32_t nunits, const pg_mem *mem) {
  pg_loopback *lb = pg_mem_calloc(mem, 1, sizeof *lb);
  if (lb == NULL)
    return PARIGOT_ENOMEM;
  lb->mem = mem;
  lb->nunits = nunits;
  lb->names = pg_mem_calloc(mem, nunits + 1, sizeof *lb->names);
  lb->ends = pg_mem_calloc(mem, nunits + 1, sizeof *lb->ends);
  lb->links =
      pg_mem_calloc(mem, (size_t)nunits * nunits + 1, sizeof *lb->links);
  if (lb->names == NULL || lb->ends == NULL || lb->links == NULL) {
    pg_loopback_free(lb);
    return PARIGOT_ENOMEM;
  }
  lb->kind = (pg_transport_kind){.name = "loopback",
                                 .is_deterministic = true,
                                 .needs_addresses = false,
                                 .open = open_end,
                                 .user = lb};
  *out = lb;
  return 0;
}

const pg_transport_kind *pg_loopback_kind(pg_loopback *lb) {
  return &lb->kind;
}

/* Remembers call in @p id of @p e as @p m's; false when out of memory. */
static bool track(lb_end *e, uint64_t id, const lb_msg *m) {
  if (e->ninflight == e->inflight_cap) {
    uint32_t cap = e->inflight_cap ? 2 * e->inflight_cap : 16;
    lb_inflight *n = pg_mem_realloc(e->lb->mem, e->inflight, cap * sizeof *n);
    if (n == NULL)
      return false;
    e->inflight = n;
    e->inflight_cap = cap;
  }
  e->inflight[e->ninflight++] = (lb_inflight){id, m->from, m->id};
  return true;
}

static void deliver_call(pg_loopback *lb, const lb_msg *m) {
  lb_end *e = lb->ends[m->to];
  char why[512], origin[320];
  uint64_t id = 0;
  uint32_t status = PARIGOT_CODE_UNAVAILABLE;
  snprintf(why, sizeof why, "unit %s is not serving", lb->names[m->to]);
  if (e != NULL && e->is_serving && !e->is_closed) {
    snprintf(origin, sizeof origin, "%s/%llu", lb->names[m->from],
             (unsigned long long)m->id);
    pg_transport_call_in c = {
        .service = m->service,
        .service_len = strlen(m->service),
        .method = m->method,
        .method_len = m->method_len,
        .req = m->body,
        .req_len = m->body_len,
        .timeout_ns = m->timeout_ns,
        .is_from_peer = true,
        .caller = m->caller,
        .origin = origin,
        .ctx = {m->user_id, m->user_name, m->user_roles, m->traceparent}};
    status = e->ev.call(e->ev.user, &c, &id, why, sizeof why);
    if (status == 0 && track(e, id, m))
      return;
    if (status == 0) { /* answered at once, as the wire would */
      e->ev.cancel(e->ev.user, id);
      status = PARIGOT_CODE_RESOURCE_EXHAUSTED;
      snprintf(why, sizeof why, "out of memory");
    }
  }
  push_answer(lb, m->to, m->from, m->id, status, 0, why, strlen(why));
}

static void deliver_one(pg_loopback *lb, const lb_msg *m) {
  lb_end *e = lb->ends[m->to];
  if (m->kind == LB_CALL) {
    deliver_call(lb, m);
  } else if (e == NULL || e->is_closed) {
    return; /* its unit ended: nobody to tell */
  } else if (m->kind == LB_ANSWER) {
    pg_transport_answer a = {m->id, m->status, m->app_error, m->body,
                             m->body_len};
    e->ev.answered(e->ev.user, &a);
  } else {
    e->ev.peer_state(e->ev.user, m->from, m->is_up, (const char *)m->body);
  }
}

static uint64_t next_random(pg_loopback *lb) {
  uint64_t z = (lb->rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Whether @p m, which is due, is the first due message on its link in
 * the list @p head: a link keeps its order (as one connection does). */
static bool is_first_on_link(const lb_msg *head, const lb_msg *m,
                             uint64_t now) {
  for (const lb_msg *p = head; p != m; p = p->next)
    if (p->from == m->from && p->to == m->to && p->due_ns <= now)
      return false;
  return true;
}

/* The due message to deliver next out of @p list, unlinked; NULL when
 * none is due. In order; explored, one of the first due ones of each
 * link, picked at random. */
static lb_msg *take_due(pg_loopback *lb, lb_msg **list, uint64_t now) {
  uint32_t n = 0;
  for (lb_msg *m = *list; m != NULL; m = m->next)
    n += m->due_ns <= now &&
         (!lb->is_explored || is_first_on_link(*list, m, now));
  if (n == 0)
    return NULL;
  uint32_t pick = lb->is_explored ? (uint32_t)(next_random(lb) % n) : 0;
  for (lb_msg **p = list; *p != NULL; p = &(*p)->next) {
    lb_msg *m = *p;
    if (m->due_ns > now ||
        (lb->is_explored && !is_first_on_link(*list, m, now)) || pick-- > 0)
      continue;
    *p = m->next;
    return m;
  }
  return NULL;
}

bool pg_loopback_deliver(pg_loopback *lb, uint64_t now_ns) {
  lb->now_ns = now_ns;
  lb_msg *list = lb->head, *m;
  if (list == NULL)
    return false;
  lb->head = lb->tail = NULL; /* what delivering sends waits its turn */
  lb->nqueued = 0;
  bool moved = false;
  while ((m = take_due(lb, &list, now_ns)) != NULL) {
    deliver_one(lb, m);
    pg_mem_free(lb->mem, m);
    moved = true;
  }
  /* The messages not yet due go back ahead of those sent meanwhile. */
  lb_msg *last = list;
  uint32_t kept = 0;
  for (; last != NULL; last = last->next) {
    kept++;
    if (last->next == NULL)
      break;
  }
  if (last != NULL) {
    last->next = lb->head;
    if (lb->tail == NULL)
      lb->tail = last;
    lb->head = list;
    lb->nqueued += kept;
  }
  return moved;
}

bool pg_loopback_next_due(const pg_loopback *lb, uint64_t *at) {
  bool any = false;
  for (const lb_msg *m = lb->head; m != NULL; m = m->next)
    if (m->due_ns > lb->now_ns && (!any || m->due_ns < *at)) {
      *at = m->due_ns;
      any = true;
    }
  return any;
}

void pg_loopback_explore(pg_loopback *lb, uint64_t seed) {
  lb->is_explored = true;
  lb->rng = seed ^ 0x5bd1e9955bd1e995ull;
}

void pg_loopback_free(pg_loopback *lb) {
  if (lb == NULL)
    return;
  for (lb_msg *m = lb->head, *next; m != NULL; m = next) {
    next = m->next;
    pg_mem_free(lb->mem, m);
  }
  pg_mem_free(lb->mem, lb->names);
  pg_mem_free(lb->mem, lb->ends);
  pg_mem_free(lb->mem, lb->links);
  pg_mem_free(lb->mem, lb);
}
