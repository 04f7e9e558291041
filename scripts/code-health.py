#!/usr/bin/env python3
"""Tallies the shape of the Swift sources: file lengths, function lengths and
the share of public declarations that carry a doc comment, per module.

    scripts/code-health.py [--json] [--long N] [ROOT]

ROOT defaults to the repository (the folder above this script); only
`Sources/` is read. Function bodies are found by brace matching after a
`func`, `init`, `deinit`, `subscript` or accessor-less computed `var` header,
skipping braces inside string literals and comments: good enough for a tally,
not a parser. A public declaration is one marked `public` or `open`, or a
member of a `public extension` without an access modifier of its own; enum
cases are not counted (they carry no modifier). `--long N` lists every function longer than N lines (default 60).
"""
import json
import os
import re
import sys

DECL = re.compile(
    r"^\s*(?:@[\w().:, \"]+\s+)*(?:(?:public|open|internal|private|fileprivate|package|static|class|final|"
    r"override|mutating|nonmutating|nonisolated(?:\(unsafe\))?|convenience|required|dynamic|lazy|"
    r"indirect|consuming|borrowing|isolated)\s+)*"
    r"(func\s+[^\s(<]+|init[?!]?|deinit|subscript)\b")
PUBLIC = re.compile(
    r"^\s*(?:@[\w().:, \"]+\s+)*(?:(?:static|class|final|override|mutating|nonisolated|convenience|required|"
    r"indirect)\s+)*(public|open)\s+(?:(?:static|class|final|override|mutating|nonisolated|convenience|"
    r"required|indirect)\s+)*(func|init|var|let|struct|class|enum|protocol|typealias|actor|subscript|case)\b")
PUBLIC_EXTENSION = re.compile(r"^\s*public\s+extension\b")


def strip_code(line, state):
    """Returns the line with string literals and comments blanked, and the
    new state (inside a block comment or a multi-line string)."""
    out = []
    i = 0
    n = len(line)
    while i < n:
        if state == "block":
            end = line.find("*/", i)
            if end < 0:
                return "".join(out), "block"
            i = end + 2
            state = None
            continue
        if state == "multistring":
            end = line.find('"""', i)
            if end < 0:
                return "".join(out), "multistring"
            i = end + 3
            state = None
            continue
        c = line[i]
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            state = "block"
            i += 2
            continue
        if line.startswith('"""', i):
            state = "multistring"
            i += 3
            continue
        if c == '"':
            j = i + 1
            while j < n and line[j] != '"':
                j += 2 if line[j] == "\\" else 1
            i = j + 1
            out.append('""')
            continue
        out.append(c)
        i += 1
    return "".join(out), state


def functions(lines):
    """Yields (name, first line, length in lines) for each function-like body."""
    state = None
    cleaned = []
    for line in lines:
        code, state = strip_code(line, state)
        cleaned.append(code)
    i = 0
    while i < len(cleaned):
        m = DECL.match(cleaned[i])
        if not m:
            i += 1
            continue
        name = m.group(1).replace("func ", "")
        # Find the opening brace of the body (a protocol requirement has none).
        depth_paren = 0
        j = i
        opened = None
        while j < len(cleaned) and j < i + 40:
            seg = cleaned[j] if j != i else cleaned[j][m.end():]
            for k, ch in enumerate(seg):
                if ch in "(<[":
                    depth_paren += 1
                elif ch in ")>]":
                    depth_paren = max(0, depth_paren - 1)
                elif ch == "{" and depth_paren == 0:
                    opened = (j, k)
                    break
            if opened:
                break
            nxt = cleaned[j + 1].strip() if j + 1 < len(cleaned) else ""
            if depth_paren == 0 and (DECL.match(cleaned[j + 1] if j + 1 < len(cleaned) else "") or nxt.startswith("}")):
                break
            j += 1
        if not opened:
            i += 1
            continue
        depth = 0
        end = None
        for jj in range(opened[0], len(cleaned)):
            seg = cleaned[jj]
            start = opened[1] if jj == opened[0] else 0
            for ch in seg[start:] if jj == opened[0] else seg:
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if depth == 0:
                        end = jj
                        break
            if end is not None:
                break
        if end is None:
            i += 1
            continue
        yield name, i + 1, end - i + 1
        i += 1  # nested functions are tallied too


MEMBER = re.compile(
    r"^\s*(?:@[\w().:, \"]+\s+)*(?:(?:static|class|final|override|mutating|nonmutating|nonisolated|convenience|"
    r"required|indirect|lazy)\s+)*(func|init|var|let|struct|class|enum|protocol|typealias|actor|subscript)\b")


def is_documented(lines, idx):
    k = idx - 1
    while k >= 0 and lines[k].strip().startswith("@"):
        k -= 1
    prev = lines[k].strip() if k >= 0 else ""
    return prev.startswith("///") or prev.endswith("*/")


def doc_share(lines):
    """Counts public declarations and those with a doc comment: declarations
    marked `public`/`open`, and the members of a `public extension` that have
    no access modifier of their own (they are public too)."""
    documented = total = 0
    state = None
    depth = 0
    extension_depth = None  # depth inside a `public extension`'s body
    pending_extension = False
    for idx, line in enumerate(lines):
        code, state = strip_code(line, state)
        counted = False
        if PUBLIC.match(line):
            counted = True
        elif extension_depth is not None and depth == extension_depth and MEMBER.match(code):
            counted = True
        if counted:
            total += 1
            documented += is_documented(lines, idx)
        if PUBLIC_EXTENSION.match(code):
            pending_extension = True
        for ch in code:
            if ch == "{":
                depth += 1
                if pending_extension:
                    extension_depth = depth
                    pending_extension = False
            elif ch == "}":
                if extension_depth is not None and depth == extension_depth:
                    extension_depth = None
                depth -= 1
    return documented, total


def main():
    args = sys.argv[1:]
    as_json = "--json" in args
    long_limit = 60
    if "--long" in args:
        long_limit = int(args[args.index("--long") + 1])
    rest = [a for i, a in enumerate(args) if not a.startswith("--") and (i == 0 or args[i - 1] != "--long")]
    root = rest[0] if rest else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    sources = os.path.join(root, "Sources")
    modules = {}
    long_functions = []
    file_lengths = []
    for module in sorted(os.listdir(sources)):
        mdir = os.path.join(sources, module)
        if not os.path.isdir(mdir):
            continue
        stats = modules.setdefault(module, {"files": 0, "lines": 0, "functions": 0, "over_60": 0,
                                            "over_40": 0, "longest": 0, "public": 0, "documented": 0})
        for dirpath, _, names in os.walk(mdir):
            for fname in sorted(names):
                if not fname.endswith(".swift"):
                    continue
                path = os.path.join(dirpath, fname)
                with open(path, encoding="utf-8") as fh:
                    lines = fh.read().split("\n")
                rel = os.path.relpath(path, root)
                stats["files"] += 1
                stats["lines"] += len(lines)
                file_lengths.append((len(lines), rel))
                for name, first, length in functions(lines):
                    stats["functions"] += 1
                    stats["longest"] = max(stats["longest"], length)
                    if length > 40:
                        stats["over_40"] += 1
                    if length > long_limit:
                        stats["over_60"] += 1
                        long_functions.append((length, f"{rel}:{first}", name))
                documented, total = doc_share(lines)
                stats["documented"] += documented
                stats["public"] += total
    file_lengths.sort(reverse=True)
    long_functions.sort(reverse=True)
    buckets = {"files > 400 lines": sum(1 for n, _ in file_lengths if n > 400),
               "files > 300 lines": sum(1 for n, _ in file_lengths if n > 300),
               "files > 200 lines": sum(1 for n, _ in file_lengths if n > 200),
               "files": len(file_lengths)}
    if as_json:
        print(json.dumps({"modules": modules, "file_buckets": buckets,
                          "longest_files": file_lengths[:10],
                          "long_functions": long_functions}, indent=2))
        return
    print(f"{'module':<18}{'files':>6}{'lines':>7}{'funcs':>7}{'>40':>5}{'>%d' % long_limit:>5}{'longest':>8}"
          f"{'public':>8}{'doc %':>7}")
    for module, s in modules.items():
        share = 100.0 * s["documented"] / s["public"] if s["public"] else 100.0
        print(f"{module:<18}{s['files']:>6}{s['lines']:>7}{s['functions']:>7}{s['over_40']:>5}{s['over_60']:>5}"
              f"{s['longest']:>8}{s['public']:>8}{share:>6.0f}%")
    print()
    for k, v in buckets.items():
        print(f"{k}: {v}")
    print("longest files:")
    for n, rel in file_lengths[:8]:
        print(f"  {n:>5}  {rel}")
    print(f"functions over {long_limit} lines: {len(long_functions)}")
    for length, where, name in long_functions:
        print(f"  {length:>5}  {where}  {name}")


if __name__ == "__main__":
    main()
