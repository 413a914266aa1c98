#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""docs/tools/linkcheck.py: checks every internal link of a static HTML site.

Usage: linkcheck.py SITE_DIR

Reads every .html file under SITE_DIR and checks each href, src and
object data of its elements that is relative (no scheme, not //host): the
path, taken relative to the page, must name a file inside SITE_DIR (a
folder counts if it holds index.html), and a #fragment must be an id, or
an <a name>, of the page it points to. rustdoc's line ranges (#12-40 in a
source page) count when both line ids exist. External links (http:,
https:, mailto:, javascript:, data:) are not fetched.

Prints one line per broken link, "page:line: broken link 'href': why",
then a summary, and exits 1 if any link is broken, 2 on bad usage. It
keeps nothing between runs and reads each page once (ids are cached).
"""
import html.parser
import os
import re
import sys
import urllib.parse

# Attributes that hold a URL the browser loads or follows.
URL_ATTRS = {"href", "src", "data", "poster"}
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
LINE_RANGE = re.compile(r"^(\d+)-(\d+)$")


class Page(html.parser.HTMLParser):
    """One page's anchors (id, a name) and links (with their lines)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag in ("a", "map")):
                self.ids.add(value)
            elif name in URL_ATTRS:
                self.links.append((self.getpos()[0], value))
            elif name == "srcset":
                for part in value.split(","):
                    url = part.strip().split(" ")[0]
                    if url:
                        self.links.append((self.getpos()[0], url))

    handle_startendtag = handle_starttag


class Site:
    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.pages = {}

    def page(self, path):
        """The parsed page at real path @p path (cached)."""
        if path not in self.pages:
            p = Page()
            with open(path, encoding="utf-8", errors="replace") as f:
                p.feed(f.read())
            p.close()
            self.pages[path] = p
        return self.pages[path]

    def check_link(self, page_path, url):
        """None if @p url, found in @p page_path, resolves; else why not."""
        url = url.strip()
        if url == "" or url.startswith("//") or SCHEME.match(url):
            return None
        path, _, frag = url.partition("#")
        path = path.partition("?")[0]
        if path.startswith("/"):
            return "absolute path: the site must work from any folder"
        if path == "":
            target = page_path
        else:
            rel = urllib.parse.unquote(path)
            target = os.path.realpath(
                os.path.join(os.path.dirname(page_path), rel))
            if os.path.commonpath([target, self.root]) != self.root:
                return "points outside the site"
            if os.path.isdir(target):
                target = os.path.join(target, "index.html")
                if not os.path.isfile(target):
                    return "a folder with no index.html"
            if not os.path.isfile(target):
                return "no such file"
        if frag == "" or not target.endswith(".html"):
            return None
        # As browsers do: the fragment as written, else percent-decoded
        # (rustdoc writes both id and href as impl-From%3CT%3E).
        ids = self.page(target).ids
        if frag in ids:
            return None
        frag = urllib.parse.unquote(frag)
        if frag in ids:
            return None
        m = LINE_RANGE.match(frag)
        if m and m.group(1) in ids and m.group(2) in ids:
            return None
        return "no id '%s' in %s" % (frag, os.path.relpath(target, self.root))

    def check(self, out):
        """Checks every page; writes problems to @p out; returns counts."""
        pages = links = broken = 0
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames.sort()
            for name in sorted(filenames):
                if not name.endswith(".html"):
                    continue
                path = os.path.realpath(os.path.join(dirpath, name))
                pages += 1
                for line, url in self.page(path).links:
                    links += 1
                    why = self.check_link(path, url)
                    if why is not None:
                        broken += 1
                        out.write("%s:%d: broken link '%s': %s\n" % (
                            os.path.relpath(path, self.root), line, url, why))
        return pages, links, broken


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        sys.stderr.write("usage: linkcheck.py SITE_DIR (a folder of HTML)\n")
        return 2
    pages, links, broken = Site(argv[1]).check(sys.stderr)
    if pages == 0:
        sys.stderr.write("linkcheck: %s: no .html file\n" % argv[1])
        return 1
    print("linkcheck: %d pages, %d links, %d broken" % (pages, links, broken))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
