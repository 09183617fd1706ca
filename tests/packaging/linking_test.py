#!/usr/bin/env python3
"""libtrawl.so links what docs/abi.md says, and nothing else.

  linking_test.py LIBTRAWL DOCS_ABI_MD

docs/abi.md lists, between `<!-- needed:begin -->` and `<!-- needed:end -->`, every shared
library libtrawl.so needs (its DT_NEEDED entries). This test reads them with readelf and
compares both ways, then checks that trawl's own code is linked in and hidden.
"""
import fnmatch
import re
import subprocess
import sys
import unittest

LIB, ABI_MD = sys.argv.pop(1), sys.argv.pop(1)


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def documented_needed():
    """The sonames listed in docs/abi.md; `libabsl_*.so.N` stands for a family (which of
    Abseil's libraries are needed depends on what the optimizer inlines)."""
    with open(ABI_MD) as f:
        text = f.read()
    block = re.search(r"<!-- needed:begin -->(.*?)<!-- needed:end -->", text, re.S)
    assert block, "docs/abi.md has no needed:begin/needed:end list"
    names = set(re.findall(r"`([^`\s]+\.so(?:\.[0-9]+)*)`", block.group(1)))
    families = {n for n in names if "*" in n}
    return names - families, families


class LinkingTest(unittest.TestCase):
    def test_needed_libraries_are_the_documented_ones(self):
        needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]",
                                run("readelf", "-d", LIB)))
        names, families = documented_needed()
        self.assertTrue(names and families)
        undocumented = {n for n in needed - names
                        if not any(fnmatch.fnmatchcase(n, f) for f in families)}
        self.assertEqual(undocumented, set(), "needed but not in docs/abi.md")
        self.assertEqual(names - needed, set(), "in docs/abi.md but not needed")
        for family in families:
            self.assertTrue(any(fnmatch.fnmatchcase(n, family) for n in needed),
                            f"{family} in docs/abi.md but none needed")

    def test_stage_code_is_inside_and_hidden(self):
        defined = run("nm", "-D", "--defined-only", LIB)
        self.assertNotRegex(defined, r" _ZN5trawl", "trawl's C++ internals are exported")
        self.assertNotRegex(run("nm", "-D", "--undefined-only", LIB), r" _ZN5trawl",
                            "trawl's C++ internals come from another library")
        # Linked in: the library's own symbol table names the stage code.
        self.assertRegex(run("nm", "-C", LIB), r"trawl::", "no stage code inside libtrawl")

if __name__ == "__main__":
    unittest.main()
