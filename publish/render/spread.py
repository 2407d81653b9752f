"""The print-on-demand cover: one page holding the back, the spine and the front, with bleed.

The spread is trim height + 2 × bleed high and 2 × trim width + spine + 2 × bleed wide; the
spine's width comes from the interior's page count (publish/render/pod.py). The MediaBox is
the whole spread, the TrimBox lies the bleed inside it. Every word stays inside the safety
margin: SAFETY inside the trim and the folds, and FOLD_CLEARANCE from each fold on the spine.
The panels are laid out with a wider PANEL_MARGIN; the empty barcode area sits where KDP and
Lulu print the barcode, at the bottom right of the back. templates/cover.html.j2 and
cover.css decide the look; this module works out the sizes and what the panels say.
"""

from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path

from PIL import ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject

from publish import templates
from publish.document import Document
from publish.render.cover import INK, cover_colour
from publish.render.faces import TYPEFACES, body_size
from publish.render.options import RenderOptions
from publish.render.pdf import CSS, FontConfiguration, LocalFetcher, font_timestamps, weasy_html
from publish.render.pod import BLEED, PT, SPINE_TEXT_PAGES, spine_width, trim_size
from publish.style import Style
from publish.volume import Volume
from publish.xhtml import escape_text, plain_text

SAFETY = 0.125  # in: no text nearer the trim or a panel's fold
FOLD_CLEARANCE = 0.0625  # in: no spine text nearer a fold
PANEL_MARGIN = 0.5  # in: where the panels' text starts
BARCODE = (2.0, 1.2)  # in: width, height of the area left empty for the barcode
BARCODE_OFFSET = 0.25  # in: from the spine fold and the bottom trim
DARK_INK = (26, 26, 26)
FILES = {"eb-garamond": "EBGaramond", "literata": "Literata"}
FILES["atkinson-hyperlegible"] = "AtkinsonHyperlegible"
TITLE_LINES = 4
SPINE_LARGEST = 12.0  # pt
LEGIBLE_SPINE = 5.0  # pt: smaller spine letters are printed, with a warning
SPINE_SHARE = 0.7  # of the spine's width inside the clearances that the letters' size takes
SLACK = 1.08  # measured widths are Regular's; titles are set a little wider
MAX_CONTENTS = 14  # a reader's texts listed on the back


@dataclass(frozen=True)
class Geometry:
    """Where the panels lie on the spread, in inches from its top left corner."""

    trim_width: float
    trim_height: float
    spine: float
    bleed: float = BLEED

    @property
    def width(self) -> float:
        return 2 * self.trim_width + self.spine + 2 * self.bleed

    @property
    def height(self) -> float:
        return self.trim_height + 2 * self.bleed

    @property
    def spine_left(self) -> float:
        """The fold between the back and the spine."""
        return self.bleed + self.trim_width

    @property
    def front_left(self) -> float:
        """The fold between the spine and the front."""
        return self.spine_left + self.spine

    @property
    def barcode(self) -> tuple[float, float, float, float]:
        """The empty barcode area: left, top, right, bottom."""
        right = self.spine_left - BARCODE_OFFSET
        bottom = self.bleed + self.trim_height - BARCODE_OFFSET
        return (right - BARCODE[0], bottom - BARCODE[1], right, bottom)

    @property
    def panel_text_width(self) -> float:
        return self.trim_width - 2 * PANEL_MARGIN


def spread_geometry(paper: str, pages: int, service: str, stock: str = "white") -> Geometry:
    """The spread of a book of `pages` interior pages at this trim size."""
    width, height = trim_size(paper)
    return Geometry(width, height, spine_width(pages, service, stock))


@dataclass(frozen=True)
class CoverText:
    """What the spread says: the front's title, subtitle and authors, the back's words."""

    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    description: str | None  # inline XHTML
    contents: tuple[str, ...]  # a reader's texts, "Title, Author"
    language: str


def cover_text(book: Document | Volume) -> CoverText:
    """The words of a pamphlet (its dek, else its subtitle, on the back) or of a reader (its
    subtitle and its texts)."""
    if isinstance(book, Volume):
        contents = tuple(
            ", ".join([text.meta.title, *text.meta.authors[:2]]) for text in book.texts
        )
        return CoverText(
            book.title,
            book.subtitle,
            (book.editor,) if book.editor else (),
            escape_text(book.subtitle) if book.subtitle else None,
            contents,
            book.language,
        )
    meta = book.meta
    subtitle = escape_text(meta.subtitle) if meta.subtitle else None
    description = meta.note_html or subtitle
    return CoverText(meta.title, meta.subtitle, meta.authors, description, (), meta.language)


@dataclass(frozen=True)
class SpineText:
    """The spine's one line, its size in pt, and its box (inches, before rotation)."""

    title: str
    authors: str
    size: float
    length: float
    thickness: float


def spine_text(text: CoverText, geometry: Geometry, pages: int, style: Style) -> SpineText | None:
    """The title and authors on the spine, as large as its width and length allow; none
    for a book of 79 pages or fewer (the services do not print them)."""
    thickness = geometry.spine - 2 * FOLD_CLEARANCE
    if pages < SPINE_TEXT_PAGES or thickness <= 0:
        return None
    length = geometry.trim_height - 2 * PANEL_MARGIN
    largest = min(SPINE_LARGEST, thickness * PT * SPINE_SHARE)
    authors = ", ".join(text.authors[:2]) + (" et al." if len(text.authors) > 2 else "")
    candidates = [(text.title, authors), (text.title, "")]
    for title, names in candidates:
        line = f"{title}    {names}" if names else title
        size = min(largest, length * PT / (text_width(line, style.typeface) * SLACK))
        if size >= largest * 0.75:
            return SpineText(title, names, round(size, 2), length, thickness)
    title = shortened(text.title, length * PT / SLACK, largest, style.typeface)
    return SpineText(title, "", round(largest, 2), length, thickness)


def shortened(title: str, room: float, size: float, typeface: str) -> str:
    """The title cut at a word with an ellipsis, to fit `room` pt at `size`."""
    words = title.split()
    while len(words) > 1 and text_width(" ".join(words) + " …", typeface) * size > room:
        words.pop()
    return " ".join(words) + " …"


def title_size(title: str, geometry: Geometry, style: Style) -> tuple[float, str]:
    """The front's title size in pt (the largest at which it takes at most TITLE_LINES lines
    of the panel) and the title, cut with an ellipsis when even the smallest is too large."""
    width = geometry.panel_text_width * PT / SLACK
    largest = round(geometry.trim_width * PT * 0.09)
    smallest = round(largest * 0.45)
    for size in range(largest, smallest - 1, -1):
        if len(wrapped(title, size, width, style.typeface)) <= TITLE_LINES:
            return float(size), title
    words = title.split()
    while (
        len(words) > 1
        and len(wrapped(" ".join(words) + " …", smallest, width, style.typeface)) > TITLE_LINES
    ):
        words.pop()
    return float(smallest), " ".join(words) + " …"


def wrapped(text: str, size: float, width: float, typeface: str) -> list[str]:
    """Greedy word wrap at `size` pt to `width` pt; a word wider than the line counts as two."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(candidate, typeface) * size <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
            if text_width(word, typeface) * size > width:
                lines.append("")
    return lines


def text_width(text: str, typeface: str) -> float:
    """The width of `text` set at 1 pt in the typeface's regular style."""
    return measuring_font(typeface).getlength(text) / 1000


@cache
def measuring_font(typeface: str) -> ImageFont.FreeTypeFont:
    path = templates.find(f"fonts/{FILES[typeface]}-Regular.ttf")
    return ImageFont.truetype(str(path), 1000)


def back_description(
    text: CoverText, geometry: Geometry, size: float
) -> tuple[str | None, tuple[str, ...]]:
    """The back's description and list of texts, cut to what the space above the barcode
    holds at `size` pt (a long dek is cut at a word, a long list ends with how many more)."""
    height = geometry.barcode[1] - geometry.bleed - PANEL_MARGIN - 0.25
    lines = int(height * PT / (size * 1.35))
    per_line = int(geometry.panel_text_width * PT / (size * 0.42))  # italic letters
    contents = text.contents
    if len(contents) > MAX_CONTENTS:
        contents = (*contents[: MAX_CONTENTS - 1], f"and {len(contents) - MAX_CONTENTS + 1} more")
    lines -= sum(1 + len(entry) // per_line for entry in contents)
    description = text.description
    if description and len(plain_text(description)) > lines * per_line * 0.85:
        words = plain_text(description)[: int(max(lines, 0) * per_line * 0.85)].split()[:-1]
        description = escape_text(" ".join(words) + " …") if words else None
    return description, contents


def ink_for(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """Warm white on a dark colour, near black on a light one (whichever contrasts more)."""

    def luminance(rgb: tuple[int, int, int]) -> float:
        channels = [
            (c / 255) / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb
        ]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    field = luminance(colour)
    light = (luminance(INK) + 0.05) / (field + 0.05)
    dark = (field + 0.05) / (luminance(DARK_INK) + 0.05)
    return INK if light >= dark else DARK_INK


def field_colour(style: Style, title: str) -> tuple[int, int, int]:
    """The accent of the house style, else the palette colour the EPUB cover uses."""
    if style.accent:
        hex_digits = style.accent.lstrip("#")
        return tuple(int(hex_digits[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]
    return cover_colour(title)


@dataclass(frozen=True)
class Spread:
    """The cover spread's PDF, and a line for the build summary about its spine."""

    pdf: bytes
    advice: tuple[str, ...] = ()


def render_spread(
    book: Document | Volume, options: RenderOptions, pages: int, service: str, stock: str = "white"
) -> Spread:
    """The cover spread for an interior of `pages` pages."""
    style = options.style
    geometry = spread_geometry(options.paper, pages, service, stock)
    text = cover_text(book)
    size, title = title_size(text.title, geometry, style)
    back_size = body_size(style).size
    description, contents = back_description(text, geometry, back_size)
    colour = field_colour(style, text.title)
    spine = spine_text(text, geometry, pages, style)
    html = (
        templates.environment()
        .get_template("cover.html.j2")
        .render(
            g=geometry,
            text=text,
            title=title,
            title_size=size,
            description=description,
            contents=contents,
            spine=spine,
            face=TYPEFACES[style.typeface],
            field=rgb(colour),
            ink=rgb(ink_for(colour)),
            logo=style.logo.as_uri() if style.logo else None,
            image=style.cover.as_uri() if style.cover else None,
            imprint=style.imprint,
            back_size=back_size,
            panel_margin=PANEL_MARGIN,
        )
    )
    folders = tuple({path.parent for path in (style.logo, style.cover) if path})
    with font_timestamps(options.source_date_epoch):
        pdf = typeset_spread(html, folders)
    return Spread(with_trim_box(pdf, geometry), spine_advice(spine, geometry))


def spine_advice(spine: SpineText | None, geometry: Geometry) -> tuple[str, ...]:
    """A warning when the spine's letters come out smaller than anyone can read."""
    if spine is None or spine.size >= LEGIBLE_SPINE:
        return ()
    return (
        f"the spine is {geometry.spine:.3f} in wide, so its title is set at {spine.size:g} pt; "
        f"it reads from about {LEGIBLE_SPINE:g} pt (a thicker book, or cream paper on KDP)",
    )


def rgb(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def typeset_spread(html: str, folders: tuple[Path, ...]) -> bytes:
    fonts = FontConfiguration()
    fetcher = LocalFetcher(folders)
    sheets = [
        CSS(filename=templates.find(name), url_fetcher=fetcher, font_config=fonts)
        for name in ("faces.css", "cover.css")
    ]
    base = str(templates.BUILTIN / "cover.html.j2")
    document = weasy_html(html, folders, base)
    return document.write_pdf(stylesheets=sheets, font_config=fonts)


def with_trim_box(pdf: bytes, geometry: Geometry) -> bytes:
    """The spread with its TrimBox the bleed inside the MediaBox, and its BleedBox the
    MediaBox."""
    reader = PdfReader(BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header
    page = writer.pages[0]
    bleed = geometry.bleed * PT
    width, height = geometry.width * PT, geometry.height * PT
    page.mediabox = RectangleObject((0, 0, width, height))
    page.bleedbox = RectangleObject((0, 0, width, height))
    page.trimbox = RectangleObject((bleed, bleed, width - bleed, height - bleed))
    output = BytesIO()
    writer.write(output)
    return output.getvalue()
