/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/run.c: `parigot run` and `parigot graph`, which take an app
 * manifest (`parigot test`, which takes one too, is testcmd.c).
 *
 * Owns the loaded manifest for the length of a command. Calls the kernel's
 * app runner (kernel/app.h). Main thread, but for the handler of SIGINT
 * and SIGTERM: the first asks the app to stop (an app of services alone
 * runs until then), the second ends the process at once.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "builtins.h"
#include "cli.h"
#include "manifest.h"
#include "units.h"
#include "parigot/error.h"
#include "wire_transport.h"

/* The stop signal received, for the kernel's pulse to see; a handler can
 * only reach a global. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) {
  if (stop_signal != 0)
    _exit(128 + sig); /* the second: the app did not stop, or not yet */
  stop_signal = sig;
}

/* Installs on_stop_signal for SIGINT and SIGTERM, keeping the old
 * handlers in @p old (two entries) for restore_stop_signals(). */
static void catch_stop_signals(struct sigaction old[2]) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  stop_signal = 0;
  sigaction(SIGINT, &sa, &old[0]);
  sigaction(SIGTERM, &sa, &old[1]);
}

static void restore_stop_signals(const struct sigaction old[2]) {
  sigaction(SIGINT, &old[0], NULL);
  sigaction(SIGTERM, &old[1], NULL);
}

typedef struct app_opts {
  const char *cmd;
  bool is_deterministic;
  bool has_real_clock;
  uint64_t seed;
  const char *format; /* graph: "dot" or "svg" */
  const char *unit;   /* run --unit: the one unit to run */
  const char *manifest;
} app_opts;

static int run_main(int argc, char **argv);
static int graph_main(int argc, char **argv);

enum { OPT_UNIT, OPT_DETERMINISTIC, OPT_SEED, OPT_REAL_CLOCK, OPT_FORMAT };

static const pg_cli_opt run_opts[] = {
    {OPT_UNIT, "--unit", "NAME",
     "run only that [[unit]] of APP.toml; it serves its services at its "
     "listen address"},
    {OPT_DETERMINISTIC, "--deterministic", NULL,
     "one thread, virtual clock, seeded random: the same inputs give the "
     "same output and log"},
    {OPT_SEED, "--seed", "N", "random seed (implies --deterministic)"},
    {OPT_REAL_CLOCK, "--real-clock", NULL,
     "with --deterministic: guests read the real clock (to time a run; "
     "output that shows times then differs from run to run)"},
    {0, NULL, NULL, NULL},
};

static const pg_cli_opt graph_opts[] = {
    {OPT_FORMAT, "--format", "dot|svg",
     "Graphviz DOT (the default), or SVG drawn by Graphviz's dot"},
    {0, NULL, NULL, NULL},
};

#define OPTIONS_ANYWHERE " Options may come before or after APP.toml."

const pg_cli_cmd pg_cli_run = {
    .name = "run",
    .summary = "run an app: its services and programs, one process",
    .synopsis = "[options] APP.toml",
    .description =
        "Runs the app: every service and program of APP.toml in this one "
        "process, started in dependency order, until every program has "
        "exited. The log goes to stderr. An app of services alone runs "
        "until SIGINT or SIGTERM; a second signal ends it at "
        "once." OPTIONS_ANYWHERE,
    .exit_status = "the first non-zero status of a program, else 0; 2 when "
                   "the app cannot start (the message says why); 3 when a "
                   "service died and no program failed.",
    .opts = run_opts,
    .run = run_main,
};

const pg_cli_cmd pg_cli_graph = {
    .name = "graph",
    .summary = "print an app's dependency graph (DOT or SVG)",
    .synopsis = "[options] APP.toml",
    .description =
        "Loads every guest of the app, lets each declare what it exports "
        "and requires, and prints the dependency graph: Graphviz DOT, or "
        "SVG drawn by Graphviz's dot when it is installed." OPTIONS_ANYWHERE,
    .exit_status = "0; 1 when dot failed; 2 when the app cannot be loaded.",
    .opts = graph_opts,
    .run = graph_main,
};

static const pg_cli_cmd *command_of(const char *cmd) {
  return strcmp(cmd, "graph") == 0 ? &pg_cli_graph : &pg_cli_run;
}

static int on_arg(void *ctx, const pg_cli_opt *opt, const char *v) {
  app_opts *o = ctx;
  char *end;
  if (opt == NULL) {
    if (o->manifest != NULL) {
      pg_cli_error("%s: expected one APP.toml, got %s and %s (see "
                   "'parigot %s --help')",
                   o->cmd, o->manifest, v, o->cmd);
      return -1;
    }
    o->manifest = v;
    return 0;
  }
  switch (opt->id) {
  case OPT_UNIT:
    o->unit = v;
    break;
  case OPT_DETERMINISTIC:
    o->is_deterministic = true;
    break;
  case OPT_REAL_CLOCK:
    o->has_real_clock = true;
    break;
  case OPT_SEED:
    o->seed = strtoull(v, &end, 10);
    o->is_deterministic = true;
    if (*v == '-' || *v == '\0' || *end) {
      pg_cli_error("%s: --seed %s: not a non-negative integer", o->cmd, v);
      return -1;
    }
    break;
  case OPT_FORMAT:
    o->format = v;
    if (strcmp(v, "dot") != 0 && strcmp(v, "svg") != 0) {
      pg_cli_error("graph: --format %s: expected dot or svg", v);
      return -1;
    }
    break;
  }
  return 0;
}

/* Returns 0, 1 for --help, or -1 after printing an error. Options may
 * come before or after APP.toml. */
static int parse(app_opts *o, int argc, char **argv) {
  int rest;
  int rc = pg_cli_parse(command_of(o->cmd), argc, argv, on_arg, o, &rest);
  if (rc != 0)
    return rc;
  if (o->has_real_clock && !o->is_deterministic) {
    pg_cli_error("%s: --real-clock goes with --deterministic (without it "
                 "every clock is real)",
                 o->cmd);
    return -1;
  }
  if (o->manifest == NULL) {
    pg_cli_error("%s: expected one APP.toml (see 'parigot %s --help')", o->cmd,
                 o->cmd);
    return -1;
  }
  return 0;
}

/* The unit named @p name, or NULL after saying which there are. */
static const pg_manifest_unit *find_unit(const pg_manifest *m,
                                         const char *name) {
  for (size_t i = 0; i < m->nunits; i++)
    if (strcmp(m->units[i].name, name) == 0)
      return &m->units[i];
  char names[1024] = "";
  size_t n = 0;
  for (size_t i = 0; i < m->nunits && n < sizeof names; i++)
    n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "",
                          m->units[i].name);
  pg_cli_error("run: --unit %s: %s has no unit of that name (it has: %s)", name,
               m->path, names);
  return NULL;
}

static int graph(const app_opts *o, const pg_app_config *cfg) {
  char err[4096];
  FILE *out = stdout, *dot = NULL;
  if (strcmp(o->format, "svg") == 0) {
    if (system("command -v dot >/dev/null 2>&1") != 0) {
      pg_cli_error("graph: --format svg needs Graphviz's dot, which is not "
                   "installed (use --format dot)");
      return PG_EXIT_USAGE;
    }
    fflush(stdout);
    if ((dot = popen("dot -Tsvg", "w")) == NULL) {
      pg_cli_error("graph: cannot run dot");
      return PG_EXIT_USAGE;
    }
    out = dot;
  }
  int rc = pg_app_write_graph(cfg, pg_mem_default(), out, err, sizeof err);
  int drc = dot ? pclose(dot) : 0;
  if (rc != 0) {
    pg_cli_error("%s", err);
    return PG_EXIT_USAGE;
  }
  return drc == 0 ? 0 : 1;
}

static int app_command(const char *cmd, int argc, char **argv,
                       const char *prebuilt) {
  app_opts o = {.cmd = cmd, .format = "dot"};
  int p = parse(&o, argc, argv);
  if (p != 0) {
    if (p > 0)
      pg_cli_help(command_of(cmd), stdout);
    return p > 0 ? 0 : PG_EXIT_USAGE;
  }
  char err[4096];
  pg_manifest m;
  if (pg_manifest_load(o.manifest, pg_mem_default(), &m, err, sizeof err)) {
    pg_cli_error("%s", err);
    return PG_EXIT_USAGE;
  }
  const pg_manifest_unit *unit = NULL;
  if (o.unit != NULL && (unit = find_unit(&m, o.unit)) == NULL) {
    pg_manifest_free(&m, pg_mem_default());
    return PG_EXIT_USAGE;
  }
  pg_app_config cfg = {.manifest = &m,
                       .is_deterministic = o.is_deterministic,
                       .has_real_clock = o.has_real_clock,
                       .seed = o.seed,
                       .log = stderr,
                       .unit = unit,
                       .prebuilt_dir = prebuilt,
                       .transport = &pg_wire_transport_kind};
  cfg.natives = pg_builtins(&cfg.nnatives);
  int status = 0, rc = 0;
  struct sigaction old[2];
  if (strcmp(cmd, "graph") == 0) {
    status = graph(&o, &cfg);
  } else {
    cfg.stop_signal = &stop_signal;
    catch_stop_signals(old);
    rc = pg_app_run(&cfg, pg_mem_default(), &status, err, sizeof err);
    restore_stop_signals(old);
  }
  if (rc != 0) {
    pg_cli_error("%s", rc == PARIGOT_ENOMEM ? "out of memory" : err);
    status = PG_EXIT_USAGE;
  }
  pg_manifest_free(&m, pg_mem_default());
  return status;
}

static int run_main(int argc, char **argv) {
  return app_command("run", argc, argv, NULL);
}

int pg_cmd_run_prebuilt(int argc, char **argv, const char *prebuilt) {
  return app_command("run", argc, argv, prebuilt);
}

static int graph_main(int argc, char **argv) {
  return app_command("graph", argc, argv, NULL);
}
