/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/queue/test_queue.c: the queue built-in (services/queue) as users
 * meet it, through `parigot run`: a C guest calling it in the same process,
 * deterministic and in parallel; its unit killed with SIGKILL in the middle of
 * a stream of sends and restarted on the same file; Python's grpcio and a
 * Connect JSON request calling it over the wire. Every run gets a fresh folder
 * under /tmp for its database, and SQLite itself checks the file afterwards.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"

/* What qclient's scenario "all" prints, wherever and however it runs. */
static const char all_out[] =
    "send a: sent, id 1\n"
    "send b: sent, id 2\n"
    "send c: sent, id 3\n"
    "receive 2: 2 messages [id 1 \"a\" delivery 1 receipt 1.1] [id 2 \"b\" "
    "delivery 1 receipt 2.1]\n"
    "ack a: ok\n"
    "nack b: ok\n"
    "receive c then b: 2 messages [id 3 \"c\" delivery 1 receipt 3.1] [id 2 "
    "\"b\" delivery 2 receipt 2.2]\n"
    "ack a again: NOT_FOUND: receipt 1.1: no such delivery (acknowledged "
    "already, or delivered again since)\n"
    "ack a bad receipt: INVALID_ARGUMENT: receipt: \"x\" is not a receipt "
    "Receive gave\n"
    "send to a bad name: INVALID_ARGUMENT: queue: a name of 1 to 128 "
    "letters, digits, '.', '_' or '-' (and \".dead\" after it for a "
    "dead-letter queue)\n"
    "send 2000 bytes: RESOURCE_EXHAUSTED: body: 2000 bytes, over max_body "
    "(1024)\n"
    "receive 101: INVALID_ARGUMENT: max_messages: at most 100 (got 101)\n"
    "stats: 2 messages, 0 visible, 2 in flight, 0 receives waiting\n"
    "send d: sent, id 4\n"
    "send e: sent, id 5\n"
    "send f: RESOURCE_EXHAUSTED: queue jobs is full: 4 messages "
    "(max_messages)\n"
    "ack c: ok\n"
    "ack b: ok\n"
    "stats: 2 messages, 2 visible, 0 in flight, 0 receives waiting\n"
    "receive from empty: 0 messages\n"
    /* a held receive, answered by the send made after it */
    "send to h: sent, id 6\n"
    "answered within its bounds: yes\n"
    "timed receive: 1 message [id 6 \"late\" delivery 1 receipt 6.1]\n"
    /* a wait of 300 ms that ends empty */
    "answered within its bounds: yes\n"
    "timed receive: 0 messages\n"
    /* a wait of 10 s cut to the call's deadline of 500 ms: empty */
    "answered within its bounds: yes\n"
    "timed receive: 0 messages\n"
    /* redelivery once the visibility timeout (200 ms) is over */
    "send to r: sent, id 7\n"
    "receive r, not acknowledged: 1 message [id 7 \"again\" delivery 1 "
    "receipt 7.1]\n"
    "answered within its bounds: yes\n"
    "timed receive: 1 message [id 7 \"again\" delivery 2 receipt 7.2]\n"
    "nack r: ok\n"
    "receive r a third time: 1 message [id 7 \"again\" delivery 3 receipt "
    "7.3]\n"
    /* max_deliveries is 3: after the third, r.dead gets it */
    "nack r, 100 ms: ok\n"
    "answered within its bounds: yes\n"
    "timed receive: 1 message [id 7 \"again\" delivery 4 receipt 7.4]\n"
    "ack from r.dead: ok\n"
    "stats r: 0 messages, 0 visible, 0 in flight, 0 receives waiting\n"
    "stats r.dead: 0 messages, 0 visible, 0 in flight, 0 receives "
    "waiting\n"
    /* max_held is 1 */
    "second receive held on m: RESOURCE_EXHAUSTED: too many receives "
    "waiting: 1 (max_held)\n"
    "send to m: sent, id 8\n"
    "first receive held on m: 1 message [id 8 \"one\" delivery 1 receipt "
    "8.1]\n";

typedef struct run_dir {
  char dir[64];       /* a fresh folder under /tmp */
  char db[128];       /* its database file */
  char manifest[128]; /* its manifest */
} run_dir;

/* Writes manifests/@p name.in into a fresh folder, @VARS@ filled in:
 * @DIR@ the guests, @DB@ the database, @PORT@, and @KEY@ / @VALUE@. */
static void write_manifest(run_dir *r, const char *name, const char *port,
                           const char *key, const char *value) {
  char in[4096], text[8192];
  snprintf(r->dir, sizeof r->dir, "/tmp/pg-queue-XXXXXX");
  ASSERT_TRUE(mkdtemp(r->dir) != NULL);
  snprintf(r->db, sizeof r->db, "%s/queue.db", r->dir);
  snprintf(r->manifest, sizeof r->manifest, "%s/app.toml", r->dir);
  snprintf(in, sizeof in, "%s/manifests/%s.in", PG_QUEUE_SOURCE, name);
  FILE *f = fopen(in, "r");
  ASSERT_TRUE(f != NULL);
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  const char *vars[][2] = {{"@DIR@", PG_QUEUE_DIR},
                           {"@DB@", r->db},
                           {"@PORT@", port},
                           {"@KEY@", key},
                           {"@VALUE@", value}};
  f = fopen(r->manifest, "w");
  ASSERT_TRUE(f != NULL);
  for (const char *p = text; *p != '\0';) {
    size_t k = 0;
    while (k < 5 && strncmp(p, vars[k][0], strlen(vars[k][0])) != 0)
      k++;
    if (k < 5) {
      fputs(vars[k][1] != NULL ? vars[k][1] : "", f);
      p += strlen(vars[k][0]);
    } else {
      fputc(*p++, f);
    }
  }
  ASSERT_EQ(fclose(f), 0);
}

/* Removes the folder and what is in it (the database, its WAL). */
static void remove_dir(const run_dir *r) {
  const char *const names[] = {"app.toml", "queue.db", "queue.db-wal",
                               "queue.db-shm"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    char path[192];
    snprintf(path, sizeof path, "%s/%s", r->dir, names[i]);
    unlink(path);
  }
  ASSERT_EQ(rmdir(r->dir), 0);
}

/* The one-value answer of @p sql on the database at @p path, as text. */
static void query(const char *path, const char *sql, char *out, size_t cap) {
  sqlite3 *db;
  sqlite3_stmt *st;
  ASSERT_EQ(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
}

/* A port nobody listens on now (tests/test_proc), as text. */
static void free_port(char *out, size_t cap) {
  snprintf(out, cap, "%d", pg_test_free_port());
}

/* ---- in one process ---------------------------------------------------- */

/* Parallel mode, on a real file: every method, every refusal, the held
 * receive, the waits, redelivery and the dead-letter queue; the file then
 * passes SQLite's integrity check and holds what the program left. */
PG_TEST(queue_guest_sends_receives_acks_and_nacks_on_a_real_file) {
  run_dir r;
  write_manifest(&r, "all.toml", "0", NULL, NULL);
  char *argv[] = {(char *)pg_test_parigot(), "run", r.manifest, NULL};
  pg_proc_result p;
  pg_proc_run(argv, NULL, NULL, &p);
  ASSERT_STREQ(p.out, all_out);
  ASSERT_EQ(p.status, 0);
  char line[256];
  snprintf(line, sizeof line, "INFO  queue: ready: %s\n", r.db);
  ASSERT_CONTAINS(p.err, line);
  char v[64];
  query(r.db, "PRAGMA integrity_check", v, sizeof v);
  ASSERT_STREQ(v, "ok");
  query(r.db,
        "SELECT group_concat(id || queue, ' ') FROM (SELECT id, queue FROM "
        "messages ORDER BY id)",
        v, sizeof v);
  ASSERT_STREQ(v, "4jobs 5jobs 6h 8m"); /* d, e; received on h and m */
  query(r.db, "PRAGMA journal_mode", v, sizeof v);
  ASSERT_STREQ(v, "wal");
  pg_proc_result_free(&p);
  remove_dir(&r);
}

/* Deterministic: a private database in memory (no file is made), the
 * clock virtual, and two runs the same bytes, which are those of the
 * parallel run. */
PG_TEST(queue_deterministic_runs_repeat_byte_for_byte) {
  run_dir r;
  write_manifest(&r, "all.toml", "0", NULL, NULL);
  char *argv[] = {(char *)pg_test_parigot(), "run", "--deterministic",
                  r.manifest, NULL};
  pg_proc_result a, b;
  pg_proc_run(argv, NULL, NULL, &a);
  pg_proc_run(argv, NULL, NULL, &b);
  ASSERT_STREQ(a.out, all_out);
  ASSERT_EQ(a.status, 0);
  ASSERT_STREQ(b.out, a.out);
  ASSERT_STREQ(b.err, a.err);
  ASSERT_CONTAINS(a.err, "t=0.000001 INFO  queue: ready: a private database "
                         "in memory\n");
  struct stat st;
  ASSERT_TRUE(stat(r.db, &st) != 0);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
  remove_dir(&r);
}

/* The queue in a unit of its own, deterministic: both units in one
 * process on one virtual clock, the calls over the loopback, the held
 * receives and visibility timeouts woken on that clock: the program
 * prints what it prints in one unit, twice the same bytes. (A unit of
 * services alone with no address used to open no transport there, and
 * the program's unit waited for it for ever.) */
PG_TEST(queue_in_a_unit_of_its_own_runs_deterministically) {
  run_dir r;
  write_manifest(&r, "own_unit.toml", "0", NULL, NULL);
  char *argv[] = {(char *)pg_test_parigot(), "run", "--deterministic",
                  r.manifest, NULL};
  pg_proc_result a, b;
  pg_proc_run(argv, NULL, NULL, &a);
  pg_proc_run(argv, NULL, NULL, &b);
  ASSERT_STREQ(a.out, all_out);
  ASSERT_EQ(a.status, 0);
  ASSERT_STREQ(b.out, a.out);
  ASSERT_STREQ(b.err, a.err);
  ASSERT_CONTAINS(a.err, "back  | t=0.000001 INFO  kernel: unit back serves\n");
  ASSERT_CONTAINS(a.err, "front | t=1.050075 INFO  client: exited with "
                         "status 0\n");
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
  remove_dir(&r);
}

/* A guest that ends with a receive held lets go of it at once (the
 * kernel's caller_ended), not at the end of its wait: a minute, cut to
 * its call's deadline of 5 s. */
PG_TEST(queue_a_guest_that_ends_lets_go_of_its_held_receives) {
  run_dir r;
  write_manifest(&r, "leave.toml", "0", NULL, NULL);
  char *det[] = {(char *)pg_test_parigot(), "run", "--deterministic",
                 r.manifest, NULL};
  char *par[] = {(char *)pg_test_parigot(), "run", r.manifest, NULL};
  const char *const want =
      "x: 0 messages, 0 visible, 0 in flight, 0 receives waiting\n";
  for (int i = 0; i < 2; i++) {
    pg_proc_result p;
    pg_proc_run(i == 0 ? det : par, NULL, NULL, &p);
    ASSERT_EQ(p.status, 0);
    ASSERT_CONTAINS(p.out, "leaving with a receive held\n");
    ASSERT_CONTAINS(p.out, "a second: 0 messages\n");
    ASSERT_CONTAINS(p.out, want);
    pg_proc_result_free(&p);
  }
  remove_dir(&r);
}

/* A setting the kind cannot take stops the app before it starts, named
 * with its value; so does a key it does not know (the kernel's check). */
PG_TEST(queue_bad_settings_are_refused_by_name) {
  const char *const cases[][3] = {
      {"visibility_timeout", "\"3x\"",
       "service queue: config.visibility_timeout = \"3x\": a duration of at "
       "least 1ms, like \"500ms\" or \"30s\"\n"},
      {"max_deliveries", "0",
       "service queue: config.max_deliveries = \"0\": an integer from 1 to "
       "1000\n"},
      {"max_body", "\"2M\"",
       "service queue: config.max_body = \"2M\": a size from 1 to 1M\n"},
      {"colour", "\"blue\"",
       "config.colour: parigot.queue takes no such setting (it takes: "
       "database, max_deliveries, visibility_timeout, max_messages, "
       "max_body, max_held, busy_timeout)\n"}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    run_dir r;
    write_manifest(&r, "bad.toml", "0", cases[i][0], cases[i][1]);
    char *argv[] = {(char *)pg_test_parigot(), "run", r.manifest, NULL};
    pg_proc_result p;
    pg_proc_run(argv, NULL, NULL, &p);
    ASSERT_EQ(p.status, 2);
    ASSERT_CONTAINS(p.err, cases[i][2]);
    ASSERT_STREQ(p.out, "");
    pg_proc_result_free(&p);
    remove_dir(&r);
  }
}

/* A database that cannot be opened: the service dies at start, saying
 * which file and why, and the program that needed it never runs. */
PG_TEST(queue_a_database_that_cannot_open_is_named) {
  run_dir r;
  write_manifest(&r, "bad.toml", "0", "max_held", "1");
  ASSERT_EQ(mkdir(r.db, 0700), 0); /* a folder where the file should be */
  char *argv[] = {(char *)pg_test_parigot(), "run", r.manifest, NULL};
  pg_proc_result p;
  pg_proc_run(argv, NULL, NULL, &p);
  ASSERT_NE(p.status, 0);
  ASSERT_CONTAINS(p.err, r.db);
  ASSERT_CONTAINS(p.err, "unable to open database file");
  ASSERT_EQ(rmdir(r.db), 0);
  pg_proc_result_free(&p);
  remove_dir(&r);
}

/* ---- over the wire ----------------------------------------------------------
 */

static pg_proc *start_back(const run_dir *r) {
  char *argv[] = {(char *)pg_test_parigot(),
                  "run",
                  (char *)r->manifest,
                  "--unit",
                  "back",
                  NULL};
  pg_proc *p = pg_proc_start(argv);
  pg_proc_wait_for(p, "INFO  kernel: unit back serves", 30);
  return p;
}

/* Counts the "acked N" lines of the stream's log; the highest N. */
static int highest_acked(const char *log) {
  int high = 0;
  for (const char *p = log; (p = strstr(p, "stream: acked ")) != NULL; p++) {
    int n = atoi(p + strlen("stream: acked "));
    high = n > high ? n : high;
  }
  return high;
}

/* The unit that serves the queue is killed with SIGKILL while another
 * unit sends to it one message after another: every send it answered
 * (acknowledged) is in the file after a restart, the file passes SQLite's
 * integrity check, and the restarted unit serves the messages. */
PG_TEST(queue_acknowledged_sends_survive_kill_9) {
  run_dir r;
  char port[16];
  free_port(port, sizeof port);
  write_manifest(&r, "units.toml", port, NULL, NULL);
  pg_proc *back = start_back(&r);
  char *front_argv[] = {
      (char *)pg_test_parigot(), "run", r.manifest, "--unit", "front", NULL};
  pg_proc *front = pg_proc_start(front_argv);
  pg_proc_wait_for(front, "stream: acked 1000 ", 60);
  pg_proc_result killed, streamed;
  pg_proc_stop(back, SIGKILL, &killed);
  pg_proc_stop(front, 0, &streamed);
  ASSERT_EQ(killed.status, 128 + SIGKILL);
  ASSERT_CONTAINS(streamed.out, "stream ended after ");
  int acked = highest_acked(streamed.err);
  ASSERT_TRUE(acked >= 1000);

  back = start_back(&r); /* the same file, after the crash */
  char *check[] = {
      (char *)pg_test_parigot(), "run", r.manifest, "--unit", "check", NULL};
  pg_proc_result counted, stopped;
  pg_proc_run(check, NULL, NULL, &counted);
  pg_proc_stop(back, SIGTERM, &stopped);
  ASSERT_EQ(counted.status, 0);
  ASSERT_EQ(stopped.status, 0);

  char v[64], sql[160], want[160];
  query(r.db, "PRAGMA integrity_check", v, sizeof v);
  ASSERT_STREQ(v, "ok");
  /* m1 .. m<acked> all there: one row each, in order of their ids. */
  snprintf(sql, sizeof sql,
           "SELECT count(DISTINCT body) FROM messages WHERE queue = "
           "'durable' AND CAST(substr(body, 2) AS INTEGER) BETWEEN 1 AND %d",
           acked);
  query(r.db, sql, v, sizeof v);
  ASSERT_EQ(atoi(v), acked);
  query(r.db, "SELECT count(*) FROM messages", v, sizeof v);
  int rows = atoi(v);
  ASSERT_TRUE(rows == acked || rows == acked + 1); /* one sent, unanswered */
  snprintf(want, sizeof want,
           "durable: %d messages, %d visible, 0 in flight, 0 receives "
           "waiting\n",
           rows, rows);
  ASSERT_STREQ(counted.out, want);
  pg_proc_result_free(&killed);
  pg_proc_result_free(&streamed);
  pg_proc_result_free(&counted);
  pg_proc_result_free(&stopped);
  remove_dir(&r);
}

/* Python's grpcio sends, receives and acknowledges through the unit's
 * port, with the messages protoc makes from queue.proto, and gives up
 * a held receive (its message goes to the next one); a Connect JSON
 * request over HTTP/1.1 reads the queue's Stats, which the unit can
 * transcode only from the descriptors the kind embeds. */
PG_TEST(queue_grpcio_and_connect_json_call_it_over_the_wire) {
  run_dir r;
  char port[16];
  free_port(port, sizeof port);
  write_manifest(&r, "units.toml", port, NULL, NULL);
  pg_proc *back = start_back(&r);
  char *argv[] = {"/usr/bin/python3", PG_QUEUE_SOURCE "/grpc_queue.py", port,
                  PG_QUEUE_PY, NULL};
  pg_proc_result client, server;
  pg_proc_run(argv, NULL, NULL, &client);
  pg_proc_stop(back, SIGTERM, &server);
  ASSERT_STREQ(client.err, "");
  ASSERT_STREQ(client.out,
               "send: id 1\n"
               "receive: 1 message, id 1, body b'hello', delivery 1, "
               "receipt 1.1\n"
               "ack: ok\n"
               "ack again: NOT_FOUND: receipt 1.1: no such delivery "
               "(acknowledged already, or delivered again since)\n"
               "bad name: INVALID_ARGUMENT\n"
               "wait: 0 messages, after 0.3 to 2 s: yes\n"
               "after a cancelled receive: 1 message, delivery 1\n"
               "connect json stats: {\"messages\":\"1\",\"visible\":\"1\"}\n"
               "connect json receive: 1 message, body aGk=\n");
  ASSERT_EQ(client.status, 0);
  ASSERT_EQ(server.status, 0);
  pg_proc_result_free(&client);
  pg_proc_result_free(&server);
  remove_dir(&r);
}
