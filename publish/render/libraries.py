"""Where the shared libraries are, remembered between runs.

WeasyPrint loads Pango, HarfBuzz and their kin through cffi, trying several names for each;
for every name cffi asks `ctypes.util.find_library`, which on Linux runs `ldconfig -p` and a
C compiler as subprocesses: about fifty processes, 0.3-0.7 s of every cold build. The answers
depend only on the system's library cache, so they are kept per state of /etc/ld.so.cache
(which changes whenever a library is installed or removed) and LD_LIBRARY_PATH.
"""

import ctypes.util
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from publish.cache import cache_folder, digest

LIBRARY_CACHE = Path("/etc/ld.so.cache")


@contextmanager
def remembered_libraries() -> Iterator[None]:
    """Answer `ctypes.util.find_library` from the cache while the block runs (an import)."""
    folder = cache_folder("libraries")
    if folder is None:
        yield
        return
    path = folder / f"{system_state()}.json"
    try:
        answers = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        answers = {}
    known = dict(answers)
    original = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        if name not in answers:
            answers[name] = original(name)
        return answers[name]

    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original
        if answers != known:
            from publish.atomic import write_atomic

            with suppress(OSError):
                write_atomic(path, json.dumps(answers, sort_keys=True).encode())


def system_state() -> str:
    """A name for the state of the system's library search: its cache file and search path."""
    try:
        info = LIBRARY_CACHE.stat()
        stamp = f"{info.st_size} {info.st_mtime_ns} {info.st_ino}"
    except OSError:
        stamp = "no ld.so.cache"
    return digest([stamp, os.environ.get("LD_LIBRARY_PATH", "")])
