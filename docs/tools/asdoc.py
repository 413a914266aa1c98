#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""docs/tools/asdoc.py: the AssemblyScript SDK's API page, from its comments.

Usage: asdoc.py PACKAGE_DIR OUT.md

Reads PACKAGE_DIR/index.ts, the package's public face, and each module it
re-exports ("export * from './guest'"), and writes OUT.md, a Markdown page
for Doxygen (label as_api; one section per module, as_guest, as_pb): every
top-level export with its declaration and its /** */ comment, and the
public members (no private, no _name) of exported classes.

No tool for AssemblyScript's doc comments is installed, and TypeDoc (npm)
reads TypeScript: it cannot type AssemblyScript's i32/usize, builtins and
decorators, and would make a second site with its own look. This reads
only the conventions the SDK keeps: declarations at column 0, class
members at two spaces, a /** */ comment right above what it documents
(one comment may cover a run of declarations with no blank line between),
@p NAME for a parameter and @returns.

A warning (an exported declaration with no /** */ comment, an unknown
@tag, an unclosed comment) is printed as "file:line: warning: ..." and
makes the exit status 1, as Doxygen's and rustdoc's do in the site build;
OUT.md is written all the same. Exit 2 on bad usage or an unreadable file.
"""
import os
import re
import sys

DECL = re.compile(r"^export\s+(?:declare\s+)?(?:abstract\s+)?"
                  r"(class|function|const|let|var|enum|interface|type|"
                  r"namespace)\s+([A-Za-z_$][\w$]*)")
REEXPORT = re.compile(r"^export\s*\*\s*from\s*[\"']\./([\w/]+)[\"']")
MEMBER = re.compile(r"^  (?:(?:public|static|readonly|abstract|get|set|"
                    r"async)\s+)*([A-Za-z_$][\w$]*)\s*[(<:=;?!]")
TAGS = {"p", "returns", "return"}


class Warnings:
    def __init__(self):
        self.count = 0

    def __call__(self, path, line, text):
        sys.stderr.write("%s:%d: warning: %s\n" % (path, line, text))
        self.count += 1


def signature(lines, i, stop_at_brace=True):
    """The declaration starting at line @p i, up to its body's '{' or ';'
    at bracket depth 0; returns (text, index of its last line)."""
    depth = 0
    out = []
    for j in range(i, len(lines)):
        line = lines[j]
        code = re.sub(r"//.*$", "", line)
        for k, c in enumerate(code):
            if c in "([":
                depth += 1
            elif c in ")]":
                depth -= 1
            elif depth == 0 and (c == ";" or (c == "{" and stop_at_brace)):
                out.append(line[:k + (c == ";")].rstrip())
                return "\n".join(out), j
        out.append(line.rstrip())
    return "\n".join(out), len(lines) - 1


def block_end(lines, i):
    """The index of the line closing the block opened on line @p i (a
    column-0 '}' for a top-level declaration)."""
    for j in range(i + 1, len(lines)):
        if lines[j].startswith("}"):
            return j
    return len(lines) - 1


def doc_above(lines, i, path, warn):
    """The /** */ comment ending right above line @p i (decorators, //
    lines and other declarations of a run between are skipped), as
    (text, its first line), or None."""
    j = i - 1
    indent = re.match(r"^\s*", lines[i]).group(0)
    while j >= 0:
        s = lines[j].strip()
        if s.startswith("@") or s.startswith("//") or (s and lines[j].startswith(indent) and
                                 not lines[j][len(indent):].startswith(" ")
                                 and DECL.match(lines[j][len(indent):])
                                 and s.endswith(";")):
            j -= 1
            continue
        break
    if j < 0 or not lines[j].rstrip().endswith("*/"):
        return None
    end = j
    while j >= 0 and "/**" not in lines[j]:
        if "/*" in lines[j] and "/**" not in lines[j]:
            return None  # a plain /* */ comment
        j -= 1
    if j < 0:
        warn(path, end + 1, "a comment closed here was never opened")
        return None
    text = "\n".join(lines[j:end + 1])
    text = re.sub(r"^\s*/\*\*\s?", "", text)
    text = re.sub(r"\s*\*/\s*$", "", text)
    body = []
    for t in text.split("\n"):
        body.append(re.sub(r"^\s*\*\s?", "", t))
    return "\n".join(body).strip(), j + 1


def prose(text, path, line, warn):
    """Comment text as Doxygen Markdown: @p x as `x`, @returns as a
    phrase, characters Doxygen reads as commands or tags escaped outside
    `code spans`."""
    def tag(m):
        name = m.group(1)
        if name not in TAGS:
            warn(path, line, "unknown tag @%s" % name)
            return name + " "
        return "" if name == "p" else "**Returns** "

    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for p in parts:
        if p.startswith("`"):
            out.append(p)
            continue
        p = re.sub(r"@p\s+([\w$]+(?:\.[\w$]+)*)", r"`\1`", p)
        p = re.sub(r"@(\w+)\s?", tag, p)
        p = p.replace("\\", "\\\\").replace("&", "&amp;")
        p = p.replace("<", "&lt;").replace(">", "&gt;")
        p = p.replace("%", "\\%").replace("@", "\\@").replace("#", "\\#")
        out.append(p)
    return "".join(out)


def module_doc(lines):
    """The module's opening // comment, less its first 'path:' words."""
    text = []
    for line in lines:
        if not line.startswith("//"):
            break
        text.append(line[2:].strip())
    s = re.sub(r"^\S+\.ts:\s*", "", " ".join(text))
    return s[:1].upper() + s[1:]


def members(lines, start, end, path, warn, out):
    """Writes the public members of the class on lines start..end."""
    i = start + 1
    run = None  # the index in out of the block a run of members shares
    while i < end:
        line = lines[i]
        m = MEMBER.match(line)
        if not m or re.match(r"^  (private|protected)\b", line):
            i += 1
            continue
        name = m.group(1)
        sig, last = signature(lines, i)
        if name.startswith("_") or "private " in sig.split("(")[0]:
            i = last + 1
            continue
        doc = doc_above(lines, i, path, warn)
        code = re.sub(r"^  ", "", sig, flags=re.M)
        if doc is None and run is not None:
            # A run of members with no comment (fields): one block.
            out[run] = out[run][:-len("```\n")] + code + "\n```\n"
        else:
            out.append("```ts\n%s\n```\n" % code)
            run = None if doc else len(out) - 1
        if doc:
            out.append(prose(doc[0], path, doc[1], warn) + "\n")
        i = last + 1


def module(path, name, warn, out):
    """Writes module @p name (file @p path): its exports."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out.append("## Module %s {#as_%s}\n" % (name, name))
    intro = module_doc(lines)
    if intro:
        out.append(prose(intro, path, 1, warn) + "\n")
    depth_comment = False
    for i, line in enumerate(lines):
        if "/*" in line and "*/" not in line:
            depth_comment = True
            opened = i
        elif "*/" in line:
            depth_comment = False
        m = DECL.match(line)
        if not m:
            continue
        kind, ident = m.groups()
        doc = doc_above(lines, i, path, warn)
        if doc is None:
            warn(path, i + 1, "%s %s is exported but has no /** */ comment"
                 % (kind, ident))
        out.append("### %s %s {#as_%s_%s}\n" % (kind, ident, name, ident))
        if kind == "enum":
            sig = "\n".join(lines[i:block_end(lines, i) + 1])
        else:
            sig, _ = signature(lines, i, kind != "const")
        out.append("```ts\n%s\n```\n" % sig)
        if doc:
            out.append(prose(doc[0], path, doc[1], warn) + "\n")
        if kind == "class":
            members(lines, i, block_end(lines, i), path, warn, out)
    if depth_comment:
        warn(path, opened + 1, "comment not closed")


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: asdoc.py PACKAGE_DIR OUT.md\n")
        return 2
    pkg, out_path = argv[1], argv[2]
    index = os.path.join(pkg, "index.ts")
    warn = Warnings()
    try:
        with open(index, encoding="utf-8") as f:
            names = [m.group(1) for m in map(REEXPORT.match, f) if m]
        if not names:
            sys.stderr.write("asdoc: %s re-exports no module\n" % index)
            return 2
        out = ["# AssemblyScript API {#as_api}\n",
               "The package `parigot` (`sdk/assemblyscript/parigot`), "
               "as a guest imports it: `import { ... } from \"parigot\"`. "
               "How to build a guest with it: @ref sdk_assemblyscript_readme"
               "; the same API in the other languages: @ref languages; "
               "all the documentation: @ref index.\n",
               "Modules: " + ", ".join("@ref as_%s" % n for n in names)
               + ".\n"]
        for n in names:
            module(os.path.join(pkg, n + ".ts"), n, warn, out)
    except OSError as e:
        sys.stderr.write("asdoc: %s: %s\n" % (e.filename, e.strerror))
        return 2
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    return 1 if warn.count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
