"""Work kept between runs in the user's cache folder, so a cold process need not redo it.

Each entry is a file named by a digest of everything it depends on, written atomically; an
unwritable cache folder only means the work is done again.
"""

import hashlib
import os
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path

from publish.atomic import write_atomic


def cache_folder(kind: str) -> Path | None:
    """The folder for one kind of entry, or None when it cannot be made."""
    home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    folder = Path(home) / "publish" / kind
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def digest(parts: Iterable[bytes | str]) -> str:
    """A name for an entry from the things it depends on."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big") + data)
    return hasher.hexdigest()


def remembered(kind: str, key: str, make: Callable[[], bytes]) -> bytes:
    """The bytes stored under this key, or `make()`'s, stored for the next run."""
    folder = cache_folder(kind)
    if folder is None:
        return make()
    path = folder / key
    with suppress(OSError):
        return path.read_bytes()
    data = make()
    with suppress(OSError):
        write_atomic(path, data)
    return data
