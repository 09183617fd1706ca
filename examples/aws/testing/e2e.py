#!/usr/bin/env python3
"""End-to-end test of trawl's AWS hosts against local AWS-compatible services.

Starts fauxqs (S3, SQS) and dynalite (DynamoDB) with start_services.sh, one Lambda Runtime
API emulator (runtime_api.py) and one `bootstrap` process per function (intake, classify,
analyze, aggregate), SQS event-source mappings as Lambda runs them (batches, partial batch
failures, retries after the visibility timeout), and the Fargate worker on the heavy queue.
Drops packages into the bucket, drives the S3 notification, and checks:

  * the sample package's final report equals `trawl analyze --format json` byte for byte
    (and its SARIF twin `trawl analyze --format sarif`),
    with these faults injected on the way: a duplicate S3 notification and duplicate SQS
    deliveries, a handler crash mid-stage, an init error (database missing), an expired
    invocation deadline, and SIGTERM to the worker in the middle of a component;
  * exactly one completion message per package reaches aggregation;
  * a package whose component can never be read ends with one explicit incomplete report;
  * security (docs/security.md): values redacted (the default) and the fingerprint key
    provisioned as a secret (Secrets Manager for the Lambda function, injected into the
    worker's environment as ECS does); when the packages are reported, no secret value
    of the sample package is left anywhere under the bucket, in the DynamoDB table or in
    any log the test captured (the functions', the workers' and the services'); the S3
    notification with a traversing key is refused before any request; a late message
    for a reported package is done, not retried; components go up in multipart uploads;
  * values mode (analyze and aggregate redeployed): the report with values goes to the
    values bucket, the redacted one to the pipeline bucket.

    e2e.py --build-dir BUILD --package examples/sample/sample-package.tar.gz

Exit 77 (ctest skip) only when the services cannot be installed (npm unreachable).
Needs /usr/bin/python3 with python3-botocore. Every wait is bounded.
"""
import argparse
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from harness import (EventSourceMapping, Function, Services, compile_db, die_with_parent, log,  # noqa: E402
                     s3_event, set_deadline, wait_until)
from runtime_api import CREDENTIALS_TOKEN  # noqa: E402

BUCKET = "trawl-e2e"
TABLE = "trawl-packages"
VISIBILITY = 4  # seconds: retries come back quickly


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--package", required=True)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    source = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
    work = tempfile.mkdtemp(prefix="trawl-e2e-")
    logdir = os.path.join(work, "logs")
    os.makedirs(logdir)
    state = os.path.join(work, "services")
    services = Services(build, state)
    rc = services.start()
    if rc == 77:
        print("e2e: SKIPPED: the local AWS services could not be installed from npm "
              "(registry unreachable?)", flush=True)
        return 77
    if rc != 0:
        print("e2e: start_services.sh failed", flush=True)
        return 1
    set_deadline(300, "e2e")
    # ctest's timeout sends SIGTERM first: clean up the services and processes then too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("e2e: terminated"))
    functions, mappings, workers = [], [], []
    try:
        return run(build, source, work, logdir, services, args, functions, mappings, workers)
    except BaseException:
        explain_failure(services, logdir)
        raise
    finally:
        for m in mappings:
            m.stop_flag.set()
        for w in workers:
            if w.poll() is None:
                w.kill()
        for f in functions:
            f.stop()
        services.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log("kept", work)


def explain_failure(services, logdir):
    """CI shows only this test's output: what the bucket holds and how each stage's log
    ends, so that a failure explains itself."""
    try:
        keys = [o["Key"] for o in services.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        log("bucket holds:", keys)
    except Exception as e:  # the services may be what failed
        log("bucket not listed:", e)
    for name in sorted(os.listdir(logdir)):
        lines = open(os.path.join(logdir, name), errors="replace").read().splitlines()
        log(f"{name}, last {min(len(lines), 25)} of {len(lines)} lines:")
        for line in lines[-25:]:
            print("    " + line, flush=True)


def run(build, source, work, logdir, services, args, functions, mappings, workers):
    state, endpoints = services.state, services.endpoints
    s3, sqs, ddb = services.s3, services.sqs, services.ddb
    s3.create_bucket(Bucket=BUCKET)
    queues = {}
    for name in ("classify", "light", "heavy", "aggregate"):
        queues[name] = sqs.create_queue(QueueName=f"trawl-{name}",
                                        Attributes={"VisibilityTimeout": str(VISIBILITY)})["QueueUrl"]
    services.create_table(TABLE)

    # The deployment's fingerprint key: 32 random bytes, hex, kept as a secret. The
    # reference CLI reads it from a file (never argv), the hosts from Secrets Manager
    # (Lambda) or the environment (ECS injects the secret there).
    fingerprint_key = os.urandom(32).hex()
    key_file = os.path.join(work, "fingerprint.key")
    with open(key_file, "w") as f:
        f.write(fingerprint_key + "\n")
    secret_arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:trawl-fingerprint-key"

    # The database both the hosts and the reference CLI run use.
    db = os.path.join(work, "e2e.tdb")
    compile_db(build, source, db)
    # A key with a space: S3 notifications encode it as '+', the host must decode it.
    package_name = "sample package.tar.gz"
    local_package = os.path.join(work, package_name)
    shutil.copyfile(args.package, local_package)
    expected, expected_sarif = (
        subprocess.run([os.path.join(build, "trawl"), "analyze", "--db", db, "--format", fmt, "--no-values",
                        "--fingerprint-key-file", key_file, local_package],
                       check=True, capture_output=True, timeout=300).stdout for fmt in ("json", "sarif"))
    # The secret values of the sample package: none may be left anywhere once reported.
    with_values = json.loads(subprocess.run(
        [os.path.join(build, "trawl"), "analyze", "--db", db, "--values", local_package],
        check=True, capture_output=True, timeout=300).stdout)
    secrets = sorted({f["value"] for f in with_values["findings"] + with_values["suppressed"] if f.get("value")})
    assert len(secrets) >= 10, secrets

    base_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    base_env.update(endpoints)
    base_env.update({
        "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_SESSION_TOKEN": "lambda-session-token", "TMPDIR": work,
        "TRAWL_DB": db, "TRAWL_TABLE": TABLE, "TRAWL_MAX_ATTEMPTS": "3", "TRAWL_BUCKET": BUCKET,
        "TRAWL_S3_PART_BYTES": "4096",  # small ranged reads, so components take several
        "TRAWL_CLASSIFY_QUEUE_URL": queues["classify"], "TRAWL_LIGHT_QUEUE_URL": queues["light"],
        "TRAWL_HEAVY_QUEUE_URL": queues["heavy"], "TRAWL_AGGREGATE_QUEUE_URL": queues["aggregate"]})
    def package_status(pid):
        """`trawl-aws status PID --json`, as an operator runs it."""
        out = subprocess.run([os.path.join(build, "aws", "trawl-aws"), "status", pid, "--json"],
                             env=base_env, capture_output=True, timeout=60)
        assert out.returncode == 0, out.stderr.decode()
        return json.loads(out.stdout)

    # The test builds of the hosts: the shipped ones have no fault-injection hooks.
    bootstrap = os.path.join(build, "aws", "test", "bootstrap")
    worker_bin = os.path.join(build, "aws", "test", "trawl-worker")
    missing_db = os.path.join(work, "deployed", "e2e.tdb")  # appears after the init error

    crash_file = os.path.join(work, "crash-once")
    open(crash_file, "w").close()
    fn = {
        # The package is read in one part of exactly its size: the next ranged GET is past
        # the end (416), which must end the read, not fail it.
        # Components above 5 MiB (S3's smallest part) go up in multipart uploads.
        "intake": Function("intake", bootstrap, dict(base_env, TRAWL_STAGE="intake",
                                                     TRAWL_S3_PART_BYTES=str(os.path.getsize(local_package)),
                                                     TRAWL_S3_UPLOAD_PART_BYTES=str(5 << 20)),
                           logdir),
        "classify": Function("classify", bootstrap,
                             dict(base_env, TRAWL_STAGE="classify", TRAWL_DB=missing_db), logdir),
        "analyze": Function("analyze", bootstrap,
                            dict(base_env, TRAWL_STAGE="analyze", TRAWL_TEST_CRASH_FILE=crash_file,
                                 TRAWL_FINGERPRINT_KEY_SECRET_ARN=secret_arn), logdir),
        "aggregate": Function("aggregate", bootstrap, dict(base_env, TRAWL_STAGE="aggregate"), logdir),
    }
    functions.extend(fn.values())
    # Secrets Manager: the intake function's emulator serves it (any local endpoint would).
    fn["intake"].api.secrets[secret_arn] = fingerprint_key
    fn["analyze"].env["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = "http://" + fn["intake"].api.address

    # Faults. (1) Init error: classify's first environment finds no database and reports
    # /init/error; the database is then deployed and the next environment starts.
    def deploy_after_init_error(messages):
        if fn["classify"].api.init_errors and not os.path.exists(missing_db):
            os.makedirs(os.path.dirname(missing_db), exist_ok=True)
            shutil.copyfile(db, missing_db)
    # (2) Expired deadline: analyze's first invocation arrives with no time left.
    expired = {"done": False}

    def analyze_deadline():
        if not expired["done"]:
            expired["done"] = True
            return int(time.time() * 1000) - 1000
        return None
    # (3) Duplicate deliveries: every analyze message is delivered once more.
    seen = set()

    def duplicate(messages):
        for m in messages:
            if m["Body"] not in seen:
                seen.add(m["Body"])
                sqs.send_message(QueueUrl=queues["light"], MessageBody=m["Body"])
    # (4) SIGTERM mid-component: the first analyze message also goes to the heavy queue.
    heavy_copy = []

    def copy_to_heavy(messages):
        if not heavy_copy:
            heavy_copy.append(messages[0]["Body"])
            sqs.send_message(QueueUrl=queues["heavy"], MessageBody=messages[0]["Body"])

    mappings.extend([
        EventSourceMapping(sqs, queues["classify"], fn["classify"], {"before": [deploy_after_init_error]}),
        EventSourceMapping(sqs, queues["light"], fn["analyze"],
                           {"deadline": analyze_deadline, "before": [duplicate, copy_to_heavy]}),
        EventSourceMapping(sqs, queues["aggregate"], fn["aggregate"]),
    ])
    for m in mappings:
        m.start()

    worker_env = {k: v for k, v in base_env.items()
                  if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")}
    worker_env.update({
        "TRAWL_STAGE": "analyze", "TRAWL_QUEUE_URL": queues["heavy"], "TRAWL_POLL_SECONDS": "20",
        "TRAWL_VISIBILITY_SECONDS": "4", "TRAWL_STOP_TIMEOUT_MS": "500",
        "TRAWL_HEARTBEAT_FILE": os.path.join(work, "heartbeat"),
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://{fn['intake'].api.address}/credentials",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": CREDENTIALS_TOKEN,
        "TRAWL_FINGERPRINT_KEY": fingerprint_key})  # as ECS injects `secrets`
    worker_log = os.path.join(logdir, "worker-1.log")
    workers.append(subprocess.Popen([worker_bin],
                                    env=dict(worker_env, TRAWL_TEST_HOLD_MS="60000"),
                                    stdout=open(worker_log, "w"), stderr=subprocess.STDOUT,
                                    preexec_fn=die_with_parent))

    # The package lands; S3 notifies intake (twice: notifications are at-least-once).
    key = "incoming/" + package_name
    s3.put_object(Bucket=BUCKET, Key=key, Body=open(local_package, "rb").read())
    event = s3_event(BUCKET, key, os.path.getsize(local_package))
    for attempt in (1, 2):
        outcome = fn["intake"].invoke(event)
        assert outcome["kind"] == "response", f"intake {attempt}: {outcome}"
    intake_log = open(os.path.join(logdir, "intake.log")).read()
    assert "cold start: first response" in intake_log, intake_log
    assert "PUT" not in intake_log, "an upload failed"
    # The notification whose key walked out of the bucket: refused before any request.
    s3.create_bucket(Bucket="other-bucket")
    s3.put_object(Bucket="other-bucket", Key="reports/x.json", Body=b"{}")
    traversal = s3_event(BUCKET, "incoming/a/../../../other-bucket/reports/x.json", 2)
    outcome = fn["intake"].invoke(traversal)
    assert outcome["kind"] == "error" and outcome["type"] == "Trawl.Event", outcome
    assert "'..' segment" in outcome["body"], outcome
    log("traversing key refused:", json.loads(outcome["body"])["errorMessage"])
    package_id = json.loads(s3.get_object(
        Bucket=BUCKET, Key=next(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="packages/")["Contents"]
                                if o["Key"].endswith("manifest.json")))["Body"].read())["package_id"]
    log("package", package_id)

    # SIGTERM while the worker holds its component; it must release it and exit.
    wait_until("the worker to take a message",
               lambda: "working on" in open(worker_log).read(), 60)
    workers[0].send_signal(signal.SIGTERM)
    assert workers[0].wait(30) == 0, "worker did not exit cleanly after SIGTERM"
    text = open(worker_log).read()
    assert "released" in text and "visibility 0" in text, text
    assert os.path.exists(os.path.join(work, "heartbeat"))
    released = text.split("working on message ", 1)[1].split()[0]
    # A second worker takes the released message and holds it for 7 s, longer than the
    # queue's 4 s visibility: it must keep extending the visibility, so that a third worker
    # polling the same queue meanwhile never receives it.
    worker_log2 = os.path.join(logdir, "worker-2.log")
    workers.append(subprocess.Popen([worker_bin],
                                    env=dict(worker_env, TRAWL_TEST_HOLD_MS="7000"),
                                    stdout=open(worker_log2, "w"), stderr=subprocess.STDOUT,
                                    preexec_fn=die_with_parent))
    wait_until("the second worker to take the released message",
               lambda: f"working on message {released}" in open(worker_log2).read(), 30)
    worker_log3 = os.path.join(logdir, "worker-3.log")
    workers.append(subprocess.Popen([worker_bin], env=worker_env,
                                    stdout=open(worker_log3, "w"), stderr=subprocess.STDOUT,
                                    preexec_fn=die_with_parent))

    report_key = f"reports/{package_id}.json"

    def report_ready():
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="reports/").get("Contents", [])]
        return report_key in keys
    wait_until("the report", report_ready, 180)
    wait_until("the second worker to finish the released component",
               lambda: f"done {released}" in open(worker_log2).read(), 60)
    assert released not in open(worker_log3).read(), "visibility was not extended"
    assert "extend:" not in open(worker_log2).read(), open(worker_log2).read()
    report = s3.get_object(Bucket=BUCKET, Key=report_key)["Body"].read()
    status = package_status(package_id)
    assert status["state"] == "reported" and status["report_key"] == report_key, status
    assert status["failed"] == 0 and status["recorded"] == status["total_components"] > 0, status
    if report != expected:
        open(os.path.join(work, "report.json"), "wb").write(report)
        open(os.path.join(work, "expected.json"), "wb").write(expected)
        args.keep = True
        raise AssertionError(f"report differs from `trawl analyze` (see {work})")
    log("report equals `trawl analyze` byte for byte:", len(report), "bytes")

    # The faults happened as planned.
    assert fn["classify"].api.init_errors and fn["classify"].api.init_errors[0]["type"] == "Trawl.DatabaseLoad", \
        fn["classify"].api.init_errors
    assert not os.path.exists(crash_file), "the analyze handler never reached the crash point"
    assert fn["analyze"].starts >= 2, "analyze was not restarted after its crash"
    assert any(kind == "crash" for kind, _, _ in mappings[1].outcomes)
    assert mappings[1].outcomes and mappings[1].outcomes[0][1] > 0, \
        f"expired deadline: expected batchItemFailures, got {mappings[1].outcomes[:1]}"
    assert ("credentials", "") in fn["intake"].api.log, "worker did not use container credentials"
    assert ("secret", secret_arn) in fn["intake"].api.log, "analyze did not fetch its fingerprint key"
    log("fingerprint key fetched from Secrets Manager")

    # Exactly one completion message for the package, whatever the duplicates.
    time.sleep(VISIBILITY + 2)  # a duplicate completion would have arrived by now
    # (A redelivery of the same message after a failed invocation is not a second one.)
    completions = {i for i, b in mappings[2].delivered if json.loads(b)["package_id"] == package_id}
    assert len(completions) == 1, f"{len(completions)} completion messages: {completions}"
    item = ddb.get_item(TableName=TABLE, Key={"package_id": {"S": package_id}})["Item"]
    assert item.get("completion_sent", {}).get("BOOL") is True, item
    log("exactly one completion message; state:", {k: v for k, v in item.items() if k != "completed_components"})

    # SIGTERM to an idle worker ends its 20 s long poll at once (within libcurl's 1 s tick).
    start = time.time()
    workers[1].send_signal(signal.SIGTERM)
    workers[2].send_signal(signal.SIGTERM)
    assert workers[1].wait(10) == 0 and workers[2].wait(10) == 0, "idle worker did not exit after SIGTERM"
    assert time.time() - start < 5, "the long poll was not interrupted"
    assert "trawl-worker: stopped" in open(worker_log2).read()
    log(f"idle worker stopped {time.time() - start:.2f} s after SIGTERM")

    # A package with a component that can never be read ends with an explicit incomplete report.
    # Its big.log (5.1 MiB) goes up in two parts.
    big = b"".join(b"2024-01-01T00:00:%02dZ INFO request %d served in %d ms\n" % (i % 60, i, i % 97)
                   for i in range(120000))
    assert len(big) > 5 << 20
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, text in (("a.txt", b"nothing here\n"), ("b.txt", b"token ghp_" + b"x" * 36 + b"\n"),
                           ("big.log", big)):
            info = tarfile.TarInfo(name)
            info.size = len(text)
            info.mtime = 1700000000
            tar.addfile(info, io.BytesIO(text))
    mappings[0].paused.set()
    s3.put_object(Bucket=BUCKET, Key="incoming/broken.tar.gz", Body=buf.getvalue())
    outcome = fn["intake"].invoke(s3_event(BUCKET, "incoming/broken.tar.gz", len(buf.getvalue())))
    assert outcome["kind"] == "response", outcome
    manifests = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="packages/")["Contents"]
                 if o["Key"].endswith("manifest.json") and package_id not in o["Key"]]
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=manifests[0])["Body"].read())
    broken_id = manifest["package_id"]
    lost = next(c["id"] for c in manifest["components"] if c["path"].endswith("!/b.txt"))
    s3.delete_object(Bucket=BUCKET, Key=f"packages/{broken_id}/components/{lost}")
    # In flight, `trawl-aws status` reads each component's status from its object.
    status = package_status(broken_id)
    assert status["state"] == "analysing" and status["component_source"] == "s3", status
    statuses = {c["id"]: (c["status"], c["attempts"], c["stage"]) for c in status["components"]}
    assert statuses.pop(lost) == ("missing", "", ""), statuses
    values = list(statuses.values())
    assert values.count(("not stored", "", "")) == 1, statuses  # the tar.gz itself
    # Pending as intake left them, or analysed already (a classify poll in progress when
    # the mapping was paused can take them; "analysed" sorts before "not stored", so the
    # tar.gz is found by value, not by position).
    assert all(v == ("pending", "0", "intake") or v[0] == "analysed" and v[2] == "analyze"
               for v in values if v != ("not stored", "", "")), statuses
    log("in flight:", status["recorded"], "of", status["total_components"], "recorded; statuses",
        sorted(set(statuses.values())))
    mappings[0].paused.clear()
    wait_until("the incomplete report",
               lambda: any(o["Key"] == f"reports/{broken_id}.json" for o in
                           s3.list_objects_v2(Bucket=BUCKET, Prefix="reports/").get("Contents", [])), 120)
    incomplete = json.loads(s3.get_object(Bucket=BUCKET, Key=f"reports/{broken_id}.json")["Body"].read())
    assert incomplete["complete"] is False, incomplete
    assert incomplete["incomplete_reasons"], incomplete
    log("incomplete report:", incomplete["incomplete_reasons"])
    # Reported: the intermediates go, and the status comes from DynamoDB alone.
    wait_until("the broken package's intermediates to be deleted",
               lambda: not s3.list_objects_v2(Bucket=BUCKET, Prefix=f"packages/{broken_id}/").get("Contents"), 60)
    status = package_status(broken_id)
    assert status["state"] == "reported" and status["component_source"] == "dynamodb", status
    assert {(c["id"], c["status"]) for c in status["components"] if c["status"] == "failed"} == \
        {(lost, "failed")}, status
    assert status["recorded"] == status["total_components"] == len(status["components"]), status
    parts = open(os.path.join(state, "fauxqs.log")).read().count("&uploadId=")
    assert parts == 2, f"big.log: {parts} part uploads, expected 2"

    reports = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="reports/")["Contents"]]
    assert sorted(reports) == sorted(f"reports/{p}.{ext}" for p in (package_id, broken_id)
                                     for ext in ("json", "sarif")), reports

    # Once reported, a package's intermediates and incoming object are deleted: only the
    # reports remain. A late completion message for it is done, not retried.
    def only_reports():
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        return keys if all(k.startswith("reports/") for k in keys) else None
    wait_until("the intermediates to be deleted", only_reports, 60)
    before = len(mappings[2].outcomes)
    sqs.send_message(QueueUrl=queues["aggregate"],
                     MessageBody=json.dumps({"bucket": BUCKET, "package_id": package_id}))
    wait_until("the late completion", lambda: len(mappings[2].outcomes) > before, 60)
    assert mappings[2].outcomes[-1][:2] == ("response", 0), mappings[2].outcomes[-1]
    assert "intermediates deleted; message done" in open(os.path.join(logdir, "aggregate.log")).read()
    item = ddb.get_item(TableName=TABLE, Key={"package_id": {"S": package_id}})["Item"]
    assert int(item["expires_at"]["N"]) > time.time() + 86400, item  # DynamoDB TTL

    # No secret value anywhere: every object under the bucket, every item of the table,
    # every log captured. The check must be able to fail: the report with values trips it.
    def leaks(name, data):
        return [(name, v) for v in secrets if v.encode() in data]
    assert leaks("values report", json.dumps(with_values).encode()), "the leak check cannot fail"
    found = []
    for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        found += leaks("s3://" + o["Key"], s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read())
    found += leaks("dynamodb", json.dumps(ddb.scan(TableName=TABLE)["Items"]).encode())
    logs = [os.path.join(logdir, f) for f in os.listdir(logdir)] + \
           [os.path.join(state, f) for f in os.listdir(state) if f.endswith(".log")]
    for path in logs:
        found += leaks(path, open(path, "rb").read())
    assert not found, f"secret values left behind: {found}"
    log(f"no secret value under the bucket, in the table or in {len(logs)} logs")
    sarif = s3.get_object(Bucket=BUCKET, Key=f"reports/{package_id}.sarif")["Body"].read()
    assert sarif == expected_sarif, "the SARIF report differs from `trawl analyze --format sarif`"
    log("SARIF report equals `trawl analyze --format sarif` byte for byte:", len(sarif), "bytes")

    # Values mode: analyze and aggregate redeployed with TRAWL_INCLUDE_VALUES=1. The values
    # bucket gets the results and the report with values, the pipeline bucket the same
    # report redacted; the results go once reported.
    values_bucket = "trawl-e2e-values"
    s3.create_bucket(Bucket=values_bucket)
    for name in ("analyze", "aggregate"):
        fn[name].redeploy(TRAWL_INCLUDE_VALUES="1", TRAWL_VALUES_BUCKET=values_bucket)
    token = "ghp_" + "v" * 26 + "ValuesMode"  # 36 characters after ghp_
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        text = b"token " + token.encode() + b"\n"
        info = tarfile.TarInfo("values/config.env")
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text))
    s3.put_object(Bucket=BUCKET, Key="incoming/values.tar.gz", Body=buf.getvalue())
    outcome = fn["intake"].invoke(s3_event(BUCKET, "incoming/values.tar.gz", len(buf.getvalue())))
    assert outcome["kind"] == "response", outcome
    values_id = re.search(r"intake incoming/values\.tar\.gz: package ([0-9a-f]{64})",
                          open(os.path.join(logdir, "intake.log")).read()).group(1)

    def reported(bucket):
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="reports/").get("Contents", [])]
        return f"reports/{values_id}.json" in keys
    wait_until("the values-mode reports", lambda: reported(BUCKET) and reported(values_bucket), 120)
    full = s3.get_object(Bucket=values_bucket, Key=f"reports/{values_id}.json")["Body"].read()
    redacted = s3.get_object(Bucket=BUCKET, Key=f"reports/{values_id}.json")["Body"].read()
    assert token.encode() in full, "the values bucket's report has no value"
    assert token.encode() not in redacted, "the pipeline bucket's report has a value"
    assert json.loads(redacted)["findings"] and \
        not any("value" in f for f in json.loads(redacted)["findings"]), redacted[:500]
    wait_until("the values-mode results to be deleted", lambda: not s3.list_objects_v2(
        Bucket=values_bucket, Prefix="results/").get("Contents"), 60)
    log("values mode: the report with values in", values_bucket, "and redacted in", BUCKET)
    for f in functions:
        for line in open(os.path.join(logdir, f"{f.name}.log")):
            if "cold start" in line or "database" in line and "loaded" in line:
                log(f.name + ":", line.strip())
    log("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
