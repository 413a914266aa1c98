/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/queue/queue.c: the parigot.queue native kind (queue.h): the
 * calls of parigot.queue.v1.Queue read and answered in protobuf's wire
 * format (util/pbwire.h), their work done by the store (store.h), and the
 * Receive calls that wait.
 *
 * Owns the store, the list of held receives (oldest first) and the one
 * wake-up time it asked the kernel for (pg_native_wake_at): the earliest
 * of a held receive's end, the time a message of a queue someone waits on
 * becomes visible, and the next dead-lettering. kind.wake then answers
 * what it can. Every handler runs on the thread the kernel gives it, one
 * at a time (a native service is never in two handlers at once), and does
 * its SQLite work inline: a Send is answered after its commit is on disk.
 *
 * Time: the store keeps times on its own clock. Deterministic, that is the
 * app's virtual clock (pg_native_now) and the database is in memory, so a
 * run repeats byte for byte; otherwise it is CLOCK_REALTIME, which
 * outlives the process as the database does, and a store time becomes an
 * app time for pg_native_wake_at by its distance from now.
 */
#include "queue.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parigot/abi.h"
#include "parigot/error.h"
#include "mem.h"
#include "pbwire.h"
#include "queue_fds.h"
#include "store.h"
#include "units.h"

#define NAME_MAX_LEN 128u             /* a queue's name, ".dead" not counted */
#define MAX_BODY_LIMIT (1u << 20)     /* max_body's own bound */
#define ANSWER_BYTES (2u << 20)       /* a Receive stops adding messages here */
#define MAX_WAIT_MARGIN_NS 100000000u /* answered before the deadline */

typedef struct settings {
  char database[PATH_MAX]; /* absolute */
  uint32_t max_deliveries;
  uint64_t visibility_ns;
  uint64_t max_messages; /* per queue */
  uint64_t max_body;     /* bytes */
  uint32_t max_held;
  uint64_t busy_ns;
} settings;

/* A Receive waiting for a message. */
typedef struct held {
  uint64_t call;
  uint64_t ends_ns;       /* app clock: answered empty then */
  uint64_t visibility_ns; /* of what it takes */
  uint32_t max;           /* messages */
  char queue[PG_QSTORE_NAME_MAX + 1];
  char caller[PARIGOT_ABI_NAME_MAX + 1]; /* cut to fit: see caller_ended */
} held;

/* An answer being written: protobuf bytes, grown as needed. */
typedef struct pbout {
  const pg_mem *mem; /* of p */
  uint8_t *p;
  size_t len, cap;
  bool has_failed; /* out of memory: the answer is an error */
} pbout;

typedef struct qstate {
  pg_native *n;      /* borrowed: the kernel's */
  const pg_mem *mem; /* every allocation of the service */
  pg_qstore *store;
  settings st;
  bool is_deterministic;
  held *held; /* owned, nheld of cap, oldest first */
  uint32_t nheld, cap;
  uint64_t wake_at;  /* what pg_native_wake_at was last given */
  size_t answer_cap; /* a Receive's answer stops growing past it */
  pbout out;         /* reused by every answer */
  char err[512];     /* the last store error */
} qstate;

/* ---- settings ------------------------------------------------------------
 */

static const char *const setting_names[] = {
    "database", "max_deliveries", "visibility_timeout", "max_messages",
    "max_body", "max_held",       "busy_timeout"};

static int bad(char *why, size_t cap, const char *key, const char *value,
               const char *want) {
  snprintf(why, cap, "config.%s = \"%s\": %s", key, value, want);
  return PARIGOT_EINVAL;
}

/* Setting @p key as an integer in [lo, hi], or @p def when not set. */
static int int_setting(pg_native *n, const char *key, uint64_t def, uint64_t lo,
                       uint64_t hi, uint64_t *out, char *why, size_t cap) {
  const char *v = pg_native_setting(n, key);
  char *end;
  char want[96];
  if (v == NULL) {
    *out = def;
    return 0;
  }
  unsigned long long x = strtoull(v, &end, 10);
  snprintf(want, sizeof want, "an integer from %" PRIu64 " to %" PRIu64, lo,
           hi);
  if (v[0] < '0' || v[0] > '9' || *end != '\0' || x < lo || x > hi)
    return bad(why, cap, key, v, want);
  *out = x;
  return 0;
}

static int duration_setting(pg_native *n, const char *key, const char *def,
                            uint64_t *out, char *why, size_t cap) {
  const char *v = pg_native_setting(n, key);
  if (pg_units_parse_duration(v != NULL ? v : def, out) != 0 || *out < 1000000)
    return bad(why, cap, key, v,
               "a duration of at least 1ms, like \"500ms\" or \"30s\"");
  return 0;
}

static int read_settings(pg_native *n, settings *st, char *why, size_t cap) {
  uint64_t deliveries, held;
  const char *db = pg_native_setting(n, "database");
  char fallback[PATH_MAX];
  snprintf(fallback, sizeof fallback, "%s.db", pg_native_name(n));
  if (db != NULL && db[0] == '\0')
    return bad(why, cap, "database", db, "a file name");
  if (pg_native_path(n, db != NULL ? db : fallback, st->database,
                     sizeof st->database) != 0)
    return bad(why, cap, "database", db, "a path that fits PATH_MAX");
  int rc = int_setting(n, "max_deliveries", 5, 1, 1000, &deliveries, why, cap);
  if (rc == 0)
    rc = int_setting(n, "max_messages", 100000, 1, INT64_MAX, &st->max_messages,
                     why, cap);
  if (rc == 0)
    rc = int_setting(n, "max_held", 1024, 1, 65536, &held, why, cap);
  if (rc == 0)
    rc = duration_setting(n, "visibility_timeout", "30s", &st->visibility_ns,
                          why, cap);
  if (rc == 0)
    rc = duration_setting(n, "busy_timeout", "5s", &st->busy_ns, why, cap);
  if (rc != 0)
    return rc;
  const char *body = pg_native_setting(n, "max_body");
  if (pg_units_parse_size(body != NULL ? body : "256K", &st->max_body) != 0 ||
      st->max_body < 1 || st->max_body > MAX_BODY_LIMIT)
    return bad(why, cap, "max_body", body, "a size from 1 to 1M");
  st->max_deliveries = (uint32_t)deliveries;
  st->max_held = (uint32_t)held;
  return 0;
}

/* At load: settings wrong stop the app before anything starts. */
static int queue_declare(pg_native *n, char *why, size_t cap) {
  settings st;
  return read_settings(n, &st, why, cap);
}

/* ---- the wire format -------------------------------------------------------
 */

static size_t varint_len(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

static void out_put(pbout *o, const void *p, size_t len) {
  if (o->has_failed)
    return;
  if (o->len + len > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->len + len)
      cap *= 2;
    uint8_t *more = pg_mem_realloc(o->mem, o->p, cap);
    if (more == NULL) {
      o->has_failed = true;
      return;
    }
    o->p = more;
    o->cap = cap;
  }
  memcpy(o->p + o->len, p, len);
  o->len += len;
}

static void out_varint(pbout *o, uint64_t v) {
  uint8_t b[10];
  out_put(o, b, pg_pbwire_put_varint(b, v));
}

/* A varint field, left out when 0 as proto3 does. */
static void out_uint(pbout *o, uint32_t field, uint64_t v) {
  if (v == 0)
    return;
  out_varint(o, (uint64_t)field << 3 | PG_PBWIRE_VARINT);
  out_varint(o, v);
}

static void out_bytes(pbout *o, uint32_t field, const void *p, size_t len) {
  if (len == 0)
    return;
  out_varint(o, (uint64_t)field << 3 | PG_PBWIRE_LEN);
  out_varint(o, len);
  out_put(o, p, len);
}

static size_t uint_size(uint64_t v) {
  return v == 0 ? 0 : 1 + varint_len(v);
}

static size_t bytes_size(size_t len) {
  return len == 0 ? 0 : 1 + varint_len(len) + len;
}

/* The fields 1 to 4 of a request, as the method's @p shape says: 'L' a
 * length-delimited field, 'V' a varint. Others are skipped, as protobuf
 * does; the last of a repeated one wins. */
typedef struct request {
  pg_pbwire_field f[5]; /* f[1] .. f[4]; len 0 / v 0 when absent */
} request;

static bool parse(const uint8_t *p, size_t len, const char *shape, request *r) {
  return pg_pbwire_read_shape(p, len, shape, r->f);
}

/* ---- answers ----------------------------------------------------------------
 */

static void refuse(qstate *q, uint64_t call, uint32_t code, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

static void refuse(qstate *q, uint64_t call, uint32_t code, const char *fmt,
                   ...) {
  char msg[640];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  pg_native_respond(q->n, call, code, 0, msg, strlen(msg));
}

/* Sends q->out as the answer. 0 once given; else (the call had ended, the
 * answer was over max_message_size, no memory) what it carried is to be
 * given back. */
static int answer(qstate *q, uint64_t call) {
  if (q->out.has_failed) {
    q->out.has_failed = false;
    refuse(q, call, PARIGOT_CODE_RESOURCE_EXHAUSTED, "out of memory");
    return PARIGOT_ENOMEM;
  }
  return pg_native_respond(q->n, call, 0, 0, q->out.p, q->out.len);
}

static void store_failed(qstate *q, uint64_t call) {
  refuse(q, call, PARIGOT_CODE_UNAVAILABLE, "queue database: %s", q->err);
}

/* ---- names, receipts, clocks ----------------------------------------------
 */

static bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* The queue field as a C string into @p out, or false: 1 to 128 name
 * characters, and ".dead" after them for a dead-letter queue. */
static bool read_name(const pg_pbwire_field *f,
                      char out[PG_QSTORE_NAME_MAX + 1]) {
  size_t len = f->len, base = len;
  if (len > 5 && memcmp(f->p + len - 5, ".dead", 5) == 0)
    base = len - 5;
  if (len == 0 || base > NAME_MAX_LEN)
    return false;
  for (size_t i = 0; i < len; i++)
    if (!is_name_char((char)f->p[i]))
      return false;
  memcpy(out, f->p, len);
  out[len] = '\0';
  return true;
}

static const char name_rule[] =
    "queue: a name of 1 to 128 letters, digits, '.', '_' or '-' (and "
    "\".dead\" after it for a dead-letter queue)";

/* "ID.DELIVERY", both decimal from 1: what Receive gave out. */
static bool read_receipt(const pg_pbwire_field *f, uint64_t *id,
                         uint32_t *deliveries) {
  char text[48];
  char *dot, *end;
  if (f->len == 0 || f->len >= sizeof text)
    return false;
  memcpy(text, f->p, f->len);
  text[f->len] = '\0';
  if (text[0] < '1' || text[0] > '9' || (dot = strchr(text, '.')) == NULL ||
      dot[1] < '1' || dot[1] > '9')
    return false;
  unsigned long long i = strtoull(text, &end, 10);
  if (end != dot)
    return false;
  unsigned long d = strtoul(dot + 1, &end, 10);
  if (*end != '\0' || d > UINT32_MAX || i > INT64_MAX)
    return false;
  *id = i;
  *deliveries = (uint32_t)d;
  return true;
}

/* The store's clock now: the app's when deterministic, else real time. */
static uint64_t store_now(const qstate *q, uint64_t app_now) {
  if (q->is_deterministic)
    return app_now;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Store time @p t as an app time, by its distance from now. */
static uint64_t to_app(uint64_t t, uint64_t app_now, uint64_t snow) {
  return t <= snow ? app_now : app_now + (t - snow);
}

typedef struct clocks {
  uint64_t app, store; /* the same instant on both */
} clocks;

static clocks now_of(const qstate *q) {
  uint64_t app = pg_native_now(q->n);
  return (clocks){app, store_now(q, app)};
}

/* ---- receiving
 * ----------------------------------------------------------------
 */

/* What one take handed out: to write the answer, and to undo it. */
typedef struct taken {
  qstate *q;
  uint32_t n;
  uint64_t id[PG_QSTORE_TAKE_MAX];
  uint32_t deliveries[PG_QSTORE_TAKE_MAX];
  uint64_t visible_was[PG_QSTORE_TAKE_MAX];
} taken;

/* One Message of ReceiveResponse.messages (field 1) into q->out. */
static bool add_message(void *ctx, const pg_qstore_msg *m) {
  taken *t = ctx;
  pbout *o = &t->q->out;
  char receipt[48];
  int rlen = snprintf(receipt, sizeof receipt, "%" PRIu64 ".%" PRIu32, m->id,
                      m->deliveries);
  size_t inner = uint_size(m->id) + bytes_size(m->len) +
                 bytes_size((size_t)rlen) + uint_size(m->deliveries);
  out_varint(o, 1 << 3 | PG_PBWIRE_LEN);
  out_varint(o, inner);
  out_uint(o, 1, m->id);
  out_bytes(o, 2, m->body, m->len);
  out_bytes(o, 3, receipt, (size_t)rlen);
  out_uint(o, 4, m->deliveries);
  t->id[t->n] = m->id;
  t->deliveries[t->n] = m->deliveries;
  t->visible_was[t->n++] = m->visible_was;
  return o->len < t->q->answer_cap;
}

/* Takes up to @p max of @p queue into q->out (emptied first). The count,
 * or a negative errno with q->err. */
static int take(qstate *q, const char *queue, uint32_t max,
                uint64_t visibility_ns, clocks now, taken *t) {
  q->out.len = 0;
  t->q = q;
  t->n = 0;
  return pg_qstore_take(q->store, queue, now.store, now.store + visibility_ns,
                        max, add_message, t, q->err, sizeof q->err);
}

/* The answer could not be given: the messages are back as they were. */
static void untake(qstate *q, const taken *t) {
  for (uint32_t i = 0; i < t->n; i++)
    pg_qstore_untake(q->store, t->id[i], t->deliveries[i], t->visible_was[i],
                     q->err, sizeof q->err);
}

static void drop_held(qstate *q, uint32_t i) {
  memmove(&q->held[i], &q->held[i + 1], (q->nheld - i - 1) * sizeof *q->held);
  q->nheld--;
}

/* Asks the kernel for a wake-up at the earliest thing a held receive
 * waits for; none when nothing waits. */
static void reschedule(qstate *q, clocks now) {
  uint64_t next = 0, t;
  for (uint32_t i = 0; i < q->nheld; i++) {
    const held *h = &q->held[i];
    bool is_first = true; /* of its queue: look its queue up once */
    for (uint32_t k = 0; k < i && is_first; k++)
      is_first = strcmp(q->held[k].queue, h->queue) != 0;
    if (next == 0 || h->ends_ns < next)
      next = h->ends_ns;
    if (is_first && pg_qstore_next(q->store, h->queue, now.store, &t) &&
        to_app(t, now.app, now.store) < next)
      next = to_app(t, now.app, now.store);
  }
  if (q->nheld > 0 && pg_qstore_next(q->store, NULL, now.store, &t) &&
      to_app(t, now.app, now.store) < next)
    next = to_app(t, now.app, now.store);
  if (next == q->wake_at)
    return;
  q->wake_at = next;
  pg_native_wake_at(q->n, next);
}

/* Answers the held receives of @p queue (NULL: of every queue) that
 * messages are there for, oldest first, and those whose wait is over. */
static void serve_held(qstate *q, const char *queue, clocks now) {
  const char *empty[8]; /* queues found empty in this pass */
  uint32_t nempty = 0;
  taken t;
  for (uint32_t i = 0; i < q->nheld;) {
    held *h = &q->held[i];
    bool is_known_empty = false;
    for (uint32_t k = 0; k < nempty && !is_known_empty; k++)
      is_known_empty = strcmp(empty[k], h->queue) == 0;
    if ((queue != NULL && strcmp(queue, h->queue) != 0) || is_known_empty) {
      i++;
      continue;
    }
    int n = take(q, h->queue, h->max, h->visibility_ns, now, &t);
    if (n <= 0) {
      if (nempty < 8)
        empty[nempty++] = h->queue;
      i++;
      continue;
    }
    if (answer(q, h->call) != 0)
      untake(q, &t); /* for the next receiver */
    drop_held(q, i);
  }
  for (uint32_t i = 0; i < q->nheld;) {
    if (q->held[i].ends_ns > now.app) {
      i++;
      continue;
    }
    pg_native_respond(q->n, q->held[i].call, 0, 0, "", 0);
    drop_held(q, i);
  }
  reschedule(q, now);
}

/* When a held receive is answered empty: at its wait's end, or a little
 * before the call's deadline (a tenth of the time left, at most 100 ms),
 * so that the caller gets an answer rather than DEADLINE_EXCEEDED. */
static uint64_t wait_end(uint64_t now, uint64_t wait_ns, uint64_t deadline) {
  uint64_t ends = now + wait_ns;
  if (deadline == 0)
    return ends;
  if (deadline <= now)
    return now;
  uint64_t margin = (deadline - now) / 10;
  if (margin > MAX_WAIT_MARGIN_NS)
    margin = MAX_WAIT_MARGIN_NS;
  return ends < deadline - margin ? ends : deadline - margin;
}

static void hold(qstate *q, const pg_native_call *c, const char *queue,
                 uint32_t max, uint64_t wait_ns, uint64_t visibility_ns,
                 clocks now) {
  uint64_t ends = wait_end(now.app, wait_ns, c->deadline_ns);
  if (ends <= now.app) {
    pg_native_respond(q->n, c->id, 0, 0, "", 0);
    return;
  }
  if (q->nheld == q->st.max_held) {
    refuse(q, c->id, PARIGOT_CODE_RESOURCE_EXHAUSTED,
           "too many receives waiting: %" PRIu32 " (max_held)", q->st.max_held);
    return;
  }
  if (q->nheld == q->cap) {
    uint32_t cap = q->cap ? 2 * q->cap : 16;
    held *more = pg_mem_realloc(q->mem, q->held, cap * sizeof *more);
    if (more == NULL) {
      refuse(q, c->id, PARIGOT_CODE_RESOURCE_EXHAUSTED, "out of memory");
      return;
    }
    q->held = more;
    q->cap = cap;
  }
  held *h = &q->held[q->nheld++];
  *h = (held){.call = c->id,
              .ends_ns = ends,
              .visibility_ns = visibility_ns,
              .max = max};
  snprintf(h->queue, sizeof h->queue, "%s", queue);
  snprintf(h->caller, sizeof h->caller, "%.*s", (int)c->caller_len, c->caller);
  reschedule(q, now);
}

/* ---- the methods
 * --------------------------------------------------------------
 */

static void do_send(qstate *q, const pg_native_call *c, const request *r) {
  char queue[PG_QSTORE_NAME_MAX + 1];
  uint64_t id;
  if (!read_name(&r->f[1], queue)) {
    refuse(q, c->id, PARIGOT_CODE_INVALID_ARGUMENT, "%s", name_rule);
    return;
  }
  if (r->f[2].len > q->st.max_body) {
    refuse(q, c->id, PARIGOT_CODE_RESOURCE_EXHAUSTED,
           "body: %zu bytes, over max_body (%" PRIu64 ")", r->f[2].len,
           q->st.max_body);
    return;
  }
  uint64_t delay_ns = (uint64_t)(uint32_t)r->f[3].v * 1000000u;
  clocks now = now_of(q);
  int rc = pg_qstore_send(q->store, queue, r->f[2].p, r->f[2].len,
                          now.store + delay_ns, q->st.max_messages, &id, q->err,
                          sizeof q->err);
  if (rc == PARIGOT_ENOSPC) {
    refuse(q, c->id, PARIGOT_CODE_RESOURCE_EXHAUSTED,
           "queue %s is full: %" PRIu64 " messages (max_messages)", queue,
           q->st.max_messages);
    return;
  }
  if (rc != 0) {
    store_failed(q, c->id);
    return;
  }
  q->out.len = 0;
  out_uint(&q->out, 1, id);
  answer(q, c->id);
  if (delay_ns == 0)
    serve_held(q, queue, now);
  else if (q->nheld > 0)
    reschedule(q, now);
}

static void do_receive(qstate *q, const pg_native_call *c, const request *r) {
  char queue[PG_QSTORE_NAME_MAX + 1];
  taken t;
  uint32_t max = (uint32_t)r->f[2].v;
  uint64_t vis = (uint64_t)(uint32_t)r->f[4].v * 1000000u;
  if (!read_name(&r->f[1], queue)) {
    refuse(q, c->id, PARIGOT_CODE_INVALID_ARGUMENT, "%s", name_rule);
    return;
  }
  if (r->f[2].v > PG_QSTORE_TAKE_MAX) {
    refuse(q, c->id, PARIGOT_CODE_INVALID_ARGUMENT,
           "max_messages: at most %d (got %" PRIu64 ")", PG_QSTORE_TAKE_MAX,
           r->f[2].v);
    return;
  }
  clocks now = now_of(q);
  if (pg_qstore_sweep(q->store, now.store, q->err, sizeof q->err) < 0) {
    store_failed(q, c->id);
    return;
  }
  int n = take(q, queue, max == 0 ? 1 : max, vis ? vis : q->st.visibility_ns,
               now, &t);
  if (n < 0) {
    store_failed(q, c->id);
    return;
  }
  uint64_t wait_ns = (uint64_t)(uint32_t)r->f[3].v * 1000000u;
  if (n > 0 || wait_ns == 0) {
    if (answer(q, c->id) != 0)
      untake(q, &t);
    return;
  }
  hold(q, c, queue, max == 0 ? 1 : max, wait_ns,
       vis ? vis : q->st.visibility_ns, now);
}

static bool receipt_of(qstate *q, const pg_native_call *c, const request *r,
                       uint64_t *id, uint32_t *deliveries) {
  if (read_receipt(&r->f[1], id, deliveries))
    return true;
  refuse(q, c->id, PARIGOT_CODE_INVALID_ARGUMENT,
         "receipt: \"%.*s\" is not a receipt Receive gave",
         (int)(r->f[1].len < 64 ? r->f[1].len : 64), (const char *)r->f[1].p);
  return false;
}

static void gone(qstate *q, uint64_t call, uint64_t id, uint32_t deliveries) {
  refuse(q, call, PARIGOT_CODE_NOT_FOUND,
         "receipt %" PRIu64 ".%" PRIu32 ": no such delivery (acknowledged "
         "already, or delivered again since)",
         id, deliveries);
}

static void do_ack(qstate *q, const pg_native_call *c, const request *r) {
  uint64_t id;
  uint32_t deliveries;
  if (!receipt_of(q, c, r, &id, &deliveries))
    return;
  int rc = pg_qstore_ack(q->store, id, deliveries, q->err, sizeof q->err);
  if (rc == PARIGOT_ENOENT)
    gone(q, c->id, id, deliveries);
  else if (rc != 0)
    store_failed(q, c->id);
  else
    pg_native_respond(q->n, c->id, 0, 0, "", 0);
}

static void do_nack(qstate *q, const pg_native_call *c, const request *r) {
  uint64_t id;
  uint32_t deliveries;
  char queue[PG_QSTORE_NAME_MAX + 1];
  if (!receipt_of(q, c, r, &id, &deliveries))
    return;
  uint64_t delay_ns = (uint64_t)(uint32_t)r->f[2].v * 1000000u;
  clocks now = now_of(q);
  int rc = pg_qstore_nack(q->store, id, deliveries, now.store + delay_ns, queue,
                          sizeof queue, q->err, sizeof q->err);
  if (rc == PARIGOT_ENOENT) {
    gone(q, c->id, id, deliveries);
    return;
  }
  if (rc != 0) {
    store_failed(q, c->id);
    return;
  }
  pg_native_respond(q->n, c->id, 0, 0, "", 0);
  if (delay_ns == 0)
    serve_held(q, queue, now);
  else if (q->nheld > 0)
    reschedule(q, now);
}

static void do_stats(qstate *q, const pg_native_call *c, const request *r) {
  char queue[PG_QSTORE_NAME_MAX + 1];
  uint64_t messages, visible, in_flight;
  uint32_t nheld = 0;
  if (!read_name(&r->f[1], queue)) {
    refuse(q, c->id, PARIGOT_CODE_INVALID_ARGUMENT, "%s", name_rule);
    return;
  }
  clocks now = now_of(q);
  if (pg_qstore_sweep(q->store, now.store, q->err, sizeof q->err) < 0 ||
      pg_qstore_stats(q->store, queue, now.store, &messages, &visible,
                      &in_flight, q->err, sizeof q->err) != 0) {
    store_failed(q, c->id);
    return;
  }
  for (uint32_t i = 0; i < q->nheld; i++)
    nheld += strcmp(q->held[i].queue, queue) == 0;
  q->out.len = 0;
  out_uint(&q->out, 1, messages);
  out_uint(&q->out, 2, visible);
  out_uint(&q->out, 3, in_flight);
  out_uint(&q->out, 4, nheld);
  answer(q, c->id);
}

/* ---- the kind
 * -------------------------------------------------------------------
 */

typedef struct method {
  const char *name;
  const char *shape; /* of its request: see parse() */
  void (*run)(qstate *q, const pg_native_call *c, const request *r);
} method;

static const method methods[] = {{"Send", "LLV", do_send},
                                 {"Receive", "LVVV", do_receive},
                                 {"Ack", "L", do_ack},
                                 {"Nack", "LV", do_nack},
                                 {"Stats", "L", do_stats}};

static void queue_call(pg_native *n, void *state, const pg_native_call *c) {
  qstate *q = state;
  request r;
  for (size_t i = 0; i < sizeof methods / sizeof *methods; i++) {
    const method *m = &methods[i];
    if (strlen(m->name) != c->method_len ||
        memcmp(m->name, c->method, c->method_len) != 0)
      continue;
    if (!parse(c->req, c->req_len, m->shape, &r))
      refuse(q, c->id, PARIGOT_CODE_INVALID_ARGUMENT, "malformed %s request",
             m->name);
    else
      m->run(q, c, &r);
    return;
  }
  pg_native_respond(n, c->id, PARIGOT_CODE_UNIMPLEMENTED, 0, "no such method",
                    14);
}

static void queue_wake(pg_native *n, void *state, uint64_t now_ns) {
  qstate *q = state;
  (void)n, (void)now_ns;
  q->wake_at = 0; /* spent */
  clocks now = now_of(q);
  if (pg_qstore_sweep(q->store, now.store, q->err, sizeof q->err) < 0)
    pg_native_log(q->n, 3, q->err);
  serve_held(q, NULL, now);
}

/* A guest that ended (exit, death, restart) waits no more: the kernel
 * ended its calls; its held receives go, freeing their places. */
static void queue_caller_ended(pg_native *n, void *state, const char *name) {
  qstate *q = state;
  (void)n;
  uint32_t before = q->nheld;
  for (uint32_t i = 0; i < q->nheld;)
    if (strcmp(q->held[i].caller, name) == 0)
      drop_held(q, i);
    else
      i++;
  if (q->nheld != before)
    reschedule(q, now_of(q));
}

static int queue_start(pg_native *n, void **state, char *why, size_t cap) {
  const pg_mem *mem = pg_mem_default();
  qstate *q = pg_mem_calloc(mem, 1, sizeof *q);
  if (q == NULL)
    return PARIGOT_ENOMEM;
  q->n = n;
  q->mem = mem;
  q->out.mem = mem;
  q->is_deterministic = pg_native_is_deterministic(n);
  q->answer_cap = pg_native_max_message_size(n) / 2;
  if (q->answer_cap > ANSWER_BYTES)
    q->answer_cap = ANSWER_BYTES;
  int rc = read_settings(n, &q->st, why, cap);
  if (rc == 0)
    rc = pg_qstore_new(
        q->is_deterministic ? NULL : q->st.database, q->st.max_deliveries,
        (uint32_t)(q->st.busy_ns / 1000000u), &q->store, why, cap);
  if (rc != 0) {
    pg_mem_free(mem, q);
    return rc;
  }
  char msg[PATH_MAX + 32];
  snprintf(msg, sizeof msg, "ready: %s",
           q->is_deterministic ? "a private database in memory"
                               : q->st.database);
  pg_native_log(n, 1, msg);
  *state = q;
  return 0;
}

static void queue_stop(pg_native *n, void *state) {
  qstate *q = state;
  (void)n;
  pg_qstore_free(q->store);
  pg_mem_free(q->mem, q->held);
  pg_mem_free(q->mem, q->out.p);
  pg_mem_free(q->mem, q);
}

static const char *const exports[] = {"parigot.queue.v1.Queue"};

const pg_native_kind pg_queue_kind = {
    .name = "parigot.queue",
    .exports = exports,
    .nexports = 1,
    .descriptors = pg_queue_fds,
    .descriptors_len = sizeof pg_queue_fds,
    .start = queue_start,
    .call = queue_call,
    .stop = queue_stop,
    .settings = setting_names,
    .nsettings = sizeof setting_names / sizeof *setting_names,
    .declare = queue_declare,
    .wake = queue_wake,
    .caller_ended = queue_caller_ended,
};
