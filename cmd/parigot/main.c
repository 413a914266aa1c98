/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/main.c: the parigot command: finds the subcommand and runs
 * it; `parigot help` prints a subcommand's help or, with --man, its man
 * page (the build writes build/man/man1 with it).
 *
 * Owns the table of subcommands. Calls the pg_cli_* descriptions and their
 * run functions. Main thread.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "parigot/version.h"

/* Every subcommand, in the order --help lists them. A new one is one line
 * here (and its pg_cli_cmd in a file of its own). */
static const pg_cli_cmd *const commands[] = {
    &pg_cli_run,   &pg_cli_test, &pg_cli_graph, &pg_cli_up,
    &pg_cli_build, &pg_cli_exec, &pg_cli_new,   &pg_cli_user,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* parigot itself, for its usage and parigot(1). */
static const pg_cli_opt top_opts[] = {
    {0, "--version", NULL, "print parigot's version and exit"},
    {0, "--help, -h", NULL, "show the commands and exit"},
    {0, NULL, NULL, NULL},
};

static const pg_cli_cmd top = {
    .name = "parigot",
    .summary = "run microservices compiled to WebAssembly",
    .synopsis = "[--version] [--help] COMMAND [ARGS]",
    .description =
        "parigot runs microservices compiled to WebAssembly: each service "
        "or program of an app is a guest, compiled to native code on first "
        "use, and the app manifest (APP.toml) says which guests make up the "
        "app and how they are placed in units.\n\n"
        "'parigot help COMMAND' (or 'parigot COMMAND --help') shows a "
        "command's options; 'parigot help --man [COMMAND]' writes its man "
        "page in roff.",
    .exit_status = "that of the command; 2 for a bad command line.",
    .opts = top_opts,
};

static void usage(FILE *f) {
  fprintf(f, "usage: parigot %s\n\n", top.synopsis);
  pg_cli_paragraphs(f, "", top.description);
  fprintf(f, "\ncommands:\n");
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(f, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
  fprintf(f, "\noptions:\n");
  for (const pg_cli_opt *o = top_opts; o->name != NULL; o++)
    fprintf(f, "  %-18s %s\n", o->name, o->help);
  fprintf(f, "\nRun 'parigot <command> --help' for a command's options.\n");
}

static const pg_cli_cmd *find_command(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (strcmp(name, commands[i]->name) == 0)
      return commands[i];
  pg_cli_error("unknown command '%s' (see 'parigot --help')", name);
  return NULL;
}

/* parigot help [--man] [COMMAND] */
static int help(int argc, char **argv) {
  bool is_man = argc > 1 && strcmp(argv[1], "--man") == 0;
  int at = is_man ? 2 : 1;
  if (argc > at + 1) {
    pg_cli_error("help: expected [--man] [COMMAND], got %s", argv[at + 1]);
    return PG_EXIT_USAGE;
  }
  const pg_cli_cmd *cmd = NULL;
  if (argc == at + 1 && (cmd = find_command(argv[at])) == NULL)
    return PG_EXIT_USAGE;
  if (is_man)
    pg_cli_man(cmd ? cmd : &top, cmd ? NULL : commands, cmd ? 0 : NCOMMANDS,
               stdout);
  else if (cmd != NULL)
    pg_cli_help(cmd, stdout);
  else
    usage(stdout);
  return fflush(stdout) == 0 ? 0 : 1;
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
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
    return help(1, argv + 1);
  if (strcmp(cmd, "help") == 0)
    return help(argc - 1, argv + 1);
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("parigot %s\n", PARIGOT_VERSION_STRING);
    return 0;
  }
  const pg_cli_cmd *c = find_command(cmd);
  return c != NULL ? c->run(argc - 1, argv + 1) : PG_EXIT_USAGE;
}
