#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""docs/tools/mdfilter.py: Doxygen's input filter for the guides (*.md).

Usage: mdfilter.py FILE.md   (Doxygen runs it; the result goes to stdout)

The guides are written for a reader of the source tree (GitHub links:
docs/manifest.md, #units, ../sdk/rust/README.md). Doxygen 1.9.4 does not
give headings GitHub's ids and resolves no "page.md#anchor" link, so this
filter rewrites each guide, line for line (warnings keep their line
numbers), into what Doxygen understands:

- the first "# Title" gets the page's label ({#abi} for docs/abi.md,
  {#readme} for README.md, {#sdk_rust_readme} for sdk/rust/README.md),
  which is also the page's file name (abi.html); every other heading gets
  {#PAGE_SLUG}, SLUG being GitHub's id of it with '-' as '_';
- a link to a guide becomes "@ref LABEL" (its text loses its backticks,
  which Doxygen would show) (with its #anchor, "@ref
  PAGE_SLUG"); "#slug" alone, "@ref PAGE_SLUG";
- a link to source that the site documents goes to its API page: a header
  of include/parigot to its Doxygen page, the Rust crate (sdk/rust,
  sdk/rust/src/*.rs) to rustdoc's pages, the AssemblyScript package
  (sdk/assemblyscript/parigot) to the page docs/tools/asdoc.py writes;
- a link to any other file of the tree, which the site does not hold,
  keeps its text and loses the link; a link to nothing, or to a guide
  missing from the site (docs/tools/site.py's GUIDES), is left for the
  site's link check to report;
- a line "<!-- site: MARKDOWN -->", a comment on GitHub, is MARKDOWN on the
  site (the pictures the build draws: the examples' graphs).

Fenced code and `code spans` are left alone. Environment: PG_SOURCE (the
source tree) and PG_DOCS_PAGES (the guides in the site, paths relative to
PG_SOURCE, space-separated). Exits 2 with a message on a missing file.
"""
import os
import re
import sys

HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
HAS_ID = re.compile(r"\{#[A-Za-z0-9_.:-]+\}[ \t]*$")
FENCE = re.compile(r"^[ \t]*(```|~~~)")
SITE_LINE = re.compile(r"^[ \t]*<!--[ \t]*site:[ \t]*(.*?)[ \t]*-->[ \t]*$")
# [text](target "title") or ![alt](target): text without brackets inside.
LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)((?:[ \t]+\"[^\"]*\")?)\)")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def page_label(rel):
    """The Doxygen label (and HTML file name) of guide @p rel."""
    if rel.startswith("docs/"):
        rel = rel[len("docs/"):]
    if rel.endswith(".md"):
        rel = rel[:-3]
    return re.sub(r"[^A-Za-z0-9]+", "_", rel).strip("_").lower()


def slug(text):
    """GitHub's heading id: lower case, punctuation dropped, spaces as '-'."""
    text = re.sub(r"`|\*\*|\*|__", "", text.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchor(page, frag):
    """The Doxygen label of anchor @p frag (GitHub's id) in page @p page."""
    return "%s_%s" % (page, frag.replace("-", "_"))


class Filter:
    def __init__(self, source, pages, path):
        self.source = os.path.realpath(source)
        self.pages = set(pages)
        self.path = os.path.realpath(path)
        self.rel = os.path.relpath(self.path, self.source)
        self.label = page_label(self.rel)
        self.titled = False
        self.seen = {}
        self.spans = []

    def api_target(self, rel):
        """The site's page for source file or folder @p rel, else None."""
        m = re.match(r"^include/parigot/([A-Za-z0-9_]+\.h)$", rel)
        if m:
            return "@ref " + m.group(1)
        if rel in ("sdk/rust", "sdk/rust/src", "sdk/rust/src/lib.rs"):
            return "rust/parigot/index.html"
        m = re.match(r"^sdk/rust/src/([a-z_]+)\.rs$", rel)
        if m:
            return "rust/parigot/%s/index.html" % m.group(1)
        m = re.match(r"^sdk/assemblyscript/parigot(/([a-z_]+)\.ts)?$", rel)
        if m:
            return "@ref as_api" if m.group(2) is None else \
                "@ref as_" + m.group(2)
        return None

    def target(self, url):
        """What link @p url becomes: a new target, "" for no link."""
        if SCHEME.match(url) or url.startswith("//"):
            return url
        path, _, frag = url.partition("#")
        if path == "":
            return "@ref " + anchor(self.label, frag)
        full = os.path.normpath(os.path.join(os.path.dirname(self.path),
                                             path))
        rel = os.path.relpath(full, self.source)
        if rel in self.pages:
            label = page_label(rel)
            return "@ref " + (anchor(label, frag) if frag else label)
        api = self.api_target(rel.rstrip("/"))
        if api is not None:
            return api
        if os.path.exists(full) and not rel.startswith("..") and \
                not rel.endswith(".md"):
            return ""
        return url

    def links(self, text):
        """Rewrites the links of @p text, which holds no code span."""
        def one(m):
            bang, label, url, title = m.groups()
            new = self.target(url)
            if new == "":
                return "" if bang else label
            if new.startswith("@ref "):  # Doxygen would show backticks
                label = re.sub(r"\0(\d+)\0",
                               lambda m: self.spans[int(m.group(1))]
                               .strip("`"), label)
            return "%s[%s](%s%s)" % (bang, label, new, title)
        return LINK.sub(one, text)

    def inline(self, line):
        """@p line with links rewritten outside `code spans`, which stand
        aside meanwhile as NUL N NUL (a link's text may hold one)."""
        spans = self.spans = []

        def hide(m):
            spans.append(m.group(0))
            return "\0%d\0" % (len(spans) - 1)
        line = self.links(re.sub(r"`+[^`]*`+", hide, line))
        return re.sub(r"\0(\d+)\0", lambda m: spans[int(m.group(1))], line)

    def heading(self, level, text):
        if HAS_ID.search(text):
            return "%s %s" % (level, text)
        if level == "#" and not self.titled:
            self.titled = True
            return "# %s {#%s}" % (self.inline(text), self.label)
        s = slug(text)
        n = self.seen.get(s, 0)
        self.seen[s] = n + 1
        if n:
            s = "%s-%d" % (s, n)
        return "%s %s {#%s}" % (level, self.inline(text),
                                anchor(self.label, s))

    def run(self, lines, out):
        fence = None
        for line in lines:
            line = line.rstrip("\n")
            m = FENCE.match(line)
            if fence is not None:
                if m and m.group(1) == fence:
                    fence = None
                out.write(line + "\n")
                continue
            if m:
                fence = m.group(1)
                out.write(line + "\n")
                continue
            m = SITE_LINE.match(line)
            if m:
                line = m.group(1)
            m = HEADING.match(line)
            if m:
                out.write(self.heading(m.group(1), m.group(2)) + "\n")
            else:
                out.write(self.inline(line) + "\n")


def main(argv):
    source = os.environ.get("PG_SOURCE")
    if len(argv) != 2 or not source:
        sys.stderr.write("usage: PG_SOURCE=DIR PG_DOCS_PAGES='a.md ...' "
                         "mdfilter.py FILE.md\n")
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            lines = f.readlines()
    except OSError as e:
        sys.stderr.write("mdfilter: %s: %s\n" % (argv[1], e.strerror))
        return 2
    pages = os.environ.get("PG_DOCS_PAGES", "").split()
    Filter(source, pages, argv[1]).run(lines, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
