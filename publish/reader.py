"""Reader manifests (TOML) to a Volume of normalized Documents, in parts.

Every problem is reported as a PublishError naming the manifest and the key or line, so
an organizer can fix a ten-line file without reading a traceback.
"""

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from publish.document import Document, parse, slugify
from publish.errors import PublishError
from publish.normalize import normalize
from publish.sources import MAX_SOURCE_BYTES, read_source
from publish.volume import Part, Volume

TOP_KEYS = {
    "title",
    "subtitle",
    "editor",
    "date",
    "intro",
    "language",
    "parts",
    "number_paragraphs",
    "running_head",
}
PART_KEYS = {"title", "texts", "questions"}


def load_manifest(
    path: Path, number_paragraphs: bool = False, max_bytes: int = MAX_SOURCE_BYTES
) -> Volume:
    """Read a manifest and every text it names (each within the size limit)."""
    data = read_toml(path)
    check_keys(path, data, TOP_KEYS, "")
    title = required_string(path, data, "title", "")
    parts = data.get("parts")
    if not isinstance(parts, list) or not parts:
        raise PublishError(path, "needs at least one [[parts]] table with texts")
    volume_parts = tuple(
        load_part(path, part, index, max_bytes) for index, part in enumerate(parts)
    )
    intro = load_text(path, data["intro"], "intro", max_bytes) if data.get("intro") else None
    first = next((text for part in volume_parts for text in part.texts), None)
    return Volume(
        title=title,
        subtitle=optional_string(path, data, "subtitle", ""),
        editor=optional_string(path, data, "editor", ""),
        date=str(data["date"]) if data.get("date") else None,
        language=str(data.get("language") or (first.meta.language if first else "en")),
        slug=title_slug(path, data),
        parts=volume_parts,
        intro=intro,
        number_paragraphs=bool(data.get("number_paragraphs", False)) or number_paragraphs,
        running_head=optional_string(path, data, "running_head", ""),
    )


def title_slug(path: Path, data: dict[str, Any]) -> str:
    """The output name of a manifest, from its title."""
    title = required_string(path, data, "title", "")
    return slugify(title) or slugify(path.stem) or "reader"


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PublishError(path, "manifest not found") from None
    except UnicodeDecodeError:
        raise PublishError(path, "manifest is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise PublishError(path, f"not valid TOML: {error}") from None


def check_keys(path: Path, table: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed))
        raise PublishError(path, f"unknown key {where}{unknown[0]!r} (known keys: {known})")


def required_string(path: Path, table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PublishError(path, f"{where}{key} must be a non-empty string")
    return value.strip()


def optional_string(path: Path, table: dict, key: str, where: str) -> str | None:
    if key not in table:
        return None
    return required_string(path, table, key, where)


def load_part(path: Path, part: object, index: int, max_bytes: int) -> Part:
    where = f"parts[{index}]."
    if not isinstance(part, dict):
        raise PublishError(path, f"parts[{index}] must be a table")
    check_keys(path, part, PART_KEYS, where)
    texts = part.get("texts")
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise PublishError(path, f"{where}texts must be a non-empty list of file names")
    questions = part.get("questions", [])
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        raise PublishError(path, f"{where}questions must be a list of strings")
    return Part(
        title=required_string(path, part, "title", where),
        texts=tuple(
            load_text(path, text, f"{where}texts[{n}]", max_bytes) for n, text in enumerate(texts)
        ),
        questions=tuple(question.strip() for question in questions if question.strip()),
    )


def load_text(manifest: Path, name: str, where: str, max_bytes: int) -> Document:
    """Normalize and parse one text named by the manifest."""
    source = (manifest.parent / name).resolve()
    if not source.is_file():
        raise PublishError(manifest, f"{where}: file not found: {name}")
    try:
        document = parse(normalize(read_source(source, max_bytes)).text)
    except PublishError as error:
        raise PublishError(manifest, f"{where}: {error}") from None
    return replace(document, folder=source.parent)


def manifest_inputs(path: Path) -> list[Path]:
    """Every file a manifest reads, for the build cache (the manifest first)."""
    files = [path]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return files
    names = [data.get("intro")] if isinstance(data.get("intro"), str) else []
    for part in data.get("parts") or []:
        if isinstance(part, dict) and isinstance(part.get("texts"), list):
            names += [name for name in part["texts"] if isinstance(name, str)]
    return files + [(path.parent / name).resolve() for name in names]
