#!/usr/bin/env python3
"""A burst through the AWS pipeline, against the local services (as e2e.py), with the heavy
tier scaled by the Terraform policy's own rule and faults injected on the way.

N generated packages (mixed sizes, nested archives, a few with heavy components) land in
the bucket at once and every S3 notification is sent together. Intake runs as S3's
asynchronous invocations (retried on error), classify, analyze and aggregate behind SQS
event-source mappings (their Terraform batch sizes; as many environments as --concurrency),
and the heavy queue is served by trawl-worker processes whose number a local scaler sets
every period with deploy/terraform/scaling.py: the arithmetic and numbers (scaling.json)
of the Terraform step policies, from zero. A local ECS agent endpoint records each
worker's scale-in protection; scaling in stops unprotected (idle) workers only, as ECS does.

Faults: a worker SIGTERMed in the middle of a heavy component (it releases the message);
a worker and an analyze environment crashing between writing a result and recording it;
duplicate S3 notifications, duplicate classify and analyze messages (every classify
message of the heavy packages, so heavy components are delivered twice too).

Checks: every package ends with exactly one completion and one report, byte-identical to
`trawl analyze --no-values --fingerprint-key-file` of the same package; none is lost; the
dead-letter queues are empty; every component object's status is final (analysed, or
skipped when it needs no result) with its attempts and result key, and DynamoDB records
every component; the heavy tier scaled out from zero and back to zero; every fault
happened. The pipeline keeps its intermediates here (TRAWL_DELETE_AFTER_REPORT=0) so the
statuses can be read afterwards; e2e.py covers the deletion.

Reports drain time, peak queue depth per stage, peak RSS and time per tier (a Markdown
table, and --results FILE as JSON for bench/cost_model.py).

    burst.py --build-dir BUILD [--packages 20] [--period 0.5] [--max-workers 3]
             [--concurrency 2] [--rules small|default] [--results FILE] [--keep]

Exit 77 (ctest skip) only when the services cannot be installed (npm unreachable).
"""
import argparse
import hashlib
import io
import json
import os
import queue
import random
import re
import resource
import shutil
import signal
import statistics
import string
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(SOURCE, "deploy", "terraform"))
import scaling  # noqa: E402
from harness import (EventSourceMapping, Function, Services, compile_db, die_with_parent, log,  # noqa: E402
                     s3_event, set_deadline, wait_until)

BUCKET = "trawl-burst"
TABLE = "trawl-burst-packages"
VISIBILITY = 6        # seconds: a crashed or released message comes back quickly
MAX_ATTEMPTS = 3      # TRAWL_MAX_ATTEMPTS = maxReceiveCount, as Terraform sets both
# Components whose plan estimates this much memory or more go to the heavy tier: the
# library's base estimate is 512 MiB, so text components above ~2 MiB (JSON above ~0.7 MiB)
# are heavy here, as components the size of the analyze function's memory are in AWS.
LIGHT_MAX_MEMORY_BYTES = 515 << 20
HEAVY_COMPONENT_BYTES = 3 << 20


# ---------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------

def token(rng, prefix, n, alphabet=string.ascii_letters + string.digits):
    return prefix + "".join(rng.choice(alphabet) for _ in range(n))


def text_file(rng, lines):
    out = []
    for i in range(lines):
        roll = rng.random()
        if roll < 0.02:
            out.append(f"export GITHUB_TOKEN={token(rng, 'ghp_', 36)}")
        elif roll < 0.04:
            out.append(f"aws_access_key_id = {token(rng, 'AKIA', 16, string.ascii_uppercase + string.digits)}")
        elif roll < 0.06:
            out.append(f"contact: {token(rng, '', 8, string.ascii_lowercase)}@example.org")
        else:
            out.append(f"2026-12-0{rng.randint(1, 9)}T10:{i % 60:02d}:00Z INFO request {i} "
                       f"served in {rng.randint(1, 900)} ms path=/api/v1/{rng.randint(1, 99)}")
    return ("\n".join(out) + "\n").encode()


def tar_gz(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1700000000
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def zip_bytes(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def make_package(rng, index, kind):
    """(file name, bytes) of one package of the given kind."""
    if kind == "small":
        files = [(f"app{index}/config.env", text_file(rng, rng.randint(5, 40))),
                 (f"app{index}/notes.txt", text_file(rng, rng.randint(20, 200)))]
        files.append((f"app{index}/data.json", json.dumps(
            [{"id": i, "email": f"user{i}@example.org", "score": rng.randint(0, 99)}
             for i in range(rng.randint(5, 60))]).encode()))
        return f"pkg-{index:03d}-small.tar.gz", tar_gz(files)
    if kind == "medium":
        files = [(f"logs/{n:02d}.log", text_file(rng, rng.randint(200, 900))) for n in range(rng.randint(8, 20))]
        return f"pkg-{index:03d}-medium.zip", zip_bytes(files)
    if kind == "nested":
        inner = tar_gz([("deep/secret.env", text_file(rng, 30)), ("deep/readme.txt", text_file(rng, 10))])
        middle = zip_bytes([("inner.tar.gz", inner), ("copy.txt", text_file(rng, 50))])
        shared = text_file(rng, 40)  # twice: the second copy is a duplicate, skipped
        return f"pkg-{index:03d}-nested.tar.gz", tar_gz([("bundle/middle.zip", middle), ("a/shared.txt", shared),
                                                         ("b/shared.txt", shared)])
    # heavy: components the analyze function could not hold go to the workers
    files = [(f"big/{n}.log", text_file(rng, HEAVY_COMPONENT_BYTES // 80)) for n in range(3)]
    files.append(("big/small.env", text_file(rng, 10)))
    return f"pkg-{index:03d}-heavy.tar.gz", tar_gz(files)


def make_packages(directory, count, seed):
    rng = random.Random(seed)
    heavy = max(1, count // 20)
    kinds = ["heavy"] * heavy + [rng.choices(["small", "medium", "nested"], [60, 20, 20])[0]
                                 for _ in range(count - heavy)]
    rng.shuffle(kinds)
    out = []
    for i, kind in enumerate(kinds):
        name, data = make_package(rng, i, kind)
        path = os.path.join(directory, name)
        with open(path, "wb") as f:
            f.write(data)
        out.append({"name": name, "path": path, "kind": kind, "size": len(data),
                    "package_id": hashlib.sha256(data).hexdigest()})
    return out


# ---------------------------------------------------------------------------------------
# The heavy tier: worker processes, a local ECS agent, the scaler
# ---------------------------------------------------------------------------------------

class Agent:
    """The ECS agent's task scale-in protection endpoint, one path per worker:
    PUT /api/<worker>/task-protection/v1/state {"ProtectionEnabled", "ExpiresInMinutes"}."""

    def __init__(self):
        self.protected = {}  # worker id -> bool
        self.calls = 0
        agent = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_PUT(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                m = re.fullmatch(r"/api/(\w+)/task-protection/v1/state", self.path)
                code = 404
                if m:
                    agent.protected[m.group(1)] = json.loads(body).get("ProtectionEnabled") is True
                    agent.calls += 1
                    code = 200
                answer = b'{"protection":{}}'
                self.send_response(code)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def uri(self, worker_id):
        return f"http://127.0.0.1:{self.port}/api/{worker_id}"


class Fleet:
    """The worker service: desired count from the scaler, tasks as trawl-worker processes.
    Too few: start more (a task that died is replaced). Too many: SIGTERM unprotected
    ones, newest first; protected (busy) ones are left until they are idle."""

    def __init__(self, binary, env, logdir, agent):
        self.binary, self.env, self.logdir, self.agent = binary, env, logdir, agent
        self.workers = {}   # id -> Popen
        self.stopping = set()
        self.started = 0
        self.exits = []     # (id, return code)
        self.lock = threading.Lock()

    def log_path(self, wid):
        return os.path.join(self.logdir, f"{wid}.log")

    def running(self):
        """Tasks in RUNNING state: alive, and polling (the database loaded)."""
        return [wid for wid, p in self.workers.items()
                if p.poll() is None and "polling" in open(self.log_path(wid)).read()]

    def reap(self):
        for wid, p in list(self.workers.items()):
            if p.poll() is not None:
                self.exits.append((wid, p.returncode))
                del self.workers[wid]
                self.stopping.discard(wid)

    def apply(self, desired):
        with self.lock:
            self.reap()
            live = [w for w in self.workers if w not in self.stopping]
            for _ in range(desired - len(live)):
                self.started += 1
                wid = f"worker{self.started:02d}"
                env = dict(self.env, ECS_AGENT_URI=self.agent.uri(wid))
                if self.started == 1:  # the SIGTERM fault's target: it holds its message 3 s
                    env["TRAWL_TEST_HOLD_MS"] = "3000"
                self.workers[wid] = subprocess.Popen([self.binary], env=env, stdout=open(self.log_path(wid), "w"),
                                                     stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
            surplus = len(live) - desired
            for wid in sorted(live, reverse=True):
                if surplus <= 0:
                    break
                if not self.agent.protected.get(wid):
                    self.workers[wid].send_signal(signal.SIGTERM)
                    self.stopping.add(wid)
                    surplus -= 1

    def stop_all(self):
        with self.lock:
            for p in self.workers.values():
                if p.poll() is None:
                    p.kill()


class ScalerLoop(threading.Thread):
    """Every `period` seconds (one CloudWatch period of scaling.json, compressed), the heavy
    queue's visible and in-flight counts and the running tasks go through scaling.Scaler,
    and the fleet follows its desired count, within [0, max_workers]."""

    def __init__(self, sqs, heavy_url, fleet, policy, period, max_workers):
        super().__init__(daemon=True)
        self.sqs, self.heavy_url, self.fleet = sqs, heavy_url, fleet
        self.scaler = scaling.Scaler(policy)
        self.period, self.max_workers = period, max_workers
        self.virtual_period = policy["period_seconds"]
        self.stop_flag = threading.Event()
        self.history = []  # (t, visible, in_flight, running, desired)

    def run(self):
        tick = 0
        start = time.time()
        while not self.stop_flag.is_set():
            attrs = self.sqs.get_queue_attributes(
                QueueUrl=self.heavy_url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            visible = int(attrs["ApproximateNumberOfMessages"])
            in_flight = int(attrs["ApproximateNumberOfMessagesNotVisible"])
            running = len(self.fleet.running())
            desired = self.scaler.tick(tick * self.virtual_period, visible, in_flight, running, 0, self.max_workers)
            self.fleet.apply(desired)
            self.history.append((round(time.time() - start, 2), visible, in_flight, running, desired))
            tick += 1
            self.stop_flag.wait(self.period)


# ---------------------------------------------------------------------------------------
# Lambda's side: S3 asynchronous invocations of intake, and the measurements
# ---------------------------------------------------------------------------------------

class AsyncInvoker(threading.Thread):
    """S3 -> intake as Lambda runs asynchronous invocations: an event that fails is retried
    twice (maximum_retry_attempts = 2), then goes to the on-failure destination."""

    def __init__(self, events, function, failed):
        super().__init__(daemon=True)
        self.events, self.function, self.failed = events, function, failed
        self.invocations = 0

    def run(self):
        while True:
            event = self.events.get()
            if event is None:
                return
            for _ in range(3):
                self.invocations += 1
                if self.function.invoke(event)["kind"] == "response":
                    break
            else:
                self.failed.append(event)


def rss_kib(pid, field="VmHWM"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Sampler(threading.Thread):
    """Queue depths and the processes' peak RSS, four times a second."""

    def __init__(self, sqs, queues, fleet, functions):
        super().__init__(daemon=True)
        self.sqs, self.queues, self.fleet, self.functions = sqs, queues, fleet, functions
        self.stop_flag = threading.Event()
        self.peak_depth = {q: 0 for q in queues}
        self.peak_rss_kib = {}  # tier -> KiB
        self.peak_workers = 0

    def sample(self):
        for name, url in self.queues.items():
            a = self.sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                              "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
            depth = int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])
            self.peak_depth[name] = max(self.peak_depth[name], depth)
        procs = [(f.name.split("-")[0], f.proc) for f in self.functions if f.proc]
        procs += [("worker", p) for p in list(self.fleet.workers.values())]
        for tier, p in procs:
            if p.poll() is None:
                self.peak_rss_kib[tier] = max(self.peak_rss_kib.get(tier, 0), rss_kib(p.pid))
        self.peak_workers = max(self.peak_workers, len(self.fleet.running()))

    def run(self):
        while not self.stop_flag.is_set():
            try:
                self.sample()
            except Exception as e:  # a sample lost to a process exiting mid-read
                log("sampler:", e)
            self.stop_flag.wait(0.25)


def tier_times(logdir):
    """Per tier, from the hosts' own log lines: component analysis times (ms) and sizes,
    and the invocations' handler times per function (Lambda's billed duration)."""
    out = {"light": [], "heavy": [], "handler": {}, "intake": []}
    for name in sorted(os.listdir(logdir)):
        text = open(os.path.join(logdir, name), errors="replace").read()
        tier = "heavy" if name.startswith("worker") else "light"
        for ms, size in re.findall(r"analyze [0-9a-f]{32}: result written \(([\d.]+) ms, (\d+) bytes\)", text):
            out[tier].append((float(ms), int(size)))
        function = name.split("-")[0].replace(".log", "")
        for ms in re.findall(r"invocation \S+ handled in ([\d.]+) ms", text):
            out["handler"].setdefault(function, []).append(float(ms))
        if tier == "heavy":
            for ms in re.findall(r"done \S+ in ([\d.]+) ms", text):
                out["handler"].setdefault("worker", []).append(float(ms))
        # Intake: components registered, then the invocation's time.
        for m in re.finditer(r"package [0-9a-f]{64}, (\d+) components to analyse\n(?:(?!trawl-host: intake).*\n)*?"
                             r"bootstrap: invocation \S+ handled in ([\d.]+) ms", text):
            out["intake"].append((float(m.group(2)), int(m.group(1))))
    return out


# ---------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--packages", type=int, default=20)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--period", type=float, default=0.5, help="seconds per scaling period (60 s in AWS)")
    parser.add_argument("--max-workers", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2, help="environments per function")
    parser.add_argument("--deadline", type=int, default=900, help="seconds the whole run may take")
    parser.add_argument("--rules", choices=("small", "default"), default="small",
                        help="small: secrets and PII packs (fast); default: the shipped packs, portable")
    parser.add_argument("--results", help="write the measurements as JSON here")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    work = tempfile.mkdtemp(prefix="trawl-burst-")
    logdir = os.path.join(work, "logs")
    os.makedirs(logdir)
    services = Services(build, os.path.join(work, "services"))
    rc = services.start()
    if rc == 77:
        print("burst: SKIPPED: the local AWS services could not be installed from npm", flush=True)
        return 77
    if rc != 0:
        print("burst: start_services.sh failed", flush=True)
        return 1
    set_deadline(args.deadline, "burst")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("burst: terminated"))
    parts = {"functions": [], "threads": [], "fleet": None}
    try:
        return run(build, work, logdir, services, args, parts)
    finally:
        for t in parts["threads"]:
            if hasattr(t, "stop_flag"):
                t.stop_flag.set()
        if parts["fleet"]:
            parts["fleet"].stop_all()
        for f in parts["functions"]:
            f.stop()
        services.stop()
        if args.keep:
            log("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def run(build, work, logdir, services, args, parts):
    s3, sqs, ddb = services.s3, services.sqs, services.ddb
    policy = scaling.load()
    s3.create_bucket(Bucket=BUCKET)
    queues, dlqs = {}, {}
    for name in ("classify", "light", "heavy", "aggregate"):
        dlqs[name] = sqs.create_queue(QueueName=f"burst-{name}-dlq")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=dlqs[name], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queues[name] = sqs.create_queue(QueueName=f"burst-{name}", Attributes={
            "VisibilityTimeout": str(VISIBILITY),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": MAX_ATTEMPTS})})["QueueUrl"]
    services.create_table(TABLE)

    # Packages, and what `trawl analyze` says of each (with the same key and settings).
    fingerprint_key = os.urandom(32).hex()
    key_file = os.path.join(work, "fingerprint.key")
    with open(key_file, "w") as f:
        f.write(fingerprint_key + "\n")
    db = os.path.join(work, "burst.tdb")
    if args.rules == "default":  # what the Lambda zip and the worker image carry
        subprocess.run([os.path.join(build, "trawl"), "compile"] +
                       [os.path.join(SOURCE, "rules", r) for r in ("secrets.json", "pii.json", "indicators.ndjson.gz")] +
                       ["--target", "portable", "-o", db], check=True, capture_output=True, timeout=900)
    else:
        compile_db(build, SOURCE, db)
    package_dir = os.path.join(work, "packages")
    os.makedirs(package_dir)
    packages = make_packages(package_dir, args.packages, args.seed)
    trawl = os.path.join(build, "trawl")

    def reference(p):
        p["expected"] = subprocess.run([trawl, "analyze", "--db", db, "--format", "json", "--no-values",
                                        "--fingerprint-key-file", key_file, p["path"]],
                                       check=True, capture_output=True, timeout=300).stdout
    def cpu_seconds():  # user + system time of the children waited for so far
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime
    cpu_before = cpu_seconds()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(reference, packages))
    reference_cpu = cpu_seconds() - cpu_before
    by_id = {p["package_id"]: p for p in packages}
    assert len(by_id) == len(packages), "two generated packages are identical"
    kinds = {k: sum(p["kind"] == k for p in packages) for k in ("small", "medium", "nested", "heavy")}
    log(f"{len(packages)} packages ({kinds}), {sum(p['size'] for p in packages) / 1e6:.1f} MB")

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(services.endpoints)
    env.update({
        "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "TMPDIR": work,
        "TRAWL_DB": db, "TRAWL_TABLE": TABLE, "TRAWL_BUCKET": BUCKET, "TRAWL_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        "TRAWL_CLASSIFY_QUEUE_URL": queues["classify"], "TRAWL_LIGHT_QUEUE_URL": queues["light"],
        "TRAWL_HEAVY_QUEUE_URL": queues["heavy"], "TRAWL_AGGREGATE_QUEUE_URL": queues["aggregate"],
        "TRAWL_LIGHT_MAX_MEMORY_BYTES": str(LIGHT_MAX_MEMORY_BYTES), "TRAWL_METRICS_NAMESPACE": "trawl/burst",
        "TRAWL_DELETE_AFTER_REPORT": "0", "TRAWL_FINGERPRINT_KEY": fingerprint_key})
    bootstrap = os.path.join(build, "aws", "test", "bootstrap")
    crash = {name: os.path.join(work, f"crash-{name}") for name in ("analyze", "worker")}
    for path in crash.values():
        open(path, "w").close()

    def function(name, i, **extra):
        f = Function(f"{name}-{i}", bootstrap, dict(env, TRAWL_STAGE=name, **extra), logdir)
        parts["functions"].append(f)
        return f

    # Duplicates: some S3 notifications, a tenth of the classify and analyze messages, and
    # every classify message of the heavy packages (their heavy components go twice).
    rng = random.Random(args.seed)
    heavy_ids = {p["package_id"] for p in packages if p["kind"] == "heavy"}
    duplicated = {"classify": 0, "light": 0, "notification": 0}
    seen = set()

    def duplicate(name):
        def hook(messages):
            for m in messages:
                if m["MessageId"] in seen:
                    continue
                seen.add(m["MessageId"])
                heavy = json.loads(m["Body"]).get("package_id") in heavy_ids and name == "classify"
                if (heavy or rng.random() < 0.1) and m["Body"] not in seen:
                    seen.add(m["Body"])
                    sqs.send_message(QueueUrl=queues[name], MessageBody=m["Body"])
                    duplicated[name] += 1
        return hook

    mappings = []
    for i in range(args.concurrency):
        mappings.append(EventSourceMapping(sqs, queues["classify"], function("classify", i),
                                           {"before": [duplicate("classify")]}, batch_size=10))
        mappings.append(EventSourceMapping(sqs, queues["light"],
                                           function("analyze", i, TRAWL_TEST_CRASH_FILE=crash["analyze"]),
                                           {"before": [duplicate("light")]}, batch_size=1))
    mappings.append(EventSourceMapping(sqs, queues["aggregate"], function("aggregate", 0), batch_size=1))
    events = queue.Queue()
    intake_failed = []
    invokers = [AsyncInvoker(events, function("intake", i), intake_failed) for i in range(args.concurrency)]

    agent = Agent()
    worker_env = dict(env, TRAWL_STAGE="analyze", TRAWL_QUEUE_URL=queues["heavy"], TRAWL_POLL_SECONDS="1",
                      TRAWL_VISIBILITY_SECONDS=str(VISIBILITY), TRAWL_STOP_TIMEOUT_MS="300",
                      TRAWL_TEST_CRASH_FILE=crash["worker"])
    fleet = Fleet(os.path.join(build, "aws", "test", "trawl-worker"), worker_env, logdir, agent)
    parts["fleet"] = fleet
    scaler = ScalerLoop(sqs, queues["heavy"], fleet, policy, args.period, args.max_workers)
    sampler = Sampler(sqs, queues, fleet, parts["functions"])
    parts["threads"] += mappings + [scaler, sampler]
    pipeline_cpu_start = cpu_seconds()
    for t in mappings + invokers + [scaler, sampler]:
        t.start()

    # The burst: every package lands, then every notification goes at once.
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda p: s3.put_object(Bucket=BUCKET, Key="incoming/" + p["name"],
                                              Body=open(p["path"], "rb").read()), packages))
    t0 = time.time()
    for i, p in enumerate(packages):
        event = s3_event(BUCKET, "incoming/" + p["name"], p["size"])
        events.put(event)
        if i == 0 or rng.random() < 0.05:  # notifications are at-least-once
            events.put(event)
            duplicated["notification"] += 1

    # SIGTERM to the first worker in the middle of its first heavy message (it holds it for
    # 3 s before working, so the stop timeout always runs out: it must release it).
    sigterm = {}

    def sigterm_busy_worker():
        p = fleet.workers.get("worker01")
        if p and p.poll() is None and "working on message" in open(fleet.log_path("worker01")).read():
            p.send_signal(signal.SIGTERM)
            sigterm["worker"] = "worker01"
            return True
        return False
    wait_until("a worker busy with a heavy component", sigterm_busy_worker, 300, interval=0.02)
    log("SIGTERM to", sigterm["worker"], "in the middle of a component")

    expected_reports = {f"reports/{pid}.json" for pid in by_id}

    def drained():
        return expected_reports <= set(services.list_keys(BUCKET, "reports/"))
    wait_until(f"{len(packages)} reports", drained, args.deadline, interval=0.5)
    drain = time.time() - t0
    log(f"drained in {drain:.1f} s; scaling back to zero")
    for _ in invokers:
        events.put(None)
    wait_until("the heavy tier back at zero tasks",
               lambda: scaler.scaler.desired == 0 and not [p for p in fleet.workers.values() if p.poll() is None],
               120, interval=0.5)
    time.sleep(VISIBILITY + 1)  # a late duplicate completion or retry would be back by now
    sampler.stop_flag.set()
    scaler.stop_flag.set()
    for m in mappings:
        m.stop_flag.set()
    for m in mappings:
        m.join(10)
    for f in parts["functions"]:  # their CPU time is counted once they are waited for
        f.stop()
    pipeline_cpu = cpu_seconds() - pipeline_cpu_start

    # --- Checks -------------------------------------------------------------------------
    problems = []
    for pid, p in by_id.items():
        body = s3.get_object(Bucket=BUCKET, Key=f"reports/{pid}.json")["Body"].read()
        if body != p["expected"]:
            problems.append(f"{p['name']}: report differs from `trawl analyze`")
    reports = services.list_keys(BUCKET, "reports/")
    if sorted(reports) != sorted(f"reports/{pid}.{ext}" for pid in by_id for ext in ("json", "sarif")):
        problems.append(f"reports: {len(reports)} objects for {len(by_id)} packages")
    completions = {}
    for m in mappings:
        if m.queue_url == queues["aggregate"]:
            for message_id, body in m.delivered:
                completions.setdefault(json.loads(body)["package_id"], set()).add(message_id)
    for pid in by_id:
        if len(completions.get(pid, ())) != 1:
            problems.append(f"{by_id[pid]['name']}: {len(completions.get(pid, ()))} completion messages")
    for name, url in list(dlqs.items()) + list(queues.items()):
        a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                   "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        left = int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])
        if left:
            problems.append(f"{url.rsplit('/', 1)[-1]}: {left} messages left")
    if intake_failed:
        problems.append(f"intake gave up on {len(intake_failed)} notifications")

    # Component status, on every component object, and the package-level record.
    statuses = {}
    for pid, p in by_id.items():
        manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=f"packages/{pid}/manifest.json")["Body"].read())
        stored = set(services.list_keys(BUCKET, f"packages/{pid}/components/"))
        for key in stored:
            cid = key.rsplit("/", 1)[1]
            meta = s3.head_object(Bucket=BUCKET, Key=key)["Metadata"]
            status = meta.get("trawl-status")
            statuses[status] = statuses.get(status, 0) + 1
            if status == "analysed":
                if meta.get("trawl-result-key") != f"results/{pid}/{cid}.json" or int(meta.get("trawl-attempts", 0)) < 1:
                    problems.append(f"{key}: analysed without its result key or attempts: {meta}")
            elif status != "skipped":
                problems.append(f"{key}: status {status!r} is not final: {meta}")
        item = ddb.get_item(TableName=TABLE, Key={"package_id": {"S": pid}}, ConsistentRead=True)["Item"]
        done = set(item.get("completed_components", {}).get("SS", []))
        if len(done) != int(item["total_components"]["N"]) or item.get("failed_components") or \
                "report_key" not in item:
            problems.append(f"{p['name']}: DynamoDB {len(done)} of {item['total_components']['N']} done, "
                            f"failed {item.get('failed_components')}, report {item.get('report_key')}")
        if len(manifest["components"]) < len(stored):
            problems.append(f"{p['name']}: more component objects than components")
    heavy_pid = next(iter(heavy_ids))
    status_tool = json.loads(subprocess.run([os.path.join(build, "aws", "trawl-aws"), "status", heavy_pid, "--json"],
                                            env=env, capture_output=True, check=True, timeout=60).stdout)
    if status_tool["state"] != "reported" or status_tool["component_source"] != "s3" or \
            {c["status"] for c in status_tool["components"]} - {"analysed", "skipped", "not stored"}:
        problems.append(f"trawl-aws status {heavy_pid}: {status_tool}")

    # The heavy tier scaled from zero and back, and the faults happened.
    history = scaler.history
    first_out = next((h for h in history if h[4] > 0), None)
    if not first_out or history[0][4] != 0:
        problems.append("the heavy tier did not start from zero")
    if max(h[4] for h in history) < 2:
        problems.append("the heavy tier never scaled beyond one task")
    times = tier_times(logdir)
    analyze_starts = sum(f.starts for f in parts["functions"] if f.name.startswith("analyze"))
    worker_crashes = [w for w, code in fleet.exits if code == -signal.SIGABRT]
    released = "released" in open(fleet.log_path(sigterm["worker"])).read()
    checks = {"analyze environment crashed and restarted": not os.path.exists(crash["analyze"]) and
              analyze_starts > args.concurrency,
              "worker crashed mid-component": not os.path.exists(crash["worker"]) and bool(worker_crashes),
              "SIGTERMed worker released its message": released,
              "duplicates sent": all(duplicated.values()),
              "heavy components analysed by workers": len(times["heavy"]) >= kinds["heavy"] * 3,
              "busy workers protected from scale-in": agent.calls > 0}
    problems += [f"fault not seen: {k}" for k, ok in checks.items() if not ok]
    metric_lines = sum(open(os.path.join(logdir, n)).read().count('"PackagesCompleted":')
                       for n in os.listdir(logdir) if n.startswith("aggregate"))
    if metric_lines < len(packages):
        problems.append(f"{metric_lines} metric lines for {len(packages)} reports")

    # --- Measurements -------------------------------------------------------------------
    def summary(samples):
        ms = [s[0] for s in samples]
        out = {"components": len(ms), "total_s": round(sum(ms) / 1000, 2),
               "mean_ms": round(statistics.mean(ms), 1) if ms else 0, "max_ms": round(max(ms), 1) if ms else 0,
               "bytes": sum(s[1] for s in samples)}
        # Analysis time against size, for bench/cost_model.py: least squares where the
        # sizes spread (the light tier's), else proportional (the heavy components are all
        # about 3 MiB, and a slope through one size is noise).
        sizes = [s[1] for s in samples]
        if len(samples) >= 2 and max(sizes) >= 4 * max(min(sizes), 1):
            fit = statistics.linear_regression([s / 1e6 for s in sizes], ms)
            out["ms_per_mb"], out["fixed_ms"] = round(fit.slope, 2), round(max(fit.intercept, 0), 2)
        elif samples:
            out["ms_per_mb"], out["fixed_ms"] = round(sum(ms) / (sum(sizes) / 1e6), 2), 0.0
        return out
    def intake_fit(samples):  # intake time against the components it registers
        if len(samples) < 2 or len({n for _, n in samples}) < 2:
            return {}
        fit = statistics.linear_regression([n for _, n in samples], [ms for ms, _ in samples])
        return {"packages": len(samples), "fixed_ms": round(max(fit.intercept, 0), 1),
                "ms_per_component": round(fit.slope, 2)}
    results = {
        "packages": len(packages), "kinds": kinds, "package_bytes": sum(p["size"] for p in packages),
        "drain_seconds": round(drain, 1), "peak_queue_depth": sampler.peak_depth,
        "peak_rss_mib": {k: round(v / 1024, 1) for k, v in sampler.peak_rss_kib.items()},
        "peak_workers": max(h[4] for h in history), "scaling_period_s": args.period,
        "concurrency": args.concurrency, "max_workers": args.max_workers,
        "light": summary(times["light"]), "heavy": summary(times["heavy"]),
        "intake": intake_fit(times["intake"]),
        "handler_seconds": {k: round(sum(v) / 1000, 2) for k, v in times["handler"].items()},
        "invocations": {k: len(v) for k, v in times["handler"].items()},
        "component_statuses": statuses, "duplicates": duplicated, "faults": checks,
        # The same packages through `trawl analyze` (one process each) in the same run: the
        # pipeline's CPU time (every function and worker process, duplicates and retries
        # included; not the local services') against it.
        "cpu_seconds": {"pipeline": round(pipeline_cpu, 1), "trawl_analyze": round(reference_cpu, 1),
                        "ratio": round(pipeline_cpu / max(reference_cpu, 1e-9), 2)},
        "scaling_history": history[:: max(1, len(history) // 60)],
        "cpus": os.cpu_count(), "load_average": os.getloadavg()[0], "rules": args.rules,
    }
    if args.results:
        with open(args.results, "w") as f:
            json.dump(results, f, indent=1)
    print_table(results)
    if problems:
        for p in problems:
            log("FAIL:", p)
        args.keep = True
        return 1
    log(f"PASSED: {len(packages)} packages, each with one report equal to `trawl analyze`; "
        f"DLQs empty; statuses {statuses}; faults {sorted(k for k, v in checks.items() if v)}")
    return 0


def print_table(r):
    print(f"\n| packages | drain | peak queue depth (classify / light / heavy / aggregate) | peak workers |")
    print("|---|---|---|---|")
    d = r["peak_queue_depth"]
    print(f"| {r['packages']} ({r['package_bytes'] / 1e6:.1f} MB) | {r['drain_seconds']} s | "
          f"{d['classify']} / {d['light']} / {d['heavy']} / {d['aggregate']} | {r['peak_workers']} |")
    c = r["cpu_seconds"]
    print(f"\nCPU: pipeline {c['pipeline']} s, `trawl analyze` of the same packages {c['trawl_analyze']} s: "
          f"**{c['ratio']}×**")
    print("\n| tier | components | analysis time (total / mean / max) | busy time | peak RSS |")
    print("|---|---|---|---|---|")
    for tier, proc, busy in (("light (analyze Lambda)", "analyze", "analyze"), ("heavy (worker)", "worker", "worker")):
        s = r["light" if proc == "analyze" else "heavy"]
        print(f"| {tier} | {s['components']} | {s['total_s']} s / {s['mean_ms']} ms / {s['max_ms']} ms | "
              f"{r['handler_seconds'].get(busy, 0)} s | {r['peak_rss_mib'].get(proc, 0)} MiB |")
    for stage in ("intake", "classify", "aggregate"):
        print(f"| {stage} | {r['invocations'].get(stage, 0)} invocations | | {r['handler_seconds'].get(stage, 0)} s | "
              f"{r['peak_rss_mib'].get(stage, 0)} MiB |")
    print(flush=True)


if __name__ == "__main__":
    sys.exit(main())
