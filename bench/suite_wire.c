/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/suite_wire.c: the wire suite: unary gRPC over HTTP/2 served by a
 * parigot unit, by gRPC C++ and by grpc-js, driven by h2load; and the
 * chain client -> Relay -> Echo in one process and as three units.
 *
 * Unary calls: three servers of apptest.v1.Echo/Say run side by side on
 * 127.0.0.1, idle but for the one being measured: `parigot run echo.toml
 * --unit back` (tests/app/echo.c as a unit), bench-wire-grpc-cpp
 * (bench/peers/echo_server.cc, the callback API) and node
 * bench/peers/echo_server.mjs (@grpc/grpc-js). Each is called once by a
 * real client first (bench/wire/grpc_check.py, Python's grpcio), which
 * must see grpc-status 0 and the expected bytes. h2load then sends the
 * same 15-byte gRPC request (content-type application/grpc, te trailers)
 * with 1 client and 1 stream, and with 10 clients of 10 streams each. Two
 * untimed runs per server and load warm it up, then come cfg->runs timed
 * runs each, the servers interleaved so that a slow moment of the
 * machine hits all; each run's size comes from the run before, for
 * about TARGET_S. Every run must have every request done with status 200
 * and exactly one 10-byte EchoResponse of DATA per request (an error
 * would come as trailers alone). req/s is h2load's; the mean, p50 and p99
 * come from its --log-file, one line per request. Each figure is the best
 * of the runs.
 *
 * The chain: bench/wire/chain.c calls Relay.Forward CHAIN_CALLS times in
 * a row (after a tenth as many untimed), and Relay calls Echo for each;
 * the program reads the clock around every call. One manifest,
 * chain.toml, with the units of tests/wire/manifests/three.toml.in (the
 * program in front, Relay in mid, Echo in back), runs as one process
 * (`parigot run`) and as three (`parigot up`), where both calls cross
 * HTTP/2; each figure is the best of cfg->runs runs.
 *
 * Writes its manifests, h2load's request and log and the servers' logs
 * into the wire directory. A server that is not built or does not start
 * is left out with a line saying why, and so is h2load or the chain when
 * missing; a parigot unit that fails a check fails the suite. Calls the
 * runner's way check, the harness and wire/server.c. Single-threaded.
 */
#include "runner.h"
#include "wire/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TARGET_S 1.5      /* a timed h2load run takes about this */
#define MIN_REQUESTS 1000 /* per timed run */
#define MAX_REQUESTS 1000000
#define QUICK_REQUESTS 200 /* per run with --quick, no sizing */
#define CHAIN_CALLS 5000
#define QUICK_CHAIN_CALLS 100
#define START_TIMEOUT_S 60.0 /* a first start may translate the guest */
#define RUN_TIMEOUT_S 120.0
#define PYTHON "/usr/bin/python3" /* Debian's, with python3-grpcio */
#define THROUGHPUT_GOAL 1.0       /* parigot over gRPC C++, req/s */
#define JS_GOAL 3.0               /* parigot over grpc-js, req/s */
#define CHAIN_GOAL 10.0           /* three units' p50 over one process' */
#define THROUGHPUT_GOAL_TEXT "parigot req/s >= gRPC C++ (1x1 and 10x10)"
#define RPS_GOAL_TEXT                                                          \
  "parigot req/s >= gRPC C++ and >= 3x grpc-js (1x1 and 10x10)"
#define LATENCY_GOAL_TEXT "parigot serial (1x1) p50 < gRPC C++"
#define JS_GOAL_TEXT "parigot req/s >= 3x grpc-js (1x1 and 10x10)"
#define CHAIN_GOAL_TEXT                                                        \
  "the chain's p50 in one process >= 10x lower than as three units"

enum { PARIGOT, CPP, JS, N_SERVERS };
static const char *const server_names[N_SERVERS] = {"parigot", "grpc c++",
                                                    "grpc-js"};
/* What each server prints once it serves, followed by its port. */
static const char *const server_ready[N_SERVERS] = {
    " serves on 127.0.0.1:", "echo_server.cc serves on 127.0.0.1:",
    "echo_server.mjs serves on 127.0.0.1:"};

enum { SERIAL, CONC, N_LOADS };
static const char *const load_names[N_LOADS] = {"1x1", "10x10"};
static const char *const load_streams[N_LOADS] = {"1", "10"}; /* -c, -m */
static const long warm_requests[N_LOADS] = {2000, 10000};

enum { ONE, UNITS, N_CHAINS };
static const char *const chain_names[N_CHAINS] = {"one process", "three units"};

/* gRPC's 5-byte prefix and EchoRequest{value: 12345, text: "hello"}; the
 * answer is EchoResponse{value: 12345, text: "hello"}, 10 bytes too. */
static const unsigned char request[] = {
    0, 0, 0, 0, 10, 0x10, 0xb9, 0x60, 0x1a, 5, 'h', 'e', 'l', 'l', 'o'};
#define REQUEST_HEX "10b9601a0568656c6c6f"
#define RESPONSE_HEX "08b960120568656c6c6f"
#define RESPONSE_FRAME 15L /* DATA bytes per answer: prefix + 10 */

typedef struct figures {
  long requests[N_SERVERS][N_LOADS]; /* in the last timed run */
  double rps[N_SERVERS][N_LOADS];    /* best run */
  double mean_us[N_SERVERS][N_LOADS];
  double p50_us[N_SERVERS][N_LOADS];
  double p99_us[N_SERVERS][N_LOADS];
  long chain_calls;
  double chain_p50_us[N_CHAINS];
  double chain_p99_us[N_CHAINS];
  double chain_mean_us[N_CHAINS];
} figures;

/* The suite's paths and servers. */
typedef struct wire {
  const pg_bench_config *cfg;
  const char *h2load;  /* stems[0], may be absent */
  const char *cpp;     /* stems[1]: bench-wire-grpc-cpp, may be absent */
  const char *app_dir; /* stems[2]: echo.wasm, relay.wasm */
  const char *dir;     /* stems[3]: bench-wire-chain.wasm; our files */
  char mjs[PATH_MAX];  /* bench/peers/echo_server.mjs */
  char proto_dir[PATH_MAX];
  char check_py[PATH_MAX];
  char body_path[PATH_MAX]; /* h2load's request */
  char h2_log[PATH_MAX];    /* h2load's --log-file */
  pg_bench_server servers[N_SERVERS];
  bool is_up[N_SERVERS];
  long next_n[N_SERVERS][N_LOADS]; /* requests in the next h2load run */
  bool has_h2load, has_python;
  bool has_failed; /* parigot failed a check: the suite fails */
} wire;

static void figures_init(figures *fig) {
  for (int s = 0; s < N_SERVERS; s++)
    for (int l = 0; l < N_LOADS; l++) {
      fig->requests[s][l] = 0;
      fig->rps[s][l] = fig->mean_us[s][l] = NAN;
      fig->p50_us[s][l] = fig->p99_us[s][l] = NAN;
    }
  fig->chain_calls = 0;
  for (int c = 0; c < N_CHAINS; c++)
    fig->chain_p50_us[c] = fig->chain_p99_us[c] = fig->chain_mean_us[c] = NAN;
}

static void keep_min(double *slot, double v) {
  if (!(v >= *slot))
    *slot = v;
}

static void keep_max(double *slot, double v) {
  if (!(v <= *slot))
    *slot = v;
}

static bool exists(const char *path) {
  return access(path, R_OK) == 0;
}

/* Writes len bytes to path; returns 0 or -1. */
static int write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
    perror(path);
    return -1;
  }
  return 0;
}

/* Writes a text snprintf made (n: what it returned, cap: its buffer's
 * size); returns 0, or -1 if it did not fit. */
static int write_text(const char *path, const char *text, int n, size_t cap) {
  if (n < 0 || (size_t)n >= cap) {
    fprintf(stderr, "bench: wire: %s: paths too long\n", path);
    return -1;
  }
  return write_file(path, text, (size_t)n);
}

/* A port no one listens on now (the system's choice for port 0). */
static int free_port(void) {
  struct sockaddr_in sa = {.sin_family = AF_INET};
  socklen_t len = sizeof sa;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int s = socket(AF_INET, SOCK_STREAM, 0), port = -1;
  if (s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof sa) == 0 &&
      getsockname(s, (struct sockaddr *)&sa, &len) == 0)
    port = ntohs(sa.sin_port);
  if (s >= 0)
    close(s);
  return port;
}

/* ---- the servers -------------------------------------------------------- */

/* Says why server s cannot run here, or returns NULL if it can. */
static const char *missing(const wire *w, int s) {
  const pg_bench_config *cfg = w->cfg;
  static char why[PATH_MAX + 64];
  switch (s) {
  case PARIGOT:
    if (!pg_bench_is_executable(cfg->parigot_path))
      return "not built (build/bin/parigot)";
    snprintf(why, sizeof(why), "%s/echo.wasm", w->app_dir);
    if (!exists(why)) {
      snprintf(why, sizeof(why),
               "the Echo guest is not built (%s/echo.wasm; tests/app, "
               "BUILD_TESTING)",
               w->app_dir);
      return why;
    }
    return NULL;
  case CPP:
    return pg_bench_is_executable(w->cpp)
               ? NULL
               : "not built (needs Debian's libgrpc++-dev and "
                 "protobuf-compiler-grpc; then re-run cmake)";
  case JS:
    if (!pg_bench_is_executable(cfg->node_path))
      return "node not found";
    snprintf(why, sizeof(why), "%s/tools/npm/node_modules/@grpc/grpc-js",
             cfg->source_dir);
    if (!exists(why))
      return "@grpc/grpc-js not installed in tools/npm "
             "(scripts/install-deps.sh)";
    return NULL;
  }
  return "unknown";
}

static int write_unit_manifest(const wire *w, char *path, size_t cap) {
  char text[PATH_MAX + 512];
  snprintf(path, cap, "%s/%secho.toml", w->dir,
           w->cfg->is_quick ? "quick-" : "");
  int n = snprintf(
      text, sizeof(text),
      "# Written by pg-bench wire (bench/suite_wire.c): Echo "
      "alone in unit back,\n# on a port the kernel picks.\n"
      "[app]\nname = \"bench-wire\"\n\n"
      "[[service]]\nname = \"echo\"\nwasm = \"%s/echo.wasm\"\npublic = true\n\n"
      "[[unit]]\nname = \"back\"\nservices = [\"echo\"]\n"
      "listen = \"127.0.0.1:0\"\n",
      w->app_dir);
  return write_text(path, text, n, sizeof(text));
}

/* One call by grpcio: grpc-status 0 and the expected bytes, or -1. */
static int check_by_hand(const wire *w, int s) {
  char port[16];
  snprintf(port, sizeof(port), "%d", w->servers[s].port);
  char *argv[] = {PYTHON,      (char *)w->check_py, port,
                  REQUEST_HEX, RESPONSE_HEX,        NULL};
  pg_bench_run run;
  int rc = pg_bench_spawn(argv, RUN_TIMEOUT_S, &run);
  if (rc != 0) {
    fprintf(stderr, "bench: wire: cannot start %s: %s\n", PYTHON,
            strerror(-rc));
    return -1;
  }
  rc = run.exit_code == 0 && strcmp(run.out, "ok\n") == 0 ? 0 : -1;
  if (rc != 0) {
    char what[128];
    snprintf(what, sizeof(what), "wire: %s: a grpcio call went wrong",
             server_names[s]);
    pg_bench_run_report(what, argv, &run);
  }
  pg_bench_run_deinit(&run);
  return rc;
}

/* Starts server s and checks one call; false (and why) if it is left out. */
static bool start_server(wire *w, int s) {
  const pg_bench_config *cfg = w->cfg;
  char manifest[PATH_MAX], log[PATH_MAX];
  const char *why = missing(w, s);
  if (why != NULL) {
    printf("%s: %s\n", server_names[s], why);
    return false;
  }
  char *argv[6] = {NULL};
  if (s == PARIGOT) {
    if (write_unit_manifest(w, manifest, sizeof(manifest)) != 0)
      return false;
    char *a[] = {
        (char *)cfg->parigot_path, "run", manifest, "--unit", "back", NULL};
    memcpy(argv, a, sizeof(a));
  } else if (s == CPP) {
    char *a[] = {(char *)w->cpp, "0", NULL};
    memcpy(argv, a, sizeof(a));
  } else {
    char *a[] = {(char *)cfg->node_path, w->mjs, "0", w->proto_dir, NULL};
    memcpy(argv, a, sizeof(a));
  }
  static const char *const logs[N_SERVERS] = {"parigot", "grpc-cpp", "grpc-js"};
  snprintf(log, sizeof(log), "%s/%s%s.log", w->dir,
           cfg->is_quick ? "quick-" : "", logs[s]);
  if (pg_bench_server_start(&w->servers[s], argv, log, server_ready[s],
                            START_TIMEOUT_S) != 0) {
    printf("%s: did not start; left out\n", server_names[s]);
    w->has_failed |= s == PARIGOT;
    return false;
  }
  if (w->has_python && check_by_hand(w, s) != 0) {
    printf("%s: answered a grpcio call wrongly; left out\n", server_names[s]);
    w->has_failed |= s == PARIGOT;
    pg_bench_server_stop(&w->servers[s]);
    return false;
  }
  return true;
}

/* ---- h2load ------------------------------------------------------------- */

typedef struct h2load_result {
  double rps, mean_us, p50_us, p99_us;
} h2load_result;

/* The number after @p label on the line that holds it, or -1. */
static long number_after(const char *out, const char *label) {
  const char *at = strstr(out, label);
  return at != NULL ? strtol(at + strlen(label), NULL, 10) : -1;
}

/* Reads h2load's report: req/s, and whether all n requests succeeded
 * with one answer's DATA each. Returns NULL or what is wrong. */
static const char *read_report(const char *out, long n, double *rps) {
  long total, started, done, ok, failed, errored, timeout;
  const char *line = strstr(out, "\nrequests: ");
  if (line == NULL ||
      sscanf(line,
             "\nrequests: %ld total, %ld started, %ld done, %ld succeeded, "
             "%ld failed, %ld errored, %ld timeout",
             &total, &started, &done, &ok, &failed, &errored, &timeout) != 7)
    return "no \"requests:\" line";
  if (total != n || done != n || ok != n || failed + errored + timeout != 0)
    return "not every request succeeded";
  if (number_after(out, "\nstatus codes: ") != n)
    return "not every status was 2xx";
  const char *traffic = strstr(out, "\ntraffic: ");
  const char *data = traffic != NULL ? strstr(traffic, ") data") : NULL;
  const char *open = data;
  while (open != NULL && open > traffic && *open != '(')
    open--;
  if (open == NULL || open == traffic)
    return "no \"traffic:\" line";
  if (strtol(open + 1, NULL, 10) != n * RESPONSE_FRAME)
    return "DATA received is not one 10-byte EchoResponse per request "
           "(an error answers with trailers alone)";
  const char *fin = strstr(out, "\nfinished in ");
  fin = fin != NULL ? strstr(fin, ", ") : NULL;
  if (fin == NULL || sscanf(fin, ", %lf req/s", rps) != 1)
    return "no \"finished in\" line";
  return NULL;
}

static int compare_longs(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

/* Reads h2load's --log-file (start, status, microseconds per request):
 * n lines, all status 200; their mean, p50 and p99. Returns NULL or
 * what is wrong. */
static const char *read_latencies(const char *path, long n,
                                  h2load_result *res) {
  FILE *f = fopen(path, "r");
  long *us = malloc((size_t)n * sizeof(*us));
  const char *why = f == NULL || us == NULL ? "cannot read its log" : NULL;
  long count = 0, start, v;
  int status;
  double sum = 0;
  while (why == NULL && fscanf(f, "%ld %d %ld", &start, &status, &v) == 3) {
    if (status != 200)
      why = "a request's status in the log is not 200";
    else if (count == n)
      why = "more lines in the log than requests";
    else
      sum += (double)(us[count++] = v);
  }
  if (why == NULL && count != n)
    why = "fewer lines in the log than requests";
  if (why == NULL) {
    qsort(us, (size_t)n, sizeof(*us), compare_longs);
    res->mean_us = sum / (double)n;
    res->p50_us = (double)us[n / 2];
    res->p99_us = (double)us[n * 99 / 100];
  }
  if (f != NULL)
    fclose(f);
  free(us);
  return why;
}

/* One h2load run of n requests against server s; checked. Returns 0,
 * or -1 with what went wrong on stderr. */
static int run_h2load(wire *w, int s, int load, long n, h2load_result *res) {
  char count[32], url[64], log_opt[PATH_MAX + 16];
  snprintf(count, sizeof(count), "%ld", n);
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/apptest.v1.Echo/Say",
           w->servers[s].port);
  snprintf(log_opt, sizeof(log_opt), "--log-file=%s", w->h2_log);
  char *argv[] = {(char *)w->h2load,
                  "-n",
                  count,
                  "-c",
                  (char *)load_streams[load],
                  "-m",
                  (char *)load_streams[load],
                  "-t",
                  "1",
                  "-H",
                  "content-type: application/grpc",
                  "-H",
                  "te: trailers",
                  "-d",
                  w->body_path,
                  log_opt,
                  url,
                  NULL};
  pg_bench_run run;
  unlink(w->h2_log); /* h2load appends to it */
  int rc = pg_bench_spawn(argv, RUN_TIMEOUT_S, &run);
  if (rc != 0) {
    fprintf(stderr, "bench: wire: cannot start %s: %s\n", w->h2load,
            strerror(-rc));
    return -1;
  }
  const char *why = run.exit_code != 0 || run.is_timed_out
                        ? "h2load failed"
                        : read_report(run.out, n, &res->rps);
  if (why == NULL)
    why = read_latencies(w->h2_log, n, res);
  if (why != NULL) {
    char what[256];
    snprintf(what, sizeof(what), "wire: %s, %s: %s", server_names[s],
             load_names[load], why);
    pg_bench_run_report(what, argv, &run);
  }
  pg_bench_run_deinit(&run);
  return why == NULL ? 0 : -1;
}

/* A server that fails a run is left out from then on; parigot's failure
 * fails the suite. */
static void drop(wire *w, int s) {
  printf("%s: an h2load run failed its checks (see above); left out\n",
         server_names[s]);
  w->has_failed |= s == PARIGOT;
  pg_bench_server_stop(&w->servers[s]);
  w->is_up[s] = false;
}

/* The number of requests that take about TARGET_S at @p rps. */
static long sized(double rps) {
  long n = (long)(rps * TARGET_S) / 1000 * 1000;
  return n < MIN_REQUESTS ? MIN_REQUESTS : n > MAX_REQUESTS ? MAX_REQUESTS : n;
}

/* One run of server s, its figures kept; the next run is sized by this
 * one, so a server that warms up slowly (node's JIT) still gets runs of
 * about TARGET_S. A warm-up run's figures are not kept. */
static void run_once(wire *w, int s, int load, bool is_timed, figures *fig) {
  h2load_result res;
  long n = w->next_n[s][load];
  if (n == 0)
    n = w->cfg->is_quick ? QUICK_REQUESTS : warm_requests[load];
  if (run_h2load(w, s, load, n, &res) != 0) {
    drop(w, s);
    return;
  }
  w->next_n[s][load] = w->cfg->is_quick ? n : sized(res.rps);
  if (!is_timed)
    return;
  fig->requests[s][load] = n;
  keep_max(&fig->rps[s][load], res.rps);
  keep_min(&fig->mean_us[s][load], res.mean_us);
  keep_min(&fig->p50_us[s][load], res.p50_us);
  keep_min(&fig->p99_us[s][load], res.p99_us);
}

static void measure_unary(wire *w, figures *fig) {
  for (int s = 0; s < N_SERVERS; s++)
    for (int l = 0; l < N_LOADS; l++)
      for (int i = 0; i < (w->cfg->is_quick ? 0 : 2) && w->is_up[s]; i++)
        run_once(w, s, l, false, fig);
  for (int r = 0; r < w->cfg->runs; r++)
    for (int l = 0; l < N_LOADS; l++)
      for (int s = 0; s < N_SERVERS; s++)
        if (w->is_up[s])
          run_once(w, s, l, true, fig);
}

/* ---- the chain ---------------------------------------------------------- */

static int write_chain_manifest(const wire *w, long calls, char *path,
                                size_t cap) {
  char text[3 * PATH_MAX + 1024];
  int mid = free_port(), back = free_port();
  if (mid < 0 || back < 0) {
    perror("bench: wire: a free port");
    return -1;
  }
  snprintf(path, cap, "%s/%schain.toml", w->dir,
           w->cfg->is_quick ? "quick-" : "");
  int n = snprintf(
      text, sizeof(text),
      "# Written by pg-bench wire (bench/suite_wire.c): the chain client ->\n"
      "# Relay -> Echo; `parigot run` runs it as one process, `parigot up`\n"
      "# as its three units.\n"
      "[app]\nname = \"bench-wire-chain\"\n\n"
      "[[service]]\nname = \"echo\"\nwasm = \"%s/echo.wasm\"\n\n"
      "[[service]]\nname = \"relay\"\nwasm = \"%s/relay.wasm\"\n\n"
      "[[program]]\nname = \"client\"\nwasm = \"%s/bench-wire-chain.wasm\"\n"
      "env = { CHAIN_CALLS = \"%ld\", CHAIN_WARMUP = \"%ld\" }\n\n"
      "[[unit]]\nname = \"front\"\nservices = [\"client\"]\n\n"
      "[[unit]]\nname = \"mid\"\nservices = [\"relay\"]\n"
      "listen = \"127.0.0.1:%d\"\n\n"
      "[[unit]]\nname = \"back\"\nservices = [\"echo\"]\n"
      "listen = \"127.0.0.1:%d\"\n",
      w->app_dir, w->app_dir, w->dir, calls, calls / 10, mid, back);
  return write_text(path, text, n, sizeof(text));
}

/* One run of the chain, as one process or as units: its figures. */
static int run_chain(const wire *w, int how, figures *fig) {
  char path[PATH_MAX], expect[64];
  if (write_chain_manifest(w, fig->chain_calls, path, sizeof(path)) != 0)
    return -1;
  char *argv[] = {(char *)w->cfg->parigot_path, how == ONE ? "run" : "up", path,
                  NULL};
  pg_bench_run run;
  int rc = pg_bench_spawn(argv, RUN_TIMEOUT_S, &run);
  if (rc != 0) {
    fprintf(stderr, "bench: wire: cannot start %s: %s\n", argv[0],
            strerror(-rc));
    return -1;
  }
  snprintf(expect, sizeof(expect), "chain calls %ld\n", fig->chain_calls);
  double p50, p99, mean;
  rc = run.exit_code == 0 && !run.is_timed_out &&
               strncmp(run.out, expect, strlen(expect)) == 0 &&
               sscanf(run.out + strlen(expect),
                      "chain p50_ns %lf p99_ns %lf mean_ns %lf", &p50, &p99,
                      &mean) == 3
           ? 0
           : -1;
  if (rc == 0) {
    keep_min(&fig->chain_p50_us[how], p50 / 1e3);
    keep_min(&fig->chain_p99_us[how], p99 / 1e3);
    keep_min(&fig->chain_mean_us[how], mean / 1e3);
  } else {
    pg_bench_run_report("wire: the chain failed", argv, &run);
  }
  pg_bench_run_deinit(&run);
  return rc;
}

static int measure_chain(const wire *w, figures *fig) {
  char wasm[PATH_MAX];
  const char *why = missing(w, PARIGOT);
  snprintf(wasm, sizeof(wasm), "%s/bench-wire-chain.wasm", w->dir);
  if (why == NULL && !exists(wasm))
    why = "its program is not built (bench-wire-chain.wasm)";
  snprintf(wasm, sizeof(wasm), "%s/relay.wasm", w->app_dir);
  if (why == NULL && !exists(wasm))
    why = "the Relay guest is not built (tests/app)";
  if (why != NULL) {
    printf("the chain: %s\n", why);
    return 0;
  }
  fig->chain_calls = w->cfg->is_quick ? QUICK_CHAIN_CALLS : CHAIN_CALLS;
  for (int r = 0; r < w->cfg->runs; r++)
    for (int how = 0; how < N_CHAINS; how++)
      if (run_chain(w, how, fig) != 0)
        return -1;
  return 0;
}

/* ---- the table and the records ------------------------------------------ */

static void print_num(double v, int width, int decimals) {
  if (isnan(v))
    printf(" %*s", width, "-");
  else
    printf(" %*.*f", width, decimals, v);
}

static const char *verdict(double v, double limit) {
  return isnan(v) ? "not measured" : v >= limit ? "met" : "NOT met";
}

/* Prints "LABEL 1.23x met" (or "LABEL - not measured"). */
static void print_goal_ratio(const char *label, double v, double limit) {
  if (isnan(v))
    printf("%s - %s", label, verdict(v, limit));
  else
    printf("%s %.2fx %s", label, v, verdict(v, limit));
}

/* Prints " 1.23x" in width + 1 columns, or "-" there. */
static void print_ratio(double v, int width) {
  if (isnan(v))
    printf(" %*s", width + 1, "-");
  else
    printf(" %*.2fx", width, v);
}

static void print_ratio_row(const figures *fig, int peer) {
  printf("%-9s", peer == CPP ? "p/c++" : "p/js");
  for (int l = 0; l < N_LOADS; l++) {
    double rps = fig->rps[PARIGOT][l] / fig->rps[peer][l];
    print_ratio(rps, 8);
    for (int k = 0; k < 3; k++) {
      double us = k == 0   ? fig->mean_us[PARIGOT][l] / fig->mean_us[peer][l]
                  : k == 1 ? fig->p50_us[PARIGOT][l] / fig->p50_us[peer][l]
                           : fig->p99_us[PARIGOT][l] / fig->p99_us[peer][l];
      print_ratio(us, 6);
    }
    printf("%s", l == 0 ? " |" : "\n");
  }
}

static void print_unary(const wire *w, const figures *fig) {
  printf("%-9s %9s %7s %7s %7s | %9s %7s %7s %7s\n", "", "1x1 req/s", "mean us",
         "p50 us", "p99 us", "10x10 r/s", "mean us", "p50 us", "p99 us");
  for (int s = 0; s < N_SERVERS; s++) {
    printf("%-9s", server_names[s]);
    for (int l = 0; l < N_LOADS; l++) {
      print_num(fig->rps[s][l], 9, 0);
      print_num(fig->mean_us[s][l], 7, 0);
      print_num(fig->p50_us[s][l], 7, 0);
      print_num(fig->p99_us[s][l], 7, 0);
      printf("%s", l == 0 ? " |" : "\n");
    }
  }
  print_ratio_row(fig, CPP);
  print_ratio_row(fig, JS);
  printf("(h2load -t 1 on this machine, unary apptest.v1.Echo/Say, 15-byte "
         "request; 1x1: 1 client, 1 stream; 10x10: 10 clients\n"
         " x 10 streams; best of %d run%s, each sized to about %.1f s "
         "(requests in the last: parigot %ld / %ld, c++ %ld / %ld,\n"
         " js %ld / %ld); latency: h2load's log, per request; p/c++, p/js: "
         "parigot's figure over the peer's)\n",
         w->cfg->runs, w->cfg->runs == 1 ? "" : "s", TARGET_S,
         fig->requests[PARIGOT][SERIAL], fig->requests[PARIGOT][CONC],
         fig->requests[CPP][SERIAL], fig->requests[CPP][CONC],
         fig->requests[JS][SERIAL], fig->requests[JS][CONC]);
  printf("(for orientation, the issue's 2-core machine: gRPC C++ 1.51 about "
         "6,000 req/s at 1x1 (mean 160 us), 50,000 at 10x10;\n"
         " Python grpcio 2,200 and 3,800)\n");
  static const char *const texts[] = {THROUGHPUT_GOAL_TEXT, JS_GOAL_TEXT};
  static const double limits[] = {THROUGHPUT_GOAL, JS_GOAL};
  for (int g = 0; g < 2; g++) {
    int peer = g == 0 ? CPP : JS;
    printf("goal: %s:", texts[g]);
    print_goal_ratio(" 1x1", fig->rps[PARIGOT][SERIAL] / fig->rps[peer][SERIAL],
                     limits[g]);
    print_goal_ratio(", 10x10", fig->rps[PARIGOT][CONC] / fig->rps[peer][CONC],
                     limits[g]);
    printf("\n");
  }
  double p = fig->p50_us[PARIGOT][SERIAL], c = fig->p50_us[CPP][SERIAL];
  printf("goal: %s:", LATENCY_GOAL_TEXT);
  if (isnan(p) || isnan(c))
    printf(" - not measured\n");
  else
    printf(" %.0f us vs %.0f us: %s\n", p, c, p < c ? "met" : "NOT met");
}

static void print_chain(const wire *w, const figures *fig) {
  printf("\nthe chain client -> Relay -> Echo: %ld Relay.Forward calls in a "
         "row (each makes an Echo.Say call), timed by\n"
         "the client; one process: parigot run, three units: parigot up "
         "(client | Relay | Echo, HTTP/2 between them)\n",
         fig->chain_calls);
  printf("%-12s %9s %9s %9s\n", "us/call", "p50", "p99", "mean");
  for (int c = 0; c < N_CHAINS; c++) {
    printf("%-12s", chain_names[c]);
    print_num(fig->chain_p50_us[c], 9, 3);
    print_num(fig->chain_p99_us[c], 9, 3);
    print_num(fig->chain_mean_us[c], 9, 3);
    printf("\n");
  }
  printf("(best of %d run%s each)\n", w->cfg->runs,
         w->cfg->runs == 1 ? "" : "s");
  printf("goal: %s:", CHAIN_GOAL_TEXT);
  print_goal_ratio("", fig->chain_p50_us[UNITS] / fig->chain_p50_us[ONE],
                   CHAIN_GOAL);
  printf("\n");
}

static int write_records(FILE *f, const figures *fig) {
  static const char *const kinds[] = {"rps", "p50", "p99"};
  static const char *const units[] = {"req/s", "us p50", "us p99"};
  char name[64];
  int rc = 0;
  for (int l = 0; l < N_LOADS; l++)
    for (int k = 0; k < 3; k++) {
      const double(*v)[N_LOADS] = k == 0   ? fig->rps
                                  : k == 1 ? fig->p50_us
                                           : fig->p99_us;
      pg_bench_peer peers[] = {{"grpc++", v[CPP][l]}, {"grpc-js", v[JS][l]}};
      snprintf(name, sizeof(name), "wire.unary.%s.%s", load_names[l], kinds[k]);
      const char *goal = k == 0                  ? RPS_GOAL_TEXT
                         : k == 1 && l == SERIAL ? LATENCY_GOAL_TEXT
                                                 : NULL;
      pg_bench_record rec = {name, v[PARIGOT][l], units[k], peers, 2, goal};
      rc |= pg_bench_record_write(f, &rec);
    }
  pg_bench_peer p50_peers[] = {{"three units", fig->chain_p50_us[UNITS]}};
  pg_bench_record p50 = {
      "wire.chain.p50", fig->chain_p50_us[ONE], "us/call p50", p50_peers, 1,
      CHAIN_GOAL_TEXT};
  rc |= pg_bench_record_write(f, &p50);
  pg_bench_peer p99_peers[] = {{"three units", fig->chain_p99_us[UNITS]}};
  pg_bench_record p99 = {"wire.chain.p99",
                         fig->chain_p99_us[ONE],
                         "us/call p99",
                         p99_peers,
                         1,
                         NULL};
  return rc | pg_bench_record_write(f, &p99);
}

/* Fills the paths; false if the command line is wrong. */
static bool wire_init(wire *w, const pg_bench_config *cfg) {
  *w = (wire){.cfg = cfg};
  if (cfg->n_stems != 4 || cfg->source_dir == NULL)
    return false;
  w->h2load = cfg->stems[0];
  w->cpp = cfg->stems[1];
  w->app_dir = cfg->stems[2];
  w->dir = cfg->stems[3];
  snprintf(w->mjs, sizeof(w->mjs), "%s/bench/peers/echo_server.mjs",
           cfg->source_dir);
  snprintf(w->proto_dir, sizeof(w->proto_dir), "%s/tests/app/proto",
           cfg->source_dir);
  snprintf(w->check_py, sizeof(w->check_py), "%s/bench/wire/grpc_check.py",
           cfg->source_dir);
  snprintf(w->body_path, sizeof(w->body_path), "%s/%secho-request.bin", w->dir,
           cfg->is_quick ? "quick-" : "");
  snprintf(w->h2_log, sizeof(w->h2_log), "%s/%sh2load.log", w->dir,
           cfg->is_quick ? "quick-" : "");
  return true;
}

/* Can grpcio be imported by Debian's python3? */
static bool has_grpcio(void) {
  char *argv[] = {PYTHON, "-c", "import grpc", NULL};
  pg_bench_run run;
  if (!pg_bench_is_executable(PYTHON) ||
      pg_bench_spawn(argv, RUN_TIMEOUT_S, &run) != 0)
    return false;
  bool ok = run.exit_code == 0;
  pg_bench_run_deinit(&run);
  return ok;
}

int pg_bench_wire_main(const pg_bench_config *cfg) {
  pg_bench_load load;
  figures fig;
  wire w;
  FILE *f;

  if (!wire_init(&w, cfg)) {
    fprintf(stderr, "usage: pg-bench wire [options] --source-dir DIR "
                    "H2LOAD GRPC_CPP APP_DIR WIRE_DIR\n");
    return 2;
  }
  figures_init(&fig);
  printf("\nwire: unary gRPC over HTTP/2 (h2load against a parigot unit, "
         "gRPC C++ and grpc-js), and a chain of calls\nin one process and "
         "as three units%s\n",
         cfg->is_quick ? " (quick: a smoke test, not a benchmark)" : "");
  if (!cfg->is_quick)
    pg_bench_warn_if_busy();
  if (cfg->cache_dir != NULL)
    setenv("PARIGOT_CACHE", cfg->cache_dir, 1);
  pg_bench_load_start(&load);
  if (write_file(w.body_path, request, sizeof(request)) != 0)
    return 1;
  w.has_h2load = pg_bench_is_executable(w.h2load);
  if (!w.has_h2load)
    printf("h2load: not found (Debian's nghttp2-client): no unary "
           "figures\n");
  w.has_python = has_grpcio();
  if (!w.has_python)
    printf("grpcio: %s cannot import grpc (Debian's python3-grpcio): "
           "answers checked by h2load's counts alone\n",
           PYTHON);
  for (int s = 0; s < N_SERVERS && w.has_h2load; s++)
    w.is_up[s] = start_server(&w, s);
  measure_unary(&w, &fig);
  for (int s = 0; s < N_SERVERS; s++)
    if (w.is_up[s] && pg_bench_server_stop(&w.servers[s]) != 0 && s == PARIGOT)
      printf("parigot: the unit did not stop cleanly on SIGTERM; see %s\n",
             w.servers[s].log_path);
  int rc = measure_chain(&w, &fig);
  print_unary(&w, &fig);
  print_chain(&w, &fig);
  if (!cfg->is_quick)
    pg_bench_load_report(&load);

  if ((f = fopen(cfg->out_path, "w")) == NULL) {
    perror(cfg->out_path);
    return 1;
  }
  rc |= write_records(f, &fig);
  return fclose(f) != 0 || rc != 0 || w.has_failed ? 1 : 0;
}
