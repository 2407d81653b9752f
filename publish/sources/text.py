"""Plain-text sources: scraped articles with markdown-ish links, read as they are."""

from pathlib import Path

from publish.sources import Draft


def read(path: Path, content: str) -> Draft:
    """A scraped text is already Markdown-ish; the normalizer does the rest."""
    return Draft(path=path, kind="text", body=content)
