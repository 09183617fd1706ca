#!/usr/bin/env bash
# Installs trawl into a temporary prefix and uses it the ways users do:
#   - find_package(trawl): examples/c/scan_example.c and a C++ consumer of trawl.hpp;
#   - pkg-config: scan_example.c compiled with `pkg-config --cflags --libs trawl`;
#   - the installed bin/trawl, which must find the installed library by its RPATH and the
#     installed default.tdb.
# No LD_LIBRARY_PATH anywhere: the programs must find libtrawl on their own.
# With `python` as the fourth argument it tests the Python package instead: pip installs
# python/ offline into a fresh virtual environment, which finds the installed library
# without TRAWL_LIBRARY (through pkg-config here, a non-standard prefix) and runs the
# package's tests from the installed copy.
#   install_test.sh BUILD_DIR SOURCE_DIR WORK_DIR [c|python]
set -euo pipefail
build=$1 source=$2 work=$3 mode=${4:-c}
rm -rf "$work" && mkdir -p "$work"
prefix=$work/prefix
unset LD_LIBRARY_PATH
fail() { echo "install_test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$work/install.log"
libdir=$(dirname "$(find "$prefix" -name 'libtrawl.so' | head -1)")
[[ -n $libdir ]] || fail "no libtrawl.so installed"
for f in "$libdir/cmake/trawl/trawlConfig.cmake" "$libdir/cmake/trawl/trawlConfigVersion.cmake" \
         "$libdir/cmake/trawl/trawlTargets.cmake" "$libdir/pkgconfig/trawl.pc" \
         "$prefix/include/trawl/trawl.h" "$prefix/include/trawl/trawl_version.h"; do
  [[ -f $f ]] || fail "not installed: ${f#"$prefix"/}"
done

if [[ $mode == python ]]; then
  # pip builds in the source directory: build from a copy, keep the checkout clean.
  cp -r "$source/python" "$work/python-src"
  /usr/bin/python3 -m venv --without-pip --system-site-packages "$work/venv"
  # --no-index: nothing may be downloaded; Debian's setuptools and wheel build it.
  "$work/venv/bin/python" -m pip install -q --no-index --no-build-isolation --no-cache-dir \
    "$work/python-src" || fail "pip install ./python failed"
  export PKG_CONFIG_PATH=$libdir/pkgconfig
  unset TRAWL_LIBRARY
  cd "$work"
  loaded=$("$work/venv/bin/python" -c 'import trawl; print(trawl.load()._name, trawl.__file__)')
  [[ $loaded == "$libdir/"*" $work/venv/"* ]] ||
    fail "the installed package did not load the installed library: $loaded"
  "$work/venv/bin/python" "$source/tests/python/python_test.py" --installed --root "$source" \
    --work "$work/python-work" DistributionTest StreamTest
  echo "install_test: pip-installed trawl $("$work/venv/bin/python" -c 'import trawl; print(trawl.__version__)') uses $libdir"
  exit 0
fi

expect_key() {  # the example's output must show the key at its exact span
  grep -q "$2" <<<"$1" || fail "$3: expected '$2' in: $1"
}
text="PASSWORD=x key=AKIAIOSFODNN7EXAMPLE"

# 1. find_package(trawl); the consumer is linked with an RPATH to the prefix by CMake.
cmake -S "$(dirname "$0")/consumer" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DTRAWL_EXAMPLE_SOURCE="$source/examples/c/scan_example.c" >"$work/consumer.log" 2>&1 ||
  { cat "$work/consumer.log" >&2; fail "find_package(trawl) failed"; }
cmake --build "$work/consumer" >>"$work/consumer.log" 2>&1 ||
  { cat "$work/consumer.log" >&2; fail "the find_package consumer did not build"; }
expect_key "$("$work/consumer/scan_example" "$text")" "aws-key-id \[15, 35): AKIAIOSFODNN7EXAMPLE" \
  "find_package C consumer"
expect_key "$("$work/consumer/cpp_consumer" "$text")" "^0 15 35$" "find_package C++ consumer"

# 2. pkg-config, exactly as scan_example.c's header says (plus an rpath to the prefix).
export PKG_CONFIG_PATH=$libdir/pkgconfig
# shellcheck disable=SC2046
cc -Wall -Werror "$source/examples/c/scan_example.c" $(pkg-config --cflags --libs trawl) \
  -Wl,-rpath,"$libdir" -o "$work/scan_example_pc" || fail "the pkg-config consumer did not build"
expect_key "$("$work/scan_example_pc" "$text")" "aws-key-id \[15, 35): AKIAIOSFODNN7EXAMPLE" \
  "pkg-config consumer"
[[ $(pkg-config --modversion trawl) == "$(sed -nE 's/.*TRAWL_VERSION_STRING "([^"]+)".*/\1/p' \
     "$prefix/include/trawl/trawl_version.h")" ]] || fail "trawl.pc's version is not the library's"

# 3. The installed CLI: its RPATH finds the installed library, and the installed artifact.
if [[ -x $prefix/bin/trawl ]]; then
  # shellcheck disable=SC2016  # a literal $ORIGIN
  readelf -d "$prefix/bin/trawl" | grep -E 'R(UN)?PATH' | grep -q '\$ORIGIN' ||
    fail "bin/trawl has no \$ORIGIN RPATH"
  "$prefix/bin/trawl" build-info >/dev/null || fail "the installed bin/trawl does not start"
  loaded=$(ldd "$prefix/bin/trawl" | sed -nE 's/.*libtrawl\.so[.0-9]* => (.*) \(0x.*/\1/p')
  [[ -n $loaded && $(dirname "$(realpath "$loaded")") == "$(realpath "$libdir")" ]] ||
    fail "the installed bin/trawl loads '$loaded', not the library in $libdir"
  db=$prefix/share/trawl/default.tdb
  [[ -f $db ]] || fail "share/trawl/default.tdb not installed"
  report=$("$prefix/bin/trawl" analyze --db "$db" --format json \
             "$source/examples/sample/sample-package.tar.gz")
  grep -q '"stripe-secret-key"' <<<"$report" || fail "the installed CLI and db found nothing"
fi
echo "install_test: find_package (C, C++), pkg-config and the installed CLI work from $prefix"
