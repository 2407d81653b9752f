"""PDFs with a text layer (an old pamphlet to reissue): pypdfium2's characters as text lines.

pdfium gives each character with its font, size and position, and marks the line breaks it
infers. This module turns them into `Line`s, each a run of characters on one baseline, split
where a wide gap shows a column gutter; superscript digits (note calls) are marked. What the
lines mean, running heads, columns, paragraphs, notes and hyphenation, is decided in
`publish.sources.pdf_layout`. A PDF without a text layer (a scan) is refused in one line:
publish does no OCR.
"""

import ctypes
import statistics
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from publish.errors import PublishError
from publish.sources import Draft
from publish.sources.decode import check_size
from publish.sources.html import split_authors
from publish.sources.pdf_layout import Char, Line, layout

MAX_PAGES = 2000
MAX_URL = 4096
URI_ACTION = 3  # PDFACTION_URI
MAX_CHARS = 3_000_000  # about 1,500 pages of a pamphlet's text
ITALIC_FLAG = 0x40  # PDF font descriptor flag bit 7
BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")
BASELINE_SHIFT = 0.6  # a baseline this many font sizes away starts another line
GUTTER = 2.5  # a gap this many font sizes wide inside a line separates two columns
SUPERSCRIPT_SIZE = 0.85  # a character this much smaller than its line's text ...
SUPERSCRIPT_RISE = 0.15  # ... and raised by this much of the size is a superscript
NO_TEXT = (
    "this PDF has no text layer (scanned pages?); publish does not do OCR: "
    "run it through an OCR program first"
)


def read(path: Path, max_bytes: int) -> Draft:
    """A PDF's text as Markdown, its running heads, folios and hyphens repaired and reported."""
    check_size(path, max_bytes)
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        reason = "it is encrypted" if "password" in str(error).lower() else str(error)
        raise PublishError(path, f"the PDF could not be read: {reason}") from None
    try:
        if len(document) > MAX_PAGES:
            raise PublishError(path, f"{len(document):,} pages: more than {MAX_PAGES:,}")
        pages = [page_lines(document, number) for number in range(len(document))]
        chars = sum(len(line.chars) for lines in pages for line in lines)
        if chars > MAX_CHARS:
            raise PublishError(path, f"{chars:,} characters of text: more than {MAX_CHARS:,}")
        properties = document.get_metadata_dict(skip_empty=True)
    except pdfium.PdfiumError as error:
        raise PublishError(path, f"a page of the PDF could not be read: {error}") from None
    finally:
        document.close()
    if not any(line.text.strip() for lines in pages for line in lines):
        raise PublishError(path, NO_TEXT)
    body, entries = layout(pages)
    defaults = {
        "title": " ".join(properties.get("Title", "").split()),
        "authors": split_authors(properties.get("Author", "")),
    }
    return Draft(
        path=path,
        kind="pdf",
        body=body,
        defaults={key: value for key, value in defaults.items() if value},
        entries=entries,
    )


def page_lines(document: pdfium.PdfDocument, number: int) -> list[Line]:
    """The text lines of one page, in the order pdfium reads them."""
    page = document[number]
    try:
        textpage = page.get_textpage()
        try:
            chars = [char_at(textpage, index) for index in range(textpage.count_chars())]
        finally:
            textpage.close()
        height = page.get_height()
        for area, url in page_links(document, page):
            for char in chars:
                if char is not None and inside(char, area):
                    char.link = url
    finally:
        page.close()
    return [line for run in split_runs(chars) if (line := make_line(run, number, height))]


def page_links(document: pdfium.PdfDocument, page: pdfium.PdfPage) -> list[tuple[tuple, str]]:
    """The web and mail links of a page: each annotation's area and URL."""
    links = []
    position, link = ctypes.c_int(0), pdfium_c.FPDF_LINK()
    while pdfium_c.FPDFLink_Enumerate(page.raw, ctypes.byref(position), ctypes.byref(link)):
        action = pdfium_c.FPDFLink_GetAction(link)
        if not action or pdfium_c.FPDFAction_GetType(action) != URI_ACTION:
            continue
        size = pdfium_c.FPDFAction_GetURIPath(document.raw, action, None, 0)
        if not 0 < size <= MAX_URL:
            continue
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDFAction_GetURIPath(document.raw, action, buffer, size)
        area = pdfium_c.FS_RECTF()
        if pdfium_c.FPDFLink_GetAnnotRect(link, ctypes.byref(area)):
            box = (area.left, area.bottom, area.right, area.top)
            links.append((box, buffer.value.decode("latin-1").strip()))
    return links


def inside(char: Char, area: tuple[float, float, float, float]) -> bool:
    """Whether a character's middle lies in a link's area."""
    left, bottom, right, top = area
    middle = (char.x0 + char.x1) / 2
    return min(left, right) <= middle <= max(left, right) and min(bottom, top) <= char.y <= max(
        bottom, top
    )


def char_at(textpage: pdfium.PdfTextPage, index: int) -> Char | None:
    """One character with its box and font, or None for a line break pdfium inferred."""
    raw = textpage.raw
    code = pdfium_c.FPDFText_GetUnicode(raw, index)
    generated = pdfium_c.FPDFText_IsGenerated(raw, index)
    if generated and code in (10, 13):
        return None
    text = chr(code) if 0 < code < 0x110000 else ""
    # pdfium's mark for a hyphen at a line end, a soft hyphen, and Unicode's hyphens
    text = "-" if text in ("\x02", "\xad", "\u2010", "\u2011") else text
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    pdfium_c.FPDFText_GetFontInfo(raw, index, name, len(name), ctypes.byref(flags))
    font = name.value.decode("latin-1").lower()
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(raw, index, ctypes.byref(x), ctypes.byref(y))
    left, _bottom, right, _top = textpage.get_charbox(index)
    return Char(
        text=text,
        x0=left,
        x1=right,
        y=y.value,
        size=pdfium_c.FPDFText_GetFontSize(raw, index),
        italic=bool(flags.value & ITALIC_FLAG) or "italic" in font or "oblique" in font,
        bold=any(word in font for word in BOLD_NAMES),
    )


def split_runs(chars: list[Char | None]) -> list[list[Char]]:
    """Characters cut into runs on one baseline, also at gaps as wide as a column gutter.

    pdfium's own line breaks are not followed: it breaks before a raised note number.
    """
    runs: list[list[Char]] = [[]]
    for char in chars:
        if char is None or not char.text:
            continue
        inked = [c for c in runs[-1] if c.text.strip()]
        if inked and char.text.strip():
            first, previous = inked[0], inked[-1]
            size = max(first.size, char.size)
            if (
                abs(char.y - first.y) > BASELINE_SHIFT * size
                or char.x0 < previous.x0 - size
                or char.x0 - previous.x1 > GUTTER * size
            ):
                runs.append([])
        runs[-1].append(char)
    return [run for run in runs if any(c.text.strip() for c in run)]


def make_line(chars: list[Char], page: int, height: float) -> Line | None:
    """A line from a run of characters: its text, box, baseline, size and note calls."""
    inked = [char for char in chars if char.text.strip()]
    if not inked:
        return None
    size = statistics.median(char.size for char in inked)
    baseline = statistics.median(char.y for char in inked)
    for char in inked:
        char.superscript = (
            char.size < SUPERSCRIPT_SIZE * size
            and char.y > baseline + SUPERSCRIPT_RISE * size
            and char.text.isdigit()
        )
    return Line(
        page=page,
        chars=chars,
        x0=min(char.x0 for char in inked),
        x1=max(char.x1 for char in inked),
        y=height - baseline,  # measured down from the top of the page
        size=size,
        bold=all(char.bold for char in inked if char.text.isalnum()),
    )
