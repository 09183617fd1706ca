#!/usr/bin/env python3
"""Build trawl's default threat-indicator pack from maltrail's static trails.

Reads the corpus TSV (id, kind, expression, flags, category, source; see
../shared/corpus/README.md) and takes every malware, malicious and suspicious entry
("static" trails, mass scanners and reputation lists, are not malicious by themselves).
Each entry ends in exactly one of:

- an exact indicator (domain, IPv4, IPv6, IP:port, URL, URL path), written to the
  indicator pack rules/indicators/maltrail.tsv.xz (docs/indicators.md, "Feed formats":
  trawl's indicator TSV). Indicators are not compiled into the engine: the compiler
  stores them in the database's indicator set, looked up from entity candidates;
- a rule, for lines that are not exact values (maltrail's regex-like lines and URL
  prefixes that end in a query such as "/cmd.php?hwid="), written to
  rules/indicators.ndjson.gz as caseless literals (or regexes for the few real regexes);
- a duplicate of an earlier entry of the same trail.

The counts of each are printed. Output is deterministic for a given input: rows are
sorted, and the xz and gzip streams carry no timestamps or file names.

maltrail (https://github.com/stamparm/maltrail) is MIT-licensed, (c) Miroslav Stampar;
see rules/indicators/LICENSE-maltrail.

Usage:
  scripts/build_indicator_pack.py [--input PATH] [--pack PATH] [--rules PATH]

Standard library only.
"""

import argparse
import collections
import gzip
import io
import ipaddress
import json
import lzma
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# The corpus sits beside the checkout (../shared), or two levels up from a worktree.
DEFAULT_INPUT = next((p for p in (os.path.join(REPO, "..", "shared", "corpus", "maltrail_iocs.tsv.gz"),
                                  os.path.join(REPO, "..", "..", "shared", "corpus",
                                               "maltrail_iocs.tsv.gz")) if os.path.exists(p)),
                     os.path.join(REPO, "..", "shared", "corpus", "maltrail_iocs.tsv.gz"))
DEFAULT_PACK = os.path.join(REPO, "rules", "indicators", "maltrail.tsv.xz")
DEFAULT_RULES = os.path.join(REPO, "rules", "indicators.ndjson.gz")

# maltrail category -> (trawl category, severity, confidence).
CATEGORIES = {
    "malware": ("indicator/malware", "high", 0.8),
    "malicious": ("indicator/malicious", "high", 0.75),
    "suspicious": ("indicator/suspicious", "medium", 0.5),
}
KINDS = {"ioc-domain", "ioc-ip", "ioc-url"}
COMMIT_RE = re.compile(r"^(?P<repo>[^@]+)@(?P<commit>[0-9a-f]+):(?P<path>.*)$")
# Characters of a regular expression; a URL line with only '?', '=' or '&' of these is a
# literal prefix of a request (path and the start of a query).
REGEX_CHARS = set("\\()[]{}|*^$+")
ID_OK = re.compile(r"[^A-Za-z0-9._:/-]")
LABEL_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--input", default=DEFAULT_INPUT,
                   help="maltrail_iocs.tsv[.gz] (default: %(default)s)")
    p.add_argument("--pack", default=DEFAULT_PACK, help="indicator pack (.tsv.xz)")
    p.add_argument("--rules", default=DEFAULT_RULES, help="rules for the non-exact lines (.ndjson.gz)")
    return p.parse_args(argv)


def open_text(path):
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="\n")
    return open(path, "r", encoding="utf-8", newline="\n")


def decode_corpus_literal(text):
    """The corpus writes '\\' as '\\\\' and other bytes as \\xNN."""
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] == "\\":
            out.append(0x5C)
            i += 2
        elif text[i] == "\\" and text[i + 1:i + 2] == "x" and i + 4 <= len(text):
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            out.extend(text[i].encode())
            i += 1
    return out.decode("utf-8", "replace")


def is_domain(value):
    labels = value.split(".")
    return (len(labels) >= 2 and len(value) <= 253 and not labels[-1].isdigit() and
            all(LABEL_RE.match(label) for label in labels))


def parse_ip(text):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def classify(kind, value):
    """(type, normalized value) of an exact indicator, or (None, reason) when it is not one."""
    v = value.lower()
    if any(c.isspace() for c in v) or not v.isprintable():
        return None, "not a single printable token"
    if any(c in REGEX_CHARS for c in v):
        return None, "regular expression"
    if kind == "ioc-ip" or kind == "ioc-domain":
        if v.endswith("."):
            v = v[:-1]
        ip = parse_ip(v)
        if ip is not None:
            return ("ipv4" if ip.version == 4 else "ipv6"), str(ip)
        host, sep, port = v.rpartition(":")
        if sep and port.isdigit() and 0 < int(port) < 65536:
            if host.startswith("[") and host.endswith("]"):
                host = host[1:-1]
            ip = parse_ip(host)
            if ip is not None:
                shown = str(ip) if ip.version == 4 else f"[{ip}]"
                return "ip_port", f"{shown}:{int(port)}"
        if kind == "ioc-domain" and is_domain(v):
            return "domain", v
        return None, "neither a domain nor an IP address"
    # URLs: "http://host[:port]/path", "host/path" or a path "/x".
    if "?" in v or "=" in v or "&" in v:
        return None, "request prefix (path and query start)"
    if v.startswith("/"):
        return "url_path", v
    return "url", v


def read_entries(path):
    """Yields (category, family, source path, id, kind, value) for the kept categories."""
    with open_text(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        if header[:6] != ["id", "kind", "expression", "flags", "category", "source"]:
            raise SystemExit(f"{path}: unexpected header {header!r}")
        for lineno, line in enumerate(f, start=2):
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 6:
                raise SystemExit(f"{path}:{lineno}: expected 6 columns, got {len(cols)}")
            rid, kind, expression, _flags, category, source = cols[:6]
            ioc_kind, _, mt_category = category.partition("/")
            if kind != "literal" or ioc_kind not in KINDS or mt_category not in CATEGORIES:
                continue
            m = COMMIT_RE.match(source)
            if not m:
                raise SystemExit(f"{path}:{lineno}: unexpected source {source!r}")
            family = os.path.basename(m.group("path"))
            if family.endswith(".txt"):
                family = family[:-4]
            yield mt_category, family, source, rid, ioc_kind, decode_corpus_literal(expression)


def rule_definition(rid, value, kind, mt_category, family, source):
    category, severity, confidence = CATEGORIES[mt_category]
    d = {"id": ID_OK.sub("_", rid)}
    if any(c in REGEX_CHARS for c in value):
        d["regex"] = value
    else:
        d["literal"] = "".join(c if 0x20 <= ord(c) < 0x7F and c != "\\" else
                               "".join(f"\\x{b:02x}" for b in c.encode()) for c in value)
    d.update({
        "flags": ["caseless"],
        "category": category,
        "severity": severity,
        "confidence": confidence,
        "description": f"maltrail {mt_category} trail '{family}' ({kind[4:]} pattern)",
        "tags": ["maltrail", kind[4:], family],
        "chains": ["indicators"],
        "entity": kind[4:],
        "source": f"maltrail (MIT, Miroslav Stampar): {source}",
    })
    return d


def main(argv):
    args = parse_args(argv)
    rows = set()
    rules = []
    rule_ids = set()
    counts = collections.Counter()
    reasons = collections.Counter()
    sources = set()
    for mt_category, family, source, rid, kind, value in read_entries(args.input):
        counts["read"] += 1
        sources.add(COMMIT_RE.match(source).group(0).split(":")[0])
        itype, normalized = classify(kind, value)
        if itype is None:
            reasons[normalized] += 1
            d = rule_definition(rid, value, kind, mt_category, family, source)
            if d["id"] in rule_ids:
                counts["duplicate"] += 1
                continue
            rule_ids.add(d["id"])
            rules.append(d)
            counts["rule"] += 1
            continue
        row = (mt_category, family, itype, normalized)
        if row in rows:
            counts["duplicate"] += 1
            continue
        rows.add(row)
        counts["indicator"] += 1
    if len(sources) != 1:
        raise SystemExit(f"expected one maltrail commit, got {sorted(sources)}")
    origin = sources.pop()
    _, severity_of, confidence_of = zip(*[(k, v[1], v[2]) for k, v in CATEGORIES.items()])

    out = io.StringIO()
    out.write("#trawl-indicators 1\n")
    out.write("#feed maltrail\n")
    out.write(f"#source maltrail (MIT, Miroslav Stampar): {origin}:trails/static/{{category}}/"
              "{family}.txt\n")
    out.write("#columns value type family category severity confidence\n")
    # Sorted by trail, then type and value: neighbouring rows share their metadata and
    # often a prefix, which is what the compressor feeds on.
    for mt_category, family, itype, value in sorted(rows):
        _, severity, confidence = CATEGORIES[mt_category]
        out.write(f"{value}\t{itype}\t{family}\t{mt_category}\t{severity}\t{confidence}\n")
    data = out.getvalue().encode()
    os.makedirs(os.path.dirname(os.path.abspath(args.pack)), exist_ok=True)
    tmp = args.pack + ".tmp"
    with open(tmp, "wb") as f:
        f.write(lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64,
                              preset=9 | lzma.PRESET_EXTREME))
    os.replace(tmp, args.pack)

    buf = io.BytesIO()
    for d in sorted(rules, key=lambda d: d["id"]):
        buf.write(json.dumps(d, ensure_ascii=True, separators=(",", ":")).encode())
        buf.write(b"\n")
    tmp = args.rules + ".tmp"
    with open(tmp, "wb") as raw:
        # mtime=0 and an empty file name keep the gzip bytes reproducible.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(buf.getvalue())
    os.replace(tmp, args.rules)

    types = collections.Counter(r[2] for r in rows)
    print(f"read {counts['read']} maltrail entries (malware, malicious, suspicious): "
          f"{counts['indicator']} exact indicators -> {args.pack} "
          f"({os.path.getsize(args.pack)} bytes, {len(data)} uncompressed); "
          f"{counts['rule']} non-exact -> rules in {args.rules}; "
          f"{counts['duplicate']} duplicates")
    print(f"indicator types: {dict(sorted(types.items()))}")
    print(f"rules by reason: {dict(sorted(reasons.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
