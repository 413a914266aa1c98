/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/cli.h: what the subcommands share.
 *
 * Each subcommand is described by one pg_cli_cmd: its summary, synopsis,
 * description, exit status and its table of options. From that one table
 * come its parser (pg_cli_parse), its --help (pg_cli_help) and its man
 * page (pg_cli_man), so the three cannot disagree. A new subcommand is a
 * pg_cli_cmd in its own file, declared below and added to the commands
 * table of main.c (and to PG_CLI_COMMANDS in CMakeLists.txt, for its man
 * page). Each subcommand's run function takes its own arguments (argv[0]
 * is the subcommand's name) and returns the process exit status. Main
 * thread.
 */
#ifndef PG_CLI_H
#define PG_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses shared by every subcommand, documented in --help. */
enum {
  PG_EXIT_USAGE = 2,     /* bad command line or bad module */
  PG_EXIT_TIMEOUT = 124, /* --timeout expired, as timeout(1) */
  PG_EXIT_TRAP = 134,    /* the guest trapped, as an abort would */
};

/* One option of a subcommand. The table ends with an entry whose name is
 * NULL. --help (and -h) is every subcommand's, and not in the tables. */
typedef struct pg_cli_opt {
  int id;            /* the subcommand's own code for it */
  const char *name;  /* "--seed" or "-o" */
  const char *value; /* the value's name ("N"), or NULL for a flag */
  const char *help;  /* what it does: sentences, without line breaks */
} pg_cli_opt;

typedef struct pg_cli_cmd {
  const char *name;     /* "run" */
  const char *summary;  /* one line: no capital, no full stop */
  const char *synopsis; /* what follows "parigot run" in the usage line */
  /* Paragraphs, split by "\n\n", without other line breaks: the printers
   * fill them. The same for exit_status and environment (NULL: none). */
  const char *description;
  const char *exit_status;
  const char *environment;
  const pg_cli_opt *opts;
  /* Options end at the first operand: the rest is not ours (exec: the
   * guest's arguments). Otherwise options may come anywhere. */
  bool has_options_before_operand;
  int (*run)(int argc, char **argv);
} pg_cli_cmd;

extern const pg_cli_cmd pg_cli_run;   /* run.c */
extern const pg_cli_cmd pg_cli_test;  /* testcmd.c */
extern const pg_cli_cmd pg_cli_graph; /* run.c */
extern const pg_cli_cmd pg_cli_up;    /* up.c */
extern const pg_cli_cmd pg_cli_build; /* build.c */
extern const pg_cli_cmd pg_cli_exec;  /* exec.c */
extern const pg_cli_cmd pg_cli_new;   /* new.c */
extern const pg_cli_cmd pg_cli_user;  /* user.c */

/* Called by pg_cli_parse for each option, with its value (NULL for a
 * flag), and for each operand, with @p opt NULL. Returns 0 to go on, or -1
 * after printing an error. The value borrows argv. */
typedef int (*pg_cli_arg_cb)(void *ctx, const pg_cli_opt *opt,
                             const char *value);

/*
 * Parses @p argv (argv[0] is the subcommand's name) by @p cmd's table,
 * calling @p cb for each option and operand in order; "--" ends the
 * options. Returns 0, 1 when --help or -h was given (nothing else is
 * looked at after it), or -1 after printing an error that names the
 * option. *@p rest gets the index of the first argument not looked at:
 * argc, or, with has_options_before_operand, the one after the first
 * operand.
 */
int pg_cli_parse(const pg_cli_cmd *cmd, int argc, char **argv, pg_cli_arg_cb cb,
                 void *ctx, int *rest);

/* Writes @p cmd's --help to @p out. */
void pg_cli_help(const pg_cli_cmd *cmd, FILE *out);

/* Writes @p cmd's man page, parigot-NAME(1), in roff to @p out; with @p cmd
 * NULL, parigot(1), which lists the @p n commands of @p all. */
void pg_cli_man(const pg_cli_cmd *cmd, const pg_cli_cmd *const *all, size_t n,
                FILE *out);

/* Writes each paragraph of @p text (split by "\n\n") to @p out, filled to
 * 79 columns, with @p first before the first and a blank line between. */
void pg_cli_paragraphs(FILE *out, const char *first, const char *text);

/* `parigot run` with modules compiled ahead of time in @p prebuilt. */
int pg_cmd_run_prebuilt(int argc, char **argv, const char *prebuilt);
/* When this executable is a unit that `parigot build` made, runs it and
 * returns its exit status; else -1. */
int pg_bundle_main(int argc, char **argv);

/** @brief Prints "parigot: <message>" and a newline on stderr. */
void pg_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* PG_CLI_H */
