#!/usr/bin/env python3
"""Differential test of intake against independent unpackers (issue 14).

Generates a corpus of valid and malformed archives (tar, tar.gz/xz/bz2/zst, zip, 7z, bare
compressed streams, nested ones), decomposes each with `trawl decompose -o DIR`, unpacks
it with bsdtar (seekable, from the file, and streaming, from a pipe) and with Python's
tarfile, zipfile, gzip, bz2 and lzma, and checks that every non-empty byte string an
unpacker extracts is accounted for by trawl:

  1. its SHA-256 is the digest of a manifest component (any component, also an expanded
     container), or
  2. it lies inside the content of a component trawl handed over (written to DIR), or
  3. a component of the same name is reported as not read in full, with a reason.

Extracted members that are archives themselves are unpacked again (nested levels). Prints
one line per failure and a summary; exits 1 when anything was lost. Bounded: small inputs,
one process per unpacker and archive, a few seconds in all.

  differential_test.py --trawl build/trawl --work DIR
"""

import argparse
import bz2
import gzip
import hashlib
import io
import json
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib

SECRET = b"aws_access_key_id = AKIA64CFSUOSG2WPIZZX\n"
TIMEOUT = 60


def sha(data):
    return hashlib.sha256(data).hexdigest()


# --- corpus -------------------------------------------------------------------------------


def files():
    """A small tree: text, a log with a secret, random-ish binary, an empty file."""
    noise = bytes((i * 7919 + 13) % 251 for i in range(6000))
    return {
        "docs/readme.txt": b"hello from the differential test\n",
        "logs/app.log": b"".join(b"2026-01-0%d INFO line %d\n" % (i % 9 + 1, i) for i in range(200))
        + SECRET,
        "bin/blob.bin": noise,
        "empty.txt": b"",
    }


def tar_bytes(entries, fmt=tarfile.PAX_FORMAT, extra=None):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as t:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1700000000
            t.addfile(info, io.BytesIO(data))
        for info in extra or []:
            t.addfile(info)
    return out.getvalue()


def zip_bytes(entries, method=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def raw_zip(entries):
    """entries: dicts with name, data, and optional deflate, local_stored, bad_crc, hidden."""
    out, directory, listed = b"", b"", 0
    for e in entries:
        data = e["data"]
        stored = zlib.compress(data)[2:-4] if e.get("deflate") else data
        crc = zlib.crc32(data) ^ (1 if e.get("bad_crc") else 0)
        method = 8 if e.get("deflate") else 0
        local_method = 0 if e.get("local_stored") else method
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, local_method, 0, 0, crc,
                           len(stored), len(data), len(e["name"]), 0) + e["name"] + stored
        if e.get("hidden"):
            continue
        listed += 1
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc,
                                 len(stored), len(data), len(e["name"]), 0, 0, 0, 0, 0,
                                 offset) + e["name"]
    return out + directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, listed, listed,
                                         len(directory), len(out), 0)


def bsdtar_create(work, args, entries):
    src = os.path.join(work, "src")
    shutil.rmtree(src, ignore_errors=True)
    for name, data in entries.items():
        path = os.path.join(src, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    out = os.path.join(work, "created")
    subprocess.run(["bsdtar", "-cf", out] + args + ["-C", src, "."], check=True, timeout=TIMEOUT)
    with open(out, "rb") as f:
        data = f.read()
    os.remove(out)
    shutil.rmtree(src)
    return data


def newc_with_hard_links(work):
    """cpio newc stores the data of hard-linked files with the last link only."""
    src = os.path.join(work, "links")
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    with open(os.path.join(src, "a"), "wb") as f:
        f.write(b"linked " + SECRET)
    os.link(os.path.join(src, "a"), os.path.join(src, "b"))
    os.link(os.path.join(src, "a"), os.path.join(src, "c"))
    out = os.path.join(work, "links.cpio")
    subprocess.run(["bsdtar", "--format", "newc", "-cf", out, "-C", src, "."], check=True,
                   timeout=TIMEOUT)
    with open(out, "rb") as f:
        data = f.read()
    os.remove(out)
    shutil.rmtree(src)
    return data


def zstd(data):
    return subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True,
                          timeout=TIMEOUT).stdout


def corpus(work):
    tree = files()
    tar = tar_bytes(tree)
    zip_ = zip_bytes(tree)
    link_etc = tarfile.TarInfo("etc")
    link_etc.type = tarfile.SYMTYPE
    link_etc.linkname = "/etc"
    inner_zip = zip_bytes({"inner/secret.txt": SECRET + b"nested\n"})
    cases = {
        # valid
        "plain.tar": tar,
        "ustar.tar": tar_bytes(tree, tarfile.USTAR_FORMAT),
        "plain.tar.gz": gzip.compress(tar, mtime=0),
        "plain.tar.xz": lzma.compress(tar),
        "plain.tar.bz2": bz2.compress(tar),
        "plain.tar.zst": zstd(tar),
        "deflate.zip": zip_,
        "stored.zip": zip_bytes(tree, zipfile.ZIP_STORED),
        "bsdtar.zip": bsdtar_create(work, ["--format", "zip"], tree),
        "bsdtar.7z": bsdtar_create(work, ["--format", "7zip"], tree),
        "bsdtar.cpio": bsdtar_create(work, ["--format", "cpio"], tree),
        "hard-links.newc.cpio": newc_with_hard_links(work),
        "links.tar": tar_bytes({"a.txt": b"alpha\n"}, extra=[link_etc]),
        "nested.tar.gz": gzip.compress(tar_bytes({"deep/inner.zip": inner_zip, "top.txt": b"top\n"}),
                                       mtime=0),
        "nested.zip": zip_bytes({"x/inner.tar.xz": lzma.compress(tar_bytes({"in.txt": SECRET})),
                                 "x/plain.txt": b"plain\n"}),
        "log.gz": gzip.compress(SECRET * 20, mtime=0),
        "log.xz": lzma.compress(SECRET * 20),
        "log.bz2": bz2.compress(SECRET * 20),
        "log.zst": zstd(SECRET * 20),
        # malformed
        "zero-start.log.gz": gzip.compress(b"\0" * 512 + SECRET, mtime=0),
        "zero-start.log.xz": lzma.compress(b"\0" * 512 + SECRET),
        "zero-start.log.bz2": bz2.compress(b"\0" * 512 + SECRET),
        "zero-start.log.zst": zstd(b"\0" * 512 + SECRET),
        "after-end.tar": tar + b"\0" * 1024 + b"after the end " + SECRET,
        "after-end.tar.gz": gzip.compress(tar + b"after the end " + SECRET, mtime=0),
        "concatenated.tar": tar_bytes({"one.txt": b"one\n"}) + tar_bytes({"two.txt": SECRET}),
        "trailing.gz": gzip.compress(b"payload\n", mtime=0) + b"trailing " + SECRET,
        "trailing.zip": zip_bytes({"a.txt": b"alpha\n"}) + b"appended " + SECRET,
        "truncated.tar.gz": gzip.compress(tar, mtime=0)[: len(gzip.compress(tar, mtime=0)) * 2 // 3],
        "truncated.tar": tar[: len(tar) * 2 // 3],
        "truncated.zip": zip_[: len(zip_) * 2 // 3],
        "flipped.tar.gz": bytearray(gzip.compress(tar, mtime=0)),
        "hidden.zip": raw_zip([{"name": b"a.txt", "data": b"alpha\n"},
                               {"name": b"hidden.txt", "data": SECRET, "hidden": True},
                               {"name": b"c.txt", "data": b"gamma\n", "deflate": True}]),
        "mismatch.zip": raw_zip([{"name": b"m.txt", "data": SECRET * 10, "deflate": True,
                                  "local_stored": True}]),
        "bad-crc.zip": raw_zip([{"name": b"c.txt", "data": SECRET * 10, "deflate": True,
                                 "bad_crc": True}]),
        "nul-name.zip": raw_zip([{"name": b"safe.txt\0../../evil.sh", "data": SECRET},
                                 {"name": b"ok.txt", "data": b"ok\n"}]),
    }
    flipped = cases["flipped.tar.gz"]
    flipped[len(flipped) // 2] ^= 0xFF
    cases["flipped.tar.gz"] = bytes(flipped)
    return cases


# --- independent unpackers ----------------------------------------------------------------


def read_partial(stream, limit=64 << 20):
    """Reads what a stream yields before it fails: a partial member still counts."""
    out = bytearray()
    try:
        while len(out) < limit:
            chunk = stream.read(65536)
            if not chunk:
                break
            out += chunk
    except Exception:  # noqa: BLE001 - any failure ends the member, keeping what was read
        pass
    return bytes(out)


def with_tarfile(data):
    out = []
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as t:
            for member in t:
                if member.isfile():
                    f = t.extractfile(member)
                    if f is not None:
                        out.append((member.name, read_partial(f)))
    except Exception:  # noqa: BLE001
        pass
    return out


def with_zipfile(data):
    out = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                if info.is_dir():
                    continue
                try:
                    with z.open(info) as f:
                        out.append((info.filename, read_partial(f)))
                except Exception:  # noqa: BLE001
                    pass
    except Exception:  # noqa: BLE001
        pass
    return out


def with_stream_module(data):
    out = []
    for name, module in (("gzip", gzip), ("bz2", bz2), ("lzma", lzma)):
        try:
            out.append((name, read_partial(module.open(io.BytesIO(data)))))
        except Exception:  # noqa: BLE001
            pass
    if data[:4] == b"\x28\xb5\x2f\xfd":
        result = subprocess.run(["zstd", "-q", "-d", "-c"], input=data, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, timeout=TIMEOUT)
        out.append(("zstd", result.stdout))
    return [(n, d) for n, d in out if d]


def with_bsdtar(path, work, streaming):
    target = os.path.join(work, "bsdtar-out")
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(target)
    if streaming:  # through a pipe: libarchive cannot seek, so zip is read by local headers
        with open(path, "rb") as f:
            data = f.read()
        subprocess.run(["bsdtar", "-xf", "-", "-C", target], input=data, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=TIMEOUT)
    else:
        subprocess.run(["bsdtar", "-xf", path, "-C", target], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=TIMEOUT)
    out = []
    for root, _, names in os.walk(target):
        for name in names:
            full = os.path.join(root, name)
            if os.path.isfile(full) and not os.path.islink(full):
                with open(full, "rb") as f:
                    out.append((os.path.relpath(full, target), f.read()))
    shutil.rmtree(target)
    return out


def looks_like_archive(data):
    return (data[:2] == b"\x1f\x8b" or data[:3] == b"BZh" or data[:6] == b"\xfd7zXZ\x00"
            or data[:4] in (b"PK\x03\x04", b"\x28\xb5\x2f\xfd") or data[:6] == b"7z\xbc\xaf\x27\x1c"
            or data[257:262] == b"ustar")


# --- trawl ---------------------------------------------------------------------------------


class Decomposed:
    def __init__(self, trawl, path, work):
        out = os.path.join(work, "trawl-out")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        subprocess.run([trawl, "decompose", "-o", out, path], stdout=subprocess.DEVNULL,
                       check=True, timeout=TIMEOUT)
        with open(os.path.join(out, "manifest.json"), "rb") as f:
            self.manifest = json.load(f)
        self.digests = {c["sha256"] for c in self.manifest["components"] if c["sha256"]}
        self.contents = []
        for c in self.manifest["components"]:
            file = os.path.join(out, c["id"])
            if os.path.exists(file):
                with open(file, "rb") as f:
                    self.contents.append(f.read())
        shutil.rmtree(out)

    def accounts_for(self, name, data):
        if sha(data) in self.digests:
            return "digest"
        if any(data in content for content in self.contents):
            return "inside a component"
        base = os.path.basename(name)
        named = [c for c in self.manifest["components"]
                 if base and os.path.basename(c["name"].split("\0")[0]) == base]
        for c in named:
            if c["status"] != "ok" and c["reason"]:
                return "reported: " + c["status"]
        if not named:
            # Not listed at all: only a container (or an archive that did not open) that
            # says why its listing failed may stand for it.
            for c in self.manifest["components"]:
                if (c["status"] in ("truncated", "corrupt", "limit_exceeded", "unsupported")
                        and ("listing" in c["reason"] or "cannot be opened" in c["reason"])):
                    return "reported by its container: " + c["status"]
        return None


def check(trawl, name, data, work, depth, report):
    path = os.path.join(work, "input-" + str(depth))
    with open(path, "wb") as f:
        f.write(data)
    decomposed = Decomposed(trawl, path, work)
    extracted = []
    for label, members in (("tarfile", with_tarfile(data)), ("zipfile", with_zipfile(data)),
                           ("stream", with_stream_module(data)),
                           ("bsdtar", with_bsdtar(path, work, streaming=False)),
                           ("bsdtar -", with_bsdtar(path, work, streaming=True))):
        extracted += [(label, n, d) for n, d in members if d]
    seen = set()
    for label, member, content in extracted:
        key = (member, sha(content))
        if key in seen:
            continue
        seen.add(key)
        if label == "stream" and looks_like_archive(content):
            # A compression layer around an archive: trawl lists the archive's entries,
            # not the decompressed stream, so the entries are what must be accounted for.
            for inner_label, inner_member, inner in (("tarfile", m, d) for m, d in with_tarfile(content)):
                if inner and sha(inner) not in {sha(x) for _, _, x in extracted}:
                    extracted.append((inner_label, inner_member, inner))
            continue
        how = decomposed.accounts_for(member, content)
        report["checked"] += 1
        if how is None:
            report["lost"].append(f"{name}: {label} extracts {member!r} ({len(content)} bytes), "
                                  "which no trawl component holds or reports")
        if depth < 3 and looks_like_archive(content) and sha(content) != sha(data):
            check(trawl, f"{name}!/{member}", content, work, depth + 1, report)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trawl", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    report = {"checked": 0, "lost": []}
    cases = corpus(args.work)
    for name, data in sorted(cases.items()):
        check(args.trawl, name, data, args.work, 0, report)
    for line in report["lost"]:
        print("LOST:", line)
    print(f"differential: {len(cases)} archives, {report['checked']} extracted members checked, "
          f"{len(report['lost'])} lost")
    return 1 if report["lost"] else 0


if __name__ == "__main__":
    sys.exit(main())
