"""Markdown sources, with or without YAML front matter (canonical Markdown is one of them)."""

from pathlib import Path

from publish import frontmatter
from publish.dates import read_date, unreadable_date
from publish.errors import PublishError
from publish.sources import Draft


def read(path: Path, content: str) -> Draft:
    """Split off the front matter; the body stays as written."""
    try:
        meta, body, first_line = frontmatter.split(content)
    except frontmatter.FrontMatterError as error:
        raise PublishError(path, str(error)) from None
    if meta.get("date") is not None and read_date(meta["date"]) is None:
        raise PublishError(path, f"front matter key 'date': {unreadable_date(meta['date'])}")
    return Draft(path=path, kind="markdown", body=body, meta=meta, first_line=first_line)
