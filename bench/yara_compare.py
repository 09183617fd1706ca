#!/usr/bin/env python3
"""The imported YARA signature-base rules against the `yara` CLI (Debian `yara` 4.2.3).

1. `trawl rules import` the signature-base files, `trawl compile` them.
2. `yara` compiles every file that it can alone (some need external variables), all of
   them together with one namespace per file.
3. Both scan the same inputs; per input, the set of rule names each reports is compared
   over the rules both have and that trawl imported exactly (rules imported with an
   approximation are counted separately: they may differ by design).
4. Whole-process time of one scan of a big input (default: bench_mixed_16MiB.bin 8 times,
   128 MiB), trawl (load artifact + scan) against yara with precompiled rules
   (`yarac`, so neither side compiles), median of N runs in alternation.

usage: bench/yara_compare.py --trawl build/trawl [--work DIR] [--runs N] [INPUT...]
(inputs default to the corpus scan inputs and the signature-base rule files themselves,
which contain many of the rules' own strings.)
"""
import argparse
import collections
import glob
import json
import os
import statistics
import subprocess
import sys
import time

from shared_dir import default_shared

SHARED = default_shared()


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trawl", required=True)
    ap.add_argument("--shared", default=SHARED)
    ap.add_argument("--work", default="/tmp/trawl_yara_compare")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--big-copies", type=int, default=8)
    ap.add_argument("inputs", nargs="*")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    src = os.path.join(a.shared, "corpus", "sources", "yara-signature-base", "yara")
    files = sorted(glob.glob(os.path.join(src, "*.yar*")))
    scan_root = os.path.join(a.shared, "corpus", "scan_inputs")
    inputs = a.inputs or (sorted(p for p in glob.glob(os.path.join(scan_root, "**", "*"),
                                                      recursive=True)
                                 if os.path.isfile(p) and not p.endswith(".json"))
                          + files)

    # trawl: import and compile.
    rules_json = os.path.join(a.work, "sigbase.json")
    db = os.path.join(a.work, "sigbase.tdb")
    imp = run([a.trawl, "rules", "import", *files, "-o", rules_json])
    print(imp.stderr.decode().splitlines()[-1], file=sys.stderr)
    t = time.monotonic()
    comp = run([a.trawl, "compile", rules_json, "-o", db, "--threads", "2"])
    compile_s = time.monotonic() - t
    if not os.path.exists(db):
        sys.exit("trawl compile failed: " + comp.stderr.decode()[-2000:])
    exact, approx = set(), set()
    for d in json.load(open(rules_json)):
        name = d["id"][len("yara."):]
        if "/" in name:
            continue  # a repeated name: yara keeps them apart by namespace, we by renaming
        (approx if "[imported with approximations" in d.get("description", "") else exact).add(name)

    # yara: the files it compiles alone; then all of them, one namespace each.
    yara_files = [f for f in files if run(["yara", "-w", f, "/dev/null"]).returncode == 0]
    args = [f"ns{i}:{f}" for i, f in enumerate(yara_files)]
    compiled = os.path.join(a.work, "sigbase.yarc")
    t = time.monotonic()
    yc = run(["yarac", "-w", *args, compiled])
    yarac_s = time.monotonic() - t
    if yc.returncode != 0:
        sys.exit("yarac failed: " + yc.stderr.decode()[-2000:])

    # Per input: rule names each reports.
    found_yara = collections.defaultdict(set)
    found_trawl = collections.defaultdict(set)
    for chunk in range(0, len(inputs), 200):
        batch = inputs[chunk:chunk + 200]
        for path in batch:
            y = run(["yara", "-w", "-C", compiled, path])
            for line in y.stdout.decode(errors="replace").splitlines():
                rule, _, target = line.partition(" ")
                found_yara[target].add(rule)
        tr = run([a.trawl, "scan", "--db", db, *batch])
        for line in tr.stdout.decode(errors="replace").splitlines():
            m = json.loads(line)
            found_trawl[m["input"]].add(m["rule"][len("yara."):].split("/")[0])
    yara_names = set()
    for f in yara_files:  # rule names yara has
        for line in open(f, errors="replace"):
            s = line.strip()
            for prefix in ("private ", "global "):
                while s.startswith(prefix):
                    s = s[len(prefix):].lstrip()
            if s.startswith("rule "):
                yara_names.add(s[5:].split()[0].split(":")[0].rstrip("{"))
    both_exact = exact & yara_names
    both_approx = approx & yara_names
    agree = only_yara = only_trawl = 0
    approx_diff = 0
    diffs = []
    for path in inputs:
        y, t_ = found_yara.get(path, set()), found_trawl.get(path, set())
        for rule in (y | t_) & both_exact:
            if rule in y and rule in t_:
                agree += 1
            elif rule in y:
                only_yara += 1
                diffs.append(("yara only", rule, path))
            else:
                only_trawl += 1
                diffs.append(("trawl only", rule, path))
        approx_diff += len((y ^ t_) & both_approx)
    print(f"rules: trawl exact {len(exact)}, approximated {len(approx)}; yara compiled "
          f"{len(yara_files)}/{len(files)} files, {len(yara_names)} rule names; compared "
          f"{len(both_exact)} exact rules over {len(inputs)} inputs")
    print(f"(input, rule) matches: both {agree}, yara only {only_yara}, trawl only {only_trawl}; "
          f"approximated rules differing: {approx_diff}")
    for kind, rule, path in diffs[:40]:
        print(f"  {kind}: {rule} on {os.path.relpath(path, a.shared)}")
    print(f"compile: trawl {compile_s:.1f} s, yarac {yarac_s:.1f} s")

    # Whole-process time on one big input.
    big = os.path.join(a.work, "big.bin")
    base = os.path.join(scan_root, "bench_mixed_16MiB.bin")
    if not os.path.exists(big):
        with open(big, "wb") as out, open(base, "rb") as inp:
            data = inp.read()
            for _ in range(a.big_copies):
                out.write(data)
    times = {"trawl": [], "yara": []}
    for _ in range(a.runs):
        for name, cmd in (("trawl", [a.trawl, "scan", "--db", db, big]),
                          ("yara", ["yara", "-w", "-C", compiled, big])):
            t = time.monotonic()
            r = run(cmd)
            times[name].append(time.monotonic() - t)
            if r.returncode != 0:
                print(f"{name} exit {r.returncode}: {r.stderr.decode()[-500:]}", file=sys.stderr)
    mt, my = statistics.median(times["trawl"]), statistics.median(times["yara"])
    size = os.path.getsize(big) / 2**20
    print(f"whole process, {size:.0f} MiB, median of {a.runs}: trawl {mt:.2f} s "
          f"({size / mt:.0f} MiB/s), yara {my:.2f} s ({size / my:.0f} MiB/s); "
          f"trawl / yara time {mt / my:.2f}")


if __name__ == "__main__":
    main()
