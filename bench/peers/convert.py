#!/usr/bin/env python3
"""Converts a corpus rule set (TSV, ../shared/corpus/README.md) to each peer's native form.

    convert.py SET.tsv OUTDIR NAME [--kind literal|regex|all] [--caseless-only]
                                   [--case-sensitive-only] [--rg]

Writes, in OUTDIR:
  NAME.tsv           the definitions every peer below was given (trawl compiles this file)
  NAME.yar           one YARA rule per definition (`yr_<n>`); NAME.yara_ids.tsv maps n -> id
  NAME.rg            with --rg: one literal per line for `rg -F -f` (the set must be
                     literals of one case mode)
  NAME.skipped.tsv   definitions left out, with the reason (a peer cannot express them)

A definition goes in only if every peer of the set can express it with the same meaning,
so each pair does the same work. Literals become YARA text strings of the same bytes
(`nocase` for the `i` flag); the TSV's YARA modifiers (fullword, wide, base64, xor) are
informational there and are dropped on both sides: the wide forms are already spelled out
as bytes. Regexes become YARA regexes (`(?:` written as a plain group, which never captures in
YARA) when YARA's own compiler (python3-yara) accepts them;
PCRE constructs YARA lacks (lookarounds, back-references, inline flag groups, possessive
quantifiers, \\Q, named groups, Unicode properties) are left out with the reason.
"""
import argparse
import re
import sys

CASELESS = "i"


def decode_literal(text):
    """The corpus literal escape: printable ASCII as itself, \\\\ for \\, \\xNN for the rest."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] == "\\":
            out.append(0x5C)
            i += 2
        elif c == "\\" and i + 3 < len(text) and text[i + 1] == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
        else:
            out.extend(c.encode("latin-1"))
            i += 1
    return bytes(out)


def yara_text_string(data):
    """A YARA text string literal holding exactly `data`."""
    out = []
    for b in data:
        if b == 0x22:
            out.append('\\"')
        elif b == 0x5C:
            out.append("\\\\")
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
    return '"' + "".join(out) + '"'


# PCRE constructs that YARA's regex dialect does not have, or reads differently. YARA's
# compiler rejects most of them; the rest would compile with another meaning.
PCRE_ONLY = [
    (re.compile(r"\(\?[=!<]"), "lookaround"),
    (re.compile(r"\(\?[a-zA-Z-]+[:)]"), "inline flag group"),
    (re.compile(r"\(\?P?<[A-Za-z_]"), "named group"),
    (re.compile(r"\(\?>"), "atomic group"),
    (re.compile(r"\\[1-9]"), "back-reference"),
    (re.compile(r"[*+?}]\+"), "possessive quantifier"),
    (re.compile(r"\\[QEGAzZhHvVRXKpP]"), "PCRE-only escape"),
    (re.compile(r"\[\[:"), "POSIX class"),
    (re.compile(r"\\x\{"), "\\x{...} escape"),
]


def yara_regex(expression, flags):
    """The YARA form of a PCRE regex, or (None, reason)."""
    for pattern, reason in PCRE_ONLY:
        if pattern.search(expression):
            return None, reason
    if "m" in flags:
        return None, "multiline flag (YARA's ^ and $ are the data's ends)"
    # `/` ends a YARA regex literal; escape the unescaped ones. YARA's groups never
    # capture and its parser lacks `(?:`: a plain group means the same there.
    body = re.sub(r"(?<!\\)((?:\\\\)*)/", r"\1\\/", expression)
    body = re.sub(r"(?<!\\)((?:\\\\)*)\(\?:", r"\1(", body)
    mods = "s" if "s" in flags else ""
    suffix = " nocase" if CASELESS in flags else ""
    return "/%s/%s%s" % (body, mods, suffix), None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tsv")
    ap.add_argument("outdir")
    ap.add_argument("name")
    ap.add_argument("--kind", choices=["literal", "regex", "all"], default="all")
    ap.add_argument("--caseless-only", action="store_true")
    ap.add_argument("--case-sensitive-only", action="store_true")
    ap.add_argument("--rg", action="store_true", help="also write the rg -F -f pattern file")
    args = ap.parse_args()

    yara = None
    try:
        import yara as yara_module  # Debian python3-yara: YARA's own compiler decides
        yara = yara_module
    except ImportError:
        print("convert.py: python3-yara missing; regexes are not checked by YARA's compiler",
              file=sys.stderr)

    kept, skipped, yar_rules, candidates = [], [], [], []
    rg_lines = []
    with open(args.tsv, encoding="latin-1", newline="") as f:
        header = f.readline().rstrip("\r\n")
        for line in f:
            line = line.rstrip("\r\n")
            if not line:
                continue
            cols = line.split("\t")
            rid, kind, expression, flags = cols[0], cols[1], cols[2], cols[3]
            flag_set = set(filter(None, flags.split(",")))
            if args.kind != "all" and kind != args.kind:
                continue
            caseless = CASELESS in flag_set
            if args.caseless_only and not caseless:
                skipped.append((rid, "case-sensitive (the rg set is caseless)"))
                continue
            if args.case_sensitive_only and caseless:
                skipped.append((rid, "caseless (the rg set is case-sensitive)"))
                continue
            if len(cols) > 6 and cols[6] == "prefilter":
                skipped.append((rid, "needs PCRE-only constructs (compile_as=prefilter)"))
                continue
            if kind == "literal":
                data = decode_literal(expression)
                if args.rg:
                    if b"\n" in data:
                        skipped.append((rid, "newline in a literal (rg -f reads one per line)"))
                        continue
                    try:
                        data.decode("utf-8")
                    except UnicodeDecodeError:
                        skipped.append((rid, "not UTF-8 (rg -F patterns must be)"))
                        continue
                    rg_lines.append(data)
                string = yara_text_string(data) + (" nocase" if caseless else "")
            else:
                if args.rg:
                    skipped.append((rid, "regex (rg -F takes literals)"))
                    continue
                string, reason = yara_regex(expression, flag_set)
                if string is None:
                    skipped.append((rid, reason))
                    continue
            candidates.append((rid, kind, string, line))

    # YARA's own compiler decides on regexes, a chunk at a time (one compile per rule costs
    # ~20 ms): a rejected rule is named by its line, dropped, and the rest retried.
    if yara is not None:
        rejected = {}
        regexes = [c for c in candidates if c[1] == "regex"]
        for begin in range(0, len(regexes), 256):
            chunk = regexes[begin:begin + 256]
            while chunk:
                source = "\n".join("rule r%d { strings: $a = %s condition: $a }" % (k, c[2])
                                   for k, c in enumerate(chunk))
                try:
                    yara.compile(source=source)
                    break
                except yara.SyntaxError as e:
                    m = re.match(r"line (\d+): (.*)", str(e))
                    if not m:
                        raise
                    bad = int(m.group(1)) - 1
                    rejected[chunk[bad][0]] = "YARA rejects it: %s" % m.group(2)
                    chunk = chunk[:bad] + chunk[bad + 1:]
        skipped.extend((c[0], rejected[c[0]]) for c in regexes if c[0] in rejected)
        candidates = [c for c in candidates if c[0] not in rejected]
    for rid, _, string, line in candidates:
        rule = "rule yr_%d { strings: $a = %s condition: $a }" % (len(yar_rules), string)
        yar_rules.append((rid, rule))
        kept.append(line)

    base = "%s/%s" % (args.outdir, args.name)
    with open(base + ".tsv", "w", encoding="latin-1", newline="") as f:
        f.write(header + "\n")
        for line in kept:
            f.write(line + "\n")
    with open(base + ".yar", "w", encoding="latin-1") as f:
        for _, rule in yar_rules:
            f.write(rule + "\n")
    with open(base + ".yara_ids.tsv", "w", encoding="latin-1") as f:
        for n, (rid, _) in enumerate(yar_rules):
            f.write("yr_%d\t%s\n" % (n, rid))
    if args.rg:
        with open(base + ".rg", "wb") as f:
            for data in rg_lines:
                f.write(data + b"\n")
    with open(base + ".skipped.tsv", "w", encoding="latin-1") as f:
        f.write("id\treason\n")
        for rid, reason in skipped:
            f.write("%s\t%s\n" % (rid, reason))
    print("%s: %d kept, %d left out" % (args.name, len(kept), len(skipped)), file=sys.stderr)


if __name__ == "__main__":
    main()
