"""trawl.py - a ctypes binding of trawl's stable C ABI (include/trawl/trawl.h).

Standard library only: no compiler, no pip. The binding mirrors the header and adds
Python habits on top: classes that free their handle on ``close()``, on leaving a
``with`` block or when garbage-collected; errors raised as ``TrawlError``; JSON documents
returned parsed (``json.loads``) unless ``raw=True`` asks for the exact bytes.

Loading the library::

    import trawl
    trawl.load("build/capi/libtrawl.so")   # optional: TRAWL_LIBRARY, then build/capi/ are
                                           # tried on first use

Scanning::

    with trawl.Rules() as rules:
        rules.add_file("rules/secrets.json")
        db = trawl.Database.compile(rules)
    with db, trawl.Scanner(db) as scanner:
        for m in scanner.scan(b"key=AKIA64CFSUOSG2WPIZZX"):
            print(m.rule_id, m.start, m.end, m.data)

Analysing a package, in one call or stage by stage (docs/stages.md)::

    report = trawl.package_analyze_file(db, "pkg.tar.gz")              # dict, trawl.report/1
    sarif = trawl.package_analyze_file(db, "pkg.tar.gz", format="sarif")
    table = trawl.package_analyze_file(db, "pkg.tar.gz", format="table")  # str
    report = trawl.package_analyze(db, package_bytes, package_name="pkg.tar.gz")  # in memory
    history = trawl.git_analyze(db, "repo", since="2024-01-01")  # git history, docs/git.md

    manifest = trawl.package_decompose_to_directory("pkg.tar.gz", "parts", raw=True)  # stage 1
    results = []
    for c in trawl.manifest_work(manifest)["components"]:
        content = open(f"parts/{c['id']}", "rb").read()
        plan = trawl.component_plan(manifest, c["id"], content, db=db)        # stage 2
        results.append(trawl.component_analyze(db, manifest, c["id"], content,
                                               raw=True))                      # stage 3
    report = trawl.report_aggregate(manifest, results)                         # stage 4

Names follow the C calls without their ``trawl_`` prefix (``trawl_package_analyze_file`` is
``package_analyze_file``).

How the C conventions map (trawl.h opens with them):

* Handles: ``Rules``, ``Database``, ``Scanner`` and ``Options`` own one handle each.
  ``close()`` is idempotent; using a closed object raises ``TrawlError`` (TRAWL_E_INVALID)
  in Python instead of passing NULL or a dangling pointer to C. A ``Database`` closes the
  ``Scanner`` objects made from it first, because a scratch must not outlive its database.
* Status codes: any negative status raises ``TrawlError`` with ``code``, ``name``
  (``trawl_status_str``) and the ``trawl_error`` details (``message``, ``index``,
  ``offset``). ``TRAWL_STOPPED`` is not an error: ``Matches.stopped`` says so.
* Byte strings are passed as (pointer, length): any bytes, no NUL needed. ``str`` is
  encoded as UTF-8, paths with ``os.fsencode``.
* Memory trawl allocates (``trawl_buffer``) is copied into Python ``bytes`` and freed with
  ``trawl_buffer_free`` at once.
* Threads: a ``Database`` may be shared by threads; a ``Scanner`` belongs to one thread at a
  time (``Scanner.clone()`` makes another). Concurrent use gives TRAWL_E_BUSY.
"""

import ctypes
import json
import os
import weakref
from ctypes import (POINTER, Structure, byref, c_char, c_char_p, c_double, c_int, c_int32,
                    c_int64, c_size_t, c_uint8, c_uint32, c_uint64, c_void_p)
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

from . import _locate
from ._version import ABI_VERSION, __version__  # noqa: F401  (re-exported)

# --------------------------------------------------------------------------------------
# Constants (values pinned forever by trawl.h)
# --------------------------------------------------------------------------------------

TRAWL_OK = 0
TRAWL_STOPPED = 1
TRAWL_E_INVALID = -1
TRAWL_E_NOMEM = -2
TRAWL_E_INTERNAL = -3
TRAWL_E_UNSUPPORTED = -4
TRAWL_E_IO = -5
TRAWL_E_PARSE = -6
TRAWL_E_COMPILE = -7
TRAWL_E_CORRUPT = -8
TRAWL_E_VERSION = -9
TRAWL_E_PLATFORM = -10
TRAWL_E_BUSY = -11
TRAWL_E_MISMATCH = -12
TRAWL_E_LIMIT = -13
TRAWL_E_STATE = -14
TRAWL_E_NOT_FOUND = -15

TRAWL_RULE_COMPILED = 0
TRAWL_RULE_PREFILTERED = 1
TRAWL_RULE_REJECTED = 2
TRAWL_RULE_TOKEN = 3

SEVERITIES = ("info", "low", "medium", "high", "critical")  # TRAWL_SEVERITY_* 0..4
RULE_STATUSES = ("compiled", "prefiltered", "rejected", "token", "composite",
                 "confirm-only")  # TRAWL_RULE_* 0..5

TRAWL_TRUNC_RULE_MATCH_CAP = 0x1
TRAWL_TRUNC_MATCH_CAP = 0x2
TRAWL_TRUNC_BYTE_BUDGET = 0x4
TRAWL_TRUNC_TIME_BUDGET = 0x8
TRAWL_TRUNC_CONFIRM_LIMIT = 0x10
TRAWL_TRUNC_STOPPED = 0x20
TRAWL_TRUNC_UNPLACED = 0x40
TRAWL_TRUNC_WINDOWED_COMPOSITES = 0x80

TRAWL_TARGET_HOST = 0
TRAWL_TARGET_PORTABLE = 1
TRAWL_TARGET_AVX2 = 2
TRAWL_TARGET_AVX512 = 3

REPORT_FORMATS = {"json": 0, "table": 1, "sarif": 2}  # TRAWL_REPORT_*

# Option names accepted by Options(...) and by every function's **settings.
_INT_OPTIONS = {
    "compile_threads": 1,         # TRAWL_OPT_COMPILE_THREADS, compile and analysis threads
    "max_window": 2,              # TRAWL_OPT_MAX_WINDOW, span look-back cap in bytes
    "compile_target": 3,          # TRAWL_OPT_COMPILE_TARGET, TRAWL_TARGET_*
    "regexes_per_partition": 4,   # TRAWL_OPT_REGEXES_PER_PARTITION, 0 = automatic
    "max_matches_per_rule": 10,   # TRAWL_OPT_MAX_MATCHES_PER_RULE, 0 = unlimited
    "max_matches": 11,            # TRAWL_OPT_MAX_MATCHES, 0 = unlimited
    "max_bytes": 12,              # TRAWL_OPT_MAX_BYTES, 0 = unlimited
    "time_budget_ms": 13,         # TRAWL_OPT_TIME_BUDGET_MS, 0 = unlimited
    "chunk_bytes": 14,            # TRAWL_OPT_CHUNK_BYTES
    "include_values": 15,         # TRAWL_OPT_INCLUDE_VALUES, bool
    "scan_plan": 16,              # TRAWL_OPT_SCAN_PLAN, bool: the scan planner (default 1)
    "max_carve_depth": 25,        # TRAWL_OPT_MAX_CARVE_DEPTH, 0 = no carving
    "max_carves_per_component": 26,  # TRAWL_OPT_MAX_CARVES_PER_COMPONENT, 0 = no cap
    "max_carve_scan_bytes": 27,   # TRAWL_OPT_MAX_CARVE_SCAN_BYTES, 0 = all
    "max_total_bytes": 28,        # TRAWL_OPT_MAX_TOTAL_BYTES, intake limits: 0 = no limit
    "max_expansion_ratio": 29,    # TRAWL_OPT_MAX_EXPANSION_RATIO
    "ratio_grace_bytes": 30,      # TRAWL_OPT_RATIO_GRACE_BYTES
    "max_entries": 31,            # TRAWL_OPT_MAX_ENTRIES
    "max_depth": 32,              # TRAWL_OPT_MAX_DEPTH, 0-64; 0 opens no container
    "max_path_length": 33,        # TRAWL_OPT_MAX_PATH_LENGTH
    "max_component_bytes": 34,    # TRAWL_OPT_MAX_COMPONENT_BYTES
    "token_pass": 35,             # TRAWL_OPT_TOKEN_PASS, bool: token-shape rules by the token pass (1)
    "max_inflight_bytes": 37,     # TRAWL_OPT_MAX_INFLIGHT_BYTES, analysis: content held at once
    "stream_threshold_bytes": 46, # TRAWL_OPT_STREAM_THRESHOLD_BYTES, analysed in windows from here
    "git_staged": 44,             # TRAWL_OPT_GIT_STAGED, bool: the index against HEAD (git_*)
    "min_severity": 39,           # TRAWL_OPT_MIN_SEVERITY, reports list this severity and above
    "list_all": 41,               # TRAWL_OPT_LIST_ALL, bool: the table lists info findings too
}
_STRING_OPTIONS = {
    "fingerprint_key": 20,        # TRAWL_OPT_FINGERPRINT_KEY
    "policy": 21,                 # TRAWL_OPT_POLICY_FILE (a path)
    "suppressions": 22,           # TRAWL_OPT_SUPPRESSIONS_FILE (a path)
    "baseline": 23,               # TRAWL_OPT_BASELINE_FILE (a path)
    "compile_cache_dir": 24,      # TRAWL_OPT_COMPILE_CACHE_DIR (a path)
    "default_region": 36,         # TRAWL_OPT_DEFAULT_REGION, national phone numbers ("US")
    "package_name": 38,           # TRAWL_OPT_PACKAGE_NAME (display name in path chains)
    "git_branch": 42,             # TRAWL_OPT_GIT_BRANCH, one revision's history (git_*)
    "git_since": 43,              # TRAWL_OPT_GIT_SINCE, "YYYY-MM-DD", RFC 3339 or epoch seconds
    "categories": 40,             # TRAWL_OPT_CATEGORIES, comma-separated ("secret,pii")
    "exclude": 45,                # TRAWL_OPT_EXCLUDE, .gitignore-syntax patterns, one a line
}

# --------------------------------------------------------------------------------------
# Structs, mirrored field for field from trawl.h (struct_size first)
# --------------------------------------------------------------------------------------


class _Error(Structure):
    """trawl_error."""
    _fields_ = [("struct_size", c_size_t), ("code", c_int32), ("index", c_int64),
                ("offset", c_int64), ("message", c_char * 256)]

    def __init__(self):
        super().__init__(ctypes.sizeof(_Error), 0, -1, -1)  # TRAWL_ERROR_INIT


class _RuleInfo(Structure):
    """trawl_rule_info."""
    _fields_ = [("struct_size", c_size_t), ("id", c_char_p), ("category", c_char_p),
                ("description", c_char_p), ("entity", c_char_p), ("validator", c_char_p),
                ("status_reason", c_char_p), ("severity", c_int32), ("status", c_int32),
                ("confidence", c_double), ("is_literal", c_uint8)]

    def __init__(self):
        super().__init__(ctypes.sizeof(_RuleInfo))  # TRAWL_RULE_INFO_INIT


class _ImportAccount(Structure):
    """trawl_import_account."""
    _fields_ = [("struct_size", c_size_t), ("file", c_char_p), ("format", c_char_p),
                ("rules", c_uint64), ("exact", c_uint64), ("approximated", c_uint64),
                ("rejected", c_uint64), ("note", c_char_p)]

    def __init__(self):
        super().__init__(ctypes.sizeof(_ImportAccount))  # TRAWL_IMPORT_ACCOUNT_INIT


class _Match(Structure):
    """trawl_match. `data` is not NUL-terminated, hence a plain pointer."""
    _fields_ = [("struct_size", c_size_t), ("rule_index", c_uint32), ("flags", c_uint32),
                ("start", c_uint64), ("end", c_uint64), ("data", POINTER(c_char)),
                ("capture_count", c_uint32), ("captures", POINTER(c_int64))]


class _ScanResult(Structure):
    """trawl_scan_result."""
    _fields_ = [("struct_size", c_size_t), ("bytes_scanned", c_uint64), ("matches", c_uint64),
                ("confirm_errors", c_uint64), ("truncation", c_uint32), ("reserved", c_uint32)]

    def __init__(self):
        super().__init__(ctypes.sizeof(_ScanResult))  # TRAWL_SCAN_RESULT_INIT


class _FeedOptions(Structure):
    """trawl_feed_options (Since 0.3)."""
    _fields_ = [("struct_size", c_size_t), ("feed", c_char_p), ("format", c_char_p),
                ("family", c_char_p), ("category", c_char_p), ("severity", c_int32),
                ("confidence", c_double), ("csv_column", c_char_p)]

    def __init__(self, feed=None, format=None, family=None, category=None, severity=None,
                 confidence=None, csv_column=None):
        enc = lambda v: None if v is None else str(v).encode()
        sev = -1 if severity is None else SEVERITIES.index(severity)
        super().__init__(ctypes.sizeof(_FeedOptions), enc(feed), enc(format), enc(family),
                         enc(category), sev, -1.0 if confidence is None else float(confidence),
                         enc(csv_column))  # TRAWL_FEED_OPTIONS_INIT, then the settings


class _Input(Structure):
    """trawl_input (experimental, Since 0.3)."""
    _fields_ = [("struct_size", c_size_t), ("path", c_char_p), ("data", c_char_p),
                ("len", c_size_t), ("name", c_char_p)]


class _BenchOptions(Structure):
    """trawl_bench_options (experimental, Since 0.3)."""
    _fields_ = [("struct_size", c_size_t), ("threads", c_uint32), ("repetitions", c_uint32),
                ("top_rules", c_uint32), ("compile_seconds", c_double)]

    def __init__(self, threads=0, repetitions=0, top_rules=20, compile_seconds=0.0):
        # TRAWL_BENCH_OPTIONS_INIT, then the settings
        super().__init__(ctypes.sizeof(_BenchOptions), threads, repetitions, top_rules,
                         float(compile_seconds))


class _ReportSummary(Structure):
    """trawl_report_summary (experimental, Since 0.3)."""
    _fields_ = [("struct_size", c_size_t), ("complete", c_int32),
                ("active_by_severity", c_uint64 * 5), ("suppressed", c_uint64),
                ("components", c_uint64)]

    def __init__(self):
        super().__init__(ctypes.sizeof(_ReportSummary))  # TRAWL_REPORT_SUMMARY_INIT


# Opaque handle types: distinct pointer types, so ctypes refuses a handle of the wrong kind.
class _RulesT(Structure):
    pass


class _DbT(Structure):
    pass


class _ScratchT(Structure):
    pass


class _OptionsT(Structure):
    pass


class _BufferT(Structure):
    pass


_MATCH_CB = ctypes.CFUNCTYPE(c_int, POINTER(_Match), c_void_p)
_PROGRESS_CB = ctypes.CFUNCTYPE(c_int, c_char_p, c_uint64, c_uint64, c_void_p)

_status = c_int32
_RULES, _DB, _SCRATCH = POINTER(_RulesT), POINTER(_DbT), POINTER(_ScratchT)
_OPTIONS, _BUFFER, _ERR = POINTER(_OptionsT), POINTER(_BufferT), POINTER(_Error)

# name: (restype, argtypes). Every function the binding calls is declared, so 64-bit
# pointers and size_t are never truncated to int.
_SIGNATURES = {
    "trawl_version_number": (c_uint32, []),
    "trawl_version_string": (c_char_p, []),
    "trawl_build_info": (c_char_p, []),
    "trawl_status_str": (c_char_p, [_status]),
    "trawl_buffer_data": (c_void_p, [_BUFFER]),
    "trawl_buffer_size": (c_size_t, [_BUFFER]),
    "trawl_buffer_free": (None, [_BUFFER]),
    "trawl_options_new": (_status, [POINTER(_OPTIONS)]),
    "trawl_options_free": (None, [_OPTIONS]),
    "trawl_options_set_int": (_status, [_OPTIONS, c_int32, c_int64]),
    "trawl_options_set_string": (_status, [_OPTIONS, c_int32, c_char_p]),
    "trawl_options_set_progress": (_status, [_OPTIONS, _PROGRESS_CB, c_void_p]),
    "trawl_option_bounds": (_status, [POINTER(c_int64), POINTER(c_int64), c_int32]),
    "trawl_rules_new": (_status, [POINTER(_RULES)]),
    "trawl_rules_free": (None, [_RULES]),
    "trawl_rules_add_file": (_status, [_RULES, c_char_p, _ERR]),
    "trawl_rules_add_file_as": (_status, [_RULES, c_char_p, c_char_p, _ERR]),
    "trawl_rules_account_count": (c_size_t, [_RULES]),
    "trawl_rules_account": (_status, [POINTER(_ImportAccount), _RULES, c_size_t]),
    "trawl_rules_note_count": (c_size_t, [_RULES]),
    "trawl_rules_note": (_status, [_ERR, _RULES, c_size_t]),
    "trawl_rules_export_json": (_status, [POINTER(_BUFFER), _RULES]),
    "trawl_rules_add_json": (_status, [_RULES, c_char_p, c_size_t, c_char_p, _ERR]),
    "trawl_rules_add_indicator_feed": (_status, [_RULES, c_char_p, POINTER(_FeedOptions), _ERR]),
    "trawl_db_update_indicators": (_status, [POINTER(_DB), POINTER(_BUFFER), _DB,
                                             POINTER(c_char_p), c_size_t, c_int32,
                                             POINTER(_FeedOptions), _ERR]),
    "trawl_db_indicator_count": (c_uint64, [_DB]),
    "trawl_rules_indicator_count": (c_uint64, [_RULES]),
    "trawl_rules_count": (c_size_t, [_RULES]),
    "trawl_rules_issue_count": (c_size_t, [_RULES]),
    "trawl_rules_issue": (_status, [_ERR, _RULES, c_size_t]),
    "trawl_db_compile": (_status, [POINTER(_DB), _RULES, _OPTIONS, _ERR]),
    "trawl_db_load": (_status, [POINTER(_DB), c_char_p, c_size_t, _ERR]),
    "trawl_db_load_file": (_status, [POINTER(_DB), c_char_p, _ERR]),
    "trawl_db_serialize": (_status, [POINTER(_BUFFER), _DB, _ERR]),
    "trawl_db_save_file": (_status, [_DB, c_char_p, _ERR]),
    "trawl_db_free": (None, [_DB]),
    "trawl_db_rule_count": (c_size_t, [_DB]),
    "trawl_db_rule": (_status, [POINTER(_RuleInfo), _DB, c_size_t]),
    "trawl_db_describe": (_status, [POINTER(_BUFFER), _DB, c_int32]),
    "trawl_db_check_examples": (_status, [POINTER(_BUFFER), POINTER(c_uint64), _DB]),
    "trawl_db_profile": (_status, [POINTER(_BUFFER), _DB, c_char_p, c_size_t, c_uint32]),
    "trawl_db_bench": (_status, [POINTER(_BUFFER), _DB, c_char_p, c_size_t,
                                 POINTER(_BenchOptions)]),
    "trawl_scratch_new": (_status, [POINTER(_SCRATCH), _DB]),
    "trawl_scratch_clone": (_status, [POINTER(_SCRATCH), _SCRATCH]),
    "trawl_scratch_free": (None, [_SCRATCH]),
    "trawl_scan": (_status, [_DB, _SCRATCH, c_char_p, c_size_t, _OPTIONS, _MATCH_CB, c_void_p,
                             POINTER(_ScanResult)]),
    "trawl_package_decompose": (_status, [POINTER(_BUFFER), c_char_p, c_size_t, _OPTIONS, _ERR]),
    "trawl_package_decompose_file": (_status, [POINTER(_BUFFER), c_char_p, _OPTIONS, _ERR]),
    "trawl_package_decompose_to_directory": (_status, [POINTER(_BUFFER), c_char_p, c_char_p,
                                                       _OPTIONS, _ERR]),
    "trawl_package_classify": (_status, [POINTER(_BUFFER), _DB, c_char_p, c_size_t, _OPTIONS,
                                         _ERR]),
    "trawl_package_classify_file": (_status, [POINTER(_BUFFER), _DB, c_char_p, _OPTIONS, _ERR]),
    "trawl_package_analyze": (_status, [POINTER(_BUFFER), _DB, c_char_p, c_size_t, _OPTIONS,
                                        c_int32, _ERR]),
    "trawl_package_analyze_file": (_status, [POINTER(_BUFFER), _DB, c_char_p, _OPTIONS, c_int32,
                                             _ERR]),
    "trawl_git_decompose": (_status, [POINTER(_BUFFER), c_char_p, _OPTIONS, _ERR]),
    "trawl_git_decompose_to_directory": (_status, [POINTER(_BUFFER), c_char_p, c_char_p, _OPTIONS,
                                                   _ERR]),
    "trawl_git_classify": (_status, [POINTER(_BUFFER), _DB, c_char_p, _OPTIONS, _ERR]),
    "trawl_git_analyze": (_status, [POINTER(_BUFFER), _DB, c_char_p, _OPTIONS, c_int32, _ERR]),
    "trawl_git_analyze_summary": (_status, [POINTER(_BUFFER), POINTER(_ReportSummary), _DB,
                                            c_char_p, _OPTIONS, c_int32, _ERR]),
    "trawl_package_analyze_inputs": (_status, [POINTER(_BUFFER), POINTER(_ReportSummary), _DB,
                                               POINTER(POINTER(_Input)), c_size_t, c_uint32,
                                               _OPTIONS, c_int32, _ERR]),
    "trawl_manifest_work": (_status, [POINTER(_BUFFER), c_char_p, c_size_t, _ERR]),
    "trawl_component_plan": (_status, [POINTER(_BUFFER), _DB, c_char_p, c_size_t, c_char_p,
                                       c_char_p, c_size_t, _OPTIONS, _ERR]),
    "trawl_component_analyze": (_status, [POINTER(_BUFFER), _DB, c_char_p, c_size_t, c_char_p,
                                          c_char_p, c_size_t, _OPTIONS, _ERR]),
    "trawl_report_aggregate": (_status, [POINTER(_BUFFER), c_char_p, c_size_t, POINTER(c_char_p),
                                         POINTER(c_size_t), c_size_t, _OPTIONS, c_int32, _ERR]),
    "trawl_policy_default": (_status, [POINTER(_BUFFER)]),
}

# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------

_lib = None
_lib_path = None
# Where the build puts the library (build/capi/libtrawl.so), relative to this file.
_BUILD_TREE_LIBRARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                                   os.pardir, "build", "capi", "libtrawl.so")


def load(path: Optional[str] = None) -> ctypes.CDLL:
    """Loads libtrawl and declares every function's types. Returns the CDLL.

    Tried in order: `path`, the TRAWL_LIBRARY environment variable, this repository's
    build/capi/libtrawl.so, then the installed library (libtrawl.so.ABI through the
    dynamic loader, then under the usual prefixes; see trawl/_locate.py). The first
    load wins: a later call with no path returns it, one with a different path raises
    ValueError (a process holds one libtrawl). Functions call load() on first use.
    """
    global _lib, _lib_path
    if _lib is not None:
        if path is not None and os.path.realpath(path) != os.path.realpath(_lib_path):
            raise ValueError(f"libtrawl is already loaded from {_lib_path}")
        return _lib
    path = path or os.environ.get("TRAWL_LIBRARY")
    if path:
        lib = ctypes.CDLL(os.fspath(path))
    else:
        lib = _locate.open_library(_BUILD_TREE_LIBRARY)
        path = lib._name
    for name, (restype, argtypes) in _SIGNATURES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise OSError(f"{path} has no {name}: this binding needs libtrawl 0.3 or later")
        fn.restype = restype
        fn.argtypes = argtypes
    _lib, _lib_path = lib, os.fspath(path)
    return lib


def _library() -> ctypes.CDLL:
    return _lib if _lib is not None else load()


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


class TrawlError(Exception):
    """A trawl call failed.

    Attributes: `code` (the negative trawl_status), `name` (trawl_status_str, e.g.
    "TRAWL_E_PARSE"), `message`, `index` (failing definition / component / result index,
    or -1) and `offset` (byte offset in the input, or -1), the last three from trawl_error.
    """

    def __init__(self, code: int, message: str = "", index: int = -1, offset: int = -1):
        self.code = code
        self.name = status_str(code)
        self.message = message
        self.index = index
        self.offset = offset
        text = f"{self.name} ({code})"
        if message:
            text += f": {message}"
        super().__init__(text)


def status_str(code: int) -> str:
    """The name of a status code, e.g. "TRAWL_E_CORRUPT" (trawl_status_str)."""
    return _library().trawl_status_str(code).decode()


def _check(status: int, err: Optional[_Error] = None, what: str = "") -> int:
    """Raises TrawlError for a negative status; returns TRAWL_OK or TRAWL_STOPPED."""
    if status >= 0:
        return status
    if err is not None and err.code == status:
        raise TrawlError(status, err.message.decode("utf-8", "replace"), err.index, err.offset)
    raise TrawlError(status, what)


def _take(buffer) -> bytes:
    """Copies a trawl_buffer into bytes and frees it."""
    lib = _library()
    try:
        return ctypes.string_at(lib.trawl_buffer_data(buffer), lib.trawl_buffer_size(buffer))
    finally:
        lib.trawl_buffer_free(buffer)


def _as_bytes(value) -> bytes:
    """bytes as they are, str as UTF-8, and dict/list (a parsed document) as JSON."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (dict, list)):
        return json.dumps(value).encode("utf-8")
    raise TypeError(f"expected bytes, str or a parsed JSON document, got {type(value).__name__}")


def _path(value) -> bytes:
    return os.fsencode(value)


def _document(data: bytes, raw: bool):
    return data if raw else json.loads(data)


# --------------------------------------------------------------------------------------
# Handles
# --------------------------------------------------------------------------------------


class _Handle:
    """Owns one C handle. close() frees it once; later use raises TrawlError."""

    _kind = "handle"

    def __init__(self):
        self._ptr = None
        self._free = None  # bound at creation, so __del__ works during interpreter shutdown

    def _adopt(self, ptr, free):
        self._ptr, self._free = ptr, free

    @property
    def closed(self) -> bool:
        return not self._ptr

    def _handle(self):
        if not self._ptr:
            raise TrawlError(TRAWL_E_INVALID, f"{self._kind} is closed")
        return self._ptr

    def close(self) -> None:
        """Frees the handle. Safe to call more than once."""
        ptr, self._ptr = self._ptr, None
        if ptr and self._free is not None:
            self._free(ptr)

    def __enter__(self):
        self._handle()
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # never raise from a finalizer
            pass


class Options(_Handle):
    """trawl_options: limits, compile settings and report settings.

    Keyword names: the keys of _INT_OPTIONS (ints/bools: compile_threads, max_window,
    compile_target, ..., include_values, scan_plan, the intake limits and carve limits of
    the package calls, token_pass (0 compiles token-shape rules from their regexes),
    max_inflight_bytes (content held for analysis at once)) and of _STRING_OPTIONS
    (fingerprint_key; policy, suppressions and baseline, file paths read by the call that
    uses them; compile_cache_dir; default_region, the region national phone numbers are
    read in, e.g. "GB"; package_name); progress, a callable
    progress(stage: str, done: int, total: int) that may be called from several threads.
    """

    _kind = "Options"

    def __init__(self, **settings):
        super().__init__()
        lib = _library()
        ptr = _OPTIONS()
        _check(lib.trawl_options_new(byref(ptr)), what="trawl_options_new")
        self._adopt(ptr, lib.trawl_options_free)
        self._progress = None  # keeps the ctypes callback alive as long as the options
        for name, value in settings.items():
            self.set(name, value)

    def set(self, name: str, value) -> "Options":
        """Sets one option by name (see the class doc). Returns self."""
        lib = _library()
        if name == "progress":
            return self.set_progress(value)
        if name in _INT_OPTIONS:
            _check(lib.trawl_options_set_int(self._handle(), _INT_OPTIONS[name], int(value)),
                   what=f"option {name}={value!r}")
        elif name in _STRING_OPTIONS:
            encoded = None if value is None else (
                value.encode() if isinstance(value, str) else _path(value))
            _check(lib.trawl_options_set_string(self._handle(), _STRING_OPTIONS[name], encoded),
                   what=f"option {name}")
        else:
            raise TrawlError(TRAWL_E_UNSUPPORTED, f"unknown option {name!r}")
        return self

    def set_progress(self, callback: Optional[Callable[[str, int, int], None]]) -> "Options":
        """Progress for compile ("compile") and package analysis ("analyze")."""
        if callback is None:
            cb = _PROGRESS_CB()
        else:
            def cb_impl(stage, done, total, _user):
                try:
                    callback(stage.decode(), done, total)
                except Exception:  # must not propagate into C
                    pass
                return 0
            cb = _PROGRESS_CB(cb_impl)
        _check(_library().trawl_options_set_progress(self._handle(), cb, None),
               what="progress")
        self._progress = cb
        return self

    @staticmethod
    def bounds(name: str) -> Tuple[int, int]:
        """(min, max) of an integer option (trawl_option_bounds)."""
        if name not in _INT_OPTIONS:
            raise TrawlError(TRAWL_E_UNSUPPORTED, f"unknown integer option {name!r}")
        lo, hi = c_int64(), c_int64()
        _check(_library().trawl_option_bounds(byref(lo), byref(hi), _INT_OPTIONS[name]))
        return lo.value, hi.value


class _OptionsArg:
    """`options=` plus **settings → one trawl_options* (or NULL) for the duration of a call."""

    def __init__(self, options: Optional[Options], settings: dict):
        self._temp = None
        settings = {k: v for k, v in settings.items() if v is not None}
        if settings:
            if options is not None:
                raise TypeError("pass either options= or option keywords, not both")
            self._temp = Options(**settings)
            options = self._temp
        self.ptr = options._handle() if options is not None else None

    def __enter__(self):
        return self.ptr

    def __exit__(self, *exc):
        if self._temp is not None:
            self._temp.close()


@dataclass
class Issue:
    """A problem found in a rule definition (trawl_rules_issue)."""
    code: int
    index: int    # the definition's position in its file
    offset: int   # byte offset in the file, or -1
    message: str  # "file: definition N (id): reason"


@dataclass
class ImportAccount:
    """One imported file: every rule exact, approximated (a note) or rejected (an issue)."""
    file: str
    format: str
    rules: int
    exact: int
    approximated: int
    rejected: int
    note: str


class Rules(_Handle):
    """trawl_rules: a set of pattern definitions (docs/rules.md). Not thread-safe to modify."""

    _kind = "Rules"

    def __init__(self):
        super().__init__()
        lib = _library()
        ptr = _RULES()
        _check(lib.trawl_rules_new(byref(ptr)), what="trawl_rules_new")
        self._adopt(ptr, lib.trawl_rules_free)

    def add_file(self, path, strict: bool = True, format: str = "auto") -> "Rules":
        """Adds the definitions of a rule file (optionally .gz): trawl JSON or NDJSON,
        corpus TSV, or another tool's rules (gitleaks, Nosey Parker, Kingfisher, YARA,
        Suricata), the format detected from the content or named by `format`.

        Good definitions are always added. With strict (the default) any bad definition
        (or rejected imported rule) raises TrawlError(TRAWL_E_PARSE) naming the first
        (index, message); with strict=False only an unreadable file or an unknown format
        name raises, and issues(), notes() and accounts() list what happened.
        """
        err = _Error()
        status = _library().trawl_rules_add_file_as(self._handle(), _path(path),
                                                    format.encode(), byref(err))
        if status != TRAWL_E_PARSE or strict:
            _check(status, err)
        return self

    def add_json(self, data, name: str = "inline", strict: bool = True) -> "Rules":
        """As add_file, from memory: a JSON array or NDJSON (bytes, str, or a list of dicts).
        `name` labels the issues."""
        data = _as_bytes(data)
        err = _Error()
        status = _library().trawl_rules_add_json(self._handle(), data, len(data),
                                                 name.encode(), byref(err))
        if status != TRAWL_E_PARSE or strict:
            _check(status, err)
        return self

    def add_indicator_feed(self, path, strict: bool = True, **feed_options) -> "Rules":
        """Adds a threat-indicator feed (text, CSV, STIX 2.1, MISP or trawl indicator TSV,
        optionally .gz/.xz; docs/indicators.md) for the database's indicator set.
        feed_options: feed, format, family, category, severity ("high"), confidence,
        csv_column. Unsupported entries raise TRAWL_E_PARSE with strict, else go to
        issues() (index = line)."""
        err, opts = _Error(), _FeedOptions(**feed_options)
        status = _library().trawl_rules_add_indicator_feed(self._handle(), _path(path),
                                                           byref(opts), byref(err))
        if status != TRAWL_E_PARSE or strict:
            _check(status, err)
        return self

    def __len__(self) -> int:
        return _library().trawl_rules_count(self._handle())

    def accounts(self) -> List["ImportAccount"]:
        """What became of each imported file's rules (trawl_rules_account)."""
        lib = _library()
        out = []
        for i in range(lib.trawl_rules_account_count(self._handle())):
            a = _ImportAccount()
            _check(lib.trawl_rules_account(byref(a), self._handle(), i))
            out.append(ImportAccount(a.file.decode(), a.format.decode(), a.rules, a.exact,
                                     a.approximated, a.rejected, a.note.decode()))
        return out

    def notes(self) -> List[str]:
        """One per rule imported with an approximation: what differs (trawl_rules_note)."""
        lib = _library()
        out = []
        for i in range(lib.trawl_rules_note_count(self._handle())):
            err = _Error()
            _check(lib.trawl_rules_note(byref(err), self._handle(), i))
            out.append(err.message.decode("utf-8", "replace"))
        return out

    def export_json(self) -> bytes:
        """The rules as a trawl JSON array (what `trawl rules import -o` writes)."""
        buffer = _BUFFER()
        _check(_library().trawl_rules_export_json(byref(buffer), self._handle()))
        return _take(buffer)

    @property
    def indicator_count(self) -> int:
        """Threat indicators the added feeds hold (trawl_rules_indicator_count)."""
        return _library().trawl_rules_indicator_count(self._handle())

    def issues(self) -> List[Issue]:
        """Every problem recorded so far, in the order found."""
        lib = _library()
        out = []
        for i in range(lib.trawl_rules_issue_count(self._handle())):
            err = _Error()
            _check(lib.trawl_rules_issue(byref(err), self._handle(), i))
            out.append(Issue(err.code, err.index, err.offset,
                             err.message.decode("utf-8", "replace")))
        return out


@dataclass
class RuleInfo:
    """One compiled rule's metadata (trawl_rule_info)."""
    index: int
    id: str
    category: str
    description: str
    entity: str
    validator: str
    status_reason: str
    severity: str      # "info" .. "critical"
    status: str        # RULE_STATUSES: "compiled", "prefiltered", "rejected", "token", ...
    confidence: float
    is_literal: bool


def _text(p: Optional[bytes]) -> str:
    return "" if p is None else p.decode("utf-8", "replace")


class Database(_Handle):
    """trawl_db: compiled rules, immutable, shareable across threads.

    Make one with Database.compile(rules), Database.load(bytes) or Database.load_file(path).
    """

    _kind = "Database"

    def __init__(self, _ptr=None):
        super().__init__()
        if _ptr is None:
            raise TypeError("use Database.compile, Database.load or Database.load_file")
        self._adopt(_ptr, _library().trawl_db_free)
        self._ids = {}
        self._scanners = weakref.WeakSet()

    def close(self) -> None:
        """Frees the database, after the scanners made from it (a scratch must not outlive
        its database)."""
        for scanner in list(getattr(self, "_scanners", ())):
            scanner.close()
        super().close()

    @classmethod
    def compile(cls, rules: Rules, options: Optional[Options] = None, **settings) -> "Database":
        """Compiles rules (trawl_db_compile). Bad patterns do not fail the compile: they
        are listed as rejected (rules(), rule())."""
        out, err = _DB(), _Error()
        with _OptionsArg(options, settings) as opts:
            _check(_library().trawl_db_compile(byref(out), rules._handle(), opts, byref(err)),
                   err)
        return cls(out)

    @classmethod
    def load(cls, data: bytes) -> "Database":
        """Loads an artifact from memory. TRAWL_E_CORRUPT, _VERSION or _PLATFORM on failure."""
        data = bytes(data)
        out, err = _DB(), _Error()
        _check(_library().trawl_db_load(byref(out), data, len(data), byref(err)), err)
        return cls(out)

    @classmethod
    def load_file(cls, path) -> "Database":
        """Loads an artifact file (.tdb); TRAWL_E_IO when it cannot be read."""
        out, err = _DB(), _Error()
        _check(_library().trawl_db_load_file(byref(out), _path(path), byref(err)), err)
        return cls(out)

    def serialize(self) -> bytes:
        """The artifact as bytes (trawl_db_serialize)."""
        out, err = _BUFFER(), _Error()
        _check(_library().trawl_db_serialize(byref(out), self._handle(), byref(err)), err)
        return _take(out)

    def save_file(self, path) -> None:
        """Writes the artifact atomically (temporary file + rename)."""
        err = _Error()
        _check(_library().trawl_db_save_file(self._handle(), _path(path), byref(err)), err)

    def __len__(self) -> int:
        return _library().trawl_db_rule_count(self._handle())

    def rule(self, index: int) -> RuleInfo:
        """One rule's metadata; TRAWL_E_NOT_FOUND past the end."""
        info = _RuleInfo()
        _check(_library().trawl_db_rule(byref(info), self._handle(), index),
               what=f"rule index {index}")
        return RuleInfo(index, _text(info.id), _text(info.category), _text(info.description),
                        _text(info.entity), _text(info.validator), _text(info.status_reason),
                        SEVERITIES[info.severity] if 0 <= info.severity < 5 else str(info.severity),
                        RULE_STATUSES[info.status] if 0 <= info.status < len(RULE_STATUSES)
                        else str(info.status),
                        info.confidence, bool(info.is_literal))

    def rules(self) -> List[RuleInfo]:
        """Every rule's metadata, in index order."""
        return [self.rule(i) for i in range(len(self))]

    def rule_id(self, index: int) -> str:
        """A rule's id, cached (scans ask for it once per match)."""
        rid = self._ids.get(index)
        if rid is None:
            rid = self._ids[index] = self.rule(index).id
        return rid

    def describe(self, include_rules: bool = False, raw: bool = False):
        """Header facts, engine, counts by status, partitions (trawl_db_describe)."""
        out = _BUFFER()
        _check(_library().trawl_db_describe(byref(out), self._handle(), int(include_rules)))
        return _document(_take(out), raw)

    @property
    def indicator_count(self) -> int:
        """Threat indicators in the database's indicator set (trawl_db_indicator_count)."""
        return _library().trawl_db_indicator_count(self._handle())

    def update_indicators(self, paths, mode: str = "add", raw: bool = False,
                          **feed_options) -> Tuple["Database", object]:
        """A new Database with these rules and an updated indicator set, and the report of
        what became of every feed entry (trawl_db_update_indicators). mode: "add" or
        "replace" (each feed replaces the feed of its name). feed_options as
        Rules.add_indicator_feed."""
        if isinstance(paths, (str, bytes, os.PathLike)):
            paths = [paths]
        encoded = [_path(p) for p in paths]
        array = (c_char_p * len(encoded))(*encoded)
        modes = {"add": 0, "replace": 1}  # TRAWL_INDICATORS_ADD, _REPLACE
        if mode not in modes:
            raise ValueError(f"mode must be 'add' or 'replace', not {mode!r}")
        out, report, err = _DB(), _BUFFER(), _Error()
        opts = _FeedOptions(**feed_options)
        _check(_library().trawl_db_update_indicators(byref(out), byref(report), self._handle(),
                                                     array, len(encoded), modes[mode],
                                                     byref(opts), byref(err)), err)
        return Database(out), _document(_take(report), raw)

    def check_examples(self) -> Tuple[int, dict]:
        """Runs every rule's examples: (failures, the JSON report)."""
        out, failures = _BUFFER(), c_uint64()
        _check(_library().trawl_db_check_examples(byref(out), byref(failures), self._handle()))
        return failures.value, json.loads(_take(out))

    def profile(self, data, top_rules: int = 20, raw: bool = False):
        """Where one scan of ``data`` spends its time (trawl_db_profile, experimental):
        engine time per partition and the costliest rules, with the planner's reasons."""
        data = _as_bytes(data)
        out = _BUFFER()
        _check(_library().trawl_db_profile(byref(out), self._handle(), data, len(data),
                                           int(top_rules)))
        return _document(_take(out), raw)

    def bench(self, data, threads: int = 0, repetitions: int = 0, top_rules: int = 20,
              compile_seconds: float = 0.0, raw: bool = False):
        """What this rule set costs on ``data`` (trawl_db_bench, experimental; schema
        trawl.bench/1, as ``trawl rules profile``): artifact bytes, load milliseconds,
        MB/s with 1 thread and with ``threads`` (0: the machine's cores), each thread
        scanning all of ``data``, median of ``repetitions`` rounds (0: 5), and the profile
        of one scan; the 1-thread entry also gives the raw engine on the same database in
        the same process (``raw_engine_mb_per_cpu_s``, ``vs_raw_engine``: docs/cli.md).
        ``compile_seconds`` is reported as given (time the compile yourself).
        Blocks for the whole measurement; the Database may be used by other threads."""
        data = _as_bytes(data)
        out = _BUFFER()
        opts = _BenchOptions(int(threads), int(repetitions), int(top_rules), compile_seconds)
        _check(_library().trawl_db_bench(byref(out), self._handle(), data, len(data),
                                         byref(opts)))
        return _document(_take(out), raw)


@dataclass
class Match:
    """One match: rule, absolute [start, end) byte span, matched bytes, capture spans
    (groups 1..n; None for a group that did not take part)."""
    rule_index: int
    rule_id: str
    start: int
    end: int
    data: Optional[bytes]  # None: a composite match whose bytes a stream no longer holds
    captures: List[Optional[Tuple[int, int]]] = field(default_factory=list)


class Matches(list):
    """The matches of one scan (a list), with the scan's accounting as attributes:
    bytes_scanned, confirm_errors, truncation (TRAWL_TRUNC_* bits) and stopped (the
    callback asked to stop; TRAWL_STOPPED)."""
    bytes_scanned = 0
    confirm_errors = 0
    truncation = 0
    stopped = False


def _collector(db, callback, matches, failure):
    """The match callback of a scan: appends each match to `matches`, asks `callback`
    whether to stop, and keeps an exception for the caller (it must not unwind through C)."""
    def on_match(m_ptr, _user):
        try:
            m = m_ptr.contents
            c = m.captures
            caps = [None if c[2 * i] < 0 else (c[2 * i], c[2 * i + 1])
                    for i in range(m.capture_count)]
            match = Match(m.rule_index, db.rule_id(m.rule_index), m.start, m.end,
                          # NULL: a composite match whose bytes a stream no longer holds
                          ctypes.string_at(m.data, m.end - m.start) if m.data else None,
                          caps)
            matches.append(match)
            return 1 if callback is not None and callback(match) else 0
        except BaseException as e:
            failure.append(e)
            return 1
    return on_match


class Scanner(_Handle):
    """trawl_scratch bound to a Database: scans buffers on one thread at a time."""

    _kind = "Scanner"

    def __init__(self, db: Database, _ptr=None):
        super().__init__()
        lib = _library()
        if _ptr is None:
            _ptr = _SCRATCH()
            _check(lib.trawl_scratch_new(byref(_ptr), db._handle()), what="trawl_scratch_new")
        self._adopt(_ptr, lib.trawl_scratch_free)
        self._db = db  # keeps the database alive while the scratch exists
        db._scanners.add(self)

    def clone(self) -> "Scanner":
        """Another scanner for the same database, for another thread."""
        out = _SCRATCH()
        _check(_library().trawl_scratch_clone(byref(out), self._handle()), what="clone")
        return Scanner(self._db, out)

    def scan(self, data, callback: Optional[Callable[[Match], object]] = None,
             options: Optional[Options] = None, **settings) -> Matches:
        """Scans `data` (bytes, or str as UTF-8) and returns its matches.

        `callback(match)` sees each match as it is found; a true return value stops the
        scan (the matches so far are returned, with .stopped set). An exception in the
        callback stops the scan and is re-raised here. Limits come from `options` or
        keywords (max_matches=..., max_bytes=..., time_budget_ms=...).
        """
        data = _as_bytes(data)
        db = self._db
        matches = Matches()
        failure = []

        on_match = _collector(db, callback, matches, failure)

        cb = _MATCH_CB(on_match)
        result = _ScanResult()
        with _OptionsArg(options, settings) as opts:
            status = _library().trawl_scan(db._handle(), self._handle(), data, len(data), opts,
                                           cb, None, byref(result))
        if failure:
            raise failure[0]
        _check(status, what="trawl_scan")
        matches.bytes_scanned = result.bytes_scanned
        matches.confirm_errors = result.confirm_errors
        matches.truncation = result.truncation
        matches.stopped = status == TRAWL_STOPPED
        return matches


# --------------------------------------------------------------------------------------
# Packages (docs/manifest.md, docs/report.md) and the stages (docs/stages.md)
# --------------------------------------------------------------------------------------


def _format(format: str) -> int:
    try:
        return REPORT_FORMATS[format]
    except KeyError:
        raise TrawlError(TRAWL_E_UNSUPPORTED,
                         f"format {format!r}; expected one of {', '.join(REPORT_FORMATS)}")


def _report(data: bytes, format: str, raw: bool):
    if raw:
        return data
    return data.decode("utf-8") if format == "table" else json.loads(data)


def _db_or_null(db: Optional[Database]):
    return None if db is None else db._handle()


def package_decompose(package, options: Optional[Options] = None, raw: bool = False,
                      **settings):
    """The manifest (trawl.manifest/1) of a package in memory (bytes): every component,
    nested archives opened. Set package_name= to show it under a name."""
    package = _as_bytes(package)
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, settings) as opts:
        _check(_library().trawl_package_decompose(byref(out), package, len(package), opts,
                                                  byref(err)), err)
    return _document(_take(out), raw)


def package_decompose_file(path, options: Optional[Options] = None, raw: bool = False,
                           **settings):
    """As package_decompose, for a package file (streamed, never held in memory whole)."""
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, settings) as opts:
        _check(_library().trawl_package_decompose_file(byref(out), _path(path), opts, byref(err)),
               err)
    return _document(_take(out), raw)


def package_classify(package, db: Optional[Database] = None, options: Optional[Options] = None,
                     raw: bool = False, **settings):
    """Decomposes a package in memory and plans every component (trawl.plans/1)."""
    package = _as_bytes(package)
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, settings) as opts:
        _check(_library().trawl_package_classify(byref(out), _db_or_null(db), package,
                                                 len(package), opts, byref(err)), err)
    return _document(_take(out), raw)


def package_classify_file(path, db: Optional[Database] = None, options: Optional[Options] = None,
                          raw: bool = False, **settings):
    """As package_classify, for a package file."""
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, settings) as opts:
        _check(_library().trawl_package_classify_file(byref(out), _db_or_null(db), _path(path),
                                                      opts, byref(err)), err)
    return _document(_take(out), raw)


def package_decompose_to_directory(path, directory, options: Optional[Options] = None,
                                   raw: bool = False, **settings):
    """Stage 1: writes each unique component to `directory`/<id> and the manifest to
    `directory`/manifest.json; returns the manifest. The directory must exist."""
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, settings) as opts:
        _check(_library().trawl_package_decompose_to_directory(byref(out), _path(path),
                                                               _path(directory), opts,
                                                               byref(err)), err)
    return _document(_take(out), raw)


def package_analyze(db: Database, package, format: str = "json",
                    options: Optional[Options] = None, raw: bool = False, **settings):
    """The whole pipeline in one call, for a package in memory (bytes); as
    package_analyze_file otherwise. Set package_name= to report it under a name."""
    fmt = _format(format)
    package = _as_bytes(package)
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, settings) as opts:
        _check(_library().trawl_package_analyze(byref(out), db._handle(), package, len(package),
                                                opts, fmt, byref(err)), err)
    return _report(_take(out), format, raw)


def package_analyze_file(db: Database, path, format: str = "json",
                         options: Optional[Options] = None, raw: bool = False, **settings):
    """The whole pipeline in one call (trawl_package_analyze_file).

    format: "json" (trawl.report/1, returned as a dict), "sarif" (SARIF 2.1.0, a dict) or
    "table" (str); raw=True returns the exact bytes instead. Settings include
    policy=PATH, suppressions=PATH, baseline=PATH, fingerprint_key=..., include_values=...,
    and the scan limits (see Options).
    """
    fmt = _format(format)
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, settings) as opts:
        _check(_library().trawl_package_analyze_file(byref(out), db._handle(), _path(path), opts,
                                                     fmt, byref(err)), err)
    return _report(_take(out), format, raw)


def _git_settings(settings, since, branch, staged):
    """The git_* settings from the git calls' own keywords."""
    if since is not None:
        settings["git_since"] = since
    if branch is not None:
        settings["git_branch"] = branch
    if staged:
        settings["git_staged"] = True
    return settings


def git_decompose(repository, options: Optional[Options] = None, raw: bool = False,
                  since: Optional[str] = None, branch: Optional[str] = None,
                  staged: bool = False, **settings):
    """A git repository's history as a manifest (trawl_git_decompose): one component per
    blob reachable from the refs (or from `branch`), each with the commits that introduced
    it under "git" (the first, earliest, first). since="YYYY-MM-DD" leaves out older
    commits; staged=True takes the blobs staged in the index that HEAD lacks instead."""
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, _git_settings(settings, since, branch, staged)) as opts:
        _check(_library().trawl_git_decompose(byref(out), _path(repository), opts, byref(err)),
               err)
    return _document(_take(out), raw)


def git_decompose_to_directory(repository, directory, options: Optional[Options] = None,
                               raw: bool = False, since: Optional[str] = None,
                               branch: Optional[str] = None, staged: bool = False, **settings):
    """Stage 1 for a repository: each blob to `directory`/<id>, the manifest to
    `directory`/manifest.json; returns the manifest. The directory must exist."""
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, _git_settings(settings, since, branch, staged)) as opts:
        _check(_library().trawl_git_decompose_to_directory(byref(out), _path(repository),
                                                           _path(directory), opts, byref(err)),
               err)
    return _document(_take(out), raw)


def git_classify(repository, db: Optional[Database] = None, options: Optional[Options] = None,
                 raw: bool = False, since: Optional[str] = None, branch: Optional[str] = None,
                 staged: bool = False, **settings):
    """Plans every blob of a repository's history (trawl.plans/1)."""
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, _git_settings(settings, since, branch, staged)) as opts:
        _check(_library().trawl_git_classify(byref(out), _db_or_null(db), _path(repository), opts,
                                             byref(err)), err)
    return _document(_take(out), raw)


def git_analyze(db: Database, repository, format: str = "json",
                options: Optional[Options] = None, raw: bool = False,
                since: Optional[str] = None, branch: Optional[str] = None, staged: bool = False,
                **settings):
    """The whole pipeline over a repository's history (trawl_git_analyze): every finding's
    locations carry "git", the commits (id, path, author, date) that introduced the blob,
    the first one first. Formats and settings as package_analyze_file."""
    fmt = _format(format)
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, _git_settings(settings, since, branch, staged)) as opts:
        _check(_library().trawl_git_analyze(byref(out), db._handle(), _path(repository), opts,
                                            fmt, byref(err)), err)
    return _report(_take(out), format, raw)


@dataclass
class ReportSummary:
    """What a report says, for a CI gate (trawl_report_summary): whether it is complete,
    the active findings by severity name, the suppressed findings and the components."""
    complete: bool
    active: dict
    suppressed: int
    components: int

    def at_or_above(self, severity: str) -> int:
        """Active findings at or above `severity` ("info" ... "critical"): a --fail-on gate
        fails when this is not 0."""
        return sum(self.active[s] for s in SEVERITIES[SEVERITIES.index(severity):])

    @classmethod
    def _of(cls, s: "_ReportSummary") -> "ReportSummary":
        return cls(bool(s.complete), dict(zip(SEVERITIES, s.active_by_severity)),
                   s.suppressed, s.components)


def git_analyze_summary(db: Database, repository, format: str = "json",
                        options: Optional[Options] = None, raw: bool = False,
                        since: Optional[str] = None, branch: Optional[str] = None,
                        staged: bool = False, **settings):
    """git_analyze with the report's counts (trawl_git_analyze_summary, experimental):
    returns (report, ReportSummary), for a CI gate or a pre-commit hook."""
    fmt = _format(format)
    out, err, summary = _BUFFER(), _Error(), _ReportSummary()
    with _OptionsArg(options, _git_settings(settings, since, branch, staged)) as opts:
        _check(_library().trawl_git_analyze_summary(byref(out), byref(summary), db._handle(),
                                                    _path(repository), opts, fmt, byref(err)),
               err)
    return _report(_take(out), format, raw), ReportSummary._of(summary)


TRAWL_INPUTS_NO_IGNORE = 1  # trawl_package_analyze_inputs flags


def package_analyze_inputs(db: Database, inputs, format: str = "json",
                           options: Optional[Options] = None, raw: bool = False,
                           no_ignore: bool = False, **settings):
    """One package made of several inputs (trawl_package_analyze_inputs, experimental), as
    `trawl analyze PATH...`: each input is a path (str or os.PathLike: a file, an archive or
    a directory, walked without following links and with git's ignore rules inside a work
    tree unless no_ignore=True), bytes (in memory, named "stdin"), or a (name, bytes) pair.
    One file alone is exactly package_analyze_file. Returns (report, ReportSummary)."""
    fmt = _format(format)
    if isinstance(inputs, (str, bytes, os.PathLike)):
        raise TypeError("inputs: a list of paths, bytes or (name, bytes) pairs")
    structs = []
    for item in inputs:
        one = _Input(ctypes.sizeof(_Input))
        if isinstance(item, tuple):
            name, data = item
            data = _as_bytes(data)
            one.name, one.data, one.len = str(name).encode(), data, len(data)
        elif isinstance(item, (bytes, bytearray, memoryview)):
            data = bytes(item)
            one.data, one.len = data, len(data)
        else:
            one.path = _path(item)
        structs.append(one)
    if not structs:
        raise TrawlError(TRAWL_E_INVALID, "no input")
    pointers = (POINTER(_Input) * len(structs))(*[ctypes.pointer(x) for x in structs])
    out, err, summary = _BUFFER(), _Error(), _ReportSummary()
    flags = TRAWL_INPUTS_NO_IGNORE if no_ignore else 0
    with _OptionsArg(options, settings) as opts:
        _check(_library().trawl_package_analyze_inputs(byref(out), byref(summary), db._handle(),
                                                       pointers, len(structs), flags, opts, fmt,
                                                       byref(err)), err)
    return _report(_take(out), format, raw), ReportSummary._of(summary)


def manifest_work(manifest, raw: bool = False):
    """The components that need a result (trawl.work/1). `manifest` is the manifest's
    bytes, str, or parsed dict."""
    manifest = _as_bytes(manifest)
    out, err = _BUFFER(), _Error()
    _check(_library().trawl_manifest_work(byref(out), manifest, len(manifest), byref(err)), err)
    return _document(_take(out), raw)


def component_plan(manifest, component_id: str, content, db: Optional[Database] = None,
                   options: Optional[Options] = None, raw: bool = False, **settings):
    """Stage 2: one component's plan (trawl.plan/1). `content` must be the component's
    bytes (checked against the manifest: TRAWL_E_MISMATCH otherwise)."""
    manifest, content = _as_bytes(manifest), _as_bytes(content)
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, settings) as opts:
        _check(_library().trawl_component_plan(byref(out), _db_or_null(db), manifest,
                                               len(manifest), component_id.encode(), content,
                                               len(content), opts, byref(err)), err)
    return _document(_take(out), raw)


def component_analyze(db: Database, manifest, component_id: str, content,
                      options: Optional[Options] = None, raw: bool = False, **settings):
    """Stage 3: one component's result (trawl.component_result/1). Pass raw=True to keep
    the exact bytes for aggregate(), as a pipeline storing results would."""
    manifest, content = _as_bytes(manifest), _as_bytes(content)
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, settings) as opts:
        _check(_library().trawl_component_analyze(byref(out), db._handle(), manifest,
                                                  len(manifest), component_id.encode(), content,
                                                  len(content), opts, byref(err)), err)
    return _document(_take(out), raw)


def report_aggregate(manifest, results, format: str = "json", options: Optional[Options] = None,
                     raw: bool = False, **settings):
    """Stage 4: the package report from the manifest and the component results (bytes,
    str or dicts; any order, duplicates allowed). Same formats and settings as
    package_analyze_file; a bad result raises TRAWL_E_PARSE with its index."""
    fmt = _format(format)
    manifest = _as_bytes(manifest)
    docs = [_as_bytes(r) for r in results]
    n = len(docs)
    data = (c_char_p * max(n, 1))(*docs)
    lens = (c_size_t * max(n, 1))(*[len(d) for d in docs])
    out, err = _BUFFER(), _Error()
    with _OptionsArg(options, settings) as opts:
        _check(_library().trawl_report_aggregate(byref(out), manifest, len(manifest), data, lens,
                                                 n, opts, fmt, byref(err)), err)
    return _report(_take(out), format, raw)


def policy_default(raw: bool = False):
    """The default scoring policy (trawl.policy/1): a starting point for a policy file."""
    out = _BUFFER()
    _check(_library().trawl_policy_default(byref(out)))
    return _document(_take(out), raw)


def version() -> str:
    """The library's version string, e.g. "0.3.0"."""
    return _library().trawl_version_string().decode()


def version_number() -> int:
    """The library's version as MMmmpp."""
    return _library().trawl_version_number()


def build_info() -> dict:
    """Engine name and version, SIMD features, PCRE2 version, known-answer test result."""
    return json.loads(_library().trawl_build_info())


from .streaming import Stream, scan_file, scan_fileobj  # noqa: E402,F401  (needs the above)
