"""The YAML front matter of canonical Markdown: split it off, and write it in a fixed order."""

import datetime as dt
import re
from typing import Any

import yaml

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
KEY_ORDER = (
    "title",
    "subtitle",
    "authors",
    "byline",
    "date",
    "language",
    "source",
    "note",
    "published",
    "signature",
)
ISO_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")


class FrontMatterError(ValueError):
    """The front matter is not valid YAML mapping."""


def split(text: str) -> tuple[dict[str, Any], str, int]:
    """Return (metadata, body, line number of the body's first line)."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1
    try:
        data = yaml.safe_load(match.group(1) or "") or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise FrontMatterError(f"front matter is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise FrontMatterError("front matter is not a mapping of keys to values")
    body = text[match.end() :]
    first_line = match.group(0).count("\n") + 1
    return {str(key): plain(value) for key, value in data.items()}, body, first_line


def plain(value: Any) -> Any:
    """YAML dates become ISO strings, so metadata holds only str, list and dict."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def dump(meta: dict[str, Any]) -> str:
    """The front matter block, keys in canonical order, dates unquoted."""
    ordered = {key: meta[key] for key in KEY_ORDER if meta.get(key) not in (None, "", [], {})}
    ordered |= {key: meta[key] for key in sorted(meta) if key not in KEY_ORDER}
    if isinstance(ordered.get("date"), str) and ISO_DATE.match(ordered["date"]):
        ordered["date"] = dt.date.fromisoformat(ordered["date"])
    text = yaml.safe_dump(
        ordered, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000
    )
    return f"---\n{text}---\n"
