#!/usr/bin/env python3
"""Cold start and per-invocation overhead of the Lambda host (build/aws/bootstrap), against
the project's Runtime API emulator on loopback, no AWS service involved.

  cold start   process start (before exec) -> first response received, for the intake stage
               (no database) and the analyze stage (database loaded before the first
               invocation); the host's own log gives the database load time
  overhead     round trip of one invocation carrying one SQS record that names no work:
               next -> event parsing -> response, i.e. what the host adds to every invocation

    bench/lambda_cold_start.py BUILD_DIR DB [RUNS]
Prints a Markdown table (medians over RUNS, default 10).
"""
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "aws", "testing"))
from runtime_api import RuntimeApi  # noqa: E402

# One SQS record whose body names no package: parsed, logged as malformed and acknowledged.
EMPTY_BATCH = ('{"Records":[{"messageId":"m1","receiptHandle":"r1","body":"{}",'
               '"attributes":{"ApproximateReceiveCount":"1"},"eventSource":"aws:sqs"}]}')


def cold_start(bootstrap, stage, db):
    api = RuntimeApi(stage)
    env = {"PATH": "/usr/bin:/bin", "AWS_LAMBDA_RUNTIME_API": api.address, "TRAWL_STAGE": stage,
           "TRAWL_DB": db, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x",
           "AWS_SECRET_ACCESS_KEY": "x"}
    log = os.path.join("/tmp", f"trawl-bench-{os.getpid()}-{stage}.log")
    start = time.perf_counter()
    proc = subprocess.Popen([bootstrap], env=env, stderr=open(log, "w"))
    event = EMPTY_BATCH if stage != "intake" else '{"Records":[{"eventSource":"aws:s3","eventName":"s3:TestEvent"}]}'
    outcome = api.invoke(event, alive=lambda: proc.poll() is None)
    first = (time.perf_counter() - start) * 1000
    assert outcome["kind"] == "response", (outcome, open(log).read())
    overheads = []
    for _ in range(200):
        t = time.perf_counter()
        assert api.invoke(event)["kind"] == "response"
        overheads.append((time.perf_counter() - t) * 1000)
    proc.terminate()
    proc.wait()
    api.close()
    text = open(log).read()
    os.remove(log)
    m = re.search(r"loaded in ([0-9.]+) ms", text)
    return first, float(m.group(1)) if m else 0.0, statistics.median(overheads)


def main():
    build, db = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    bootstrap = os.path.join(build, "aws", "bootstrap")
    rows = {}
    for stage in ("intake", "analyze"):
        results = [cold_start(bootstrap, stage, db) for _ in range(runs)]
        rows[stage] = [statistics.median(r[i] for r in results) for i in range(3)]
    base = rows["intake"][0]
    print(f"database: {db} ({os.path.getsize(db) / 1e6:.1f} MB), {runs} runs, medians\n")
    print("| stage | cold start (exec -> first response) | of which database load | ratio to intake | overhead per invocation |")
    print("|---|---|---|---|---|")
    for stage, (first, load, over) in rows.items():
        print(f"| {stage} | {first:.1f} ms | {load:.1f} ms | {first / base:.2f} | {over:.2f} ms |")


if __name__ == "__main__":
    main()
