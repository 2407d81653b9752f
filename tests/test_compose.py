"""The paragraph composer: total-fit breaks, imposed lines that fit, words kept, fallbacks."""

import logging
import math
from pathlib import Path
from xml.etree import ElementTree

import cssselect2
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from weasyprint import CSS, HTML, css
from weasyprint.css import get_all_computed_styles
from weasyprint.formatting_structure import boxes

from publish.cli import main
from publish.document import parse
from publish.normalize import normalize
from publish.render import compose, pdf
from publish.render.compose import (
    MOST_COMPOSED,
    MOST_STRETCH,
    SHRINK,
    SLACK,
    Composer,
    Item,
    Setting,
    address_breaks,
    total_fit,
)
from publish.render.options import RenderOptions
from publish.render.pdf import composed_html, pamphlet_html, render_arguments
from publish.render.pseudo_styles import SHOWN_BY
from publish.render.spaced_styles import (
    ATTRIBUTES,
    Computed,
    SpacedStyle,
    computed_style,
    declared_spacing,
)
from publish.sources import read_source
from publish.style import Style, large_print
from tests.conftest import SEEDS, SHARED

OPTIONS = RenderOptions(source_date_epoch=1700000000)


def paragraph_items(words: list[tuple[float, bool]], space: float = 3.0) -> list[Item]:
    """Boxes of the given widths between spaces; a True word gets a hyphenation point."""
    items, position = [], 0
    for number, (width, hyphenate) in enumerate(words):
        if number:
            items.append(Item("glue", position, position + 1, space, space, letters=1))
            position += 1
        if hyphenate:
            half = width / 2
            items.append(Item("box", position, position + 2, half, half, letters=2))
            items.append(Item("penalty", position + 2, position + 2, 2.0, 2.0, 50, True))
            items.append(Item("box", position + 2, position + 4, half, half, letters=2))
            position += 4
        else:
            items.append(Item("box", position, position + 4, width, width, letters=4))
            position += 4
    return items


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(8, 60), st.booleans()), min_size=1, max_size=80))
def test_total_fit_lines_fill_the_measure_and_never_three_hyphens(words: list) -> None:
    items = paragraph_items(words)
    lines = total_fit(items, Setting(200.0, 0.0, 0.0), math.inf)
    assert lines is not None
    assert lines[0].start == 0 and lines[-1].end == items[-1].end
    run = 0
    for line in lines:
        run = run + 1 if line.hyphen else 0
        assert run <= 2
    for line in lines[:-1]:  # a line of one word has no space to set
        assert line.word_spacing is None or line.word_spacing >= -SHRINK * 3.0 - SLACK - 1e-9


def words_and_pieces(words: list[tuple[int, int]], lazy: bool) -> list[Item]:
    """Boxes between spaces; a word (width, cut) with a cut gets a hyphenation point there,
    its pieces made when asked if `lazy` (the hyphen may be wider than the word's end)."""
    items: list[Item] = []
    position = 0
    for width, cut in words:
        if items:
            items.append(Item("glue", position, position + 1, 3.0, 3.0, letters=1))
            position += 1
        pieces = [Item("box", position, position + 4, float(width), float(width), letters=4)]
        if 0 < cut < width:
            pieces = [
                Item("box", position, position + 2, float(cut), float(cut), letters=2),
                Item("penalty", position + 2, position + 2, 6.0, 6.0, 50, True),
                Item("box", position + 2, position + 4, width - cut, width - cut, letters=2),
            ]
        if lazy and len(pieces) > 1:
            whole = Item("box", position, position + 4, float(width), float(width), letters=4)
            whole.hyphenated, whole.reach = (lambda pieces=pieces: pieces), 6.0
            pieces = [whole]
        items.extend(pieces)
        position += 4
    return items


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(4, 60), st.integers(0, 59)), min_size=1, max_size=50),
    st.sampled_from([1.0, MOST_STRETCH, math.inf]),
    st.integers(100, 260),
)
@example([(80, 0), (20, 18), (90, 0)], 1.0, 108)  # the hyphen reaches past the word's end
def test_words_hyphenated_only_where_a_line_may_end_break_alike(
    words: list, most: float, measure: int
) -> None:
    setting = Setting(float(measure), 0.0, 0.0)
    eager = total_fit(words_and_pieces(words, lazy=False), setting, most)
    assert total_fit(words_and_pieces(words, lazy=True), setting, most) == eager


def test_the_composer_hyphenates_only_words_a_line_may_end_in(monkeypatch) -> None:
    document = parse(normalize(read_source(SEEDS / "000_cfaf1a26d7d8a683.txt")).text)
    html = pamphlet_html(document, OPTIONS)
    hyphenated: list[int] = []
    points = Composer.hyphenation_points

    def counted(self, *arguments):
        hyphenated.append(1)
        return points(self, *arguments)

    monkeypatch.setattr(Composer, "hyphenation_points", counted)
    lazy = ElementTree.tostring(composed_html(html, OPTIONS, ()).etree_element)
    lazy_count, hyphenated[:] = len(hyphenated), []
    fit = compose.total_fit

    def eager_fit(items, *arguments):
        whole = [p for item in items for p in (item.hyphenated() if item.hyphenated else [item])]
        return fit(whole, *arguments)

    monkeypatch.setattr(compose, "total_fit", eager_fit)
    pdf.style_composer.cache_clear()  # a new composer, which has set no paragraph yet
    eager_html = composed_html(html, OPTIONS, ())
    assert ElementTree.tostring(eager_html.etree_element) == lazy
    assert lazy_count < len(hyphenated) / 2  # most words are never near a line's end


def test_total_fit_refuses_a_word_longer_than_the_line() -> None:
    assert total_fit(paragraph_items([(250, False)]), Setting(200.0, 0.0, 0.0), 1.85) is None


def line_boxes(box, parent=None):
    """(line box, its block) for every line box under `box`."""
    if isinstance(box, boxes.LineBox):
        yield box, parent
        return
    for child in getattr(box, "children", []):
        yield from line_boxes(child, box)


def right_edge(box) -> float:
    edge = box.position_x + box.margin_width()
    for child in getattr(box, "children", []):
        if isinstance(child, boxes.InlineBox | boxes.TextBox):
            edge = max(edge, right_edge(child))
    return edge


@pytest.mark.parametrize(
    "path",
    [
        SEEDS / "000_cfaf1a26d7d8a683.txt",
        SHARED / "tenant-union-handbook.md",
        SHARED / "web" / "greenpeace.de.nachhaltigleben.html",  # German: no ligatures
    ],
)
@pytest.mark.parametrize("paper", ["a5", "letter"])
def test_no_imposed_line_overflows_its_box(path: Path, paper: str) -> None:
    document = parse(normalize(read_source(path)).text)
    options = RenderOptions(paper=paper, source_date_epoch=1700000000)
    html = composed_html(pamphlet_html(document, options), options, ())
    rendered = html.render(**render_arguments(options))
    imposed = 0
    for page in rendered.pages:
        for line, block in line_boxes(page._page_box):
            if not any(
                c.element is not None and c.element.get("class") == "line" for c in line.children
            ):
                continue
            imposed += 1
            assert right_edge(line) - block.content_box_x() <= block.width + 0.1
    assert imposed > 10


def test_an_uncomposable_paragraph_keeps_weasyprints_lines(caplog) -> None:
    source = "---\ntitle: Wide\n---\n\n" + "word " * 30 + "x" * 400 + " and the end.\n"
    document = parse(source)
    with caplog.at_level(logging.INFO, logger="publish.render.compose"):
        html = composed_html(pamphlet_html(document, OPTIONS), OPTIONS, ())
    assert "longer than the line" in caplog.text
    assert not any(e.get("class") == "line" for e in html.etree_element.iter("span"))


def test_a_paragraph_too_long_to_compose_keeps_weasyprints_lines(caplog) -> None:
    words = "many words in a row " * (MOST_COMPOSED // 20 + 1)
    document = parse(f"---\ntitle: Long\n---\n\nA short one to compose.\n\n{words}\n")
    with caplog.at_level(logging.INFO, logger="publish.render.compose"):
        html = composed_html(pamphlet_html(document, OPTIONS), OPTIONS, ())
    assert f"longer than {MOST_COMPOSED:,} characters" in caplog.text
    paragraphs = [p for p in html.etree_element.iter("p") if "".join(p.itertext()).strip()]
    composed = [p for p in paragraphs if "composed" in (p.get("class") or "")]
    assert any("short one" in "".join(p.itertext()) for p in composed)
    assert not any("many words" in "".join(p.itertext()) for p in composed)


def test_composer_can_be_switched_off() -> None:
    document = parse(normalize(read_source(SEEDS / "000_cfaf1a26d7d8a683.txt")).text)
    options = RenderOptions(compose=False)
    html = composed_html(pamphlet_html(document, options), options, ())
    assert not any(e.get("class") == "line" for e in html.etree_element.iter("span"))


def test_verbose_build_says_which_paragraphs_kept_weasyprints_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    source = tmp_path / "wide.md"
    source.write_text("---\ntitle: Wide\n---\n\nA word " + "x" * 400 + " and the end.\n")
    status = main(
        ["build", "-v", "-j", "1", "--formats", "pdf", "-o", str(tmp_path / "out"), str(source)]
    )
    assert status == 0
    assert "kept WeasyPrint's lines for the paragraph 'A word" in capsys.readouterr().err


def test_a_paragraph_set_again_is_set_alike_without_a_search(monkeypatch) -> None:
    document = parse(normalize(read_source(SEEDS / "000_cfaf1a26d7d8a683.txt")).text)
    first = composed_html(pamphlet_html(document, OPTIONS), OPTIONS, ())
    searches = []
    search = Composer.search
    monkeypatch.setattr(Composer, "search", lambda *a: searches.append(1) or search(*a))
    again = composed_html(pamphlet_html(document, OPTIONS), OPTIONS, ())
    assert searches == []
    assert ElementTree.tostring(again.etree_element) == ElementTree.tostring(first.etree_element)
    assert any(e.get("class") == "ligature" for e in again.etree_element.iter("span"))


def test_a_long_word_that_reads_as_a_web_address_breaks_as_urls_do() -> None:
    word = "(ProThrityOne.com/welcome)"
    assert [word[:at] for at in address_breaks(word)] == [
        "(ProThrityOne",
        "(ProThrityOne.com/",
    ]
    assert address_breaks("U.S.-Canadian") == []  # no letters pair on both sides of a dot
    assert address_breaks("e.g.") == []


@pytest.mark.parametrize("style", [Style(), large_print(Style(paper="letter"))])
def test_lines_share_computed_styles_and_print_the_same_bytes(
    style: Style, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = parse(normalize(read_source(SEEDS / "000_cfaf1a26d7d8a683.txt")).text)
    options = RenderOptions(style=style, source_date_epoch=1700000000)

    def pdf_bytes() -> bytes:
        html = composed_html(pamphlet_html(document, options), options, ())
        return html.write_pdf(**render_arguments(options))

    made: list[type] = []
    monkeypatch.setattr(
        css,
        "ComputedStyle",
        lambda *a: made.append(type(computed := computed_style(*a))) or computed,
    )
    shared = pdf_bytes()
    assert made.count(SpacedStyle) > 40  # the lines and the ligatures they keep
    monkeypatch.setattr(css, "ComputedStyle", Computed)  # WeasyPrint's own, property by property
    assert pdf_bytes() == shared


def test_pseudo_element_styles_are_computed_only_where_they_can_show() -> None:
    html = HTML(
        string="<ol><li>one</li></ol><p class=opening>text</p>"
        "<p>a<span class=note>note</span> <span>plain</span></p>"
    )
    sheet = CSS(
        string=".note { float: footnote } .opening::before { content: '*'; display: list-item }"
    )
    style_for = get_all_computed_styles(html, user_stylesheets=[sheet])
    root = html.etree_element
    item, opening = next(root.iter("li")), root.find(".//p[@class='opening']")
    note, plain = root.iter("span")
    assert style_for(item, "marker") is not None
    assert style_for(opening, "marker") is not None  # its ::before is a list item
    assert style_for(note, "footnote-call") is not None
    assert style_for(note, "footnote-marker") is not None
    for pseudo in SHOWN_BY:
        assert style_for(plain, pseudo) is None


@pytest.mark.parametrize(
    "path", [SEEDS / "000_cfaf1a26d7d8a683.txt", SHARED / "tenant-union-handbook.md"]
)
def test_pdfs_print_the_same_bytes_without_the_unshown_pseudo_styles(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = parse(normalize(read_source(path)).text)

    def pdf_bytes() -> bytes:
        html = composed_html(pamphlet_html(document, OPTIONS), OPTIONS, ())
        return html.write_pdf(**render_arguments(OPTIONS))

    skipping = pdf_bytes()
    own = css.StyleFor.set_computed_styles.__wrapped__
    monkeypatch.setattr(css.StyleFor, "set_computed_styles", own)
    assert pdf_bytes() == skipping


def test_lines_declare_their_spacing_as_their_style_attribute_would() -> None:
    document = parse(normalize(read_source(SEEDS / "000_cfaf1a26d7d8a683.txt")).text)
    options = OPTIONS
    html = composed_html(pamphlet_html(document, options), options, ())
    declared = html.write_pdf(**render_arguments(options))
    spaced = 0
    for span in html.etree_element.iter("span"):
        styles = [
            f"{name.replace('_', '-')}: {span.attrib.pop(attribute)}px"
            for name, attribute in ATTRIBUTES.items()
            if attribute in span.attrib
        ]
        if styles:
            span.set("style", "; ".join(styles))
            spaced += 1
    assert spaced > 40
    html.wrapper_element = cssselect2.ElementWrapper.from_html_root(html.etree_element)
    assert html.write_pdf(**render_arguments(options)) == declared  # WeasyPrint parses them


def test_plain_words_made_as_one_box_are_those_word_items_makes(monkeypatch) -> None:
    document = parse(normalize(read_source(SEEDS / "000_cfaf1a26d7d8a683.txt")).text)
    html = pamphlet_html(document, OPTIONS)
    pdf.style_composer.cache_clear()
    boxes: list[int] = []
    one_box = Composer.one_box
    monkeypatch.setattr(
        Composer, "one_box", lambda *a: (made := one_box(*a)) and (boxes.append(1) or made)
    )
    fast = ElementTree.tostring(composed_html(html, OPTIONS, ()).etree_element)
    assert len(boxes) > 1000
    monkeypatch.setattr(Composer, "one_box", lambda *a: None)
    pdf.style_composer.cache_clear()
    assert ElementTree.tostring(composed_html(html, OPTIONS, ()).etree_element) == fast


def test_a_spacing_attribute_that_is_not_a_number_is_ignored() -> None:
    span = ElementTree.Element("span", {ATTRIBUTES["word_spacing"]: "abc"})
    span.set(ATTRIBUTES["letter_spacing"], "1e308")
    assert declared_spacing(span) == ()
    span.set(ATTRIBUTES["word_spacing"], "-1.250")
    assert [name for name, _, _ in declared_spacing(span)] == ["word_spacing"]
