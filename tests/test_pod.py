"""Print on demand, read back: the cover spread's boxes and panels, the spine's text, the
safe area, the barcode area, and the interior's bleed, pages, links, bookmarks and fonts."""

from io import BytesIO
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image
from weasyprint import HTML

from publish.cli import main
from publish.document import parse
from publish.render.options import RenderOptions
from publish.render.pdf import layout_pdf
from publish.render.pod import interior_pdf, spine_width
from publish.render.spread import (
    FOLD_CLEARANCE,
    SAFETY,
    render_spread,
    spread_geometry,
)
from publish.style import Style
from publish.volume import Part, Volume
from tests.pdftools import fonts, page_texts, reader

EPOCH = 1700000000
OPTIONS = RenderOptions(source_date_epoch=EPOCH)
TRIMS = {"a5": (148 / 25.4, 210 / 25.4), "letter": (8.5, 11.0), "half-letter": (5.5, 8.5)}
TITLE = "The Conquest of Bread"
BOOK = parse(
    f"---\ntitle: {TITLE}\nsubtitle: Essays on plenty\nlanguage: en\n"
    "authors: [Peter Kropotkin]\n"
    "note: How a city could feed itself in a week of strike.\n---\n\n"
    "## One\n\nWords with [a link](https://example.org/bread).\n\n## Two\n\nMore words.\n"
)


def spread(pages: int, service: str = "kdp", stock: str = "white", **style: object) -> bytes:
    options = OPTIONS.styled(Style(**style)) if style else OPTIONS
    return render_spread(BOOK, options, pages, service, stock).pdf


def expected_spine(pages: int, service: str, stock: str) -> float:
    """The services' published formulas, in inches."""
    if service == "lulu":
        return pages / 444 + 0.06
    return pages * {"white": 0.002252, "cream": 0.0025}[stock]


@pytest.mark.parametrize(
    ("service", "stock", "pages", "spine"),
    [("kdp", "white", 100, 0.2252), ("kdp", "cream", 100, 0.25), ("lulu", "white", 444, 1.06)],
)
def test_spine_width_formulas(service: str, stock: str, pages: int, spine: float) -> None:
    assert spine_width(pages, service, stock) == pytest.approx(spine)


@pytest.mark.parametrize(
    ("service", "stock", "pages", "paper"),
    [
        ("kdp", "white", 24, "a5"),
        ("kdp", "white", 312, "letter"),
        ("kdp", "cream", 150, "half-letter"),
        ("lulu", "white", 32, "a5"),
        ("lulu", "white", 500, "letter"),
    ],
)
def test_spread_media_and_trim_boxes(service: str, stock: str, pages: int, paper: str) -> None:
    pdf = reader(spread(pages, service, stock, paper=paper))
    assert len(pdf.pages) == 1
    page = pdf.pages[0]
    width, height = TRIMS[paper]
    spine = expected_spine(pages, service, stock)
    media = [float(v) for v in page.mediabox]
    assert media == pytest.approx(
        [0, 0, (2 * width + spine + 0.25) * 72, (height + 0.25) * 72], abs=0.5
    )
    trim = [float(v) for v in page.trimbox]
    assert trim == pytest.approx([9, 9, media[2] - 9, media[3] - 9], abs=0.5)
    assert [float(v) for v in page.bleedbox] == pytest.approx(media, abs=0.5)


def spine_chars(pdf: bytes, pages: int, service: str, stock: str = "white") -> str:
    """The characters set between the two folds."""
    geometry = spread_geometry("a5", pages, service, stock)
    left, right = geometry.spine_left * 72, geometry.front_left * 72
    with pdfplumber.open(BytesIO(pdf)) as document:
        chars = document.pages[0].chars
        return "".join(c["text"] for c in chars if left <= c["x0"] and c["x1"] <= right)


@pytest.mark.parametrize(("service", "stock"), [("kdp", "white"), ("kdp", "cream"), ("lulu", "")])
def test_spine_text_only_past_79_pages(service: str, stock: str) -> None:
    stock = stock or "white"
    assert spine_chars(spread(79, service, stock), 79, service, stock) == ""
    text = spine_chars(spread(80, service, stock), 80, service, stock)
    assert TITLE.replace(" ", "") in text.replace(" ", "")
    assert "Kropotkin" in text.replace(" ", "") or "KROPOTKIN" in text.upper().replace(" ", "")


def safe_areas(pdf: bytes, pages: int, service: str, paper: str) -> list[tuple[float, ...]]:
    """The back's, the spine's and the front's safe areas in pt (x0, top, x1, bottom)."""
    g = spread_geometry(paper, pages, service)
    top, bottom = (g.bleed + SAFETY) * 72, (g.height - g.bleed - SAFETY) * 72
    return [
        ((g.bleed + SAFETY) * 72, top, (g.spine_left - SAFETY) * 72, bottom),
        ((g.spine_left + FOLD_CLEARANCE) * 72, top, (g.front_left - FOLD_CLEARANCE) * 72, bottom),
        ((g.front_left + SAFETY) * 72, top, (g.width - g.bleed - SAFETY) * 72, bottom),
    ]


def outside_safe_areas(pdf: bytes, pages: int, service: str, paper: str) -> list[str]:
    areas = safe_areas(pdf, pages, service, paper)
    with pdfplumber.open(BytesIO(pdf)) as document:
        chars = document.pages[0].chars
        assert chars
        return [
            c["text"]
            for c in chars
            if not any(
                x0 <= c["x0"] and c["x1"] <= x1 and top <= c["top"] and c["bottom"] <= bottom
                for x0, top, x1, bottom in areas
            )
        ]


LONG_TITLE = " ".join(["Mutual Aid"] * 30)
LONG_NOTE = " ".join(["A long description of the book that goes on and on."] * 80)
LONG_BOOK = parse(
    f"---\ntitle: {LONG_TITLE}\nsubtitle: A Factor of Evolution\nlanguage: en\n"
    f"authors: [Peter Kropotkin, Élisée Reclus, Emma Goldman]\nnote: {LONG_NOTE}\n---\n\nText.\n"
)


@pytest.mark.parametrize(
    ("book", "pages", "service", "paper"),
    [
        (BOOK, 80, "kdp", "a5"),
        (BOOK, 400, "lulu", "letter"),
        (LONG_BOOK, 90, "kdp", "half-letter"),
        (LONG_BOOK, 700, "lulu", "a5"),
    ],
)
def test_every_character_inside_the_safe_area(
    book: object, pages: int, service: str, paper: str
) -> None:
    style = Style(paper=paper, imprint="Bread and Roses Press " * 10)
    pdf = render_spread(book, OPTIONS.styled(style), pages, service).pdf
    assert outside_safe_areas(pdf, pages, service, paper) == []


def test_the_barcode_area_is_empty(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (200, 100), (200, 40, 40)).save(logo)
    style = Style(imprint="Bread and Roses Press", logo=logo)
    pdf = render_spread(LONG_BOOK, OPTIONS.styled(style), 200, "kdp").pdf
    left, top, right, bottom = (v * 72 for v in spread_geometry("a5", 200, "kdp").barcode)
    assert (right - left, bottom - top) == pytest.approx((144, 86.4))
    with pdfplumber.open(BytesIO(pdf)) as document:
        page = document.pages[0]
        field = [r for r in page.rects if r["width"] >= page.width - 1]  # the colour field
        objects = page.chars + page.images + page.rects + page.lines
        assert len(field) == 1
        assert len(page.images) == 1
        assert any(c["text"] == "B" and c["x1"] < left for c in page.chars)  # the imprint
        inside = [
            o
            for o in objects
            if o not in field
            and o["x0"] < right
            and o["x1"] > left
            and o["top"] < bottom
            and o["bottom"] > top
        ]
    assert inside == []


def test_a_cover_image_fills_the_front_panel_and_its_bleed(tmp_path: Path) -> None:
    image = tmp_path / "cover.jpg"
    Image.new("RGB", (600, 900), (30, 90, 140)).save(image)
    pdf = spread(120, cover=image)
    geometry = spread_geometry("a5", 120, "kdp")
    with pdfplumber.open(BytesIO(pdf)) as document:
        page = document.pages[0]
        (picture,) = page.images
        box = [picture["x0"], picture["top"], picture["x1"], picture["bottom"]]
        front_words = [c for c in page.chars if c["x0"] > geometry.front_left * 72]
    # object-fit: cover scales the image to cover the panel; what lies beyond it is clipped
    assert box[0] == pytest.approx(geometry.front_left * 72, abs=0.5)
    assert box[2] == pytest.approx(geometry.width * 72, abs=0.5)
    assert box[1] <= 0 and box[3] >= page.height
    assert front_words == []


def test_spread_fonts_embedded_in_the_books_typeface() -> None:
    found = fonts(spread(100, typeface="literata"))
    assert found and all(embedded for _, embedded in found)
    assert all("Literata" in name for name, _ in found)


def test_a_light_accent_gets_dark_ink() -> None:
    pdf = spread(100, accent="#f4e9c8")
    with pdfplumber.open(BytesIO(pdf)) as document:
        colours = {c["non_stroking_color"] for c in document.pages[0].chars}
    assert len(colours) == 1
    assert max(colours.pop()) < 0.2


def test_a_readers_back_lists_its_texts() -> None:
    texts = tuple(
        parse(f"---\ntitle: Text {n}\nlanguage: en\nauthors: [Writer {n}]\n---\n\nWords.\n")
        for n in range(1, 21)
    )
    volume = Volume(
        "A Reader", "en", "a-reader", (Part("One", texts),), subtitle="Twenty texts", editor="Ed"
    )
    pdf = render_spread(volume, OPTIONS, 120, "lulu").pdf
    text = page_texts(pdf)[0]
    assert "Text 1, Writer 1" in text
    assert "and 7 more" in text
    assert "Text 20" not in text
    assert outside_safe_areas(pdf, 120, "lulu", "a5") == []


@pytest.fixture(scope="module")
def layout():
    return layout_pdf(BOOK, OPTIONS)


@pytest.fixture(scope="module")
def kdp(layout):
    return interior_pdf(layout, OPTIONS, "kdp")


@pytest.fixture(scope="module")
def lulu(layout):
    return interior_pdf(layout, OPTIONS, "lulu")


def test_interiors_are_padded_to_the_services_minimum_before_the_colophon(
    layout, kdp, lulu
) -> None:
    assert (kdp.pages, lulu.pages) == (24, 32)
    for interior in (kdp, lulu):
        pages = page_texts(interior.pdf)
        assert len(pages) == interior.pages
        assert "Typeset in EB Garamond" in pages[-1]
        book_pages = len(layout.pages)
        assert all(not text.strip() for text in pages[book_pages - 1 : -1])
    assert kdp.advice == [
        f"the interior has {len(layout.pages)} pages, under KDP's minimum of 24: padded with "
        f"{24 - len(layout.pages)} blank pages before the colophon"
    ]


def test_kdp_interior_bleeds_on_the_outer_edges_only(kdp) -> None:
    width, height = 148 / 25.4 * 72, 210 / 25.4 * 72
    for index, page in enumerate(reader(kdp.pdf).pages):
        assert [float(v) for v in page.trimbox] == pytest.approx([0, 0, width, height], abs=0.5)
        left, right = (0, width + 9) if index % 2 == 0 else (-9, width)
        media = [float(v) for v in page.mediabox]
        assert media == pytest.approx([left, -9, right, height + 9], abs=0.5)
        assert [float(v) for v in page.bleedbox] == pytest.approx(media, abs=0.5)


def test_lulu_interior_bleeds_on_every_side(lulu) -> None:
    width, height = 148 / 25.4 * 72, 210 / 25.4 * 72
    for page in reader(lulu.pdf).pages:
        assert [float(v) for v in page.trimbox] == pytest.approx([0, 0, width, height], abs=0.5)
        media = [float(v) for v in page.mediabox]
        assert media == pytest.approx([-9, -9, width + 9, height + 9], abs=0.5)


def annotations(pdf: bytes) -> list[str]:
    return [
        str(annotation.get_object().get("/Subtype"))
        for page in reader(pdf).pages
        for annotation in page.get("/Annots", []) or []
    ]


def test_kdp_interior_has_no_links_or_bookmarks_and_lulu_keeps_them(kdp, lulu) -> None:
    assert "/Outlines" not in reader(kdp.pdf).trailer["/Root"]
    assert annotations(kdp.pdf) == []
    assert reader(lulu.pdf).outline
    assert "/Link" in annotations(lulu.pdf)


def test_interior_fonts_embedded(kdp, lulu) -> None:
    for interior in (kdp, lulu):
        found = fonts(interior.pdf)
        assert found and all(embedded for _, embedded in found)


def test_an_odd_last_page_keeps_its_side_with_a_blank_after_it() -> None:
    html = "<html lang=en><title>t</title>" + "".join(
        f"<p style='break-before: page'>page {n}</p>" for n in range(1, 28)
    )
    layout = HTML(string=html).render()
    interior = interior_pdf(layout, OPTIONS, "kdp")
    pages = page_texts(interior.pdf)
    assert len(pages) == 28
    assert pages[26].strip() == "page 27"
    assert not pages[27].strip()
    assert interior.advice == []


def test_build_writes_interior_and_cover_with_a_note(tmp_path: Path, capsys) -> None:
    source = tmp_path / "bread.md"
    source.write_text(f"---\ntitle: {TITLE}\nlanguage: en\n---\n\nA few words.\n")
    out = tmp_path / "out"
    argv = ["build", str(source), "-o", str(out), "--formats", "cover", "--pod", "lulu"]
    assert main([*argv, "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    names = sorted(p.name for p in out.glob("*.pdf"))
    assert names == ["the-conquest-of-bread-cover.pdf", "the-conquest-of-bread-interior.pdf"]
    assert "under Lulu's minimum of 32: padded with" in err
    cover = reader((out / "the-conquest-of-bread-cover.pdf").read_bytes()).pages[0]
    assert float(cover.mediabox.width) == pytest.approx((2 * TRIMS["a5"][0] + 32 / 444 + 0.31) * 72)


def test_a_spine_too_thin_to_read_is_printed_with_a_warning() -> None:
    (thin,) = render_spread(BOOK, OPTIONS, 80, "kdp", "white").advice
    assert thin.startswith("the spine is 0.180 in wide, so its title is set at ")
    assert render_spread(BOOK, OPTIONS, 80, "lulu").advice == ()
    assert render_spread(BOOK, OPTIONS, 150, "kdp", "white").advice == ()


def test_the_spread_rebuilds_byte_for_byte() -> None:
    assert spread(100) == spread(100)
    assert reader(spread(100)).metadata["/Title"] == TITLE
