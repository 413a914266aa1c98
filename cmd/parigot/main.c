/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/main.c: the parigot command: finds the subcommand and runs it.
 *
 * Owns nothing. Calls the pg_cmd_* functions. Main thread.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "parigot/version.h"

typedef struct subcommand {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} subcommand;

static const subcommand commands[] = {
    {"run", pg_cmd_run, "run an app: its services and programs, one process"},
    {"test", pg_cmd_test, "run an app's test programs and report each"},
    {"graph", pg_cmd_graph, "print an app's dependency graph (DOT or SVG)"},
    {"up", pg_cmd_up, "run each unit of an app as its own process"},
    {"build", pg_cmd_build, "make a unit one native executable"},
    {"exec", pg_cmd_exec, "run a WASI command module, as wasmtime run does"},
};

static void usage(FILE *f) {
  fprintf(f,
          "usage: parigot [--version] [--help] <command> [<args>]\n\n"
          "parigot runs microservices compiled to WebAssembly.\n\n"
          "commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\nRun 'parigot <command> --help' for a command's options.\n");
}

void pg_cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("parigot: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int main(int argc, char **argv) {
  /* A guest writing to a closed pipe gets EPIPE, not a dead host. */
  signal(SIGPIPE, SIG_IGN);
  int bundle = pg_bundle_main(argc, argv); /* a unit parigot build made */
  if (bundle >= 0)
    return bundle;
  if (argc < 2) {
    usage(stderr);
    return PG_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
      strcmp(cmd, "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("parigot %s\n", PARIGOT_VERSION_STRING);
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(cmd, commands[i].name) == 0)
      return commands[i].run(argc - 1, argv + 1);
  pg_cli_error("unknown command '%s' (see 'parigot --help')", cmd);
  return PG_EXIT_USAGE;
}
