/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/docs/test_docs.c: the docs site (docs/tools/site.py, `make docs`)
 * builds with no warning and no broken link, and holds what a reader
 * needs: the guides, the C, Rust and AssemblyScript API pages, the
 * examples' graphs, links between them. Its tools are proven on fixtures
 * (tests/docs/fixtures): the link check finds each kind of broken link
 * and passes a sound site; asdoc.py warns on an undocumented export;
 * mdfilter.py turns GitHub links into Doxygen's.
 *
 * The site is built into this folder's build directory, not build/docs,
 * so `make docs` and the tests never write the same files.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "test.h"
#include "test_proc.h"

#define SITE PG_DOCS_TEST_OUT "/html"
#define FIXTURES PG_SOURCE_DIR "/tests/docs/fixtures"

/* The whole of file @p path, NUL-terminated; fails the test if unreadable.
 * Owned by the caller. */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    PG_FAIL("%s: cannot open", path);
  size_t cap = 1 << 16, len = 0, n;
  char *buf = malloc(cap + 1);
  ASSERT_TRUE(buf != NULL);
  while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) {
      cap *= 2;
      buf = realloc(buf, cap + 1);
      ASSERT_TRUE(buf != NULL);
    }
  }
  fclose(f);
  buf[len] = '\0';
  return buf;
}

/* Fails unless file @p path holds @p needle (the message names both, not
 * the whole page). */
static void file_has(const char *path, const char *needle) {
  char *text = slurp(path);
  if (strstr(text, needle) == NULL)
    PG_FAIL("%s lacks \"%s\"", path, needle);
  free(text);
}

static void count_lines_with(const char *text, const char *needle, int want) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
    n++;
  if (n != want)
    PG_FAIL("\"%s\" %d times, not %d, in:\n%s", needle, n, want, text);
}

PG_TEST(docs_site_builds_without_warnings) {
  char parigot[4096], hello[4096], poly[4096];
  snprintf(parigot, sizeof parigot, "%s", pg_test_parigot());
  snprintf(hello, sizeof hello, "helloworld=%s", PG_HELLO_TOML);
  snprintf(poly, sizeof poly, "polyglot=%s", PG_POLYGLOT_TOML);
  /* As docs/CMakeLists.txt's PG_DOCS_SITE_COMMAND, into our own folder. */
  char *argv[] = {PG_PYTHON3,   PG_DOCS_TOOLS "/site.py",
                  "--source",   PG_SOURCE_DIR,
                  "--out",      PG_DOCS_TEST_OUT,
                  "--doxygen",  PG_DOXYGEN,
                  "--doxyfile", PG_DOXYFILE,
                  "--rustdoc",  PG_RUSTDOC,
                  "--parigot",  parigot,
                  "--graph",    hello,
                  "--graph",    poly,
                  NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  if (r.status != 0 || r.err[0] != '\0')
    PG_FAIL("site.py: status %d, stderr:\n%s", r.status, r.err);
  ASSERT_CONTAINS(r.out, "docs: ");
  fprintf(stderr, "%s(%.1f s wall)\n", r.out, r.elapsed_s);
  pg_proc_result_free(&r);

  /* One entry point, which leads to every part. */
  const char *index = SITE "/index.html";
  file_has(index, "href=\"readme.html\"");
  file_has(index, "href=\"languages.html\"");
  file_has(index, "href=\"manifest.html\"");
  file_has(index, "href=\"guest_8h.html\"");
  file_has(index, "href=\"rust/parigot/index.html\"");
  file_has(index, "href=\"as_api.html\"");

  /* Guides link to each other, with anchors, and to the API. */
  file_has(SITE "/readme.html", "href=\"manifest.html\"");
  file_has(SITE "/readme.html", "href=\"guest_8h.html");
  file_has(SITE "/manifest.html", "href=\"manifest.html#manifest_names\"");
  file_has(SITE "/manifest.html", "id=\"manifest_names\"");
  file_has(SITE "/languages.html", "href=\"rust/parigot/index.html\"");
  file_has(SITE "/languages.html", "href=\"as_api.html\"");

  /* The API pages, and their way back to the index. */
  file_has(SITE "/guest_8h.html", "href=\"index.html\"");
  file_has(SITE "/rust/parigot/index.html", "href=\"../../index.html\"");
  file_has(SITE "/rust/parigot/rt/struct.Call.html",
           "href=\"../../../index.html\"");
  file_has(SITE "/rust/parigot/rt/struct.Call.html", "id=\"method.respond\"");
  file_has(SITE "/as_api.html", "id=\"as_guest_ServiceDesc\"");
  file_has(SITE "/as_api.html", "href=\"index.html\"");

  /* The graphs, drawn by Graphviz and shown by the pages about them. */
  file_has(SITE "/helloworld.svg", "<svg");
  file_has(SITE "/helloworld.svg", "greeting");
  file_has(SITE "/readme.html", "helloworld.svg");
  file_has(SITE "/polyglot.svg", "<svg");
  file_has(SITE "/polyglot.svg", "wordcounter");
  file_has(SITE "/languages.html", "polyglot.svg");
}

PG_TEST(docs_linkcheck_reports_each_broken_link) {
  char *argv[] = {PG_PYTHON3, PG_DOCS_TOOLS "/linkcheck.py", FIXTURES "/broken",
                  NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_EQ(r.status, 1);
  /* Lines 14 to 20 of the fixture are broken, and only they. */
  count_lines_with(r.err, "broken link", 7);
  ASSERT_CONTAINS(r.err, "index.html:14: broken link 'missing.html': no such");
  ASSERT_CONTAINS(r.err, "index.html:15: broken link 'page.html#nowhere': "
                         "no id 'nowhere' in page.html");
  ASSERT_CONTAINS(r.err, "index.html:16: broken link '#gone'");
  ASSERT_CONTAINS(r.err, "index.html:17: broken link 'pictures/missing.svg'");
  ASSERT_CONTAINS(r.err, "index.html:18: broken link '../outside.html': "
                         "points outside the site");
  ASSERT_CONTAINS(r.err, "index.html:19: broken link 'graph.svg'");
  ASSERT_CONTAINS(r.err, "index.html:20: broken link '/index.html': absolute");
  ASSERT_CONTAINS(r.out, "7 broken");
  pg_proc_result_free(&r);

  char *good[] = {PG_PYTHON3, PG_DOCS_TOOLS "/linkcheck.py", FIXTURES "/good",
                  NULL};
  pg_proc_run(good, NULL, NULL, &r);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  ASSERT_CONTAINS(r.out, "3 pages, 10 links, 0 broken");
  pg_proc_result_free(&r);

  char *none[] = {PG_PYTHON3, PG_DOCS_TOOLS "/linkcheck.py",
                  FIXTURES "/no-such-site", NULL};
  pg_proc_run(none, NULL, NULL, &r);
  ASSERT_EQ(r.status, 2);
  ASSERT_CONTAINS(r.err, "usage: linkcheck.py SITE_DIR");
  pg_proc_result_free(&r);
}

PG_TEST(docs_asdoc_warns_on_undocumented_exports) {
  const char *out = PG_DOCS_TEST_OUT "/asdoc-fixture.md";
  char *argv[] = {PG_PYTHON3, PG_DOCS_TOOLS "/asdoc.py", FIXTURES "/aspkg",
                  (char *)out, NULL};
  mkdir(PG_DOCS_TEST_OUT, 0755);
  remove(out);
  pg_proc_result r;
  pg_proc_run(argv, NULL, NULL, &r);
  ASSERT_EQ(r.status, 1);
  count_lines_with(r.err, "warning:", 2);
  ASSERT_CONTAINS(r.err, "aspkg/mod.ts:7: warning: const UNDOCUMENTED is "
                         "exported but has no /** */ comment");
  ASSERT_CONTAINS(r.err, "aspkg/mod.ts:23: warning: unknown tag @bogus");
  pg_proc_result_free(&r);

  /* The page is written all the same, with what is public only. */
  char *md = slurp(out);
  ASSERT_CONTAINS(md, "## Module mod {#as_mod}");
  ASSERT_CONTAINS(md, "### const ANSWER {#as_mod_ANSWER}");
  ASSERT_CONTAINS(md, "The answer, for `nobody`.");
  ASSERT_CONTAINS(md, "export function twice(v: i32): i32\n```");
  ASSERT_CONTAINS(md, "add(k: i32): i32\n```\n\nAdds `k`; **Returns** the");
  ASSERT_CONTAINS(md, "memory &amp; counted &lt;by&gt; one");
  ASSERT_TRUE(strstr(md, "hidden") == NULL);
  ASSERT_TRUE(strstr(md, "_internal") == NULL);
  free(md);

  /* The SDK itself has no warning. */
  char *sdk[] = {PG_PYTHON3, PG_DOCS_TOOLS "/asdoc.py",
                 PG_SOURCE_DIR "/sdk/assemblyscript/parigot", (char *)out,
                 NULL};
  pg_proc_run(sdk, NULL, NULL, &r);
  ASSERT_STREQ(r.err, "");
  ASSERT_EQ(r.status, 0);
  pg_proc_result_free(&r);
}

PG_TEST(docs_mdfilter_turns_github_links_into_doxygen_refs) {
  char *argv[] = {PG_PYTHON3, PG_DOCS_TOOLS "/mdfilter.py",
                  FIXTURES "/guides/docs/guide.md", NULL};
  char *env[] = {"PG_SOURCE=" FIXTURES "/guides",
                 "PG_DOCS_PAGES=docs/guide.md docs/other.md", NULL};
  pg_proc_result r;
  pg_proc_run(argv, NULL, env, &r);
  ASSERT_EQ(r.status, 0);
  ASSERT_STREQ(r.err, "");
  const char *o = r.out;
  ASSERT_CONTAINS(o, "# A guide {#guide}\n");
  ASSERT_CONTAINS(o, "[the other guide](@ref other)");
  ASSERT_CONTAINS(o, "[section](@ref other_a_section_here)");
  ASSERT_CONTAINS(o, "[this one's](@ref guide_the_end)");
  ASSERT_CONTAINS(o, "[header](@ref guest.h)");
  ASSERT_CONTAINS(o, "[the crate](rust/parigot/pb/index.html)");
  ASSERT_CONTAINS(o, "[the package](@ref as_api)");
  ASSERT_CONTAINS(o, "\na file of the tree, [nothing]");
  ASSERT_CONTAINS(o, "[nothing](../nothing.md),\n");
  ASSERT_CONTAINS(o, "[a guide not in the site](extra.md)");
  ASSERT_CONTAINS(o, "[the web](https://example.invalid/a.md)");
  ASSERT_CONTAINS(o, "In code: `[x](other.md)`.");
  ASSERT_CONTAINS(o, "\n![A picture](picture.svg)\n");
  ASSERT_CONTAINS(o, "[not a link](other.md)\n# not a heading\n");
  ASSERT_CONTAINS(o, "## The end {#guide_the_end}\n");
  ASSERT_CONTAINS(o, "## The end {#guide_the_end_1}\n");
  /* Line for line, so Doxygen's warnings name the guide's own lines. */
  int lines = 0;
  for (const char *p = o; *p; p++)
    lines += *p == '\n';
  ASSERT_EQ(lines, 19);
  pg_proc_result_free(&r);
}
