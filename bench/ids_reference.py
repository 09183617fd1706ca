#!/usr/bin/env python3
"""A reference evaluator of Suricata/Snort content and pcre semantics, to check the rules
trawl imports from ET Open (issue 18).

Small on purpose: it reads the rule text itself (not trawl's import), and searches by
backtracking over every occurrence, memoised, with nothing clever.

  content  every occurrence (nocase: ASCII case folded); offset/depth bound its start and
           end; distance/within bound it relative to the previous match's end in the same
           buffer: start >= prev + distance, end <= prev + distance + within.
  pcre     Python's `re` on bytes (flags i s m x; R: searched from the previous match's
           end); rules whose regex Python cannot compile are skipped and counted.
  !        a negated content or pcre must have no occurrence where its bounds allow one.
  buffers  http_*, file_data, uricontent, ... are approximated as the whole input, each
           buffer's items ordered among themselves, and offset/depth inside a buffer
           dropped (they count from the buffer's start, which the input does not have):
           the approximations trawl states.

Only the rules trawl imported are compared (the others are rejected with a reason); the
header, flow, flowbits, byte_test etc. are not evaluated, on either side.

usage: bench/ids_reference.py --trawl build/trawl [--work DIR] [INPUT...]
Prints, per input, the rules both report, and the rules only one side reports.
"""
import argparse
import functools
import glob
import json
import os
import re
import subprocess
import sys
import time

from shared_dir import default_shared

SHARED = default_shared()
STICKY = {"file_data", "dns_query", "tls_sni", "http_header_names", "tls_cert_subject",
          "tls_cert_issuer", "tls_cert_serial", "tls.fingerprint", "ssh.softwareversion",
          "ssh_proto", "http.uri", "http.header", "http.method", "http.user_agent", "http.host",
          "http.cookie", "http.request_body", "http.response_body", "dns.query", "tls.sni",
          "file.data"}
PCRE_BUFFERS = set("UIPQHDMCKSYVWZ")


def rules_in(path):
    """(sid, options) for each rule line; options as (key, raw value) in order."""
    text = open(path, "rb").read().decode("latin-1")
    joined = re.sub(r"\\\r?\n", "", text)
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "(" not in line:
            continue
        body = line[line.index("(") + 1:line.rindex(")")]
        options, key, value, i, quoted = [], "", None, 0, False
        while i < len(body):
            c = body[i]
            if value is None:
                if c == ":":
                    value = ""
                elif c == ";":
                    options.append((key.strip(), None))
                    key = ""
                else:
                    key += c
            else:
                if c == "\\" and i + 1 < len(body):
                    value += body[i:i + 2]
                    i += 2
                    continue
                if c == '"':
                    quoted = not quoted
                if c == ";" and not quoted:
                    options.append((key.strip(), value.strip()))
                    key, value = "", None
                else:
                    value += c
            i += 1
        sid = next((v for k, v in options if k == "sid"), None)
        if sid:
            yield sid.strip(), options


def unquote(value, unescape=True):
    """A quoted option value. A pcre keeps its escapes (they are the regex's own, as in
    Suricata); content and msg undo the rule language's escapes."""
    value = value.strip()
    negated = value.startswith("!")
    if negated:
        value = value[1:].strip()
    value = value[1:-1]
    return negated, re.sub(r"\\(.)", r"\1", value) if unescape else value


def content_bytes(text):
    out, parts = bytearray(), text.split("|")
    for n, part in enumerate(parts):
        if n % 2:
            out += bytes.fromhex(part.replace(" ", ""))
        else:
            out += part.encode("latin-1")
    return bytes(out)


class Item:
    def __init__(self, kind, data, negated, buffer):
        self.kind, self.data, self.negated, self.buffer = kind, data, negated, buffer
        self.nocase = False
        self.offset = self.depth = self.distance = self.within = None
        self.relative = False  # pcre R


def parse(options):
    """The rule's items, or None when it has no bytes to match."""
    items, sticky, last = [], "", None
    for key, value in options:
        if key in ("content", "uricontent"):
            negated, text = unquote(value)
            last = Item("content", content_bytes(text), negated,
                        "http_uri" if key == "uricontent" else sticky)
            items.append(last)
        elif key == "pcre":
            negated, text = unquote(value, unescape=False)
            close = text.rindex("/")
            regex, flags = text[1:close], text[close + 1:]
            item = Item("pcre", None, negated, sticky)
            reflags = 0
            for f in flags:
                if f == "i":
                    reflags |= re.I
                elif f == "s":
                    reflags |= re.S
                elif f == "m":
                    reflags |= re.M
                elif f == "x":
                    reflags |= re.X
                elif f == "R":
                    item.relative = True
                elif f == "A":
                    regex = r"\A(?:" + regex + ")"
                elif f in PCRE_BUFFERS:
                    item.buffer = "pcre_" + f
            item.data = re.compile(regex.encode("latin-1"), reflags)
            items.append(item)
            last = None
        elif key in ("nocase", "offset", "depth", "distance", "within") and last is not None:
            if key == "nocase":
                last.nocase = True
            else:
                setattr(last, key, int(value))
        elif key == "startswith" and last is not None:
            last.offset, last.depth = 0, len(last.data)
        elif key in STICKY:
            sticky = key
        elif key == "pkt_data":
            sticky = ""
        elif key.startswith("http_") and last is not None:
            last.buffer = key
    return items


class Evaluator:
    def __init__(self, data):
        self.data = data
        self.lower = data.lower()

    @functools.lru_cache(maxsize=200000)
    def occurrences(self, needle, nocase):
        hay = self.lower if nocase else self.data
        needle = needle.lower() if nocase else needle
        out, at = [], hay.find(needle)
        while at >= 0:
            out.append(at)
            at = hay.find(needle, at + 1)
        return tuple(out)

    def chain_matches(self, items):
        @functools.lru_cache(maxsize=None)
        def at(i, prev):
            if i == len(items):
                return True
            it = items[i]
            hits = []  # (start, end) allowed for this item
            if it.kind == "content":
                rel = it.distance is not None or it.within is not None
                lo, hi = 0, len(self.data)
                if it.offset is not None and not it.buffer:
                    lo = it.offset
                if it.depth is not None and not it.buffer:
                    hi = min(hi, (it.offset or 0) + it.depth)
                if rel:
                    lo = max(0, prev + (it.distance or 0))
                    if it.within is not None:
                        hi = prev + (it.distance or 0) + it.within
                n = len(it.data)
                hits = [(p, p + n) for p in self.occurrences(it.data, it.nocase)
                        if p >= lo and p + n <= hi]
            else:
                start = prev if it.relative else 0
                pos = start
                while pos <= len(self.data) and len(hits) < 1000:
                    m = it.data.search(self.data, pos)
                    if not m:
                        break
                    hits.append((m.start(), m.end()))
                    pos = m.start() + 1
            if it.negated:
                return not hits and at(i + 1, prev)
            return any(at(i + 1, end) for _, end in hits)

        return at(0, 0)

    def matches(self, items):
        buffers = {}
        for it in items:
            buffers.setdefault(it.buffer, []).append(it)
        for chain in buffers.values():
            # Cheap necessary test first: every positive content occurs somewhere.
            for it in chain:
                if it.kind == "content" and not it.negated and not self.occurrences(it.data, it.nocase):
                    return False
        return all(self.chain_matches(tuple(chain)) for chain in buffers.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trawl", required=True)
    ap.add_argument("--shared", default=SHARED)
    ap.add_argument("--work", default="/tmp/trawl_ids_reference")
    ap.add_argument("inputs", nargs="*")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    files = sorted(glob.glob(os.path.join(a.shared, "corpus", "sources", "suricata-et-open",
                                          "rules", "*.rules")))
    scan_root = os.path.join(a.shared, "corpus", "scan_inputs")
    # By default the small inputs only: the reference backtracks in pure Python, and the
    # 16 MiB benchmark input alone ran for more than an hour. Name it to include it.
    inputs = a.inputs or sorted(p for p in glob.glob(os.path.join(scan_root, "**", "*"),
                                                     recursive=True)
                                if os.path.isfile(p) and not p.endswith(".json")
                                and os.path.getsize(p) <= (1 << 20))
    rules_json = os.path.join(a.work, "et.json")
    db = os.path.join(a.work, "et.tdb")
    subprocess.run([a.trawl, "rules", "import", *files, "-o", rules_json], capture_output=True)
    subprocess.run([a.trawl, "compile", rules_json, "-o", db], capture_output=True)
    imported = {d["id"].split(".", 1)[1] for d in json.load(open(rules_json))
                if "/" not in d["id"]}
    reference, skipped = {}, {}
    for path in files:
        for sid, options in rules_in(path):
            if sid not in imported:
                continue
            try:
                reference[sid] = parse(options)
            except (re.error, ValueError, IndexError) as e:
                skipped[sid] = str(e)
    print(f"{len(imported)} rules imported by trawl; the reference evaluates {len(reference)}, "
          f"skips {len(skipped)} (regex Python's re cannot read)")
    totals = [0, 0, 0]
    for path in inputs:
        data = open(path, "rb").read()
        t = time.monotonic()
        ev = Evaluator(data)
        ref = {sid for sid, items in reference.items() if ev.matches(items)}
        ref_s = time.monotonic() - t
        out = subprocess.run([a.trawl, "scan", "--db", db, path], capture_output=True)
        ours = set()
        for line in out.stdout.decode(errors="replace").splitlines():
            ours.add(json.loads(line)["rule"].split(".", 1)[1])
        ours &= set(reference)
        both, only_ref, only_trawl = ref & ours, ref - ours, ours - ref
        totals[0] += len(both)
        totals[1] += len(only_ref)
        totals[2] += len(only_trawl)
        if ref or ours:
            print(f"{os.path.relpath(path, a.shared)} ({len(data)} bytes, reference {ref_s:.1f} s): "
                  f"both {len(both)}, reference only {sorted(only_ref)[:20]}, "
                  f"trawl only {sorted(only_trawl)[:20]}")
    print(f"total (input, rule) matches over {len(inputs)} inputs: both {totals[0]}, "
          f"reference only {totals[1]}, trawl only {totals[2]}")


if __name__ == "__main__":
    main()
