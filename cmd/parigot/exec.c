/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/exec.c: `parigot exec`, which runs one WASI command module.
 *
 * stdin, stdout and stderr pass through; --dir and --dir-ro give it host
 * directories, as wasmtime run --dir does; the guest's exit status becomes
 * ours. Owns the engine, module, instance and pulse of the run. Calls the
 * kernel's engine and pulse. Main thread; the pulse has its own.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "abi.h"
#include "cli.h"
#include "clock.h"
#include "engine.h"
#include "parigot/error.h"
#include "pulse.h"
#include "rt.h"
#include "units.h"

#define PULSE_INTERVAL_NS 100000000ull /* 100 ms: timeouts land within it */

typedef struct exec_opts {
  bool is_deterministic;
  uint64_t seed;
  uint64_t max_memory_bytes;
  uint64_t timeout_ns; /* 0: none */
  const char *timeout_text;
  const char **env; /* the --env values, borrowed from argv */
  int envc;
  pg_wasi_preopen *dirs; /* --dir and --dir-ro, in order; host and guest
                            borrowed from argv, or the guest in dir_names */
  size_t ndirs;
  char **dir_names; /* per dir: the HOST part of HOST::GUEST, owned */
  uint64_t write_quota_bytes;
  const char *module;
  int guest_argc; /* module path and its arguments */
  char **guest_argv;
} exec_opts;

enum {
  OPT_DETERMINISTIC,
  OPT_SEED,
  OPT_MAX_MEMORY,
  OPT_TIMEOUT,
  OPT_ENV,
  OPT_DIR,
  OPT_DIR_RO,
  OPT_WRITE_QUOTA,
};

static const pg_cli_opt exec_opts_table[] = {
    {OPT_DETERMINISTIC, "--deterministic", NULL,
     "virtual clock and seeded random stream: the same inputs print the "
     "same bytes on every run"},
    {OPT_SEED, "--seed", "N",
     "random seed (implies --deterministic; default 0)"},
    {OPT_MAX_MEMORY, "--max-memory", "SIZE",
     "linear memory limit, e.g. 64M (default 256M)"},
    {OPT_TIMEOUT, "--timeout", "DUR",
     "stop the guest after DUR, e.g. 500ms, 2s, 1m"},
    {OPT_ENV, "--env", "KEY=VALUE",
     "add a variable to the guest's environment (may be repeated)"},
    {OPT_DIR, "--dir", "HOST[::GUEST]",
     "let the guest open files beneath the host directory HOST, which it "
     "sees as GUEST (default: HOST as written), as wasmtime run --dir does; "
     "nothing outside it can be reached (may be repeated). With "
     "--deterministic the guest works on a private copy, removed after the "
     "run"},
    {OPT_DIR_RO, "--dir-ro", "HOST[::GUEST]",
     "as --dir, but the guest may only read: creating, writing, renaming "
     "or removing fails with EPERM"},
    {OPT_WRITE_QUOTA, "--write-quota", "SIZE",
     "bytes the guest may write to files, e.g. 64M; past it writes fail "
     "with EDQUOT (default: no limit)"},
    {0, NULL, NULL, NULL},
};

static int exec_main(int argc, char **argv);

const pg_cli_cmd pg_cli_exec = {
    .name = "exec",
    .summary = "run a WASI command module, as wasmtime run does",
    .synopsis = "[options] MODULE.wasm [ARGS...]",
    .description =
        "Runs a WASI command module: stdin, stdout and stderr pass through, "
        "ARGS and --env variables reach the guest, and the guest's exit "
        "code becomes parigot's. Options come before MODULE.wasm: what "
        "follows it is the guest's.\n\n"
        "The guest has no files unless given directories with --dir or "
        "--dir-ro; they are its preopened directories (fds 3, 4, ... in "
        "the order given), and paths that would leave them (\"..\", "
        "absolute paths, symlinks out) fail with EPERM.",
    .environment =
        "The compiled module is cached in $PARIGOT_CACHE (default "
        "$XDG_CACHE_HOME/parigot or ~/.cache/parigot). $CC picks the C "
        "compiler (default cc); $PARIGOT_CFLAGS adds flags to it, e.g. -g.",
    .exit_status = "the guest's; 2 for a bad command line or module; 124 "
                   "when --timeout expired; 134 when the guest trapped.",
    .opts = exec_opts_table,
    .has_options_before_operand = true,
    .run = exec_main,
};

/* HOST[::GUEST]: HOST must be a directory; GUEST defaults to HOST. */
static int parse_dir(exec_opts *o, bool is_read_only, const char *v) {
  const char *flag = is_read_only ? "--dir-ro" : "--dir";
  const char *sep = strstr(v, "::");
  size_t host_len = sep ? (size_t)(sep - v) : strlen(v);
  const char *guest = sep ? sep + 2 : v;
  char *host = strndup(v, host_len);
  struct stat st;
  if (host == NULL) {
    pg_cli_error("out of memory");
    return -1;
  }
  o->dir_names[o->ndirs] = host;
  if (host_len == 0 || *guest == '\0') {
    pg_cli_error("exec: %s %s: expected HOST or HOST::GUEST", flag, v);
    return -1;
  }
  if (stat(host, &st) != 0 || !S_ISDIR(st.st_mode)) {
    pg_cli_error("exec: %s %s: %s is not a directory", flag, v, host);
    return -1;
  }
  o->dirs[o->ndirs++] = (pg_wasi_preopen){host, guest, is_read_only};
  return 0;
}

static int parse_value(exec_opts *o, int id, const char *v) {
  char *end;
  if (id == OPT_SEED) {
    o->seed = strtoull(v, &end, 10);
    o->is_deterministic = true;
    if (*v == '-' || *v == '\0' || *end) {
      pg_cli_error("exec: --seed %s: not a non-negative integer", v);
      return -1;
    }
  } else if (id == OPT_MAX_MEMORY) {
    if (pg_units_parse_size(v, &o->max_memory_bytes) || !o->max_memory_bytes) {
      pg_cli_error("exec: --max-memory %s: not a size like 64M or 1G", v);
      return -1;
    }
  } else if (id == OPT_TIMEOUT) {
    o->timeout_text = v;
    if (pg_units_parse_duration(v, &o->timeout_ns) || !o->timeout_ns) {
      pg_cli_error("exec: --timeout %s: not a duration like 500ms, 2s, 1m", v);
      return -1;
    }
  } else if (id == OPT_WRITE_QUOTA) {
    if (pg_units_parse_size(v, &o->write_quota_bytes) ||
        !o->write_quota_bytes) {
      pg_cli_error("exec: --write-quota %s: not a size like 64M or 1G", v);
      return -1;
    }
  } else if (id == OPT_DIR || id == OPT_DIR_RO) {
    return parse_dir(o, id == OPT_DIR_RO, v);
  } else { /* --env */
    if (!strchr(v, '=') || v[0] == '=') {
      pg_cli_error("exec: --env %s: expected KEY=VALUE", v);
      return -1;
    }
    o->env[o->envc++] = v;
  }
  return 0;
}

static int on_arg(void *ctx, const pg_cli_opt *opt, const char *value) {
  exec_opts *o = ctx;
  if (opt == NULL) {
    o->module = value;
    return 0;
  }
  if (opt->id == OPT_DETERMINISTIC) {
    o->is_deterministic = true;
    return 0;
  }
  return parse_value(o, opt->id, value);
}

/* Returns 0, 1 for --help, or -1 after printing an error. */
static int parse(exec_opts *o, int argc, char **argv) {
  int rest;
  int rc = pg_cli_parse(&pg_cli_exec, argc, argv, on_arg, o, &rest);
  if (rc != 0)
    return rc;
  if (o->module == NULL) {
    pg_cli_error("exec: no module given (see 'parigot exec --help')");
    return -1;
  }
  o->guest_argc = argc - rest + 1; /* the module, then its arguments */
  o->guest_argv = argv + rest - 1;
  return 0;
}

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* Reports how the run ended and picks the exit status. */
static int report(const exec_opts *o, const pg_run_result *r, bool timed_out) {
  switch (r->code) {
  case PG_RT_OK:
    return 0;
  case PG_RT_EXIT:
    if (r->exit_code > 255) {
      pg_cli_error("%s exited with status %u, which does not fit in an exit "
                   "code; exiting 1",
                   base_name(o->module), r->exit_code);
      return 1;
    }
    return (int)r->exit_code;
  case PG_RT_INTERRUPTED:
    if (timed_out) {
      pg_cli_error("timeout after %s", o->timeout_text);
      return PG_EXIT_TIMEOUT;
    }
    break;
  }
  pg_cli_error("trap: %s (in %s)", pg_rt_trap_name(r->code),
               base_name(o->module));
  return PG_EXIT_TRAP;
}

/* What the pulse watches: one guest and when it has run too long. The
 * flag is atomic: the pulse sets it, the main thread reads it. */
typedef struct timeout_watch {
  pg_instance *inst;
  uint64_t deadline_ns; /* host monotonic */
  atomic_bool has_fired;
} timeout_watch;

/* Interrupts on every tick past the deadline, not once: an interrupt that
 * races with the guest entering a blocking host call is then never lost. */
static void timeout_tick(void *arg) {
  timeout_watch *w = arg;
  if (pg_clock_host_monotonic_ns() < w->deadline_ns)
    return;
  atomic_store(&w->has_fired, true);
  pg_instance_interrupt(w->inst);
}

static int run_guest(const exec_opts *o, pg_instance *inst, pg_run_result *r,
                     bool *timed_out) {
  pg_pulse *pulse = NULL;
  timeout_watch w = {inst, pg_clock_host_monotonic_ns() + o->timeout_ns, false};
  if (o->timeout_ns) {
    int rc = pg_pulse_new(&pulse, PULSE_INTERVAL_NS, timeout_tick, &w,
                          pg_mem_default());
    if (rc) {
      pg_cli_error("cannot start the timing pulse: %s", parigot_strerror(rc));
      return rc;
    }
  }
  int rc = pg_instance_run(inst, "_start", r);
  pg_pulse_free(pulse); /* no tick after this */
  *timed_out = atomic_load(&w.has_fired);
  return rc;
}

static int exec_module(const exec_opts *o) {
  char err[1024];
  pg_engine *engine = NULL;
  pg_module *module = NULL;
  pg_instance *inst = NULL;
  int status = PG_EXIT_USAGE;
  /* A guest's parigot imports pass the check, and fail with ENOTSUP when
   * called: there is no app (abi.c). */
  pg_engine_config ec = {.host_modules = &pg_abi_module, .nhost_modules = 1};
  int rc = pg_engine_new(&engine, &ec, pg_mem_default(), err, sizeof err);
  if (rc) {
    pg_cli_error("%s", err);
    return PG_EXIT_USAGE;
  }
  if ((rc = pg_module_load(engine, o->module, &module))) {
    pg_cli_error("%s", pg_engine_errmsg(engine));
    goto done;
  }
  if (!pg_module_has_entry(module, "_start")) {
    pg_cli_error("%s: exports no _start function; is it a WASI command?",
                 o->module);
    goto done;
  }
  pg_instance_config cfg = {
      .max_memory_bytes = o->max_memory_bytes,
      .wasi = {.argc = o->guest_argc,
               .argv = (const char *const *)o->guest_argv,
               .envc = o->envc,
               .env = o->env,
               .is_deterministic = o->is_deterministic,
               .seed = o->seed,
               .stdio_fds = {0, 1, 2},
               .preopens = o->dirs,
               .npreopens = o->ndirs,
               .write_quota_bytes = o->write_quota_bytes}};
  if ((rc = pg_instance_new(module, &cfg, &inst))) {
    pg_cli_error("%s: %s%s", o->module, parigot_strerror(rc),
                 o->ndirs ? " (opening its --dir directories)" : "");
    goto done;
  }
  pg_run_result r;
  bool timed_out = false;
  if (run_guest(o, inst, &r, &timed_out) == 0) {
    fflush(stdout);
    status = report(o, &r, timed_out);
  }
done:
  pg_instance_free(inst);
  pg_module_free(module);
  pg_engine_free(engine);
  return status;
}

static int exec_main(int argc, char **argv) {
  exec_opts o = {0};
  o.env = calloc((size_t)argc, sizeof *o.env);
  o.dirs = calloc((size_t)argc, sizeof *o.dirs);
  o.dir_names = calloc((size_t)argc + 1, sizeof *o.dir_names);
  if (!o.env || !o.dirs || !o.dir_names) {
    pg_cli_error("out of memory");
    free(o.env), free(o.dirs), free(o.dir_names);
    return PG_EXIT_USAGE;
  }
  int rc = parse(&o, argc, argv);
  int status = rc < 0 ? PG_EXIT_USAGE : 0;
  if (rc == 1)
    pg_cli_help(&pg_cli_exec, stdout);
  else if (rc == 0)
    status = exec_module(&o);
  for (size_t i = 0; i <= o.ndirs; i++)
    free(o.dir_names[i]);
  free(o.dir_names);
  free(o.dirs);
  free(o.env);
  return status;
}
