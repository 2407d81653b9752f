"""The one Jinja2 environment, and where templates, stylesheets and fonts live.

A press restyles its books by pointing PUBLISH_TEMPLATES at a folder of its own: files
there are found first, the built-in templates/ second.
"""

import os
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)

BUILTIN = Path(__file__).resolve().parent.parent / "templates"


# A cluster worker's copy of the client's PUBLISH_TEMPLATES folder, for the call it runs.
SHIPPED: ContextVar[Path | None] = ContextVar("shipped_templates", default=None)


def template_dirs() -> list[Path]:
    """Template folders, the user's override first."""
    dirs = []
    override = SHIPPED.get() or os.environ.get("PUBLISH_TEMPLATES")
    if override:
        dirs.append(Path(override).resolve())
    dirs.append(BUILTIN)
    return dirs


# What print.css must have for the PDF to work: a replacement lacking any of these is partial.
PRINT_ESSENTIALS = {
    "@page": "the pages",
    "float: footnote": "footnotes for the links",
    ".title-page": "the title page",
    ".colophon": "the colophon",
    ".contents": "the contents",
    ".composed": "the composer's lines",
}


def template_problem() -> str | None:
    """Why PUBLISH_TEMPLATES cannot be used (it names no folder), or None."""
    override = os.environ.get("PUBLISH_TEMPLATES")
    if override and not Path(override).is_dir():
        return f"PUBLISH_TEMPLATES={override}: no such folder"
    return None


def partial_stylesheet() -> str | None:
    """A warning when PUBLISH_TEMPLATES replaces print.css with a sheet that lacks parts."""
    override = os.environ.get("PUBLISH_TEMPLATES")
    if not override:
        return None
    sheet = Path(override) / "print.css"
    try:
        text = " ".join(sheet.read_text(encoding="utf-8", errors="replace").split())
    except OSError:
        return None
    missing = [what for mark, what in PRINT_ESSENTIALS.items() if mark not in text]
    if not missing:
        return None
    return (
        f"{sheet} replaces the built-in print.css but has no rules for "
        f"{', '.join(missing)}; to change a few things, put them in a stylesheet of your "
        f'own (--css FILE or stylesheet = "FILE" in publish.toml) instead'
    )


def find(name: str) -> Path:
    """The first template-folder file with this name (a stylesheet, a font)."""
    for folder in template_dirs():
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(name)


def environment() -> Environment:
    """Jinja2 with autoescaping and strict undefined variables, over the template folders."""
    return folders_environment(tuple(template_dirs()))


@cache
def folders_environment(dirs: tuple[Path, ...]) -> Environment:
    loader = ChoiceLoader([FileSystemLoader(str(path)) for path in dirs])
    return Environment(
        loader=loader,
        bytecode_cache=bytecode_cache(),
        autoescape=select_autoescape(("html", "xhtml", "j2", "xml")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between runs in the user's cache folder, when it is writable.

    Jinja checks each template's source against its cached code, so an edited template is
    compiled afresh; compiling all of them takes a one-document build about 0.2 s.
    """
    home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    folder = Path(home) / "publish" / "templates"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))
