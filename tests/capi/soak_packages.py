#!/usr/bin/env python3
"""Writes the packages the soak test cycles through into DIR: tar.gz, zip, a zip inside a
tar, a bare gzip, a JSON file, a truncated archive and a CSV, each holding secrets and
PII, so every stage (intake, carving, structure, validators, aggregation) runs."""
import gzip, io, json, os, sys, tarfile, zipfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
KEY = "AKIA64CFSUOSG2WPIZZX"
TOKEN = "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn"
log = "".join(f"2026-01-01T00:00:{i % 60:02d}Z INFO request {i} user=u{i % 97}\n"
              for i in range(4000)) + f"aws_access_key_id = {KEY}\n"
config = json.dumps({"services": [{"env": {"GITHUB_TOKEN": TOKEN, "n": i}} for i in range(50)]})
csv = "name,email,card\n" + "".join(f"u{i},u{i}@example.com,4111111111111111\n" for i in range(300))


def tar_bytes(files, mode="w:gz"):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as t:
        for name, data in files.items():
            data = data.encode() if isinstance(data, str) else data
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def zip_bytes(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


packages = {
    "app.tar.gz": tar_bytes({"logs/app.log": log, "config/app.json": config, "data/users.csv": csv}),
    "app.zip": zip_bytes({"app.log": log, "users.csv": csv}),
    "nested.tar": tar_bytes({"inner.zip": zip_bytes({"config.json": config}), "a.log": log}, "w"),
    "app.log.gz": gzip.compress(log.encode()),
    "config.json": config.encode(),
    "users.csv": csv.encode(),
}
packages["truncated.tar.gz"] = packages["app.tar.gz"][: len(packages["app.tar.gz"]) // 2]
for name, data in packages.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
