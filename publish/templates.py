"""The one Jinja2 environment, and where templates, stylesheets and fonts live.

A press restyles its books by pointing PUBLISH_TEMPLATES at a folder of its own: files
there are found first, the built-in templates/ second.
"""

import os
from functools import cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

BUILTIN = Path(__file__).resolve().parent.parent / "templates"


def template_dirs() -> list[Path]:
    """Template folders, the user's override first."""
    dirs = []
    override = os.environ.get("PUBLISH_TEMPLATES")
    if override:
        dirs.append(Path(override).resolve())
    dirs.append(BUILTIN)
    return dirs


def find(name: str) -> Path:
    """The first template-folder file with this name (a stylesheet, a font)."""
    for folder in template_dirs():
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(name)


@cache
def environment(dirs: tuple[Path, ...] | None = None) -> Environment:
    """Jinja2 with autoescaping and strict undefined variables."""
    loader = ChoiceLoader([FileSystemLoader(str(path)) for path in dirs or template_dirs()])
    return Environment(
        loader=loader,
        autoescape=select_autoescape(("html", "xhtml", "j2", "xml")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
