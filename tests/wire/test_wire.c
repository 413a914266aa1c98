/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/wire/test_wire.c: units on the network. `parigot run APP.toml
 * --unit NAME` serves a unit's services over gRPC, which Python's grpcio
 * calls; and an app split into units prints what it prints as one
 * process.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"

/* Starts unit @p unit of the manifest at @p path and returns the port it
 * serves on, read from its log. */
/* Unit @p unit of @p path run by @p host: `parigot run`, or a host of
 * its own (pg-native-host) when not NULL. */
static pg_proc *start_unit_of(const char *host, const char *path,
                              const char *unit, int *port) {
  char *run[] = {(char *)pg_test_parigot(),
                 "run",
                 (char *)path,
                 "--unit",
                 (char *)unit,
                 NULL};
  char *own[] = {(char *)host, (char *)path, "--unit", (char *)unit, NULL};
  pg_proc *p = pg_proc_start(host != NULL ? own : run);
  const char *log = pg_proc_wait_for(p, " serves on 127.0.0.1:", 30);
  const char *at = strstr(log, " serves on 127.0.0.1:");
  *port = atoi(at + strlen(" serves on 127.0.0.1:"));
  ASSERT_TRUE(*port > 0);
  return p;
}

static pg_proc *start_unit(const char *path, const char *unit, int *port) {
  return start_unit_of(NULL, path, unit, port);
}

/* What tests/wire/grpc_client.py prints against unit back. */
static const char grpcio_out[] =
    "echo: 5 hi\n"
    "forward: 11 after 2 hops\n"
    "refused: UNKNOWN: refused: no (app_error 7)\n"
    "held: DEADLINE_EXCEEDED\n"
    "no service: UNIMPLEMENTED: unit back serves no service "
    "apptest.v1.Nope (app_error 0)\n"
    "no method: UNIMPLEMENTED: no such method (app_error 0)\n"
    "big: 1000000 bytes back\n"
    "too big: RESOURCE_EXHAUSTED: request larger than "
    "max_message_size (4194304 bytes) (app_error 0)\n"
    "context: caller 127.0.0.1, time left about 10s\n"
    "crash: UNAVAILABLE: the service died (app_error 0)\n"
    "after the crash: UNAVAILABLE: echo is not running "
    "(app_error 0)\n";

/* Runs argv, with the port of unit back of @p manifest (started for it,
 * and stopped with SIGTERM after) at argv[@p port_arg]. */
static void run_against_host(const char *host, const char *manifest,
                             char **argv, int port_arg, pg_proc_result *client,
                             pg_proc_result *server) {
  int port;
  char port_text[16];
  pg_proc *unit = start_unit_of(host, manifest, "back", &port);
  snprintf(port_text, sizeof port_text, "%d", port);
  argv[port_arg] = port_text;
  pg_proc_run(argv, NULL, NULL, client);
  pg_proc_stop(unit, SIGTERM, server);
}

static void run_against(const char *manifest, char **argv, int port_arg,
                        pg_proc_result *client, pg_proc_result *server) {
  run_against_host(NULL, manifest, argv, port_arg, client, server);
}

PG_TEST(wire_python_grpcio_calls_a_unit) {
  char *argv[] = {"/usr/bin/python3", PG_WIRE_SOURCE "/grpc_client.py", NULL,
                  PG_WIRE_PY, NULL};
  pg_proc_result client, server;
  run_against(PG_WIRE_DIR "/back.toml", argv, 2, &client, &server);
  ASSERT_STREQ(client.err, "");
  ASSERT_STREQ(client.out, grpcio_out);
  ASSERT_EQ(client.status, 0);
  /* The held call ended: the client gave up and reset its stream, or
   * (on a busy machine, first) the deadline it sent passed. Then the unit
   * stopped cleanly on SIGTERM, a service having died. */
  ASSERT_TRUE(strstr(server.err, "call to echo cancelled: the client is "
                                 "gone") != NULL ||
              strstr(server.err, "wire call=5: call to echo failed: "
                                 "deadline exceeded") != NULL);
  ASSERT_CONTAINS(server.err, "INFO  kernel: stopping: SIGTERM\n");
  ASSERT_CONTAINS(server.err, "relay: stopped\n");
  ASSERT_EQ(server.status, 3);
  pg_proc_result_free(&client);
  pg_proc_result_free(&server);
}

/* ---- the same app, one process or several ------------------------------- */

/* What the client's placement scenario prints, wherever Echo and Relay
 * run. */
static const char placement_out[] =
    "echo: 5 hi\n"
    "forward: 11 after 2 hops\n"
    "refused: code 2 app_error 8: refused: no\n"
    "held: code 4 app_error 0: deadline exceeded\n"
    "context: caller client, time left <= 1s\n"
    "big: 100000 bytes, same\n";

/* A port no one listens on now, for a unit other units must reach. Not
 * the system's choice for port 0: units of other tests that run at the
 * same time bind ephemeral ports, and could take it before our unit
 * does. Below the ephemeral range instead, picked at random. */
/* A port for @PY@ in write_manifest. */
static char py_port[16] = "0";

/* Writes manifests/@p name.in to @p out with its @VARS@ filled in: the
 * guests' folders (@APP@ is @p app_dir), free ports for @MID@ and @BACK@,
 * and py_port. */
static void write_manifest_with(const char *name, const char *app_dir,
                                char *out, size_t cap) {
  char in[4096], text[8192], port[2][16];
  snprintf(in, sizeof in, "%s/manifests/%s.in", PG_WIRE_SOURCE, name);
  /* One file per test process: tests that run at once write their own. */
  snprintf(out, cap, "%s/%d-%s", PG_WIRE_DIR, (int)getpid(), name);
  int mid = pg_test_free_port(), back;
  while ((back = pg_test_free_port()) == mid)
    continue;
  snprintf(port[0], sizeof port[0], "%d", mid);
  snprintf(port[1], sizeof port[1], "%d", back);
  FILE *f = fopen(in, "r");
  ASSERT_TRUE(f != NULL);
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  const char *vars[][2] = {{"@APP@", app_dir},
                           {"@HELLO@", PG_HELLO_DIR},
                           {"@MID@", port[0]},
                           {"@BACK@", port[1]},
                           {"@PY@", py_port}};
  f = fopen(out, "w");
  ASSERT_TRUE(f != NULL);
  for (const char *p = text; *p != '\0';) {
    size_t k = 0;
    while (k < 5 && strncmp(p, vars[k][0], strlen(vars[k][0])) != 0)
      k++;
    if (k < 5) {
      fputs(vars[k][1], f);
      p += strlen(vars[k][0]);
    } else {
      fputc(*p++, f);
    }
  }
  ASSERT_EQ(fclose(f), 0);
}

static void write_manifest(const char *name, char *out, size_t cap) {
  write_manifest_with(name, PG_APP_DIR, out, cap);
}

/* Runs @p manifest as one process, then as its units, @p front last and
 * in the foreground: the program's output and status must be the same;
 * the log of others[0] must hold @p in_log (NULL: anything). */
static void expect_same_both_ways(const char *manifest, const char *front,
                                  const char *const *others, size_t n,
                                  const char *out, const char *in_log) {
  char path[4096];
  write_manifest(manifest, path, sizeof path);
  char *one[] = {(char *)pg_test_parigot(), "run", path, NULL};
  pg_proc_result whole, split, rest[4];
  pg_proc_run(one, NULL, NULL, &whole);
  ASSERT_STREQ(whole.out, out);
  ASSERT_EQ(whole.status, 0);
  pg_proc *unit[4];
  int port;
  for (size_t i = 0; i < n; i++)
    unit[i] = start_unit(path, others[i], &port);
  char *argv[] = {
      (char *)pg_test_parigot(), "run", path, "--unit", (char *)front, NULL};
  pg_proc_run(argv, NULL, NULL, &split);
  for (size_t i = n; i-- > 0;) /* dependents first, as parigot up does */
    pg_proc_stop(unit[i], SIGTERM, &rest[i]);
  ASSERT_STREQ(split.out, whole.out);
  ASSERT_EQ(split.status, 0);
  if (in_log != NULL)
    ASSERT_CONTAINS(rest[0].err, in_log);
  for (size_t i = 0; i < n; i++) {
    ASSERT_EQ(rest[i].status, 0); /* nothing died */
    ASSERT_CONTAINS(rest[i].err, ": stopped\n");
    pg_proc_result_free(&rest[i]);
  }
  pg_proc_result_free(&whole);
  pg_proc_result_free(&split);
}

PG_TEST(wire_helloworld_prints_the_same_as_two_units) {
  const char *const others[] = {"back"};
  expect_same_both_ways("hello.toml", "front", others, 1, "Bonjour, world\n",
                        NULL);
}

/* Every kind of outcome a caller can see (an answer, a forward through a
 * second unit, an application error with its enum, a deadline, the call's
 * context, a big message) is the same in one process and in three. */
PG_TEST(wire_three_units_print_the_same_as_one_process) {
  const char *const others[] = {"back", "mid"};
  /* The call context crossed too: back's log names the call by its id
   * in front, where it was made. */
  expect_same_both_ways("three.toml", "front", others, 2, placement_out,
                        "call to echo failed: deadline exceeded (front's "
                        "call ");
}

/* Deterministic, the three units run in one process, each its own app,
 * their calls crossing the in-memory transport: the program prints what
 * it prints under parigot up, two runs write the same bytes, the log
 * names each line's unit and a call by the unit that made it, and the
 * units stop dependents first. */
PG_TEST(wire_units_run_in_one_process_byte_for_byte_as_under_up) {
  char path[4096];
  write_manifest("three.toml", path, sizeof path);
  char *run[] = {(char *)pg_test_parigot(), "run", "--deterministic", path,
                 NULL};
  char *up[] = {(char *)pg_test_parigot(), "up", path, NULL};
  pg_proc_result a, b, u;
  pg_proc_run(run, NULL, NULL, &a);
  pg_proc_run(run, NULL, NULL, &b);
  pg_proc_run(up, NULL, NULL, &u);
  ASSERT_STREQ(a.out, placement_out);
  ASSERT_STREQ(a.out, u.out);
  ASSERT_EQ(a.status, 0);
  ASSERT_EQ(u.status, 0);
  ASSERT_STREQ(b.out, a.out);
  ASSERT_STREQ(b.err, a.err);
  ASSERT_CONTAINS(a.err, "back  | t=");
  ASSERT_CONTAINS(a.err, "call to echo failed: deadline exceeded (front's "
                         "call ");
  const char *relay = strstr(a.err, "mid   | t="), *echo;
  ASSERT_TRUE(relay != NULL);
  relay = strstr(a.err, "INFO  relay: stopped");
  echo = strstr(a.err, "INFO  echo: stopped");
  ASSERT_TRUE(relay != NULL && echo != NULL && relay < echo);
  ASSERT_TRUE(strstr(a.err, "died") == NULL);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
  pg_proc_result_free(&u);
}

/* parigot test on units with no address: the test program passes through
 * relay and echo in their own units, twice the same bytes; with another
 * seed as well. */
PG_TEST(wire_units_test_in_one_process_with_no_network) {
  char path[4096];
  write_manifest("loopback.toml", path, sizeof path);
  char *test[] = {(char *)pg_test_parigot(), "test", path, NULL};
  char *seeded[] = {
      (char *)pg_test_parigot(), "test", path, "--seed", "7", NULL};
  pg_proc_result a, b, c;
  pg_proc_run(test, NULL, NULL, &a);
  pg_proc_run(test, NULL, NULL, &b);
  pg_proc_run(seeded, NULL, NULL, &c);
  ASSERT_TRUE(strncmp(a.out, placement_out, strlen(placement_out)) == 0);
  ASSERT_STREQ(a.out + strlen(placement_out),
               "PASS client\n1 passed, 0 failed\n");
  ASSERT_EQ(a.status, 0);
  ASSERT_STREQ(b.out, a.out);
  ASSERT_STREQ(b.err, a.err);
  ASSERT_EQ(c.status, 0);
  ASSERT_CONTAINS(a.err, "INFO  kernel: unit back serves\n");
  /* front has no service of the app's, but its test's parigot-test */
  ASSERT_CONTAINS(a.err, "INFO  kernel: unit front serves\n");
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
  pg_proc_result_free(&c);
}

/* Units of services alone, in one process: they serve until SIGTERM,
 * which stops them one at a time, dependents first, as under up. */
PG_TEST(wire_units_of_services_in_one_process_stop_in_order_on_a_signal) {
  char path[4096];
  write_manifest("loopback_services.toml", path, sizeof path);
  char *argv[] = {(char *)pg_test_parigot(), "run", "--deterministic", path,
                  NULL};
  pg_proc_result r;
  pg_proc_run_signalled(argv,
                        "front | t=0.000004 INFO  kernel: unit front "
                        "serves\n",
                        SIGTERM, 1, &r);
  ASSERT_EQ(r.status, 0);
  const char *relay = strstr(r.err, "front | t=0.000004 INFO  kernel: "
                                    "stopping: SIGTERM\n");
  const char *relay_done = strstr(r.err, "INFO  relay: stopped\n");
  const char *echo = strstr(r.err, "back  | t=0.000005 INFO  kernel: "
                                   "stopping: SIGTERM\n");
  ASSERT_TRUE(relay != NULL && relay_done != NULL && echo != NULL);
  ASSERT_TRUE(relay < relay_done && relay_done < echo);
  ASSERT_CONTAINS(r.err, "INFO  echo: stopped\n");
  pg_proc_result_free(&r);
}

/* ---- native services ------------------------------------------------------
 */

/* Echo written in C on the host (tests/native), in pg-native-host: the
 * placement program, Relay a guest between them, prints what it prints
 * with Echo a guest; deterministic (every unit in one process) twice the
 * same bytes, and in parallel mode. */
PG_TEST(wire_native_echo_answers_in_process_as_the_guest_echo_does) {
  char path[4096];
  write_manifest("native.toml", path, sizeof path);
  char *det[] = {PG_NATIVE_HOST, "--deterministic", path, NULL};
  char *par[] = {PG_NATIVE_HOST, path, NULL};
  pg_proc_result a, b, c;
  pg_proc_run(det, NULL, NULL, &a);
  pg_proc_run(det, NULL, NULL, &b);
  pg_proc_run(par, NULL, NULL, &c);
  ASSERT_STREQ(a.out, placement_out);
  ASSERT_EQ(a.status, 0);
  ASSERT_STREQ(b.out, a.out);
  ASSERT_STREQ(b.err, a.err);
  ASSERT_CONTAINS(a.err, "back  | t=0.000001 INFO  echo: ready\n");
  ASSERT_CONTAINS(a.err, "INFO  echo call=4: holding the call\n");
  ASSERT_STREQ(c.out, placement_out);
  ASSERT_EQ(c.status, 0);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
  pg_proc_result_free(&c);
}

/* The native Echo served by its unit: Relay's unit and the program's
 * reach it over gRPC as they reach a guest. */
PG_TEST(wire_native_echo_serves_other_units_over_the_wire) {
  char path[4096];
  write_manifest("native.toml", path, sizeof path);
  int port;
  pg_proc *back = start_unit_of(PG_NATIVE_HOST, path, "back", &port);
  pg_proc *mid = start_unit_of(PG_NATIVE_HOST, path, "mid", &port);
  char *front[] = {PG_NATIVE_HOST, path, "--unit", "front", NULL};
  pg_proc_result r, rest[2];
  pg_proc_run(front, NULL, NULL, &r);
  pg_proc_stop(mid, SIGTERM, &rest[0]);
  pg_proc_stop(back, SIGTERM, &rest[1]);
  ASSERT_STREQ(r.out, placement_out);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(rest[1].err, "call to echo failed: deadline exceeded "
                               "(front's call ");
  ASSERT_CONTAINS(rest[1].err, "INFO  echo: stopped\n");
  ASSERT_EQ(rest[0].status, 0);
  ASSERT_EQ(rest[1].status, 0);
  pg_proc_result_free(&r);
  pg_proc_result_free(&rest[0]);
  pg_proc_result_free(&rest[1]);
}

/* grpcio, over the wire, sees the native Echo exactly as the guest one:
 * answers, failures with their app_error, a deadline, the caller, a
 * megabyte, and its death (pg_native_fail). */
PG_TEST(wire_native_echo_answers_grpcio_as_the_guest_does) {
  char *argv[] = {"/usr/bin/python3", PG_WIRE_SOURCE "/grpc_client.py", NULL,
                  PG_WIRE_PY, NULL};
  pg_proc_result client, server;
  run_against_host(PG_NATIVE_HOST, PG_WIRE_DIR "/native_back.toml", argv, 2,
                   &client, &server);
  ASSERT_STREQ(client.err, "");
  ASSERT_STREQ(client.out, grpcio_out);
  ASSERT_CONTAINS(server.err, "ERROR echo: died: it failed on purpose "
                              "(MODE_CRASH)\n");
  pg_proc_result_free(&client);
  pg_proc_result_free(&server);
}

/* A native call answered later, from a thread that is no worker's (how a
 * slow built-in leaves the scheduler free): the program sees what it sees
 * of the guest Echo that works as long (tests/app/slow.toml), and the
 * answer that came after the deadline is dropped. */
PG_TEST(wire_native_echo_answers_later_from_a_thread_of_its_own) {
  char *native[] = {PG_NATIVE_HOST, PG_WIRE_DIR "/native_slow.toml", NULL};
  char *guest[] = {(char *)pg_test_parigot(), "run", PG_APP_DIR "/slow.toml",
                   NULL};
  pg_proc_result a, b;
  pg_proc_run(native, NULL, NULL, &a);
  pg_proc_run(guest, NULL, NULL, &b);
  ASSERT_STREQ(a.out, b.out);
  ASSERT_EQ(a.status, 0);
  ASSERT_EQ(b.status, 0);
  ASSERT_CONTAINS(a.err, "WARN  echo call=1: response after the call ended "
                         "(deadline passed or caller gone): dropped\n");
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
}

/* Native services are nodes of the graph: a cycle between two of them, a
 * requirement no one meets, a kind the host does not have, each refused
 * by name before anything starts. */
PG_TEST(wire_native_services_are_checked_as_graph_nodes) {
  const char *const cases[][2] = {
      {"native_cycle.toml", "dependency cycle: ping -> pong -> ping\n"},
      {"native_missing.toml",
       "needy requires nativetest.v1.Missing, which no guest exports\n"},
      {"native_unknown.toml",
       "echo: native = \"nativetest.nope\": this host has no native service "
       "of that kind (it has: apptest.echo, nativetest.ping, "
       "nativetest.pong, nativetest.needy)\n"}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", PG_WIRE_DIR, cases[i][0]);
    char *argv[] = {PG_NATIVE_HOST, path, NULL};
    pg_proc_result r;
    pg_proc_run(argv, NULL, NULL, &r);
    ASSERT_EQ(r.status, 2);
    ASSERT_CONTAINS(r.err, cases[i][1]);
    ASSERT_STREQ(r.out, "");
    pg_proc_result_free(&r);
  }
  pg_proc_result r;
  char *plain[] = {(char *)pg_test_parigot(), "run",
                   PG_WIRE_DIR "/native_unknown.toml", NULL};
  pg_proc_run(plain, NULL, NULL, &r);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "no native service of that kind (it has: "
                         "parigot.db, parigot.queue, parigot.test)");
  pg_proc_result_free(&r);
}

/* ---- parigot up ---------------------------------------------------------- */

/* The app of three units, each its own process: the program's output as
 * in one process, the logs merged with each unit's name, and the units
 * stopped dependents first. */
PG_TEST(wire_up_runs_each_unit_as_a_process) {
  char path[4096];
  write_manifest("three.toml", path, sizeof path);
  char *argv[] = {(char *)pg_test_parigot(), "up", path, NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_STREQ(r.out, placement_out);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.err, "front | t=");
  const char *mid = strstr(r.err, "mid   | t=");
  const char *relay = strstr(r.err, "INFO  relay: stopped");
  const char *echo = strstr(r.err, "INFO  echo: stopped");
  ASSERT_TRUE(mid != NULL && relay != NULL && echo != NULL);
  ASSERT_TRUE(relay < echo);
  pg_proc_result_free(&r);
}

/* ---- faults -------------------------------------------------------------- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* kill -9 of a unit in the middle of calls: its caller hears UNAVAILABLE
 * and that Echo died, within a second, and keeps running; the unit is
 * started again, and calls succeed again. */
PG_TEST(wire_killed_unit_fails_calls_fast_and_comes_back) {
  char path[4096];
  write_manifest("failover.toml", path, sizeof path);
  int port;
  pg_proc *back = start_unit(path, "back", &port);
  char *argv[] = {
      (char *)pg_test_parigot(), "run", path, "--unit", "front", NULL};
  pg_proc *front = pg_proc_start(argv);
  pg_proc_wait_for(front, "100 calls answered", 30);
  double killed = now_s();
  pg_proc_result gone, again, client;
  pg_proc_stop(back, SIGKILL, &gone);
  pg_proc_wait_for(front, "died: unit back is unreachable", 5);
  ASSERT_TRUE(now_s() - killed < 1.0);
  back = start_unit(path, "back", &port);
  pg_proc_stop(front, 0, &client); /* it ends on its own */
  pg_proc_stop(back, SIGTERM, &again);
  ASSERT_EQ(gone.status, 128 + SIGKILL);
  ASSERT_STREQ(client.out, "told echo died: yes\n"
                           "failed call: code 14\n"
                           "calls succeed again\n");
  ASSERT_CONTAINS(client.err, "INFO  echo: back: unit back serves again\n");
  ASSERT_CONTAINS(client.err, "summary: echo died (unit back is "
                              "unreachable: ");
  ASSERT_EQ(client.status, 3); /* a service died, no program failed */
  ASSERT_EQ(again.status, 0);
  pg_proc_result_free(&gone);
  pg_proc_result_free(&again);
  pg_proc_result_free(&client);
}

/* ---- Connect, and clients from npm --------------------------------------- */

/* Runs argv against unit back of @p manifest, started for it; the
 * client's output must be @p out. */
static void expect_client_of(const char *manifest, char **argv, int port_arg,
                             const char *out) {
  pg_proc_result client, server;
  run_against(manifest, argv, port_arg, &client, &server);
  ASSERT_STREQ(client.err, "");
  ASSERT_STREQ(client.out, out);
  ASSERT_EQ(client.status, 0);
  ASSERT_EQ(server.status, 0);
  pg_proc_result_free(&client);
  pg_proc_result_free(&server);
}

static void expect_client(char **argv, int port_arg, const char *out) {
  expect_client_of(PG_WIRE_DIR "/back.toml", argv, port_arg, out);
}

static const char node_out[] = "echo: 5 hi\n"
                               "forward: 11 after 2 hops\n"
                               "refused: %s: refused: no (app_error 7)\n"
                               "held: %s\n";

PG_TEST(wire_grpc_js_calls_a_unit) {
  char *argv[] = {"/usr/bin/env",
                  "node",
                  PG_WIRE_SOURCE "/node_clients.mjs",
                  "grpc-js",
                  NULL,
                  PG_APP_PROTO,
                  NULL};
  char out[512];
  snprintf(out, sizeof out, node_out, "UNKNOWN", "DEADLINE_EXCEEDED");
  expect_client(argv, 4, out);
}

/* @connectrpc/connect-node in the four ways it can call: HTTP/1.1 and
 * HTTP/2, binary protobuf and JSON. */
PG_TEST(wire_connect_node_calls_a_unit_every_way) {
  const char *ways[][2] = {
      {"1.1", "binary"}, {"1.1", "json"}, {"2", "binary"}, {"2", "json"}};
  char out[512];
  snprintf(out, sizeof out, node_out, "Unknown", "DeadlineExceeded");
  for (size_t i = 0; i < 4; i++) {
    char *argv[] = {"/usr/bin/env",
                    "node",
                    PG_WIRE_SOURCE "/node_clients.mjs",
                    "connect",
                    NULL,
                    PG_WIRE_DIR "/apptest.fds",
                    (char *)ways[i][0],
                    (char *)ways[i][1],
                    NULL};
    expect_client(argv, 4, out);
  }
}

/* curl, with Connect's JSON, over HTTP/1.1 and HTTP/2: an answer, and a
 * failure as Connect's JSON error with its HTTP status. */
PG_TEST(wire_curl_calls_a_unit_with_connect_json) {
  const char *versions[] = {"--http1.1", "--http2-prior-knowledge"};
  for (size_t i = 0; i < 2; i++) {
    char *argv[] = {"/usr/bin/env",
                    "sh",
                    "-c",
                    "for body in '{\"value\":\"5\",\"text\":\"hi\"}' "
                    "'{\"mode\":\"MODE_FAIL\",\"text\":\"no\",\"appError\":7}' "
                    "'{\"valu\":1}'; do "
                    "curl -s $0 -w ' %{http_code} %{http_version}\\n' "
                    "-H 'Content-Type: application/json' --data \"$body\" "
                    "http://127.0.0.1:$1/apptest.v1.Echo/Say; done",
                    (char *)versions[i],
                    NULL,
                    NULL};
    char out[1024];
    const char *v = i == 0 ? "1.1" : "2";
    snprintf(out, sizeof out,
             "{\"value\":\"5\",\"text\":\"hi\"} 200 %s\n"
             "{\"code\":\"unknown\",\"message\":\"refused: no\"} 500 %s\n"
             "{\"code\":\"invalid_argument\",\"message\":\"unknown field "
             "\\\"valu\\\" in apptest.v1.EchoRequest\"} 400 %s\n",
             v, v, v);
    expect_client(argv, 5, out);
  }
}

/* A real unit's guest sees the client's address, whatever parigot-*
 * headers curl sends; a signature that is wrong is refused before any
 * guest sees the call; /healthz and /readyz answer on both HTTPs. */
PG_TEST(wire_forged_identity_from_curl_reaches_no_guest) {
  char *argv[] = {
      "/usr/bin/env",
      "sh",
      "-c",
      "for v in --http1.1 --http2-prior-knowledge; do "
      "curl -s $v -w ' %{http_code}\\n' -H 'Content-Type: application/json' "
      "-H 'parigot-caller: evil' -H 'parigot-user: root' "
      "-H 'parigot-roles: admin' -H 'parigot-call-id: back/1' "
      "--data '{\"mode\":\"MODE_CONTEXT\"}' "
      "http://127.0.0.1:$0/apptest.v1.Echo/Say | sed "
      "'s/\"value\":\"[0-9]*\",//'; "
      "curl -s $v -w ' %{http_code}\\n' -H 'Content-Type: application/json' "
      "-H 'parigot-call-id: back/1' -H \"parigot-timestamp: $(date +%s)\" "
      "-H 'parigot-signature: 00112233445566778899aabbccddeeff0011223344556677"
      "8899aabbccddeeff' --data '{}' "
      "http://127.0.0.1:$0/apptest.v1.Echo/Say; "
      "curl -s $v -w ' %{http_code}\\n' http://127.0.0.1:$0/healthz; "
      "curl -s $v -w ' %{http_code}\\n' http://127.0.0.1:$0/readyz; done",
      NULL,
      NULL};
  const char *one = "{\"text\":\"127.0.0.1\"} 200\n"
                    "{\"code\":\"unauthenticated\",\"message\":\"bad "
                    "parigot-signature\"} 401\n"
                    "ok\n 200\n"
                    "ok\n 200\n";
  char out[1024];
  snprintf(out, sizeof out, "%s%s", one, one);
  expect_client(argv, 4, out);
}

/* The manifest's doors on a real unit: [auth] logs users in at the port,
 * a login-only service answers 401 with the challenge to a client with
 * none, and a [[route]]'s directory takes a login too. */
PG_TEST(wire_manifest_auth_and_route_on_a_real_unit) {
  char dir[] = "/tmp/pg-wire-door-XXXXXX", path[256];
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  char *hash[] = {"/usr/bin/openssl", "passwd",      "-6", "-salt",
                  "pgsalt00",         "right horse", NULL};
  pg_proc_result r;
  pg_proc_run(hash, NULL, NULL, &r);
  ASSERT_EQ(r.status, 0);
  r.out[strcspn(r.out, "\n")] = '\0';
  snprintf(path, sizeof path, "%s/users.htpasswd", dir);
  FILE *f = fopen(path, "w");
  fprintf(f, "alice:%s\n", r.out);
  fclose(f);
  pg_proc_result_free(&r);
  snprintf(path, sizeof path, "%s/www", dir);
  ASSERT_EQ(mkdir(path, 0755), 0);
  snprintf(path, sizeof path, "%s/www/hello.txt", dir);
  f = fopen(path, "w");
  fprintf(f, "hello, file\n");
  fclose(f);
  snprintf(path, sizeof path, "%s/app.toml", dir);
  f = fopen(path, "w");
  fprintf(f,
          "[app]\nname = \"wire-door\"\n"
          "[auth]\nusers = \"users.htpasswd\"\n"
          "[[service]]\nname = \"echo\"\nwasm = \"%s/echo.wasm\"\n"
          "public = true\nlogin = true\n"
          "[[unit]]\nname = \"back\"\nservices = [\"echo\"]\n"
          "listen = \"127.0.0.1:0\"\n"
          "[[route]]\npath = \"/files\"\ndir = \"www\"\nlogin = true\n",
          PG_APP_DIR);
  fclose(f);
  char *argv[] = {
      "/usr/bin/env",
      "sh",
      "-c",
      "u=http://127.0.0.1:$0; "
      "curl -s -w '%{http_code}\\n' $u/healthz; "
      "curl -s -i $u/files/hello.txt | grep -i -e '^HTTP' -e '^www-auth'; "
      "curl -s -u 'alice:right horse' $u/files/hello.txt; "
      "for a in '' '-ualice:wrong' '-ualice:right horse'; do "
      "curl -s -i \"$a\" -H 'Content-Type: application/json' "
      "--data '{\"value\":\"5\",\"text\":\"hi\"}' "
      "$u/apptest.v1.Echo/Say | grep -e '^HTTP' -e '^www-auth' -e '{' | "
      "sed 's/\"message\":\"[^\"]*\"/\"message\":.../'; done",
      NULL,
      NULL};
  expect_client_of(path, argv, 4,
                   "ok\n200\n"
                   "HTTP/1.1 401 Unauthorized\r\n"
                   "www-authenticate: Basic realm=\"wire-door\", "
                   "charset=\"UTF-8\"\r\n"
                   "hello, file\n"
                   "HTTP/1.1 401 Unauthorized\r\n"
                   "www-authenticate: Basic realm=\"wire-door\", "
                   "charset=\"UTF-8\"\r\n"
                   "{\"code\":\"unauthenticated\",\"message\":...}\n"
                   "HTTP/1.1 401 Unauthorized\r\n"
                   "www-authenticate: Basic realm=\"wire-door\", "
                   "charset=\"UTF-8\"\r\n"
                   "{\"code\":\"unauthenticated\",\"message\":...}\n"
                   "HTTP/1.1 200 OK\r\n"
                   "{\"value\":\"5\",\"text\":\"hi\"}\n");
}

/* tests/door's chain across two units on the network: the user asuser
 * plays reaches back, in unit store, signed with the app's secret; a unit
 * of another secret is refused (code 16) and store says so. */
static void write_split(char *out, size_t cap) {
  int port = pg_test_free_port();
  snprintf(out, cap, "%s/%d-wire-split.toml", PG_DOOR_DIR, (int)getpid());
  FILE *f = fopen(out, "w");
  ASSERT_TRUE(f != NULL);
  static const char *const roles[] = {"front", "middle", "back", "vault",
                                      "lobby"};
  static const char *const extra[] = {"public = true\nlogin = true\n", "", "",
                                      "public = true\nroles = "
                                      "[\"admin\"]\n",
                                      "public = true\n"};
  fprintf(f, "[app]\nname = \"door\"\n");
  for (int i = 0; i < 5; i++)
    fprintf(f,
            "[[service]]\nname = \"%s\"\nwasm = \"door_chain.wasm\"\n"
            "env = { ROLE = \"%s\" }\n%s",
            roles[i], roles[i], extra[i]);
  fprintf(f, "[[program]]\nname = \"asuser\"\nwasm = \"door_asuser.wasm\"\n"
             "authenticates = true\n"
             "[[unit]]\nname = \"web\"\nservices = [\"front\", \"middle\", "
             "\"vault\", \"lobby\", \"asuser\"]\n"
             "[[unit]]\nname = \"store\"\nservices = [\"back\"]\n");
  fprintf(f, "listen = \"127.0.0.1:%d\"\n", port);
  ASSERT_EQ(fclose(f), 0);
}

PG_TEST(wire_user_crosses_units_signed_and_another_secret_is_refused) {
  char path[4096];
  write_split(path, sizeof path);
  pg_proc_result r;
  pg_proc_parigot(&r, "up", path, NULL);
  ASSERT_CONTAINS(r.out, "front, alice: user=alice name=Alice Liddell "
                         "roles=staff caller=middle path=back<middle<front\n");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
  char *store[] = {"/usr/bin/env",
                   "PARIGOT_APP_SECRET=the-store-secret-of-its-own",
                   (char *)pg_test_parigot(),
                   "run",
                   path,
                   "--unit",
                   "store",
                   NULL};
  pg_proc *p = pg_proc_start(store);
  pg_proc_wait_for(p, " serves on 127.0.0.1:", 30);
  char *web[] = {(char *)pg_test_parigot(), "run", path, "--unit", "web", NULL};
  pg_proc_run(web, NULL, NULL, &r);
  ASSERT_CONTAINS(r.out, "front, alice: failed, code 16");
  pg_proc_result_free(&r);
  pg_proc_stop(p, SIGTERM, &r);
  ASSERT_CONTAINS(r.err, "wrong parigot-signature");
  pg_proc_result_free(&r);
}

/* ---- hostile input --------------------------------------------------------
 */

/* Malformed and oversized requests, HTTP/1.1 and HTTP/2, each get the
 * protocol's error; the unit goes on serving, and ends cleanly. */
PG_TEST(wire_malformed_requests_get_errors_and_the_unit_serves_on) {
  char *argv[] = {"/usr/bin/python3", PG_WIRE_SOURCE "/abuse.py", NULL,
                  PG_WIRE_PY, NULL};
  expect_client(argv, 2,
                "garbage: HTTP/1.1 400 Bad Request\n"
                "long url: HTTP/1.1 414 URI Too Long\n"
                "big header: HTTP/1.1 431 Request Header Fields Too Large\n"
                "big body: HTTP/1.1 429 Too Many Requests "
                "{\"code\":\"resource_exhausted\",\"message\":\"request "
                "larger than max_message_size (4194304 bytes)\"}\n"
                "wrong type: HTTP/1.1 415 Unsupported Media Type\n"
                "pipelined: 301 answers\n"
                "bad frame: goaway\n"
                "still serving: 3\n");
}

/* ---- a gRPC server outside parigot ------------------------------------- */

/* A guest calls a Python gRPC server (unit.serves) as it would call a
 * unit: the same answers, errors with their enum, deadline and context as
 * with Echo in the same process. */
PG_TEST(wire_guest_calls_a_python_grpc_server_as_a_unit) {
  char *py[] = {"/usr/bin/python3", PG_WIRE_SOURCE "/py_echo_server.py",
                PG_WIRE_PY, NULL};
  pg_proc *server = pg_proc_start(py);
  const char *log = pg_proc_wait_for(server, "serving on ", 30);
  snprintf(py_port, sizeof py_port, "%d",
           atoi(strstr(log, "serving on ") + strlen("serving on ")));
  char path[4096];
  write_manifest("external.toml", path, sizeof path);
  char *argv[] = {(char *)pg_test_parigot(), "run", path, NULL};
  pg_proc_result r, py_result;
  pg_proc_run(argv, NULL, NULL, &r);
  pg_proc_stop(server, SIGTERM, &py_result);
  ASSERT_STREQ(r.out, placement_out);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.err, "relay: stopped\n");
  pg_proc_result_free(&r);
  pg_proc_result_free(&py_result);
}

/* A client that never finishes its request is answered 408 and cut off
 * at the manifest's request_timeout, not kept forever. */
PG_TEST(wire_slow_client_is_cut_off_at_the_request_timeout) {
  char *argv[] = {"/usr/bin/python3", PG_WIRE_SOURCE "/slow.py", NULL, NULL};
  expect_client_of(PG_WIRE_DIR "/slow.toml", argv, 2,
                   "HTTP/1.1 408 Request Timeout then closed, in time\n");
}

/* ---- parigot build --------------------------------------------------------
 */

/* The unit made one executable runs on a machine with no compiler (no cc
 * or wasm2c on its PATH, an empty cache) and serves as `parigot run
 * --unit` does: the same answers to the same client. */
PG_TEST(wire_built_unit_runs_without_a_compiler) {
  char *build[] = {(char *)pg_test_parigot(),
                   "build",
                   PG_WIRE_DIR "/back.toml",
                   "--unit",
                   "back",
                   "-o",
                   PG_WIRE_DIR "/built",
                   NULL};
  pg_proc_result made;
  pg_proc_run(build, NULL, NULL, &made);
  ASSERT_EQ(made.status, 0);
  ASSERT_STREQ(made.out, PG_WIRE_DIR "/built/back\n");
  pg_proc_result_free(&made);
  char cache[] = "/tmp/pg-wire-cache-XXXXXX";
  ASSERT_TRUE(mkdtemp(cache) != NULL);
  char cache_env[64];
  snprintf(cache_env, sizeof cache_env, "PARIGOT_CACHE=%s", cache);
  char *argv[] = {"/usr/bin/env", "PATH=/nonexistent", cache_env,
                  PG_WIRE_DIR "/built/back", NULL};
  pg_proc *unit = pg_proc_start(argv);
  const char *log = pg_proc_wait_for(unit, " serves on 127.0.0.1:", 30);
  char port[16];
  snprintf(port, sizeof port, "%d",
           atoi(strstr(log, " serves on 127.0.0.1:") +
                strlen(" serves on 127.0.0.1:")));
  char *py[] = {"/usr/bin/python3", PG_WIRE_SOURCE "/grpc_client.py", port,
                PG_WIRE_PY, NULL};
  pg_proc_result client, server;
  pg_proc_run(py, NULL, NULL, &client);
  pg_proc_stop(unit, SIGTERM, &server);
  rmdir(cache); /* empty: nothing was compiled */
  ASSERT_STREQ(client.out, grpcio_out);
  ASSERT_EQ(server.status, 3); /* the client crashes Echo on purpose */
  ASSERT_CONTAINS(server.err, "INFO  relay: stopped\n");
  pg_proc_result_free(&client);
  pg_proc_result_free(&server);
}

/* The executables parigot build made serve as the units of parigot up:
 * the same output as one process. */
PG_TEST(wire_up_runs_the_built_units) {
  char path[4096], bin[4096];
  write_manifest("three.toml", path, sizeof path);
  snprintf(bin, sizeof bin, "%s/built-three", PG_WIRE_DIR);
  const char *units[] = {"front", "mid", "back"};
  for (size_t i = 0; i < 3; i++) {
    char *build[] = {(char *)pg_test_parigot(), "build", path, "--unit",
                     (char *)units[i],          "-o",    bin,  NULL};
    pg_proc_result made;
    pg_proc_run(build, NULL, NULL, &made);
    ASSERT_EQ(made.status, 0);
    pg_proc_result_free(&made);
  }
  char *argv[] = {(char *)pg_test_parigot(), "up", path, "--bin", bin, NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_STREQ(r.out, placement_out);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.err, "mid   | t=");
  pg_proc_result_free(&r);
}

/* Copies the file @p from to @p to. */
static void copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  ASSERT_TRUE(in != NULL && out != NULL);
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    ASSERT_EQ(fwrite(buf, 1, n, out), n);
  fclose(in);
  ASSERT_EQ(fclose(out), 0);
}

/* `parigot build` of unit @p unit of @p manifest into @p bin. */
static void build_unit(const char *manifest, const char *unit,
                       const char *bin) {
  char *argv[] = {(char *)pg_test_parigot(),
                  "build",
                  (char *)manifest,
                  "--unit",
                  (char *)unit,
                  "-o",
                  (char *)bin,
                  NULL};
  pg_proc_result made;
  pg_proc_run(argv, NULL, NULL, &made);
  ASSERT_STREQ(made.err, "");
  ASSERT_EQ(made.status, 0);
  pg_proc_result_free(&made);
}

/* `parigot up --bin BIN MANIFEST` with no C compiler to find (an empty
 * folder for PATH, no $CC) and @p cache as the cache. */
static void up_without_compiler(const char *dir, const char *manifest,
                                const char *bin, pg_proc_result *r) {
  char path_env[4200], cache_env[4200];
  snprintf(path_env, sizeof path_env, "PATH=%s/path", dir);
  snprintf(cache_env, sizeof cache_env, "PARIGOT_CACHE=%s/cache", dir);
  char *argv[] = {"/usr/bin/env",
                  "-u",
                  "CC",
                  path_env,
                  cache_env,
                  (char *)pg_test_parigot(),
                  "up",
                  "--bin",
                  (char *)bin,
                  (char *)manifest,
                  NULL};
  pg_proc_run(argv, NULL, NULL, r);
}

/* The units parigot build made run under parigot up --bin where there is
 * no C compiler and APP.toml's wasm files are gone: up checks and orders
 * the app from what the executables carry. */
PG_TEST(wire_up_bin_needs_no_compiler_and_no_wasm) {
  char dir[] = "/tmp/pg-up-bin-XXXXXX", app[64], bin[64], sub[128];
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  snprintf(app, sizeof app, "%s/app", dir);
  snprintf(bin, sizeof bin, "%s/bin", dir);
  const char *subs[] = {"app", "away", "path", "cache"};
  for (size_t i = 0; i < 4; i++) {
    snprintf(sub, sizeof sub, "%s/%s", dir, subs[i]);
    ASSERT_EQ(mkdir(sub, 0755), 0);
  }
  const char *guests[] = {"echo", "relay", "client"};
  for (size_t i = 0; i < 3; i++) {
    char from[4096], to[128];
    snprintf(from, sizeof from, "%s/%s.wasm", PG_APP_DIR, guests[i]);
    snprintf(to, sizeof to, "%s/%s.wasm", app, guests[i]);
    copy_file(from, to);
  }
  char manifest[4096];
  write_manifest_with("three.toml", app, manifest, sizeof manifest);
  const char *units[] = {"front", "mid", "back"};
  for (size_t i = 0; i < 3; i++)
    build_unit(manifest, units[i], bin);
  for (size_t i = 0; i < 3; i++) { /* the wasm files go */
    char from[128], to[128];
    snprintf(from, sizeof from, "%s/%s.wasm", app, guests[i]);
    snprintf(to, sizeof to, "%s/away/%s.wasm", dir, guests[i]);
    ASSERT_EQ(rename(from, to), 0);
  }
  pg_proc_result r;
  up_without_compiler(dir, manifest, bin, &r);
  ASSERT_STREQ(r.out, placement_out);
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.err, "mid   | t=");
  ASSERT_TRUE(strstr(r.err, "compiler") == NULL);
  pg_proc_result_free(&r);
  snprintf(sub, sizeof sub, "%s/cache", dir);
  ASSERT_EQ(rmdir(sub), 0); /* empty: nothing was compiled */
  /* A unit not built is named, with how to build it. */
  char mid[128], mid_away[128], want[8192];
  snprintf(mid, sizeof mid, "%s/mid", bin);
  snprintf(mid_away, sizeof mid_away, "%s/away/mid", dir);
  ASSERT_EQ(rename(mid, mid_away), 0);
  up_without_compiler(dir, manifest, bin, &r);
  snprintf(want, sizeof want,
           "parigot: up: --bin %s: no %s for unit mid (make it with "
           "'parigot build %s --unit mid -o %s')\n",
           bin, mid, manifest, bin);
  ASSERT_STREQ(r.err, want);
  ASSERT_STREQ(r.out, "");
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&r);
  /* Mid built again from other wasm (Echo's code as Relay's), the other
   * units not: up says so rather than mix the builds. */
  const char *as[] = {"echo", "echo", "client"};
  for (size_t i = 0; i < 3; i++) {
    char from[128], to[128];
    snprintf(from, sizeof from, "%s/away/%s.wasm", dir, as[i]);
    snprintf(to, sizeof to, "%s/%s.wasm", app, guests[i]);
    copy_file(from, to);
  }
  build_unit(manifest, "mid", bin);
  for (size_t i = 0; i < 3; i++) {
    snprintf(sub, sizeof sub, "%s/%s.wasm", app, guests[i]);
    ASSERT_EQ(unlink(sub), 0);
  }
  up_without_compiler(dir, manifest, bin, &r);
  snprintf(want, sizeof want,
           "parigot: up: --bin %s: %s carries other wasm than the units "
           "before it (build them all again from %s)\n",
           bin, mid, manifest);
  ASSERT_STREQ(r.err, want);
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&r);
  unlink(manifest);
}

/* up --bin still checks the whole app's graph before it starts a unit:
 * a service no unit exports is named, with no compiler and no wasm. */
PG_TEST(wire_up_bin_checks_the_graph_without_a_compiler) {
  char dir[] = "/tmp/pg-up-graph-XXXXXX", sub[128], manifest[128];
  ASSERT_TRUE(mkdtemp(dir) != NULL);
  const char *subs[] = {"app", "path", "cache"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(sub, sizeof sub, "%s/%s", dir, subs[i]);
    ASSERT_EQ(mkdir(sub, 0755), 0);
  }
  const char *guests[] = {"relay", "client"};
  for (size_t i = 0; i < 2; i++) {
    char from[4096], to[128];
    snprintf(from, sizeof from, "%s/%s.wasm", PG_APP_DIR, guests[i]);
    snprintf(to, sizeof to, "%s/app/%s.wasm", dir, guests[i]);
    copy_file(from, to);
  }
  /* Relay requires Echo, which no guest of this app exports. */
  snprintf(manifest, sizeof manifest, "%s/app/missing.toml", dir);
  FILE *f = fopen(manifest, "w");
  ASSERT_TRUE(f != NULL);
  fprintf(f,
          "[app]\nname = \"no-echo\"\n\n"
          "[[service]]\nname = \"relay\"\nwasm = \"relay.wasm\"\n\n"
          "[[program]]\nname = \"client\"\nwasm = \"client.wasm\"\n"
          "env = { SCENARIO = \"placement\" }\n\n"
          "[[unit]]\nname = \"front\"\nservices = [\"client\"]\n\n"
          "[[unit]]\nname = \"mid\"\nservices = [\"relay\"]\n"
          "listen = \"127.0.0.1:%d\"\n",
          pg_test_free_port());
  ASSERT_EQ(fclose(f), 0);
  char bin[128];
  snprintf(bin, sizeof bin, "%s/bin", dir);
  build_unit(manifest, "front", bin);
  build_unit(manifest, "mid", bin);
  for (size_t i = 0; i < 2; i++) {
    snprintf(sub, sizeof sub, "%s/app/%s.wasm", dir, guests[i]);
    ASSERT_EQ(unlink(sub), 0);
  }
  pg_proc_result r;
  up_without_compiler(dir, manifest, bin, &r);
  ASSERT_CONTAINS(r.err, "relay requires apptest.v1.Echo, which no guest "
                         "exports");
  ASSERT_TRUE(strstr(r.err, "compiler") == NULL);
  ASSERT_STREQ(r.out, "");
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&r);
}

/* An HTTP/2 client that holds its window at 0 cannot hold the answer it
 * asked for, and its stream, beyond the request_timeout: the stream is
 * reset. */
PG_TEST(wire_client_that_takes_no_answer_is_reset_at_the_request_timeout) {
  char *argv[] = {"/usr/bin/python3", PG_WIRE_SOURCE "/zero_window.py", NULL,
                  NULL};
  expect_client_of(PG_WIRE_DIR "/slow.toml", argv, 2, "stream reset in time\n");
}
