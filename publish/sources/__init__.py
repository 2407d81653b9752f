"""Readers: one module per input format, each turning a file into a Draft.

A Draft is Markdown-ish text plus whatever metadata the file itself declares (front matter,
HTML meta tags). The normalizer turns a Draft into canonical Markdown.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publish.errors import PublishError
from publish.sources.decode import MAX_SOURCE_BYTES, read_text

SOURCE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


@dataclass
class Draft:
    """A source read into Markdown-ish text, before normalization."""

    path: Path
    kind: str  # "text", "markdown" or "html"
    body: str  # Markdown-ish text, LF line endings, NFC
    meta: dict[str, Any] = field(default_factory=dict)  # metadata the file declared
    first_line: int = 1  # source line number of the body's first line


def read_source(path: Path, max_bytes: int = MAX_SOURCE_BYTES) -> Draft:
    """Read one source file of any supported format."""
    suffix = path.suffix.lower()
    if suffix not in SOURCE_SUFFIXES:
        raise PublishError(path, f"unsupported file type {suffix or '(none)'!r}")
    content = read_text(path, max_bytes)
    if suffix in (".html", ".htm"):
        from publish.sources import html

        return html.read(path, content)
    if suffix in (".md", ".markdown"):
        from publish.sources import markdown

        return markdown.read(path, content)
    from publish.sources import text

    return text.read(path, content)
