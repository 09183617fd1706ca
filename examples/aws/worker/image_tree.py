#!/usr/bin/env python3
"""The worker image without a Docker engine: builds the file tree the Dockerfile's runtime
stage makes, from this build, and runs the worker from it (the heavy tier's cold start).

From examples/aws/worker/Dockerfile it reads the runtime stage's COPY --from=build lines,
ENV, USER, ENTRYPOINT, HEALTHCHECK and apt-get install list, and the build stage's
`trawl compile` line (the default artifact baked into the image). It then

  * compiles the default artifact with that very command line (sources from this
    repository, /build = BUILD_DIR) and copies every COPY source to its destination;
  * checks that every shared library the copied programs need directly comes from a package
    the runtime stage installs (or one they depend on), or from the base image (Debian's
    required packages and apt's dependencies), and copies the libraries (this machine's
    bookworm packages) into the tree, with the loader configuration and `ldconfig -r`, as
    the image's `RUN ldconfig` does; the CA bundle too;
  * starts ENTRYPOINT in the tree (chroot, as USER) with the image's ENV and a local SQS
    stub as its queue, waits until it polls, checks the heartbeat the HEALTHCHECK reads, sends
    SIGTERM and expects a clean exit.

Prints the tree's size (with --measure its gzip size, what a pull transfers besides the base
image, and the largest files), the database load time and exec -> first poll. Exit 77
(skip) when not root (chroot).

    image_tree.py BUILD_DIR [SOURCE_DIR] [--keep] [--measure]
"""
import gzip
import http.server
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def instructions(dockerfile):
    """[(stage index, INSTRUCTION, arguments)] with continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile)
    out, stage = [], -1
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stage += 1
        out.append((stage, word.upper(), rest.strip()))
    return out


def parse(dockerfile):
    ins = instructions(dockerfile)
    last = max(s for s, _, _ in ins)
    recipe = {"copies": [], "env": {}, "user": None, "entrypoint": None, "healthcheck": "", "packages": [],
              "compile": None, "targets": [], "stripped": []}
    for stage, word, rest in ins:
        if stage < last:
            if word == "RUN":
                m = re.search(r"(/build/trawl compile .*?-o \S+)", rest)
                if m:
                    recipe["compile"] = shlex.split(m.group(1))
                m = re.search(r"cmake --build /build --target ([^&;]+)", rest)
                if m:
                    recipe["targets"] += m.group(1).split()
                m = re.search(r"strip --strip-debug ([^&;]+)", rest)
                if m:
                    recipe["stripped"] += m.group(1).split()
            continue
        if word == "COPY":
            parts = rest.split()
            if parts and parts[0].startswith("--from="):
                recipe["copies"].append((parts[-2], parts[-1]))
        elif word == "ENV":
            recipe["env"].update(dict(shlex.split(p)[0].split("=", 1) for p in re.findall(r"\S+=\S+", rest)))
        elif word == "USER":
            recipe["user"] = rest
        elif word == "ENTRYPOINT":
            recipe["entrypoint"] = json.loads(rest)
        elif word == "HEALTHCHECK":
            recipe["healthcheck"] = rest
        elif word == "RUN":
            for m in re.finditer(r"apt-get install ([^&;]*)", rest):
                recipe["packages"] += [p.split("=")[0] for p in m.group(1).split() if not p.startswith("-")]
    return recipe


def dpkg_status():
    """Installed packages: name -> (priority, [dependency names, first alternative])."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${Package}\t${Priority}\t${Pre-Depends}, ${Depends}\n"],
                         capture_output=True, text=True, check=True).stdout
    status = {}
    for line in out.splitlines():
        name, priority, deps = (line.split("\t") + ["", ""])[:3]
        names = [re.split(r"[\s(:]", d.split("|")[0].strip())[0] for d in deps.split(",") if d.strip()]
        status[name] = (priority, [n for n in names if n])
    return status


def closure(roots, status):
    seen, todo = set(), list(roots)
    while todo:
        p = todo.pop()
        if p in seen or p not in status:
            continue
        seen.add(p)
        todo += status[p][1]
    return seen


def owners(paths):
    """The Debian package that ships each library in `paths` (usrmerge: under either
    spelling), with one dpkg -S for all of them."""
    spellings = {}
    for path in paths:
        for candidate in {path, os.path.realpath(path), path.replace("/usr/lib/", "/lib/", 1),
                          path.replace("/lib/", "/usr/lib/", 1)}:
            spellings[candidate] = path
    out = subprocess.run(["dpkg", "-S"] + sorted(spellings), capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        package, _, file = line.partition(": ")
        if file.strip() in spellings:
            found[spellings[file.strip()]] = package.split(":")[0].strip()
    return found


def needed(elf):
    out = subprocess.run(["readelf", "-d", elf], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def resolved(elf, library_path):
    """soname -> path, as the loader resolves them (ldd, with the tree's libraries first)."""
    env = dict(os.environ, LD_LIBRARY_PATH=library_path)
    out = subprocess.run(["ldd", elf], capture_output=True, text=True, env=env, check=True).stdout
    libs = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) => (/\S+)", line)
        if m:
            libs[m.group(1)] = m.group(2)
        m = re.match(r"\s*(/\S*ld-linux\S*)", line)
        if m:
            libs[os.path.basename(m.group(1))] = m.group(1)
    return libs


class SqsStub(threading.Thread):
    """An SQS endpoint with an empty queue (JSON protocol): every receive waits a moment and
    answers no message."""

    def __init__(self):
        super().__init__(daemon=True)
        self.receives = 0
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.receives += 1
                time.sleep(0.2)
                body = b'{"Messages":[]}'
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/x-amz-json-1.0")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # SIGTERM ended the worker's long poll

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def run(self):
        self.server.serve_forever()


def build_tree(recipe, build, source, tree):
    """The runtime stage's files under `tree`; [problems]."""
    problems = []
    default_db = None
    if recipe["compile"]:
        # The build stage's own command line: /build is the build tree, rules/ the sources'.
        argv = [a.replace("/build/", build + "/") if a.startswith("/build/") else
                (os.path.join(source, a) if a.startswith("rules/") else a) for a in recipe["compile"]]
        out_index = argv.index("-o") + 1
        default_db = os.path.join(build, "aws", "image-default.tdb")
        rules = [a for a in argv if a.startswith(os.path.join(source, "rules"))]
        fresh = os.path.exists(default_db) and all(os.path.getmtime(default_db) > os.path.getmtime(r) for r in rules) \
            and os.path.getmtime(default_db) > os.path.getmtime(argv[0])
        argv[out_index] = default_db
        if not fresh:
            subprocess.run(argv, check=True, capture_output=True, timeout=1800)
    else:
        problems.append("the build stage compiles no default artifact (/build/trawl compile ... -o)")
    for src, dest in recipe["copies"]:
        local = default_db if src == "/build/default.tdb" and default_db else src.replace("/build/", build + "/", 1)
        if not os.path.exists(local):
            problems.append(f"COPY {src}: not in this build ({local})")
            continue
        target = os.path.join(tree, dest.lstrip("/"), os.path.basename(src)) if dest.endswith("/") else \
            os.path.join(tree, dest.lstrip("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(local, target)
        if src in recipe["stripped"]:  # the build stage strips it before the copy
            subprocess.run(["strip", "--strip-debug", target], check=True)
    return problems


def add_runtime(recipe, tree):
    """The libraries, loader configuration and CA bundle the runtime packages provide;
    [problems] when a needed library comes from no installed or base package."""
    problems = []
    status = dpkg_status()
    base = closure([p for p, (prio, _) in status.items() if prio == "required"] + ["apt"], status)
    provided = closure(recipe["packages"], status)
    for link in ("bin", "lib", "lib64", "sbin"):  # Debian bookworm is usrmerged
        if os.path.islink("/" + link):
            os.symlink(os.readlink("/" + link), os.path.join(tree, link))
    local_lib = os.path.join(tree, "usr", "local", "lib")
    elves = [os.path.join(tree, d.lstrip("/"), os.path.basename(s)) if d.endswith("/") else
             os.path.join(tree, d.lstrip("/")) for s, d in recipe["copies"]]
    elves = [e for e in elves if open(e, "rb").read(4) == b"\x7fELF"]
    copied = set()
    for elf in elves:
        libs = resolved(elf, local_lib)
        direct = {soname: libs.get(soname) for soname in needed(elf)}
        package_of = owners([p for p in direct.values() if p and not p.startswith(tree)])
        for soname, path in direct.items():
            if path is None:
                problems.append(f"{os.path.basename(elf)}: {soname} not found")
                continue
            if path.startswith(tree):
                continue  # copied from the build (libtrawl)
            package = package_of.get(path)
            if package not in provided and package not in base:
                problems.append(f"{os.path.basename(elf)} needs {soname} from {package}, which the runtime "
                                "stage does not install")
        for soname, path in libs.items():  # the whole closure goes into the tree
            if path.startswith(tree) or path in copied:
                continue
            copied.add(path)
            target = os.path.join(tree, os.path.realpath(path).lstrip("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(os.path.realpath(path), target)
            # The name the loader asks for (a soname link, /lib64/ld-linux...), in its
            # real directory of the tree, pointing at the copy.
            alias_dir = os.path.join(tree, os.path.realpath(os.path.dirname(path)).lstrip("/"))
            alias = os.path.join(alias_dir, os.path.basename(path))
            os.makedirs(alias_dir, exist_ok=True)
            if not os.path.lexists(alias):
                os.symlink("/" + os.path.relpath(target, tree), alias)
    for path in ("/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/ssl/certs/ca-certificates.crt"):
        target = os.path.join(tree, path.lstrip("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        (shutil.copytree if os.path.isdir(path) else shutil.copy2)(path, target)
    if "ca-certificates" not in provided | base:
        problems.append("no CA certificates: the runtime stage does not install ca-certificates")
    subprocess.run(["ldconfig", "-r", tree], check=True)  # the image's RUN ldconfig
    os.makedirs(os.path.join(tree, "tmp"), exist_ok=True)
    os.chmod(os.path.join(tree, "tmp"), 0o1777)
    return problems


def run_worker(recipe, tree):
    """Starts the entry point in the tree; (problems, figures)."""
    problems, figures = [], {}
    stub = SqsStub()
    stub.start()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_ENDPOINT_URL": stub.url, "TRAWL_BUCKET": "trawl-image-test",
           "TRAWL_QUEUE_URL": stub.url + "/000000000000/trawl-heavy", "TRAWL_POLL_SECONDS": "1",
           "TRAWL_FINGERPRINT_KEY": os.urandom(32).hex()}
    env.update(recipe["env"])  # the image's own (TRAWL_DB, TRAWL_STAGE, TRAWL_HEARTBEAT_FILE)
    log_path = os.path.join(os.path.dirname(tree), "worker.log")
    start = time.perf_counter()
    proc = subprocess.Popen([shutil.which("chroot") or "/usr/sbin/chroot", f"--userspec={recipe['user']}", tree] + recipe["entrypoint"], env=env,
                            stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    try:
        end = time.time() + 300
        while time.time() < end and proc.poll() is None and stub.receives == 0:
            time.sleep(0.01)
        figures["exec_to_first_poll_ms"] = round((time.perf_counter() - start) * 1000, 1)
        log = open(log_path).read()
        m = re.search(r"database (\S+) loaded in ([\d.]+) ms \((\d+) rules\)", log)
        if proc.poll() is not None or not m:
            problems.append(f"the worker did not start from the tree: {log[-2000:]}")
            return problems, figures
        figures["database"], figures["database_load_ms"], figures["rules"] = m.group(1), float(m.group(2)), int(m.group(3))
        if m.group(1) != recipe["env"].get("TRAWL_DB"):
            problems.append(f"the worker loaded {m.group(1)}, not the image's TRAWL_DB")
        # The HEALTHCHECK compares the heartbeat's time with the clock.
        heartbeat = os.path.join(tree, recipe["env"]["TRAWL_HEARTBEAT_FILE"].lstrip("/"))
        time.sleep(1.5)
        if not os.path.exists(heartbeat) or time.time() - int(open(heartbeat).read()) >= 60:
            problems.append("no fresh heartbeat for the HEALTHCHECK")
        if recipe["env"]["TRAWL_HEARTBEAT_FILE"] not in recipe["healthcheck"]:
            problems.append("the HEALTHCHECK reads another file than TRAWL_HEARTBEAT_FILE")
        proc.send_signal(signal.SIGTERM)
        if proc.wait(30) != 0 or "trawl-worker: stopped" not in open(log_path).read():
            problems.append(f"SIGTERM: exit {proc.returncode}: {open(log_path).read()[-500:]}")
    finally:
        if proc.poll() is None:
            proc.kill()
        stub.server.shutdown()
    return problems, figures


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not args:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    build = os.path.abspath(args[0])
    source = os.path.abspath(args[1] if len(args) > 1 else os.path.join(HERE, "..", "..", ".."))
    if os.geteuid() != 0:
        print("image: SKIPPED: running the worker from the tree needs chroot (root)")
        return 77
    recipe = parse(open(os.path.join(source, "examples", "aws", "worker", "Dockerfile")).read())
    work = tempfile.mkdtemp(prefix="trawl-image-")
    tree = os.path.join(work, "rootfs")
    os.makedirs(tree)
    try:
        problems = build_tree(recipe, build, source, tree)
        problems += add_runtime(recipe, tree)
        figures = {}
        if not problems:
            more, figures = run_worker(recipe, tree)
            problems += more
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(tree) for f in fs
                   if not os.path.islink(os.path.join(d, f)))
        figures["tree_mb"] = round(size / 1e6, 1)
        if "--measure" in sys.argv:  # what a pull transfers, besides the base image
            with gzip.open(os.path.join(work, "layer.tar.gz"), "wb", compresslevel=6) as gz:
                with tarfile.open(fileobj=gz, mode="w") as tar:
                    tar.add(tree, arcname=".")
            figures["gzip_mb"] = round(os.path.getsize(os.path.join(work, "layer.tar.gz")) / 1e6, 1)
            figures["largest"] = sorted(((round(os.path.getsize(os.path.join(d, f)) / 1e6, 1), f)
                                         for d, _, fs in os.walk(tree) for f in fs
                                         if not os.path.islink(os.path.join(d, f))), reverse=True)[:6]
        for p in problems:
            print("image:", p)
        print("image: tree", json.dumps(figures))
        print(f"image: {len(problems)} problems")
        return 1 if problems else 0
    finally:
        if "--keep" in sys.argv:
            print("image: kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
