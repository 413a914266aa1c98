/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/queue/queue_host.c: pg-queue-host, a host of our own built on
 * the kernel's API the way the parigot CLI is, carrying the queue built-in
 * (services/queue) until the CLI's list of built-ins does.
 *
 *   pg-queue-host [--deterministic] [--unit NAME] APP.toml
 *
 * As `parigot run`: one process for the app (deterministic: every unit in
 * it, over the loopback), or one unit of it on the wire; SIGINT and
 * SIGTERM stop it; the exit status is the app's, 2 when it cannot start.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "manifest.h"
#include "queue.h"
#include "wire_transport.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) {
  stop_signal = sig;
}

static const pg_native_kind *const kinds[] = {&pg_queue_kind};

/* The unit named @p name, or NULL. */
static const pg_manifest_unit *find_unit(const pg_manifest *m,
                                         const char *name) {
  for (size_t i = 0; name != NULL && i < m->nunits; i++)
    if (strcmp(m->units[i].name, name) == 0)
      return &m->units[i];
  return NULL;
}

int main(int argc, char **argv) {
  const char *path = NULL, *unit = NULL;
  bool is_deterministic = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--deterministic") == 0)
      is_deterministic = true;
    else if (strcmp(argv[i], "--unit") == 0 && i + 1 < argc)
      unit = argv[++i];
    else
      path = argv[i];
  }
  if (path == NULL) {
    fprintf(stderr, "usage: pg-queue-host [--deterministic] [--unit NAME] "
                    "APP.toml\n");
    return 2;
  }
  char err[4096];
  pg_manifest m;
  if (pg_manifest_load(path, pg_mem_default(), &m, err, sizeof err) != 0) {
    fprintf(stderr, "pg-queue-host: %s\n", err);
    return 2;
  }
  const pg_manifest_unit *u = find_unit(&m, unit);
  if (unit != NULL && u == NULL) {
    fprintf(stderr, "pg-queue-host: no unit %s\n", unit);
    return 2;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  pg_app_config cfg = {.manifest = &m,
                       .is_deterministic = is_deterministic,
                       .log = stderr,
                       .stop_signal = &stop_signal,
                       .unit = u,
                       .transport = &pg_wire_transport_kind,
                       .natives = kinds,
                       .nnatives = sizeof kinds / sizeof *kinds};
  int status = 0;
  int rc = pg_app_run(&cfg, pg_mem_default(), &status, err, sizeof err);
  pg_manifest_free(&m, pg_mem_default());
  if (rc != 0) {
    fprintf(stderr, "pg-queue-host: %s\n", err);
    return 2;
  }
  return status;
}
