#!/usr/bin/env python3
"""Whole-process trawl against yara on one input, in interleaved rounds.

Each round runs, in an order reversed every other round, two pairs that give the same
output: `trawl scan` printing every match (one JSON line each, no caps) and `yara -C -s` (every
string match), `trawl scan --max-matches-per-rule 1` (one line per matched rule) and
`yara -C` (the matched rules). CPU is user + system time from wait4, the steadier
figure on a shared machine; output goes to /dev/null. Prints the medians and the median of
the per-round yara/trawl ratios with their range.

    bench/peers/yara_rounds.py --trawl BUILD/trawl --db SET.tdb --yarc SET.yarc \\
        --input FILE [--rounds 12]

The sets and inputs are `bench/peers/run.sh`'s (SET.tdb, SET.yarc, inputs/mixed_128MiB.bin);
their same-work check is what makes the two outputs comparable.
"""
import argparse
import os
import statistics


def cpu_seconds(argv):
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.execvp(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit("%s failed" % " ".join(argv))
    return usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trawl", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--yarc", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--rounds", type=int, default=12)
    args = parser.parse_args()
    scan = [args.trawl, "scan", "--max-matches", "0", "--db", args.db]
    commands = {
        "trawl, every match": scan + ["--max-matches-per-rule", "0", args.input],
        "trawl, rule ids": scan + ["--max-matches-per-rule", "1", args.input],
        "yara": ["yara", "-C", args.yarc, args.input],
        "yara -s": ["yara", "-C", "-s", args.yarc, args.input],
    }
    samples = {name: [] for name in commands}
    loads = []
    for r in range(args.rounds):
        loads.append(os.getloadavg()[0])
        order = list(commands) if r % 2 == 0 else list(reversed(commands))
        for name in order:
            samples[name].append(cpu_seconds(commands[name]))
    print("%d rounds, load average %.1f-%.1f; CPU seconds, medians" %
          (args.rounds, min(loads), max(loads)))
    for name, values in samples.items():
        print("  %s: %.3f (%.3f-%.3f)" % (name, statistics.median(values), min(values),
                                          max(values)))
    for peer, name in (("yara -s", "trawl, every match"), ("yara", "trawl, rule ids"),
                       ("yara", "trawl, every match")):
        ratios = [y / t for y, t in zip(samples[peer], samples[name])]
        print("  %s / %s: %.2f (%.2f-%.2f)" % (peer, name, statistics.median(ratios),
                                              min(ratios), max(ratios)))


if __name__ == "__main__":
    main()
