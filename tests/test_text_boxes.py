"""Long text cut into bounded spans for WeasyPrint: nothing lost, every cut at a break."""

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from publish.document import parse
from publish.render.options import RenderOptions
from publish.render.pdf import pamphlet_html
from publish.render.text_boxes import BREAK, LONGEST_TEXT_BOX, bound_text_boxes, pieces

TEXT = st.text(alphabet=st.sampled_from("ab \u200b\n"), max_size=400)


@settings(max_examples=200, deadline=None)
@given(TEXT, st.integers(4, 60))
def test_pieces_keep_every_character_and_end_at_breaks(text: str, longest: int) -> None:
    parts = pieces(text, longest)
    assert "".join(parts) == text
    for part in parts[:-1]:
        assert BREAK.fullmatch(part[-1])
        assert len(part) <= longest or not BREAK.search(part[:-1], longest // 2)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), max_size=4), TEXT)
def test_bounded_tree_reads_the_same(children: list, text: str) -> None:
    root = etree.Element("p")
    root.text = text
    for inner, tail in children:
        child = etree.SubElement(root, "em")
        child.text, child.tail = inner, tail
    before = "".join(root.itertext())
    bound_text_boxes(root, 20)
    assert "".join(root.itertext()) == before


def test_a_huge_paragraph_reaches_weasyprint_in_bounded_text_nodes() -> None:
    words = " ".join(f"word{number}" for number in range(40_000))
    document = parse(f"---\ntitle: Long\n---\n\nA *long* paragraph: {words} and the end.\n")
    html = pamphlet_html(document, RenderOptions())
    root = etree.fromstring(html.encode(), etree.HTMLParser())
    paragraph = next(p for p in root.iter("p") if "word0" in "".join(p.itertext()))
    nodes = [node for node in paragraph.xpath(".//text()")]
    assert len(nodes) > 100
    assert max(len(node) for node in nodes) <= LONGEST_TEXT_BOX
    assert (
        " ".join("".join(paragraph.itertext()).split()) == f"A long paragraph: {words} and the end."
    )
