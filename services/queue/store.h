/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/queue/store.h: the queue built-in's messages in SQLite: what
 * each operation does to the database, one transaction each, with no
 * knowledge of calls, held receives or clocks (every time is given, on
 * the caller's clock, in ns).
 *
 * Schema: `messages` (id, queue, body, visible_at, deliveries),
 * ids never reused (AUTOINCREMENT, so a receipt never names another
 * message); `queues` (name, messages), each queue's count, kept in the
 * same transactions. A message is visible when visible_at <= now; a
 * Receive makes it invisible until now + the visibility timeout and counts
 * a delivery; one whose deliveries reached max_deliveries moves, once
 * visible again, to "<queue>.dead" (a sweep, pg_qstore_sweep). A store is
 * used by one thread at a time.
 */
#ifndef PG_QSTORE_H
#define PG_QSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Messages one take hands out at most; also the batch of one sweep. */
#define PG_QSTORE_TAKE_MAX 100
/* Bytes of a queue's name, a dead-letter queue's ".dead" included. */
#define PG_QSTORE_NAME_MAX 133

typedef struct pg_qstore pg_qstore;

/* A message taken by pg_qstore_take: valid during the callback. */
typedef struct pg_qstore_msg {
  uint64_t id;
  uint32_t deliveries;  /* with this one */
  uint64_t visible_was; /* visible_at before the take, for pg_qstore_untake */
  const void *body;     /* borrowed, len bytes */
  size_t len;
} pg_qstore_msg;

/* Opens (creating it if need be) the database at @p path, or a private one
 * in memory when @p path is NULL: WAL, synchronous=FULL, a busy timeout of
 * @p busy_ms. @p max_deliveries: deliveries before the dead-letter queue.
 * 0 with *out set (pg_qstore_free), or a negative parigot errno with @p err
 * saying why (SQLite's message and the path). */
int pg_qstore_new(const char *path, uint32_t max_deliveries, uint32_t busy_ms,
                  pg_qstore **out, char *err, size_t err_len);

/* Closes the database; NULL is ignored. */
void pg_qstore_free(pg_qstore *s);

/* Adds a message to @p queue, visible at @p visible_at, unless the queue
 * already holds @p max_messages. 0 with *id set; PARIGOT_ENOSPC when full;
 * PARIGOT_EIO with @p err. @p body is copied. */
int pg_qstore_send(pg_qstore *s, const char *queue, const void *body,
                   size_t len, uint64_t visible_at, uint64_t max_messages,
                   uint64_t *id, char *err, size_t err_len);

/* Called once per message taken; returns false to take no more (the
 * message it was given is taken all the same). */
typedef bool (*pg_qstore_take_cb)(void *ctx, const pg_qstore_msg *m);

/* Takes up to @p max messages of @p queue visible at @p now, in order of
 * visible_at then id, each made invisible until @p until and its
 * deliveries counted, handing each to @p cb inside the transaction. The
 * number taken (0 to max), or PARIGOT_EIO with @p err, nothing taken. */
int pg_qstore_take(pg_qstore *s, const char *queue, uint64_t now,
                   uint64_t until, uint32_t max, pg_qstore_take_cb cb,
                   void *ctx, char *err, size_t err_len);

/* Undoes the take of message @p id at delivery @p deliveries (its answer
 * could not be given): visible again at @p visible_was, the delivery not
 * counted. 0; PARIGOT_ENOENT if it changed since; PARIGOT_EIO. */
int pg_qstore_untake(pg_qstore *s, uint64_t id, uint32_t deliveries,
                     uint64_t visible_was, char *err, size_t err_len);

/* Deletes message @p id if @p deliveries is still its count (no delivery
 * since the one acknowledged). 0; PARIGOT_ENOENT; PARIGOT_EIO. */
int pg_qstore_ack(pg_qstore *s, uint64_t id, uint32_t deliveries, char *err,
                  size_t err_len);

/* Makes message @p id, at delivery @p deliveries, visible at
 * @p visible_at; its queue's name into @p queue (@p cap bytes). 0;
 * PARIGOT_ENOENT; PARIGOT_EIO. */
int pg_qstore_nack(pg_qstore *s, uint64_t id, uint32_t deliveries,
                   uint64_t visible_at, char *queue, size_t cap, char *err,
                   size_t err_len);

/* Moves every message visible at @p now that was delivered max_deliveries
 * times to its queue's dead-letter queue. How many moved, or PARIGOT_EIO. */
int pg_qstore_sweep(pg_qstore *s, uint64_t now, char *err, size_t err_len);

/* The earliest time after @p now at which a message of @p queue becomes
 * visible, or at which a message of any queue moves to a dead-letter
 * queue (@p queue NULL). true with *at set; false when there is none. */
bool pg_qstore_next(pg_qstore *s, const char *queue, uint64_t now,
                    uint64_t *at);

/* What @p queue holds at @p now: every message, the visible ones, those in
 * flight (delivered and not visible again yet). 0, or PARIGOT_EIO. */
int pg_qstore_stats(pg_qstore *s, const char *queue, uint64_t now,
                    uint64_t *messages, uint64_t *visible, uint64_t *in_flight,
                    char *err, size_t err_len);

#endif /* PG_QSTORE_H */
