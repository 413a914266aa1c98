/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/up.c: `parigot up APP.toml`: every unit of the app as its
 * own process on this machine (`parigot run APP.toml --unit NAME`),
 * supervised: their logs merged on stderr, each line after its unit's
 * name; the programs' output passed through as it is, a line at a time.
 *
 * It ends as `parigot run` would: once the units with programs have
 * exited, the others are stopped with SIGTERM, dependents first (so that
 * no unit sees a unit it calls vanish while it still serves), and the
 * status is the first non-zero status of a unit with programs, else that
 * of any unit, else 0. SIGINT or SIGTERM stops every unit the same way; a
 * second one kills them.
 *
 * The whole app's graph is checked before any unit starts, and gives the
 * order to start them in. With --bin DIR, that takes nothing but the
 * manifest and the executables in DIR: no compiler, no wasm file (the
 * executables carry both the wasm and the objects compiled from it).
 *
 * Owns the child processes and their pipes. Main thread; the signal
 * handler only sets a flag.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "bundle.h"
#include "cli.h"
#include "manifest.h"
#include "parigot/error.h"
#include "secret.h"

/* A line longer than this is passed on in pieces. */
#define LINE_MAX_BYTES 8192

/* An error message into @p err: cut at @p len if it must be (the paths
 * it names are up to PATH_MAX each). */
__attribute__((format(printf, 3, 4))) static void say(char *err, size_t len,
                                                      const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, len, fmt, ap);
  va_end(ap);
}

typedef struct unit_proc {
  const pg_manifest_unit *spec;
  pid_t pid;    /* 0 once reaped */
  int out, err; /* pipe read ends, -1 once closed */
  int status;   /* exit status, or 128 + signal */
  bool has_programs;
  char line[2][LINE_MAX_BYTES]; /* what came of the current line */
  size_t len[2];
} unit_proc;

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig) {
  (void)sig;
  signals_seen++;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool unit_has_programs(const pg_manifest *m, const pg_manifest_unit *u) {
  for (size_t i = 0; i < u->nguests; i++) {
    const pg_manifest_guest *g = &m->guests[u->guests[i]];
    if (g->is_program && !g->is_test)
      return true;
  }
  return false;
}

/* Starts @p p: `parigot run MANIFEST --unit NAME`, or the executable
 * `parigot build` made of it in @p bin (when not NULL). */
static int start_unit(unit_proc *p, const char *self, const char *manifest,
                      const char *bin) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0)
    return -1;
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]), close(out[1]), close(err[0]), close(err[1]);
    setpgid(0, 0); /* a terminal's ^C is up's to pass on, in order */
    if (bin != NULL) {
      char path[PATH_MAX];
      snprintf(path, sizeof path, "%s/%s", bin, p->spec->name);
      execl(path, path, (char *)0);
      fprintf(stderr, "parigot: up: cannot run %s: %s\n", path,
              strerror(errno));
      _exit(127);
    }
    execl(self, self, "run", manifest, "--unit", p->spec->name, (char *)0);
    fprintf(stderr, "parigot: up: cannot run %s: %s\n", self, strerror(errno));
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  p->pid = pid;
  p->out = out[0];
  p->err = err[0];
  return 0;
}

/* One line of @p p's stream @p which (0 out, 1 err) on up's own: the
 * log's lines get the unit's name in front. */
static void emit(unit_proc *p, int which, int width) {
  FILE *to = which == 0 ? stdout : stderr;
  if (which == 1)
    fprintf(to, "%-*s | ", width, p->spec->name);
  fwrite(p->line[which], 1, p->len[which], to);
  if (which == 1 && p->line[which][p->len[which] - 1] != '\n')
    fputc('\n', to);
  fflush(to);
  p->len[which] = 0;
}

/* Passes on what @p p wrote, whole lines at a time, so that the units'
 * lines never mix. */
static void pass_on(unit_proc *p, int which, const char *buf, size_t n,
                    int width) {
  for (size_t i = 0; i < n; i++) {
    p->line[which][p->len[which]++] = buf[i];
    if (buf[i] == '\n' || p->len[which] == LINE_MAX_BYTES)
      emit(p, which, width);
  }
}

/* Reads what the units wrote, for up to @p wait_ms. */
static void pump(unit_proc *u, size_t n, int width, int wait_ms) {
  struct pollfd fds[2 * 64];
  size_t nfds = 0;
  for (size_t i = 0; i < n && nfds + 2 <= 2 * 64; i++) {
    fds[nfds++] = (struct pollfd){u[i].out, POLLIN, 0};
    fds[nfds++] = (struct pollfd){u[i].err, POLLIN, 0};
  }
  if (poll(fds, nfds, wait_ms) <= 0)
    return;
  for (size_t k = 0; k < nfds; k++) {
    unit_proc *p = &u[k / 2];
    int which = (int)(k % 2), *fd = which ? &p->err : &p->out;
    if (fds[k].fd < 0 || !fds[k].revents)
      continue;
    char buf[65536];
    ssize_t got = read(*fd, buf, sizeof buf);
    if (got > 0) {
      pass_on(p, which, buf, (size_t)got, width);
    } else {
      if (p->len[which] > 0) /* a last line with no newline */
        emit(p, which, width);
      close(*fd);
      *fd = -1;
    }
  }
}

/* Collects the units that ended; says so for one that ended unasked. */
static void reap(unit_proc *u, size_t n, int width, bool is_stopping) {
  for (size_t i = 0; i < n; i++) {
    int st;
    if (u[i].pid == 0 || waitpid(u[i].pid, &st, WNOHANG) != u[i].pid)
      continue;
    u[i].pid = 0;
    u[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (!u[i].has_programs && !is_stopping)
      fprintf(stderr, "%-*s | parigot: up: unit %s ended with status %d\n",
              width, u[i].spec->name, u[i].spec->name, u[i].status);
  }
}

static bool programs_running(const unit_proc *u, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (u[i].pid != 0 && u[i].has_programs)
      return true;
  return false;
}

/* Stops one unit: SIGTERM, then SIGKILL if it is still there after
 * @p grace_s, or at once on a second signal to up. */
static void stop_unit(unit_proc *u, size_t n, size_t k, int width,
                      double grace_s) {
  if (u[k].pid == 0)
    return;
  kill(u[k].pid, SIGTERM);
  double until = now_s() + grace_s;
  while (u[k].pid != 0) {
    pump(u, n, width, 20);
    reap(u, n, width, true);
    if (u[k].pid != 0 && (now_s() > until || signals_seen > 1))
      kill(u[k].pid, SIGKILL);
  }
}

/* ---- --bin: the units parigot build made -------------------------------- */

/* The bytes of @p path, malloc'ed and NUL-terminated; NULL on error. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n;
  if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL &&
      fread(buf, 1, (size_t)n, f) == (size_t)n)
    buf[n] = '\0';
  else if (buf != NULL)
    buf = (free(buf), NULL);
  if (f != NULL)
    fclose(f);
  return buf;
}

/* Unpacks unit @p u's executable in @p bin into @p tmp, checking it is
 * that unit and was built from the same manifest as the ones before
 * (@p *first, which the first sets; the caller frees it). 0, or -1 with
 * @p err set. */
static int unpack_unit(const pg_manifest *m, const pg_manifest_unit *u,
                       const char *bin, const char *tmp, char **first,
                       const char **first_unit, char *err, size_t err_len) {
  char path[PATH_MAX], unit[128], toml[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/%s", bin, u->name);
  snprintf(toml, sizeof toml, "%s/app.toml", tmp);
  int rc = access(path, F_OK) == 0
               ? pg_bundle_unpack(path, tmp, unit, sizeof unit)
               : -2;
  if (rc == -2)
    say(err, err_len,
        "up: --bin %s: no %s for unit %s (make it with "
        "'parigot build %s --unit %s -o %s')",
        bin, path, u->name, m->path, u->name, bin);
  else if (rc == 2)
    say(err, err_len,
        "up: --bin %s: %s carries other wasm than the units before "
        "it (build them all again from %s)",
        bin, path, m->path);
  else if (rc != 0)
    say(err, err_len, "up: %s: %s", path,
        rc > 0 ? "not a unit 'parigot build' made"
               : "cannot unpack it (a damaged file?)");
  else if (strcmp(unit, u->name) != 0)
    say(err, err_len, "up: %s is unit %s, not %s", path, unit, u->name);
  if (rc != 0 || strcmp(unit, u->name) != 0)
    return -1;
  char *text = slurp(toml);
  bool is_same = text != NULL && (*first == NULL || !strcmp(*first, text));
  if (!is_same)
    say(err, err_len,
        "up: --bin %s: %s and %s were built from "
        "different manifests (build them again from %s)",
        bin, *first_unit, u->name, m->path);
  if (*first == NULL && text != NULL) {
    *first = text;
    *first_unit = u->name;
  } else {
    free(text);
  }
  return is_same ? 0 : -1;
}

/* Whether @p b, the manifest the units were built from, has the units
 * and guests of @p m, in the same order. */
static bool same_app(const pg_manifest *m, const pg_manifest *b) {
  bool same = m->nunits == b->nunits && m->nguests == b->nguests;
  for (size_t i = 0; same && i < m->nunits; i++)
    same = strcmp(m->units[i].name, b->units[i].name) == 0;
  for (size_t i = 0; same && i < m->nguests; i++)
    same = strcmp(m->guests[i].name, b->guests[i].name) == 0;
  return same;
}

/* With --bin, the start order of the units, from nothing but what their
 * executables carry: unpacked together into a private folder, they hold
 * the wasm of every guest and, between them, the object compiled ahead of
 * time of every guest that runs (each unit's own, and the services it
 * calls). So the whole app is declared and its graph checked as 'parigot
 * run' would, with no compiler and no wasm file of APP.toml's. */
static int bin_order(const pg_manifest *m, const char *bin, uint32_t *order,
                     char *err, size_t err_len) {
  const char *t = getenv("TMPDIR");
  char tmp[PATH_MAX], toml[PATH_MAX + 16], pre[PATH_MAX + 16],
      cache[PATH_MAX + 16];
  snprintf(tmp, sizeof tmp, "%s/parigot-up-XXXXXX", t && *t ? t : "/tmp");
  if (mkdtemp(tmp) == NULL) {
    say(err, err_len, "up: cannot make %s: %s", tmp, strerror(errno));
    return -1;
  }
  char *first = NULL;
  const char *first_unit = NULL;
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < m->nunits; i++)
    if (m->units[i].serves == NULL) /* not outside parigot */
      rc = unpack_unit(m, &m->units[i], bin, tmp, &first, &first_unit, err,
                       err_len);
  free(first);
  snprintf(toml, sizeof toml, "%s/app.toml", tmp);
  snprintf(pre, sizeof pre, "%s/prebuilt", tmp);
  snprintf(cache, sizeof cache, "%s/cache", tmp);
  pg_manifest b;
  if (rc == 0 &&
      (rc = pg_manifest_load(toml, pg_mem_default(), &b, err, err_len)) == 0) {
    pg_app_config cfg = {
        .manifest = &b, .log = stderr, .prebuilt_dir = pre, .cache_dir = cache};
    if (!same_app(m, &b)) {
      say(err, err_len,
          "up: the units in %s were built from another "
          "app than %s (build them again)",
          bin, m->path);
      rc = -1;
    } else {
      rc = pg_app_unit_order(&cfg, pg_mem_default(), order, err, err_len);
    }
    pg_manifest_free(&b, pg_mem_default());
  }
  pg_bundle_remove(tmp);
  return rc;
}

/* ---- the command -------------------------------------------------------- */

enum { OPT_BIN };

static const pg_cli_opt up_opts[] = {
    {OPT_BIN, "--bin", "DIR",
     "run the executables 'parigot build' made in DIR (DIR/NAME for unit "
     "NAME) instead of 'parigot run APP.toml --unit NAME'; the app is then "
     "checked and ordered from what they carry, with no C compiler, and "
     "the wasm files APP.toml names need not be there"},
    {0, NULL, NULL, NULL},
};

static int up_main(int argc, char **argv);

const pg_cli_cmd pg_cli_up = {
    .name = "up",
    .summary = "run each unit of an app as its own process",
    .synopsis = "[options] APP.toml",
    .description =
        "Starts every [[unit]] of APP.toml as its own process ('parigot "
        "run APP.toml --unit NAME', or with --bin the executable DIR/NAME "
        "that 'parigot build' made), merges their logs on stderr (each line "
        "after its unit's name) and passes the programs' output on. When "
        "the programs have exited, the other units are stopped, dependents "
        "first. SIGINT or SIGTERM stops them all; a second one kills them. "
        "Options may come before or after APP.toml.",
    .exit_status = "as 'parigot run': the first non-zero status of a unit "
                   "with programs, else that of any unit, else 0; 2 when "
                   "the app cannot start.",
    .opts = up_opts,
    .run = up_main,
};

typedef struct up_args {
  const char *manifest, *bin;
} up_args;

static int on_arg(void *ctx, const pg_cli_opt *opt, const char *v) {
  up_args *a = ctx;
  if (opt != NULL) {
    a->bin = v;
  } else if (a->manifest == NULL) {
    a->manifest = v;
  } else {
    pg_cli_error("up: expected one APP.toml, got %s and %s (see 'parigot "
                 "up --help')",
                 a->manifest, v);
    return -1;
  }
  return 0;
}

static int up_main(int argc, char **argv) {
  up_args a = {NULL, NULL};
  int rest, p = pg_cli_parse(&pg_cli_up, argc, argv, on_arg, &a, &rest);
  if (p != 0) {
    if (p > 0)
      pg_cli_help(&pg_cli_up, stdout);
    return p > 0 ? 0 : PG_EXIT_USAGE;
  }
  if (a.manifest == NULL) {
    pg_cli_error("up: expected one APP.toml (see 'parigot up --help')");
    return PG_EXIT_USAGE;
  }
  const char *bin = a.bin, *manifest = a.manifest;
  char err[4096], self[PATH_MAX];
  pg_manifest m;
  /* With --bin, the units carry the wasm: APP.toml's need not be there. */
  unsigned flags = bin != NULL ? PG_MANIFEST_WASM_MAY_BE_MISSING : 0;
  if (pg_manifest_load_flags(manifest, pg_mem_default(), flags, &m, err,
                             sizeof err)) {
    pg_cli_error("%s", err);
    return PG_EXIT_USAGE;
  }
  ssize_t self_len = readlink("/proc/self/exe", self, sizeof self - 1);
  uint32_t *order = calloc(m.nunits + 1, sizeof *order);
  unit_proc *u = calloc(m.nunits + 1, sizeof *u);
  pg_app_config cfg = {.manifest = &m, .log = stderr};
  int status = 0;
  if (self_len <= 0 || order == NULL || u == NULL || m.nunits > 64) {
    pg_cli_error("up: %s",
                 m.nunits > 64 ? "at most 64 units" : "out of memory");
    status = PG_EXIT_USAGE;
  } else if ((bin != NULL ? bin_order(&m, bin, order, err, sizeof err)
                          : pg_app_unit_order(&cfg, pg_mem_default(), order,
                                              err, sizeof err)) != 0) {
    pg_cli_error("%s", err); /* the whole app is checked before it starts */
    status = PG_EXIT_USAGE;
  } else if (pg_secret_make_for_units(&m, err, sizeof err) != 0) {
    pg_cli_error("%s", err); /* its units sign their calls with it */
    status = PG_EXIT_USAGE;
  }
  if (status != 0) {
    free(order);
    free(u);
    pg_manifest_free(&m, pg_mem_default());
    return status;
  }
  self[self_len] = '\0';
  int width = 1;
  size_t n = m.nunits;
  for (size_t i = 0; i < n; i++) {
    u[i] = (unit_proc){.spec = &m.units[order[i]], .out = -1, .err = -1};
    u[i].has_programs = unit_has_programs(&m, u[i].spec);
    int w = (int)strlen(u[i].spec->name);
    width = w > width ? w : width;
  }
  struct sigaction sa = {.sa_handler = on_signal}, old[2];
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old[0]);
  sigaction(SIGTERM, &sa, &old[1]);
  bool has_programs = false;
  for (size_t i = 0; i < n; i++) {
    has_programs |= u[i].has_programs;
    if (u[i].spec->serves != NULL)
      continue; /* outside parigot: not ours to start */
    if (start_unit(&u[i], self, manifest, bin) != 0) {
      pg_cli_error("up: cannot start unit %s: %s", u[i].spec->name,
                   strerror(errno));
      signals_seen = 1; /* stop the ones started */
      break;
    }
  }
  while (signals_seen == 0 && (has_programs ? programs_running(u, n) : true)) {
    pump(u, n, width, 100);
    reap(u, n, width, false);
  }
  /* Dependents first: the reverse of the start order. */
  double grace = (double)m.drain_timeout_ns / 1e9 + 1.0;
  for (size_t i = n; i-- > 0;)
    stop_unit(u, n, i, width, grace);
  while (true) { /* what is left in the pipes */
    bool open = false;
    for (size_t i = 0; i < n; i++)
      open |= u[i].out >= 0 || u[i].err >= 0;
    if (!open)
      break;
    pump(u, n, width, 100);
  }
  for (size_t i = 0; i < n && status == 0; i++) /* start order */
    if (u[i].has_programs && u[i].status != 0)
      status = u[i].status;
  for (size_t i = 0; i < n && status == 0; i++)
    if (!u[i].has_programs && u[i].status != 0 && u[i].status != 128 + SIGTERM)
      status = u[i].status;
  sigaction(SIGINT, &old[0], NULL);
  sigaction(SIGTERM, &old[1], NULL);
  free(order);
  free(u);
  pg_manifest_free(&m, pg_mem_default());
  return status;
}
