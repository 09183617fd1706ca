#!/usr/bin/env python3
"""Writes SIZE_MIB of generated files into DIR for the package benchmarks: logs, JSON,
CSV and random binary in turn (deterministic apart from the binary bytes).

    bench/make_package.py DIR SIZE_MIB [--plant]

--plant sprinkles real-shaped secrets, PII and indicators into about 1 % of log lines
and JSON records, so that validation and location have work to do.
"""
import json
import os
import random
import sys

PLANTED = ["AKIA64CFSUOSG2WPIZZX", "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn",
           "ops@example.org", "4111111111111111", "http://52.196.149.49/gate.php"]


def main():
    root, size, plant = sys.argv[1], int(sys.argv[2]) << 20, "--plant" in sys.argv[3:]
    rng = random.Random(7)
    os.makedirs(root)
    words = [''.join(rng.choice('abcdefghijklmnop') for _ in range(rng.randint(3, 9)))
             for _ in range(500)]

    def maybe(text):
        return text if plant and rng.random() < 0.01 else ""

    written, i = 0, 0
    while written < size:
        kind = i % 4
        if kind == 0:
            data = '\n'.join(
                f"2026-11-26T10:{i % 60:02d}:00Z INFO {' '.join(rng.choices(words, k=8))}"
                + maybe(f" token={rng.choice(PLANTED)}") for _ in range(2000)).encode()
        elif kind == 1:
            records = []
            for n in range(1500):
                record = {"id": n, "name": rng.choice(words), "tags": rng.choices(words, k=4)}
                if maybe("x"):
                    record["api_key"] = rng.choice(PLANTED)
                records.append(record)
            data = json.dumps(records).encode()
        elif kind == 2:
            data = '\n'.join(','.join(rng.choices(words, k=6)) for _ in range(3000)).encode()
        else:
            data = os.urandom(64 << 10)
        name = f"f{i:06d}.{['log', 'json', 'csv', 'bin'][kind]}"
        with open(os.path.join(root, name), 'wb') as f:
            f.write(data)
        written += len(data)
        i += 1


if __name__ == "__main__":
    main()
