#!/usr/bin/env python3
"""HTTPS smoke test of the hosts' AWS client (TLS is what runs on AWS; the end-to-end test
uses http). Makes a test CA and a server certificate for 127.0.0.1 with openssl, serves
S3 GETs over TLS with it, and reads an object with trawl_aws_s3_get:

  * with TRAWL_CA_BUNDLE = the test CA: read, and the request was SigV4-signed;
  * with the system bundle, which does not know the test CA: refused (peer verification on);
  * with no variable, from a copy of the tool next to a ca-certificates.crt holding the
    test CA: read (the Lambda zip's layout: the bundle beside bootstrap);
  * with the right CA but a certificate for another name: refused (host verification on).

    https_smoke.py TRAWL_AWS_S3_GET
"""
import http.server
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_pki(d):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-days", "2", "-subj", "/CN=trawl test CA", cwd=d)
    for name, san in (("good", "IP:127.0.0.1"), ("wrong", "DNS:not-this-host.invalid")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}", cwd=d)
        with open(os.path.join(d, f"{name}.ext"), "w") as f:
            f.write(f"subjectAltName={san}\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=d)


def serve(d, name, seen):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append((self.path, self.headers.get("Authorization", "")))
            body = b"object over TLS"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, f"{name}.pem"), os.path.join(d, f"{name}.key"))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    tool = os.path.abspath(sys.argv[1])
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        make_pki(d)
        seen = []
        good, wrong = serve(d, "good", seen), serve(d, "wrong", seen)
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TRAWL_"))}
        base.update(AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="secret", AWS_REGION="eu-west-1")

        def get(server, binary=tool, **env):
            e = dict(base, AWS_ENDPOINT_URL_S3=f"https://127.0.0.1:{server.server_address[1]}", **env)
            return subprocess.run([binary, "bucket", "dir/key"], env=e, capture_output=True, text=True,
                                  timeout=60)

        def expect(label, ok, p):
            nonlocal failures
            if (p.returncode == 0 and p.stdout == "object over TLS") != ok:
                failures += 1
                print(f"FAILED: {label}: rc {p.returncode} {p.stderr.strip()[:300]}")
            else:
                print(f"ok: {label}{'' if ok else ': ' + p.stderr.strip()[:120]}")

        expect("test CA in TRAWL_CA_BUNDLE", True, get(good, TRAWL_CA_BUNDLE=os.path.join(d, "ca.pem")))
        if not (seen and seen[-1][0] == "/bucket/dir/key" and "AWS4-HMAC-SHA256" in seen[-1][1]):
            failures += 1
            print(f"FAILED: the request was not a signed S3 GET: {seen}")
        expect("system bundle refuses the test CA", False,
               get(good, TRAWL_CA_BUNDLE="/etc/ssl/certs/ca-certificates.crt"))
        beside = os.path.join(d, "task")
        os.mkdir(beside)
        shutil.copy(tool, os.path.join(beside, "bootstrap"))
        shutil.copy(os.path.join(d, "ca.pem"), os.path.join(beside, "ca-certificates.crt"))
        expect("bundle beside the executable", True, get(good, binary=os.path.join(beside, "bootstrap")))
        expect("certificate for another host refused", False,
               get(wrong, TRAWL_CA_BUNDLE=os.path.join(d, "ca.pem")))
        good.shutdown()
        wrong.shutdown()
    print(f"{4 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
