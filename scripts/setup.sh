#!/usr/bin/env bash
# Installs everything trawl needs to build, test and benchmark on Debian bookworm.
# Idempotent: packages already present are left alone, apt is only asked when needed.
#
# Engine choice: on x86-64 the default is Intel Hyperscan 5.4.0 (libhyperscan-dev), because
# Debian's Vectorscan 5.4.9 misses matches on AVX-512 CPUs (see tests/engine/known_answer_test.cc).
# Elsewhere it is Vectorscan. Override with TRAWL_ENGINE=vectorscan|hyperscan.
set -euo pipefail

arch=$(dpkg --print-architecture)
engine=${TRAWL_ENGINE:-}
if [[ -z "$engine" ]]; then
  if [[ "$arch" == amd64 ]]; then engine=hyperscan; else engine=vectorscan; fi
fi
case "$engine" in
  hyperscan) engine_pkg=libhyperscan-dev ;;
  vectorscan) engine_pkg=libvectorscan-dev ;;
  *) echo "setup: TRAWL_ENGINE must be hyperscan or vectorscan, not '$engine'" >&2; exit 2 ;;
esac

packages=(
  build-essential cmake pkg-config ninja-build clang libclang-rt-14-dev
  "$engine_pkg" libsimdjson-dev libabsl-dev libpcre2-dev libre2-dev
  libarchive-dev libisal-dev libpsl-dev libphonenumber-dev libprotobuf-dev libssl-dev zlib1g-dev
  libxxhash-dev liblzma-dev pcre2-utils libtomlplusplus-dev libyaml-cpp-dev
  libgit2-dev libcli11-dev git  # git: history intake (src/git), ignore rules; git builds test repositories
  libgtest-dev libgmock-dev libbenchmark-dev libcurl4-openssl-dev python3-botocore
  python3 python3-venv python3-pip python3-setuptools python3-wheel
  gzip xz-utils zstd bzip2 lz4 libarchive-tools zip
  golang-go golang-github-hashicorp-hcl-v2-dev patchelf
  openssl ca-certificates
  yara python3-yara ripgrep  # bench/peers smoke test (PeersTest)
)
# Node.js and npm run the document validators in the tests (scripts/test_tools.sh). A
# machine that already has them (for example from NodeSource) keeps its own.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  # The two engines conflict; installing one removes the other.
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: dependencies ready (engine: $engine)" >&2
