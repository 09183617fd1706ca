#!/usr/bin/env python3
"""CI smoke test of bench/peers' rule conversion (a few seconds): smoke/rules.tsv, converted
by convert.py, must make YARA (and ripgrep, where installed) match the same rule ids as
trawl on a small input that exercises each conversion (quotes, backslashes, raw bytes,
nocase, `/` and `(?:` in regexes, dotall or not), and leave out exactly the definitions a
peer cannot express, with the reason.

    smoke_test.py TRAWL_CLI WORKDIR        exit 0 pass, 1 fail, 77 skipped (no yara)
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

INPUT = (b'run evil.exe now; he did say "hi"; path C:\\Windows\\Temp\\a; MZ\x90\x00\x03 hdr; '
         b'c\x00m\x00d\x00; POWERSHELL -ENC abc; line1\nline2; see https://www.example/path; '
         b'token-beta-123; CMD.EXE /C whoami; BEGIN\nmid\nEND; START\nx\nSTOP; foobar;\n'
         b'header: yes\n')
EXPECTED_IDS = {"lit_plain", "lit_quote", "lit_backslash", "lit_bytes", "lit_wide",
                "lit_nocase", "lit_newline", "re_slash", "re_group", "re_nocase", "re_dotall"}
EXPECTED_LEFT_OUT = {"re_lookahead": "lookaround",
                     "re_multiline": "multiline flag",
                     "re_too_wide": "YARA rejects it"}
EXPECTED_LEFT_OUT_RG = {"lit_nocase": "caseless", "lit_newline": "newline in a literal",
                        "lit_bytes": "not UTF-8"}


def left_out(path):
    lines = list(open(path, encoding="latin-1"))[1:]
    return dict(line.rstrip("\n").split("\t", 1) for line in lines)


def run(argv):
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if done.returncode not in (0, 1):
        sys.exit("FAIL: %s exited %d: %s" % (argv[0], done.returncode, done.stderr.decode()))
    return done.stdout


def main():
    trawl, work = sys.argv[1], sys.argv[2]
    try:
        import yara  # noqa: F401 (convert.py needs it to check regexes)
    except ImportError:
        print("SKIPPED: python3-yara is not installed (scripts/setup.sh installs it)")
        return 77
    if not shutil.which("yara"):
        print("SKIPPED: yara is not installed (scripts/setup.sh installs it)")
        return 77
    import measure  # the same id extraction as the benchmark
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    data = os.path.join(work, "input.bin")
    open(data, "wb").write(INPUT)
    rules = os.path.join(HERE, "smoke", "rules.tsv")
    convert = [sys.executable, os.path.join(HERE, "convert.py"), rules, work]
    failures = []

    def trawl_ids(name):
        base = os.path.join(work, name)
        subprocess.run([trawl, "compile", base + ".tsv", "-o", base + ".tdb"], check=True,
                       stderr=subprocess.DEVNULL)
        out = os.path.join(work, name + ".jsonl")
        open(out, "wb").write(run([trawl, "scan", "--db", base + ".tdb", data]))
        return measure.ids_trawl(out)

    def expect(what, got, want):
        if got != want:
            failures.append("%s: got %s, want %s" % (what, sorted(got), sorted(want)))

    subprocess.run(convert + ["all"], check=True)
    base = os.path.join(work, "all")
    reasons = left_out(base + ".skipped.tsv")
    expect("left out for YARA", set(reasons), set(EXPECTED_LEFT_OUT))
    for rid, why in EXPECTED_LEFT_OUT.items():
        if not reasons.get(rid, "").startswith(why):
            failures.append("%s left out for %r, want %r" % (rid, reasons.get(rid), why))
    found_trawl = trawl_ids("all")
    expect("trawl ids", found_trawl, EXPECTED_IDS)
    found_yara = measure.ids_yara(run(["yara", base + ".yar", data]), base)
    expect("yara ids (trawl's: %d)" % len(found_trawl), found_yara, found_trawl)

    if shutil.which("rg"):
        subprocess.run(convert + ["rg", "--kind", "literal", "--case-sensitive-only", "--rg"],
                       check=True)
        base = os.path.join(work, "rg")
        reasons = left_out(base + ".skipped.tsv")
        for rid, why in EXPECTED_LEFT_OUT_RG.items():
            if not reasons.get(rid, "").startswith(why):
                failures.append("rg: %s left out for %r, want %r" % (rid, reasons.get(rid), why))
        found_trawl = trawl_ids("rg")
        expect("trawl ids, rg set", found_trawl,
               {i for i in EXPECTED_IDS if i.startswith("lit_")} - set(EXPECTED_LEFT_OUT_RG))
        found_rg, _ = measure.ids_rg(run(["rg", "-a", "-o", "-b", "--no-filename",
                                          "--no-line-number", "-F", "-f", base + ".rg", data]),
                                     base)
        expect("rg ids", found_rg, found_trawl)
    else:
        print("rg is not installed: the ripgrep conversion was not checked")

    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print("PASS: YARA%s matched the same %d rule ids as trawl" % (
            " and rg" if shutil.which("rg") else "", len(EXPECTED_IDS)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
