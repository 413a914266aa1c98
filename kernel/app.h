/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel/app.h: running an app: every guest of a manifest in one process.
 *
 * pg_app_run() loads and compiles every guest, lets each declare what it
 * exports and requires, checks the dependency graph as a whole, starts the
 * guests in dependency order, delivers calls and responses until every
 * program has exited (restarting the services that die and may restart),
 * then stops the services in reverse order, each with a STOP event. In
 * deterministic mode everything runs on the calling thread in an order the
 * inputs fix, on a virtual clock, so two runs print the same bytes and the
 * same log.
 */
#ifndef PG_APP_H
#define PG_APP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "manifest.h"
#include "mem.h"
#include "parigot/native.h"
#include "parigot/transport.h"

/* pg_app_run's exit code when no program failed but a service died. */
#define PG_APP_EXIT_SERVICE_DIED 3
/* ... when a service had not started within the manifest's
 * startup_timeout. */
#define PG_APP_EXIT_STARTUP 4

/* The service every `parigot test` app gets, when the host has its kind
 * (services/test) and the manifest names none: a test program may
 * require parigot.test.v1.Test to sleep on the app's clock and to inject
 * faults. */
#define PG_APP_TESTKIT_NAME "parigot-test"
#define PG_APP_TESTKIT_KIND "parigot.test"

/* How a program ended. */
typedef struct pg_app_program_result {
  const char *name; /* borrowed from the manifest */
  int exit_code;    /* the guest's status; 134 when it trapped */
  bool has_trapped;
  bool was_started; /* false when the app stopped before it ran */
  /* Why it did not pass, for `parigot test`: "" when it exited with 0 and
   * every service it requires lived; else "exited with status 5", "died:
   * ...", "did not exit: ...", "never started: ...", "service echo, which
   * it requires, died: ...", then ": " and the last line the program
   * logged at ERROR, if any (an assertion's report). */
  char why[640];
  uint64_t ran_ns; /* from its start to its end (or the app's), on the
                      app's clock: virtual in deterministic mode */
} pg_app_program_result;

typedef struct pg_app_config {
  const pg_manifest *manifest; /* borrowed */
  bool is_deterministic;
  bool has_real_clock; /* deterministic order, real guest clocks */
  uint64_t seed;
  /* test --explore/--seed: the schedule (which ready event runs next,
   * how late each message is delivered) is drawn from seed; false: the
   * default schedule, oldest event first. Deterministic mode only. */
  bool explores_schedule;
  bool run_tests; /* parigot test: run the test programs instead */
  /* With run_tests: the test programs to run (names, borrowed), or NULL
   * for every one; the others are not loaded, nor the services the
   * picked ones mock (manifest `mocks`). */
  const char *const *tests;
  size_t ntests;
  /* With run_tests: how long the tests may take, on the host's clock
   * (even in deterministic mode: a loop that never yields takes no
   * virtual time); past it, what runs is stopped and the app ends, and a
   * test still running fails for it. 0: no limit. */
  uint64_t tests_timeout_ns;
  FILE *log;             /* where the app's log goes */
  const char *cache_dir; /* NULL: the engine's default */
  /* filled with one entry per program that was to run (borrowed array of
   * manifest->nguests entries, or NULL) */
  pg_app_program_result *results;
  size_t *nresults;
  /* Set to SIGINT or SIGTERM by the caller's signal handler: the app then
   * stops as if its programs had ended (an app of services alone runs
   * until it does). NULL: never. */
  const volatile sig_atomic_t *stop_signal;
  /* The unit to run, one of manifest->units, or NULL for every guest of
   * the app in this process. A unit with a listen address serves its
   * services through the transport once they have all started. */
  const pg_manifest_unit *unit;
  /* Modules compiled ahead of time (engine.h), or NULL. */
  const char *prebuilt_dir;
  /* How this unit reaches the other units and is reached: the wire
   * (wire/wire_transport.h), or NULL when it talks to no other unit (a
   * unit that does fails to start, saying so). Borrowed. */
  const pg_transport_kind *transport;
  /* > 0: every log line starts with the unit's name padded to this width
   * and " | ", as parigot up writes them (units sharing one log). */
  int log_unit_width;
  /* The kinds of native service the manifest may name (native = "..."):
   * the host's built-ins. Borrowed. */
  const pg_native_kind *const *natives;
  size_t nnatives;
  /* The app's secret, which its units sign their calls to each other with;
   * NULL: the kernel reads it where the manifest says (secret.h). A unit
   * of an app of several units of parigot does not start over the network
   * without one. Borrowed. */
  const uint8_t *secret;
  size_t secret_len;
} pg_app_config;

/* The shortest secret a unit takes. */
#define PG_APP_SECRET_MIN 16

/*
 * Runs the app to its end. Deterministic, with no unit picked, an app of
 * several units runs each of them as its own app in this process, their
 * calls crossing an in-memory transport where a network would carry them
 * (world.c; cfg->transport is not used): what `parigot run --deterministic`
 * and `parigot test` do. Its exit status is then `parigot up`'s: the first
 * non-zero status of a unit with programs, else that of any unit, else 0;
 * its results take the programs of every unit. Returns 0 with the app's exit
 * status in *exit_code (the first non-zero program status, else 0), or a
 * negative parigot errno when the app could not start (a guest that fails to
 * load, a guest built for another ABI, a bad dependency graph); then @p err
 * holds the message, naming the guests and services involved.
 */
int pg_app_run(const pg_app_config *cfg, const pg_mem *mem, int *exit_code,
               char *err, size_t err_len);

/*
 * Loads every guest and lets it declare what it exports and requires, then
 * writes the dependency graph in Graphviz DOT to @p out without starting
 * anything. 0, or a negative parigot errno with @p err set.
 */
int pg_app_write_graph(const pg_app_config *cfg, const pg_mem *mem, FILE *out,
                       char *err, size_t err_len);

/*
 * Loads and declares every guest, checks the app's graph as pg_app_run
 * does, and writes the manifest's units to @p order (manifest->nunits
 * entries, indices into manifest->units) so that a unit comes after every
 * unit it calls: the order to start them in; its reverse, to stop them.
 * Units that call each other keep their manifest order. 0, or a negative
 * parigot errno with @p err set.
 */
int pg_app_unit_order(const pg_app_config *cfg, const pg_mem *mem,
                      uint32_t *order, char *err, size_t err_len);

#endif /* PG_APP_H */
