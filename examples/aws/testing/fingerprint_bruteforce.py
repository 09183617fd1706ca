#!/usr/bin/env python3
"""Why the deployment's fingerprint key matters: fingerprints of guessable PII are found
by trying candidates, with the public default key and never with a key of one's own.

A small package holds an IPv4 address, a US phone number (E.164) and an SSN. `trawl
analyze --no-values` reports their fingerprints, once with the library's public default
key and once with 32 random bytes read from a key file. An attacker who knows the format
tries every candidate of a small space around each value (2^16 addresses, 10^5 phone
numbers, 10^5 SSNs) with HMAC-SHA-256 as docs/scoring.md describes:

  * default key: every value is recovered (the attack works: the test can fail);
  * the random key, attacker using the default key or an empty one: nothing matches;
  * the random key itself (the control): every value is recovered again.

    fingerprint_bruteforce.py TRAWL_CLI SOURCE_DIR
"""
import hashlib
import hmac
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

SAMPLE = {  # rule id -> (value in the file, the candidate space the attacker tries)
    "entity-ipv4": ("52.196.149.49", [f"52.196.{a}.{b}" for a in range(256) for b in range(256)]),
    "entity-phone-e164": ("+14155550123", [f"+141555{n:05d}" for n in range(100000)]),
    "entity-us-ssn": ("536-22-1847", [f"536-2{n // 10000}-{n % 10000:04d}" for n in range(100000)]),
}


def fingerprint(key, rule, value):
    return hmac.new(key, rule.encode() + b"\0" + value.encode(), hashlib.sha256).hexdigest()[:32]


def recover(report, key):
    """rule -> the candidates whose fingerprint is in the report under that rule."""
    found = {}
    for rule, (_, space) in SAMPLE.items():
        wanted = {f["fingerprint"] for f in report["findings"] + report["suppressed"] if f["rule"] == rule}
        found[rule] = [v for v in space if fingerprint(key, rule, v) in wanted]
    return found


def main():
    trawl, root = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as work:
        text = (f"server_ip = {SAMPLE['entity-ipv4'][0]}\n"
                f"contact phone: {SAMPLE['entity-phone-e164'][0]}\n"
                f"customer ssn: {SAMPLE['entity-us-ssn'][0]}\n").encode()
        package = os.path.join(work, "pii.tar.gz")
        with tarfile.open(package, "w:gz") as tar:
            info = tarfile.TarInfo("customers/notes.txt")
            info.size = len(text)
            tar.addfile(info, io.BytesIO(text))
        db = os.path.join(work, "pii.tdb")
        subprocess.run([trawl, "compile", os.path.join(root, "rules", "pii.json"), "-o", db], check=True,
                       capture_output=True, timeout=300)
        key = os.urandom(32).hex()
        key_file = os.path.join(work, "fingerprint.key")
        with open(key_file, "w") as f:
            f.write(key + "\n")
        env = {k: v for k, v in os.environ.items() if k not in ("CI", "TRAWL_FINGERPRINT_KEY")}

        def analyze(*extra):
            p = subprocess.run([trawl, "analyze", "--db", db, "--no-values", *extra, package], env=env,
                               check=True, capture_output=True, timeout=300)
            report = json.loads(p.stdout)
            assert not any("value" in f for f in report["findings"]), "values in a --no-values report"
            return report

        public, keyed = analyze(), analyze("--fingerprint-key-file", key_file)
        default = b"trawl-default-fingerprint-key"
        checks = [
            ("public default key: recovered by guessing", recover(public, default), True),
            ("own key, guessed with the default key: nothing", recover(keyed, default), False),
            ("own key, guessed with an empty key: nothing", recover(keyed, b""), False),
            ("own key, with the key (control): recovered", recover(keyed, key.encode()), True),
        ]
        failed = 0
        for label, found, expect_found in checks:
            ok = all((found[r] == [SAMPLE[r][0]]) if expect_found else not found[r] for r in SAMPLE)
            failed += not ok
            print(("ok: " if ok else "FAILED: ") + label, {r: v for r, v in found.items()})
        tried = sum(len(space) for _, space in SAMPLE.values())
        print(f"{len(checks) - failed} passed, {failed} failed ({tried} candidates per key)")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
