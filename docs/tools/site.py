#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""docs/tools/site.py: builds the docs site, one folder of HTML.

Usage: site.py --source DIR --out DIR --doxygen DOXYGEN --doxyfile FILE
               --rustdoc RUSTDOC [--parigot BIN --graph NAME=APP.toml ...]

Into OUT/html: the guides and the C API (Doxygen, with FILE, configured by
CMake from docs/Doxyfile.in), the AssemblyScript API (docs/tools/asdoc.py,
a page of the same Doxygen run), the Rust crate (rustdoc, into
OUT/html/rust/, each page with a box of links back to the site), and each
--graph app's dependency graph, drawn by `parigot graph --format svg`
(Graphviz), as NAME.svg for the guides to show. OUT/gen holds what is made
on the way. Then docs/tools/linkcheck.py checks every internal link.

Any warning (Doxygen's, rustdoc's with -D warnings, asdoc's) or broken
link fails the build: the messages go to stderr and the exit status is 1.
The guides are the GUIDES list below; a new guide is added there. Runs
its steps one after another; the caller's PARIGOT_CACHE is kept for
`parigot graph`, which compiles the apps' guests.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

# The guides in the site, relative to the source tree, in reading order.
GUIDES = [
    "README.md",
    "docs/install.md",
    "docs/languages.md",
    "docs/manifest.md",
    "docs/auth.md",
    "docs/http.md",
    "docs/abi.md",
    "docs/protobuf.md",
    "docs/builtins.md",
    "docs/testing.md",
    "docs/architecture.md",
    "sdk/rust/README.md",
    "sdk/assemblyscript/README.md",
]

# rustdoc's pages get this box; ROOT/ becomes the way up to OUT/html. It
# floats in a corner: rustdoc 1.63's body is a row of flex items (sidebar,
# content), which a bar at the top would join as a column.
RUST_BAR = ('<div class="pg-site-bar" style="position:fixed;right:0;'
            'bottom:0;z-index:100;padding:4px 10px;font-size:14px;'
            'background:#fff;color:#000;border:1px solid #999">'
            '<a href="ROOT/index.html" style="color:#3873ad">parigot '
            'documentation</a> &middot; <a href="ROOT/languages.html" '
            'style="color:#3873ad">languages</a> &middot; '
            '<a href="ROOT/sdk_rust_readme.html" style="color:#3873ad">'
            'the Rust SDK</a></div>\n')


class Build:
    def __init__(self, args):
        self.args = args
        self.out = os.path.abspath(args.out)
        self.html = os.path.join(self.out, "html")
        self.gen = os.path.join(self.out, "gen")
        self.tools = os.path.dirname(os.path.abspath(__file__))
        self.failed = []

    def run(self, what, argv, env=None):
        """Runs @p argv, its output to ours; records a failure."""
        sys.stdout.flush()
        try:
            r = subprocess.run(argv, env=env)
        except OSError as e:
            sys.stderr.write("docs: cannot run %s: %s\n" % (argv[0],
                                                              e.strerror))
            self.failed.append(what)
            return
        if r.returncode != 0:
            self.failed.append("%s (exit status %d)" % (what, r.returncode))

    def graphs(self):
        img = os.path.join(self.gen, "img")
        os.makedirs(img, exist_ok=True)
        for g in self.args.graph:
            name, _, toml = g.partition("=")
            argv = [self.args.parigot, "graph", "--format", "svg", toml]
            try:
                with open(os.path.join(img, name + ".svg"), "w") as f:
                    r = subprocess.run(argv, stdout=f)
            except OSError as e:
                sys.stderr.write("docs: cannot run %s: %s\n" % (argv[0],
                                                                  e.strerror))
                r = None
            if r is None or r.returncode != 0:
                self.failed.append("parigot graph %s" % toml)

    def doxygen(self):
        src = self.args.source
        env = dict(os.environ, PG_SOURCE=src, PG_DOCS_OUT=self.out,
                   PG_DOCS_GEN=self.gen, PG_DOCS_PAGES=" ".join(GUIDES),
                   PG_DOCS_INPUT=" ".join(os.path.join(src, g)
                                          for g in GUIDES))
        self.run("doxygen", [self.args.doxygen, self.args.doxyfile], env)

    def rustdoc(self):
        rust = os.path.join(self.html, "rust")
        bar = os.path.join(self.gen, "rust-bar.html")
        with open(bar, "w") as f:
            f.write(RUST_BAR)
        self.run("rustdoc", [
            self.args.rustdoc, "--edition", "2021", "--target", "wasm32-wasi",
            "--crate-type", "rlib", "--crate-name", "parigot",
            "-D", "warnings", "--html-before-content", bar, "-o", rust,
            os.path.join(self.args.source, "sdk/rust/src/lib.rs")])
        for dirpath, _, files in os.walk(rust):
            for name in files:
                if name.endswith(".html"):
                    self.rust_page(os.path.join(dirpath, name))

    def rust_page(self, path):
        """Points the bar of rustdoc page @p path at the site's index, and
        stands in for the scripts rustdoc 1.63 names but does not write
        (implementors of a trait no crate implements, settings' sidebar),
        as empty files, so that no page loads a missing file."""
        up = os.path.relpath(self.html, os.path.dirname(path))
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text = text.replace('href="ROOT/', 'href="%s/' % up)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        for src in re.findall(r'<script[^>]*\ssrc="([^":]+\.js)"', text):
            js = os.path.normpath(os.path.join(os.path.dirname(path), src))
            if js.startswith(self.html) and not os.path.exists(js):
                os.makedirs(os.path.dirname(js), exist_ok=True)
                with open(js, "w") as f:
                    f.write("// rustdoc names this file; it has nothing.\n")

    def build(self):
        start = time.monotonic()
        shutil.rmtree(self.html, ignore_errors=True)
        os.makedirs(self.gen, exist_ok=True)
        self.run("asdoc", [sys.executable, os.path.join(self.tools,
                                                        "asdoc.py"),
                           os.path.join(self.args.source,
                                        "sdk/assemblyscript/parigot"),
                           os.path.join(self.gen, "assemblyscript.md")])
        self.graphs()
        self.doxygen()
        self.rustdoc()
        if not self.failed:  # else its report would repeat the failures
            self.run("link check", [sys.executable,
                                    os.path.join(self.tools, "linkcheck.py"),
                                    self.html])
        took = time.monotonic() - start
        if self.failed:
            sys.stderr.write("docs: failed: %s\n" % "; ".join(self.failed))
            return 1
        print("docs: %s in %.1f s" % (os.path.join(self.html, "index.html"),
                                      took))
        return 0


def main():
    p = argparse.ArgumentParser(description="Builds the docs site.")
    p.add_argument("--source", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--doxygen", required=True)
    p.add_argument("--doxyfile", required=True)
    p.add_argument("--rustdoc", required=True)
    p.add_argument("--parigot")
    p.add_argument("--graph", action="append", default=[],
                   metavar="NAME=APP.toml")
    args = p.parse_args()
    if args.graph and not args.parigot:
        p.error("--graph needs --parigot")
    return Build(args).build()


if __name__ == "__main__":
    sys.exit(main())
