#!/usr/bin/env python3
"""Supply-chain checks of the worker image's recipe (no Docker engine here to build it):

  * every FROM names the base image through BASE_IMAGE, which the build refuses unless it
    is pinned by digest, or names an image @sha256: directly;
  * every package the runtime stage installs is pinned to a version (pkg=version);
  * .dockerignore keeps build trees, VCS data, state and key files out of the context.

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
    ignored = {line.strip() for line in dockerignore.splitlines() if line.strip() and not line.startswith("#")}
    for entry in (".git", "build*/", "*.key", "**/*.tfstate*"):
        if entry not in ignored:
            found.append(f".dockerignore: {entry} not excluded")
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
        ]
        caught = sum(any(needle in p for p in problems(d, i)) for _, d, i, needle in seeds)
        print(f"image self-test: {caught} of {len(seeds)} seeded problems caught")
        ok = ok and caught == len(seeds)
    print(f"image: {len(found)} problems")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
