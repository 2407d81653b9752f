"""WeasyPrint's import made cheaper for a cold process: what it looks up and parses each time
is remembered between runs, and what a build does not use is imported only when used.

- **Libraries.** WeasyPrint loads Pango, HarfBuzz and their kin through cffi, trying several
  names for each; for every name cffi asks `ctypes.util.find_library`, which on Linux runs
  `ldconfig -p` and a C compiler as subprocesses: about fifty processes, 0.3-0.7 s of every
  cold build. The answers depend only on the system's library cache, so they are kept per
  state of /etc/ld.so.cache (which changes whenever a library is installed or removed) and
  LD_LIBRARY_PATH.
- **C declarations.** WeasyPrint hands cffi 500 lines of C declarations, which cffi parses
  with pycparser on every import (0.1-0.2 s with loading the parser). They are kept as cffi's
  own compiled form (its "out-of-line ABI mode", the Python module `ffi.emit_python_code`
  writes), per version of WeasyPrint's declarations, cffi and Python, and read back as data.
- **fontTools' subsetter** (0.1-0.2 s to import) is WeasyPrint's fallback when HarfBuzz's
  subsetter is missing; it is imported when first used.
"""

import ast
import ctypes.util
import importlib
import importlib.util
import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout, suppress
from pathlib import Path

import _cffi_backend
import cffi

from publish.cache import cache_folder, digest

LIBRARY_CACHE = Path("/etc/ld.so.cache")
DECLARING_MODULE = "weasyprint.text.ffi"  # the module that calls cffi.FFI().cdef(...)
UNUSED_UNTIL_CALLED = ("fontTools.subset",)


@contextmanager
def weasyprint_loading() -> Iterator[None]:
    """Import WeasyPrint within this block to have it load as quickly as it can."""
    for name in UNUSED_UNTIL_CALLED:
        deferred(name)
    with remembered_libraries(), compiled_declarations():
        yield
    declaring = sys.modules.get(DECLARING_MODULE)
    if declaring is not None and getattr(declaring, "harfbuzz_subset", None) is None:
        for name in UNUSED_UNTIL_CALLED:  # WeasyPrint will need them: load them now, in one thread
            sys.modules[name].__dict__  # noqa: B018 - touching a lazy module loads it


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


class CompiledFFI(_cffi_backend.FFI):
    """cffi's compiled declarations, standing in for the `cffi.FFI()` they were made from:
    the same calls, with `cdef` done already."""

    def cdef(self, csource: str, override: bool = False, packed: bool = False) -> None:
        """The declarations are in already."""

    def dlopen(self, name: str, flags: int = 0) -> object:
        """A library, never unloaded. cffi closes a library when the object it returns is
        freed, and at exit WeasyPrint's module globals go before the objects whose
        destructors are in those libraries (the in-line FFI this stands for keeps its
        libraries open as long as it lives)."""
        return super().dlopen(name, flags | getattr(os, "RTLD_NODELETE", 0))  # not on Windows


@contextmanager
def compiled_declarations() -> Iterator[None]:
    """WeasyPrint's `cffi.FFI()` is the compiled one kept from an earlier run, or, if none is
    kept yet, the declarations it parses are compiled and kept for the next run."""
    source = declarations_source()
    folder = cache_folder("declarations")
    if source is None or folder is None or DECLARING_MODULE in sys.modules:
        yield
        return
    path = folder / f"{digest([source, cffi.__version__, sys.version])}.py"
    try:
        compiled = compiled_ffi(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, SyntaxError, TypeError, _cffi_backend.FFI.error):
        compiled = None
    if compiled is None:
        yield
        keep_declarations(path)
        return
    original = cffi.FFI

    def made(*args: object, **kwargs: object) -> object:
        if sys._getframe(1).f_globals.get("__name__") == DECLARING_MODULE:
            return compiled
        return original(*args, **kwargs)

    cffi.FFI = made
    try:
        yield
    finally:
        cffi.FFI = original


def declarations_source() -> bytes | None:
    """The text of WeasyPrint's module of declarations, found without importing WeasyPrint."""
    spec = importlib.util.find_spec("weasyprint")
    if spec is None or spec.origin is None:
        return None
    try:
        return (Path(spec.origin).parent / "text" / "ffi.py").read_bytes()
    except OSError:
        return None


def compiled_ffi(module_text: str) -> CompiledFFI:
    """The FFI a module written by `emit_python_code` makes, read as data, not run: its one
    call's arguments are literals (bytes, strings, numbers and tuples of them)."""
    tree = ast.parse(module_text)
    calls = [node.value for node in tree.body if isinstance(node, ast.Assign)]
    call = calls[0] if len(calls) == 1 else None
    if not isinstance(call, ast.Call) or ast.unparse(call.func) != "_cffi_backend.FFI":
        raise ValueError("not a module of compiled declarations")
    args = [ast.literal_eval(arg) for arg in call.args]
    kwargs = {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords}
    if None in kwargs:
        raise ValueError("not a module of compiled declarations")
    return CompiledFFI(*args, **kwargs)


def keep_declarations(path: Path) -> None:
    """Compile the declarations WeasyPrint has just parsed and keep them at `path`."""
    module = sys.modules.get(DECLARING_MODULE)
    ffi = getattr(module, "ffi", None)
    if not isinstance(ffi, cffi.FFI):
        return
    draft = path.with_name(f".{path.stem}.{os.getpid()}.py")
    try:
        ffi.set_source("_publish_weasyprint_ffi", None)
        with redirect_stdout(io.StringIO()):  # cffi says "generating <file>"
            ffi.emit_python_code(str(draft))
        compiled_ffi(draft.read_text(encoding="utf-8"))  # it can be read back
        os.replace(draft, path)
    except (
        OSError,
        ValueError,
        SyntaxError,
        TypeError,
        cffi.FFIError,
        cffi.CDefError,
        cffi.VerificationError,
        _cffi_backend.FFI.error,
    ):
        with suppress(OSError):
            draft.unlink()


def deferred(name: str) -> None:
    """Have module `name` imported when one of its names is first used, not when it is."""
    if name in sys.modules:
        return
    parent_name, _, child = name.rpartition(".")
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if parent_name:
        setattr(importlib.import_module(parent_name), child, module)
