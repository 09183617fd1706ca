#!/usr/bin/env python3
"""The README's two commands must not share a CMake cache.

  scripts_test.py ROOT

scripts/demo.sh configures the user's build/ for the CLI; scripts/test.sh builds its own
directories. If they shared one, the demo's cache would decide what the tests build (it
once switched the tests off, and test.sh then ran none). Also checks that test.sh counts a
run without tests as a failure.
"""
import re
import sys
import unittest

ROOT = sys.argv.pop(1)


def read(name):
    with open(f"{ROOT}/scripts/{name}") as f:
        return f.read()


def build_dirs(script):
    """Directories the script configures: `cmake ... -B DIR` and test.sh's `build DIR`."""
    dirs = set(re.findall(r"-B\s+\"?([\w.-]+)", script))
    dirs |= set(re.findall(r"^\s*(?:if\s+)?build\s+([\w.-]+)", script, re.M))
    return dirs


class ScriptBuildDirsTest(unittest.TestCase):
    def test_demo_and_test_use_separate_build_dirs(self):
        demo, test = build_dirs(read("demo.sh")), build_dirs(read("test.sh"))
        self.assertTrue(demo and test, (demo, test))
        self.assertEqual(demo & test, set(), "demo.sh and test.sh configure the same directory")

    def test_demo_switches_nothing_off_in_its_cache(self):
        self.assertNotRegex(read("demo.sh"), r"-DTRAWL_BUILD_\w+=OFF")

    def test_release_stage_asks_for_the_tests_and_fails_without_any(self):
        test = read("test.sh")
        self.assertRegex(test, r"build build-release .*-DTRAWL_BUILD_TESTS=ON")
        self.assertIn("--no-tests=error", test)
        self.assertIn("-DTRAWL_WERROR=ON", test)


if __name__ == "__main__":
    unittest.main()
