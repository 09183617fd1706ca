#!/usr/bin/env python3
"""Monthly cost of the AWS pipeline for a daily profile: Lambda + Fargate scaling to zero
(with the business-hours warm pool), against one always-on instance sized for the peak.

Compute comes from a measured burst (bench/burst.sh -> build/burst-200.json, the fields of
examples/aws/testing/burst.py's --results): seconds per invocation of each stage and, per
tier, analysis time as fixed ms + ms per MB of component. Memory sizes come from
deploy/terraform (locals.tf, ecs.tf). Unit prices are parameters (defaults: published
on-demand prices, us-east-1, x86, see PRICES); docs/operations.md lists the assumptions.

    bench/cost_model.py [--measurements build/burst-200.json] [--packages-per-day N ...]
                        [--price NAME=VALUE ...] [--peak-packages 200] [--drain-hours 2]

Prints the monthly cost of each design for each profile and the break-even point: the
packages per day above which the always-on instance is cheaper.
"""
import argparse
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TERRAFORM = os.path.join(HERE, "..", "deploy", "terraform")
DAYS_PER_MONTH = 30.4
HOURS_PER_MONTH = 730

# Published on-demand unit prices (USD, us-east-1, x86), as of 2025: override with --price.
PRICES = {
    "lambda_gb_second": 0.0000166667,
    "lambda_request": 0.20 / 1e6,
    "fargate_vcpu_hour": 0.04048,
    "fargate_gb_hour": 0.004445,
    "sqs_request": 0.40 / 1e6,
    "s3_put": 0.005 / 1000,         # PUT, COPY, POST, LIST
    "s3_get": 0.0004 / 1000,        # GET, HEAD
    "dynamodb_write_unit": 0.625 / 1e6,
    "ebs_gb_month": 0.08,           # gp3, the always-on instance's disk
    # m6i on-demand per hour, (vCPU, GiB): the always-on candidates.
    "m6i.large": 0.096, "m6i.xlarge": 0.192, "m6i.2xlarge": 0.384, "m6i.4xlarge": 0.768,
    "m6i.8xlarge": 1.536, "m6i.16xlarge": 3.072,
}
INSTANCES = {"m6i.large": (2, 8), "m6i.xlarge": (4, 16), "m6i.2xlarge": (8, 32), "m6i.4xlarge": (16, 64),
             "m6i.8xlarge": (32, 128), "m6i.16xlarge": (64, 256)}


def read(path):
    with open(path) as f:
        return f.read()


def terraform_sizes(directory=TERRAFORM):
    """Lambda memory (MB) per stage and the worker task's vCPU and memory, as deployed."""
    locals_tf = read(os.path.join(directory, "locals.tf"))
    memory = dict(re.findall(r"^\s+(intake|classify|analyze|aggregate)\s*=\s*(\d+)",
                             locals_tf.split("memory = {", 1)[1].split("}", 1)[0], re.M))
    worker_mb = int(re.search(r"worker_memory\s*=\s*(\d+)", locals_tf).group(1))
    worker_cpu = int(re.search(r"^\s+cpu\s*=\s*(\d+)", read(os.path.join(directory, "ecs.tf")), re.M).group(1))
    scaling = json.loads(read(os.path.join(directory, "scaling.json")))
    return {"lambda_mb": {k: int(v) for k, v in memory.items()}, "worker_vcpu": worker_cpu / 1024,
            "worker_gb": worker_mb / 1024, "scaling": scaling}


def rates(measured):
    """Per-unit compute from a burst's measurements."""
    handler, calls = measured["handler_seconds"], measured["invocations"]
    packages = measured["packages"]
    light, heavy = measured["light"], measured["heavy"]

    def fit(tier):
        if "ms_per_mb" in tier:
            return tier["fixed_ms"] / 1000, tier["ms_per_mb"] / 1000
        return 0.0, tier["total_s"] / max(tier["bytes"] / 1e6, 1e-9)  # proportional
    intake = measured.get("intake") or {}
    if "ms_per_component" in intake:  # intake time grows with the components it uploads
        intake_fit = (intake["fixed_ms"] / 1000, intake["ms_per_component"] / 1000)
    else:
        intake_fit = (handler.get("intake", 0) / max(calls.get("intake", packages), 1), 0.0)
    return {
        "intake": intake_fit,
        "classify_s_per_component": handler.get("classify", 0) / max(light["components"] + heavy["components"], 1),
        "light": fit(light), "heavy": fit(heavy),
        "aggregate_s_per_package": handler.get("aggregate", 0) / max(calls.get("aggregate", packages), 1),
        "light_overhead_s": max(handler.get("analyze", 0) - light["total_s"], 0) / max(light["components"], 1),
    }


def default_profile():
    """A day's packages by class: share, package MB, light components (and their MB),
    heavy components (and their MB each)."""
    return [
        {"name": "small", "share": 0.70, "package_mb": 2, "light": 20, "light_mb": 0.2, "heavy": 0, "heavy_mb": 0},
        {"name": "medium", "share": 0.25, "package_mb": 40, "light": 150, "light_mb": 0.5, "heavy": 0, "heavy_mb": 0},
        {"name": "large", "share": 0.05, "package_mb": 800, "light": 400, "light_mb": 1.0, "heavy": 4, "heavy_mb": 150},
    ]


def per_package(profile, r):
    """Average work of one package of the profile: stage seconds, counts."""
    out = {k: 0.0 for k in ("intake_s", "classify_s", "light_s", "heavy_s", "aggregate_s", "light_components",
                            "heavy_components", "components", "package_mb", "compute_s")}
    for c in profile:
        w = c["share"]
        light_s = c["light"] * (r["light"][0] + r["light_overhead_s"] + r["light"][1] * c["light_mb"])
        heavy_s = c["heavy"] * (r["heavy"][0] + r["heavy"][1] * c["heavy_mb"])
        components = c["light"] + c["heavy"]
        out["intake_s"] += w * (r["intake"][0] + r["intake"][1] * components)
        out["classify_s"] += w * r["classify_s_per_component"] * components
        out["light_s"] += w * light_s
        out["heavy_s"] += w * heavy_s
        out["aggregate_s"] += w * r["aggregate_s_per_package"]
        out["light_components"] += w * c["light"]
        out["heavy_components"] += w * c["heavy"]
        out["components"] += w * components
        out["package_mb"] += w * c["package_mb"]
    out["compute_s"] = out["intake_s"] + out["classify_s"] + out["light_s"] + out["heavy_s"] + out["aggregate_s"]
    return out


def serverless_monthly(packages_per_day, work, sizes, prices, warm_pool=1, business_hours=10,
                       business_days_per_month=21.7, bursts_per_day=1, task_start_s=60):
    """Lambda + Fargate with scale to zero: (total, itemised) USD per month."""
    p, mb = prices, sizes["lambda_mb"]
    day = {}
    gb_s = (work["intake_s"] * mb["intake"] + work["classify_s"] * mb["classify"] +
            work["light_s"] * mb["analyze"] + work["aggregate_s"] * mb["aggregate"]) / 1024 * packages_per_day
    requests = (2 + math.ceil(work["components"] / 10) + work["light_components"]) * packages_per_day
    day["lambda"] = gb_s * p["lambda_gb_second"] + requests * p["lambda_request"]
    # Fargate: the heavy components' time, plus per task started on a burst its start and
    # the idle tail before scale-in (evaluation periods + cooldown), plus the warm pool.
    task_hour = sizes["worker_vcpu"] * p["fargate_vcpu_hour"] + sizes["worker_gb"] * p["fargate_gb_hour"]
    scale = sizes["scaling"]
    heavy_messages = work["heavy_components"] * packages_per_day
    tasks = 0
    if heavy_messages > 0:
        tasks = bursts_per_day * min(10, max(1, math.ceil(heavy_messages / bursts_per_day / scale["backlog_per_task"])))
    tail_s = scale["scale_in"]["evaluation_periods"] * scale["period_seconds"] + scale["scale_in"]["cooldown_seconds"]
    task_s = work["heavy_s"] * packages_per_day + tasks * (task_start_s + tail_s)
    day["fargate"] = task_s / 3600 * task_hour
    # Requests: SQS ~8 a component (send, receive, delete, visibility) + 6 a package; S3
    # 4 PUT-class (component, plan, result, status copy) and 5 GET-class a component, 5 and
    # 4 a package; DynamoDB one write a component (the item grows with its ids), 5 a package.
    comps = work["components"] * packages_per_day
    item_units = max(1, math.ceil((200 + 35 * work["components"]) / 1024))
    day["requests"] = ((8 * comps + 6 * packages_per_day) * p["sqs_request"] +
                       (4 * comps + 5 * packages_per_day) * p["s3_put"] +
                       (5 * comps + 4 * packages_per_day) * p["s3_get"] +
                       (comps * item_units + 5 * packages_per_day) * p["dynamodb_write_unit"])
    monthly = {k: v * DAYS_PER_MONTH for k, v in day.items()}
    # Fixed: the warm pool's business hours, and Lambda's SQS pollers (5 long polls of
    # 20 s per mapping, 3 mappings) even when idle.
    monthly["warm_pool"] = warm_pool * business_hours * business_days_per_month * task_hour
    monthly["idle_polling"] = 3 * 5 * 3 * 60 * HOURS_PER_MONTH * p["sqs_request"]
    return sum(monthly.values()), monthly


def size_instance(peak_packages, work, sizes, drain_hours):
    """The smallest instance that drains the peak burst within drain_hours on all its
    vCPUs and holds the heavy tier's memory: (name, vCPU, GiB)."""
    vcpu_needed = peak_packages * work["compute_s"] / (drain_hours * 3600)
    for name, (vcpu, gib) in INSTANCES.items():
        if vcpu >= vcpu_needed and gib >= sizes["worker_gb"]:
            return name, vcpu, gib
    name = list(INSTANCES)[-1]
    return name, *INSTANCES[name]


def always_on_monthly(packages_per_day, work, instance, prices, disk_gb=200):
    """One instance running `trawl analyze` on whole packages: (total, itemised)."""
    p = prices
    monthly = {"instance": p[instance] * HOURS_PER_MONTH, "disk": disk_gb * p["ebs_gb_month"],
               # a GET of the package, two PUTs of reports, three queue requests
               "requests": DAYS_PER_MONTH * packages_per_day * (p["s3_get"] + 2 * p["s3_put"] + 3 * p["sqs_request"])}
    return sum(monthly.values()), monthly


def break_even(work, sizes, prices, instance, **kw):
    """Packages per day at which both designs cost the same (None: never below 1e6)."""
    def gap(n):
        return serverless_monthly(n, work, sizes, prices, **kw)[0] - always_on_monthly(n, work, instance, prices)[0]
    if gap(0) >= 0:
        return 0.0
    lo, hi = 0.0, 1.0
    while gap(hi) < 0:
        lo, hi = hi, hi * 2
        if hi > 1e6:
            return None
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if gap(mid) < 0 else (lo, mid)
    return hi


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--measurements", default=os.path.join(HERE, "burst_measurements.json"))
    ap.add_argument("--packages-per-day", type=float, nargs="*", default=[5, 20, 50, 200, 1000])
    ap.add_argument("--peak-packages", type=float, default=200)
    ap.add_argument("--drain-hours", type=float, default=2)
    ap.add_argument("--warm-pool", type=int, default=1)
    ap.add_argument("--price", action="append", default=[], metavar="NAME=USD")
    ap.add_argument("--memory", action="append", default=[], metavar="STAGE=MB",
                    help="a function's memory instead of Terraform's (the measured peak RSS is far below)")
    args = ap.parse_args(argv)
    prices = dict(PRICES)
    for item in args.price:
        name, _, value = item.partition("=")
        if name not in prices:
            ap.error(f"unknown price {name}; known: {', '.join(prices)}")
        prices[name] = float(value)
    measured = json.loads(read(args.measurements))
    sizes = terraform_sizes()
    for item in args.memory:
        stage, _, mb = item.partition("=")
        if stage not in sizes["lambda_mb"]:
            ap.error(f"unknown stage {stage}")
        sizes["lambda_mb"][stage] = int(mb)
    r = rates(measured)
    work = per_package(default_profile(), r)
    instance, vcpu, gib = size_instance(args.peak_packages, work, sizes, args.drain_hours)
    print(f"measured ({measured['packages']} packages, {measured.get('rules', 'small')} rules): light "
          f"{r['light'][0] * 1000:.1f} ms + {r['light'][1] * 1000:.1f} ms/MB a component, heavy "
          f"{r['heavy'][0] * 1000:.1f} ms + {r['heavy'][1] * 1000:.1f} ms/MB; intake {r['intake'][0] * 1000:.0f} ms + "
          f"{r['intake'][1] * 1000:.1f} ms a component; one average package {work['compute_s']:.1f} s of compute ({work['components']:.0f} components, "
          f"{work['package_mb']:.0f} MB)")
    print(f"always-on: {instance} ({vcpu} vCPU, {gib} GiB) drains a peak of {args.peak_packages:.0f} packages in "
          f"{args.peak_packages * work['compute_s'] / vcpu / 3600:.2f} h and holds the worker's {sizes['worker_gb']:.0f} GiB\n")
    print("| packages/day | Lambda | Fargate | requests | warm pool + polling | scale-to-zero total | always-on |")
    print("|---|---|---|---|---|---|---|")
    for n in args.packages_per_day:
        total, items = serverless_monthly(n, work, sizes, prices, warm_pool=args.warm_pool)
        fixed = items["warm_pool"] + items["idle_polling"]
        print(f"| {n:g} | ${items['lambda']:.2f} | ${items['fargate']:.2f} | ${items['requests']:.2f} | "
              f"${fixed:.2f} | **${total:.2f}** | ${always_on_monthly(n, work, instance, prices)[0]:.2f} |")
    be = break_even(work, sizes, prices, instance, warm_pool=args.warm_pool)
    print(f"\nbreak-even: {'never' if be is None else f'{be:.0f} packages/day'} "
          f"(above it the always-on {instance} is cheaper; warm pool {args.warm_pool})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
