#!/usr/bin/env python3
"""Builds trawl's bundled sample data package, deterministically.

The package is a tar.gz with nested archives, JSON configs, logs, CSV, a binary, planted
(fake) secrets and threat indicators, and one secret duplicated across files. Planted
values come from the shipped rule packs' own examples, so the sample and the rules never
drift apart. Writes sample-package.tar.gz and planted.json (what a report must find, and
where) next to this script.

    python3 examples/sample/make_sample.py [--out DIR]
"""
import argparse
import base64
import gzip
import io
import json
import lzma
import os
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def rule_example(rules, rule_id, index=0):
    for rule in rules:
        if rule["id"] == rule_id:
            return rule["examples"][index]
    raise SystemExit(f"make_sample: rule {rule_id} not found in rules/secrets.json")


def value_after(assignment):
    """'NAME=value' or 'name = value' -> value."""
    for sep in ("= ", "=", ": "):
        if sep in assignment:
            return assignment.split(sep, 1)[1].strip()
    return assignment


def zip_bytes(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=HERE)
    args = parser.parse_args()
    with open(os.path.join(ROOT, "rules", "secrets.json"), encoding="utf-8") as f:
        secrets = json.load(f)
    # The indicator pack (trawl indicator TSV, xz): value, type, family, ...
    with lzma.open(os.path.join(ROOT, "rules", "indicators", "maltrail.tsv.xz"), "rt") as f:
        rows = [line.rstrip("\n").split("\t") for _, line in zip(range(200), f)
                if not line.startswith("#")]

    aws_id = value_after(rule_example(secrets, "aws-access-key-id"))
    aws_secret = value_after(rule_example(secrets, "aws-secret-access-key"))
    github = value_after(rule_example(secrets, "github-pat-classic"))
    slack = value_after(rule_example(secrets, "slack-bot-token"))
    stripe = value_after(rule_example(secrets, "stripe-secret-key"))
    postgres = rule_example(secrets, "postgres-url-password")
    sendgrid = value_after(rule_example(secrets, "sendgrid-api-key"))
    npm = value_after(rule_example(secrets, "npm-access-token"))
    digitalocean = value_after(rule_example(secrets, "digitalocean-pat"))
    bad_domain = next(r[0] for r in rows if r[1] == "domain")
    bad_url = "http://" + next(r[0] for r in rows if r[1] == "url" and "/" not in r[0])

    app_json = json.dumps({
        "name": "billing",
        "services": [
            {"name": "web", "env": {"PORT": "8080"}},
            {"name": "worker", "env": {"DB_URL": postgres, "AWS_ACCESS_KEY_ID": aws_id,
                                        "AWS_SECRET_ACCESS_KEY": aws_secret}},
        ],
    }, indent=2)
    # An escaped JSON string must not hide a secret: write the npm token's first letter
    # as \u006e, which json.dumps would never do on its own.
    app_json = app_json[:-2] + ',\n  "publish_token": "\\u006e' + npm[1:] + '"\n}'
    app_json = app_json.encode()
    dotenv = (f"# production settings\nGITHUB_TOKEN={github}\nSLACK_BOT_TOKEN={slack}\n"
              f"AWS_SECRET_ACCESS_KEY={aws_secret}\n").encode()
    lines = [f"2026-11-0{d} 12:00:0{d} INFO request id={d} path=/api/v1/items status=200"
             for d in range(1, 8)]
    lines.append(f"2026-11-08 12:00:08 WARN outbound connection to {bad_domain} blocked")
    lines.append(f"2026-11-08 12:00:09 WARN callback fetched {bad_url}/gate.php")
    # A base64-wrapped secret: found in the decoded layer, reported at the encoded span.
    wrapped = base64.b64encode(f"SENDGRID_API_KEY={sendgrid}\n".encode()).decode()
    lines.append(f"2026-11-08 12:00:10 DEBUG job payload={wrapped}")
    app_log = ("\n".join(lines) + "\n").encode()
    old_log = (f"2025-12-31 23:59:59 DEBUG billing client init key={stripe}\n"
               f"2025-12-31 23:59:59 INFO resolved {bad_domain}\n").encode()
    users_csv = ("id,name,email,card,note\n"
                 "1,Ada,ada@example.org,4111111111111111,\"first, customer\"\n"
                 "2,Linus,linus@example.net,5500005555555559,\"multi\nline\"\n").encode()
    binary = (b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 4 +
              b"\x00\x00token=" + github.encode() + b"\x00" + bytes(range(255, -1, -1)) * 4)
    # A Windows service log in UTF-16LE with a BOM: transcoded for scanning, findings
    # reported at the UTF-16 bytes.
    service_log = ("\ufeff2026-11-08 09:00:00 INFO service start\r\n"
                   f"2026-11-08 09:00:01 DEBUG env DIGITALOCEAN_TOKEN={digitalocean}\r\n"
                   ).encode("utf-16-le")
    readme = b"# Billing\nRotate credentials with `make rotate`. Example: AKIAXXXXXXXXEXAMPLE\n"

    nested = zip_bytes([("2026/old.log", old_log)])
    members = [
        ("billing/config/app.json", app_json),
        ("billing/config/.env", dotenv),
        ("billing/logs/app.log", app_log),
        ("billing/logs/archive.zip", nested),
        ("billing/logs/service-utf16.log", service_log),
        ("billing/data/users.csv", users_csv),
        ("billing/bin/tool.bin", binary),
        ("billing/docs/README.md", readme),
    ]
    tar_buf = io.BytesIO()
    with tarfile.open(fileobj=tar_buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in sorted(members):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1767225600  # 2026-01-01, fixed so the bytes never change
            info.mode = 0o644
            info.uname = info.gname = "trawl"
            tar.addfile(info, io.BytesIO(data))
    out_path = os.path.join(args.out, "sample-package.tar.gz")
    with open(out_path, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
            gz.write(tar_buf.getvalue())

    planted = [
        {"path": "billing/config/app.json", "rule": "postgres-url-password", "text": postgres},
        {"path": "billing/config/app.json", "rule": "aws-access-key-id", "text": aws_id},
        {"path": "billing/config/app.json", "rule": "aws-secret-access-key", "text": aws_secret},
        {"path": "billing/config/.env", "rule": "aws-secret-access-key", "text": aws_secret},
        {"path": "billing/config/.env", "rule": "github-pat-classic", "text": github},
        {"path": "billing/config/.env", "rule": "slack-bot-token", "text": slack},
        {"path": "billing/logs/archive.zip!/2026/old.log", "rule": "stripe-secret-key",
         "text": stripe},
        {"path": "billing/logs/app.log", "rule": "indicator", "text": bad_domain},
        {"path": "billing/logs/app.log", "rule": "indicator", "text": bad_url},
        {"path": "billing/bin/tool.bin", "rule": "github-pat-classic", "text": github},
        {"path": "billing/logs/service-utf16.log", "rule": "digitalocean-pat",
         "text": digitalocean, "decoded_from": "utf-16le"},
        {"path": "billing/config/app.json", "rule": "npm-access-token", "text": npm,
         "decoded_from": "json-string"},
        {"path": "billing/logs/app.log", "rule": "sendgrid-api-key", "text": sendgrid,
         "decoded_from": "base64"},
    ]
    with open(os.path.join(args.out, "planted.json"), "w", encoding="utf-8") as f:
        json.dump(planted, f, indent=2)
        f.write("\n")
    print(out_path)


if __name__ == "__main__":
    main()
