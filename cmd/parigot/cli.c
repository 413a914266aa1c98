/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd/parigot/cli.c: a subcommand's command line, its --help and its man
 * page, all three from the one pg_cli_cmd that describes it (cli.h).
 *
 * Owns nothing: the tables are the subcommands' constants. Calls stdio
 * only. Main thread.
 */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

#include "parigot/version.h"

#define HELP_WIDTH 79 /* columns --help fills to */
#define OPT_COLUMN 21 /* where an option's description starts */

void pg_cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("parigot: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* ---- parsing ------------------------------------------------------------ */

static const pg_cli_opt *find_opt(const pg_cli_cmd *cmd, const char *name) {
  for (const pg_cli_opt *o = cmd->opts; o != NULL && o->name != NULL; o++)
    if (strcmp(o->name, name) == 0)
      return o;
  return NULL;
}

int pg_cli_parse(const pg_cli_cmd *cmd, int argc, char **argv, pg_cli_arg_cb cb,
                 void *ctx, int *rest) {
  bool has_options = true;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!has_options || a[0] != '-' || a[1] == '\0') { /* "-" is a name */
      if (cb(ctx, NULL, a) != 0)
        return -1;
      if (cmd->has_options_before_operand) {
        i++;
        break;
      }
      continue;
    }
    if (strcmp(a, "--") == 0) {
      has_options = false;
      continue;
    }
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
      return 1;
    const pg_cli_opt *o = find_opt(cmd, a);
    if (o == NULL) {
      pg_cli_error("%s: unknown option %s (see 'parigot %s --help')", cmd->name,
                   a, cmd->name);
      return -1;
    }
    if (o->value != NULL && i + 1 >= argc) {
      pg_cli_error("%s: option %s needs a value, %s (see 'parigot %s "
                   "--help')",
                   cmd->name, a, o->value, cmd->name);
      return -1;
    }
    if (cb(ctx, o, o->value != NULL ? argv[++i] : NULL) != 0)
      return -1;
  }
  *rest = i;
  return 0;
}

/* ---- --help ------------------------------------------------------------- */

/* Writes @p text to @p out filled to @p width columns, every line after
 * the first indented by @p indent spaces (the first is the caller's). */
static void fill(FILE *out, const char *text, int indent, int width) {
  int col = indent;
  const char *p = text;
  while (*p != '\0') {
    while (*p == ' ')
      p++;
    size_t n = strcspn(p, " ");
    if (n == 0)
      break;
    if (col > indent && col + 1 + (int)n > width) {
      fprintf(out, "\n%*s", indent, "");
      col = indent;
    } else if (col > indent) {
      fputc(' ', out);
      col++;
    }
    fwrite(p, 1, n, out);
    col += (int)n;
    p += n;
  }
  fputc('\n', out);
}

void pg_cli_paragraphs(FILE *out, const char *first, const char *text) {
  char buf[4096];
  bool is_first = true;
  while (*text != '\0') {
    const char *end = strstr(text, "\n\n");
    size_t n = end != NULL ? (size_t)(end - text) : strlen(text);
    snprintf(buf, sizeof buf, "%s%.*s", is_first ? first : "", (int)n, text);
    if (!is_first)
      fputc('\n', out);
    fill(out, buf, 0, HELP_WIDTH);
    text += n;
    while (*text == '\n')
      text++;
    is_first = false;
  }
}

static void help_option(FILE *out, const char *name, const char *value,
                        const char *help) {
  char left[128];
  snprintf(left, sizeof left, "  %s%s%s", name, value ? " " : "",
           value ? value : "");
  int n = (int)strlen(left);
  if (n + 2 > OPT_COLUMN)
    fprintf(out, "%s\n%*s", left, OPT_COLUMN, "");
  else
    fprintf(out, "%-*s", OPT_COLUMN, left);
  fill(out, help, OPT_COLUMN, HELP_WIDTH);
}

void pg_cli_help(const pg_cli_cmd *cmd, FILE *out) {
  fprintf(out, "usage: parigot %s %s\n\n", cmd->name, cmd->synopsis);
  pg_cli_paragraphs(out, "", cmd->description);
  fprintf(out, "\noptions:\n");
  for (const pg_cli_opt *o = cmd->opts; o != NULL && o->name != NULL; o++)
    help_option(out, o->name, o->value, o->help);
  help_option(out, "--help, -h", NULL, "show this help");
  if (cmd->environment != NULL) {
    fputc('\n', out);
    pg_cli_paragraphs(out, "environment: ", cmd->environment);
  }
  fputc('\n', out);
  pg_cli_paragraphs(out, "exit status: ", cmd->exit_status);
}

/* ---- man pages ---------------------------------------------------------- */

/* @p n bytes of @p text as roff text: backslashes and hyphens escaped, a
 * control character at the start of a line made plain. */
static void roff(FILE *out, const char *text, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char c = text[i];
    if ((c == '.' || c == '\'') && (i == 0 || text[i - 1] == '\n'))
      fputs("\\&", out);
    if (c == '\\')
      fputs("\\e", out);
    else if (c == '-')
      fputs("\\-", out);
    else
      fputc(c, out);
  }
}

static void roff_str(FILE *out, const char *text) {
  roff(out, text, strlen(text));
}

/* Each paragraph of @p text after a .PP. */
static void roff_paragraphs(FILE *out, const char *text) {
  while (*text != '\0') {
    const char *end = strstr(text, "\n\n");
    size_t n = end != NULL ? (size_t)(end - text) : strlen(text);
    fputs(".PP\n", out);
    roff(out, text, n);
    fputc('\n', out);
    text += n;
    while (*text == '\n')
      text++;
  }
}

static void roff_option(FILE *out, const char *name, const char *value,
                        const char *help) {
  fputs(".TP\n\\fB", out);
  roff_str(out, name);
  fputs("\\fR", out);
  if (value != NULL) {
    fputs(" \\fI", out);
    roff_str(out, value);
    fputs("\\fR", out);
  }
  fputc('\n', out);
  roff_str(out, help);
  fputc('\n', out);
}

/* The page's name: "parigot" or "parigot-run". */
static void page_name(char *buf, size_t cap, const pg_cli_cmd *cmd, bool is_top,
                      bool is_upper) {
  snprintf(buf, cap, "parigot%s%s", is_top ? "" : "-", is_top ? "" : cmd->name);
  for (char *p = buf; is_upper && *p != '\0'; p++)
    if (*p >= 'a' && *p <= 'z')
      *p = (char)(*p - 'a' + 'A');
}

static void roff_header(FILE *out, const pg_cli_cmd *cmd, bool is_top) {
  char name[64], title[64];
  page_name(name, sizeof name, cmd, is_top, false);
  page_name(title, sizeof title, cmd, is_top, true);
  fputs(".\\\" Made by 'parigot help --man', from the tables of "
        "cmd/parigot.\n.TH ",
        out);
  roff_str(out, title);
  fprintf(out, " 1 \"\" \"parigot %s\" \"parigot manual\"\n.SH NAME\n",
          PARIGOT_VERSION_STRING);
  roff_str(out, name);
  fputs(" \\- ", out);
  roff_str(out, cmd->summary);
  fputs("\n.SH SYNOPSIS\n.B parigot", out);
  if (!is_top) {
    fputc(' ', out);
    roff_str(out, cmd->name);
  }
  fputc('\n', out);
  roff_str(out, cmd->synopsis);
  fputs("\n.SH DESCRIPTION\n", out);
  roff_paragraphs(out, cmd->description);
}

static void roff_commands(FILE *out, const pg_cli_cmd *const *all, size_t n) {
  fputs(".SH COMMANDS\n", out);
  for (size_t i = 0; i < n; i++) {
    fputs(".TP\n\\fB", out);
    roff_str(out, all[i]->name);
    fputs("\\fR\n", out);
    roff_str(out, all[i]->summary);
    fputs("; see\n.BR parigot\\-", out);
    roff_str(out, all[i]->name);
    fputs(" (1).\n", out);
  }
}

void pg_cli_man(const pg_cli_cmd *cmd, const pg_cli_cmd *const *all, size_t n,
                FILE *out) {
  bool is_top = all != NULL;
  roff_header(out, cmd, is_top);
  if (is_top)
    roff_commands(out, all, n);
  fputs(".SH OPTIONS\n", out);
  for (const pg_cli_opt *o = cmd->opts; o != NULL && o->name != NULL; o++)
    roff_option(out, o->name, o->value, o->help);
  if (!is_top)
    roff_option(out, "--help, -h", NULL, "show this help");
  if (cmd->environment != NULL) {
    fputs(".SH ENVIRONMENT\n", out);
    roff_paragraphs(out, cmd->environment);
  }
  fputs(".SH EXIT STATUS\n", out);
  roff_paragraphs(out, cmd->exit_status);
  fputs(".SH SEE ALSO\n", out);
  for (size_t i = 0; is_top && i < n; i++) {
    fputs(".BR parigot\\-", out);
    roff_str(out, all[i]->name);
    fprintf(out, " (1)%s\n", i + 1 < n ? "," : "");
  }
  if (!is_top)
    fputs(".BR parigot (1)\n", out);
}
