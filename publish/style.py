"""House style: publish.toml, --style FILE or a manifest's [style] table -> a frozen Style.

A press sets a few keys instead of writing CSS. Settings are layered: the defaults, then
publish.toml in the source's (or manifest's) folder, then a manifest's [style] table, then
the file given with --style, then the command line's own options (--paper, --css, --edition).
Every key is checked here: an unknown key, a bad value or a missing file is a PublishError
naming the file, the key and the accepted values. Files a style names (logo, cover,
stylesheet) must lie in the style file's own folder.
"""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from publish.errors import PublishError

STYLE_FILE = "publish.toml"
MAX_STYLE_BYTES = 64 * 1024
PAPERS = ("a5", "a4", "letter", "half-letter")
EDITIONS = ("standard", "large-print")
# Bundled OFL families: the key's value -> the family's name as the stylesheets declare it.
TYPEFACES = {
    "eb-garamond": "EB Garamond",
    "literata": "Literata",
    "atkinson-hyperlegible": "Atkinson Hyperlegible",
}
SMALLEST_SIZE, LARGEST_SIZE = 7.0, 30.0  # pt
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000
MAX_TEXT = 300  # characters of an imprint or a licence
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:pt)?\s*", re.IGNORECASE)
CREATIVE_COMMONS = re.compile(
    r"(?:CC[ -])?(BY(?:-NC)?(?:-SA|-ND)?)[ -]?(\d\.\d)(?:[ -]?INTERNATIONAL)?", re.IGNORECASE
)
PUBLIC_DOMAIN = re.compile(r"CC[ -]?0(?:[ -]1\.0)?", re.IGNORECASE)


@dataclass(frozen=True)
class Style:
    """How a book looks: chosen by a press, never by the text."""

    typeface: str = "eb-garamond"  # a key of TYPEFACES
    size: float | None = None  # body size in pt; None: the typeface's size for the paper
    paper: str = "a5"
    justify: bool = True
    hyphenate: bool = True
    compact: bool = False  # no recto starts and no blank pages (but what a booklet needs)
    accent: str | None = None  # "#rrggbb": the cover and the title rules
    logo: Path | None = None  # on the title page and the EPUB cover
    cover: Path | None = None  # a cover image instead of the generated one
    imprint: str | None = None  # the publisher's name
    licence: str | None = None  # e.g. "CC BY-SA 4.0": the colophon and the EPUB's rights
    stylesheet: Path | None = None  # the press's own CSS, after the built-in sheets
    editions: tuple[str, ...] = ("standard",)
    large_print: bool = False  # this style is a large-print edition (large_print() sets it)

    @property
    def family(self) -> str:
        """The typeface's family name, as the colophon prints it."""
        return TYPEFACES[self.typeface]

    @property
    def files(self) -> tuple[Path, ...]:
        """The files this style reads: a build depends on their bytes."""
        return tuple(path for path in (self.logo, self.cover, self.stylesheet) if path)


def licence_url(licence: str | None) -> str | None:
    """The deed of a Creative Commons licence named in its usual short form, else None."""
    if not licence:
        return None
    text = licence.strip()
    if PUBLIC_DOMAIN.fullmatch(text):
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    if match := CREATIVE_COMMONS.fullmatch(text):
        kind, version = match.groups()
        return f"https://creativecommons.org/licenses/{kind.lower()}/{version}/"
    return None


KEYS = {field.name for field in fields(Style)} - {"editions", "large_print"} | {"edition"}
LARGE_PRINT_SIZE = 18.0  # pt: UKAAF G003 prefers 18 (16 at least); APH: "most large print"
# The large-print page: A4, or Letter for a press that prints on US paper.
LARGE_PRINT_PAPER = {"a5": "a4", "a4": "a4", "letter": "letter", "half-letter": "letter"}


def large_print(style: Style) -> Style:
    """The large-print edition of a style (UKAAF G003, APH): a sans at 18 pt, ragged right,
    unhyphenated, on A4 or Letter; templates/large-print.css does the rest."""
    return replace(
        style,
        typeface="atkinson-hyperlegible",
        size=LARGE_PRINT_SIZE,
        paper=LARGE_PRINT_PAPER[style.paper],
        justify=False,
        hyphenate=False,
        editions=("large-print",),
        large_print=True,
    )


def edition_styles(style: Style) -> list[tuple[str, Style]]:
    """Each edition the style asks for, with the style it is rendered in."""
    return [
        (name, large_print(style) if name == "large-print" else style) for name in style.editions
    ]


def read_style_file(path: Path) -> dict[str, Any]:
    """The checked settings of a style file (publish.toml or --style FILE)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise PublishError(path, f"cannot read the style file: {error.strerror or error}") from None
    if len(raw) > MAX_STYLE_BYTES:
        raise PublishError(path, f"style file larger than {MAX_STYLE_BYTES // 1024} KiB")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PublishError(path, "the style file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise PublishError(path, f"not valid TOML: {error}") from None
    if set(data) == {"style"} and isinstance(data["style"], dict):
        data = data["style"]  # a [style] table on its own, as in a manifest
    return checked(data, path, path.parent.resolve())


def checked(table: Mapping[str, Any], origin: Path, folder: Path) -> dict[str, Any]:
    """Settings from a TOML table: each key known, each value of its kind, files present."""
    settings: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            accepted = ", ".join(sorted(KEYS))
            raise PublishError(origin, f"style: unknown key {key!r}; the keys are {accepted}")
        name, setting = CHECKS[key](value, Where(origin, key, folder))
        settings[name] = setting
    return settings


@dataclass(frozen=True)
class Where:
    """Where a value was read, for the error that names it."""

    origin: Path
    key: str
    folder: Path

    def error(self, problem: str) -> PublishError:
        return PublishError(self.origin, f"style: {self.key}: {problem}")


def typeface(value: object, where: Where) -> tuple[str, str]:
    if isinstance(value, str):
        key = "-".join(value.lower().split())
        if key in TYPEFACES:
            return "typeface", key
    names = ", ".join(f'"{name}"' for name in TYPEFACES)
    raise where.error(f"{value!r} is not a bundled typeface; choose from {names}")


def size(value: object, where: Where) -> tuple[str, float]:
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and (match := SIZE.fullmatch(value)):
        number = float(match.group(1))
    if number is None or not SMALLEST_SIZE <= number <= LARGEST_SIZE:
        raise where.error(
            f"{value!r} is not a body size; give points from {SMALLEST_SIZE:g} to "
            f'{LARGEST_SIZE:g}, such as 11 or "12.5pt"'
        )
    return "size", number


def paper(value: object, where: Where) -> tuple[str, str]:
    if isinstance(value, str) and value.lower() in PAPERS:
        return "paper", value.lower()
    raise where.error(f"{value!r} is not a paper size; choose from {', '.join(PAPERS)}")


def flag(value: object, where: Where) -> tuple[str, bool]:
    if isinstance(value, bool):
        return where.key, value
    raise where.error(f"{value!r} is not true or false")


def accent(value: object, where: Where) -> tuple[str, str]:
    if isinstance(value, str) and HEX_COLOUR.fullmatch(value.strip()):
        colour = value.strip().lower()
        if len(colour) == 4:
            colour = "#" + "".join(2 * digit for digit in colour[1:])
        return "accent", colour
    raise where.error(f'{value!r} is not a colour; give one as #rrggbb, such as "#8b1e24"')


def text(value: object, where: Where) -> tuple[str, str]:
    if isinstance(value, str) and value.strip() and len(value) <= MAX_TEXT and "\n" not in value:
        return where.key, " ".join(value.split())
    raise where.error(f"give one line of text, at most {MAX_TEXT} characters")


def image(value: object, where: Where) -> tuple[str, Path]:
    path = named_file(value, where, IMAGE_SUFFIXES, "an image")
    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise where.error(f"{path.name} is larger than {MAX_IMAGE_BYTES // 1024 // 1024} MiB")
    if not is_image(path):
        raise where.error(
            f"{path.name} is not a whole PNG or JPEG image (of at most 50 megapixels)"
        )
    return where.key, path


def stylesheet(value: object, where: Where) -> tuple[str, Path]:
    path = named_file(value, where, (".css",), "a stylesheet")
    return "stylesheet", path


def edition(value: object, where: Where) -> tuple[str, tuple[str, ...]]:
    values = [value] if isinstance(value, str) else value
    if isinstance(values, list) and values and all(v in EDITIONS for v in values):
        return "editions", tuple(dict.fromkeys(values))
    choices = ", ".join(f'"{name}"' for name in EDITIONS)
    raise where.error(f"{value!r} is not an edition; choose from {choices}, or a list of them")


CHECKS = {
    "typeface": typeface,
    "size": size,
    "paper": paper,
    "justify": flag,
    "hyphenate": flag,
    "compact": flag,
    "accent": accent,
    "logo": image,
    "cover": image,
    "imprint": text,
    "licence": text,
    "stylesheet": stylesheet,
    "edition": edition,
}


def named_file(value: object, where: Where, suffixes: tuple[str, ...], kind: str) -> Path:
    """A file named relative to the style's folder, present and inside that folder."""
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise where.error(f"give the name of {kind} file ({', '.join(suffixes)})")
    path = (where.folder / value).resolve()
    if not path.is_relative_to(where.folder):
        raise where.error(f"{value} is outside {where.folder}; keep it beside the style file")
    if path.suffix.lower() not in suffixes:
        raise where.error(f"{value} is not {kind} ({', '.join(suffixes)})")
    if not path.is_file():
        raise where.error(f"{value}: no such file in {where.folder}")
    return path


def is_image(path: Path) -> bool:
    """A whole PNG or JPEG of a sane size, whatever its name says."""
    from PIL import Image

    try:
        with Image.open(path, formats=("PNG", "JPEG")) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                return False
            image.verify()
    except Exception:  # noqa: BLE001 - any unreadable image is "not an image"
        return False
    return True


def option_settings(
    paper: str | None = None,
    stylesheet: Path | None = None,
    editions: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """The command line's own settings (--paper, --css, --edition); None means not given."""
    settings: dict[str, Any] = {}
    if paper is not None:
        settings["paper"] = paper
    if stylesheet is not None:
        where = Where(stylesheet, "--css", stylesheet.resolve().parent)
        settings["stylesheet"] = named_file(stylesheet.name, where, (".css",), "a stylesheet")
    if editions is not None:
        settings["editions"] = editions
    return settings


def style_for(
    source: Path,
    table: Mapping[str, Any] | None = None,
    style_file: Path | None = None,
    options: Mapping[str, Any] | None = None,
) -> Style:
    """The style of one source or manifest: defaults < publish.toml beside it < a manifest's
    [style] table < --style FILE < the command line's own options."""
    settings: dict[str, Any] = {}
    beside = source.parent / STYLE_FILE
    if beside.is_file() and beside.resolve() != (style_file and style_file.resolve()):
        settings |= read_style_file(beside)
    if table is not None:
        settings |= checked(table, source, source.parent.resolve())
    if style_file is not None:
        settings |= read_style_file(style_file)
    settings |= options or {}
    return replace(Style(), **settings)


def style_inputs(source: Path, style_file: Path | None = None) -> list[Path]:
    """The style files a source's build reads (present or not: adding one rebuilds)."""
    return [source.parent / STYLE_FILE, *([style_file] if style_file else [])]
