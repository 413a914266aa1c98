/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/wire/test_wire.c: a unit on the network, called by clients that
 * were not written here: `parigot run APP.toml --unit NAME` serves its
 * services over gRPC, and Python's grpcio calls them.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "test_proc.h"

/* Starts unit @p unit of test manifest @p manifest and returns the port
 * it serves on, read from its log. */
static pg_proc *start_unit(const char *manifest, const char *unit,
                           int *port) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/%s", PG_WIRE_DIR, manifest);
  char *argv[] = {(char *)pg_test_parigot(), "run", path, "--unit",
                  (char *)unit, NULL};
  pg_proc *p = pg_proc_start(argv);
  const char *log = pg_proc_wait_for(p, " serves on 127.0.0.1:", 30);
  const char *at = strstr(log, " serves on 127.0.0.1:");
  *port = atoi(at + strlen(" serves on 127.0.0.1:"));
  ASSERT_TRUE(*port > 0);
  return p;
}

PG_TEST(wire_python_grpcio_calls_a_unit) {
  int port;
  pg_proc *unit = start_unit("back.toml", "back", &port);
  char port_text[16];
  snprintf(port_text, sizeof port_text, "%d", port);
  char *argv[] = {"/usr/bin/python3", PG_WIRE_SOURCE "/grpc_client.py",
                  port_text, PG_WIRE_PY, NULL};
  pg_proc_result client, server;
  pg_proc_run(argv, NULL, NULL, &client);
  pg_proc_stop(unit, SIGTERM, &server);
  ASSERT_STREQ(client.err, "");
  ASSERT_STREQ(client.out,
               "echo: 5 hi\n"
               "forward: 11 after 2 hops\n"
               "refused: UNKNOWN: refused: no (app_error 7)\n"
               "held: DEADLINE_EXCEEDED: Deadline Exceeded (app_error 0)\n"
               "no service: UNIMPLEMENTED: unit back serves no service "
               "apptest.v1.Nope (app_error 0)\n"
               "no method: UNIMPLEMENTED: no such method (app_error 0)\n"
               "big: 1000000 bytes back\n"
               "too big: RESOURCE_EXHAUSTED: request larger than "
               "max_message_size (4194304 bytes) (app_error 0)\n"
               "context: caller 127.0.0.1, time left about 10s\n"
               "crash: UNAVAILABLE: the service died (app_error 0)\n"
               "after the crash: UNAVAILABLE: echo is not running "
               "(app_error 0)\n");
  ASSERT_EQ(client.status, 0);
  /* The held call's client gave up: the unit dropped it, and stopped
   * cleanly on SIGTERM, a service having died. */
  ASSERT_CONTAINS(server.err, "call to echo cancelled: the client is gone");
  ASSERT_CONTAINS(server.err, "INFO  kernel: stopping: SIGTERM\n");
  ASSERT_CONTAINS(server.err, "relay: stopped\n");
  ASSERT_EQ(server.status, 3);
  pg_proc_result_free(&client);
  pg_proc_result_free(&server);
}
