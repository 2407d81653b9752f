"""The YAML front matter of canonical Markdown: split it off, check it, write it in order.

Front matter comes from strangers, so it is read with a loader that refuses anchors and
aliases (a few hundred bytes of nested aliases expand without end), from at most
MAX_BYTES, and every failure is one FrontMatterError naming the line or the key.
"""

import datetime as dt
import re
from typing import Any

import yaml
from yaml.events import AliasEvent, NodeEvent

from publish.dates import read_date, unreadable_date

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
MAX_BYTES = 64 * 1024


class FrontMatterError(ValueError):
    """The front matter is not valid YAML mapping."""


class PlainLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: each value is written out where it is used."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
            line = event.start_mark.line + 2  # +1 for counting from one, +1 for the "---"
            raise FrontMatterError(
                f"front matter uses a YAML anchor or alias (& or *) at line {line}; "
                "write the value out instead"
            )
        return super().compose_node(parent, index)


def load(yaml_text: str) -> Any:
    """Parse front matter YAML, or raise FrontMatterError with the line at fault."""
    if len(yaml_text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise FrontMatterError(f"front matter is larger than {MAX_BYTES // 1024} KiB")
    try:
        return plain(yaml.load(yaml_text, Loader=PlainLoader)) or {}
    except FrontMatterError:
        raise
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise FrontMatterError(f"front matter is not valid YAML{where}") from None
    except (ValueError, OverflowError) as error:  # a date 2024-13-01, an int of 5,000 digits
        raise FrontMatterError(f"front matter has a value it cannot read ({error})") from None
    except RecursionError:
        raise FrontMatterError("front matter is nested too deeply") from None


def split(text: str) -> tuple[dict[str, Any], str, int]:
    """Return (metadata, body, line number of the body's first line)."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1
    data = load(match.group(1) or "")
    if not isinstance(data, dict):
        raise FrontMatterError("front matter is not a mapping of keys to values")
    body = text[match.end() :]
    first_line = match.group(0).count("\n") + 1
    return {str(key): value for key, value in data.items()}, body, first_line


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


TEXT_KEYS = ("title", "subtitle", "byline", "date", "language", "lang", "note", "url")
TEXT_OR_LIST_KEYS = ("authors", "author", "published", "keywords", "tags")
SCALARS = (str, int, float, bool)


def conform(meta: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The front matter with every known key of the type the model needs, and what was
    repaired; raise FrontMatterError naming the key when a value cannot be read as such."""
    result, notes = {}, []
    for key, value in meta.items():
        if value is None:
            continue
        if key in TEXT_KEYS:
            value = text_value(key, value, notes)
            if key == "date" and read_date(value) is None:
                raise FrontMatterError(f"front matter key 'date': {unreadable_date(value)}")
        elif key in TEXT_OR_LIST_KEYS:
            value = value if isinstance(value, str) else text_list(key, value, notes)
        elif key == "source":
            value = mapping(key, value, ("name", "url"), notes)
        elif key == "signature":
            value = mapping(key, value, ("closing",), notes, lists=("names",))
        result[key] = value
    return result, notes


def text_value(key: str, value: Any, notes: list[str]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, SCALARS):
        notes.append(f"front matter {key}: {value!r} read as the text {str(value)!r}")
        return str(value)
    raise FrontMatterError(f"front matter key {key!r} must be text, not {kind(value)}")


def text_list(key: str, value: Any, notes: list[str]) -> list[str]:
    if not isinstance(value, list):
        value = [text_value(key, value, notes)]
    return [text_value(f"{key}[{number}]", item, notes) for number, item in enumerate(value, 1)]


def mapping(
    key: str, value: Any, texts: tuple[str, ...], notes: list[str], lists: tuple[str, ...] = ()
) -> Any:
    """A mapping with text (and lists of text) under the given keys; other keys as they are."""
    if isinstance(value, str) and key == "source":
        return value
    if not isinstance(value, dict):
        raise FrontMatterError(f"front matter key {key!r} must be a mapping, not {kind(value)}")
    known = {
        name: text_value(f"{key}.{name}", item, notes) if name in texts else item
        for name, item in value.items()
        if item is not None
    }
    for name in lists:
        if name in known:
            known[name] = text_list(f"{key}.{name}", known[name], notes)
    return known


def kind(value: Any) -> str:
    """'a list', 'a mapping', 'a number' for messages."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"
