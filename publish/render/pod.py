"""Print on demand: the services' numbers (bleed, spine width, fewest pages) and the
print-ready interior, written from the pamphlet's own laid-out pages.

The interior is the same book as the PDF, with 0.125 in of bleed around the trim (the
TrimBox is the trim size, the MediaBox and BleedBox the trim plus bleed), an even number
of pages, every font embedded. Lulu wants the bleed on all four sides; KDP on the top,
the bottom and the outer edge only (a page 0.125 in wider and 0.25 in taller than the
trim), and no links or bookmarks. A book shorter than the service's minimum is padded
with blank pages before the colophon, as presses do.
"""

import copy
from dataclasses import dataclass
from io import BytesIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject

from publish.render.options import RenderOptions
from publish.render.pdf import Layout, write_layout

SERVICES = {"kdp": "KDP", "lulu": "Lulu"}
STOCKS = ("white", "cream")
BLEED = 0.125  # in, on every side of the cover and the interior
SPINE_TEXT_PAGES = 80  # KDP and Lulu print a spine's text only past 79 pages
FEWEST_PAGES = {"kdp": 24, "lulu": 32}
KDP_PAGE_THICKNESS = {"white": 0.002252, "cream": 0.0025}  # in a page (KDP's cover calculator)
LULU_PAGES_AN_INCH, LULU_COVER_ALLOWANCE = 444, 0.06
MM = 1 / 25.4  # in
TRIMS = {  # width, height in inches
    "a5": (148 * MM, 210 * MM),
    "a4": (210 * MM, 297 * MM),
    "letter": (8.5, 11.0),
    "half-letter": (5.5, 8.5),
}
CSS_PX = 96  # CSS px an inch: WeasyPrint's page bleed is given in px
PT = 72  # PDF points an inch
SIDES = ("top", "right", "bottom", "left")


def spine_width(pages: int, service: str, stock: str = "white") -> float:
    """The spine's width in inches for a book of `pages` interior pages."""
    if service == "kdp":
        return pages * KDP_PAGE_THICKNESS[stock]
    if service == "lulu":
        return pages / LULU_PAGES_AN_INCH + LULU_COVER_ALLOWANCE
    raise ValueError(f"unknown print-on-demand service {service!r}")


def trim_size(paper: str) -> tuple[float, float]:
    """The trim's width and height in inches."""
    if paper not in TRIMS:
        raise ValueError(f"unknown paper size {paper!r}; choose from {', '.join(TRIMS)}")
    return TRIMS[paper]


@dataclass(frozen=True)
class Interior:
    """The print-ready interior and how it was padded."""

    pdf: bytes
    pages: int  # printed pages, blanks included
    book_pages: int  # the pages the book itself fills
    service: str

    @property
    def advice(self) -> list[str]:
        """A line for the build summary when the book is shorter than the service prints."""
        fewest = FEWEST_PAGES[self.service]
        if self.book_pages >= fewest:
            return []
        return [
            f"the interior has {self.book_pages} pages, under {SERVICES[self.service]}'s "
            f"minimum of {fewest}: padded with {self.pages - self.book_pages} blank pages "
            "before the colophon"
        ]


def interior_pdf(layout: Layout, options: RenderOptions, service: str) -> Interior:
    """The interior for a print-on-demand service, from the pamphlet's laid-out pages."""
    if service not in SERVICES:
        raise ValueError(f"unknown print-on-demand service {service!r}")
    pages = [bled_page(page, index, service) for index, page in enumerate(layout.pages)]
    pdf = write_layout(layout.copy(pages), options)
    count = len(pages)
    after = count % 2  # a blank after an odd last page keeps the colophon on its side
    before = max(0, FEWEST_PAGES[service] - count - after)  # even: sides are kept
    if before or after:
        pdf = with_blanks(pdf, service, before, after)
    return Interior(pdf, count + before + after, count, service)


def bled_page(page: object, index: int, service: str) -> object:
    """A copy of a laid-out page with the service's bleed; for KDP without links and
    bookmarks. Index 0 is a right-hand page: even indexes have their outer edge right."""
    bled = copy.copy(page)
    bled.bleed = {side: BLEED * CSS_PX * bleeds for side, bleeds in bleed_sides(index, service)}
    if service == "kdp":
        bled.links = []
        bled.bookmarks = []
    return bled


def bleed_sides(index: int, service: str) -> list[tuple[str, int]]:
    """Which sides of the page at `index` bleed (1) or not (0): KDP never at the spine."""
    spine = "left" if index % 2 == 0 else "right"
    return [(side, int(service != "kdp" or side != spine)) for side in SIDES]


def media_box(trim: tuple[float, float], index: int, service: str) -> list[float]:
    """The MediaBox (the trim plus bleed) in points of the page at `index`, with the trim
    from (0, 0) to (width, height) in points, as WeasyPrint places it."""
    sides = dict(bleed_sides(index, service))
    bleed = BLEED * PT
    width, height = trim
    return [
        -bleed * sides["left"],
        -bleed * sides["bottom"],
        width + bleed * sides["right"],
        height + bleed * sides["top"],
    ]


def with_blanks(pdf: bytes, service: str, before: int, after: int) -> bytes:
    """The PDF with blank pages, boxed for the side they fall on: `before` of them before
    the last page, `after` at the end."""
    reader = PdfReader(BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header
    trim = reader.pages[0].trimbox
    size = (float(trim.width), float(trim.height))
    last = len(reader.pages) - 1
    places = [last + offset for offset in range(before)]
    places += [last + before + 1 + offset for offset in range(after)]
    for index in places:
        box = RectangleObject(media_box(size, index, service))
        writer.insert_blank_page(float(box.width), float(box.height), index)
        blank = writer.pages[index]
        blank.mediabox = box
        blank.bleedbox = box
        blank.trimbox = RectangleObject((0, 0, *size))
    output = BytesIO()
    writer.write(output)
    return output.getvalue()
