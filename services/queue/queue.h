/* SPDX-License-Identifier: Apache-2.0 */
/*
 * services/queue/queue.h: parigot.queue, the durable queue built-in: the
 * native kind that serves parigot.queue.v1.Queue
 * (proto/parigot/queue/v1/queue.proto) from a SQLite database.
 *
 * The manifest declares it as
 *
 *   [[service]]
 *   name = "jobs"
 *   native = "parigot.queue"
 *   config = { database = "queue.db", max_deliveries = 5,
 *              visibility_timeout = "30s", max_messages = 100000 }
 *
 * Settings (each optional): database (a file, relative to the manifest;
 * "<service name>.db" by default), max_deliveries (5: deliveries before a
 * message moves to "<queue>.dead"), visibility_timeout ("30s": how long a
 * received message stays invisible), max_messages (100000 per queue),
 * max_body ("256K", at most 1M: bytes of one message), max_held (1024:
 * Receive calls waiting at once), busy_timeout ("5s": SQLite's, when
 * another process holds the database). In deterministic mode the database
 * is a fresh private one in memory, whatever `database` says.
 */
#ifndef PG_QUEUE_H
#define PG_QUEUE_H

#include "parigot/native.h"

/* The kind, constant; a host lists it in pg_app_config.natives. */
extern const pg_native_kind pg_queue_kind;

#endif /* PG_QUEUE_H */
