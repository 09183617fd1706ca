"""Git history intake (docs/git.md) against `git log --all -p`, the text a log-based
scanner reads, in the same run: trawl_git_decompose (every blob read once) and
trawl_git_analyze with the secrets pack. Medians of 5.

    python3 bench/git_history.py REPO [LIBTRAWL]
"""
import os
import statistics
import subprocess
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "python"))
import trawl  # noqa: E402

repo = sys.argv[1]
trawl.load(sys.argv[2] if len(sys.argv) > 2 else None)
rules = trawl.Rules()
rules.add_file(os.path.join(root, "rules", "secrets.json"))
db = trawl.Database.compile(rules)


def t(f):
    s = time.perf_counter()
    f()
    return time.perf_counter() - s


def gitlog():
    subprocess.run(["git", "-C", repo, "log", "--all", "-p", "--no-color"],
                   stdout=subprocess.DEVNULL, check=True)


m = trawl.git_decompose(repo)
blobs = len(m["components"]) - 1
print("blobs", blobs, "bytes", m["input_bytes"])
base, dec, ana = [], [], []
for _ in range(5):
    base.append(t(gitlog))
    dec.append(t(lambda: trawl.git_decompose(repo, raw=True)))
    ana.append(t(lambda: trawl.git_analyze(db, repo, raw=True, compile_threads=2)))
b, d, a = map(statistics.median, (base, dec, ana))
print(f"git log --all -p: {b:.2f}s; trawl git decompose: {d:.2f}s ({d / b:.2f}x); "
      f"trawl git analyze (secrets): {a:.2f}s ({a / b:.2f}x)")
