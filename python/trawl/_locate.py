"""Where libtrawl is, when neither load(path) nor TRAWL_LIBRARY says."""
import ctypes.util
import os
import subprocess
import sys
import sysconfig
from typing import Iterator

from ._version import ABI_VERSION

SONAME = f"libtrawl.so.{ABI_VERSION}"


def _prefix_libdirs() -> Iterator[str]:
    """Library directories of the prefixes trawl is installed into most often."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    prefixes = []
    try:  # an installation pkg-config knows about (PKG_CONFIG_PATH included)
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "trawl"], check=True,
                                capture_output=True, text=True, timeout=10).stdout.strip()
        if libdir:
            yield libdir
    except (OSError, subprocess.SubprocessError):
        pass
    for prefix in (sys.prefix, sys.base_prefix, "/usr/local", "/usr"):
        if prefix not in prefixes:
            prefixes.append(prefix)
    for prefix in prefixes:
        for sub in ("lib", os.path.join("lib", multiarch) if multiarch else None, "lib64"):
            if sub:
                yield os.path.join(prefix, sub)


def candidates(build_tree_library: str) -> Iterator[str]:
    """Paths or names to try in order: this repository's build (a developer's checkout),
    the ABI's soname through the dynamic loader's own search (LD_LIBRARY_PATH, ld.so.cache),
    the usual installation prefixes (cmake --install does not refresh ld.so.cache), and
    whatever ctypes.util.find_library finds."""
    if os.path.exists(build_tree_library):
        yield build_tree_library
    yield SONAME
    for libdir in _prefix_libdirs():
        path = os.path.join(libdir, SONAME)
        if os.path.exists(path):
            yield path
    found = ctypes.util.find_library("trawl")
    if found:
        yield found


def open_library(build_tree_library: str) -> ctypes.CDLL:
    """The first candidate that loads; OSError listing what was tried if none does."""
    tried = []
    for candidate in candidates(build_tree_library):
        try:
            return ctypes.CDLL(candidate)
        except OSError as e:
            tried.append(f"{candidate}: {e}")
    raise OSError("libtrawl not found; install it (cmake --install) or set TRAWL_LIBRARY. "
                  "Tried: " + "; ".join(tried))
