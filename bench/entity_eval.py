#!/usr/bin/env python3
"""Precision and recall of trawl's entity recognizers on labelled public fixtures (#5).

Runs `trawl analyze` (the whole pipeline: one scan, validators, context scoring) with the
default packs compiled together (rules/pii.json + rules/secrets.json) on every text
fixture in ../shared/corpus/scan_inputs/ (not the 16 MiB bench file) and compares the
entity findings of the PII pack (rules named entity-*) with bench/entity_labels.tsv.

    bench/entity_eval.py TRAWL [--corpus DIR] [--labels TSV] [--min-confidence X]
    bench/entity_eval.py TRAWL candidates     # unlabelled candidates, with context
    bench/entity_eval.py TRAWL bench-fp       # false positives on bench_mixed_16MiB.bin

Unit of counting: a distinct (file, entity type, normalized value). A finding whose
value is labelled 1 for its type is a true positive, one labelled 0 a false positive; a
label 1 that no finding has is a false negative. An unlabelled finding is an error (the
labels must stay complete), reported and counted as a false positive.

Candidates for labelling come from two sources, so recall is not judged by trawl alone:
trawl's own findings and a deliberately loose regex pass (LOOSE below) over each file.
How each label was decided is in the `how` column of the labels file (see its header).
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus", "scan_inputs")
LABELS = os.path.join(HERE, "entity_labels.tsv")

# trawl entity type -> label type (bitcoin Base58 and Bech32 are one label type).
TYPE = {"bitcoin_bech32_address": "bitcoin", "bitcoin_address": "bitcoin"}

# Loose candidate patterns: wider than trawl's rules on purpose (over-generate, then a
# person decides). Only used to propose candidates, never to score.
LOOSE = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    "url": r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>)\]]+",
    "domain": r"\b(?:[A-Za-z0-9-]+\.)+(?:com|org|net|io|ru|cn|site|co|de|uk|info|biz|xyz|top|me|us|gov|edu|ly|site|tk|pw|su|cc|in|jp|fr)\b",
    "ipv4": r"\b\d{1,3}(?:\[?\.\]?\d{1,3}){3}\b",
    "ipv6": r"\b(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{1,4}){0,6}\b|::1\b",
    "mac_address": r"\b[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}\b",
    "uuid": r"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b",
    "md5": r"\b[0-9A-Fa-f]{32}\b",
    "sha1": r"\b[0-9A-Fa-f]{40}\b",
    "sha256": r"\b[0-9A-Fa-f]{64}\b",
    "credit_card": r"\b\d(?:[ -]?\d){12,18}\b",
    "iban": r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}\b",
    "us_ssn": r"\b\d{3}[- ]?\d{2}[- ]?\d{4}\b",
    "phone_number": r"(?:\+|\b)\(?\d{1,4}\)?(?:[ .-]?\(?\d{2,4}\)?){2,4}\b",
    "jwt": r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*",
    "cve": r"\bCVE-\d{4}-\d{4,}\b",
    "bitcoin": r"\b(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{11,71})\b",
    "ethereum_address": r"\b0x[0-9A-Fa-f]{40}\b",
}


def normalize(kind, value):
    v = value.strip().replace("[.]", ".").replace("[@]", "@")
    if kind in ("credit_card", "us_ssn", "phone_number"):
        return re.sub(r"[^0-9+]", "", v)
    if kind == "iban":
        return re.sub(r"\s", "", v).upper()
    if kind in ("email", "domain", "md5", "sha1", "sha256", "uuid", "mac_address",
                "ethereum_address", "ipv6", "cve"):
        v = v.lower()
        if kind == "mac_address":
            v = v.replace("-", ":")
        if kind == "cve":
            v = v.upper()
        return v
    if kind == "ipv4":
        return v.replace("[", "").replace("]", "")
    if kind == "url":
        return v.rstrip(".,;")
    return v


def fixture_files(corpus):
    out = []
    for dirpath, _, names in os.walk(corpus):
        for name in names:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, corpus)
            if rel == "MANIFEST.json" or rel.startswith("bench_mixed_16MiB"):
                continue
            out.append(rel)
    return sorted(out)


def compile_db(trawl, tmp):
    db = os.path.join(tmp, "default.tdb")
    subprocess.run([trawl, "compile", os.path.join(ROOT, "rules", "pii.json"),
                    os.path.join(ROOT, "rules", "secrets.json"), "-o", db],
                   check=True, capture_output=True)
    return db


def analyze(trawl, db, path):
    out = subprocess.run([trawl, "analyze", "--db", db, path], check=True,
                         capture_output=True, text=True).stdout
    found = []
    for f in json.loads(out)["findings"]:
        if not f["rule"].startswith("entity-"):
            continue  # secrets pack rules: measured by bench/check_seeds.py
        kind = TYPE.get(f["entity"], f["entity"])
        found.append((kind, normalize(kind, f["value"]), f["confidence"], f["value"],
                      f["locations"][0]["start"]))
    return found


def read_labels(path):
    labels = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "file":
                continue
            file, kind, value, label, how = parts[:5]
            labels[(file, kind, normalize(kind, value))] = (int(label), how)
    return labels


def evaluate(trawl, corpus, labels_path, min_conf):
    labels = read_labels(labels_path)
    tp = collections.Counter()
    fp = collections.Counter()
    fn = collections.Counter()
    unlabelled = []
    fps, fns = [], []
    with tempfile.TemporaryDirectory() as tmp:
        db = compile_db(trawl, tmp)
        found_keys = set()
        for rel in fixture_files(corpus):
            for kind, norm, conf, raw, _ in analyze(trawl, db, os.path.join(corpus, rel)):
                if conf < min_conf:
                    continue
                key = (rel, kind, norm)
                if key in found_keys:
                    continue
                found_keys.add(key)
                label = labels.get(key)
                if label is None:
                    unlabelled.append(key)
                    fp[kind] += 1
                elif label[0] == 1:
                    tp[kind] += 1
                else:
                    fp[kind] += 1
                    fps.append((key, label[1]))
        for key, (label, how) in labels.items():
            if label == 1 and key not in found_keys:
                fn[key[1]] += 1
                fns.append((key, how))
    kinds = sorted(set(tp) | set(fp) | set(fn))
    print(f"min_confidence {min_conf}")
    print("| entity | labelled | found | TP | FP | FN | precision | recall |")
    print("|---|---|---|---|---|---|---|---|")
    tot = collections.Counter()
    for k in kinds:
        p = tp[k] / (tp[k] + fp[k]) if tp[k] + fp[k] else float("nan")
        r = tp[k] / (tp[k] + fn[k]) if tp[k] + fn[k] else float("nan")
        print(f"| {k} | {tp[k] + fn[k]} | {tp[k] + fp[k]} | {tp[k]} | {fp[k]} | {fn[k]} "
              f"| {p:.2f} | {r:.2f} |")
        tot["tp"] += tp[k]
        tot["fp"] += fp[k]
        tot["fn"] += fn[k]
    p = tot["tp"] / max(1, tot["tp"] + tot["fp"])
    r = tot["tp"] / max(1, tot["tp"] + tot["fn"])
    print(f"| **all** | {tot['tp'] + tot['fn']} | {tot['tp'] + tot['fp']} | {tot['tp']} "
          f"| {tot['fp']} | {tot['fn']} | {p:.2f} | {r:.2f} |")
    nd_fn = sum(1 for key, how in fns if how != "D")
    print(f"\nrecall without the defanged (D) labels: {tot['tp']}/{tot['tp'] + nd_fn} = "
          f"{tot['tp'] / max(1, tot['tp'] + nd_fn):.2f}")
    print("\nfalse positives:")
    for key, how in sorted(fps):
        print("  FP", *key, how, sep="\t")
    print("false negatives:")
    for key, how in sorted(fns):
        print("  FN", *key, how, sep="\t")
    if unlabelled:
        print("UNLABELLED findings (add them to the labels):")
        for key in unlabelled:
            print("  ??", *key, sep="\t")
        return 1
    return 0


def candidates(trawl, corpus, labels_path):
    labels = read_labels(labels_path) if os.path.exists(labels_path) else {}
    with tempfile.TemporaryDirectory() as tmp:
        db = compile_db(trawl, tmp)
        for rel in fixture_files(corpus):
            path = os.path.join(corpus, rel)
            text = open(path, encoding="utf-8", errors="replace").read()
            seen = {}
            for kind, norm, conf, raw, start in analyze(trawl, db, path):
                seen.setdefault((kind, norm), ("trawl", raw, start))
            for kind, pattern in LOOSE.items():
                for m in re.finditer(pattern, text):
                    norm = normalize(kind, m.group(0))
                    seen.setdefault((kind, norm), ("loose", m.group(0), m.start()))
            for (kind, norm), (src, raw, start) in sorted(seen.items()):
                if (rel, kind, norm) in labels:
                    continue
                ctx = text[max(0, start - 40):start + len(raw) + 40].replace("\n", "⏎")
                print(rel, kind, raw, src, ctx, sep="\t")


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    trawl = args[0]
    corpus = CORPUS
    labels = LABELS
    min_conf = 0.0
    mode = "eval"
    i = 1
    while i < len(args):
        if args[i] == "--corpus":
            corpus = args[i + 1]
            i += 2
        elif args[i] == "--labels":
            labels = args[i + 1]
            i += 2
        elif args[i] == "--min-confidence":
            min_conf = float(args[i + 1])
            i += 2
        else:
            mode = args[i]
            i += 1
    if mode == "candidates":
        candidates(trawl, corpus, labels)
        return 0
    if mode == "bench-fp":
        return bench_fp(trawl, corpus)
    return evaluate(trawl, corpus, labels, min_conf)


def seed_spans(path):
    seeds = []
    with open(path) as f:
        next(f)
        for line in f:
            off, length, source = line.rstrip("\n").split("\t")
            seeds.append((int(off), int(off) + int(length), source))
    seeds.sort()
    return seeds


def overlapping_seed(seeds, starts, b, e):
    import bisect
    i = bisect.bisect_right(starts, e) - 1
    while i >= 0 and seeds[i][1] > b - 65536:
        if seeds[i][0] < e and b < seeds[i][1]:
            return seeds[i]
        i -= 1
    return None


def token_before(data, b):
    i = b
    while i > 0 and b - i < 2048 and data[i - 1:i] not in (b" ", b"\n", b"\t", b'"', b"'",
                                                            b"<", b"(", b"`", b"["):
        i -= 1
    return data[i:b]


# Why an entity finding on bench_mixed_16MiB.bin that overlaps no planted positive was
# reported. Returns (cause, is_false_positive). The causes were found by reading the
# findings in context; a finding that fits none is "unclassified" and listed.
def cause(kind, value, data, b, e):
    before = data[max(0, b - 2):b]
    after = data[e:e + 2]
    if kind == "url":
        if value[-1] in ").,;:!?]'":
            return "url: trailing punctuation taken into the URL", True
        return "url: a real URL in the source text", False
    if kind == "domain":
        tok = token_before(data, b)
        if b"://" in tok and b"/" not in tok[tok.find(b"://") + 3:]:
            return "domain: host of a URL in the text", False
        if tok.endswith(b"@"):
            return "domain: host of an e-mail address in the text", False
        if before.endswith(b"->") or before.endswith(b"::") or before.endswith(b"&") or \
                after[:1] in (b"(", b"[") or (after[:1] == b"." and after[1:2].isalnum()):
            return "domain: member access / dotted identifier in code", True
        if before.endswith(b".") and b"_" in re.split(rb"[^A-Za-z0-9_-]", data[max(0, b - 64):b - 1])[-1]:
            return "domain: tail of a dotted identifier (file or macro name)", True
        if before.endswith(b"/"):
            return "domain: file name in a path", True
        if re.match(rb"\s*=[^=]", data[e:e + 3]):
            return "domain: struct member assigned in code", True
        if value.lower() in KNOWN_HOSTS or value.lower() in HOSTS_READ_IN_PROSE:
            return "domain: host name in prose or config", False
        return "domain: code or file name ending in a TLD-like suffix", True
    if kind == "ipv4":
        line_start = data.rfind(b"\n", 0, b) + 1
        line = data[line_start:data.find(b"\n", e)]
        if b"/*" in line or line.lstrip().startswith(b"*"):
            return "ipv4: dotted section/version number in a comment", True
        return "ipv4: unclassified", True
    if kind in ("md5", "sha1", "sha256"):
        return f"{kind}: a git object id / digest in the source", False
    if kind == "email":
        tok = token_before(data, b)
        if b"://" in tok and tok.endswith(b":"):
            return "email: user:password@host of a URL", True
        return "email: a real address in the source text", False
    if kind == "uuid":
        return "uuid: a real UUID (in a URL or message id)", False
    if kind == "cve":
        return "cve: a CVE id in the changelog", False
    return f"{kind}: unclassified", True


KNOWN_HOSTS = set()
# Dotted names outside URLs that reading the context showed to be real host names.
HOSTS_READ_IN_PROSE = {"www.libssh2.org", "opensource.apple.com"}


def bench_fp(trawl, corpus):
    data_path = os.path.join(corpus, "bench_mixed_16MiB.bin")
    seeds = seed_spans(data_path + ".seeds.tsv")
    starts = [s[0] for s in seeds]
    seed_starts = set(starts)
    seed_ends = {s[1] for s in seeds}
    data = open(data_path, "rb").read()
    with tempfile.TemporaryDirectory() as tmp:
        db = compile_db(trawl, tmp)
        out = subprocess.run([trawl, "analyze", "--db", db, data_path], check=True,
                             capture_output=True, text=True).stdout
    report = json.loads(out)
    # A name that is a URL's or an address's host somewhere in the file is a host name
    # wherever it appears; other dotted names outside URLs were read in context: they are
    # code (`revspec.to`, `hash.id`) or file names (`experimental.h.in`, `rename.pl`).
    KNOWN_HOSTS.clear()
    for m in re.finditer(rb"(?:://|@)([A-Za-z0-9.-]+)", data):
        KNOWN_HOSTS.add(m.group(1).decode("latin-1").lower().rstrip("."))
    per_type = collections.defaultdict(collections.Counter)
    causes = collections.Counter()
    examples = collections.defaultdict(collections.Counter)
    for f in report["findings"]:
        if not f["rule"].startswith("entity-"):
            continue
        kind = TYPE.get(f["entity"], f["entity"])
        for loc in f["locations"]:
            b, e = loc["start"], loc["end"]
            seed = overlapping_seed(seeds, starts, b, e)
            per_type[kind]["occurrences"] += 1
            if seed is not None:
                per_type[kind]["planted"] += 1
                continue
            if b in seed_ends or e in seed_starts:
                # The generator planted a seed inside a word: "micro<seed>soft.com".
                why, false_positive = f"{kind}: fragment of a word cut by a planted seed", True
            else:
                why, false_positive = cause(kind, f["value"], data, b, e)
            per_type[kind]["false positive" if false_positive else "real, not planted"] += 1
            causes[(why, false_positive)] += 1
            examples[why][f["value"]] += 1
            if os.environ.get("TRAWL_EVAL_VERBOSE") and false_positive:
                ctx = data[max(0, b - 40):e + 20].decode("latin-1").replace("\n", " ")
                print("FP", kind, f["value"], "|", ctx, file=sys.stderr)
    print("| entity | occurrences | on a planted positive | real, not planted | false positive |")
    print("|---|---|---|---|---|")
    tot = collections.Counter()
    for kind in sorted(per_type):
        c = per_type[kind]
        tot.update(c)
        print(f"| {kind} | {c['occurrences']} | {c['planted']} | {c['real, not planted']} "
              f"| {c['false positive']} |")
    print(f"| **all** | {tot['occurrences']} | {tot['planted']} | {tot['real, not planted']} "
          f"| {tot['false positive']} |")
    print("\n| cause | occurrences | false positive | most frequent values |")
    print("|---|---|---|---|")
    for (why, fp), n in sorted(causes.items(), key=lambda x: (-x[0][1], -x[1])):
        top = ", ".join(f"`{v}` ×{k}" for v, k in examples[why].most_common(3))
        print(f"| {why} | {n} | {'yes' if fp else 'no'} | {top} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
