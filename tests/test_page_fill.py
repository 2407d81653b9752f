"""Short pages filled and notes kept with their calls (publish/render/page_fill.py)."""

import io
import math
import random
import re
from dataclasses import replace

import pdfplumber
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publish.cli import main
from publish.document import parse
from publish.normalize import normalize
from publish.render import page_fill
from publish.render.compose import (
    SHRINK,
    SLACK,
    TIGHTER_LINE_PENALTY,
    Setting,
    may_lose_a_line,
    total_fit,
)
from publish.render.options import RenderOptions
from publish.render.pdf import pamphlet_html, paragraph_composer, render_pdf, rendered
from publish.sources import read_source
from publish.style import large_print
from tests.conftest import SEEDS
from tests.test_compose import paragraph_items

OPTIONS = RenderOptions(source_date_epoch=1700000000)
GUIDE = SEEDS / "001_study-group-guide.md"
WORDS = (
    "the union met on tuesday and agreed that every tenant in the building would sign the "
    "letter before the landlord could answer any of their demands about rent repairs heating "
    "and the long delayed work on the roof"
).split()


def generated(seed: int) -> str:
    """Fourteen paragraphs of 20 to 90 words, one of them calling a three-line note."""
    rng = random.Random(seed)

    def paragraph(words: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."

    paragraphs = [paragraph(rng.randint(20, 90)) for _ in range(14)]
    called = rng.randint(6, 11)
    paragraphs[called] = paragraphs[called][:-1] + " and so it went.[^n]"
    body = "\n\n".join(paragraphs) + "\n\n[^n]: " + paragraph(45) + "\n"
    return "---\ntitle: Test\nlanguage: en\n---\n\n" + body


def pages_text(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as document:
        return [page.extract_text() or "" for page in document.pages]


def laid_out(canonical: str) -> tuple:
    """The document laid out as first set, and filled."""
    html = pamphlet_html(parse(canonical), OPTIONS, frozenset())
    first = rendered(html, OPTIONS, (), page_fill.Fill())
    filled = page_fill.filled(
        lambda fill: rendered(html, OPTIONS, (), fill), paragraph_composer(OPTIONS.style)
    )
    return first, filled, html


# Texts in which WeasyPrint, left alone, sets the note a page after its call: to give the
# paragraph at the page's foot the two lines its orphans rule asks for, or twice over.
STRAYING = [0, 10, 13, 18, 23]


@pytest.mark.parametrize("seed", STRAYING)
def test_a_note_is_printed_on_its_calls_page(seed: int) -> None:
    (first, _), (layout, fill), _ = laid_out(generated(seed))
    assert page_fill.strayed_notes(first)  # as WeasyPrint sets it
    assert page_fill.strayed_notes(layout) == [] and fill.breaks
    pages = pages_text(render_pdf(parse(generated(seed)), OPTIONS))
    calls = [number for number, text in enumerate(pages) if "so it went" in text]
    notes = [number for number, text in enumerate(pages) if re.search(r"^1\. ", text, re.M)]
    assert calls == notes


def test_a_paragraph_is_set_a_line_tighter_to_fill_a_page() -> None:
    (first, composition), (layout, fill), html = laid_out(generated(30))
    assert fill.tighter and not fill.long
    white = page_fill.white(page_fill.short_pages(layout))
    assert white < page_fill.white(page_fill.short_pages(first))
    _, tighter = rendered(html, OPTIONS, (), fill)
    lines = {composed.index: composed.lines for composed in composition.paragraphs.values()}
    for composed in tighter.paragraphs.values():
        if composed.index in fill.tighter:
            assert composed.tighter and composed.lines < lines[composed.index]


def test_a_spread_runs_a_line_long_when_no_paragraph_can_be_set_tighter() -> None:
    """The study group guide's page 4 ended 4.3 lines short: the next line calls a
    three-line note, and no paragraph on the page can lose a line."""
    document = parse(normalize(read_source(GUIDE)).text)
    html = pamphlet_html(document, OPTIONS, frozenset())
    first, _ = rendered(html, OPTIONS, (), page_fill.Fill())
    assert [(page.number, round(page.lines, 1)) for page in page_fill.short_pages(first)] == [
        (3, 4.3)
    ]
    layout, fill = page_fill.filled(
        lambda fill: rendered(html, OPTIONS, (), fill), paragraph_composer(OPTIONS.style)
    )
    assert fill.long == {4} and page_fill.short_pages(layout) == []
    with pdfplumber.open(io.BytesIO(render_pdf(document, OPTIONS))) as pdf:
        folios, feet = {}, {}
        for number, page in enumerate(pdf.pages[2:5], 3):
            folio = [char for char in page.chars if char["text"] == str(number)]
            folios[number] = round(max(char["top"] for char in folio), 1)
            body = [char for char in page.chars if 10.5 < char["size"] < 11.5]
            feet[number] = max(char["bottom"] for char in body)
        notes = [page.extract_text() for page in pdf.pages[3:4]]
    assert len(set(folios.values())) == 1  # the folio stays where it is on every page
    assert feet[4] > feet[3]  # page 4's text runs lower
    assert "has the same pages and the same page numbers" in notes[0] and "2. This" in notes[0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.floats(8, 40), st.booleans()), min_size=10, max_size=60),
    st.integers(2, 5),
    st.floats(0.005, 0.2),
)
def test_a_tighter_setting_takes_no_more_lines_and_never_shrinks_too_far(
    words: list, lines: int, over: float
) -> None:
    items, setting = just_over(words, lines, over, 0.0)
    natural = total_fit(items, setting, math.inf)
    tighter = total_fit(items, setting, math.inf, TIGHTER_LINE_PENALTY)
    assert tighter is not None and len(tighter) <= len(natural)
    for line in tighter[:-1]:  # the spaces (8 px) shrink by SHRINK at most
        assert line.word_spacing is None or line.word_spacing >= -SHRINK * 8.0 - SLACK - 1e-9


def just_over(words: list, lines: int, over: float, track: float) -> tuple[list, Setting]:
    """A paragraph of these words, its measure such that its natural width runs `over` a
    line past `lines` full lines: a paragraph that its shrink may or may not set a line
    shorter."""
    items = paragraph_items(words, space=8.0)
    natural = sum(item.width for item in items if item.kind != "penalty")
    measure = max(natural / (lines + over), max(width for width, _ in words))
    return items, Setting(measure, 0.0, track)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.floats(8, 40), st.booleans()), min_size=10, max_size=60),
    st.integers(2, 5),
    st.floats(0.005, 0.2),
    st.sampled_from([0.0, 0.05, 0.1, 0.3]),  # px of letter-spacing a letter at ratio 1
)
def test_the_bound_never_rules_out_a_paragraph_that_can_lose_a_line(
    words: list, lines: int, over: float, track: float
) -> None:
    items, setting = just_over(words, lines, over, track)
    natural = total_fit(items, setting, math.inf)
    tighter = total_fit(items, setting, math.inf, TIGHTER_LINE_PENALTY)
    if len(tighter) < len(natural):
        assert may_lose_a_line(natural, setting)


def test_paragraphs_just_over_a_line_are_set_a_line_shorter_when_asked() -> None:
    """The property above is not idle: of such paragraphs, a good share lose a line."""
    chooser, lost = random.Random(2), 0
    for _ in range(100):
        words = [(chooser.uniform(8, 40), chooser.random() < 0.3) for _ in range(30)]
        items, setting = just_over(words, chooser.randint(2, 5), 0.04, 0.1)
        natural = total_fit(items, setting, math.inf)
        tighter = total_fit(items, setting, math.inf, TIGHTER_LINE_PENALTY)
        lost += len(tighter) < len(natural)
    assert lost >= 5


def test_longer_documents_only_have_their_notes_brought_back(monkeypatch) -> None:
    html = pamphlet_html(parse(generated(21)), OPTIONS, frozenset())  # two short pages
    composer = paragraph_composer(OPTIONS.style)

    def fill() -> page_fill.Fill:
        return page_fill.filled(lambda fill: rendered(html, OPTIONS, (), fill), composer)[1]

    assert fill().long
    monkeypatch.setattr(page_fill, "MOST_PAGES", 2)
    assert fill() == page_fill.Fill()
    html = pamphlet_html(parse(generated(0)), OPTIONS, frozenset())  # a note apart
    assert fill().breaks
    monkeypatch.setattr(page_fill, "MOST_PAGES_FOR_NOTES", 2)
    assert fill() == page_fill.Fill()


@pytest.mark.parametrize(
    ("seed", "style"),
    [
        (14, replace(OPTIONS.style, justify=False)),  # ragged right: nothing composed
        (12, large_print(OPTIONS.style)),
    ],
)
def test_a_note_keeps_to_its_call_in_ragged_text_and_large_print(seed: int, style) -> None:
    options = replace(OPTIONS, style=style)
    html = pamphlet_html(parse(generated(seed)), options, frozenset())
    first, composition = rendered(html, options, (), page_fill.Fill())
    assert page_fill.strayed_notes(first) and not composition.paragraphs
    layout, fill = page_fill.filled(
        lambda fill: rendered(html, options, (), fill), paragraph_composer(style)
    )
    assert fill.breaks and page_fill.strayed_notes(layout) == []


def test_verbose_builds_say_how_pages_were_filled(tmp_path, capsys) -> None:
    status = main(["build", "-v", "--formats", "pdf", "-o", str(tmp_path), str(GUIDE)])
    assert status == 0
    assert "  page 4 runs a line long to fill page 4\n" in capsys.readouterr().err
