#!/usr/bin/env python3
"""Compares the findings of two `trawl analyze --format json` reports of one package,
location by location: rule, component path, span, line, column, decoded form, and
separately the JSON pointer and the confidence. Prints what differs; exits 1 when a
location is in one report only.

    bench/compare_findings.py REFERENCE.json OTHER.json
"""
import json
import sys


def locations(report):
    out = {}
    for f in report["findings"] + report.get("suppressed", []):
        for loc in f["locations"]:
            key = (f["rule"], loc["path"], loc["start"], loc["end"], loc.get("line"),
                   loc.get("column"), loc.get("decoded_from", ""))
            out[key] = (loc.get("json_pointer", ""), f["confidence"])
    return out


def main():
    ref, other = (json.load(open(p)) for p in sys.argv[1:3])
    a, b = locations(ref), locations(other)
    print(f"locations: {len(a)} in the reference, {len(b)} in the other; "
          f"findings (rule, value): {len(ref['findings'])} / {len(other['findings'])}")
    only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    print(f"only in the reference: {len(only_a)} {only_a[:5]}")
    print(f"only in the other: {len(only_b)} {only_b[:5]}")
    both = set(a) & set(b)
    pointers = sum(1 for k in both if a[k][0] != b[k][0])
    confidence = [k for k in both if a[k][1] != b[k][1]]
    print(f"same location, JSON pointer differs: {pointers}; confidence differs: "
          f"{len(confidence)} (in {sorted({k[1] for k in confidence})})")
    for c1, c2 in zip(ref["components"], other["components"]):
        if c1 != c2:
            print("component result differs:\n  ", json.dumps(c1), "\n  ", json.dumps(c2))
    return 1 if only_a or only_b else 0


if __name__ == "__main__":
    sys.exit(main())
