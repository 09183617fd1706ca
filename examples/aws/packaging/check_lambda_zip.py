#!/usr/bin/env python3
"""Checks a Lambda package made by package_lambda.sh for the provided.al2023 runtime:

  * every ELF file's NEEDED libraries are in the package (lib/), so nothing is taken
    from the runtime image but the kernel;
  * the newest glibc symbol version any of them needs is provided: by the bundled glibc
    when `bootstrap`'s interpreter is the bundled loader, else by AL2023's glibc 2.34;
  * the bundled loader really starts `bootstrap` with the bundled libraries (it must exit
    saying AWS_LAMBDA_RUNTIME_API is not set);
  * default.tdb is there, and ca-certificates.crt (the CA bundle the host uses);
  * bootstrap has no fault-injection hook (TRAWL_TEST_*: only the test builds have them).

    check_lambda_zip.py PACKAGE.zip
"""
import os
import re
import subprocess
import sys
import tempfile
import zipfile

AL2023_GLIBC = (2, 34)


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def version(v):
    return tuple(int(x) for x in v.split("."))


def main():
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(sys.argv[1]) as z:
            z.extractall(tmp)
            for info in z.infolist():  # zipfile drops the mode bits; restore them
                os.chmod(os.path.join(tmp, info.filename), (info.external_attr >> 16) or 0o644)
        lib = os.path.join(tmp, "lib")
        bootstrap = os.path.join(tmp, "bootstrap")
        elves = [bootstrap] + [os.path.join(lib, f) for f in sorted(os.listdir(lib))]
        bundled = set(os.listdir(lib))
        needed_max = (0, 0)
        for elf in elves:
            for m in re.finditer(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", run("readelf", "-d", elf)):
                if m.group(1) not in bundled:
                    errors.append(f"{os.path.basename(elf)} needs {m.group(1)}, not in the package")
            for m in re.finditer(r"\*UND\*.*\(GLIBC_([0-9.]+)\)", run("objdump", "-T", elf)):
                needed_max = max(needed_max, version(m.group(1)))
        interp = re.search(r"interpreter: ([^\]]+)\]", run("readelf", "-l", bootstrap))
        interp = interp.group(1) if interp else ""
        if interp.startswith("/var/task/lib/"):
            loader = os.path.join(lib, os.path.basename(interp))
            defined = [version(v) for v in re.findall(r"\bGLIBC_([0-9.]+)\b",
                                                      run("objdump", "-T", os.path.join(lib, "libc.so.6")))]
            provided, source = max(defined), "bundled glibc"
            if not os.path.exists(loader):
                errors.append(f"interpreter {interp} is not in the package")
        else:
            loader, provided, source = None, AL2023_GLIBC, "AL2023's glibc"
        if needed_max > provided:
            errors.append(f"needs GLIBC_{'.'.join(map(str, needed_max))}, {source} has "
                          f"{'.'.join(map(str, provided))}")
        if loader:
            p = subprocess.run([loader, "--library-path", lib, bootstrap], env={}, capture_output=True,
                               text=True, timeout=30)
            if "AWS_LAMBDA_RUNTIME_API is not set" not in p.stderr:
                errors.append(f"bootstrap did not start with the bundled loader: {p.returncode} {p.stderr[:300]}")
        if not os.path.exists(os.path.join(tmp, "default.tdb")):
            errors.append("no default.tdb")
        # The CA bundle the host gives libcurl (CURLOPT_CAINFO): next to bootstrap.
        bundle = os.path.join(tmp, "ca-certificates.crt")
        certs = open(bundle).read().count("BEGIN CERTIFICATE") if os.path.exists(bundle) else 0
        if certs < 50:
            errors.append(f"ca-certificates.crt: {certs} certificates, expected Debian's bundle")
        # Release binaries carry no fault-injection hook (tests build their own).
        with open(bootstrap, "rb") as f:
            if b"TRAWL_TEST_" in f.read():
                errors.append("bootstrap contains a test hook (TRAWL_TEST_*)")
        print(f"check_lambda_zip: {len(elves)} ELF files, newest glibc needed "
              f"{'.'.join(map(str, needed_max))}, provided by {source} "
              f"{'.'.join(map(str, provided))}; interpreter {interp}; {certs} CA certificates")
    for e in errors:
        print("check_lambda_zip:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
