#!/usr/bin/env python3
"""Build trawl's default threat-indicator pack from maltrail's static trails.

Reads the corpus TSV (id, kind, expression, flags, category, source; see
../shared/corpus/README.md) and writes NDJSON literal definitions in the format of
docs/rules.md, gzip-compressed, to rules/indicators.ndjson.gz.

The output is deterministic for a given input and --count: trails are visited in sorted
order, round-robin (one indicator per trail per round), so that the pack covers as many
malware families and campaigns as possible instead of the head of the largest lists.
Within a trail, indicators keep their file order. The gzip header carries no timestamp
or file name, so identical inputs give byte-identical packs.

maltrail (https://github.com/stamparm/maltrail) is MIT-licensed, (c) Miroslav Stampar;
see rules/indicators/LICENSE-maltrail.

Usage:
  scripts/build_indicator_pack.py [--count 70000] [--input PATH] [--output PATH]

Standard library only.
"""

import argparse
import collections
import gzip
import io
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_INPUT = os.path.join(REPO, "..", "shared", "corpus", "maltrail_iocs.tsv.gz")
DEFAULT_OUTPUT = os.path.join(REPO, "rules", "indicators.ndjson.gz")

# maltrail category -> (trawl category, severity, confidence). "static" trails
# (mass scanners, reputation lists) are not malicious by themselves and are left out.
CATEGORIES = {
    "malware": ("indicator/malware", "high", 0.8),
    "malicious": ("indicator/malicious", "high", 0.75),
    "suspicious": ("indicator/suspicious", "medium", 0.5),
}
KINDS = {"ioc-domain": "domain", "ioc-ip": "ip", "ioc-url": "url"}

MIN_LENGTH = 6
# Some trail lines are regular expressions; a literal pack cannot express them.
REGEX_CHARS = set("\\()[]{}|*^$+?")
ID_OK = re.compile(r"[^A-Za-z0-9._:/-]")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input", nargs="?", default=DEFAULT_INPUT,
                   help="maltrail_iocs.tsv[.gz] (default: %(default)s)")
    p.add_argument("--input", dest="input_opt", default=None, help="same as the positional")
    p.add_argument("--count", type=int, default=70000, help="indicators to emit (default 70000)")
    p.add_argument("--output", default=DEFAULT_OUTPUT, help="output .ndjson.gz path")
    args = p.parse_args(argv)
    if args.input_opt:
        args.input = args.input_opt
    if args.count <= 0:
        p.error("--count must be positive")
    return args


def open_text(path):
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="\n")
    return open(path, "r", encoding="utf-8", newline="\n")


def acceptable(expression):
    if len(expression) < MIN_LENGTH:
        return False
    if any(c in REGEX_CHARS for c in expression):
        return False
    if not expression.isprintable() or any(c.isspace() for c in expression):
        return False
    return True


def read_trails(path):
    """Returns {trail_key: [(id, expression, kind, category, source), ...]} in file order."""
    trails = collections.defaultdict(list)
    with open_text(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        if header[:6] != ["id", "kind", "expression", "flags", "category", "source"]:
            raise SystemExit(f"{path}: unexpected header {header!r}")
        for lineno, line in enumerate(f, start=2):
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 6:
                raise SystemExit(f"{path}:{lineno}: expected 6 columns, got {len(cols)}")
            rid, kind, expression, _flags, category, source = cols[:6]
            if kind != "literal":
                continue
            ioc_kind, _, mt_category = category.partition("/")
            if ioc_kind not in KINDS or mt_category not in CATEGORIES:
                continue
            if not acceptable(expression):
                continue
            trail = source.rsplit(":", 1)[-1]
            trails[(mt_category, trail)].append((rid, expression, KINDS[ioc_kind], mt_category, source))
    return trails


def select(trails, count):
    """Round-robin over trails in sorted order, deduplicating case-insensitively."""
    keys = sorted(trails)
    cursors = {k: 0 for k in keys}
    seen = set()
    seen_ids = set()
    out = []
    active = list(keys)
    while active and len(out) < count:
        still = []
        for k in active:
            items = trails[k]
            i = cursors[k]
            while i < len(items):
                rid, expression, kind, mt_category, source = items[i]
                i += 1
                folded = expression.lower()
                if folded in seen:
                    continue
                seen.add(folded)
                rid = ID_OK.sub("_", rid)
                if rid in seen_ids:
                    n = 2
                    while f"{rid}~{n}" in seen_ids:
                        n += 1
                    rid = f"{rid}~{n}"
                seen_ids.add(rid)
                out.append((rid, expression, kind, mt_category, source))
                break
            cursors[k] = i
            if i < len(items):
                still.append(k)
            if len(out) >= count:
                break
        active = still
    return out


def definition(rid, expression, kind, mt_category, source):
    category, severity, confidence = CATEGORIES[mt_category]
    trail = source.rsplit("/", 1)[-1]
    if trail.endswith(".txt"):
        trail = trail[:-4]
    return {
        "id": rid,
        # The corpus escaping (\\ and \xNN) is the same as docs/rules.md's literal escaping;
        # acceptable() already dropped every expression containing a backslash.
        "literal": expression,
        "flags": ["caseless"],
        "category": category,
        "severity": severity,
        "confidence": confidence,
        "description": f"maltrail {mt_category} trail '{trail}' ({kind})",
        "tags": ["maltrail", kind, trail],
        "chains": ["indicators"],
        "entity": kind,
        "source": f"maltrail (MIT, Miroslav Stampar): {source}",
    }


def main(argv):
    args = parse_args(argv)
    trails = read_trails(args.input)
    picked = select(trails, args.count)
    if len(picked) < args.count:
        print(f"warning: only {len(picked)} indicators available (asked for {args.count})",
              file=sys.stderr)
    buf = io.BytesIO()
    for item in picked:
        buf.write(json.dumps(definition(*item), ensure_ascii=True, separators=(",", ":")).encode())
        buf.write(b"\n")
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as raw:
        # mtime=0 and an empty file name keep the gzip bytes reproducible.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(buf.getvalue())
    os.replace(tmp, args.output)
    kinds = collections.Counter(p[2] for p in picked)
    cats = collections.Counter(p[3] for p in picked)
    trails_used = len({p[4] for p in picked})
    print(f"wrote {len(picked)} indicators to {args.output} from {trails_used} trails; "
          f"kinds {dict(sorted(kinds.items()))}; categories {dict(sorted(cats.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
