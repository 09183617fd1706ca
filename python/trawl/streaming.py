"""Streaming scans (trawl_stream_*): a file or any binary stream scanned in chunks, in
constant memory, with matches across chunk boundaries found as in one buffer.

    with trawl.Stream(db) as stream:
        for chunk in chunks:
            for m in stream.write(chunk):        # matches complete so far
                ...
        tail = stream.finish()                   # the rest, with the scan's accounting

    matches = trawl.scan_file(db, "big.log")     # the same over a file, chunk by chunk
"""
import ctypes
import io
import os
from ctypes import POINTER, Structure, byref, c_char, c_size_t, c_void_p
from typing import Callable, Optional

from . import (_MATCH_CB, _OPTIONS, _DB, _ScanResult, _check, _collector, _Handle, _library,
               _path, _as_bytes, Database, Match, Matches, Options, Scanner, TRAWL_STOPPED,
               _status)

DEFAULT_CHUNK_SIZE = 1 << 20  # 1 MiB: large enough that per-call overhead vanishes


class _StreamT(Structure):
    pass


_STREAM = POINTER(_StreamT)
_SIGNATURES = {
    "trawl_stream_new": (_status, [POINTER(_STREAM), _DB, _OPTIONS]),
    "trawl_stream_write": (_status, [_STREAM, POINTER(c_char), c_size_t, _MATCH_CB, c_void_p]),
    "trawl_stream_finish": (_status, [_STREAM, _MATCH_CB, c_void_p, POINTER(_ScanResult)]),
    "trawl_stream_free": (None, [_STREAM]),
}


def _stream_library() -> ctypes.CDLL:
    lib = _library()
    if lib.trawl_stream_free.argtypes is None:
        for name, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
    return lib


class Stream(_Handle):
    """trawl_stream over a Database: one thread at a time; the database must stay open.

    `callback(match)` (optional) sees each match as it is delivered; a true return stops
    the stream (the call that delivered it returns with .stopped set, and later writes
    are refused by the library). Limits come from `options` or keywords, as for
    Scanner.scan.
    """

    _kind = "Stream"

    def __init__(self, db: Database, callback: Optional[Callable[[Match], object]] = None,
                 options: Optional[Options] = None, **settings):
        super().__init__()
        lib = _stream_library()
        settings = {k: v for k, v in settings.items() if v is not None}
        if settings and options is not None:
            raise TypeError("pass either options= or option keywords, not both")
        # Kept for the stream's life: the library may read them on every write.
        self._options = Options(**settings) if settings else options
        ptr = _STREAM()
        _check(lib.trawl_stream_new(byref(ptr), db._handle(),
                                    self._options._handle() if self._options else None),
               what="trawl_stream_new")
        self._adopt(ptr, lib.trawl_stream_free)
        self._db = db
        self._callback = callback
        self.stopped = False

    def _deliver(self, call) -> Matches:
        """Runs call(cb) with a match callback that collects into a Matches."""
        db, callback = self._db, self._callback
        matches, failure = Matches(), []

        on_match = _collector(db, callback, matches, failure)

        status = call(_MATCH_CB(on_match))
        if failure:
            raise failure[0]
        _check(status, what="trawl_stream")
        matches.stopped = self.stopped = self.stopped or status == TRAWL_STOPPED
        return matches

    def write(self, data) -> Matches:
        """Feeds bytes (bytes, bytearray, memoryview or str as UTF-8); returns the matches
        whose context is complete now. A bytearray or memoryview is passed without a copy."""
        view = memoryview(data).cast("B") if isinstance(data, (bytearray, memoryview)) else None
        if view is not None and not view.readonly and len(view):
            buffer, size = (c_char * len(view)).from_buffer(view), len(view)
        else:
            data = view.tobytes() if view is not None else _as_bytes(data)
            # c_char_p points into `data`, which lives until this method returns.
            buffer, size = ctypes.cast(ctypes.c_char_p(data), POINTER(c_char)), len(data)
        lib = _stream_library()
        handle = self._handle()
        return self._deliver(lambda cb: lib.trawl_stream_write(handle, buffer, size, cb, None))

    def finish(self) -> Matches:
        """Ends the input: the remaining matches, with bytes_scanned, confirm_errors and
        truncation for the whole stream."""
        lib = _stream_library()
        handle = self._handle()
        result = _ScanResult()
        matches = self._deliver(lambda cb: lib.trawl_stream_finish(handle, cb, None,
                                                                    byref(result)))
        matches.bytes_scanned = result.bytes_scanned
        matches.confirm_errors = result.confirm_errors
        matches.truncation = result.truncation
        return matches


def scan_fileobj(db: Database, fileobj, chunk_size: int = DEFAULT_CHUNK_SIZE,
                 callback: Optional[Callable[[Match], object]] = None,
                 options: Optional[Options] = None, **settings) -> Matches:
    """Scans a binary file object chunk by chunk (one reused buffer of chunk_size bytes);
    returns every match (or, with a callback that returns true, those up to it). Memory
    is the chunk plus the matches, whatever the input's size."""
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    buffer = bytearray(chunk_size)
    view = memoryview(buffer)
    matches = Matches()
    with Stream(db, callback, options, **settings) as stream:
        readinto = getattr(fileobj, "readinto", None)
        while not stream.stopped:
            if readinto is not None:
                n = readinto(buffer)
                chunk = view[:n] if n else None
            else:
                data = fileobj.read(chunk_size)
                n, chunk = len(data), data
            if not n:
                break
            matches.extend(stream.write(chunk))
        if stream.stopped:
            matches.stopped = True
            return matches
        tail = stream.finish()
        tail[:0] = matches  # the earlier writes' matches first; tail keeps the accounting
    return tail


# scan_file holds a file of at most this many bytes whole when the database has composite
# rules (as `trawl scan --whole-limit` does).
WHOLE_LIMIT = 512 << 20


def _has_composite_rules(db: Database) -> bool:
    cached = getattr(db, "_composite_rules", None)
    if cached is None:
        cached = db._composite_rules = any(db.rule(i).status == "composite"
                                           for i in range(len(db)))
    return cached


def _read_up_to(f, limit: int) -> bytes:
    """At most `limit` bytes of `f` (fewer only at its end): raw reads may return less."""
    parts, size = [], 0
    while size < limit:
        part = f.read(limit - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def scan_file(db: Database, path, chunk_size: int = DEFAULT_CHUNK_SIZE,
              callback: Optional[Callable[[Match], object]] = None,
              options: Optional[Options] = None, whole_limit: int = WHOLE_LIMIT,
              **settings) -> Matches:
    """Scans the file at `path` without reading it into memory (see scan_fileobj).

    Composite rules (imported YARA, Suricata, ...) are evaluated over every byte they
    need only in one buffer: a stream evaluates them when it ends, over the window it
    still holds, and one whose patterns lie further apart is lost (.truncation says so).
    So when the database has composite rules, a file of at most `whole_limit` bytes is
    read whole and scanned as one buffer (Scanner.scan), exactly, as `trawl scan` does;
    a larger one, or any with whole_limit=0, is streamed."""
    with open(os.fsdecode(_path(path)), "rb", buffering=0) as f:
        if whole_limit > 0 and _has_composite_rules(db):
            data = _read_up_to(f, whole_limit + 1)
            if len(data) <= whole_limit:
                with Scanner(db) as scanner:
                    return scanner.scan(data, callback, options, **settings)
            # Streamed from the bytes already read on (a FIFO cannot seek back).
            return scan_fileobj(db, _Prefixed(data, f), chunk_size, callback, options,
                                **settings)
        return scan_fileobj(db, f, chunk_size, callback, options, **settings)


class _Prefixed(io.RawIOBase):
    """`prefix`, then the rest of `rest`: a file whose first bytes were already read."""

    def __init__(self, prefix: bytes, rest):
        super().__init__()
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self):
        return True

    def readinto(self, buffer):
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        return self._rest.readinto(buffer)
