"""A generated cover: the title and authors set in EB Garamond on a solid colour field.

The design is a series look, the same for every book: a colour picked from a small palette by
a hash of the title, the title large and ranged left, a rule, the authors in italic below it,
and the series line at the foot. The JPEG bytes depend only on the inputs (fixed quality and
subsampling, no EXIF or timestamps), so covers rebuild byte for byte.
"""

import hashlib
import io
from collections.abc import Sequence
from pathlib import Path

import PIL
from PIL import Image, ImageDraw, ImageFont

from publish import templates
from publish.cache import digest, remembered

WIDTH, HEIGHT = 1600, 2560
MARGIN = 170
TITLE_TOP = 560
TITLE_BOX_HEIGHT = 1150
TITLE_SIZES = range(230, 89, -10)  # largest first
MAX_AUTHORS = 6
LOGO_SIZE = 220  # px, the largest side of a press's logo at the foot
INK = (247, 241, 228)  # warm paper white
PALETTE = (  # dark enough for INK to read at small sizes (contrast over 7:1)
    (122, 30, 36),  # oxblood
    (28, 52, 92),  # ink blue
    (32, 74, 58),  # forest
    (84, 40, 82),  # plum
    (44, 58, 66),  # slate
    (18, 82, 88),  # deep teal
    (128, 58, 20),  # burnt umber
    (60, 60, 40),  # olive
)


def render_cover(
    title: str,
    authors: Sequence[str] = (),
    subtitle: str | None = None,
    series: str | None = None,
    accent: str | None = None,
    logo: Path | None = None,
) -> bytes:
    """The cover as JPEG bytes (1600x2560, RGB), kept between runs: drawing and encoding it
    takes a cold build about 0.2 s. A press's accent colour replaces the palette's, and its
    logo stands at the foot."""
    inputs = repr((title, tuple(authors), subtitle, series, accent))
    mark = [logo.read_bytes()] if logo else []
    key = digest([Path(__file__).read_bytes(), PIL.__version__, *font_stamps(), inputs, *mark])
    return remembered(
        "covers", key, lambda: draw_cover(title, authors, subtitle, series, accent, logo)
    )


def font_stamps() -> list[str]:
    """Path, size and time of every cover font, so that a changed font draws a new cover."""
    stamps = []
    for folder in templates.template_dirs():
        for path in sorted((folder / "fonts").glob("EBGaramond-*.ttf")):
            info = path.stat()
            stamps.append(f"{path} {info.st_size} {info.st_mtime_ns}")
    return stamps


def draw_cover(
    title: str,
    authors: Sequence[str],
    subtitle: str | None,
    series: str | None,
    accent: str | None = None,
    logo: Path | None = None,
) -> bytes:
    """The cover drawn and encoded."""
    colour = hex_colour(accent) if accent else cover_colour(title)
    image = Image.new("RGB", (WIDTH, HEIGHT), colour)
    draw = ImageDraw.Draw(image)
    bottom = draw_title(draw, title)
    rule_y = bottom + 70
    draw.rectangle((MARGIN, rule_y, MARGIN + 360, rule_y + 6), fill=INK)
    y = rule_y + 90
    if subtitle:
        y = draw_lines(draw, wrap(subtitle, font("Italic", 76), WIDTH - 2 * MARGIN), y, 76)
        y += 40
    draw_lines(draw, author_lines(authors), y, 80, style="Roman", features=["smcp"])
    indent = draw_logo(image, logo) if logo else 0
    if series:
        draw_series(draw, series, indent)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=88, subsampling=0, optimize=False, progressive=False)
    return output.getvalue()


def author_lines(authors: Sequence[str]) -> list[str]:
    """One line per author, at most MAX_AUTHORS lines."""
    if len(authors) <= MAX_AUTHORS:
        return list(authors)
    return [*authors[: MAX_AUTHORS - 1], "…"]


STATIC_FACES = {
    ("Roman", 400): "Regular",
    ("Roman", 500): "Medium",
    ("Roman", 700): "Bold",
    ("Italic", 400): "Italic",
    ("Italic", 700): "BoldItalic",
}


def cover_colour(title: str) -> tuple[int, int, int]:
    """A palette colour chosen by the title, the same on every build."""
    digest = hashlib.sha256(title.encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def font(style: str, size: int, weight: int = 400) -> ImageFont.FreeTypeFont:
    """EB Garamond (Roman or Italic) at this pixel size and weight."""
    name = STATIC_FACES[style, weight]
    path = templates.find(f"fonts/EBGaramond-{name}.ttf")
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)


def draw_title(draw: ImageDraw.ImageDraw, title: str) -> int:
    """Set the title as large as fits the title box; return where its last line ends."""
    size, lines = fit_title(title)
    return draw_lines(draw, lines, TITLE_TOP, size, style="Roman", weight=500, leading=1.08)


def fit_title(title: str) -> tuple[int, list[str]]:
    """The largest size at which the wrapped title fits the box, and its lines."""
    width = WIDTH - 2 * MARGIN
    for size in TITLE_SIZES:
        face = font("Roman", size, weight=500)
        lines = wrap(title, face, width)
        fits = all(face.getlength(line) <= width for line in lines)
        if fits and len(lines) * round(size * 1.08) <= TITLE_BOX_HEIGHT:
            return size, lines
    room = TITLE_BOX_HEIGHT // round(size * 1.08)
    if len(lines) > room:
        lines = [*lines[: room - 1], lines[room - 1] + " …"]
    return size, lines


def draw_lines(
    draw: ImageDraw.ImageDraw,
    lines: Sequence[str],
    top: int,
    size: int,
    style: str = "Italic",
    weight: int = 400,
    leading: float = 1.3,
    features: list[str] | None = None,
) -> int:
    """Draw lines ranged left from `top`; return the y below the last baseline's descenders."""
    face = font(style, size, weight)
    pitch = round(size * leading)
    for index, line in enumerate(lines):
        draw.text((MARGIN, top + index * pitch), line, font=face, fill=INK, features=features)
    return top + len(lines) * pitch


def draw_series(draw: ImageDraw.ImageDraw, series: str, indent: int = 0) -> None:
    """The series line (the press's or the source's name) in small capitals at the foot,
    after the logo when there is one."""
    face = font("Roman", 52)
    room = WIDTH - 2 * MARGIN - indent
    text = series
    if face.getlength(text) > room:
        while len(text) > 1 and face.getlength(text + "…") > room:
            text = text[:-1]
        text = text.rstrip() + "…"
    position = (MARGIN + indent, HEIGHT - MARGIN - 52)
    draw.text(position, text, font=face, fill=INK, features=["smcp", "c2sc"])


def draw_logo(image: Image.Image, logo: Path) -> int:
    """The press's logo at the foot, at most LOGO_SIZE square; return the room it takes."""
    with Image.open(logo) as opened:
        mark = opened.convert("RGBA")
    mark.thumbnail((LOGO_SIZE, LOGO_SIZE))
    top = HEIGHT - MARGIN - mark.height + 40  # its foot on the series line's baseline
    image.paste(mark, (MARGIN, top), mark)
    return mark.width + 50


def hex_colour(value: str) -> tuple[int, int, int]:
    """#rrggbb as an RGB triple."""
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap to a pixel width; a word longer than the line gets a line of its own."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and face.getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines
