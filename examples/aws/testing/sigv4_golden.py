#!/usr/bin/env python3
"""Golden test of the hosts' SigV4 signer: signs the requests of sigv4_cases.json with
botocore (Debian's python3-botocore) at the same fixed time and keys, and compares every
header the signer adds (Authorization, X-Amz-Date, X-Amz-Security-Token,
X-Amz-Content-SHA256) with what trawl_aws_sign prints.

    sigv4_golden.py TRAWL_AWS_SIGN CASES.json
"""
import datetime
import json
import subprocess
import sys

try:
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    print("sigv4_golden: botocore is missing (apt-get install python3-botocore)", file=sys.stderr)
    sys.exit(1)


def botocore_headers(spec, case):
    fixed = datetime.datetime.fromtimestamp(spec["time"], datetime.timezone.utc).replace(tzinfo=None)

    class FixedDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed

        @classmethod
        def now(cls, tz=None):
            return fixed if tz is None else fixed.replace(tzinfo=tz)

    original = botocore.auth.datetime.datetime
    botocore.auth.datetime.datetime = FixedDatetime
    try:
        creds = Credentials(spec["access_key_id"], spec["secret_access_key"],
                            case.get("session_token") or None)
        request = AWSRequest(method=case["method"], url=case["url"],
                             headers=dict(case["headers"]), data=case["body"].encode())
        signer_class = botocore.auth.S3SigV4Auth if case["service"] == "s3" else botocore.auth.SigV4Auth
        signer_class(creds, case["service"], case["region"]).add_auth(request)
    finally:
        botocore.auth.datetime.datetime = original
    wanted = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256")
    return {k.lower(): v for k, v in request.headers.items() if k in wanted}


def main():
    tool, cases_path = sys.argv[1], sys.argv[2]
    spec = json.load(open(cases_path))
    out = subprocess.run([tool, cases_path], check=True, capture_output=True, text=True).stdout
    ours = {}
    for line in out.splitlines():
        name, header = line.split("\t", 1)
        k, v = header.split(": ", 1)
        ours.setdefault(name, {})[k.lower()] = v
    failures = 0
    for case in spec["cases"]:
        theirs = botocore_headers(spec, case)
        mine = ours.get(case["name"], {})
        if theirs != mine:
            failures += 1
            print(f"MISMATCH {case['name']}:\n  botocore: {theirs}\n  trawl:    {mine}")
        else:
            print(f"ok {case['name']}: {theirs['authorization'][-64:]}")
    print(f"sigv4_golden: {len(spec['cases']) - failures} of {len(spec['cases'])} cases match botocore")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
