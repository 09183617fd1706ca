#!/usr/bin/env python3
"""Supply-chain checks of the worker image's recipe (no Docker engine here to build it):

  * every FROM names the base image through BASE_IMAGE, which the build refuses unless it
    is pinned by digest, or names an image @sha256: directly;
  * every package the runtime stage installs is pinned to a version (pkg=version);
  * .dockerignore keeps build trees, VCS data, state and key files out of the context;
  * the default artifact is baked in: the build stage compiles the same rule packs as the
    Lambda package (package_lambda.sh) for the portable target, builds the programs it
    copies, and the runtime stage copies the artifact to the TRAWL_DB it sets, which is
    also Terraform's; the copied programs are stripped of debug info (the image's size is
    the heavy tier's cold start); the entry point is the copied worker, the user a numeric
    non-root one (Terraform's too), the HEALTHCHECK reads TRAWL_HEARTBEAT_FILE.
image_tree.py builds the runtime stage's file tree from a build and runs the worker in it.

    check_image.py SOURCE_DIR       # exit 1 and one line per problem; --self-test too
"""
import os
import re
import sys


def problems(dockerfile, dockerignore):
    found = []
    text = dockerfile.replace("\\\n", " ")
    stages = re.split(r"^FROM\s+", text, flags=re.M)[1:]
    for stage in stages:
        image = stage.split()[0]
        if not (image == "${BASE_IMAGE}" or re.search(r"@sha256:[0-9a-f]{64}$", image)):
            found.append(f"FROM {image}: not pinned by digest")
    if "${BASE_IMAGE}" in text and not re.search(r"\*@sha256:\?{64}\)", text):
        found.append("BASE_IMAGE is not required to be a digest")
    runtime = stages[-1] if stages else ""
    for m in re.finditer(r"apt-get install ([^&;]*)", runtime):
        for pkg in m.group(1).split():
            if not pkg.startswith("-") and "=" not in pkg:
                found.append(f"runtime package {pkg}: version not pinned")
    if re.search(r"curl[^|\n]*\|\s*(ba)?sh", text):
        found.append("a script piped from the network into a shell")
    found += baked_in(text, runtime)
    ignored = {line.strip() for line in dockerignore.splitlines() if line.strip() and not line.startswith("#")}
    for entry in (".git", "build*/", "*.key", "**/*.tfstate*"):
        if entry not in ignored:
            found.append(f".dockerignore: {entry} not excluded")
    return found


# What the build stage must build for each file the runtime stage copies from it.
PRODUCERS = {"/build/aws/trawl-worker": "trawl_worker", "/build/trawl": "trawl_cli"}


def baked_in(text, runtime, lambda_script=None, ecs=None):
    """Problems with the default artifact and the programs the image is built around."""
    here = os.path.dirname(os.path.abspath(__file__))
    lambda_script = lambda_script if lambda_script is not None else \
        open(os.path.join(here, "..", "packaging", "package_lambda.sh")).read()
    ecs = ecs if ecs is not None else open(os.path.join(here, "..", "..", "..", "deploy", "terraform", "ecs.tf")).read()
    found = []
    build = text[:text.rfind("\nFROM ")] if "\nFROM " in text else ""
    copies = dict((src, dest) for src, dest in re.findall(r"^COPY --from=build (\S+) (\S+)", runtime, re.M))
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(re.findall(r"^ENV (.*)$", runtime, re.M))))
    compile_ = re.search(r"/build/trawl compile (.*?) -o (\S+)", build)
    if not compile_:
        return ["the build stage compiles no default artifact"]
    packs = re.findall(r"rules/\S+", compile_.group(1))
    # The Lambda script names the indicator pack in a variable's default (a test can swap
    # it for an excerpt), so the packs are compared as a set of names.
    lambda_packs = sorted(os.path.basename(p) for p in re.findall(r"rules/[\w./]+", lambda_script))
    if sorted(os.path.basename(p) for p in packs) != lambda_packs:
        found.append(f"the default artifact compiles {packs}, the Lambda package {lambda_packs}")
    if "--target portable" not in compile_.group(1):
        found.append("the default artifact is not compiled for the portable target (Fargate CPUs vary)")
    artifact = copies.get(compile_.group(2))
    if artifact is None:
        found.append(f"the runtime stage does not copy the default artifact {compile_.group(2)}")
    elif env.get("TRAWL_DB") != artifact:
        found.append(f"ENV TRAWL_DB={env.get('TRAWL_DB')} is not the copied artifact {artifact}")
    if artifact and f'name = "TRAWL_DB", value = "{artifact}"' not in ecs:
        found.append(f"Terraform's task definition does not load {artifact}")
    targets = " ".join(re.findall(r"cmake --build /build --target ([^&;\n]+)", build)).split()
    for src in list(copies) + ["/build/trawl"]:
        if src in PRODUCERS and PRODUCERS[src] not in targets:
            found.append(f"{src} is used but the build stage does not build {PRODUCERS[src]}")
    stripped = " ".join(re.findall(r"strip --strip-debug ([^&;\n]+)", build)).split()
    for src in copies:
        if src != compile_.group(2) and src not in stripped:
            found.append(f"{src} is copied with its debug info (the image's size is the heavy tier's cold start)")
    entry = re.search(r'^ENTRYPOINT \["([^"]+)"', runtime, re.M)
    if not entry or entry.group(1) != copies.get("/build/aws/trawl-worker"):
        found.append("the ENTRYPOINT is not the copied trawl-worker")
    user = re.search(r"^USER (\d+):(\d+)\s*$", runtime, re.M)
    if not user or user.group(1) == "0":
        found.append("USER is not a numeric non-root user")
    elif f'user = "{user.group(1)}:{user.group(2)}"' not in ecs:
        found.append("Terraform's task definition runs another user than the image's USER")
    heartbeat = env.get("TRAWL_HEARTBEAT_FILE")
    if not heartbeat or heartbeat not in (re.search(r"^HEALTHCHECK (.*)$", runtime, re.M) or [""])[0]:
        found.append("the HEALTHCHECK does not read TRAWL_HEARTBEAT_FILE")
    return found


def main():
    root = sys.argv[-1]
    dockerfile = open(os.path.join(root, "examples/aws/worker/Dockerfile")).read()
    dockerignore = open(os.path.join(root, ".dockerignore")).read()
    found = problems(dockerfile, dockerignore)
    for p in found:
        print("image:", p)
    ok = not found
    if "--self-test" in sys.argv:
        seeds = [
            ("tag", dockerfile.replace("FROM ${BASE_IMAGE}\n", "FROM debian:bookworm-slim\n"), dockerignore,
             "not pinned by digest"),
            ("digest optional", dockerfile.replace("*@sha256:", "*:"), dockerignore, "required to be a digest"),
            ("unpinned package", dockerfile.replace("libpsl5=0.21.2-1", "libpsl5"), dockerignore,
             "libpsl5: version not pinned"),
            ("curl | sh", dockerfile + "RUN curl -fsSL https://x.example/i.sh | sh\n", dockerignore, "piped"),
            ("context with .git", dockerfile, dockerignore.replace(".git\n", ""), ".git not excluded"),
            ("artifact for the host CPU", dockerfile.replace("--target portable ", ""), dockerignore,
             "portable target"),
            ("fewer packs than the Lambda", dockerfile.replace(" rules/indicators.ndjson.gz", ""), dockerignore,
             "the Lambda package"),
            ("artifact not baked in", dockerfile.replace("COPY --from=build /build/default.tdb /opt/trawl/default.tdb\n",
                                                          ""), dockerignore, "does not copy the default artifact"),
            ("TRAWL_DB elsewhere", dockerfile.replace("ENV TRAWL_DB=/opt/trawl/default.tdb", "ENV TRAWL_DB=/x.tdb"),
             dockerignore, "is not the copied artifact"),
            ("worker not built", dockerfile.replace("--target trawl_worker trawl_cli", "--target trawl_cli"),
             dockerignore, "does not build trawl_worker"),
            ("another entry point", dockerfile.replace('ENTRYPOINT ["/usr/local/bin/trawl-worker"]',
                                                       'ENTRYPOINT ["/bin/sh"]'), dockerignore, "ENTRYPOINT"),
            ("root", dockerfile.replace("USER 65532:65532", "USER 0:0"), dockerignore, "non-root"),
            ("debug info shipped", dockerfile.replace(" /build/capi/libtrawl.so.2 /build/aws/trawl-worker &&",
                                                      " /build/aws/trawl-worker &&"), dockerignore, "debug info"),
            ("health check on another file", dockerfile.replace("$(cat /tmp/trawl-heartbeat)", "$(cat /tmp/x)"),
             dockerignore, "HEALTHCHECK"),
        ]
        caught = sum(any(needle in p for p in problems(d, i)) for _, d, i, needle in seeds)
        print(f"image self-test: {caught} of {len(seeds)} seeded problems caught")
        ok = ok and caught == len(seeds)
    print(f"image: {len(found)} problems")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
