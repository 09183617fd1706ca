#!/usr/bin/env python3
"""Writes the large-component package of issue 22 into DIR: one LOG_MIB log, one JSON_MIB
JSON document (one object holding an array of records) and FILLER_MIB of mixed files
(bench/make_package.py --plant), all with planted secrets, PII and indicators in about
1 % of the lines and records. Deterministic. Pack it with tar afterwards
(bench/large_package.sh does both and measures).

    bench/large_package.py DIR [LOG_MIB JSON_MIB FILLER_MIB]   (default 700 200 124)
"""
import json
import os
import random
import subprocess
import sys

PLANTED = ["AKIA64CFSUOSG2WPIZZX", "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn",
           "ops@example.org", "4111111111111111", "http://52.196.149.49/gate.php"]


def main():
    root = sys.argv[1]
    log_mib, json_mib, filler_mib = (int(x) for x in (sys.argv[2:5] or [700, 200, 124]))
    rng = random.Random(22)
    os.makedirs(root)
    words = [''.join(rng.choice('abcdefghijklmnop') for _ in range(rng.randint(3, 9)))
             for _ in range(500)]

    with open(os.path.join(root, "big.log"), "w") as out:
        written, n = 0, 0
        while written < log_mib << 20:
            lines = []
            for _ in range(5000):
                line = (f"2026-11-26T10:{n % 60:02d}:{n % 59:02d}Z INFO "
                        f"{' '.join(rng.choices(words, k=8))}")
                if rng.random() < 0.01:
                    line += f" token={rng.choice(PLANTED)}"
                lines.append(line)
                n += 1
            chunk = "\n".join(lines) + "\n"
            out.write(chunk)
            written += len(chunk)

    with open(os.path.join(root, "big.json"), "w") as out:
        out.write('{"service": "billing", "records": [')
        written, n = 0, 0
        while written < json_mib << 20:
            records = []
            for _ in range(2000):
                record = {"id": n, "name": rng.choice(words), "tags": rng.choices(words, k=4)}
                if rng.random() < 0.01:
                    record["secret"] = rng.choice(PLANTED)
                records.append(json.dumps(record))
                n += 1
            chunk = ("," if written else "") + ",".join(records)
            out.write(chunk)
            written += len(chunk)
        out.write("]}\n")

    if filler_mib:
        subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "make_package.py"),
                        os.path.join(root, "filler"), str(filler_mib), "--plant"], check=True)


if __name__ == "__main__":
    main()
