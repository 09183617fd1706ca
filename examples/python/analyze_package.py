#!/usr/bin/env python3
"""analyze_package.py - analyse a data package with trawl from Python (ctypes, stdlib only).

Usage (the library is found as trawl finds it: TRAWL_LIBRARY, this checkout's build/,
then the installed one):
  python3 examples/python/analyze_package.py [--rules FILE]... [--db FILE.tdb]
          [--format json|table|sarif] [--top N] [--policy F] [--suppressions F]
          [--baseline F] [--stages] PACKAGE

Compiles the rule files (default: rules/secrets.json and rules/pii.json next to this
repository) or loads a compiled .tdb, analyses PACKAGE in one call and prints the top
findings. --format table or sarif prints that rendering instead.

--stages runs the four stages one by one through the C API, as a distributed pipeline
would (docs/stages.md): decompose to a temporary directory, the work list, plan and
analyse each component from its file, aggregate. It then checks that the report is
byte-for-byte the one-call report and exits 1 if not.

Exit status: 0 on success, 1 on a stage mismatch, 2 on a trawl error.
"""

import argparse
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The repository's python/trawl when run from a checkout; else the installed package.
if os.path.isdir(os.path.join(ROOT, "python", "trawl")):
    sys.path.insert(0, os.path.join(ROOT, "python"))
import trawl  # noqa: E402


def open_database(args) -> trawl.Database:
    """A compiled .tdb when --db is given, otherwise the rule files compiled now."""
    if args.db:
        return trawl.Database.load_file(args.db)
    files = args.rules or [os.path.join(ROOT, "rules", "secrets.json"),
                           os.path.join(ROOT, "rules", "pii.json")]
    with trawl.Rules() as rules:
        for path in files:
            rules.add_file(path)
        return trawl.Database.compile(rules)


def run_stages(db: trawl.Database, package: str, settings: dict) -> bytes:
    """The four stages, each from the previous stage's stored output. Returns the report."""
    with tempfile.TemporaryDirectory(prefix="trawl-stages-") as parts:
        # 1 intake: the manifest and one file per component, named by its id.
        trawl.package_decompose_to_directory(package, parts)
        with open(os.path.join(parts, "manifest.json"), "rb") as f:
            manifest = f.read()
        results = []
        for component in trawl.manifest_work(manifest)["components"]:
            with open(os.path.join(parts, component["id"]), "rb") as f:
                content = f.read()
            # 2 classify, then 3 analyse; a pipeline would route heavy tiers elsewhere.
            plan = trawl.component_plan(manifest, component["id"], content, db=db)
            result = trawl.component_analyze(db, manifest, component["id"], content,
                                             raw=True, **settings)
            print(f"  {plan['tier']:5}  {component['path']}", file=sys.stderr)
            results.append(result)
        # 4 aggregate.
        return trawl.report_aggregate(manifest, results, raw=True, **settings)


def print_top(report: dict, top: int) -> None:
    summary = report["summary"]
    print(f"package {report['package_name']}  ({summary['components']} components, "
          f"{summary['findings']} findings, {summary['suppressed']} suppressed)"
          f"{'' if report['complete'] else '  INCOMPLETE'}")
    print(f"package score {report['package_score']['score']}\n")
    print(f"{'#':4} {'priority':8} {'severity':8} {'rule':26} where")
    for n, finding in enumerate(report["findings"][:top], 1):
        loc = finding["locations"][0]
        where = loc["path"]
        if "json_pointer" in loc:
            where += " " + loc["json_pointer"]
        elif "line" in loc:
            where += f":{loc['line']}:{loc.get('column', 0)}"
        else:
            where += f" @{loc['start']}"
        more = len(finding["locations"]) - 1
        if more:
            where += f" (+{more} more)"
        print(f"{n:<4} {finding['priority']:<8.2f} {finding['severity']:8} "
              f"{finding['rule']:26} {where}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package")
    parser.add_argument("--library", help="path of libtrawl.so (default: $TRAWL_LIBRARY)")
    parser.add_argument("--rules", action="append", help="rule file (repeatable)")
    parser.add_argument("--db", help="a compiled database (.tdb) instead of --rules")
    parser.add_argument("--format", choices=["json", "table", "sarif"], default=None)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--policy")
    parser.add_argument("--suppressions")
    parser.add_argument("--baseline")
    parser.add_argument("--stages", action="store_true",
                        help="run the four stages and compare with the one-call report")
    args = parser.parse_args()

    trawl.load(args.library)
    settings = {"policy": args.policy, "suppressions": args.suppressions,
                "baseline": args.baseline}
    settings = {k: v for k, v in settings.items() if v}
    try:
        with open_database(args) as db:
            if args.stages:
                one_call = trawl.package_analyze_file(db, args.package, raw=True, **settings)
                staged = run_stages(db, args.package, settings)
                if staged != one_call:
                    print(f"MISMATCH: stages gave {len(staged)} bytes, one call "
                          f"{len(one_call)}", file=sys.stderr)
                    return 1
                print(f"stages == one call: {len(staged)} bytes, identical")
                return 0
            if args.format:
                out = trawl.package_analyze_file(db, args.package, format=args.format,
                                                 raw=True, **settings)
                sys.stdout.write(out.decode("utf-8"))
                return 0
            print_top(trawl.package_analyze_file(db, args.package, **settings), args.top)
            return 0
    except trawl.TrawlError as e:
        where = f" (index {e.index})" if e.index >= 0 else ""
        print(f"trawl: {e}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
