/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/engine/test_engine.c: the wasm2c engine through its own API: the
 * module cache, interrupts, many instances on many threads, and memory
 * that is given back.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "parigot/error.h"
#include "rt.h"
#include "test.h"
#include "test_proc.h"

typedef struct fixture {
  char dir[64];
  pg_engine *engine;
} fixture;

/* An engine over a fresh, empty cache directory. */
static void setup(fixture *f) {
  snprintf(f->dir, sizeof f->dir, "/tmp/pg-engine-test-XXXXXX");
  ASSERT_TRUE(mkdtemp(f->dir) != NULL);
  pg_engine_config cfg = {.cache_dir = f->dir};
  char err[512];
  ASSERT_EQ(pg_engine_new(&f->engine, &cfg, pg_mem_default(), err, sizeof err),
            0);
}

static void teardown(fixture *f) {
  pg_engine_free(f->engine);
  DIR *d = opendir(f->dir);
  struct dirent *e;
  char path[512];
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", f->dir, e->d_name);
    unlink(path);
  }
  if (d)
    closedir(d);
  rmdir(f->dir);
}

/* The names of the files in the cache directory, sorted, space-separated. */
static int count_entries(const char *dir, const char *suffix) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;
  while (d && (e = readdir(d))) {
    size_t len = strlen(e->d_name), sl = strlen(suffix);
    if (e->d_name[0] != '.' && len >= sl &&
        strcmp(e->d_name + len - sl, suffix) == 0)
      n++;
  }
  if (d)
    closedir(d);
  return n;
}

static pg_module *load(fixture *f, const char *guest) {
  pg_module *m = NULL;
  int rc = pg_module_load(f->engine, pg_test_guest(guest), &m);
  if (rc)
    PG_FAIL("load %s: %s", guest, pg_engine_errmsg(f->engine));
  return m;
}

static const pg_instance_config quiet = {
    .wasi = {.stdio_fds = {-1, -1, -1}, .is_deterministic = true}};

static pg_run_result run_once(pg_module *m, const pg_instance_config *cfg) {
  pg_instance *inst;
  pg_run_result r;
  ASSERT_EQ(pg_instance_new(m, cfg, &inst), 0);
  ASSERT_EQ(pg_instance_run(inst, "_start", &r), 0);
  pg_instance_free(inst);
  return r;
}

static void entry_path(fixture *f, char *out, size_t len) {
  DIR *d = opendir(f->dir);
  struct dirent *e;
  out[0] = '\0';
  while ((e = readdir(d)))
    if (strstr(e->d_name, ".so"))
      snprintf(out, len, "%s/%s", f->dir, e->d_name);
  closedir(d);
  ASSERT_TRUE(out[0] != '\0');
}

PG_TEST(engine_second_load_is_a_cache_hit) {
  fixture f;
  setup(&f);
  pg_module *a = load(&f, "grow");
  ASSERT_TRUE(!pg_module_was_cached(a));
  pg_module *b = load(&f, "grow");
  ASSERT_TRUE(pg_module_was_cached(b));
  ASSERT_EQ(count_entries(f.dir, ".so"), 1);
  pg_run_result r = run_once(b, &quiet);
  ASSERT_EQ(r.code, PG_RT_EXIT);
  ASSERT_EQ(r.exit_code, 4096); /* 256 MiB, the default limit, in pages */
  pg_module_free(a);
  pg_module_free(b);
  teardown(&f);
}

static void damage_and_reload(void (*damage)(const char *path)) {
  fixture f;
  setup(&f);
  pg_module_free(load(&f, "grow"));
  char path[512];
  entry_path(&f, path, sizeof path);
  damage(path);
  pg_module *m = load(&f, "grow");
  ASSERT_TRUE(!pg_module_was_cached(m));
  ASSERT_TRUE(pg_module_was_repaired(m));
  ASSERT_EQ(run_once(m, &quiet).code, PG_RT_EXIT);
  pg_module_free(m);
  m = load(&f, "grow");
  ASSERT_TRUE(pg_module_was_cached(m)); /* the repaired entry is good */
  pg_module_free(m);
  teardown(&f);
}

static void flip_middle_byte(const char *path) {
  int fd = open(path, O_RDWR);
  struct stat st;
  ASSERT_TRUE(fd >= 0 && fstat(fd, &st) == 0);
  unsigned char b;
  ASSERT_EQ(pread(fd, &b, 1, st.st_size / 2), 1);
  b ^= 0x40;
  ASSERT_EQ(pwrite(fd, &b, 1, st.st_size / 2), 1);
  close(fd);
}

static void truncate_half(const char *path) {
  struct stat st;
  ASSERT_EQ(stat(path, &st), 0);
  ASSERT_EQ(truncate(path, st.st_size / 2), 0);
}

static void overwrite_with_text(const char *path) {
  FILE *f = fopen(path, "w");
  fputs("this is not a shared object\n", f);
  fclose(f);
}

PG_TEST(engine_rebuilds_cache_entry_with_a_flipped_byte) {
  damage_and_reload(flip_middle_byte);
}

PG_TEST(engine_rebuilds_truncated_cache_entry) {
  damage_and_reload(truncate_half);
}

PG_TEST(engine_rebuilds_cache_entry_replaced_by_garbage) {
  damage_and_reload(overwrite_with_text);
}

PG_TEST(engine_concurrent_compiles_leave_one_good_entry) {
  fixture f;
  setup(&f);
  enum { N = 4 };
  pid_t kids[N];
  for (int i = 0; i < N; i++) {
    if ((kids[i] = fork()) == 0) {
      pg_module *m = NULL;
      int rc = pg_module_load(f.engine, pg_test_guest("args_env"), &m);
      if (rc == 0 && run_once(m, &quiet).code != PG_RT_OK)
        rc = 1;
      _exit(rc ? 1 : 0);
    }
  }
  for (int i = 0; i < N; i++) {
    int st;
    ASSERT_EQ(waitpid(kids[i], &st, 0), kids[i]);
    ASSERT_TRUE(WIFEXITED(st));
    ASSERT_EQ(WEXITSTATUS(st), 0);
  }
  ASSERT_EQ(count_entries(f.dir, ".so"), 1);
  ASSERT_EQ(count_entries(f.dir, ""), 1); /* no work directories left */
  pg_module *m = load(&f, "args_env");
  ASSERT_TRUE(pg_module_was_cached(m));
  pg_module_free(m);
  teardown(&f);
}

typedef struct spinner {
  pg_instance *inst;
  pg_run_result result;
} spinner;

static void *spin_thread(void *arg) {
  spinner *s = arg;
  ASSERT_EQ(pg_instance_run(s->inst, "_start", &s->result), 0);
  return NULL;
}

PG_TEST(engine_interrupt_stops_a_loop_on_another_thread) {
  fixture f;
  setup(&f);
  pg_module *m = load(&f, "spin");
  spinner s = {0};
  ASSERT_EQ(pg_instance_new(m, &quiet, &s.inst), 0);
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, NULL, spin_thread, &s), 0);
  struct timespec d = {0, 100 * 1000 * 1000};
  nanosleep(&d, NULL);
  pg_instance_interrupt(s.inst);
  ASSERT_EQ(pthread_join(t, NULL), 0);
  ASSERT_EQ(s.result.code, PG_RT_INTERRUPTED);
  pg_run_result again;
  ASSERT_EQ(pg_instance_run(s.inst, "_start", &again), PARIGOT_EINVAL);
  pg_instance_free(s.inst);
  pg_module_free(m);
  teardown(&f);
}

typedef struct worker {
  pg_module *trap, *grow, *stack;
  int failures;
} worker;

/* Traps, memory limits and stack overflows, interleaved on one thread. */
static void *mixed_work(void *arg) {
  worker *w = arg;
  pg_instance_config cfg = quiet;
  cfg.max_memory_bytes = 2u << 20;
  for (int i = 0; i < 30; i++) {
    pg_run_result a = run_once(w->trap, &quiet);
    pg_run_result b = run_once(w->grow, &cfg);
    pg_run_result c = run_once(w->stack, &quiet);
    if (a.code != WASM_RT_TRAP_DIV_BY_ZERO || b.code != PG_RT_EXIT ||
        b.exit_code != 32 || c.code != WASM_RT_TRAP_EXHAUSTION)
      w->failures++;
  }
  return NULL;
}

PG_TEST(engine_runs_trapping_guests_on_many_threads) {
  fixture f;
  setup(&f);
  enum { N = 4 };
  worker w[N];
  pthread_t t[N];
  pg_module *trap = load(&f, "trap_div_zero"), *grow = load(&f, "grow"),
            *stack = load(&f, "trap_stack");
  for (int i = 0; i < N; i++) {
    w[i] = (worker){trap, grow, stack, 0};
    ASSERT_EQ(pthread_create(&t[i], NULL, mixed_work, &w[i]), 0);
  }
  for (int i = 0; i < N; i++) {
    ASSERT_EQ(pthread_join(t[i], NULL), 0);
    ASSERT_EQ(w[i].failures, 0);
  }
  pg_module_free(trap);
  pg_module_free(grow);
  pg_module_free(stack);
  teardown(&f);
}

PG_TEST(engine_gives_back_memory_of_freed_instances) {
  fixture f;
  setup(&f);
  pg_module *m = load(&f, "grow");
  pg_instance_config cfg = quiet;
  cfg.max_memory_bytes = 1u << 20;
  /* Each memory reserves 8 GiB of address space; 20,000 of them would not
   * fit in a 47-bit address space if any were leaked. */
  for (int i = 0; i < 20000; i++) {
    pg_run_result r = run_once(m, &cfg);
    if (r.code != PG_RT_EXIT || r.exit_code != 16)
      PG_FAIL("run %d ended with %d/%u", i, r.code, r.exit_code);
  }
  pg_module_free(m);
  teardown(&f);
}

PG_TEST(engine_instance_without_run_frees_cleanly) {
  fixture f;
  setup(&f);
  pg_module *m = load(&f, "grow");
  pg_instance *inst;
  ASSERT_EQ(pg_instance_new(m, &quiet, &inst), 0);
  pg_instance_free(inst);
  pg_module_free(m);
  teardown(&f);
}

PG_TEST(engine_refuses_environment_entry_without_equals) {
  fixture f;
  setup(&f);
  pg_module *m = load(&f, "grow");
  const char *env[] = {"NOEQUALS"};
  pg_instance_config cfg = quiet;
  cfg.wasi.envc = 1;
  cfg.wasi.env = env;
  pg_instance *inst = NULL;
  ASSERT_EQ(pg_instance_new(m, &cfg, &inst), PARIGOT_EINVAL);
  ASSERT_TRUE(inst == NULL);
  pg_module_free(m);
  teardown(&f);
}

/* ---- host modules the engine's creator injects ---- */

/* The guest parigot_import_in_exec imports parigot.log and traps unless it
 * returns -8. Defined here, it is the host function of the module below,
 * which these tests give the engine in place of the kernel's. */
uint32_t Z_parigotZ_log(void *instance, uint32_t a, uint32_t b, uint32_t c);
uint32_t Z_parigotZ_log(void *instance, uint32_t a, uint32_t b, uint32_t c) {
  (void)instance, (void)a, (void)b, (void)c;
  return (uint32_t)-8;
}

static const pg_host_func test_log_func[] = {{"log", "iii:i"}};
static const pg_host_module test_modules[] = {{"parigot", test_log_func, 1}};

static pg_engine *engine_with(const char *dir, const pg_host_module *mods,
                              size_t nmods) {
  pg_engine_config cfg = {
      .cache_dir = dir, .host_modules = mods, .nhost_modules = nmods};
  pg_engine *e = NULL;
  char err[512];
  ASSERT_EQ(pg_engine_new(&e, &cfg, pg_mem_default(), err, sizeof err), 0);
  return e;
}

PG_TEST(engine_runs_imports_of_an_injected_host_module) {
  fixture f;
  setup(&f);
  pg_engine *e = engine_with(f.dir, test_modules, 1);
  pg_module *m = NULL;
  ASSERT_EQ(pg_module_load(e, pg_test_guest("parigot_import_in_exec"), &m), 0);
  pg_run_result r = run_once(m, &quiet);
  ASSERT_EQ(r.code, PG_RT_OK); /* it got -8 from the function above */
  pg_module_free(m);
  pg_engine_free(e);
  teardown(&f);
}

PG_TEST(engine_without_host_modules_refuses_their_imports) {
  fixture f;
  setup(&f); /* f.engine has WASI alone */
  pg_module *m = NULL;
  const char *path = pg_test_guest("parigot_import_in_exec");
  ASSERT_EQ(pg_module_load(f.engine, path, &m), PARIGOT_EIMPORT);
  ASSERT_TRUE(m == NULL);
  ASSERT_CONTAINS(pg_engine_errmsg(f.engine), path);
  ASSERT_CONTAINS(pg_engine_errmsg(f.engine),
                  "import parigot.log (function) is not provided by the host");
  teardown(&f);
}

PG_TEST(engine_checks_injected_signatures) {
  static const pg_host_func other_sig[] = {{"log", "ii:i"}};
  static const pg_host_module mods[] = {{"parigot", other_sig, 1}};
  fixture f;
  setup(&f);
  pg_engine *e = engine_with(f.dir, mods, 1);
  pg_module *m = NULL;
  ASSERT_EQ(pg_module_load(e, pg_test_guest("parigot_import_in_exec"), &m),
            PARIGOT_EIMPORT);
  ASSERT_CONTAINS(pg_engine_errmsg(e), "import parigot.log has signature "
                                       "iii:i but the host provides ii:i");
  pg_engine_free(e);
  teardown(&f);
}

/* The cache key does not depend on the host's modules: an engine that
 * lacks one still refuses a module another engine compiled with it. */
PG_TEST(engine_checks_imports_of_cached_modules) {
  fixture f;
  setup(&f);
  pg_engine *e = engine_with(f.dir, test_modules, 1);
  const char *path = pg_test_guest("parigot_import_in_exec");
  pg_module *m = NULL;
  ASSERT_EQ(pg_module_load(e, path, &m), 0);
  pg_module_free(m);
  pg_engine_free(e);
  ASSERT_EQ(count_entries(f.dir, ".so"), 1);
  m = NULL;
  ASSERT_EQ(pg_module_load(f.engine, path, &m), PARIGOT_EIMPORT);
  ASSERT_TRUE(m == NULL);
  teardown(&f);
}
