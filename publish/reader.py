"""Reader manifests (TOML) to a Volume of normalized Documents, in parts.

A manifest is checked whole against its schema before any text is read: every problem is
a PublishError naming the manifest, the line and the key (parts counted from 1), so an
organizer can fix a ten-line file without reading a traceback.
"""

import datetime
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from publish.dates import read_date, unreadable_date
from publish.document import Document, parse, slugify
from publish.errors import PublishError
from publish.normalize import normalize
from publish.normalize.typography import smarten
from publish.sources import MAX_SOURCE_BYTES, read_source
from publish.style import checked
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
    "style",
}
PART_KEYS = {"title", "texts", "questions"}
MAX_MANIFEST_BYTES = 1024 * 1024
NAME_MAX = 255  # bytes in one file name (Linux, macOS, Windows)
PATH_MAX = 4096  # bytes in a whole path (Linux)
PARTS_HEADER = re.compile(r"\[\[\s*parts\s*\]\]\s*(#.*)?")


@dataclass(frozen=True)
class PartEntry:
    """One [[parts]] table, checked: its title, the resolved paths of its texts, questions."""

    title: str
    texts: tuple[Path, ...]
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Manifest:
    """A checked manifest: every value of the right type, every named file present."""

    path: Path
    title: str
    parts: tuple[PartEntry, ...]
    subtitle: str | None = None
    editor: str | None = None
    date: str | None = None
    language: str | None = None
    intro: Path | None = None
    number_paragraphs: bool = False
    running_head: str | None = None
    outside: tuple[str, ...] = ()  # names of texts outside the project (--allow-outside)
    style: dict[str, Any] = field(default_factory=dict)  # the checked [style] table
    toml: str = field(default="", repr=False)  # the manifest's text, to find a key's line

    @property
    def slug(self) -> str:
        """The output name, from the title."""
        return slugify(self.title) or slugify(self.path.stem) or "reader"

    @property
    def inputs(self) -> list[Path]:
        """Every file the manifest reads: itself, the intro, then the texts."""
        intro = [self.intro] if self.intro else []
        styled = [value for value in self.style.values() if isinstance(value, Path)]
        texts = [text for part in self.parts for text in part.texts]
        return [self.path, *intro, *styled, *texts]


def load_manifest(
    path: Path,
    number_paragraphs: bool = False,
    max_bytes: int = MAX_SOURCE_BYTES,
    allow_outside: bool = False,
) -> Volume:
    """Check a manifest, then read every text it names (each within the size limit)."""
    manifest = check_manifest(path, allow_outside)
    texts = [
        tuple(
            load_text(manifest, text, number, f"texts[{index}]", max_bytes)
            for index, text in enumerate(part.texts, 1)
        )
        for number, part in enumerate(manifest.parts, 1)
    ]
    intro = None
    if manifest.intro:
        intro = load_text(manifest, manifest.intro, None, "intro", max_bytes)
    first = next((text for part in texts for text in part), None)
    language = manifest.language or (first.meta.language if first else "en")
    typeset = partial(smarten, language=language)  # the manifest's words, set like the texts'
    parts = tuple(
        Part(
            title=typeset(part.title),
            texts=part_texts,
            questions=tuple(typeset(question) for question in part.questions),
        )
        for part, part_texts in zip(manifest.parts, texts, strict=True)
    )
    return Volume(
        title=typeset(manifest.title),
        subtitle=typeset(manifest.subtitle) if manifest.subtitle else None,
        editor=manifest.editor,
        date=manifest.date,
        language=language,
        slug=manifest.slug,
        parts=parts,
        intro=intro,
        number_paragraphs=manifest.number_paragraphs or number_paragraphs,
        running_head=manifest.running_head,
    )


def load_text(
    manifest: Manifest, source: Path, part: int | None, key: str, max_bytes: int
) -> Document:
    """Normalize and parse one text named by the manifest."""
    try:
        document = parse(normalize(read_source(source, max_bytes)).text)
    except PublishError as error:
        where = located(manifest.toml, part, key)
        raise PublishError(manifest.path, f"{where}: {error}") from None
    return replace(document, folder=source.parent)


def manifest_inputs(path: Path, allow_outside: bool = False) -> list[Path]:
    """Every file a manifest reads, for the build cache and a watcher; if it is broken, the
    manifest and the files inside the project it names (a watcher then sees them appear)."""
    try:
        return check_manifest(path, allow_outside).inputs
    except PublishError:
        return [path, *named_files(path)]


def named_files(path: Path) -> list[Path]:
    """The intro and texts a manifest names, inside its folder or the current one; never raises."""
    try:
        data = tomllib.loads(read_manifest_text(path))
    except (PublishError, tomllib.TOMLDecodeError, RecursionError, ValueError):
        return []
    parts = data.get("parts") if isinstance(data.get("parts"), list) else []
    texts = [part.get("texts") for part in parts if isinstance(part, dict)]
    names = [
        data.get("intro"),
        *(name for group in texts if isinstance(group, list) for name in group),
    ]
    roots = (path.parent.resolve(), Path.cwd().resolve())
    found = []
    for name in names:
        if isinstance(name, str) and name and "\0" not in name and len(name) < PATH_MAX:
            file = (path.parent / name).resolve()
            if any(file.is_relative_to(root) for root in roots):
                found.append(file)
    return found


def check_manifest(path: Path, allow_outside: bool = False) -> Manifest:
    """Read a manifest and check it against the schema, reading none of its texts."""
    text = read_manifest_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PublishError(path, f"not valid TOML: {error}") from None
    except RecursionError:
        raise PublishError(path, "not valid TOML: arrays or tables nested too deeply") from None
    return ManifestChecker(path, text, allow_outside).check(data)


def read_manifest_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise PublishError(path, f"manifest larger than {MAX_MANIFEST_BYTES:,} bytes")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PublishError(path, "manifest not found") from None
    except UnicodeDecodeError:
        raise PublishError(path, "manifest is not UTF-8 text") from None
    except (OSError, ValueError) as error:
        raise PublishError(path, f"cannot read manifest: {error}") from None


class ManifestChecker:
    """The schema of a manifest, and errors that point at the line of the key."""

    def __init__(self, path: Path, text: str, allow_outside: bool) -> None:
        self.path = path
        self.text = text
        self.allow_outside = allow_outside
        self.folder = path.parent.resolve()
        self.roots = project_folders(self.folder)
        self.outside: list[str] = []

    def check(self, data: dict[str, Any]) -> Manifest:
        self.known_keys(data, TOP_KEYS, None)
        title = self.string(data, "title", None, required=True)
        intro = data.get("intro")
        if intro is not None and not isinstance(intro, str):
            raise self.error(None, "intro", "must be a file name in quotes")
        number_paragraphs = data.get("number_paragraphs", False)
        if not isinstance(number_paragraphs, bool):
            raise self.error(None, "number_paragraphs", "must be true or false, without quotes")
        parts = data.get("parts")
        if not isinstance(parts, list) or not parts:
            raise self.error(None, "parts", "needs at least one [[parts]] table with texts")
        entries = tuple(self.part(part, number) for number, part in enumerate(parts, 1))
        style = data.get("style", {})
        if not isinstance(style, dict):
            raise self.error(None, "style", "must be a [style] table")
        return Manifest(
            path=self.path,
            title=title or "",
            parts=entries,
            subtitle=self.string(data, "subtitle", None),
            editor=self.string(data, "editor", None),
            date=self.date(data),
            language=self.string(data, "language", None),
            intro=self.file(intro, None, "intro") if intro is not None else None,
            number_paragraphs=number_paragraphs,
            running_head=self.string(data, "running_head", None),
            outside=tuple(self.outside),
            style=checked(style, self.path, self.folder),
            toml=self.text,
        )

    def part(self, part: object, number: int) -> PartEntry:
        if not isinstance(part, dict):
            raise self.error(None, f"parts[{number}]", "must be a table")
        self.known_keys(part, PART_KEYS, number)
        texts = part.get("texts")
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            raise self.error(number, "texts", "must be a non-empty list of file names")
        questions = part.get("questions", [])
        if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
            raise self.error(number, "questions", "must be a list of strings")
        return PartEntry(
            title=self.string(part, "title", number, required=True) or "",
            texts=tuple(
                self.file(name, number, f"texts[{index}]") for index, name in enumerate(texts, 1)
            ),
            questions=tuple(question.strip() for question in questions if question.strip()),
        )

    def known_keys(self, table: dict, allowed: set[str], part: int | None) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            known = ", ".join(sorted(allowed))
            raise self.error(part, shown(unknown[0]), f"unknown key (known keys: {known})")

    def string(self, table: dict, key: str, part: int | None, required: bool = False) -> str | None:
        value = table.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(part, key, "must be a non-empty string")
        return value.strip()

    def date(self, data: dict[str, Any]) -> str | None:
        """The manifest's date as ISO; day and month in digits in its language's order."""
        value = data.get("date")
        if value is None:
            return None
        language = data.get("language") if isinstance(data.get("language"), str) else "en"
        reading = read_date(value, language) if isinstance(value, str | datetime.date) else None
        if reading is None:
            raise self.error(None, "date", unreadable_date(value))
        return reading.iso

    def file(self, name: str, part: int | None, key: str) -> Path:
        """The resolved path of a text the manifest names, if usable and inside the project."""
        encoded = os.fsencode(name)
        if "\0" in name:
            raise self.error(part, key, "file name contains a NUL byte")
        if len(encoded) > PATH_MAX or any(len(p) > NAME_MAX for p in encoded.split(b"/")):
            raise self.error(part, key, f"file name too long ({len(name)} characters)")
        try:
            source = (self.folder / name).resolve()
            is_file = source.is_file()
        except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
            raise self.error(part, key, f"cannot use file name {shown(name)}: {error}") from None
        if not is_file:
            raise self.error(part, key, f"file not found: {shown(name)}")
        if not any(source.is_relative_to(root) for root in self.roots):
            if not self.allow_outside:
                raise self.error(
                    part,
                    key,
                    f"{shown(name)} is outside the manifest's folder and the current folder "
                    "(--allow-outside allows it)",
                )
            self.outside.append(str(source))
        return source

    def error(self, part: int | None, key: str, message: str) -> PublishError:
        return PublishError(self.path, f"{located(self.text, part, key)}: {message}")


def located(text: str, part: int | None, key: str) -> str:
    """Where a key is, for an error: 'line 7: parts[2].texts[1]' (parts counted from 1)."""
    line = key_line(text, key.split("[")[0], part)
    where = f"parts[{part}].{key}" if part else key
    return f"line {line}: {where}" if line else where


def project_folders(folder: Path) -> tuple[Path, ...]:
    """Where a manifest's texts may be: its own folder and the one the build runs from."""
    try:
        return (folder, Path.cwd().resolve())
    except OSError:  # the current folder was removed
        return (folder,)


def key_line(text: str, key: str, part: int | None) -> int | None:
    """The line of a top-level key, or of a key in the part-th [[parts]] table, by a light scan.

    tomllib gives no positions; counting [[parts]] headers and matching `key =` lines finds
    the line in any manifest written one key per line. Falls back to the part's header, or
    to the `parts =` line when the parts are written inline.
    """
    assignment = re.compile(rf"\s*([\"']?){re.escape(key)}\1\s*=")
    seen, table, header = 0, 0, None  # table: 0 the top level, n the nth [[parts]], None other
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if PARTS_HEADER.fullmatch(stripped):
            seen += 1
            table = seen
            header = number if seen == part else header
        elif stripped.startswith("["):
            table = None
        elif table == (part or 0) and assignment.match(line):
            return number
    if header:
        return header
    return key_line(text, "parts", None) if part else None


def shown(name: str) -> str:
    """A key or file name as it can be shown on one line."""
    return name if name and name.isprintable() else repr(name)
