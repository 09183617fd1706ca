#!/usr/bin/env python3
"""The measurement half of bench/peers/run.sh (run.sh installs the peers and builds trawl).

    measure.py --repo DIR --build DIR --shared DIR --work DIR --out DIR [--quick]

1. Inputs: the corpus' 16 MiB mixed input, its first 1 MiB, 8 and 64 copies of it (128 MiB,
   1 GiB, the latter for the literal signature set only);
   two source trees for the secret scanners (the public fixture files; the 16 MiB input
   cut into 64 KiB files).
2. Rule sets, converted per peer by convert.py (each suite's trawl set is the converted
   TSV, so every tool of a suite gets the same definitions).
3. Same work, checked: one untimed run of every scan case; the matched rule ids per input
   are compared with trawl's. Differences are written out (diffs/*.tsv) and summarised.
4. One interleaved run: every case once per round, the order rotated each round, rounds
   repeated; whole-process wall, CPU (user+sys) and peak RSS from wait4(2). Compiles and
   artifact loads are cases of the same rotation; so are the in-process runs of trawl's
   scanner (trawl_inproc) and of the raw engine (raw_scan --reps).
5. results.json (every sample) and RESULTS.md (medians; a speed ratio only where the ids
   agree), then chart.py draws the PNGs.
"""
import argparse
import collections
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MIB = 1 << 20


def log(*parts):
    print("[peers %s]" % time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


def run_measured(argv, rss_file, cwd=None):
    """Runs argv to completion; returns (exit code, wall s, cpu s, peak RSS KiB).

    Linux carries a forked child's resident size at fork into its peak RSS after exec, so
    a child of this (large) Python process would report at least Python's size: GNU time,
    a small process, starts the tool and reports its peak. Wall and CPU come from wait4(2)
    on time, which includes the tool it waited for."""
    start = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file] + argv, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    rss = int(open(rss_file).read().split()[-1])
    return code, wall, usage.ru_utime + usage.ru_stime, rss


def capture(argv, cwd=None):
    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return done.returncode, done.stdout, done.stderr


def capture_to_file(argv, path, cwd=None):
    """Like capture, with stdout in a file (trawl's JSON Lines on 128 MiB run to ~0.5 GB)."""
    with open(path, "wb") as out:
        done = subprocess.run(argv, cwd=cwd, stdout=out, stderr=subprocess.PIPE)
    return done.returncode, done.stderr


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else None


def tool_versions(trawl):
    def first_line(argv):
        try:
            return capture(argv)[1].decode().strip().splitlines()[0]
        except (OSError, IndexError):
            return "missing"
    info = json.loads(capture([trawl, "build-info"])[1])
    return {
        "trawl": "%s (%s, engine %s %s)" % (
            info["trawl_version"], first_line(["git", "-C", HERE, "rev-parse", "--short", "HEAD"]),
            info["engine"], info["engine_version"]),
        "yara": first_line(["yara", "--version"]),
        "ripgrep": first_line(["rg", "--version"]).replace("ripgrep ", ""),
        "node": first_line(["node", "--version"]),
    }


def machine():
    model = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {"cpu": model, "cores": os.cpu_count(), "kernel": platform.release(),
            "load": open("/proc/loadavg").read().split()[:3]}


# ---------------------------------------------------------------- inputs and rule sets

def build_inputs(shared, work, quick):
    base = os.path.join(shared, "corpus", "scan_inputs", "bench_mixed_16MiB.bin")
    data = open(base, "rb").read()
    inputs = {}
    sizes = [1, 16] if quick else [1, 16, 128, 1024]
    os.makedirs(os.path.join(work, "inputs"), exist_ok=True)
    for mib in sizes:
        path = os.path.join(work, "inputs", "mixed_%dMiB.bin" % mib)
        if not os.path.exists(path) or os.path.getsize(path) != mib * MIB:
            with open(path + ".tmp", "wb") as f:
                if mib <= 16:
                    f.write(data[:mib * MIB])
                else:
                    for _ in range(mib // 16):
                        f.write(data)
            os.replace(path + ".tmp", path)
        inputs["%d MiB" % mib] = path
    empty = os.path.join(work, "inputs", "empty.bin")
    open(empty, "wb").close()
    trees = {}
    fixtures = os.path.join(work, "tree_fixtures")
    if not os.path.isdir(fixtures):
        src = os.path.join(shared, "corpus", "scan_inputs")
        os.makedirs(fixtures)
        for name in sorted(os.listdir(src)):
            if name.startswith("bench_mixed") or name == "MANIFEST.json":
                continue
            path = os.path.join(src, name)
            if os.path.isdir(path):
                shutil.copytree(path, os.path.join(fixtures, name))
            else:
                shutil.copy(path, fixtures)
    trees["fixtures"] = fixtures
    cut = os.path.join(work, "tree_16MiB")
    if not os.path.isdir(cut):
        os.makedirs(cut + ".tmp", exist_ok=True)
        for n in range(0, len(data), 64 * 1024):
            with open(os.path.join(cut + ".tmp", "part_%03d.txt" % (n // 65536)), "wb") as f:
                f.write(data[n:n + 65536])
        os.replace(cut + ".tmp", cut)
    trees["16 MiB in 64 KiB files"] = cut
    return inputs, empty, trees


SUITES = [
    # name, corpus set, convert.py options, tools besides trawl
    ("yara-literals", "set_yara_sigbase.tsv", ["--kind", "literal"], ["raw", "yara"]),
    ("yara-regexes", "set_yara_sigbase.tsv", ["--kind", "regex"], ["raw", "yara"]),
    ("rg-literals", "set_yara_sigbase.tsv",
     ["--kind", "literal", "--case-sensitive-only", "--rg"], ["raw", "yara", "rg"]),
]


def convert_sets(shared, work):
    sets = {}
    outdir = os.path.join(work, "sets")
    os.makedirs(outdir, exist_ok=True)
    for name, source, options, _ in SUITES:
        argv = [sys.executable, os.path.join(HERE, "convert.py"),
                os.path.join(shared, "corpus", source), outdir, name] + options
        subprocess.run(argv, check=True)
        base = os.path.join(outdir, name)
        kept = sum(1 for _ in open(base + ".tsv", encoding="latin-1")) - 1
        left_out = collections.Counter()
        for line in list(open(base + ".skipped.tsv", encoding="latin-1"))[1:]:
            left_out[line.rstrip("\n").split("\t")[1].split(":")[0]] += 1
        sets[name] = {"source": source, "options": options, "kept": kept,
                      "left_out": dict(left_out), "base": base}
    return sets


# ---------------------------------------------------------------- matched ids per input

RULE_FIELD = re.compile(rb'"rule":"((?:[^"\\]|\\.)*)"')


def ids_trawl(path):
    found = set()
    with open(path, "rb") as f:
        for line in f:
            m = RULE_FIELD.search(line)
            if m:
                found.add(m.group(1).decode("latin-1"))
    return found


def ids_trawl_per_file(stdout):
    """Rule ids per input file; the inputs were given relative to the tree's root."""
    found = collections.defaultdict(set)
    for line in stdout.splitlines():
        m = json.loads(line)
        found[os.path.normpath(m["input"])].add(m["rule"])
    return found


def ids_yara(stdout, base):
    names = dict(line.rstrip("\n").split("\t") for line in open(base + ".yara_ids.tsv",
                                                                  encoding="latin-1"))
    return {names[line.split(b" ", 1)[0].decode()] for line in stdout.splitlines() if line}


def ids_rg(stdout, base):
    """rg -o -b prints OFFSET:TEXT per match; a text stands for every id with that literal."""
    from convert import decode_literal  # the same decoding the rule files were made with
    by_text = collections.defaultdict(list)
    for line in list(open(base + ".tsv", encoding="latin-1"))[1:]:
        cols = line.rstrip("\n").split("\t")
        by_text[decode_literal(cols[2])].append(cols[0])
    found = set()
    for line in stdout.split(b"\n"):
        if not line:
            continue
        text = line.split(b":", 1)[1]
        found.update(by_text.get(text, []))
    return found, by_text


def explain_rg(missing, by_text):
    """Why rg -o did not report a literal trawl found: rg reports one leftmost match per
    position and no overlaps, so a literal inside or overlapping a longer one is hidden."""
    texts = [t for t in by_text]
    id_text = {rid: t for t, rids in by_text.items() for rid in rids}
    reasons = {}
    for rid in missing:
        t = id_text.get(rid)
        inside = t is not None and any(t != o and t in o for o in texts)
        reasons[rid] = ("a substring of a longer literal of the set (rg -o reports no overlaps)"
                        if inside else "overlaps another literal's match (rg -o reports no overlaps)")
    return reasons


SECRETLINT_KINDS = {  # secretlint rule -> trawl rule-id fragment of the same secret kind
    "@secretlint/secretlint-rule-aws": "aws-", "@secretlint/secretlint-rule-slack": "slack-",
    "@secretlint/secretlint-rule-privatekey": "private-key",
    "@secretlint/secretlint-rule-github": "github-", "@secretlint/secretlint-rule-gcp": "gcp-",
    "@secretlint/secretlint-rule-npm": "npm-", "@secretlint/secretlint-rule-openai": "openai-",
    "@secretlint/secretlint-rule-sendgrid": "sendgrid-",
    "@secretlint/secretlint-rule-shopify": "shopify-",
    "@secretlint/secretlint-rule-linear": "linear-",
    "@secretlint/secretlint-rule-basicauth": "url-password",
}


# ---------------------------------------------------------------- the cases

class Case:
    def __init__(self, key, group, tool, argv, cwd=None):
        self.key, self.group, self.tool, self.argv, self.cwd = key, group, tool, argv, cwd
        self.samples = []  # (wall, cpu, rss KiB)
        self.inproc = []   # parsed JSON of in-process runs


def main():
    ap = argparse.ArgumentParser()
    for flag in ("--repo", "--build", "--shared", "--work", "--out"):
        ap.add_argument(flag, required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--render-only", action="store_true",
                    help="rewrite OUT/RESULTS.md from OUT/results.json")
    args = ap.parse_args()
    if args.render_only:
        results = json.load(open(os.path.join(args.out, "results.json")))
        with open(os.path.join(args.out, "RESULTS.md"), "w") as f:
            f.write(render(results))
        return
    sys.path.insert(0, HERE)
    reps = 2 if args.quick else 5
    trawl = os.path.join(args.build, "trawl")
    raw = os.path.join(args.build, "bench", "raw_scan")
    inproc = os.path.join(args.build, "bench", "trawl_inproc")
    secretlint = os.path.join(args.work, "npm", "node_modules", ".bin", "secretlint")
    rc_file = os.path.join(args.work, "npm", ".secretlintrc.json")
    os.makedirs(args.out, exist_ok=True)
    diffs_dir = os.path.join(args.out, "diffs")
    shutil.rmtree(diffs_dir, ignore_errors=True)
    os.makedirs(diffs_dir)

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = {"date": started, "quick": args.quick, "repetitions": reps,
               "machine": machine(), "versions": tool_versions(trawl)}
    results["versions"]["secretlint"] = capture([secretlint, "--version"])[1].decode().strip()
    log("inputs")
    inputs, empty, trees = build_inputs(args.shared, args.work, args.quick)
    log("converting rule sets")
    sets = convert_sets(args.shared, args.work)
    secrets_rules = os.path.join(args.repo, "rules", "secrets.json")

    # Artifacts (also the first, untimed compile).
    for name, s in sets.items():
        subprocess.run([trawl, "compile", s["base"] + ".tsv", "-o", s["base"] + ".tdb"],
                       check=True, stderr=subprocess.DEVNULL)
        subprocess.run(["yarac", "-w", s["base"] + ".yar", s["base"] + ".yarc"], check=True)
        s["artifact_bytes"] = {"trawl": os.path.getsize(s["base"] + ".tdb"),
                               "yara": os.path.getsize(s["base"] + ".yarc")}
        # The same rules without the scan planner: every regex in a full-scan engine
        # database, so the raw engine on it does the whole matching work itself (on the
        # planned artifact a gate partition only reports atoms, which trawl then confirms).
        subprocess.run([trawl, "compile", "--no-plan", s["base"] + ".tsv", "-o",
                        s["base"] + ".noplan.tdb"], check=True, stderr=subprocess.DEVNULL)
    secrets_db = os.path.join(args.work, "sets", "secrets.tdb")
    subprocess.run([trawl, "compile", secrets_rules, "-o", secrets_db], check=True,
                   stderr=subprocess.DEVNULL)

    cases = []
    for name, s in sets.items():
        b = s["base"]
        cases.append(Case((name, "compile", "trawl"), "compile", "trawl",
                          [trawl, "compile", b + ".tsv", "-o", b + ".tdb.timed"]))
        cases.append(Case((name, "compile", "yara"), "compile", "yara",
                          ["yarac", b + ".yar", b + ".yarc.timed"]))
        cases.append(Case((name, "load", "trawl"), "load", "trawl",
                          [trawl, "scan", "--db", b + ".tdb", empty]))
        cases.append(Case((name, "load", "yara"), "load", "yara", ["yara", "-C", b + ".yarc", empty]))
        cases.append(Case((name, "inproc", "trawl"), "inproc", "trawl",
                          [inproc, b + ".tdb", inputs["16 MiB"], "--threads", "2", "--reps", "3"]))
        cases.append(Case((name, "inproc", "raw"), "inproc", "raw",
                          [raw, b + ".tdb", inputs["16 MiB"], "--reps", "3"]))
        cases.append(Case((name, "inproc", "raw-unplanned"), "inproc", "raw-unplanned",
                          [raw, b + ".noplan.tdb", inputs["16 MiB"], "--reps", "3"]))
        tools = SUITES_TOOLS[name]
        for size, path in inputs.items():
            if not suite_takes(name, size):
                continue
            cases.append(Case((name, size, "trawl"), "scan", "trawl",
                              [trawl, "scan", "--max-matches", "0", "--db", b + ".tdb", path]))
            if "yara" in tools:
                # The output yara gives: one line per matched rule (the same-work check's
                # command), where the row above prints every match.
                cases.append(Case((name, size, "trawl (rule ids)"), "scan", "trawl (rule ids)",
                                  [trawl, "scan", "--max-matches", "0", "--max-matches-per-rule",
                                   "1", "--db", b + ".tdb", path]))
            if "raw" in tools:
                cases.append(Case((name, size, "raw"), "scan", "raw", [raw, b + ".tdb", path]))
            if "yara" in tools:
                cases.append(Case((name, size, "yara"), "scan", "yara", ["yara", "-C", b + ".yarc", path]))
            if "rg" in tools:
                cases.append(Case((name, size, "rg"), "scan", "rg",
                                  ["rg", "-a", "-o", "-b", "--no-filename", "--no-line-number",
                                   "-F", "-f", b + ".rg", path]))
    for tree_name, root in trees.items():
        files = sorted(os.path.relpath(os.path.join(d, f), root)
                       for d, _, fs in os.walk(root) for f in fs)
        cases.append(Case(("secrets", tree_name, "trawl"), "tree", "trawl",
                          [trawl, "scan", "--max-matches", "0", "--db", secrets_db] + files, cwd=root))
        # Timed with the one-line-per-finding formatter: the json one embeds every file.
        cases.append(Case(("secrets", tree_name, "secretlint"), "tree", "secretlint",
                          [secretlint, "--secretlintrc", rc_file, "--format", "compact", "**/*"],
                          cwd=root))
    # Thread scaling of trawl's main job: the 256-file tree analysed as one package with the
    # default rules (the pipeline spreads components over its workers).
    default_db = os.path.join(args.build, "default.tdb")
    if not os.path.exists(default_db):
        log("no %s: the analyze thread-scaling cases are left out" % default_db)
    for threads in ANALYZE_THREADS if os.path.exists(default_db) else []:
        cases.append(Case(("analyze", "%d" % threads, "trawl"), "analyze", "trawl",
                          [trawl, "analyze", "--threads", str(threads), "--db", default_db,
                           "-o", os.devnull, trees["16 MiB in 64 KiB files"]]))

    # ------------------------------------------------ same work, checked (untimed)
    log("same-work check: matched rule ids per input")
    checks = []
    for name, s in sets.items():
        b = s["base"]
        for size, path in inputs.items():
            if not suite_takes(name, size):
                continue
            # One match per rule is enough to know a rule matched (and keeps 1 GiB small).
            trawl_out = os.path.join(args.work, "trawl_scan.jsonl")
            code, err = capture_to_file([trawl, "scan", "--max-matches", "0",
                                         "--max-matches-per-rule", "1", "--db", b + ".tdb",
                                         path], trawl_out)
            if code != 0:
                raise SystemExit("trawl scan failed: %s" % err.decode())
            reference = ids_trawl(trawl_out)
            os.remove(trawl_out)
            for tool in SUITES_TOOLS[name]:
                note, reasons = "", {}
                if tool == "raw":
                    code, out, err = capture([raw, b + ".tdb", path, "--ids"])
                    found = set(out.decode("latin-1").split())
                    note = "ids of exact partitions only (a gate partition reports atoms)"
                elif tool == "yara":
                    code, out, err = capture(["yara", "-C", b + ".yarc", path])
                    found = ids_yara(out, b)
                    warnings = sorted(set(re.findall(rb"warning: [^\n]*", err)))
                    if warnings:
                        note = "; ".join(w.decode("latin-1") for w in warnings[:3])
                else:
                    code, out, err = capture(case_argv(cases, (name, size, "rg")))
                    found, by_text = ids_rg(out, b)
                    reasons = explain_rg(reference - found, by_text)
                if code not in (0, 1):  # rg exits 1 when nothing matched
                    raise SystemExit("%s failed on %s: %s" % (tool, path, err.decode()[:500]))
                only_trawl, only_peer = sorted(reference - found), sorted(found - reference)
                diff_file = None
                if only_trawl or only_peer:
                    diff_file = "diffs/%s.%s.%s.tsv" % (name, tool, size.replace(" ", ""))
                    with open(os.path.join(args.out, diff_file), "w", encoding="latin-1") as f:
                        f.write("side\tid\treason\n")
                        for rid in only_trawl:
                            f.write("trawl only\t%s\t%s\n" % (rid, reasons.get(rid, "")))
                        for rid in only_peer:
                            f.write("%s only\t%s\t\n" % (tool, rid))
                checks.append({"suite": name, "input": size, "tool": tool,
                               "trawl_ids": len(reference), "peer_ids": len(found),
                               "only_trawl": len(only_trawl), "only_peer": len(only_peer),
                               "agree": not only_trawl and not only_peer, "note": note,
                               "reasons": dict(collections.Counter(reasons.values())),
                               "diff_file": diff_file})
                log("  %s %s %s: trawl %d ids, %s %d, differ %d/%d" % (
                    name, size, tool, len(reference), tool, len(found), len(only_trawl),
                    len(only_peer)))
    # Secret scanners: not the same rules, so the comparison is by secret kind per file.
    tree_checks = []
    for tree_name, root in trees.items():
        case_t = case_by_key(cases, ("secrets", tree_name, "trawl"))
        code, out, err = capture(case_t.argv, cwd=root)
        trawl_found = ids_trawl_per_file(out)
        # --output: node cuts a large report short when it exits with a pipe on stdout.
        report = os.path.join(args.work, "secretlint.json")
        code, out, err = capture([secretlint, "--secretlintrc", rc_file, "--format", "json",
                                  "--output", report, "**/*"], cwd=root)
        if code not in (0, 1):
            raise SystemExit("secretlint failed: %s" % err.decode()[:500])
        secretlint_found = collections.defaultdict(set)
        for entry in json.load(open(report)):
            for message in entry["messages"]:
                secretlint_found[os.path.relpath(entry["filePath"], root)].add(message["ruleId"])
        per_kind = []
        for rule, fragment in sorted(SECRETLINT_KINDS.items()):
            sl_files = {f for f, ids in secretlint_found.items() if rule in ids}
            tr_files = {f for f, ids in trawl_found.items() if any(fragment in i for i in ids)}
            if sl_files or tr_files:
                per_kind.append({"kind": rule.split("secretlint-rule-")[1],
                                 "both": len(sl_files & tr_files),
                                 "secretlint_only": sorted(sl_files - tr_files),
                                 "trawl_only": sorted(tr_files - sl_files)})
        tree_checks.append({
            "tree": tree_name,
            "files": sum(len(fs) for _, _, fs in os.walk(root)),
            "bytes": sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(root) for f in fs),
            "trawl_findings": sum(len(v) for v in trawl_found.values()),
            "trawl_rules_hit": len(set().union(*trawl_found.values())) if trawl_found else 0,
            "secretlint_findings": sum(len(v) for v in secretlint_found.values()),
            "secretlint_rules_hit": sorted(set().union(*secretlint_found.values()))
            if secretlint_found else [],
            "per_kind": per_kind})
    results["checks"], results["tree_checks"] = checks, tree_checks

    # ------------------------------------------------ the interleaved run
    results["load_before"] = open("/proc/loadavg").read().split()[:3]
    log("interleaved run: %d cases x %d rounds" % (len(cases), reps))
    rss_file = os.path.join(args.work, "peak_rss.txt")
    for rnd in range(reps):
        shift = (rnd * len(cases)) // reps
        order = cases[shift:] + cases[:shift]
        if rnd % 2:
            order.reverse()
        for case in order:
            if case.group == "inproc":
                code, out, err = capture(case.argv)
                if code != 0:
                    raise SystemExit("%s failed: %s" % (case.argv[0], err.decode()))
                case.inproc.append(json.loads(out))
                continue
            code, wall, cpu, rss = run_measured(case.argv, rss_file, cwd=case.cwd)
            if code not in (0, 1) or (code == 1 and case.tool not in ("rg", "secretlint")):
                raise SystemExit("%s exited %d" % (" ".join(case.argv[:4]), code))
            case.samples.append((wall, cpu, rss))
        log("  round %d/%d done, load %s" % (rnd + 1, reps, open("/proc/loadavg").read().split()[0]))
    results["load_after"] = open("/proc/loadavg").read().split()[:3]
    for name, s in sets.items():
        for ext in (".tdb.timed", ".yarc.timed", ".noplan.tdb"):
            if os.path.exists(s["base"] + ext):
                os.remove(s["base"] + ext)
        s.pop("base")
    results["sets"] = sets
    results["cases"] = []
    for case in cases:
        row = {"suite": case.key[0], "what": case.key[1], "tool": case.tool, "group": case.group,
               "argv": [os.path.basename(case.argv[0])] + case.argv[1:4]}
        if case.samples:
            row.update({"wall_s": median([s[0] for s in case.samples]),
                        "cpu_s": median([s[1] for s in case.samples]),
                        "rss_mib": median([s[2] for s in case.samples]) / 1024,
                        "samples": case.samples})
        if case.inproc:
            row["inproc"] = summarize_inproc(case.tool, case.inproc)
        results["cases"].append(row)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(args.out, "RESULTS.md"), "w") as f:
        f.write(render(results))
    log("wrote %s" % os.path.join(args.out, "RESULTS.md"))


SUITES_TOOLS = {name: tools for name, _, _, tools in SUITES}
# 1 and 2 threads, and every core where the machine has more.
ANALYZE_THREADS = sorted({1, 2, os.cpu_count() or 1})


def suite_takes(name, size):
    """1 GiB only for the literal signature set: the size where start-up is amortised."""
    return size != "1024 MiB" or name == "yara-literals"


def case_by_key(cases, key):
    return next(c for c in cases if c.key == key)


def case_argv(cases, key):
    return case_by_key(cases, key).argv


def summarize_inproc(tool, runs):
    if tool.startswith("raw"):
        return {"mb_per_s": median([r["mb_per_s"] for r in runs]),
                "mb_per_cpu_s": median([r["mb_per_cpu_s"] for r in runs]),
                "load_ms": median([r["load_ms"] for r in runs])}
    out = {"load_ms": median([r["load_ms"]["median"] for r in runs]),
           "artifact_bytes": runs[0]["artifact_bytes"]}
    for scan in runs[0]["scan"]:
        t = scan["threads"]
        picked = [s for r in runs for s in r["scan"] if s["threads"] == t]
        out["mb_per_s_%dt" % t] = median([s["mb_per_s"] for s in picked])
        out["mb_per_cpu_s_%dt" % t] = median([s["mb_per_cpu_s"] for s in picked])
        same_process = [s["vs_raw_engine"] for s in picked if "vs_raw_engine" in s]
        if same_process:
            out["vs_raw_engine_%dt" % t] = median(same_process)
    return out


# ---------------------------------------------------------------- RESULTS.md

COMMANDS = [
    "trawl compile SET.tsv -o SET.tdb          yarac SET.yar SET.yarc",
    "trawl scan --max-matches 0 --db SET.tdb FILE",
    "yara -C SET.yarc FILE",
    "rg -a -o -b --no-filename --no-line-number -F -f SET.rg FILE",
    "raw_scan SET.tdb FILE                     (bench/peers/raw_scan.cc: hs_scan, counting)",
    "trawl scan --db SET.tdb empty             yara -C SET.yarc empty      (load)",
    "trawl_inproc SET.tdb 16MiB --threads 2 --reps 3    raw_scan SET.tdb 16MiB --reps 3",
    "trawl compile --no-plan SET.tsv -o SET.noplan.tdb; raw_scan SET.noplan.tdb 16MiB --reps 3",
    "trees: trawl scan --max-matches 0 --db secrets.tdb FILES...   (rules/secrets.json)",
    "trawl analyze --threads N --db default.tdb TREE   (thread scaling, N = 1, 2, cores)",
    "       secretlint --secretlintrc rc.json --format compact '**/*'   (preset-recommend)",
    "same-work check: trawl scan --max-matches 0 --max-matches-per-rule 1; raw_scan --ids;",
    "       yara and rg as above; secretlint --format json --output FILE",
]


def render(results):
    inputs = sorted({c["what"] for c in results["cases"] if c["group"] == "scan"},
                    key=lambda label: float(label.split()[0]))
    rows = {(c["suite"], c["what"], c["tool"]): c for c in results["cases"]}
    checks = {(c["suite"], c["input"], c["tool"]): c for c in results["checks"]}
    m, v = results["machine"], results["versions"]
    out = []
    w = out.append
    w("# Peers: trawl against YARA, ripgrep, the raw engine and secretlint\n")
    w("Generated by `bench/peers/run.sh%s` on %s. Machine: %s, %d cores, Linux %s; load "
      "average %s before the timed run, %s after (shared VM: read the ratios, not the "
      "absolute figures). Medians of %d interleaved rounds.\n" % (
          " --quick" if results["quick"] else "", results["date"], m["cpu"], m["cores"],
          m["kernel"], " ".join(results["load_before"]), " ".join(results["load_after"]),
          results["repetitions"]))
    w("Versions: " + "; ".join("%s %s" % kv for kv in v.items()) + ".\n")
    w("Commands (SET: the suite's converted rules; FILE: the input; `empty`: a 0-byte file):\n")
    w("```")
    for line in COMMANDS:
        w(line)
    w("```\n")
    w("## Rule sets, as each peer gets them\n")
    w("| suite | corpus set | convert.py options | definitions | left out (reason: count) | "
      "trawl artifact | YARA compiled rules |")
    w("|---|---|---|---|---|---|---|")
    for name, s in results["sets"].items():
        w("| %s | `%s` | `%s` | %d | %s | %.1f MB | %.1f MB |" % (
            name, s["source"], " ".join(s["options"]), s["kept"],
            ", ".join("%s: %d" % kv for kv in sorted(s["left_out"].items())) or "none",
            s["artifact_bytes"]["trawl"] / 1e6, s["artifact_bytes"]["yara"] / 1e6))
    w("")
    w("## Same work, checked: matched rule ids per input\n")
    w("`trawl scan` is the reference. A peer whose ids differ does not do the same work, and "
      "its time below gets no ratio; each difference is listed in `diffs/`.\n")
    w("| suite | input | peer | trawl ids | peer ids | trawl only | peer only | verdict |")
    w("|---|---|---|---|---|---|---|---|")
    for c in results["checks"]:
        verdict = "**same ids**" if c["agree"] else "differ: `%s`" % c["diff_file"]
        if c["reasons"]:
            verdict += " (" + "; ".join("%d %s" % (n, r) for r, n in c["reasons"].items()) + ")"
        if c["note"]:
            verdict += "; " + c["note"]
        w("| %s | %s | %s | %d | %d | %d | %d | %s |" % (
            c["suite"], c["input"], c["tool"], c["trawl_ids"], c["peer_ids"], c["only_trawl"],
            c["only_peer"], verdict))
    w("")
    w("## Whole process: scan\n")
    w("Wall and CPU seconds, peak RSS; **peer / trawl** is the peer's time over trawl's "
      "(above 1: trawl is faster), given only where the ids agree. On a loaded machine the "
      "CPU ratio is the steadier one. `trawl` prints every match (one JSON line each, up to "
      "the default 10,000 per rule); `trawl (rule ids)` is `--max-matches-per-rule 1`, one "
      "line per matched rule as `yara` prints, and its ratio columns give yara / it.\n")
    w("| suite | input | tool | wall s | CPU s | peak RSS MiB | **peer / trawl** (wall) | "
      "peer / trawl (CPU) |")
    w("|---|---|---|---|---|---|---|---|")
    for name in results["sets"]:
        for size in inputs:
            base = rows.get((name, size, "trawl"))
            for tool in ["trawl", "trawl (rule ids)"] + SUITES_TOOLS[name]:
                c = rows.get((name, size, tool))
                if base is None:
                    continue
                if not c or "wall_s" not in c:
                    continue
                ratio = cpu_ratio = ""
                yara = rows.get((name, size, "yara"))
                if tool == "trawl (rule ids)" and yara and "wall_s" in yara:
                    chk = checks.get((name, size, "yara"))
                    if chk and chk["agree"]:
                        ratio = "yara / it: **%.2f**" % (yara["wall_s"] / c["wall_s"])
                        cpu_ratio = "%.2f" % (yara["cpu_s"] / c["cpu_s"])
                elif tool != "trawl":
                    chk = checks.get((name, size, tool))
                    same = chk and chk["agree"]
                    ratio = ("**%.2f**" % (c["wall_s"] / base["wall_s"]) if same
                             else "not the same work")
                    cpu_ratio = "%.2f" % (c["cpu_s"] / base["cpu_s"]) if same else ""
                w("| %s | %s | %s | %.3f | %.3f | %.0f | %s | %s |" % (
                    name, size, tool, c["wall_s"], c["cpu_s"], c["rss_mib"], ratio, cpu_ratio))
    w("")
    w("## In process, 16 MiB input\n")
    w("trawl's scanner (`trawl_inproc`, engine/inspect.h BenchmarkJson: spans, captures, no "
      "match caps) and the raw engine (`raw_scan --reps`: `hs_scan`, counting callback) on the "
      "same artifact. With 2 threads each thread scans the whole input; MB/s is the aggregate. "
      "CPU: MB per CPU second of the scanning thread, the steadier figure on a loaded machine. "
      "On a planned artifact a gate partition reports only where a gated regex's atoms occur, "
      "so the raw engine there does less than trawl, which confirms them (PCRE2); `raw_scan` on "
      "the same rules compiled with `--no-plan` (**unplanned**) is the engine doing the whole "
      "matching itself. **Same process**: trawl_inproc also runs the raw engine on its own loaded "
      "database, on the scanning thread, before or after trawl's scan in alternate rounds "
      "(BenchmarkJson's `vs_raw_engine`, median of the rounds' CPU-rate ratios); separate "
      "processes differ by +-15% on this VM, which the two columns before it carry.\n")
    w("| suite | raw engine MB/s (CPU) | trawl MB/s, 1 thread (CPU) | trawl / raw | "
      "trawl / raw (CPU) | **trawl / raw, same process (CPU)** | raw engine, unplanned MB/s "
      "(CPU) | trawl / unplanned (CPU) | trawl MB/s, 2 threads | trawl load ms (in process) |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for name in results["sets"]:
        t = rows[(name, "inproc", "trawl")]["inproc"]
        r = rows[(name, "inproc", "raw")]["inproc"]
        u = rows.get((name, "inproc", "raw-unplanned"), {}).get("inproc")
        unplanned = ("%.0f (%.0f) | %.2f" % (u["mb_per_s"], u["mb_per_cpu_s"],
                                             t["mb_per_cpu_s_1t"] / u["mb_per_cpu_s"])
                     if u else "- | -")
        same = t.get("vs_raw_engine_1t")
        w("| %s | %.0f (%.0f) | %.0f (%.0f) | %.2f | %.2f | %s | %s | %.0f | %.2f |" % (
            name, r["mb_per_s"], r["mb_per_cpu_s"], t["mb_per_s_1t"], t["mb_per_cpu_s_1t"],
            t["mb_per_s_1t"] / r["mb_per_s"], t["mb_per_cpu_s_1t"] / r["mb_per_cpu_s"],
            "**%.3f**" % same if same is not None else "-",
            unplanned, t.get("mb_per_s_2t", float("nan")), t["load_ms"]))
    w("")
    w("## Compile and load, whole process\n")
    w("Load: the compiled artifact and an empty input (`trawl scan --db X empty`, "
      "`yara -C X.yarc empty`).\n")
    w("| suite | trawl compile s | yarac s | **yarac / trawl** | trawl compile RSS MiB | yarac RSS "
      "MiB | trawl load s | yara load s | **yara / trawl** (load) |")
    w("|---|---|---|---|---|---|---|---|---|")
    for name in results["sets"]:
        tc, yc = rows[(name, "compile", "trawl")], rows[(name, "compile", "yara")]
        tl, yl = rows[(name, "load", "trawl")], rows[(name, "load", "yara")]
        w("| %s | %.2f | %.2f | **%.2f** | %.0f | %.0f | %.3f | %.3f | **%.2f** |" % (
            name, tc["wall_s"], yc["wall_s"], yc["wall_s"] / tc["wall_s"], tc["rss_mib"],
            yc["rss_mib"], tl["wall_s"], yl["wall_s"], yl["wall_s"] / tl["wall_s"]))
    w("")
    analyze = {int(c["what"]): c for c in results["cases"]
               if c["group"] == "analyze" and "wall_s" in c}
    if analyze:
        tree = next(t for t in results["tree_checks"] if t["tree"] == "16 MiB in 64 KiB files")
        w("## Thread scaling: `trawl analyze`\n")
        w("The %d-file tree (%.1f MB) analysed as one package with the default rules "
          "(`trawl analyze --threads N --db default.tdb TREE`): the main job, whole process. "
          "Scan threads are in the in-process table above (2 threads).\n"
          % (tree["files"], tree["bytes"] / 1e6))
        w("| threads | wall s | CPU s | MB/s (wall) | speed-up over 1 thread (wall) |")
        w("|---|---|---|---|---|")
        for threads, c in sorted(analyze.items()):
            w("| %d | %.3f | %.3f | %.1f | %.2f |" % (
                threads, c["wall_s"], c["cpu_s"], tree["bytes"] / 1e6 / c["wall_s"],
                analyze[1]["wall_s"] / c["wall_s"] if 1 in analyze else 0))
    w("")
    w("## Secret scanners on source trees: trawl (`rules/secrets.json`) and secretlint "
      "(`@secretlint/secretlint-rule-preset-recommend`)\n")
    w("Not the same work (different rules, different secret kinds), so **no ratio**: the "
      "times are side by side, and the findings are compared by secret kind per file.\n")
    w("| tree | files | MB | tool | wall s | CPU s | peak RSS MiB | findings (file, rule) |")
    w("|---|---|---|---|---|---|---|---|")
    for t in results["tree_checks"]:
        for tool in ("trawl", "secretlint"):
            c = rows[("secrets", t["tree"], tool)]
            w("| %s | %d | %.1f | %s | %.3f | %.3f | %.0f | %d |" % (
                t["tree"], t["files"], t["bytes"] / 1e6, tool, c["wall_s"], c["cpu_s"],
                c["rss_mib"], t["%s_findings" % tool]))
    w("")
    w("| tree | secret kind | files both found | secretlint only | trawl only |")
    w("|---|---|---|---|---|")
    for t in results["tree_checks"]:
        for k in t["per_kind"]:
            w("| %s | %s | %d | %s | %s |" % (t["tree"], k["kind"], k["both"],
                                              ", ".join(k["secretlint_only"]) or "-",
                                              ", ".join(k["trawl_only"][:6]) +
                                              (" (+%d)" % (len(k["trawl_only"]) - 6)
                                               if len(k["trawl_only"]) > 6 else "") or "-"))
    w("")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
