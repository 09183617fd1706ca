#!/usr/bin/env python3
"""Charts of bench/peers/run.sh results (Debian python3-matplotlib).

    chart.py RESULTS_JSON OUTDIR

throughput.png   whole-process MB/s per suite and tool on the largest input; bars of peers
                 that do not find the same rule ids as trawl are hatched and labelled.
size_scaling.png whole-process MB/s against input size: where start-up stops mattering.
inprocess.png    in-process MB per CPU second: raw engine (same artifact, and unplanned), trawl
                 with 1 and 2 threads.
threads.png      thread scaling: `trawl analyze` of the 256-file tree (whole process, wall) and
                 trawl's in-process scan (aggregate MB/s), against the thread count.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"trawl": "#1f77b4", "raw": "#7f7f7f", "yara": "#d62728", "rg": "#2ca02c",
          "secretlint": "#9467bd"}


def mib(label):
    return float(label.split()[0])


def main():
    results = json.load(open(sys.argv[1]))
    outdir = sys.argv[2]
    scans = [c for c in results["cases"] if c["group"] == "scan"]
    agree = {(c["suite"], c["input"], c["tool"]): c["agree"] for c in results["checks"]}
    suites = list(results["sets"])
    sizes = sorted({c["what"] for c in scans}, key=mib)
    common = [z for z in sizes if all(any(c["suite"] == u and c["what"] == z for c in scans)
                                         for u in suites)]
    largest = largest_label = common[-1]
    tools = ["trawl", "raw", "yara", "rg"]
    subtitle = "%s, %d cores, %s; medians of %d rounds" % (
        results["machine"]["cpu"], results["machine"]["cores"], results["date"],
        results["repetitions"])

    # Wall and CPU side by side: on a shared machine the wall figure carries the load.
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    width = 0.8 / len(tools)
    for ax, (field, label) in zip(axes, [("wall_s", "MB/s, whole process (input / wall time)"),
                                         ("cpu_s", "MB per CPU second, whole process")]):
        for t, tool in enumerate(tools):
            for s, suite in enumerate(suites):
                c = next((c for c in scans
                          if (c["suite"], c["what"], c["tool"]) == (suite, largest, tool)), None)
                if c is None:
                    continue
                rate = mib(largest) * 1.048576 / c[field]
                same = tool == "trawl" or agree.get((suite, largest, tool), False)
                x = s + (t - (len(tools) - 1) / 2) * width
                ax.bar(x, rate, width, color=COLORS[tool], hatch=None if same else "//",
                       edgecolor="white" if same else "black")
                ax.text(x, rate, "%.0f" % rate + ("" if same else "\nids\ndiffer"),
                        ha="center", va="bottom", fontsize=7)
        ax.set_xticks(range(len(suites)))
        ax.set_xticklabels(suites)
        ax.set_ylabel(label)
    handles = [plt.Rectangle((0, 0), 1, 1, color=COLORS[t]) for t in tools]
    axes[0].legend(handles, ["trawl scan", "raw engine (hs_scan, counting)", "yara 4.2",
                             "rg -F -o"], fontsize=8, loc="upper right")
    fig.suptitle("Throughput on %s, whole process (hatched: not the same work)\n%s"
                 % (largest_label, subtitle), fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "throughput.png"), dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(1, len(suites), figsize=(4 * len(suites), 3.8), squeeze=False)
    for ax, suite in zip(axes[0], suites):
        for tool in tools:
            points = [(mib(c["what"]), mib(c["what"]) * 1.048576 / c["wall_s"]) for c in scans
                      if c["suite"] == suite and c["tool"] == tool]
            if not points:
                continue
            points.sort()
            ax.plot([p[0] for p in points], [p[1] for p in points], "o-", color=COLORS[tool],
                    label=tool)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("input MiB")
        ax.set_title(suite, fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    axes[0][0].set_ylabel("MB/s, whole process (input / wall time)")
    fig.suptitle("Whole-process throughput against input size: start-up and load weigh on small "
                 "inputs\n" + subtitle, fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "size_scaling.png"), dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4))
    # MB per CPU second of the scanning thread: on a shared machine wall time counts the
    # other processes too.
    series = [("raw engine, same artifact", "raw", "mb_per_cpu_s"),
              ("raw engine, unplanned (--no-plan)", "raw-unplanned", "mb_per_cpu_s"),
              ("trawl, 1 thread", "trawl", "mb_per_cpu_s_1t"),
              ("trawl, 2 threads (per thread)", "trawl", "mb_per_cpu_s_2t")]
    colors = ["#7f7f7f", "#c7c7c7", "#1f77b4", "#aec7e8"]
    width = 0.8 / len(series)
    for k, (label, tool, field) in enumerate(series):
        for s, suite in enumerate(suites):
            c = next((c for c in results["cases"]
                      if (c["suite"], c["what"], c["tool"]) == (suite, "inproc", tool)), None)
            value = c["inproc"].get(field) if c else None
            if value is None:
                continue
            x = s + (k - (len(series) - 1) / 2) * width
            ax.bar(x, value, width, color=colors[k], label=label if s == 0 else None)
            ax.text(x, value, "%.0f" % value, ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(suites)))
    ax.set_xticklabels(suites)
    ax.set_ylabel("MB per CPU second in process, 16 MiB input")
    ax.legend(fontsize=8)
    ax.set_title("In process: trawl's scanner against the raw engine, same artifact\n" + subtitle,
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, "inprocess.png"), dpi=110)
    plt.close(fig)

    analyze = sorted((int(c["what"]), c) for c in results["cases"]
                     if c["group"] == "analyze" and "wall_s" in c)
    tree = next((t for t in results.get("tree_checks", [])
                 if t["tree"] == "16 MiB in 64 KiB files"), None)
    if analyze and tree:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        threads = [t for t, _ in analyze]
        rates = [tree["bytes"] / 1e6 / c["wall_s"] for _, c in analyze]
        axes[0].plot(threads, rates, "o-", color=COLORS["trawl"], label="measured")
        axes[0].plot(threads, [rates[0] * t for t in threads], "--", color="#c7c7c7",
                     label="linear from 1 thread")
        for t, r in zip(threads, rates):
            axes[0].text(t, r, "%.0f" % r, ha="center", va="bottom", fontsize=7)
        axes[0].set_xticks(threads)
        axes[0].set_xlabel("threads")
        axes[0].set_ylabel("MB/s, whole process (wall)")
        axes[0].set_title("trawl analyze, %d files, default rules" % tree["files"], fontsize=9)
        axes[0].legend(fontsize=8)
        for suite in suites:
            c = next((c for c in results["cases"]
                      if (c["suite"], c["what"], c["tool"]) == (suite, "inproc", "trawl")), None)
            if not c:
                continue
            points = sorted((int(k.split("_")[-1][:-1]), v) for k, v in c["inproc"].items()
                            if k.startswith("mb_per_s_"))
            axes[1].plot([p[0] for p in points], [p[1] for p in points], "o-", label=suite)
        axes[1].set_xticks(threads)
        axes[1].set_xlabel("threads")
        axes[1].set_ylabel("MB/s in process, aggregate, 16 MiB input")
        axes[1].set_title("trawl scan, in process", fontsize=9)
        axes[1].legend(fontsize=8)
        fig.suptitle("Thread scaling (%d cores)\n%s" % (results["machine"]["cores"], subtitle),
                     fontsize=9)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, "threads.png"), dpi=110)
        plt.close(fig)


if __name__ == "__main__":
    main()
