#!/usr/bin/env python3
"""ASCII chart of bench/plan_scale output: how compile time, artifact size, load time and
scan throughput grow with the number of patterns. Reads the markdown rows plan_scale
prints (one or more files, or stdin) and draws one bar chart per measure, log-scaled so
1k and 250k patterns fit on one screen. No plotting library needed.

usage: build/bench/plan_scale SETS... > scale.md; bench/plan_scale_chart.py scale.md
"""
import math
import re
import sys

COLUMNS = {  # header text -> (label, unit)
    "compile ungated": ("compile, ungated", "s"),
    "compile planned": ("compile, planned", "s"),
    "artifact MB": ("artifact", "MB"),
    "load ms": ("load", "ms"),
    "raw engine (ungated db)": ("scan, raw engine on the merged db", "MB/s"),
    "trawl planned": ("scan, trawl planned (unlimited matches)", "MB/s"),
    "planned capped": ("scan, trawl planned (10k matches/rule)", "MB/s"),
}


def number(cell):
    m = re.search(r"[-+]?\d+(?:\.\d+)?", cell.replace("*", ""))
    return float(m.group(0)) if m else None


def main():
    text = "".join(open(p).read() for p in sys.argv[1:]) if sys.argv[1:] else sys.stdin.read()
    header, rows = None, []
    for line in text.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "set":
            header = cells
            continue
        if header:
            rows.append(dict(zip(header, cells)))
    if not rows:
        sys.exit("no plan_scale rows found")
    rows.sort(key=lambda r: number(r["rules"]) or 0)
    width = 50
    for column, (label, unit) in COLUMNS.items():
        values = [(r["set"], int(number(r["rules"])), number(r.get(column, ""))) for r in rows]
        values = [v for v in values if v[2] is not None and v[2] > 0]
        if not values:
            continue
        top = max(math.log10(v[2]) for v in values)
        low = min(math.log10(v[2]) for v in values)
        span = max(top - low, 1e-9)
        print(f"\n{label} ({unit}, log scale)")
        for name, rules, value in values:
            bar = 1 + int((math.log10(value) - low) / span * (width - 1))
            print(f"  {rules:>7,} {name[:22]:<22} {'#' * bar:<{width}} {value:g} {unit}")


if __name__ == "__main__":
    main()
