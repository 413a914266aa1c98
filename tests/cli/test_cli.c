/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/cli/test_cli.c: the parigot command line as a user meets it: each
 * command's --help and man page list every option its parser takes (and
 * the parser takes every option they list); the man pages the build wrote
 * are current and render without a warning; unknown options are refused
 * by name; options may follow the manifest.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "test_proc.h"

#define MAX_ITEMS 32

/* Names found in some text: commands or options. */
typedef struct names {
  char name[MAX_ITEMS][64];
  char value[MAX_ITEMS][64]; /* an option's value name, "" for a flag */
  int n;
} names;

static void add_name(names *s, const char *name, size_t len, const char *value,
                     size_t value_len) {
  ASSERT_TRUE(s->n < MAX_ITEMS && len < 64 && value_len < 64);
  snprintf(s->name[s->n], 64, "%.*s", (int)len, name);
  snprintf(s->value[s->n], 64, "%.*s", (int)value_len, value);
  s->n++;
}

static bool has_name(const names *s, const char *name) {
  for (int i = 0; i < s->n; i++)
    if (strcmp(s->name[i], name) == 0)
      return true;
  return false;
}

/* The commands `parigot --help` lists. */
static void commands(names *out) {
  pg_proc_result r;
  pg_proc_parigot(&r, "--help", NULL);
  ASSERT_EQ(r.status, 0);
  memset(out, 0, sizeof *out);
  const char *p = strstr(r.out, "\ncommands:\n");
  ASSERT_TRUE(p != NULL);
  for (p = strchr(p + 1, '\n') + 1; strncmp(p, "  ", 2) == 0;
       p = strchr(p, '\n') + 1) {
    p += 2;
    add_name(out, p, strcspn(p, " "), "", 0);
  }
  pg_proc_result_free(&r);
  ASSERT_TRUE(out->n >= 6);
}

/* The options `parigot CMD --help` lists, with their value names: each
 * line "  --name VALUE   description" of its options section (a long
 * name and value have the description on the next line). */
static void help_options(const char *cmd, names *out) {
  pg_proc_result r;
  pg_proc_parigot(&r, cmd, "--help", NULL);
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.err, "");
  memset(out, 0, sizeof *out);
  const char *p = strstr(r.out, "\noptions:\n");
  ASSERT_TRUE(p != NULL);
  for (p += strlen("\noptions:\n"); *p == ' '; p = strchr(p, '\n') + 1) {
    if (strncmp(p, "  -", 3) != 0)
      continue; /* a description's next line */
    size_t line = strcspn(p, "\n"), left = line < 21 ? line : 21;
    const char *name = p + 2;
    size_t n = strcspn(name, " ,\n");
    const char *value = name + n;
    while (*value == ' ' && value < p + left)
      value++;
    size_t vn = value < p + left && *value != ',' ? strcspn(value, " \n") : 0;
    add_name(out, name, n, value, vn);
  }
  pg_proc_result_free(&r);
  ASSERT_TRUE(has_name(out, "--help"));
}

/* Reads a whole file; the caller frees it. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    PG_FAIL("cannot open %s", path);
  char *buf = malloc(1 << 20);
  size_t n = fread(buf, 1, (1 << 20) - 1, f);
  fclose(f);
  buf[n] = '\0';
  return buf;
}

/* The options of a man page: the bold word after each .TP of its OPTIONS
 * section, its escapes undone. */
static void man_options(const char *page, names *out) {
  memset(out, 0, sizeof *out);
  const char *p = strstr(page, "\n.SH OPTIONS\n");
  ASSERT_TRUE(p != NULL);
  const char *end = strstr(p + 1, "\n.SH ");
  for (p = strstr(p, ".TP\n\\fB"); p != NULL && (end == NULL || p < end);
       p = strstr(p + 1, ".TP\n\\fB")) {
    char name[64];
    size_t n = 0;
    for (const char *q = p + strlen(".TP\n\\fB");
         n < 63 && strncmp(q, "\\fR", 3) != 0; q++) {
      if (strncmp(q, "\\-", 2) == 0)
        q++;
      name[n++] = *q;
    }
    name[n] = '\0';
    add_name(out, name, strcspn(name, ","), "", 0);
  }
}

static bool has_groff(void) {
  return access("/usr/bin/groff", X_OK) == 0;
}

/* groff's rendering of the page at @p path as plain text; its warnings
 * must be none. */
static char *render(const char *path) {
  char *argv[] = {"/usr/bin/groff", "-man",       "-ww", "-Tascii",
                  "-P-cbou",        (char *)path, NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.err, "");
  char *text = strdup(r.out);
  pg_proc_result_free(&r);
  return text;
}

/* What to give an option so that its parser accepts it. */
static const char *value_for(const char *value_name) {
  if (strchr(value_name, '=') != NULL)
    return "A=1";
  return strchr(value_name, '|') != NULL ? "dot" : "1";
}

/* `parigot CMD OPTION [VALUE] ARGS` with a manifest or module that is not
 * there: the option is taken, and the error is about the missing file. */
static void expect_accepted(const char *cmd, const char *opt,
                            const char *value_name) {
  const char *value = value_name[0] ? value_for(value_name) : NULL;
  const char *file = strcmp(cmd, "exec") == 0 ? "/nonexistent/x.wasm"
                                              : "/nonexistent/app.toml";
  pg_proc_result r;
  if (strcmp(cmd, "build") == 0)
    pg_proc_parigot(&r, cmd, opt, value ? value : "--unit", "--unit", "u", "-o",
                    "/nonexistent/out", file, NULL);
  else
    pg_proc_parigot(&r, cmd, opt, value ? value : file, file, NULL);
  if (strstr(r.err, "unknown option") || strstr(r.err, "needs a value") ||
      r.status != 2)
    PG_FAIL("parigot %s %s: status %d, %s", cmd, opt, r.status, r.err);
  pg_proc_result_free(&r);
}

/* The options the commands are known to take: --help and the man page
 * must list at least these (run's --real-clock was once missing). */
static const char *const known[][6] = {
    {"run", "--unit", "--deterministic", "--seed", "--real-clock", NULL},
    {"test", "--seed", NULL},
    {"graph", "--format", NULL},
    {"up", "--bin", NULL},
    {"build", "--unit", "-o", NULL},
    {"exec", "--deterministic", "--seed", "--max-memory", "--timeout", "--env"},
};

PG_TEST(cli_help_man_page_and_parser_agree_on_every_option) {
  names cmds;
  commands(&cmds);
  for (int c = 0; c < cmds.n; c++) {
    const char *cmd = cmds.name[c];
    names help, man;
    help_options(cmd, &help);
    char path[4096];
    snprintf(path, sizeof path, "%s/parigot-%s.1", PG_MAN_DIR, cmd);
    char *page = slurp(path);
    man_options(page, &man);
    ASSERT_EQ(man.n, help.n);
    for (int i = 0; i < help.n; i++) {
      if (!has_name(&man, help.name[i]))
        PG_FAIL("%s: %s is in --help, not in %s", cmd, help.name[i], path);
      if (strcmp(help.name[i], "--help") != 0)
        expect_accepted(cmd, help.name[i], help.value[i]);
    }
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
      for (int i = 1; strcmp(known[k][0], cmd) == 0 && i < 6 && known[k][i];
           i++)
        if (!has_name(&help, known[k][i]))
          PG_FAIL("parigot %s --help does not list %s", cmd, known[k][i]);
    if (has_groff()) {
      char *text = render(path);
      for (int i = 0; i < help.n; i++)
        ASSERT_CONTAINS(text, help.name[i]);
      free(text);
    }
    free(page);
  }
}

/* Every command has its page in the build's man folder, as current as
 * `parigot help --man CMD`; pg_proc_parigot(1) names every command. */
PG_TEST(cli_build_wrote_a_current_man_page_per_command) {
  names cmds;
  commands(&cmds);
  char *top = slurp(PG_MAN_DIR "/parigot.1");
  for (int c = 0; c < cmds.n; c++) {
    char path[4096], want[128];
    snprintf(path, sizeof path, "%s/parigot-%s.1", PG_MAN_DIR, cmds.name[c]);
    char *page = slurp(path);
    pg_proc_result r;
    pg_proc_parigot(&r, "help", "--man", cmds.name[c], NULL);
    ASSERT_EQ(r.status, 0);
    ASSERT_STREQ(page, r.out);
    snprintf(want, sizeof want, "\n.BR parigot\\-%s (1)", cmds.name[c]);
    ASSERT_CONTAINS(top, want);
    snprintf(want, sizeof want, ".SH NAME\nparigot\\-%s \\- ", cmds.name[c]);
    ASSERT_CONTAINS(page, want);
    ASSERT_CONTAINS(page, "\n.SH SYNOPSIS\n");
    ASSERT_CONTAINS(page, "\n.SH EXIT STATUS\n");
    pg_proc_result_free(&r);
    free(page);
  }
  pg_proc_result r;
  pg_proc_parigot(&r, "help", "--man", NULL);
  ASSERT_STREQ(top, r.out);
  pg_proc_result_free(&r);
  if (has_groff()) {
    char *text = render(PG_MAN_DIR "/parigot.1");
    ASSERT_CONTAINS(text, "parigot-run(1)");
    free(text);
  }
  free(top);
}

PG_TEST(cli_unknown_option_is_refused_by_name) {
  names cmds;
  commands(&cmds);
  for (int c = 0; c < cmds.n; c++) {
    pg_proc_result r;
    const char *cmd = cmds.name[c];
    pg_proc_parigot(&r, cmd, "--no-such-option", "x", NULL);
    char want[256];
    snprintf(want, sizeof want,
             "parigot: %s: unknown option --no-such-option (see 'parigot %s "
             "--help')\n",
             cmd, cmd);
    ASSERT_STREQ(r.err, want);
    ASSERT_STREQ(r.out, "");
    ASSERT_EQ(r.status, 2);
    pg_proc_result_free(&r);
  }
  pg_proc_result r;
  pg_proc_parigot(&r, "run", PG_APP_DIR "/det.toml", "--seed", NULL);
  ASSERT_STREQ(r.err, "parigot: run: option --seed needs a value, N (see "
                      "'parigot run --help')\n");
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "help", "nope", NULL);
  ASSERT_STREQ(r.err, "parigot: unknown command 'nope' (see 'parigot "
                      "--help')\n");
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&r);
}

/* ---- options after the manifest ----------------------------------------- */

/* Runs `parigot CMD MANIFEST OPTS...` into @p first, then `parigot CMD
 * OPTS... MANIFEST` (@p opts NULL-terminated): both must print the same
 * and exit 0. */
static void expect_same(const char *cmd, const char *manifest,
                        const char *const *opts, pg_proc_result *first) {
  char *after[16] = {(char *)pg_test_parigot(), (char *)cmd, (char *)manifest};
  char *before[16] = {(char *)pg_test_parigot(), (char *)cmd};
  int n = 0;
  for (; opts[n] != NULL && n < 12; n++) {
    after[3 + n] = (char *)opts[n];
    before[2 + n] = (char *)opts[n];
  }
  before[2 + n] = (char *)manifest;
  pg_proc_result second;
  pg_proc_run(after, NULL, NULL, first);
  pg_proc_run(before, NULL, NULL, &second);
  ASSERT_EQ(first->status, 0);
  ASSERT_EQ(second.status, 0);
  ASSERT_STREQ(first->out, second.out);
  ASSERT_STREQ(first->err, second.err);
  pg_proc_result_free(&second);
}

PG_TEST(cli_run_takes_options_after_the_manifest) {
  const char *m = PG_APP_DIR "/det.toml";
  const char *seed1[] = {"--deterministic", "--seed", "1", NULL};
  pg_proc_result a, b;
  expect_same("run", m, seed1, &a);
  /* The seed after the manifest was the one used: seed 2 differs. */
  const char *seed2[] = {"--seed", "2", NULL};
  expect_same("run", m, seed2, &b);
  ASSERT_CONTAINS(a.out, "release: -9\n");
  ASSERT_TRUE(strcmp(a.out, b.out) != 0);
  pg_proc_result_free(&a);
  pg_proc_result_free(&b);
}

PG_TEST(cli_test_takes_options_after_the_manifest) {
  const char *m = PG_APP_DIR "/det.toml";
  const char *seed1[] = {"--seed", "1", NULL};
  pg_proc_result a, zero;
  expect_same("test", m, seed1, &a);
  ASSERT_CONTAINS(a.out, "PASS mixed_test\n1 passed, 0 failed\n");
  pg_proc_parigot(&zero, "test", m, NULL);
  ASSERT_EQ(zero.status, 0);
  ASSERT_TRUE(strcmp(a.out, zero.out) != 0); /* seed 1 was used */
  pg_proc_result_free(&a);
  pg_proc_result_free(&zero);
}

PG_TEST(cli_graph_takes_options_after_the_manifest) {
  const char *m = PG_APP_DIR "/det.toml";
  const char *dot[] = {"--format", "dot", NULL};
  pg_proc_result a, bad;
  expect_same("graph", m, dot, &a);
  ASSERT_TRUE(strncmp(a.out, "digraph ", 8) == 0);
  ASSERT_CONTAINS(a.out, "\"relay\"");
  pg_proc_parigot(&bad, "graph", m, "--format", "png", NULL);
  ASSERT_STREQ(bad.err, "parigot: graph: --format png: expected dot or "
                        "svg\n");
  ASSERT_EQ(bad.status, 2);
  pg_proc_result_free(&a);
  pg_proc_result_free(&bad);
}

/* up takes --bin and --help anywhere; a missing DIR/NAME is named. The
 * units of an app run from --bin in tests/wire. */
PG_TEST(cli_up_takes_options_anywhere) {
  const char *m = PG_APP_DIR "/det.toml";
  pg_proc_result h1, h2, r;
  pg_proc_parigot(&h1, "up", m, "--help", NULL);
  pg_proc_parigot(&h2, "up", "--help", NULL);
  ASSERT_EQ(h1.status, 0);
  ASSERT_STREQ(h1.out, h2.out);
  ASSERT_CONTAINS(h1.out, "usage: parigot up [options] APP.toml\n");
  pg_proc_parigot(&r, "up", m, "--bin", NULL);
  ASSERT_CONTAINS(r.err, "option --bin needs a value, DIR");
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&r);
  pg_proc_parigot(&r, "up", m, m, NULL);
  ASSERT_CONTAINS(r.err, "up: expected one APP.toml, got ");
  ASSERT_EQ(r.status, 2);
  pg_proc_result_free(&h1);
  pg_proc_result_free(&h2);
  pg_proc_result_free(&r);
}
