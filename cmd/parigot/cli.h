/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/cli.h: what the subcommands share.
 *
 * Each subcommand is a function taking its own arguments (argv[0] is the
 * subcommand's name) and returning the process exit status. Main thread.
 */
#ifndef PG_CLI_H
#define PG_CLI_H

/* Exit statuses shared by every subcommand, documented in --help. */
enum {
  PG_EXIT_USAGE = 2,     /* bad command line or bad module */
  PG_EXIT_TIMEOUT = 124, /* --timeout expired, as timeout(1) */
  PG_EXIT_TRAP = 134,    /* the guest trapped, as an abort would */
};

int pg_cmd_exec(int argc, char **argv);
int pg_cmd_run(int argc, char **argv);   /* run.c */
int pg_cmd_test(int argc, char **argv);  /* run.c */
int pg_cmd_graph(int argc, char **argv); /* run.c */
int pg_cmd_up(int argc, char **argv);    /* up.c */
int pg_cmd_build(int argc, char **argv); /* build.c */
/* `parigot run` with modules compiled ahead of time in @p prebuilt. */
int pg_cmd_run_prebuilt(int argc, char **argv, const char *prebuilt);
/* When this executable is a unit that `parigot build` made, runs it and
 * returns its exit status; else -1. */
int pg_bundle_main(int argc, char **argv);

/** @brief Prints "parigot: <message>" and a newline on stderr. */
void pg_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* PG_CLI_H */
