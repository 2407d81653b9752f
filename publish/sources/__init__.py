"""Readers: one module per input format, each turning a file into a Draft.

A Draft is Markdown-ish text plus whatever metadata the file itself declares (front matter,
HTML meta tags). The normalizer turns a Draft into canonical Markdown.
"""

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publish.errors import PublishError
from publish.sources.decode import MAX_SOURCE_BYTES, read_text

if TYPE_CHECKING:
    from publish.normalize.report import Entry

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
# Binary documents, each read by the module of the same name.
DOCUMENT_SUFFIXES = (".docx", ".odt", ".pdf")
SOURCE_SUFFIXES = TEXT_SUFFIXES + DOCUMENT_SUFFIXES


@dataclass
class Draft:
    """A source read into Markdown-ish text, before normalization."""

    path: Path
    kind: str  # "text", "markdown", "html", "docx", "odt" or "pdf"
    body: str  # Markdown-ish text, LF line endings, NFC
    meta: dict[str, Any] = field(default_factory=dict)  # metadata the file declared
    first_line: int = 1  # source line number of the body's first line
    defaults: dict[str, Any] = field(default_factory=dict)  # used where the text gives none
    entries: list["Entry"] = field(default_factory=list)  # what the reader itself repaired


def read_source(path: Path, max_bytes: int = MAX_SOURCE_BYTES) -> Draft:
    """Read one source file of any supported format."""
    suffix = path.suffix.lower()
    if suffix not in SOURCE_SUFFIXES:
        raise PublishError(
            path,
            f"unsupported file type {suffix or '(none)'!r}; "
            f"publish reads {', '.join(SOURCE_SUFFIXES)}",
        )
    if suffix in DOCUMENT_SUFFIXES:
        return read_document(path, suffix, max_bytes)
    content, nul_bytes = read_text(path, max_bytes)
    draft = read_text_source(path, suffix, content)
    if nul_bytes:
        from publish.normalize.report import Entry

        message = f"removed {nul_bytes} stray NUL bytes, which no browser shows"
        draft.entries.append(Entry("s-nul-bytes", draft.first_line, message))
    return draft


def read_text_source(path: Path, suffix: str, content: str) -> Draft:
    """Read decoded text with the reader for its suffix."""
    if suffix in (".html", ".htm"):
        from publish.sources import html

        return html.read(path, content)
    if suffix in (".md", ".markdown"):
        from publish.sources import markdown

        return markdown.read(path, content)
    from publish.sources import text

    return text.read(path, content)


def read_document(path: Path, suffix: str, max_bytes: int) -> Draft:
    """Read a Word, OpenDocument or PDF file with the module named for its suffix."""
    reader = importlib.import_module(f"publish.sources.{suffix[1:]}")
    return reader.read(path, max_bytes)
