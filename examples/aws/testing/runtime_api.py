#!/usr/bin/env python3
"""A small Lambda Runtime API server (2018-06-01) for testing trawl's bootstrap locally.

It hands out invocations (GET /runtime/invocation/next), records responses, errors (with
the Lambda-Runtime-Function-Error-Type header) and init errors, and serves container
credentials (GET /credentials, as ECS's AWS_CONTAINER_CREDENTIALS_FULL_URI does) for the
worker, and Secrets Manager's GetSecretValue (POST / with X-Amz-Target, SigV4-signed) for
the secrets in `secrets`. Python 3 standard library only. Used as a module by e2e.py, or standalone:

    runtime_api.py [PORT]      # prints the port, then logs every call
"""
import json
import queue
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime"
CREDENTIALS_TOKEN = "trawl-test-container-token"


class RuntimeApi:
    """One Lambda function's Runtime API endpoint."""

    def __init__(self, name="function", port=0):
        self.name = name
        self.pending = queue.Queue()
        self.results = {}        # request id -> {"kind": "response"|"error", "body", "type"}
        self.init_errors = []    # {"type", "body"}
        self.log = []            # every call, for assertions
        self.secrets = {}        # SecretId -> SecretString, for GetSecretValue
        self.cond = threading.Condition()
        self.closed = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                # Headers and body go out in separate writes; without this, Nagle and the
                # client's delayed ACK add ~40 ms to every answer.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def peer_closed(self):
                try:
                    return self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
                except BlockingIOError:
                    return False
                except OSError:
                    return True

            def reply(self, code, body=b"", headers=None):
                try:
                    self.send_response(code)
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the runtime process is gone (a crash the test caused)

            def do_GET(self):
                if self.path == PREFIX + "/invocation/next":
                    while not api.closed:
                        try:
                            request_id, body, deadline_ms = api.pending.get(timeout=0.5)
                        except queue.Empty:
                            continue
                        if self.peer_closed():  # a runtime stopped while it waited
                            api.pending.put((request_id, body, deadline_ms))
                            return
                        api.log.append(("next", request_id))
                        return self.reply(200, body.encode(), {
                            "Lambda-Runtime-Aws-Request-Id": request_id,
                            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                            "Lambda-Runtime-Invoked-Function-Arn":
                                f"arn:aws:lambda:us-east-1:000000000000:function:{api.name}",
                            "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
                            "Content-Type": "application/json"})
                    return self.reply(503)
                if self.path == "/credentials":
                    if self.headers.get("Authorization") != CREDENTIALS_TOKEN:
                        return self.reply(401, b'{"message":"bad token"}')
                    api.log.append(("credentials", ""))
                    expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
                    return self.reply(200, json.dumps({
                        "AccessKeyId": "ASIATESTCONTAINER", "SecretAccessKey": "container-secret",
                        "Token": "container-session-token", "Expiration": expiry}).encode())
                return self.reply(404)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if self.headers.get("X-Amz-Target") == "secretsmanager.GetSecretValue":
                    signed = "/secretsmanager/aws4_request" in self.headers.get("Authorization", "")
                    secret_id = json.loads(body).get("SecretId", "")
                    api.log.append(("secret", secret_id))
                    if not signed:
                        return self.reply(403, b'{"__type":"UnrecognizedClientException"}')
                    if secret_id not in api.secrets:
                        return self.reply(400, b'{"__type":"ResourceNotFoundException"}')
                    return self.reply(200, json.dumps({
                        "ARN": secret_id, "Name": secret_id,
                        "SecretString": api.secrets[secret_id]}).encode())
                error_type = self.headers.get("Lambda-Runtime-Function-Error-Type", "")
                if self.path == PREFIX + "/init/error":
                    with api.cond:
                        api.init_errors.append({"type": error_type, "body": body})
                        api.log.append(("init_error", error_type))
                        api.cond.notify_all()
                    return self.reply(202, b'{"status":"OK"}')
                parts = self.path[len(PREFIX):].split("/")  # ["", "invocation", id, kind]
                if len(parts) == 4 and parts[1] == "invocation" and parts[3] in ("response", "error"):
                    with api.cond:
                        api.results[parts[2]] = {"kind": parts[3], "body": body, "type": error_type}
                        api.log.append((parts[3], parts[2]))
                        api.cond.notify_all()
                    return self.reply(202, b'{"status":"OK"}')
                return self.reply(404)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.address = f"127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def invoke(self, event, deadline_ms=None, timeout=120, alive=lambda: True):
        """Queues one invocation and waits for its outcome: a dict with kind "response",
        "error", or "crash" (the runtime process died or never answered in `timeout`)."""
        request_id = str(uuid.uuid4())
        if deadline_ms is None:
            deadline_ms = int(time.time() * 1000) + 60000
        self.pending.put((request_id, event, deadline_ms))
        end = time.time() + timeout
        with self.cond:
            while request_id not in self.results:
                if time.time() > end or not alive():
                    # A dead runtime never takes or answers it: drop it from the queue.
                    self._drop(request_id)
                    return {"kind": "crash", "body": "", "type": "Runtime.ExitError"}
                self.cond.wait(0.2)
            return self.results.pop(request_id)

    def _drop(self, request_id):
        kept = []
        while True:
            try:
                item = self.pending.get_nowait()
            except queue.Empty:
                break
            if item[0] != request_id:
                kept.append(item)
        for item in kept:
            self.pending.put(item)

    def close(self):
        self.closed = True
        self.server.shutdown()


if __name__ == "__main__":
    api = RuntimeApi(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(api.port, flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        api.close()
