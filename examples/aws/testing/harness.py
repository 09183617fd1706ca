"""The pieces the AWS pipeline tests share (e2e.py, burst.py): the local services, Lambda
functions as real bootstrap processes behind a Runtime API emulator, SQS event-source
mappings as Lambda runs them, an SQS client for fauxqs's JSON protocol, S3 notifications.

Every wait is bounded by `wait_until` and the deadline set with `set_deadline`; every
child process dies with the test (PR_SET_PDEATHSIG).
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from runtime_api import RuntimeApi  # noqa: E402

try:
    import botocore.session
    from botocore.config import Config
    from botocore.credentials import Credentials
except ImportError:
    print("botocore is missing (apt-get install python3-botocore)", file=sys.stderr)
    sys.exit(1)

REGION = "us-east-1"
TEST_DEADLINE = None  # every wait ends by then (set_deadline)
LOG_NAME = "test"


def set_deadline(seconds_from_now, name):
    global TEST_DEADLINE, LOG_NAME
    TEST_DEADLINE = time.time() + seconds_from_now
    LOG_NAME = name


def die_with_parent():
    """preexec_fn: the child is killed when this test process dies, however it dies."""
    import ctypes
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def log(*args):
    print(f"[{time.strftime('%H:%M:%S')}] {LOG_NAME}:", *args, flush=True)


def wait_until(what, predicate, timeout, interval=0.25):
    end = min(time.time() + timeout, TEST_DEADLINE or float("inf"))
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


class Services:
    """fauxqs (S3, SQS) and dynalite (DynamoDB) from start_services.sh, stopped by a
    watchdog if the test dies; clients for them."""

    def __init__(self, build, state):
        self.build, self.state = build, state
        self.script = os.path.join(HERE, "start_services.sh")

    def start(self):
        """0, 77 (npm could not install them: skip) or 1."""
        rc = subprocess.call(["bash", self.script, "start", self.state,
                              os.path.join(self.build, "aws-test-env")], timeout=1000)
        if rc != 0:
            return rc if rc == 77 else 1
        # The services outlive start_services.sh; a watchdog stops them if this test is killed.
        subprocess.Popen(["bash", "-c", f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 1; done; "
                          f"bash '{self.script}' stop '{self.state}'"],
                         start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.endpoints = dict(line.strip().split("=", 1)
                              for line in open(os.path.join(self.state, "services.env")))
        session = botocore.session.get_session()
        creds = dict(aws_access_key_id="test", aws_secret_access_key="test")
        cfg = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3},
                     max_pool_connections=20)
        self.s3 = session.create_client("s3", REGION, endpoint_url=self.endpoints["AWS_ENDPOINT_URL_S3"],
                                        config=cfg, **creds)
        self.sqs = SqsJson(self.endpoints["AWS_ENDPOINT_URL_SQS"], Credentials("test", "test"))
        self.ddb = session.create_client("dynamodb", REGION,
                                         endpoint_url=self.endpoints["AWS_ENDPOINT_URL_DYNAMODB"], **creds)
        return 0

    def stop(self):
        subprocess.call(["bash", self.script, "stop", self.state])

    def create_table(self, table):
        self.ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "package_id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "package_id", "KeyType": "HASH"}])
        wait_until("the table",
                   lambda: self.ddb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE", 30)

    def list_keys(self, bucket, prefix=""):
        keys, token = [], None
        while True:
            kw = dict(Bucket=bucket, Prefix=prefix)
            if token:
                kw["ContinuationToken"] = token
            page = self.s3.list_objects_v2(**kw)
            keys += [o["Key"] for o in page.get("Contents", [])]
            if not page.get("IsTruncated"):
                return keys
            token = page["NextContinuationToken"]


class Function:
    """A Lambda function's execution environment: its Runtime API and a bootstrap
    process, restarted like a new environment whenever it has died (crash, init error)."""

    def __init__(self, name, bootstrap, env, logdir):
        self.name, self.bootstrap, self.env, self.logdir = name, bootstrap, env, logdir
        self.api = RuntimeApi(name)
        self.proc = None
        self.starts = 0
        self.lock = threading.Lock()

    def ensure_running(self):
        if self.proc is None or self.proc.poll() is not None:
            self.starts += 1
            logf = open(os.path.join(self.logdir, f"{self.name}.log"), "a")
            env = dict(self.env, AWS_LAMBDA_RUNTIME_API=self.api.address)
            self.proc = subprocess.Popen([self.bootstrap], env=env, stdout=logf, stderr=logf,
                                         preexec_fn=die_with_parent)

    def invoke(self, event, deadline_ms=None):
        with self.lock:  # one execution environment: one invocation at a time
            self.ensure_running()
            proc = self.proc
            return self.api.invoke(json.dumps(event), deadline_ms, timeout=120,
                                   alive=lambda: proc.poll() is None)

    def redeploy(self, **env):
        """A configuration change: the next invocation starts a new environment with it."""
        with self.lock:
            self.env = dict(self.env, **env)
            if self.proc and self.proc.poll() is None:
                self.proc.terminate()
                self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.api.close()


class EventSourceMapping(threading.Thread):
    """SQS -> Lambda as AWS runs it: batches of up to `batch_size`, ReportBatchItemFailures,
    and a failed or crashed invocation leaves its messages to reappear after the timeout.
    One mapping drives one execution environment; N mappings on a queue are a maximum
    concurrency of N."""

    def __init__(self, sqs, queue_url, function, hooks=None, batch_size=10):
        super().__init__(daemon=True)
        self.sqs, self.queue_url, self.function = sqs, queue_url, function
        self.hooks = hooks or {}
        self.batch_size = batch_size
        self.stop_flag = threading.Event()
        self.paused = threading.Event()
        self.delivered = []     # (message id, body) of every delivery, in order
        self.outcomes = []      # (kind, failures, error type)
        self.busy_seconds = 0.0  # time spent in invocations (Lambda's billed duration)

    def run(self):
        while not self.stop_flag.is_set():
            if self.paused.is_set():
                time.sleep(0.1)
                continue
            got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=self.batch_size,
                                           WaitTimeSeconds=1, AttributeNames=["All"])
            messages = got.get("Messages", [])
            if not messages:
                continue
            records = [{
                "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                "attributes": {"ApproximateReceiveCount":
                               m.get("Attributes", {}).get("ApproximateReceiveCount", "1")},
                "eventSource": "aws:sqs", "awsRegion": REGION,
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:queue"} for m in messages]
            self.delivered.extend((m["MessageId"], m["Body"]) for m in messages)
            deadline = self.hooks.get("deadline", lambda: None)()
            for hook in self.hooks.get("before", []):
                hook(messages)
            start = time.perf_counter()
            outcome = self.function.invoke({"Records": records}, deadline)
            self.busy_seconds += time.perf_counter() - start
            failures = set()
            if outcome["kind"] == "response":
                failures = {f["itemIdentifier"]
                            for f in json.loads(outcome["body"]).get("batchItemFailures", [])}
                for m in messages:
                    if m["MessageId"] not in failures:
                        self.sqs.delete_message(QueueUrl=self.queue_url,
                                                ReceiptHandle=m["ReceiptHandle"])
            self.outcomes.append((outcome["kind"], len(failures), outcome.get("type", "")))


class SqsJson:
    """SQS over the JSON protocol (X-Amz-Target: AmazonSQS.*), the one fauxqs speaks.
    Debian's botocore 1.29 still uses the query protocol for SQS, so calls go through here,
    signed by botocore. Method names and arguments follow botocore's client."""

    def __init__(self, endpoint, credentials):
        self.endpoint, self.credentials = endpoint, credentials

    def _call(self, action, params):
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        import urllib.request
        request = AWSRequest(method="POST", url=self.endpoint + "/", data=json.dumps(params).encode(),
                             headers={"Content-Type": "application/x-amz-json-1.0",
                                      "X-Amz-Target": "AmazonSQS." + action})
        SigV4Auth(self.credentials, "sqs", REGION).add_auth(request)
        prepared = urllib.request.Request(request.url, data=request.body, method="POST",
                                          headers=dict(request.headers.items()))
        with urllib.request.urlopen(prepared, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def create_queue(self, **kw):
        return self._call("CreateQueue", kw)

    def send_message(self, **kw):
        return self._call("SendMessage", kw)

    def receive_message(self, **kw):
        return self._call("ReceiveMessage", kw)

    def delete_message(self, **kw):
        return self._call("DeleteMessage", kw)

    def get_queue_attributes(self, **kw):
        return self._call("GetQueueAttributes", kw)


def s3_event(bucket, key, size):
    quoted = urllib.parse.quote_plus(key, safe="/")  # as S3 notifications encode keys
    return {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION,
                         "eventName": "ObjectCreated:Put",
                         "s3": {"bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                                "object": {"key": quoted, "size": size}}}]}


def compile_db(build, source, out):
    """The database the hosts and the reference `trawl analyze` runs share."""
    subprocess.run([os.path.join(build, "trawl"), "compile", os.path.join(source, "rules", "secrets.json"),
                    os.path.join(source, "rules", "pii.json"), "-o", out], check=True,
                   capture_output=True, timeout=300)
