#!/usr/bin/env python3
"""Checks that `trawl scan` finds the seeded positives of bench_mixed_16MiB.bin.

Each seed is (offset, length, seeded_from): the bytes at [offset, offset+length) were
planted from rule `seeded_from`. A seed counts as found when that rule reports a match
overlapping the planted span. Seeds whose rule is not in the database, or was rejected at
compile time, are reported separately, not counted as misses.

    bench/check_seeds.py TRAWL DB INPUT SEEDS.tsv
    bench/check_seeds.py TRAWL --rules RULES.tsv INPUT SEEDS.tsv

With --rules, only the seeded rules of RULES.tsv are compiled (matching is per rule, so
a rule finds the same matches alone as in the full set). This keeps the check fast on
sets such as mix65k, whose IDS fragments match tens of millions of times on this input.
"""
import collections
import json
import subprocess
import sys


def subset_db(trawl, rules_path, seeds_path):
    import os
    import tempfile
    with open(seeds_path) as f:
        next(f)
        wanted = {line.rstrip("\n").split("\t")[2] for line in f}
    tmp = tempfile.mkdtemp()
    subset = os.path.join(tmp, "seeded.tsv")
    with open(rules_path) as src, open(subset, "w") as out:
        out.write(next(src))
        for line in src:
            if line.split("\t", 1)[0] in wanted:
                out.write(line)
    db = os.path.join(tmp, "seeded.tdb")
    subprocess.run([trawl, "compile", subset, "-o", db], check=True)
    return db


def main():
    if sys.argv[2] == "--rules":
        trawl, _, rules_path, data, seeds_path = sys.argv[1:6]
        db = subset_db(trawl, rules_path, seeds_path)
    else:
        trawl, db, data, seeds_path = sys.argv[1:5]
    info = json.loads(subprocess.run([trawl, "db", "info", db, "--rules"], check=True,
                                     capture_output=True, text=True).stdout)
    status = {r["id"]: r["status"] for r in info["rule_status"]}
    scan = subprocess.run([trawl, "scan", "--db", db, "--max-matches", "0",
                           "--max-matches-per-rule", "0", data],
                          check=True, capture_output=True, text=True)
    spans = collections.defaultdict(list)
    for line in scan.stdout.splitlines():
        m = json.loads(line)
        spans[m["rule"]].append((m["start"], m["end"]))
    found = missed = not_in_db = rejected = 0
    misses = []
    with open(seeds_path) as f:
        next(f)
        for line in f:
            offset, length, rule = line.rstrip("\n").split("\t")
            start, end = int(offset), int(offset) + int(length)
            if rule not in status:
                not_in_db += 1
            elif status[rule] == "rejected":
                rejected += 1
            elif any(s < end and e > start for s, e in spans.get(rule, ())):
                found += 1
            else:
                missed += 1
                misses.append((rule, start, end))
    print(f"seeds: {found} found, {missed} missed, {rejected} from rejected rules, "
          f"{not_in_db} from rules not in this database")
    for rule, start, end in misses[:20]:
        print(f"  missed {rule} at [{start}, {end})")
    return 0 if missed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
