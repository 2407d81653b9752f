"""The PDF writer: a Document (a pamphlet) or a Volume (a reader) typeset with WeasyPrint.

Python prepares the data (the body with its notes as `float: footnote` spans, the contents,
the metadata); templates/pamphlet.html.j2, volume.html.j2 and print.css decide the look.
WeasyPrint only ever sees our own templates and fonts and the source's own images: the
URL fetcher refuses everything else (the network, `file:` paths elsewhere, data URLs).
"""

import hashlib
import logging
import mimetypes
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from html import unescape as html_unescape
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pydyf
from lxml import etree

from publish import __version__, templates
from publish.cache import digest, remembered
from publish.dates import date_language, dates_in
from publish.document import Document, Heading, Meta, Note, url_html
from publish.render.faces import TYPEFACES, body_size
from publish.render.hyphenation import preload_patterns
from publish.render.libraries import weasyprint_loading
from publish.render.options import RenderOptions
from publish.render.text_boxes import bound_text_boxes
from publish.sanitize import local_file
from publish.style import Style, licence_url
from publish.volume import Volume
from publish.xhtml import escape_text, inner_xhtml, plain_text

with weasyprint_loading():  # what WeasyPrint looks up and parses as it is imported, kept
    from weasyprint import CSS, HTML
    from weasyprint import Document as Layout
    from weasyprint import __version__ as WEASYPRINT_VERSION
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from publish.render.compose import Composer, Composition, Shaper, font_faces
    from publish.render.glyph_runs import install as draw_glyphs_by_kind
    from publish.render.page_fill import Fill, filled  # these import WeasyPrint too
    from publish.render.page_styles import install as share_page_styles
    from publish.render.pdf_streams import install as compress_streams_once
    from publish.render.pseudo_styles import install as skip_unshown_pseudo_styles
    from publish.render.spaced_styles import install as share_spaced_styles
    from publish.render.text_layouts import install as keep_layout_settings
    from publish.render.used_lengths import install as resolve_lengths_at_once

share_spaced_styles()  # each composed line sets its own spacing: see spaced_styles.py
skip_unshown_pseudo_styles()  # six per element, a few dozen used: see pseudo_styles.py
draw_glyphs_by_kind()  # a glyph's operators worked out once per kind: see glyph_runs.py
keep_layout_settings()  # each font's Pango settings worked out once: see text_layouts.py
compress_streams_once()  # a page or font written before is not compressed again: pdf_streams.py
share_page_styles()  # pages the same @page rules match share styles: see page_styles.py
resolve_lengths_at_once()  # a box's used lengths in one pass: see used_lengths.py
LOGGER = logging.getLogger(__name__)
LOGGER.addHandler(logging.NullHandler())  # refusals go to the build's log, not the terminal
PDF_VARIANT = "pdf/ua-1"
# Characters of a title-page title that fit a line at each trim size (print.css: 2.2em).
TITLE_MEASURE = {"a5": 30, "a4": 34, "letter": 36, "half-letter": 30}
# Characters of a running head (print.css: 8.5pt small caps) in two thirds of the measure.
HEAD_MEASURE = {"a5": 40, "a4": 52, "letter": 54, "half-letter": 38}
# Large print (large-print.css): a title of 1.8em and running heads at the body's 18 pt.
LARGE_PRINT_TITLE_MEASURE = 26
LARGE_PRINT_HEAD_MEASURE = 40
LARGE_PRINT_SHEET = "large-print.css"
PAPERS = ("a5", "a4", "letter", "half-letter")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
LONGEST_PRINTED_URL = 160  # characters; longer URLs are shortened in the note, not in the link
WORD = re.compile(r"\w")
# A space just before an inline element, in ragged text: "shared <a>by socialistworker.org</a>"
# (not before a footnote or a nowrap span, where the space must stay outside)
SPACE_BEFORE_INLINE = re.compile(
    r'(?<=[^\s>]) (<(?:a|em|i|strong|b|cite|abbr)\b[^>]*>|<span class="name">)'
)
IMAGE_SOURCE = re.compile(r'src="(file:[^"]+)"')
BLOCK_TAG = re.compile(r"<(/?)(?:p|div|blockquote|ul|ol|li)(?:\s[^>]*)?>")


class RefusedResource(ValueError):
    """WeasyPrint asked for something outside our templates and the source's images."""


class LocalFetcher(URLFetcher):
    """Serves template files (stylesheets, fonts) and the source's images; refuses the rest."""

    def __init__(
        self, image_folders: tuple[Path, ...] = (), aliases: dict[str, str] | None = None
    ) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.roots = tuple(folder.resolve() for folder in templates.template_dirs())
        self.image_folders = tuple(folder.resolve() for folder in image_folders)
        self.aliases = aliases or {}  # an image's name by its content -> its file: URL

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = self.allowed_path(self.aliases.get(url, url))
        if path is None:
            LOGGER.warning("refused to load %s", url[:200])
            raise RefusedResource(url[:200])
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})

    def allowed_path(self, url: str) -> Path | None:
        """The local file this URL may be served from, or None."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(parts.path)).resolve()
        for root in self.roots:
            if path.is_relative_to(root):
                return template_file(path.relative_to(root))
        inside = any(path.is_relative_to(folder) for folder in self.image_folders)
        if inside and path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            return path
        return None


def template_file(relative: Path) -> Path | None:
    """A file of the template folders, the user's override first (so fonts fall back)."""
    try:
        return templates.find(relative.as_posix())
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class PrintStyle:
    """The parsed stylesheets for one house style, with the fonts they declare."""

    stylesheets: tuple[CSS, ...]
    fonts: FontConfiguration


def print_style(style: Style) -> PrintStyle:
    """The stylesheets of a style: the base sheets, the house style, the press's own
    stylesheet; parsed once per process, template folders and stylesheet version."""
    return parsed_style(style, tuple(templates.template_dirs()), stamp(style.stylesheet))


@cache
def parsed_style(style: Style, dirs: tuple[Path, ...], stamp: str) -> PrintStyle:
    if style.paper not in PAPERS:
        raise ValueError(f"unknown paper size {style.paper!r}; choose from {', '.join(PAPERS)}")
    fonts = FontConfiguration()
    fetcher = LocalFetcher(own_folders(style))
    sheets = [
        CSS(filename=templates.find(name), url_fetcher=fetcher, font_config=fonts)
        for name in base_sheets(style)
    ]
    house = house_css(style)
    if house.strip():
        base = str(templates.BUILTIN / "style.css")
        sheets.append(CSS(string=house, base_url=base, url_fetcher=fetcher, font_config=fonts))
    if style.large_print:
        sheet = templates.find(LARGE_PRINT_SHEET)
        sheets.append(CSS(filename=sheet, url_fetcher=fetcher, font_config=fonts))
    if style.stylesheet:
        sheets.append(CSS(filename=style.stylesheet, url_fetcher=fetcher, font_config=fonts))
    return PrintStyle(tuple(sheets), fonts)


def base_sheets(style: Style) -> list[str]:
    """The templates every printed book is set with: the faces, print.css, the trim size."""
    return ["faces.css", "print.css", f"paper-{style.paper}.css"]


def house_css(style: Style) -> str:
    """The CSS of what a house style changes (templates/style.css.j2)."""
    face = TYPEFACES[style.typeface]
    template = templates.environment().get_template("style.css.j2")
    return template.render(style=style, face=face, body=body_size(style))


def own_folders(style: Style) -> tuple[Path, ...]:
    """The folder of a press's stylesheet: its fonts and images may be loaded."""
    return (style.stylesheet.parent,) if style.stylesheet else ()


def stamp(path: Path | None) -> str:
    """A file's size and time: a stylesheet edited meanwhile (publish watch) is parsed anew."""
    if path is None:
        return ""
    try:
        info = path.stat()
    except OSError:
        return "missing"
    return f"{info.st_size}:{info.st_mtime_ns}"


def paragraph_composer(style: Style) -> Composer:
    """The composer for one house style: the stylesheets' faces and the page's measure."""
    return style_composer(style, tuple(templates.template_dirs()), stamp(style.stylesheet))


@cache
def style_composer(style: Style, dirs: tuple[Path, ...], stamp: str) -> Composer:
    parsed = print_style(style)
    names = base_sheets(style)
    face = TYPEFACES[style.typeface]
    if face.sheet:
        names.append(face.sheet)
    sheets = [templates.find(name) for name in names]
    if style.stylesheet:
        sheets.append(style.stylesheet)
    return Composer(Shaper(font_faces(sheets)), page_measure(style, parsed))


def page_measure(style: Style, parsed: PrintStyle) -> float:
    """The width of a page's text block in CSS px, as WeasyPrint lays it out, kept between
    runs: laying out a probe page takes a cold build about 0.1 s."""
    sheets = [templates.find(name) for name in base_sheets(style)]
    sources = [sheet.read_bytes() for sheet in sheets]
    if style.stylesheet:
        sources.append(style.stylesheet.read_bytes())
    key = digest([WEASYPRINT_VERSION, repr(style), house_css(style), *sources])

    def probe() -> bytes:
        document = HTML(string="<p>x</p>", url_fetcher=LocalFetcher()).render(
            stylesheets=list(parsed.stylesheets), font_config=parsed.fonts
        )
        return repr(document.pages[0]._page_box.width).encode()

    try:
        return float(remembered("measures", key, probe))
    except ValueError:  # a damaged entry
        return float(probe())


@dataclass(frozen=True)
class PrintText:
    """One text as the templates print it: its body ready for WeasyPrint, and its contents."""

    meta: Meta
    anchor: str
    body: str
    headings: tuple[Heading, ...]
    running: str  # the running head: the text's `running_head`, or its title cut to fit
    date_language: str  # the language whose date style the text's dates are printed in
    numbered: bool = False

    @property
    def source_url_html(self) -> str:
        """The source's URL with break opportunities, for the colophon."""
        return url_html(self.meta.source_url or "")

    @property
    def credited(self) -> str:
        """The words the title page already prints about the text: its dek and publication."""
        lines = (self.meta.note_html or "", *self.meta.published_html)
        return " ".join(plain_text(line) for line in lines)

    @property
    def show_source(self) -> bool:
        """Name the source on the title page unless its authors or the dek already do."""
        name = self.meta.source_name
        if name:
            return name not in self.credited and name not in self.meta.authors
        return self.meta.source_url is not None

    @property
    def colophon_source(self) -> bool:
        """Name the source in the colophon unless it is only one of the authors again."""
        name = self.meta.source_name
        return self.meta.source_url is not None or bool(name and name not in self.meta.authors)

    @property
    def colophon_date(self) -> bool:
        """Print "Dated ..." in the colophon unless a publication line there gives the date."""
        published = " ".join(plain_text(line) for line in self.meta.published_html)
        return self.meta.date is not None and self.meta.date not in dates_in(published)

    @property
    def show_date(self) -> bool:
        """Print the date on the title page unless the dek or publication lines give it."""
        return self.meta.date is not None and self.meta.date not in dates_in(self.credited)


@dataclass(frozen=True)
class PrintHouse:
    """What the templates print of the house style: the face's name, the press's mark, its
    name and the licence."""

    face: str
    logo: str | None  # a file: URI
    imprint: str | None
    licence: str | None
    licence_url: str | None


def print_house(style: Style) -> PrintHouse:
    return PrintHouse(
        face=style.family,
        logo=style.logo.as_uri() if style.logo else None,
        imprint=style.imprint,
        licence=style.licence,
        licence_url=licence_url(style.licence),
    )


@dataclass(frozen=True)
class ContentsEntry:
    """One line of the contents: a heading, a text or a part, and where it is."""

    level: int
    href: str
    html: str


@dataclass(frozen=True)
class PdfInfo:
    """What goes into the PDF's metadata, through the HTML head."""

    title: str
    authors: tuple[str, ...]
    description: str | None
    keywords: tuple[str, ...]
    created: str | None
    modified: str | None
    built: str | None
    version: str = __version__
    generator: str = f"publish {__version__}"


def render_pdf(document: Document, options: RenderOptions) -> bytes:
    """A typeset pamphlet: title page, contents if the text has headings, text, colophon."""
    return write_layout(layout_pdf(document, options), options)


def render_volume_pdf(volume: Volume, options: RenderOptions) -> bytes:
    """A reader in one HTML document: title, contents, introduction, parts, colophon."""
    return write_layout(layout_volume_pdf(volume, options), options)


def layout_pdf(document: Document, options: RenderOptions) -> Layout:
    """A pamphlet's pages laid out, ready to be written once or more (the interior for
    print on demand is written from the same pages)."""
    if document.folder is None and options.resources:
        document = replace(document, folder=options.resources)
    folders = image_folders([document]) + style_folders(options.style)
    return laid_out(lambda verso: pamphlet_html(document, options, verso), options, folders)


def layout_volume_pdf(volume: Volume, options: RenderOptions) -> Layout:
    """A reader's pages laid out, ready to be written."""
    folders = image_folders([*volume.texts, volume.intro]) + style_folders(options.style)
    return laid_out(lambda verso: volume_html(volume, options, verso), options, folders)


def style_folders(style: Style) -> tuple[Path, ...]:
    """The folder of the press's logo, which the title page loads."""
    return (style.logo.parent,) if style.logo else ()


def image_folders(documents: list[Document | None]) -> tuple[Path, ...]:
    """The folders the texts' images may come from (each text's own folder only)."""
    return tuple({doc.folder for doc in documents if doc is not None and doc.folder})


def pamphlet_html(
    document: Document, options: RenderOptions, verso: frozenset[str] = frozenset()
) -> str:
    """The HTML handed to WeasyPrint for a pamphlet."""
    text = print_text(document, "", 0, options.number_paragraphs, verso, options.style)
    contents = [ContentsEntry(h.level, h.id, h.html) for h in text.headings if h.level <= 3]
    template = templates.environment().get_template("pamphlet.html.j2")
    return template.render(
        text=text,
        contents=contents,
        info=pdf_info(document.meta, options),
        house=print_house(options.style),
        title_lines=balanced_lines(document.meta.title, title_measure(options.style)),
    )


def volume_html(volume: Volume, options: RenderOptions, verso: frozenset[str] = frozenset()) -> str:
    """The HTML handed to WeasyPrint for a reader."""
    numbered = options.number_paragraphs or volume.number_paragraphs
    style = options.style
    intro = print_text(volume.intro, "intro-", 0, numbered, verso, style) if volume.intro else None
    parts = print_parts(volume, numbered, verso, style)
    return (
        templates.environment()
        .get_template("volume.html.j2")
        .render(
            volume=volume,
            intro=intro,
            parts=parts,
            all_texts=[text for part in parts for text in part.texts],
            contents=volume_contents(intro, parts, volume.language),
            info=volume_info(volume, options),
            house=print_house(options.style),
            title_lines=balanced_lines(volume.title, title_measure(options.style)),
            running=running_head(volume.title, head_measure(options.style), volume.running_head),
        )
    )


def title_measure(style: Style) -> int:
    """Characters of the title page's title a line holds at this trim size and body size."""
    if style.large_print:
        return LARGE_PRINT_TITLE_MEASURE
    return paper_measure(TITLE_MEASURE, style)


def head_measure(style: Style) -> int:
    """Characters a running head may hold at this trim size and body size."""
    if style.large_print:
        return LARGE_PRINT_HEAD_MEASURE
    return paper_measure(HEAD_MEASURE, style)


def paper_measure(measures: dict[str, int], style: Style) -> int:
    if style.paper not in measures:
        raise ValueError(f"unknown paper size {style.paper!r}; choose from {', '.join(PAPERS)}")
    return max(12, round(measures[style.paper] / body_size(style).scale))


def running_head(title: str, measure: int, chosen: str | None = None) -> str:
    """The running head: the one chosen (a `running_head` key), else the title, cut at a word
    boundary with an ellipsis when it is longer than the head's measure."""
    if chosen and chosen.strip():
        return " ".join(chosen.split())
    title = " ".join(title.split())
    if len(title) <= measure:
        return title
    cut = title[:measure].rsplit(" ", 1)[0] if " " in title[:measure] else title[: measure - 1]
    return cut.rstrip(" ,.;:—–-") + "…"


def balanced_lines(title: str, measure: int) -> list[str]:
    """A display title broken into lines of even length, never one lonely word at the end."""
    words = title.split()
    count = -(-len(title) // measure)
    if count < 2 or len(words) < 2:
        return [title]
    lines, current = [], []
    target = len(title) / count
    for word in words:
        line = " ".join([*current, word])
        if current and len(line) > target and len(lines) < count - 1:
            too_long = len(line) - target > target - len(" ".join(current))
            if too_long:
                lines.append(" ".join(current))
                current = [word]
                continue
            lines.append(line)
            current = []
            continue
        current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines


def typeset(
    build_html: Callable[[frozenset[str]], str],
    options: RenderOptions,
    folders: tuple[Path, ...] = (),
) -> bytes:
    """Render the HTML to PDF (see `laid_out`)."""
    return write_layout(laid_out(build_html, options, folders), options)


def laid_out(
    build_html: Callable[[frozenset[str]], str],
    options: RenderOptions,
    folders: tuple[Path, ...] = (),
) -> Layout:
    """Lay the HTML out in pages; when paragraphs are numbered, a second pass moves the
    numbers of paragraphs that start on left-hand pages into the left (outer) margin."""
    with font_timestamps(options.source_date_epoch):
        html = build_html(frozenset())
        preload_patterns(html)
        document, fill = filled(
            lambda fill: rendered(html, options, folders, fill), paragraph_composer(options.style)
        )
        verso = paragraphs_on_verso(document)
        if verso:
            document = rendered(build_html(verso), options, folders, fill)[0]
        return document


def rendered(
    html: str, options: RenderOptions, folders: tuple[Path, ...], fill: Fill
) -> tuple[Layout, Composition | None]:
    """The HTML composed and laid out with its short pages filled as `fill` says, and its
    composition (None when it is not composed)."""
    composition = composition_of(html, options, folders, fill.tighter, fill.breaks)
    arguments = render_arguments(options)
    if fill.css:
        arguments["stylesheets"].append(CSS(string=fill.css))
    if isinstance(composition, HTML):
        return composition.render(**arguments), None
    return composition.html.render(**arguments), composition


def write_layout(layout: Layout, options: RenderOptions) -> bytes:
    """The laid-out pages as a tagged PDF (fonts embedded and subset)."""
    with font_timestamps(options.source_date_epoch), page_references_kept():
        return layout.write_pdf(pdf_variant=PDF_VARIANT, attachments=[])


def composed_html(html: str, options: RenderOptions, folders: tuple[Path, ...]) -> HTML:
    """The HTML for WeasyPrint with its justified paragraphs broken by the composer."""
    composition = composition_of(html, options, folders)
    return composition if isinstance(composition, HTML) else composition.html


def composition_of(
    html: str,
    options: RenderOptions,
    folders: tuple[Path, ...],
    tighter: frozenset[int] = frozenset(),
    breaks: frozenset[int] = frozenset(),
) -> Composition | HTML:
    """The HTML's composition, or the HTML as WeasyPrint reads it when it is not composed."""
    if not options.style.justify:
        html = spaces_into_inlines(html)
    parsed = weasy_html(html, folders)
    if not options.compose:
        return parsed
    style = print_style(options.style)
    composer = paragraph_composer(options.style)
    return composer.compose(parsed, list(style.stylesheets), style.fonts, tighter, breaks)


def spaces_into_inlines(html: str) -> str:
    """Ragged text with each space before an inline element moved inside it. WeasyPrint 70
    misses the break at a space just before an inline box when the line is full there and
    breaks at an earlier space instead, however far back ("Originally" alone on a line); the
    space inside the element breaks as it should (the kind of bug of WeasyPrint #163)."""
    return SPACE_BEFORE_INLINE.sub(lambda match: match.group(1) + " ", html)


@contextmanager
def font_timestamps(epoch: int | None) -> Iterator[None]:
    """fontTools dates each font subset now unless SOURCE_DATE_EPOCH is in the environment."""
    if epoch is None or os.environ.get("SOURCE_DATE_EPOCH") == str(epoch):
        yield
        return
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


@contextmanager
def page_references_kept() -> Iterator[None]:
    """pydyf builds its list of page references anew at each use, and WeasyPrint's tagging
    uses it once for each structure element: time that grows with pages times elements
    (0.13 s of the seed pamphlet's 8 pages, where each composed line is an element). Here the
    list is kept until a page is added; the PDF's bytes are the same."""
    built = pydyf.PDF.page_references

    def kept(document: pydyf.PDF) -> tuple:
        count = len(document.pages["Kids"])
        saved = getattr(document, "_kept_page_references", None)
        if saved is None or saved[0] != count:
            saved = count, built.fget(document)
            document._kept_page_references = saved
        return saved[1]

    pydyf.PDF.page_references = property(kept)
    try:
        yield
    finally:
        pydyf.PDF.page_references = built


def weasy_html(html: str, folders: tuple[Path, ...] = (), base_url: str | None = None) -> HTML:
    """The HTML for WeasyPrint, loading nothing but templates, fonts and the texts' images.

    WeasyPrint names an image in the PDF by a hash of its URL: each image is given a name
    made from its bytes instead, so a book's bytes do not depend on the folder it is built
    in (another checkout, a cluster worker's temporary folder)."""
    fetcher = LocalFetcher(folders)

    def by_content(match: re.Match) -> str:
        url = html_unescape(match[1])
        path = fetcher.allowed_path(url)
        if path is None:
            return match[0]  # refused, and logged, when WeasyPrint asks for it
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
        name = f"file:///publish-images/{digest}{path.suffix.lower()}"
        fetcher.aliases[name] = url
        return f'src="{name}"'

    named = IMAGE_SOURCE.sub(by_content, html)
    return HTML(string=named, base_url=base_url, url_fetcher=fetcher)


def render_arguments(options: RenderOptions) -> dict:
    style = print_style(options.style)
    return {
        "stylesheets": list(style.stylesheets),
        "font_config": style.fonts,
        "pdf_variant": PDF_VARIANT,
    }


def paragraphs_on_verso(document) -> frozenset[str]:
    """Ids of numbered paragraphs that start on a left-hand (even) page."""
    first_page: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:  # a paragraph split over pages has its id on both
            if anchor.startswith("para-") or "-para-" in anchor:
                first_page.setdefault(anchor, index)
    return frozenset(anchor for anchor, index in first_page.items() if index % 2 == 1)


def print_text(
    document: Document,
    prefix: str,
    shift: int,
    numbered: bool,
    verso: frozenset[str],
    style: Style,
) -> PrintText:
    """The body with notes as footnotes, ids prefixed, headings shifted down `shift` levels,
    each section heading with its running head (a long one cut to the head's measure)."""
    root = etree.fromstring(f"<div>{document.body_with_calls(footnote)}</div>")
    for element in root.iter():
        if element.get("id"):
            element.set("id", prefix + element.get("id"))
    for heading in root.iter("h2", "h3", "h4", "h5", "h6"):
        heading.tag = f"h{min(int(heading.tag[1]) + shift, 6)}"
        heading.set("data-running", running_head(plain_text_of(heading), head_measure(style)))
    if numbered:
        number_paragraphs(root, prefix, verso)
    if style.large_print:
        mark_whole_emphasis(root)
    locate_images(root, document.folder)
    bound_text_boxes(root)
    headings = tuple(
        Heading(h.level + shift, prefix + h.id, h.text, h.html) for h in document.headings
    )
    anchor = f"{prefix}title" if prefix else "title"
    meta = document.meta
    chosen = meta.extra.get("running_head")
    head = running_head(meta.title, head_measure(style), None if chosen is None else str(chosen))
    dated = date_language(meta.language, document.canonical)
    return PrintText(meta, anchor, inner_xhtml(root), headings, head, dated, numbered)


def plain_text_of(element: etree._Element) -> str:
    """An element's words on one line, without its footnotes."""
    words = element.xpath('.//text()[not(ancestor::*[contains(@class, "footnote")])]')
    return " ".join("".join(words).split())


def mark_whole_emphasis(root: etree._Element) -> None:
    """Mark italics that hold a whole paragraph (a quotation set in italic): large print sets
    emphasis in bold, and those in roman."""
    for block in root.iter("p", "li"):
        runs = [child for child in block if child.tag in ("em", "i")]
        if len(runs) != 1:
            continue
        inside = plain_text_of(runs[0])
        if WORD.search(inside) and not WORD.search(plain_text_of(block).replace(inside, "", 1)):
            classes = (runs[0].get("class"), "whole-emphasis")
            runs[0].set("class", " ".join(filter(None, classes)))


def locate_images(root: etree._Element, folder: Path | None) -> None:
    """Relative images point at their file inside the text's own folder (one volume's texts
    come from many folders); anything else is left for the fetcher to refuse."""
    for image in root.iter("img"):
        path = local_file(folder, image.get("src", ""))
        if path is not None:
            image.set("src", path.as_uri())


def footnote(note: Note) -> str:
    """A note as a WeasyPrint footnote: the link's URL (itself a link) or the author's note."""
    if note.kind == "link" and note.url:
        link = f'<a href="{escape(note.url)}">{printed_url(note)}</a>'
        return f'<span class="footnote link-note">{link}</span>'
    return f'<span class="footnote">{inline_blocks(note.html)}</span>'


def printed_url(note: Note) -> str:
    """The URL as printed: very long ones shortened in the middle so the note fits the page."""
    url = note.url or ""
    if len(url) <= LONGEST_PRINTED_URL:
        return note.html
    head, tail = url[: LONGEST_PRINTED_URL - 40], url[-30:]
    return (
        url_html(head)[: -len("</span>")] + "…" + url_html(tail).removeprefix('<span class="url">')
    )


def inline_blocks(html: str) -> str:
    """Paragraphs and lists of a note as spans, since a footnote span sits inside a <p>."""
    return BLOCK_TAG.sub(lambda m: "</span>" if m.group(1) else '<span class="note-para">', html)


def number_paragraphs(root: etree._Element, prefix: str, verso: frozenset[str]) -> None:
    """Give the body's own paragraphs ids (their numbers come from a CSS counter); bold
    headings, credits and datelines are not the text's paragraphs and get no number."""
    paragraphs = [p for p in root.findall("p") if p.get("class") not in ("credit", "bridgehead")]
    for number, paragraph in enumerate(paragraphs, start=1):
        ident = f"{prefix}para-{number}"
        paragraph.set("id", ident)
        if ident in verso:
            paragraph.set("class", " ".join(filter(None, (paragraph.get("class"), "verso"))))


def pdf_info(meta: Meta, options: RenderOptions) -> PdfInfo:
    """Title, authors, subject, keywords and dates for the PDF."""
    built = epoch_date(options.source_date_epoch)
    keywords = meta.extra.get("keywords") or meta.extra.get("tags") or ()
    if isinstance(keywords, str):
        keywords = tuple(word.strip() for word in keywords.split(","))
    return PdfInfo(
        title=edition_title(meta.title, meta.language, options.style),
        authors=meta.authors,
        description=meta.subtitle or plain_text(meta.note_html) or None,
        keywords=tuple(str(word) for word in keywords) or tuple(filter(None, [meta.source_name])),
        created=built or meta.date,
        modified=built or meta.date,
        built=built[:10] if built else None,
    )


def epoch_date(epoch: int | None) -> str | None:
    """SOURCE_DATE_EPOCH as a W3C date-time, or None."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def escape(text: str) -> str:
    """Text for an HTML attribute value."""
    return escape_text(text).replace('"', "&quot;")


@dataclass(frozen=True)
class PrintPart:
    """A reader's part as the template prints it."""

    title: str
    anchor: str
    texts: tuple[PrintText, ...]
    questions: tuple[str, ...]

    @property
    def questions_anchor(self) -> str:
        return f"{self.anchor}-questions"


def print_parts(
    volume: Volume, numbered: bool, verso: frozenset[str], style: Style
) -> list[PrintPart]:
    """Each part with its texts; ids prefixed per text (t1-, t2-, ...) so none collide."""
    parts, count = [], 0
    for number, part in enumerate(volume.parts, start=1):
        texts = []
        for document in part.texts:
            count += 1
            texts.append(print_text(document, f"t{count}-", 1, numbered, verso, style))
        parts.append(PrintPart(part.title, f"part-{number}", tuple(texts), part.questions))
    return parts


def volume_contents(
    intro: PrintText | None, parts: list[PrintPart], language: str
) -> list[ContentsEntry]:
    """Introduction, parts, their texts, each text's top headings, and the questions."""
    entries = []
    if intro:
        entries.append(ContentsEntry(1, intro.anchor, escape_text(intro.meta.title)))
    for part in parts:
        entries.append(ContentsEntry(1, part.anchor, escape_text(part.title)))
        for text in part.texts:
            entries.append(ContentsEntry(2, text.anchor, escape_text(text.meta.title)))
            entries.extend(ContentsEntry(3, h.id, h.html) for h in text.headings if h.level == 3)
        if part.questions:
            label = questions_label(language)
            entries.append(ContentsEntry(2, part.questions_anchor, escape_text(label)))
    return entries


def questions_label(language: str) -> str:
    """The heading of a part's discussion questions, from the templates' labels."""
    return label(language, "questions")


def label(language: str, key: str) -> str:
    """One of the words the templates add (templates/labels.html.j2), in the text's language."""
    module = templates.environment().get_template("labels.html.j2").module
    labels = module.labels
    return labels.get(language.split("-")[0].lower(), labels["en"])[key]


def edition_title(title: str, language: str, style: Style) -> str:
    """The PDF's title: a large-print edition says so, as a library catalogue would."""
    return f"{title} ({label(language, 'large_print')})" if style.large_print else title


def volume_info(volume: Volume, options: RenderOptions) -> PdfInfo:
    """The reader's PDF metadata: its editor as author, its texts' sources as keywords."""
    built = epoch_date(options.source_date_epoch)
    sources = dict.fromkeys(t.meta.source_name for t in volume.texts if t.meta.source_name)
    return PdfInfo(
        title=edition_title(volume.title, volume.language, options.style),
        authors=(volume.editor,) if volume.editor else (),
        description=volume.subtitle,
        keywords=tuple(sources),
        created=built or volume.date,
        modified=built or volume.date,
        built=built[:10] if built else None,
    )
