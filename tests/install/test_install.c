/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/install/test_install.c: parigot used from outside its tree. Each
 * test installs this build into a prefix of its own (cmake --install, what
 * `make install` runs), then works only from there: the pkg-config file
 * builds a guest by hand, `parigot new` writes an app in each language,
 * and the app's own `make run` and `make test` pass in a mount namespace
 * where the source tree and the build tree are hidden under empty
 * folders, so nothing of the checkout can be reached.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"
#include "test_ws.h"

#define SKIP_STATUS 77 /* CTest's SKIP_RETURN_CODE for these tests */

static bool exists(const pg_ws *w, const char *rel) {
  char path[512];
  pg_ws_path(w, rel, path, sizeof path);
  struct stat st;
  return stat(path, &st) == 0;
}

static void expect_ok(const pg_proc_result *r, const char *what) {
  if (r->status != 0)
    PG_FAIL("%s: status %d\nstdout:\n%s\nstderr:\n%s", what, r->status, r->out,
            r->err);
}

/* Installs this build under the workspace's folder @p prefix, keeping the
 * list of what was written as @p prefix.files. Every install rewrites the
 * build's one install_manifest.txt, and these tests run at once: a lock
 * keeps each install and its copy of the list together. */
static void install(const pg_ws *w, const char *prefix) {
  pg_proc_result r;
  pg_ws_sh(&r, w,
           "flock '%s/install-test.lock' sh -c 'cmake --install \"$0\" "
           "--prefix \"$1\" && cp \"$0/install_manifest.txt\" \"$1.files\"' "
           "'%s' \"$PWD/%s\" >install.log 2>&1",
           PG_BUILD_DIR, PG_BUILD_DIR, prefix);
  expect_ok(&r, "cmake --install");
  pg_proc_result_free(&r);
}

PG_TEST(install_puts_every_piece_under_the_prefix_and_uninstall_removes_them) {
  pg_ws w;
  pg_ws_init(&w, "install");
  install(&w, "p");
  static const char *const pieces[] = {
      "p/bin/parigot",
      "p/bin/protoc-gen-parigot",
      "p/bin/parigot-sqlc",
      "p/include/parigot/guest.h",
      "p/include/parigot/pb.h",
      "p/lib/parigot/wasm32-wasi/libparigot-guest.a",
      "p/lib/cmake/parigot/parigotConfig.cmake",
      "p/lib/cmake/parigot/parigotConfigVersion.cmake",
      "p/lib/cmake/parigot/ParigotGuest.cmake",
      "p/share/pkgconfig/parigot-guest.pc",
      "p/share/man/man1/parigot.1",
      "p/share/man/man1/parigot-run.1",
      "p/share/man/man1/parigot-new.1",
  };
  for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++)
    if (!exists(&w, pieces[i]))
      PG_FAIL("make install wrote no %s", pieces[i]);
  if (PG_HAS_RUST) {
    ASSERT_TRUE(exists(&w, "p/lib/parigot/rust/libparigot.rlib"));
    ASSERT_TRUE(exists(&w, "p/share/parigot/rust/src/lib.rs"));
  }
  if (PG_HAS_AS)
    ASSERT_TRUE(
        exists(&w, "p/share/parigot/assemblyscript/parigot/package.json"));

  /* The pkg-config file alone builds a guest that the installed parigot
   * runs: the C SDK library, its headers and the plugin are all there. */
  pg_proc_result r;
  pg_ws_write(&w, "svc.c",
              "#include <stdio.h>\n#include \"parigot/guest.h\"\n"
              "void parigot_guest_declare(void) {}\n"
              "void parigot_guest_start(void) {\n"
              "  printf(\"built with pkg-config\\n\");\n"
              "  parigot_exit(0);\n}\n");
  pg_ws_write(&w, "app.toml",
              "[app]\nname = \"pc\"\n[[program]]\nname = \"svc\"\n"
              "wasm = \"svc.wasm\"\n");
  pg_ws_sh(&r, &w,
           "export PKG_CONFIG_PATH=$PWD/p/share/pkgconfig && "
           "clang $(pkg-config --cflags parigot-guest) -O2 -o svc.wasm svc.c "
           "$(pkg-config --libs parigot-guest) && "
           "PARIGOT_CACHE=$PWD/cache p/bin/parigot run app.toml");
  expect_ok(&r, "a guest built with pkg-config");
  ASSERT_STREQ(r.out, "built with pkg-config\n");
  pg_proc_result_free(&r);

  /* DESTDIR: everything lands under it, as a package build wants. */
  pg_ws_sh(&r, &w,
           "DESTDIR=$PWD/stage flock '%s/install-test.lock' cmake --install "
           "'%s' --prefix /opt/pgtest >/dev/null && "
           "test -x stage/opt/pgtest/bin/parigot && test ! -e /opt/pgtest",
           PG_BUILD_DIR, PG_BUILD_DIR);
  expect_ok(&r, "DESTDIR install");
  pg_proc_result_free(&r);

  /* Uninstall removes every file and parigot's own folders, and leaves
   * the prefix's shared folders (bin, share) alone. */
  pg_ws_sh(&r, &w,
           "cmake -DPG_MANIFEST=$PWD/p.files -DPG_PREFIX=$PWD/p "
           "-P '%s/cmake/Uninstall.cmake' "
           ">/dev/null && find p -type f | wc -l && "
           "find p -path '*parigot*' | wc -l && test -d p/bin",
           getenv("PG_SOURCE"));
  expect_ok(&r, "uninstall");
  ASSERT_STREQ(r.out, "0\n0\n");
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

/* `parigot new --lang LANG`, then the app's `make run` and `make test`
 * with the checkout hidden; then a service that answers wrong makes its
 * test fail, so the generated test is a real one. */
static void new_app(const char *lang, bool has_toolchain) {
  if (!has_toolchain) {
    printf("skipped: this build has no %s toolchain\n", lang);
    exit(SKIP_STATUS);
  }
  pg_ws w;
  pg_ws_init(&w, "new");
  install(&w, "p");
  pg_proc_result r;
  pg_ws_sh(&r, &w, "p/bin/parigot new app --lang %s", lang);
  expect_ok(&r, "parigot new");
  ASSERT_CONTAINS(r.out, "wrote app");
  pg_proc_result_free(&r);

  /* The app's cache, and npm's offline mode: what an AssemblyScript app
   * needs comes from npm's cache (install-deps.sh filled it), never from
   * the network during a test. The checkout is hidden in a private mount
   * namespace (root, and not a chroot, whose root is no mount point: there
   * the app runs with the checkout in sight, and says so). */
  const char *hidden =
      "export PARIGOT_CACHE=$PWD/cache npm_config_offline=true && "
      "if unshare --mount --propagation private true 2>/dev/null; then "
      "unshare --mount --propagation private sh -ec '"
      "mount -t tmpfs none \"$0\"; "
      "if [ -d \"$1\" ]; then mount -t tmpfs none \"$1\"; fi; "
      "test ! -e \"$0/CMakeLists.txt\"; "
      "cd app && %s' '%s' '%s'; else "
      "echo 'test_install: no private mount namespace here: the checkout "
      "stays in sight' >&2; cd app && %s; fi";
  char cmd[2048];
  snprintf(cmd, sizeof cmd, hidden, "make run", getenv("PG_SOURCE"),
           PG_BUILD_DIR, "make run");
  pg_ws_sh(&r, &w, "%s", cmd);
  expect_ok(&r, "make run");
  ASSERT_CONTAINS(r.out, "Hello, world!\n");
  pg_proc_result_free(&r);

  snprintf(cmd, sizeof cmd, hidden, "make test", getenv("PG_SOURCE"),
           PG_BUILD_DIR, "make test");
  pg_ws_sh(&r, &w, "%s", cmd);
  expect_ok(&r, "make test");
  ASSERT_CONTAINS(r.out, "PASS hello_test\n1 passed, 0 failed\n");
  pg_proc_result_free(&r);

  /* "Hello, " becomes "Hi, " in the service, whatever its language. */
  pg_ws_sh(&r, &w,
           "sed -i 's/Hello, /Hi, /' app/greeter.* && "
           "cd app && PARIGOT_CACHE=$PWD/../cache make test");
  ASSERT_NE(r.status, 0);
  ASSERT_CONTAINS(r.out, "FAIL hello_test");
  ASSERT_CONTAINS(r.out, "0 passed, 1 failed\n");
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(new_c_app_runs_and_tests_with_the_checkout_hidden) {
  new_app("c", true);
}

PG_TEST(new_cpp_app_runs_and_tests_with_the_checkout_hidden) {
  new_app("cpp", true);
}

PG_TEST(new_rust_app_runs_and_tests_with_the_checkout_hidden) {
  new_app("rust", PG_HAS_RUST);
}

PG_TEST(new_assemblyscript_app_runs_and_tests_with_the_checkout_hidden) {
  new_app("assemblyscript", PG_HAS_AS);
}

PG_TEST(new_refuses_a_folder_in_use_a_bad_name_and_an_unknown_language) {
  pg_ws w;
  pg_ws_init(&w, "newbad");
  install(&w, "p");
  pg_proc_result r;
  pg_ws_sh(&r, &w,
           "mkdir used && echo keep > used/file && "
           "p/bin/parigot new used; echo rc=$?; cat used/file");
  ASSERT_CONTAINS(r.err, "used: exists and is not an empty folder");
  ASSERT_STREQ(r.out, "rc=2\nkeep\n");
  pg_proc_result_free(&r);
  /* "." names the app after the folder, which stays where it is. */
  pg_ws_sh(&r, &w,
           "mkdir dotapp && cd dotapp && ../p/bin/parigot new . "
           "--lang cpp >/dev/null && LC_ALL=C ls -A | tr '\\n' ' ' && "
           "grep -m1 '^name' app.toml");
  ASSERT_STREQ(r.out, ".gitignore CMakeLists.txt Makefile README.md app.toml "
                      "greeter.cpp hello.cpp hello_test.cpp proto "
                      "name = \"dotapp\"\n");
  pg_proc_result_free(&r);
  pg_ws_sh(&r, &w, "p/bin/parigot new 9lives; echo rc=$?; test ! -e 9lives");
  ASSERT_CONTAINS(r.err, "'9lives' is not a good app name");
  ASSERT_STREQ(r.out, "rc=2\n");
  pg_proc_result_free(&r);
  pg_ws_sh(&r, &w, "p/bin/parigot new MyApp; echo rc=$?; test ! -e MyApp");
  ASSERT_CONTAINS(r.err, "'MyApp' is not a good app name");
  ASSERT_STREQ(r.out, "rc=2\n");
  pg_proc_result_free(&r);
  pg_ws_sh(&r, &w,
           "p/bin/parigot new ok --lang cobol; echo rc=$?; test ! -e ok");
  ASSERT_CONTAINS(r.err, "--lang cobol: expected c, cpp, rust or");
  ASSERT_STREQ(r.out, "rc=2\n");
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}

PG_TEST(new_leaves_the_folder_as_it_was_when_a_write_fails) {
  pg_ws w;
  pg_ws_init(&w, "newfull");
  install(&w, "p");
  /* Files of at most 1 KiB (with SIGXFSZ ignored, a longer write fails
   * with EFBIG): the folders fit, the app's larger sources do not. */
  pg_proc_result r;
  pg_ws_sh(&r, &w,
           "mkdir empty && (trap '' XFSZ; ulimit -f 1; "
           "p/bin/parigot new empty; echo rc=$?; "
           "LC_ALL=C ls -A empty | wc -l; "
           "p/bin/parigot new made; echo rc=$?; test ! -e made)");
  ASSERT_CONTAINS(r.err, "new: cannot write empty: File too large");
  ASSERT_CONTAINS(r.err, "new: cannot write made: File too large");
  ASSERT_STREQ(r.out, "rc=2\n0\nrc=2\n");
  pg_proc_result_free(&r);
  pg_ws_cleanup(&w);
}
