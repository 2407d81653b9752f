"""The PDF writer, read back: pages, metadata, outline, tags, fonts, notes, contents, words."""

import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pypdfium2
import pytest
from lxml import html as lxml_html

from publish import templates
from publish.document import Document, parse, plain_words
from publish.normalize import normalize
from publish.render.options import RenderOptions
from publish.render.pdf import (
    LocalFetcher,
    RefusedResource,
    balanced_lines,
    render_pdf,
    render_volume_pdf,
    typeset,
    volume_html,
)
from publish.sources import read_source
from publish.volume import Part, Volume
from tests.conftest import SEEDS, SHARED
from tests.pdftools import (
    MM,
    body_texts,
    fonts,
    link_pages,
    outline,
    page_texts,
    reader,
    squeezed,
    text_boxes,
    words,
)

EPOCH = 1700000000  # 2023-11-14T22:13:20Z
OPTIONS = RenderOptions(source_date_epoch=EPOCH)
A5_TOP, A5_BOTTOM = 17, 27  # mm: the A5 text block's top and bottom margins
MARGINS = {"a5": (17, 27), "a4": (24, 38), "letter": (22, 34), "half-letter": (16, 25)}
PAGE_SIZES = {  # points, portrait
    "a5": (148 * MM, 210 * MM),
    "a4": (210 * MM, 297 * MM),
    "letter": (612, 792),
    "half-letter": (396, 612),
}
KNOWN_NOTICE = "HarfBuzz-Subset"  # Debian lacks libharfbuzz-subset0; fontTools subsets instead


@contextmanager
def weasyprint_warnings() -> Iterator[list[str]]:
    """Collect the warnings WeasyPrint logs (a missing glyph, a bad CSS rule) while rendering."""
    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if KNOWN_NOTICE not in record.getMessage():
                found.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield found
    finally:
        logger.removeHandler(handler)


def load(path: Path) -> tuple[str, Document]:
    canonical = normalize(read_source(path)).text
    return canonical, parse(canonical)


class Rendered:
    """A source, its Document, its PDF and what WeasyPrint warned about."""

    def __init__(self, path: Path, options: RenderOptions = OPTIONS) -> None:
        self.canonical, self.document = load(path)
        with weasyprint_warnings() as self.warnings:
            self.pdf = render_pdf(self.document, options)
        self.pages = page_texts(self.pdf)


@pytest.fixture(scope="module")
def seed() -> Rendered:
    return Rendered(SEEDS / "000_cfaf1a26d7d8a683.txt")


@pytest.fixture(scope="module")
def handbook() -> Rendered:
    return Rendered(SHARED / "tenant-union-handbook.md")


@pytest.fixture(scope="module", params=["seed", "handbook"])
def sample(request: pytest.FixtureRequest) -> Rendered:
    return request.getfixturevalue(request.param)


# ---- The pamphlet ----


def test_no_warnings_while_rendering(sample: Rendered) -> None:
    assert sample.warnings == []


def test_a_missing_glyph_is_reported() -> None:
    document = parse("---\ntitle: Glyphs\nlanguage: en\n---\n\nA word in Chinese: 漢字.\n")
    with weasyprint_warnings() as warnings:
        render_pdf(document, OPTIONS)
    assert any(".notdef glyph" in message for message in warnings)


def test_a5_pages_by_default(sample: Rendered) -> None:
    for page in reader(sample.pdf).pages:
        assert float(page.mediabox.width) == pytest.approx(PAGE_SIZES["a5"][0], abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(PAGE_SIZES["a5"][1], abs=0.5)


@pytest.mark.parametrize("paper", ["a4", "letter", "half-letter"])
def test_other_trim_sizes(paper: str, handbook: Rendered) -> None:
    pdf = render_pdf(handbook.document, RenderOptions(paper=paper, source_date_epoch=EPOCH))
    page = reader(pdf).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        PAGE_SIZES[paper], abs=0.5
    )
    assert_words_present(handbook.canonical, body_texts(pdf, *MARGINS[paper]))


def test_unknown_paper_is_refused(handbook: Rendered) -> None:
    with pytest.raises(ValueError, match="paper"):
        render_pdf(handbook.document, RenderOptions(paper="b5"))


def test_even_page_count_with_colophon_last(sample: Rendered) -> None:
    assert len(sample.pages) % 2 == 0
    assert "Typeset in EB Garamond" in sample.pages[-1]


def test_metadata(handbook: Rendered) -> None:
    pdf = reader(handbook.pdf)
    info = pdf.metadata
    assert info["/Title"] == "How to Start a Tenants’ Union"
    assert info["/Author"] == "Tomás Reyes, Aileen Park"
    assert info["/Subject"] == "A Short Handbook for Neighbours"
    assert info["/Keywords"] == "Eastside Tenants Network"
    assert info["/CreationDate"].startswith("D:20231114221320")
    assert info["/ModDate"].startswith("D:20231114221320")
    assert pdf.trailer["/Root"]["/Lang"] == "en"


def test_metadata_dates_from_the_document_without_epoch(handbook: Rendered) -> None:
    pdf = render_pdf(handbook.document, RenderOptions())
    assert reader(pdf).metadata["/CreationDate"].startswith("D:20230914")


def test_tagged_for_accessibility(sample: Rendered) -> None:
    root = reader(sample.pdf).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


def test_fonts_embedded_subset_and_bundled(sample: Rendered) -> None:
    found = fonts(sample.pdf)
    assert found
    for name, embedded in found:
        assert embedded, name
        assert re.match(r"/[A-Z]{6}\+EB-Garamond", name), name


def test_every_word_reaches_the_pdf(sample: Rendered) -> None:
    assert_words_present(sample.canonical, body_texts(sample.pdf, A5_TOP, A5_BOTTOM))


def assert_words_present(canonical: str, pages: list[str]) -> None:
    """Every word of the canonical text, as often as it occurs; pages without heads or folios,
    so that a word hyphenated over a page break joins up again."""
    printed = Counter(word.lower() for word in words("\n".join(pages)))
    wanted = Counter(word.lower() for word in plain_words(canonical))
    assert not wanted - printed


def test_front_matter_reaches_the_pdf(seed: Rendered) -> None:
    meta = seed.document.meta
    text = squeezed("".join(seed.pages))
    for line in (meta.title, *meta.authors, meta.closing, *meta.signature):
        assert squeezed(line) in text
    assert squeezed("First published on Facebook") in text
    assert squeezed("Originally published on Facebook, this letter was shared") in text
    assert "socialistworker.org" in text


def test_no_text_near_the_page_edges(sample: Rendered) -> None:
    for page, left, bottom, right, top, width, height in text_boxes(sample.pdf):
        assert min(left, bottom, width - right, height - top) >= 6 * MM, page


def test_reproducible() -> None:
    _, document = load(SHARED / "tenant-union-handbook.md")
    assert render_pdf(document, OPTIONS) == render_pdf(document, OPTIONS)


# ---- Notes, contents, outline ----


def test_link_footnote_on_the_same_page_as_its_link(handbook: Rendered) -> None:
    links = link_pages(handbook.pdf)
    link_notes = [note for note in handbook.document.notes if note.kind == "link"]
    assert link_notes
    for note in link_notes:
        pages = links[note.url]
        assert len(pages) == 1, note.url  # the words in the text and the URL in the note
        assert squeezed(note.url) in squeezed(handbook.pages[pages.pop()])


def test_notes_share_one_numbering(handbook: Rendered) -> None:
    text = squeezed("".join(handbook.pages))
    for note in handbook.document.notes:
        assert f"{note.number}." in text
    assert "1.Thehandbookdraws" in text
    assert "3.https://example.org/citywide" in text


def test_author_note_links_print_their_url(handbook: Rendered) -> None:
    assert "https://example.net/clinic/templates/repair-log.pdf" in squeezed(
        "".join(handbook.pages)
    )


def test_contents_page_numbers_match_the_folios(handbook: Rendered) -> None:
    contents = handbook.pages[1]
    assert contents.startswith("Contents")
    entries = re.findall(r"^(\S.*?)[ .]*?(\d+)\s*$", contents, re.MULTILINE)
    titles = [heading.text for heading in handbook.document.headings]
    assert [title.strip(" .") for title, _ in entries] == titles
    folios = page_folios(handbook.pdf)
    for title, number in entries:
        page = folios.index(number)
        assert squeezed(title.strip(" .")) in squeezed(handbook.pages[page])


def page_folios(pdf: bytes) -> list[str]:
    """The number printed at the foot of each page ('' when none)."""
    texts = body_texts(pdf, 210 - A5_BOTTOM + 3, 0)  # under the notes' last descenders
    return [text.strip() for text in texts]


def test_folios_count_pages_and_skip_the_title_and_blank_pages(seed: Rendered) -> None:
    folios = page_folios(seed.pdf)
    assert folios[0] == "" and folios[1] == ""  # title page and its blank back
    assert folios[2] == "3"
    assert folios[-1] == ""  # colophon


def test_outline_mirrors_the_headings(handbook: Rendered) -> None:
    headings = [(h.level - 2, h.text) for h in handbook.document.headings]
    expected = [(0, handbook.document.meta.title), *headings, (0, "Colophon")]
    assert [(depth, title) for depth, title, _ in outline(handbook.pdf)] == expected


def test_no_contents_without_headings_but_bookmarks_still(seed: Rendered) -> None:
    entries = [(depth, title) for depth, title, _ in outline(seed.pdf)]
    assert entries == [(0, "A Letter from Canadian Comrades"), (0, "Colophon")]
    assert not any(text.startswith("Contents") for text in seed.pages)
    assert seed.pages[1].strip() == ""  # the title page's back stays blank


def test_running_heads(seed: Rendered) -> None:
    heads = [text.strip() for text in body_texts(seed.pdf, 0, 210 - A5_TOP)]
    assert heads[2] == ""  # the text's opening page
    assert heads[3] == "A Letter from Canadian Comrades"
    assert heads[4] == "Camfield, Gordon, McDougall and Sarner"


# ---- What WeasyPrint may load ----


def test_fetcher_serves_templates_and_fonts() -> None:
    font = templates.find("fonts/EBGaramond-Regular.ttf")
    response = LocalFetcher().fetch(font.as_uri())
    assert response.read()[:4] == b"\x00\x01\x00\x00"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/tracker.png",
        "http://localhost:8000/",
        "file:///etc/passwd",
        "file://evil.example/share/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.org/a.png",
    ],
)
def test_fetcher_refuses_everything_else(url: str, caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="publish.render.pdf"),
        pytest.raises(RefusedResource),
    ):
        LocalFetcher().fetch(url)
    assert "refused" in caplog.text


def test_fetcher_serves_only_images_inside_the_resources(tmp_path: Path) -> None:
    folder = tmp_path / "source"
    folder.mkdir()
    (folder / "figure.png").write_bytes(b"png")
    (folder / "notes.txt").write_text("secret")
    (tmp_path / "outside.png").write_bytes(b"png")
    (folder / "link.png").symlink_to(tmp_path / "outside.png")
    fetcher = LocalFetcher((folder,))
    assert fetcher.fetch((folder / "figure.png").as_uri()).read() == b"png"
    for name in ("notes.txt", "../outside.png", "link.png"):
        with pytest.raises(RefusedResource):
            fetcher.fetch((folder / name).as_uri())


def test_hostile_html_loads_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    html = (
        '<html lang="en"><head><title>T</title>'
        f'<link rel="attachment" href="{secret.as_uri()}"></head><body>'
        f'<p>x<img src="{secret.as_uri()}"><img src="https://example.org/a.png">'
        f'<a rel="attachment" href="{secret.as_uri()}">file</a></p></body></html>'
    )
    pdf = typeset(lambda verso: html, OPTIONS)
    root = reader(pdf).trailer["/Root"]
    assert "/EmbeddedFiles" not in root.get("/Names", {})
    assert b"secret" not in pdf


def test_images_next_to_the_source_are_printed(tmp_path: Path) -> None:
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d6e3a60000000049454e44ae426082"
    )
    (tmp_path / "dot.png").write_bytes(png)
    document = parse("---\ntitle: Pictures\nlanguage: en\n---\n\nA dot: ![a dot](dot.png)\n")
    pdf = render_pdf(document, RenderOptions(resources=tmp_path, source_date_epoch=EPOCH))
    resources = [page["/Resources"] for page in reader(pdf).pages]
    assert any("/XObject" in resource for resource in resources)


# ---- The reader volume ----

INTRO = """---
title: Introduction
language: en
---

This reader brings together a letter and a handbook.[^a] Read one text a week.

[^a]: The introduction's own note.
"""


@pytest.fixture(scope="module")
def volume(seed: Rendered, handbook: Rendered) -> Volume:
    return Volume(
        title="Organizing Today",
        subtitle="A Reader for Study Groups",
        editor="Eastside Study Group",
        date="2024-09-01",
        language="en",
        slug="organizing-today",
        intro=parse(INTRO),
        parts=(
            Part(
                "Week One: The Letter",
                (seed.document,),
                ("What do the authors mean by the micro-party model?",),
            ),
            Part("Week Two: The Union", (handbook.document, seed.document)),
        ),
        number_paragraphs=True,
    )


@pytest.fixture(scope="module")
def volume_pdf(volume: Volume) -> tuple[bytes, list[str], list[str]]:
    with weasyprint_warnings() as warnings:
        pdf = render_volume_pdf(volume, OPTIONS)
    return pdf, page_texts(pdf), warnings


def test_volume_renders_without_warnings(volume_pdf: tuple) -> None:
    assert volume_pdf[2] == []


def test_volume_outline_nests_texts_under_parts(volume_pdf: tuple) -> None:
    entries = [(depth, title) for depth, title, _ in outline(volume_pdf[0])]
    assert entries == [
        (0, "Introduction"),
        (0, "Week One: The Letter"),
        (1, "A Letter from Canadian Comrades"),
        (1, "Questions for discussion"),
        (0, "Week Two: The Union"),
        (1, "How to Start a Tenants’ Union"),
        (2, "Start with a conversation"),
        (2, "Hold the first meeting"),
        (2, "Make it last"),
        (1, "A Letter from Canadian Comrades"),
    ]


def test_volume_texts_start_on_right_hand_pages(volume_pdf: tuple) -> None:
    entries = outline(volume_pdf[0])
    starts = [page for depth, title, page in entries if depth < 2 and "Questions" not in title]
    assert all(page % 2 == 0 for page in starts)  # 0-based: even index, odd folio


def test_volume_footnotes_restart_in_each_text(volume_pdf: tuple) -> None:
    text = squeezed("".join(volume_pdf[1]))
    assert "1.Theintroduction'sownnote" in text.replace("’", "'")
    assert "1.Thehandbookdraws" in text
    assert "3.https://example.org/citywide" in text


def test_volume_contents_and_words(volume: Volume, volume_pdf: tuple) -> None:
    pdf, pages, _ = volume_pdf
    contents = next(text for text in pages if text.startswith("Contents"))
    for title in ("Week One: The Letter", "How to Start a Tenants’ Union", "Make it last"):
        assert squeezed(title) in squeezed(contents)
    for text in volume.texts:
        assert_words_present(text.canonical, body_texts(pdf, A5_TOP, A5_BOTTOM))


def test_volume_ids_are_unique_and_links_resolve(volume: Volume) -> None:
    tree = lxml_html.fromstring(volume_html(volume, OPTIONS))
    ids = [element.get("id") for element in tree.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    targets = [href[1:] for href in tree.xpath("//a/@href") if href.startswith("#")]
    assert targets and set(targets) <= set(ids)


def test_volume_questions_and_colophon(volume_pdf: tuple) -> None:
    pages = volume_pdf[1]
    questions = next(text for text in pages if text.startswith("Questions for discussion"))
    assert "micro-party model?" in questions
    colophon = squeezed(pages[-1])
    assert "https://socialistworker.org" in colophon
    assert "https://example.org/eastside/handbook" in colophon


def test_volume_running_heads(volume_pdf: tuple) -> None:
    pdf, pages, _ = volume_pdf
    heads = [text.strip() for text in body_texts(pdf, 0, 210 - A5_TOP)]
    letter = next(page for depth, title, page in outline(pdf) if title.startswith("A Letter"))
    assert heads[letter] == ""
    assert heads[letter + 1] == "Organizing Today"
    assert heads[letter + 2] == "A Letter from Canadian Comrades"


def test_volume_paragraph_numbers_in_the_outer_margin(volume_pdf: tuple) -> None:
    pdf = volume_pdf[0]
    sides = {"left": 0, "right": 0}
    for page, right in numbers_in_margins(pdf):
        outer = "left" if page % 2 else "right"
        side = "left" if right < 25 * MM else "right"
        assert side == outer, page
        sides[side] += 1
    assert sides["left"] and sides["right"]


def numbers_in_margins(pdf: bytes) -> Iterator[tuple[int, float]]:
    """(page, right edge) of text runs made of digits only, outside the text block's width."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number, page in enumerate(document):
            width, height = page.get_size()
            textpage = page.get_textpage()
            for index in range(textpage.count_rects()):
                left, bottom, right, top = textpage.get_rect(index)
                text = textpage.get_text_bounded(left, bottom, right, top).strip()
                in_margin = right < 25 * MM or left > width - 25 * MM
                if text.isdigit() and in_margin and bottom > A5_BOTTOM * MM:
                    yield number, right
    finally:
        document.close()


def test_title_page_titles_break_evenly() -> None:
    assert balanced_lines("A Letter from Canadian Comrades", 30) == [
        "A Letter from",
        "Canadian Comrades",
    ]
    assert balanced_lines("Organizing Today", 30) == ["Organizing Today"]


def test_images_of_a_readers_texts_come_from_each_texts_folder(tmp_path: Path) -> None:
    from PIL import Image

    for name, colour in (("one", "red"), ("two", "blue")):
        (tmp_path / name).mkdir()
        Image.new("RGB", (4, 4), colour).save(tmp_path / name / "dot.png")
    texts = [
        replace(
            parse(f"---\ntitle: {name}\nlanguage: en\n---\n\n![a dot](dot.png)\n"),
            folder=tmp_path / name,
        )
        for name in ("one", "two")
    ]
    volume = Volume(title="R", language="en", slug="r", parts=(Part("P", tuple(texts)),))
    html = volume_html(volume, RenderOptions())
    assert (tmp_path / "one" / "dot.png").as_uri() in html
    assert (tmp_path / "two" / "dot.png").as_uri() in html
    pdf = render_volume_pdf(volume, RenderOptions(source_date_epoch=EPOCH))
    assert len(re.findall(rb"/Subtype\s*/Image", pdf)) == 2
