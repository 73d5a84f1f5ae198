#!/usr/bin/env python3
"""tools/check-refs on a throw-away repository:  python3 tests/test_check_refs.py

A clean tree passes; planted references outside the repository, private note
names and broken Markdown links each give one "path:line: what" line.
"""
import os
import subprocess
import sys
import tempfile

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "check-refs")

# The planted names are spelt with {TOKENS}, so that this file passes the check itself.
TOKENS = {"SRP": "SR" + "P.md", "EMU": "EMULA" + "TORS.md", "WORK": "/wo" + "rk/", "SHARED": "sha" + "red/",
          "FACTS": "AWS-" + "FACTS", "USERS": "US" + "ERS", "DESIGN": "DES" + "IGN.md"}

CLEAN = {
    "docs/SRP.md": "# SRP\n\n## Constants\n",
    "docs/EMULATORS.md": "# Emulators\n",
    "docs/GUIDE.md": "See [{SRP}]({SRP}#constants), [emulators]({EMU}), [up](../README.md),\n"
                     "[web](https://example.com/x.md), [mail](mailto:a@example.com), [top](#guide)\n"
                     "and `[code](nope.md)`.\n```\n[fenced](nope.md)\n```\n",
    "README.md": "[docs/SRP.md](docs/SRP.md), https://example.com{WORK}{SHARED}{SRP}\n",
    "src/a.c": "/* docs/SRP.md, 'Constants' */\n",
    "tests/vectors/v.json": "{{\"note\": \"{WORK}{SHARED}{SRP}\"}}\n",
}
BAD = {
    "src/b.c": "/* {WORK}{SHARED}{SRP} */\n",
    "lua/c.lua": "-- {FACTS} \u00a72.1\n-- {SRP} \u00a73\n-- {USERS} #5\n",
    "docs/BAD.md": "[gone](MISSING.md#x)\n{SHARED}{DESIGN}\n",
}
EXPECTED = {
    "src/b.c:1: path under {WORK} (outside the repository)",
    "src/b.c:1: {WORK}{SHARED}{SRP} does not resolve to docs/SRP.md",
    "lua/c.lua:1: private note {FACTS} (not in the repository)",
    "lua/c.lua:2: {SRP} does not resolve to docs/SRP.md",
    "lua/c.lua:3: private note {USERS}.md (not in the repository)",
    "docs/BAD.md:1: link target MISSING.md#x does not exist",
    "docs/BAD.md:2: path under {SHARED} (outside the repository)",
    "docs/BAD.md:2: private note {DESIGN} (not in the repository)",
}
EXPECTED = {line.format(**TOKENS) for line in EXPECTED}


def write(root, files):
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text.format(**TOKENS))
    subprocess.run(["git", "-C", root, "add", "-A"], check=True)


def run(root):
    r = subprocess.run([sys.executable, TOOL, root], stdout=subprocess.PIPE, universal_newlines=True)
    return r.returncode, set(r.stdout.splitlines())


def main():
    with tempfile.TemporaryDirectory() as root:
        subprocess.run(["git", "init", "-q", root], check=True)
        write(root, CLEAN)
        rc, out = run(root)
        assert (rc, out) == (0, set()), (rc, out)
        write(root, BAD)
        rc, out = run(root)
        assert rc == 1 and out == EXPECTED, (rc, sorted(out ^ EXPECTED))
    print("ok: tools/check-refs")


if __name__ == "__main__":
    main()
