"""Atomic file writes: a temporary file beside the target, then a rename."""

import os
import re
import shutil
import tempfile
from contextlib import suppress
from pathlib import Path

# What mkstemp names a temporary file below: the prefix, eight random characters, the suffix.
TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def write_atomic(path: Path, data: bytes) -> None:
    """Write all of `data` to `path`, or leave `path` as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_temporary_files(folder: Path, target: str | None = None) -> None:
    """Remove what interrupted writes left in `folder` (only those for `target`, if given),
    once their writers have stopped: temporary files, and a cluster build's staging folder."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if TEMPORARY.fullmatch(name) and (target is None or name.startswith(f".{target}.")):
            path = folder / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with suppress(OSError):
                    os.unlink(path)
