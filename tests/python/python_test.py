#!/usr/bin/env python3
"""The Python package (python/trawl) against a built libtrawl.

  python_test.py --library build/capi/libtrawl.so --root . [--work DIR] [unittest args]
  python_test.py --installed --root . [...]    # the pip-installed package; the library
                                               # found as trawl finds it

Standard library only (unittest). Registered with ctest by tests/python/CMakeLists.txt.
"""

import argparse
import ctypes
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

parser = argparse.ArgumentParser(add_help=False)
parser.add_argument("--library", default=None)
parser.add_argument("--root", required=True)
parser.add_argument("--work", default=None)
parser.add_argument("--installed", action="store_true")
ARGS, UNITTEST_ARGS = parser.parse_known_args()

if not ARGS.installed:
    sys.path.insert(0, os.path.join(ARGS.root, "python"))
import trawl  # noqa: E402

ARGS.library = trawl.load(ARGS.library)._name

SECRETS = os.path.join(ARGS.root, "rules", "secrets.json")
SAMPLE = os.path.join(ARGS.root, "examples", "sample", "sample-package.tar.gz")
KEY_LINE = b"x aws_access_key_id = AKIA64CFSUOSG2WPIZZX\n"


def setUpModule():
    global DB, WORK
    if ARGS.work:
        os.makedirs(ARGS.work, exist_ok=True)
    WORK = tempfile.mkdtemp(prefix="trawl-python-", dir=ARGS.work)
    with trawl.Rules() as rules:
        rules.add_file(SECRETS)
        DB = trawl.Database.compile(rules)


def tearDownModule():
    DB.close()
    shutil.rmtree(WORK, ignore_errors=True)


class StructLayoutTest(unittest.TestCase):
    def test_structs_match_the_c_layout(self):
        if ctypes.sizeof(ctypes.c_void_p) != 8:
            self.skipTest("sizes below are those of LP64 platforms")
        # sizeof and offsetof as an LP64 C compiler lays out trawl.h's structs.
        self.assertEqual(ctypes.sizeof(trawl._Error), 288)
        self.assertEqual(trawl._Error.index.offset, 16)
        self.assertEqual(trawl._Error.message.offset, 32)
        self.assertEqual(ctypes.sizeof(trawl._RuleInfo), 80)
        self.assertEqual(trawl._RuleInfo.confidence.offset, 64)
        self.assertEqual(trawl._RuleInfo.is_literal.offset, 72)
        self.assertEqual(ctypes.sizeof(trawl._Match), 56)
        self.assertEqual(trawl._Match.data.offset, 32)
        self.assertEqual(trawl._Match.captures.offset, 48)
        self.assertEqual(ctypes.sizeof(trawl._ScanResult), 40)
        self.assertEqual(trawl._ScanResult.truncation.offset, 32)
        self.assertEqual(ctypes.sizeof(trawl._ImportAccount), 64)
        self.assertEqual(trawl._ImportAccount.rejected.offset, 48)
        self.assertEqual(ctypes.sizeof(trawl._FeedOptions), 64)
        self.assertEqual(trawl._FeedOptions.severity.offset, 40)
        self.assertEqual(trawl._FeedOptions.confidence.offset, 48)
        self.assertEqual(ctypes.sizeof(trawl._Input), 40)
        self.assertEqual(trawl._Input.len.offset, 24)
        self.assertEqual(ctypes.sizeof(trawl._ReportSummary), 72)
        self.assertEqual(trawl._ReportSummary.active_by_severity.offset, 16)
        self.assertEqual(trawl._ReportSummary.components.offset, 64)
        self.assertEqual(ctypes.sizeof(trawl._BenchOptions), 32)
        self.assertEqual(trawl._BenchOptions.top_rules.offset, 16)
        self.assertEqual(trawl._BenchOptions.compile_seconds.offset, 24)

    def test_every_function_is_declared(self):
        lib = trawl.load()
        for name in trawl._SIGNATURES:
            self.assertIsNotNone(getattr(lib, name).argtypes, name)
        self.assertEqual(trawl.status_str(trawl.TRAWL_E_CORRUPT), "TRAWL_E_CORRUPT")
        self.assertRegex(trawl.version(), r"^\d+\.\d+\.\d+$")
        self.assertIn("engine", trawl.build_info())
        with self.assertRaises(ValueError):  # one libtrawl a process
            trawl.load(os.path.join(WORK, "other", "libtrawl.so"))


class ScanTest(unittest.TestCase):
    def test_finds_aws_key_id_at_exact_offsets(self):
        with trawl.Scanner(DB) as scanner:
            matches = scanner.scan(KEY_LINE)
        keys = [m for m in matches if m.rule_id == "aws-access-key-id"]
        self.assertEqual(len(keys), 1, matches)
        m = keys[0]
        self.assertEqual((m.start, m.end), (22, 42))
        self.assertEqual(m.data, b"AKIA64CFSUOSG2WPIZZX")
        self.assertEqual(KEY_LINE[m.start:m.end], m.data)
        self.assertEqual(m.captures, [(22, 42)])
        self.assertEqual(DB.rule(m.rule_index).id, "aws-access-key-id")
        self.assertEqual(matches.bytes_scanned, len(KEY_LINE))
        self.assertEqual(matches.truncation, 0)
        self.assertFalse(matches.stopped)

    def test_callback_stops_the_scan(self):
        text = b"AKIA64CFSUOSG2WPIZZX and AKIA64CFSUOSG2WPIZZA"
        seen = []
        with trawl.Scanner(DB) as scanner:
            self.assertEqual(len(scanner.scan(text)), 2)
            matches = scanner.scan(text, callback=lambda m: seen.append(m) or True)
        self.assertEqual(len(matches), 1)
        self.assertEqual(seen, list(matches))
        self.assertTrue(matches.stopped)
        self.assertTrue(matches.truncation & trawl.TRAWL_TRUNC_STOPPED)

    def test_callback_exception_is_raised_after_the_scan(self):
        def boom(_match):
            raise KeyError("from the callback")
        with trawl.Scanner(DB) as scanner:
            with self.assertRaises(KeyError):
                scanner.scan(KEY_LINE, callback=boom)
            self.assertEqual(len(scanner.scan(KEY_LINE)), 1)  # the scratch is usable again

    def test_limits_and_clone(self):
        with trawl.Scanner(DB) as scanner, scanner.clone() as other:
            matches = other.scan(b"AKIA64CFSUOSG2WPIZZX AKIA64CFSUOSG2WPIZZA", max_matches=1)
            self.assertEqual(len(matches), 1)
            self.assertTrue(matches.truncation & trawl.TRAWL_TRUNC_MATCH_CAP)
        self.assertEqual(trawl.Options.bounds("include_values"), (0, 1))


class BenchTest(unittest.TestCase):
    """trawl_db_bench and trawl_db_profile (experimental): what `trawl rules profile` prints."""

    def test_bench_measures_one_and_n_threads_on_the_scanners_matches(self):
        data = KEY_LINE * 200
        with trawl.Scanner(DB) as scanner:
            expected = len(scanner.scan(data, max_matches=0, max_matches_per_rule=0))
        report = DB.bench(data, threads=2, repetitions=1, top_rules=3, compile_seconds=1.5)
        self.assertEqual(report["schema"], "trawl.bench/1")
        self.assertEqual(report["rules"], len(DB))
        self.assertEqual(report["input_bytes"], len(data))
        self.assertEqual(report["compile_seconds"], 1.5)
        self.assertEqual(report["artifact_bytes"], len(DB.serialize()))
        self.assertGreater(report["load_ms"]["best"], 0)
        self.assertEqual([s["threads"] for s in report["scan"]], [1, 2])
        for scan in report["scan"]:
            self.assertEqual(scan["matches"], expected)
            self.assertGreater(scan["mb_per_s"], 0)
            self.assertGreater(scan["mb_per_cpu_s"], 0)
        self.assertEqual(report["profile"]["matches"], expected)
        costliest = report["profile"]["costliest_rules"]
        self.assertLessEqual(len(costliest), 3)
        self.assertIn("aws-access-key-id", [r["id"] for r in costliest])
        raw = DB.bench(b"", threads=1, repetitions=1, raw=True)
        self.assertIsInstance(raw, bytes)
        self.assertEqual(json.loads(raw)["scan"][0]["matches"], 0)

    def test_profile_names_the_rule_that_matched(self):
        profile = DB.profile(KEY_LINE * 10, top_rules=5)
        self.assertEqual(profile["input_bytes"], len(KEY_LINE) * 10)
        rules = {r["id"]: r for r in profile["costliest_rules"]}
        self.assertEqual(rules["aws-access-key-id"]["matches"], 10)

    def test_bench_refuses_bad_options(self):
        for settings in ({"compile_seconds": -1.0}, {"compile_seconds": float("nan")},
                         {"threads": 5000}):
            with self.assertRaises(trawl.TrawlError) as caught:
                DB.bench(KEY_LINE, repetitions=1, **settings)
            self.assertEqual(caught.exception.code, trawl.TRAWL_E_INVALID, settings)
        with trawl.Rules() as rules:
            rules.add_file(SECRETS)
            closed = trawl.Database.compile(rules)
        closed.close()
        with self.assertRaises(trawl.TrawlError):
            closed.bench(KEY_LINE)


class ErrorTest(unittest.TestCase):
    BAD = b'[{"id":"a","regex":"x"},{"id":"a","regex":"y"},{"id":"b"}]'

    def test_bad_rule_json_raises_parse_with_index(self):
        with trawl.Rules() as rules:
            with self.assertRaises(trawl.TrawlError) as cm:
                rules.add_json(self.BAD, name="bad.json")
            e = cm.exception
            self.assertEqual(e.code, trawl.TRAWL_E_PARSE)
            self.assertEqual(e.name, "TRAWL_E_PARSE")
            self.assertEqual(e.index, 2)
            self.assertGreater(e.offset, 0)
            self.assertIn("bad.json", e.message)
            self.assertIn("TRAWL_E_PARSE", str(e))
            # The good definition was still added; every problem is listed.
            self.assertEqual(len(rules), 1)
            issues = rules.issues()
            self.assertEqual(len(issues), 2)
            self.assertEqual((issues[0].code, issues[0].index), (trawl.TRAWL_E_PARSE, 2))
            self.assertIn("needs 'regex' or 'literal'", issues[0].message)
            self.assertIn("duplicate id", issues[1].message)
            self.assertEqual(issues[1].index, 1)  # the repeat's position in bad.json
        with trawl.Rules() as rules:
            rules.add_json(self.BAD, name="bad.json", strict=False)  # no raise
            self.assertEqual(len(rules.issues()), 2)
            with self.assertRaises(trawl.TrawlError) as cm:
                rules.add_file("/nonexistent/rules.json", strict=False)
            self.assertEqual(cm.exception.code, trawl.TRAWL_E_IO)

    def test_imported_rules_are_accounted_for(self):
        fixtures = os.path.join(ARGS.root, "tests", "rules", "importers")
        with trawl.Rules() as rules:
            with self.assertRaises(trawl.TrawlError) as cm:
                rules.add_file(os.path.join(fixtures, "fixture.yar"))  # one rule rejected
            self.assertIn("fixture.yar:23", cm.exception.message)
            rules.add_file(os.path.join(fixtures, "fixture.rules"), strict=False,
                           format="suricata")
            accounts = rules.accounts()
            self.assertEqual([(a.format, a.rules, a.exact, a.approximated, a.rejected)
                              for a in accounts],
                             [("yara", 5, 4, 0, 1), ("suricata", 6, 0, 3, 3)])
            self.assertEqual(len(rules.notes()), 3)
            self.assertIn("http_uri approximated", rules.notes()[1])
            exported = json.loads(rules.export_json())
            self.assertEqual(len(exported), len(rules))
            with self.assertRaises(trawl.TrawlError) as cm:
                rules.add_file(os.path.join(fixtures, "fixture.yar"), format="xml")
            self.assertEqual(cm.exception.code, trawl.TRAWL_E_UNSUPPORTED)

    def test_truncated_artifact_is_corrupt(self):
        blob = DB.serialize()
        with trawl.Database.load(blob) as copy:
            self.assertEqual(len(copy), len(DB))
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.Database.load(blob[: len(blob) // 2])
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_CORRUPT)
        self.assertEqual(cm.exception.name, "TRAWL_E_CORRUPT")
        path = os.path.join(WORK, "secrets.tdb")
        DB.save_file(path)
        with trawl.Database.load_file(path) as copy:
            self.assertEqual(copy.rule(0).id, DB.rule(0).id)
        with open(path, "r+b") as f:
            f.truncate(1000)
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.Database.load_file(path)
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_CORRUPT)
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.Database.load_file(os.path.join(WORK, "absent.tdb"))
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_IO)

    def test_freed_handles_are_refused_not_crashed(self):
        rules = trawl.Rules()
        rules.add_json(b'[{"id":"k","literal":"needle"}]')
        rules.close()
        rules.close()  # idempotent
        self.assertTrue(rules.closed)
        for use in (lambda: rules.add_json(b"[]"), lambda: len(rules), rules.issues,
                    lambda: trawl.Database.compile(rules), rules.__enter__):
            with self.assertRaises(trawl.TrawlError) as cm:
                use()
            self.assertEqual(cm.exception.code, trawl.TRAWL_E_INVALID)

        with trawl.Rules() as rules:
            rules.add_json(b'[{"id":"k","literal":"needle"}]')
            db = trawl.Database.compile(rules)
        scanner = trawl.Scanner(db)
        self.assertEqual(len(scanner.scan(b"a needle")), 1)
        db.close()  # closes the scanner first: a scratch must not outlive its database
        self.assertTrue(scanner.closed)
        for use in (lambda: scanner.scan(b"needle"), scanner.clone, lambda: db.rule(0),
                    db.serialize, lambda: trawl.Scanner(db),
                    lambda: trawl.package_analyze_file(db, SAMPLE)):
            with self.assertRaises(trawl.TrawlError) as cm:
                use()
            self.assertEqual(cm.exception.code, trawl.TRAWL_E_INVALID)
        scanner.close()
        with self.assertRaises(TypeError):
            trawl.Database()  # only compile/load make one
        with self.assertRaises(trawl.TrawlError) as cm:
            DB.rule(len(DB))
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_NOT_FOUND)
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.Options(no_such_option=1)
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_UNSUPPORTED)

    def test_compile_cache_dir_and_scan_plan_options(self):
        with tempfile.TemporaryDirectory() as cache:
            with trawl.Rules() as rules:
                rules.add_json(b'[{"id":"k","literal":"needle"},'
                               b'{"id":"r","regex":"key=[0-9]{4}"}]')
                db = trawl.Database.compile(rules, compile_cache_dir=cache)
                self.assertTrue(os.listdir(cache))  # partitions were cached
                old_layout = trawl.Database.compile(rules, scan_plan=0)
            data = b"needle key=1234"
            self.assertEqual(len(trawl.Scanner(db).scan(data)), 2)
            self.assertEqual(len(trawl.Scanner(old_layout).scan(data)), 2)

    def test_token_pass_and_default_region_options(self):
        with trawl.Rules() as rules:
            rules.add_json(b'[{"id":"md5","regex":"\\\\b([0-9a-f]{32})\\\\b",'
                           b'"token":{"shape":"hex","lengths":[32]}}]')
            by_tokens = trawl.Database.compile(rules)
            by_regex = trawl.Database.compile(rules, token_pass=0)
        self.assertEqual(by_tokens.rule(0).status, "token")
        self.assertEqual(by_regex.rule(0).status, "compiled")
        data = b"sum a4c4e72348111e01485652fe8a810b90 ok"
        for db in (by_tokens, by_regex):
            self.assertEqual([m.start for m in trawl.Scanner(db).scan(data)], [4])
        trawl.Options(default_region="GB")
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.Options(default_region="XX")
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_INVALID)

    def test_garbage_collected_handles_are_freed(self):
        # Dropping the last reference runs __del__; nothing to observe but the absence of
        # a crash (and, under ASan, of a double free).
        for _ in range(3):
            with trawl.Rules() as rules:
                rules.add_json(b'[{"id":"k","literal":"needle"}]')
                db = trawl.Database.compile(rules)
            trawl.Scanner(db).scan(b"needle")
            del db


class IndicatorTest(unittest.TestCase):
    def test_feed_compiles_updates_and_accounts_for_every_entry(self):
        feed = os.path.join(WORK, "feed.txt")
        with open(feed, "w") as f:
            f.write("nanopc.linkpc.net\n178.16.53.180:18041\nnot a value\n")
        with trawl.Rules() as rules:
            rules.add_file(os.path.join(ARGS.root, "rules", "pii.json"))
            with self.assertRaises(trawl.TrawlError) as ctx:
                rules.add_indicator_feed(feed, family="agenttesla")
            self.assertEqual(ctx.exception.code, trawl.TRAWL_E_PARSE)
            self.assertEqual(ctx.exception.index, 3)  # the line
            self.assertEqual(rules.indicator_count, 2)  # the good lines are kept
            db = trawl.Database.compile(rules)
        with db:
            self.assertEqual(db.indicator_count, 2)
            update = os.path.join(WORK, "update.csv")
            with open(update, "w") as f:
                f.write("ioc,family\nnew.evil.com,qbot\nnanopc.linkpc.net,x\nbad value,y\n")
            new_db, report = db.update_indicators([update], mode="add", feed="feed")
            with new_db:
                self.assertEqual(new_db.indicator_count, 3)
                entry = report["feeds"][0]
                self.assertEqual((entry["entries"], entry["loaded"], entry["duplicates"],
                                  entry["unsupported"]), (3, 1, 1, 1))
                self.assertEqual(sorted(i["line"] for i in entry["issues"]), [3, 4])
                self.assertEqual(new_db.describe()["indicators"]["count"], 3)
            with self.assertRaises(ValueError):
                db.update_indicators([update], mode="merge")
            with self.assertRaises(trawl.TrawlError) as ctx:
                db.update_indicators([os.path.join(WORK, "missing.txt")])
            self.assertEqual(ctx.exception.code, trawl.TRAWL_E_IO)


def _git(repo, *args, date=None):
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
               GIT_AUTHOR_NAME="Ada Lovelace", GIT_AUTHOR_EMAIL="ada@example.com",
               GIT_COMMITTER_NAME="Ada Lovelace", GIT_COMMITTER_EMAIL="ada@example.com")
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", "-C", repo, *args], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


@unittest.skipUnless(shutil.which("git"), "git is not installed")
class GitTest(unittest.TestCase):
    """A repository built here: a key added, then removed in a later commit."""

    @classmethod
    def setUpClass(cls):
        cls.repo = os.path.join(WORK, "git-repo")
        shutil.rmtree(cls.repo, ignore_errors=True)
        os.makedirs(cls.repo)
        _git(cls.repo, "init", "-q", "-b", "main")
        with open(os.path.join(cls.repo, "app.env"), "w") as f:
            f.write("aws_access_key_id = AKIA64CFSUOSG2WPIZZX\n")
        _git(cls.repo, "add", "-A")
        _git(cls.repo, "commit", "-q", "-m", "add", date="2021-01-02T03:04:05Z")
        cls.added = _git(cls.repo, "rev-parse", "HEAD")
        _git(cls.repo, "rm", "-q", "app.env")
        _git(cls.repo, "commit", "-q", "-m", "remove", date="2021-01-03T00:00:00Z")

    def test_removed_key_is_found_with_the_adding_commit(self):
        report = trawl.git_analyze(DB, self.repo)
        aws = [f for f in report["findings"] if f["rule"] == "aws-access-key-id"]
        self.assertEqual(len(aws), 1)
        origin = aws[0]["locations"][0]["git"][0]
        self.assertEqual(origin, {"commit": self.added, "path": "app.env",
                                  "author": "Ada Lovelace <ada@example.com>",
                                  "date": "2021-01-02T03:04:05Z"})
        sarif = trawl.git_analyze(DB, self.repo, format="sarif")
        result = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "aws-access-key-id"][0]
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        self.assertEqual(artifact, {"uri": "app.env", "uriBaseId": "%SRCROOT%"})
        self.assertEqual(result["properties"]["commit"], self.added)

    def test_since_and_branch_and_staged(self):
        self.assertEqual(len(trawl.git_decompose(self.repo)["components"]), 2)  # blob + root
        later = trawl.git_decompose(self.repo, since="2021-01-03")
        self.assertEqual(len(later["components"]), 1)  # the removal adds no blob
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.git_decompose(self.repo, since="last tuesday")
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_INVALID)
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.git_decompose(self.repo, branch="nope")
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_NOT_FOUND)
        staged = trawl.git_decompose(self.repo, staged=True)
        self.assertEqual(len(staged["components"]), 1)  # nothing staged

    def test_stages_equal_one_call(self):
        directory = os.path.join(WORK, "git-stage1")
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        manifest = trawl.git_decompose_to_directory(self.repo, directory, raw=True)
        work = trawl.manifest_work(manifest)
        results = []
        for component in work["components"]:
            with open(os.path.join(directory, component["id"]), "rb") as f:
                results.append(trawl.component_analyze(DB, manifest, component["id"], f.read(),
                                                       raw=True))
        self.assertEqual(trawl.report_aggregate(manifest, results, raw=True),
                         trawl.git_analyze(DB, self.repo, raw=True))
        plans = trawl.git_classify(self.repo, DB)
        self.assertEqual(len(plans["plans"]), 2)

    def test_not_a_repository(self):
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.git_analyze(DB, WORK)
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_IO)
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.git_analyze_summary(DB, WORK)
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_IO)

    def test_summary_counts_the_removed_key_for_a_gate(self):
        report, summary = trawl.git_analyze_summary(DB, self.repo, raw=True)
        self.assertEqual(report, trawl.git_analyze(DB, self.repo, raw=True))
        parsed = json.loads(report)
        by_severity = {s: 0 for s in trawl.SEVERITIES}
        for f in parsed["findings"]:
            by_severity[f["severity"]] += 1
        self.assertEqual(summary.active, by_severity)
        self.assertEqual(summary.active["high"], 1)  # the key of the "add" commit
        self.assertTrue(summary.complete)
        self.assertEqual(summary.suppressed, 0)
        self.assertEqual(summary.components, 2)  # the repository, the key's blob
        self.assertEqual(summary.at_or_above("high"), 1)  # --fail-on high fails
        self.assertEqual(summary.at_or_above("critical"), 0)  # --fail-on critical passes
        # A pre-commit hook: the index holds no key (it was removed), nothing to fail on.
        _, staged = trawl.git_analyze_summary(DB, self.repo, staged=True)
        self.assertEqual(staged.at_or_above("info"), 0)
        sarif, _ = trawl.git_analyze_summary(DB, self.repo, format="sarif", since="2021-01-03")
        self.assertEqual(sarif["runs"][0]["results"], [])  # the removal adds no blob


class InputsTest(unittest.TestCase):
    """Several inputs as one package (package_analyze_inputs): a directory, a file, an
    archive and bytes, each accounted for in the manifest, counted in the summary."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=WORK)
        self.tree = os.path.join(self.dir, "tree")
        os.makedirs(os.path.join(self.tree, "sub"))
        with open(os.path.join(self.tree, "sub", "app.env"), "w") as f:
            f.write("aws_access_key_id = AKIA64CFSUOSG2WPIZZX\n")
        with open(os.path.join(self.tree, "notes.txt"), "w") as f:
            f.write("nothing here\n")
        self.file = os.path.join(self.dir, "ci.sh")
        with open(self.file, "w") as f:
            f.write("export AWS_ACCESS_KEY_ID=AKIAZ7RTPQ4MLK2HVW3N\n")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_every_input_is_in_the_report(self):
        stdin = b"from stdin: AKIAQ3N7T5W2XJ4KM6PB\n"
        report, summary = trawl.package_analyze_inputs(
            DB, [self.tree, self.file, SAMPLE, stdin, ("piped.txt", b"nothing")])
        paths = [c["path"] for c in report["components"]]
        for expected in ("tree/sub/app.env", "tree/notes.txt", "ci.sh", "stdin", "piped.txt"):
            self.assertTrue(any(p.endswith(expected) for p in paths), (expected, paths))
        self.assertTrue(any("sample-package.tar.gz!/" in p for p in paths), paths)
        self.assertEqual(summary.components, len(report["components"]))
        self.assertTrue(summary.complete)
        aws = [f for f in report["findings"] if f["rule"] == "aws-access-key-id"]
        # The tree's key, the file's, stdin's and the sample package's own.
        located = {loc["path"].split("/")[-1] for f in aws for loc in f["locations"]}
        self.assertTrue({"app.env", "ci.sh", "stdin"} <= located, located)
        by_severity = {s: 0 for s in trawl.SEVERITIES}
        for f in report["findings"]:
            by_severity[f["severity"]] += 1
        self.assertEqual(summary.active, by_severity)
        self.assertGreaterEqual(summary.at_or_above("high"), 4)

    def test_excludes(self):
        """.trawlignore and the exclude setting leave paths out, counted on the root."""
        with open(os.path.join(self.tree, ".trawlignore"), "w") as f:
            f.write("sub/\n")
        report, _ = trawl.package_analyze_inputs(DB, [self.tree], exclude="notes.txt\n")
        paths = [c["path"] for c in report["components"]]
        self.assertEqual(paths, ["tree!/.trawlignore", "tree"])
        root = [c for c in report["manifest"]["components"] if c["path"] == "tree"][0]
        self.assertEqual(root["reason"],
                         "1 path(s) left out by --exclude notes.txt; 1 by .trawlignore:1")

    def test_one_file_is_package_analyze_file(self):
        alone, _ = trawl.package_analyze_inputs(DB, [SAMPLE], raw=True)
        self.assertEqual(alone, trawl.package_analyze_file(DB, SAMPLE, raw=True))

    def test_errors(self):
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.package_analyze_inputs(DB, [os.path.join(self.dir, "missing")])
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_IO)
        self.assertIn("No such file or directory", cm.exception.message)
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.package_analyze_inputs(DB, [])
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_INVALID)
        with self.assertRaises(TypeError):
            trawl.package_analyze_inputs(DB, self.file)

    @unittest.skipUnless(shutil.which("git"), "git is not installed")
    def test_git_ignore_rules_unless_no_ignore(self):
        _git(self.tree, "init", "-q")
        with open(os.path.join(self.tree, ".gitignore"), "w") as f:
            f.write("*.env\n")
        _, summary = trawl.package_analyze_inputs(DB, [self.tree])
        self.assertEqual(summary.at_or_above("high"), 0)
        report, summary = trawl.package_analyze_inputs(DB, [self.tree], no_ignore=True)
        self.assertEqual(summary.at_or_above("high"), 1)
        self.assertIn("tree!/sub/app.env", [c["path"] for c in report["components"]])


class PackageTest(unittest.TestCase):
    def test_analyze_finds_aws_key_with_json_pointer(self):
        report = trawl.package_analyze_file(DB, SAMPLE)
        self.assertEqual(report["schema"], "trawl.report/1")
        self.assertTrue(report["complete"])
        aws = [f for f in report["findings"] if f["rule"] == "aws-access-key-id"]
        self.assertEqual(len(aws), 1)
        pointers = [loc for loc in aws[0]["locations"] if "json_pointer" in loc]
        self.assertTrue(pointers, aws[0]["locations"])
        self.assertTrue(pointers[0]["json_pointer"].startswith("/"))
        self.assertTrue(pointers[0]["path"].endswith("billing/config/app.json"))

    def test_inflight_bound_keeps_the_report(self):
        # Analysing in batches of at most one byte held (each component at once) gives the
        # same report; the bound is an option with its bounds.
        whole = trawl.package_analyze_file(DB, SAMPLE, raw=True, max_inflight_bytes=0)
        batched = trawl.package_analyze_file(DB, SAMPLE, raw=True, max_inflight_bytes=1)
        self.assertEqual(whole, batched)
        self.assertEqual(trawl.Options.bounds("max_inflight_bytes")[0], 0)

    def test_sarif_and_table(self):
        sarif = trawl.package_analyze_file(DB, SAMPLE, format="sarif")
        self.assertEqual(sarif["version"], "2.1.0")
        results = sarif["runs"][0]["results"]
        self.assertIn("aws-access-key-id", {r["ruleId"] for r in results})
        raw = trawl.package_analyze_file(DB, SAMPLE, format="sarif", raw=True)
        self.assertEqual(json.loads(raw), sarif)
        table = trawl.package_analyze_file(DB, SAMPLE, format="table")
        self.assertIsInstance(table, str)
        self.assertIn("aws-access-key-id", table)
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.package_analyze_file(DB, SAMPLE, format="xml")
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_UNSUPPORTED)

    def test_option_files(self):
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.package_analyze_file(DB, SAMPLE, policy=os.path.join(WORK, "absent.json"))
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_IO)
        self.assertIn("policy", cm.exception.message)
        policy = os.path.join(WORK, "policy.json")
        with open(policy, "w") as f:
            json.dump(trawl.policy_default(), f)
        with trawl.Options(policy=policy) as options:
            self.assertEqual(trawl.package_analyze_file(DB, SAMPLE, options=options, raw=True),
                             trawl.package_analyze_file(DB, SAMPLE, raw=True))
        with self.assertRaises(TypeError):
            trawl.package_analyze_file(DB, SAMPLE, options=trawl.Options(), policy=policy)

    def test_decompose(self):
        manifest = trawl.package_decompose_file(SAMPLE)
        self.assertEqual(manifest["schema"], "trawl.manifest/1")
        paths = json.dumps(manifest)
        self.assertIn("archive.zip!/2026/old.log", paths)
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.package_decompose_file(os.path.join(WORK, "absent.tar.gz"))
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_IO)

    def test_packages_in_memory(self):
        # The bytes of a package give the file's documents, given the file's name.
        with open(SAMPLE, "rb") as f:
            package = f.read()
        name = os.path.basename(SAMPLE)
        self.assertEqual(trawl.package_decompose(package, package_name=name),
                         trawl.package_decompose_file(SAMPLE))
        unnamed = trawl.package_decompose(package)
        self.assertEqual(unnamed["package_name"], unnamed["package_id"])
        self.assertEqual(trawl.package_classify(package, db=DB, package_name=name, raw=True),
                         trawl.package_classify_file(SAMPLE, db=DB, raw=True))
        self.assertEqual(trawl.package_analyze(DB, package, package_name=name, raw=True),
                         trawl.package_analyze_file(DB, SAMPLE, raw=True))

    def test_carving_limits(self):
        # A gzip stream embedded at offset 1000 of a binary is carved unless a limit says no.
        import gzip
        path = os.path.join(WORK, "firmware.bin")
        with open(path, "wb") as f:
            f.write(bytes(i % 251 for i in range(1000)) + gzip.compress(b"key=carved\n")
                    + bytes(100))
        carved = "firmware.bin!@1000.gz!/"
        paths = [c["path"] for c in trawl.package_decompose_file(path)["components"]]
        self.assertTrue(any(p.startswith(carved) for p in paths), paths)
        for name, value in (("max_carve_depth", 0), ("max_carve_scan_bytes", 500)):
            manifest = trawl.package_decompose_file(path, **{name: value})
            self.assertEqual(manifest["limits"][name], value)
            self.assertEqual([c["path"] for c in manifest["components"]], ["firmware.bin"])
        self.assertEqual(trawl.Options.bounds("max_carves_per_component"), (0, 2**32 - 1))

    def test_intake_limits(self):
        # Each safety limit is settable by its manifest name and is echoed in the manifest.
        manifest = trawl.package_decompose_file(SAMPLE, max_entries=1)
        self.assertEqual(manifest["limits"]["max_entries"], 1)
        self.assertEqual(manifest["stopped_by"], "max_entries")
        self.assertFalse(manifest["complete"])
        manifest = trawl.package_decompose_file(SAMPLE, max_depth=0)
        self.assertEqual([c["path"] for c in manifest["components"]],
                         [os.path.basename(SAMPLE)])
        for name in ("max_total_bytes", "max_expansion_ratio", "ratio_grace_bytes",
                     "max_path_length", "max_component_bytes"):
            limits = trawl.package_decompose_file(SAMPLE, **{name: 12345})["limits"]
            self.assertEqual(limits[name], 12345)
        self.assertEqual(trawl.Options.bounds("max_depth"), (0, 64))

    def test_stages_equal_one_call_byte_for_byte(self):
        one_call = trawl.package_analyze_file(DB, SAMPLE, raw=True)
        parts = tempfile.mkdtemp(prefix="parts-", dir=WORK)
        manifest = trawl.package_decompose_to_directory(SAMPLE, parts, raw=True)
        with open(os.path.join(parts, "manifest.json"), "rb") as f:
            self.assertEqual(json.loads(f.read()), json.loads(manifest))
        work = trawl.manifest_work(manifest)
        self.assertEqual(work["schema"], "trawl.work/1")
        results = []
        for component in work["components"]:
            with open(os.path.join(parts, component["id"]), "rb") as f:
                content = f.read()
            plan = trawl.component_plan(manifest, component["id"], content, db=DB)
            self.assertEqual(plan["schema"], "trawl.plan/1")
            results.append(trawl.component_analyze(DB, manifest, component["id"], content,
                                                   raw=True))
        self.assertEqual(len(results), 8)
        # Any order, duplicates allowed (an at-least-once queue).
        staged = trawl.report_aggregate(manifest, list(reversed(results)) + results[:2], raw=True)
        self.assertEqual(staged, one_call)
        self.assertEqual(trawl.report_aggregate(manifest, [json.loads(r) for r in results]),
                         json.loads(one_call))

        # A missing result makes the report incomplete; a bad one names its index.
        self.assertFalse(trawl.report_aggregate(manifest, results[1:])["complete"])
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.report_aggregate(manifest, [results[0], b'{"schema":"trawl.component_result/1"}'])
        self.assertEqual((cm.exception.code, cm.exception.index), (trawl.TRAWL_E_PARSE, 1))
        first = work["components"][0]["id"]
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.component_analyze(DB, manifest, first, b"other bytes")
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_MISMATCH)
        with self.assertRaises(trawl.TrawlError) as cm:
            trawl.component_plan(manifest, "nope", b"")
        self.assertEqual(cm.exception.code, trawl.TRAWL_E_NOT_FOUND)

    def test_example_stages_mode(self):
        if ARGS.installed:
            self.skipTest("the example runs from the repository's python/")
        example = os.path.join(ARGS.root, "examples", "python", "analyze_package.py")
        proc = subprocess.run(
            [sys.executable, example, "--library", ARGS.library, "--rules", SECRETS,
             "--stages", SAMPLE], capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("identical", proc.stdout)


class DistributionTest(unittest.TestCase):
    def test_version_is_the_librarys_and_the_projects(self):
        with open(os.path.join(ARGS.root, "CMakeLists.txt")) as f:
            project = re.search(r"project\(trawl VERSION ([0-9.]+)", f.read()).group(1)
            f.seek(0)
            abi = re.search(r"set\(TRAWL_ABI_VERSION ([0-9]+)\)", f.read()).group(1)
        self.assertEqual(trawl.__version__, project)
        self.assertEqual(trawl.version(), trawl.__version__)
        self.assertEqual(trawl.ABI_VERSION, int(abi))


class _RecordingReader(io.RawIOBase):
    """A file whose reads are recorded: scan_file must never ask for more than a chunk."""

    def __init__(self, path):
        self._file = open(path, "rb")
        self.sizes = []

    def readable(self):
        return True

    def readinto(self, buffer):
        self.sizes.append(len(buffer))
        return self._file.readinto(buffer)

    def close(self):
        self._file.close()
        super().close()


class StreamTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Keys at chunk boundaries and one beyond the first MiB.
        cls.path = os.path.join(WORK, "stream.log")
        with open(cls.path, "wb") as f:
            for i in range(60000):
                f.write(b"line %d of filler text\n" % i)
                if i % 20000 == 7:
                    f.write(KEY_LINE)
        with open(cls.path, "rb") as f:
            cls.data = f.read()
        with trawl.Scanner(DB) as scanner:
            cls.expected = [(m.rule_id, m.start, m.end, m.data) for m in scanner.scan(cls.data)]

    def test_scan_file_equals_one_buffer_scan_at_every_chunk_size(self):
        self.assertGreaterEqual(len(self.expected), 3)
        for chunk_size in (4093, 1 << 20):
            got = trawl.scan_file(DB, self.path, chunk_size=chunk_size)
            self.assertEqual([(m.rule_id, m.start, m.end, m.data) for m in got], self.expected,
                             chunk_size)
            self.assertEqual(got.bytes_scanned, len(self.data))
        # Tiny chunks over the file's start (a key at line 7).
        head = os.path.join(WORK, "stream_head.log")
        with open(head, "wb") as f:
            f.write(self.data[:4096])
        expected = [e for e in self.expected if e[2] <= 4096]
        self.assertEqual(len(expected), 1)
        for chunk_size in (1, 7):
            got = trawl.scan_file(DB, head, chunk_size=chunk_size)
            self.assertEqual([(m.rule_id, m.start, m.end, m.data) for m in got], expected)

    def test_reads_in_chunks_only(self):
        reader = _RecordingReader(self.path)
        with reader:
            got = trawl.scan_fileobj(DB, reader, chunk_size=64 * 1024)
        self.assertEqual(len(got), len(self.expected))
        self.assertGreater(len(reader.sizes), len(self.data) // (64 * 1024))
        self.assertEqual(max(reader.sizes), 64 * 1024)

    def test_stream_writes_split_a_match(self):
        key = KEY_LINE.split(b"= ")[1].strip()
        with trawl.Stream(DB) as stream:
            first = stream.write(b"x aws_access_key_id = " + key[:9])
            second = stream.write(bytearray(key[9:] + b"\n"))
            tail = stream.finish()
            self.assertEqual([m.data for m in first + second + tail], [key])
            self.assertEqual(tail.bytes_scanned, len(KEY_LINE))
            with self.assertRaises(trawl.TrawlError) as cm:
                stream.write(b"more")
            self.assertEqual(cm.exception.code, trawl.TRAWL_E_STATE)

    def test_composite_rule_across_the_file_is_exact_when_held_whole(self):
        # Pattern a is one the engine cannot take ("x\\zy" in an alternation): it is
        # searched where the rule's other pattern matched, in the bytes the scan holds.
        with trawl.Rules() as rules:
            rules.add_json(b'[{"id":"far","patterns":[{"name":"a","regex":"x\\\\zy|wor[dl]"},'
                           b'{"name":"b","literal":"hidden"}],"condition":"all of them"}]')
            db = trawl.Database.compile(rules)
        try:
            self.assertEqual([r.status for r in db.rules()],
                             ["composite", "confirm-only", "compiled"])
            path = os.path.join(WORK, "far.log")
            with open(path, "wb") as f:
                f.write(b"world\n" + b"filler line\n" * 400000 + b"hidden\n")
            whole = trawl.scan_file(db, path, chunk_bytes=1 << 16)
            self.assertEqual([(m.rule_id, m.start) for m in whole], [("far", 0)])
            self.assertEqual(whole.truncation, 0)
            for limit in (0, 1 << 20):  # never held, or larger than the limit: streamed
                streamed = trawl.scan_file(db, path, whole_limit=limit, chunk_bytes=1 << 16)
                self.assertEqual(list(streamed), [])
                self.assertEqual(streamed.truncation, trawl.TRAWL_TRUNC_UNPLACED)
            # A FIFO: held whole, or streamed on from the bytes read (it cannot seek back).
            fifo = os.path.join(WORK, "far.fifo")
            os.mkfifo(fifo)
            with open(path, "rb") as f:
                content = f.read()
            for limit, expected in ((trawl.streaming.WHOLE_LIMIT, [("far", 0)]), (1 << 20, [])):
                writer = threading.Thread(target=lambda: open(fifo, "wb").write(content))
                writer.start()
                got = trawl.scan_file(db, fifo, whole_limit=limit, chunk_bytes=1 << 16)
                writer.join()
                self.assertEqual([(m.rule_id, m.start) for m in got], expected, limit)
                self.assertEqual(got.bytes_scanned, len(content))
        finally:
            db.close()

    def test_required_keyword_far_from_the_match_is_found(self):
        # Through the C ABI's stream: the keyword lies megabytes before the match, in
        # bytes the stream let go long before it ends.
        with trawl.Rules() as rules:
            rules.add_json(b'[{"id":"kw","regex":"tok_[a-z0-9]{8}","required_keywords":["zebra"]}]')
            db = trawl.Database.compile(rules)
        try:
            path = os.path.join(WORK, "keyword.log")
            for keyword, expected in ((b"ZEBRA", ["kw"]), (b"zebr.", [])):
                with open(path, "wb") as f:
                    f.write(b"a " + keyword + b" line\n" + b"filler line\n" * 400000 + b"tok_abcd1234\n")
                got = trawl.scan_file(db, path, chunk_size=1 << 16, chunk_bytes=1 << 16)
                self.assertEqual([m.rule_id for m in got], expected, keyword)
                self.assertEqual(got.truncation, 0)
                with open(path, "rb") as f:
                    self.assertEqual([m.rule_id for m in trawl.Scanner(db).scan(f.read())], expected)
        finally:
            db.close()

    def test_callback_stops_the_scan(self):
        seen = []
        got = trawl.scan_file(DB, self.path, chunk_size=4096,
                              callback=lambda m: seen.append(m) or True)
        self.assertTrue(got.stopped)
        self.assertEqual(len(seen), 1)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]] + UNITTEST_ARGS, verbosity=2)
