"""The large-print edition: `--edition large-print`, `edition = "large-print"` in publish.toml
or a manifest's [style]; each PDF read back for its face, sizes, leading, margins and tags."""

import shutil
import statistics
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest

from publish.build import BuildOptions, booklet_advice
from publish.cli import main
from publish.render.faces import body_size
from publish.render.options import RenderOptions
from publish.render.pdf import mark_whole_emphasis, spaces_into_inlines
from publish.style import Style, large_print
from tests.pdftools import MM, fonts, outline, reader

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "seeds" / "001_study-group-guide.md"  # headings, a list, a quote, two notes
LETTER = ROOT / "seeds" / "000_cfaf1a26d7d8a683.txt"
MANIFEST = ROOT / "readers" / "organizing-today.toml"
A4 = (210 * MM, 297 * MM)
A3_LANDSCAPE = (420 * MM, 297 * MM)


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> Path:
    """The guide built once in both editions, as PDFs and booklets."""
    out = tmp_path_factory.mktemp("both")
    argv = ["build", str(GUIDE), "-o", str(out), "--edition", "standard,large-print"]
    assert main([*argv, "--formats", "pdf,booklet", "--quiet"]) == 0
    return out


def lines_of(path: Path) -> list[dict]:
    """Every printed line: page, baseline, size, first and last x, text."""
    found = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            rows: dict[float, list[dict]] = {}
            for char in page.chars:
                rows.setdefault(round(char["bottom"], 1), []).append(char)
            for bottom, chars in sorted(rows.items()):
                chars.sort(key=lambda c: c["x0"])
                sizes = Counter(round(c["size"], 1) for c in chars if c["text"].strip())
                text = "".join(c["text"] for c in chars)
                if not sizes:
                    continue
                found.append(
                    {
                        "page": number,
                        "bottom": bottom,
                        "size": sizes.most_common(1)[0][0],
                        "x0": chars[0]["x0"],
                        "x1": chars[-1]["x1"],
                        "text": text,
                        "top_of_page": page.height,
                    }
                )
    return found


def test_both_editions_from_one_run(both: Path) -> None:
    names = sorted(path.name for path in both.glob("*.pdf"))
    assert names == [
        "reading-together-booklet.pdf",
        "reading-together-large-print-booklet.pdf",
        "reading-together-large-print.pdf",
        "reading-together.pdf",
    ]
    standard = fonts((both / "reading-together.pdf").read_bytes())
    assert any("garamond" in name.lower() for name, _ in standard)


def test_large_print_face_is_atkinson_embedded_never_italic(both: Path) -> None:
    used = fonts((both / "reading-together-large-print.pdf").read_bytes())
    assert used and all(embedded for _, embedded in used)
    assert all("Atkinson" in name for name, _ in used), used
    assert not any("Italic" in name for name, _ in used)
    assert any("Bold" in name for name, _ in used)  # headings and the note numbers


def test_large_print_sizes_leading_and_page(both: Path) -> None:
    path = both / "reading-together-large-print.pdf"
    pdf = reader(path.read_bytes())
    for page in pdf.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(A4[0], abs=0.5)
        assert float(box.height) == pytest.approx(A4[1], abs=0.5)
    lines = lines_of(path)
    sizes = Counter(line["size"] for line in lines)
    assert sizes.most_common(1)[0][0] == 18.0
    assert min(sizes) >= 14.0  # nothing small: paragraph numbers are the smallest (readers)
    # the most common step between baselines on a page is the leading, 1.5 x 18 pt
    steps = Counter(
        round(below["bottom"] - above["bottom"])
        for above, below in zip(lines, lines[1:], strict=False)
        if above["page"] == below["page"] and above["size"] == below["size"] == 18.0
    )
    assert steps.most_common(1)[0][0] == 27
    assert 54 in steps  # a blank line between paragraphs


def test_large_print_notes_folios_and_margins_at_body_size(both: Path) -> None:
    lines = lines_of(both / "reading-together-large-print.pdf")
    note = next(line for line in lines if line["text"].startswith("1.The Eastside"))
    assert note["size"] == 18.0
    url_note = [line for line in lines if "marxists" in line["text"] or "gutenberg" in line["text"]]
    assert url_note and all(line["size"] == 18.0 for line in url_note)
    folios = [line for line in lines if line["text"].isdigit() and line["bottom"] > 780]
    assert len(folios) >= 3 and all(line["size"] == 18.0 for line in folios)
    heads = [line for line in lines if line["bottom"] < 25 * MM and line["size"] == 18.0]
    assert any(line["text"] == "Reading Together" for line in heads)
    body = [line for line in lines if line["size"] == 18.0 and line not in folios]
    assert min(line["x0"] for line in body) >= 24 * MM  # wide margins, nothing near the edge
    assert max(line["x1"] for line in body) <= (210 - 24) * MM


def test_large_print_is_ragged_and_unhyphenated(both: Path) -> None:
    large = lines_of(both / "reading-together-large-print.pdf")
    text_lines = [line for line in large if line["size"] == 18.0 and len(line["text"]) > 30]
    ends = [line["x1"] for line in text_lines]
    assert statistics.pstdev(ends) > 10  # pt: ragged right, line ends vary
    assert not any(line["text"].rstrip().endswith(("-", "\u2010", "\u00ad")) for line in large)


def test_standard_edition_stays_justified(both: Path) -> None:
    standard = lines_of(both / "reading-together.pdf")
    sizes = Counter(line["size"] for line in standard)
    assert sizes.most_common(1)[0][0] == 11.0
    full = [line for line in standard if line["size"] == 11.0 and len(line["text"]) > 40]
    edge = {side: max(ln["x1"] for ln in full if ln["page"] % 2 == side) for side in (0, 1)}
    flush = [line for line in full if line["x1"] > edge[line["page"] % 2] - 2]
    assert len(flush) >= len(full) / 2  # most lines end at the measure, on each side


def test_large_print_outline_tags_and_title(both: Path) -> None:
    data = (both / "reading-together-large-print.pdf").read_bytes()
    pdf = reader(data)
    assert "/StructTreeRoot" in pdf.trailer["/Root"]
    titles = [title for _, title, _ in outline(data)]
    assert titles[0] == "Reading Together"
    assert "Before the first meeting" in titles and "When the text is hard" in titles
    assert pdf.metadata.title == "Reading Together (large print)"
    assert reader((both / "reading-together.pdf").read_bytes()).metadata.title == (
        "Reading Together"
    )


def test_large_print_booklet_on_a3(both: Path) -> None:
    pdf = reader((both / "reading-together-large-print-booklet.pdf").read_bytes())
    large = reader((both / "reading-together-large-print.pdf").read_bytes())
    assert len(pdf.pages) == -(-len(large.pages) // 4) * 2
    box = pdf.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A3_LANDSCAPE, abs=0.5)


def test_edition_in_publish_toml_beside_the_source(tmp_path: Path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    shutil.copy(LETTER, folder / LETTER.name)
    (folder / "publish.toml").write_text('edition = "large-print"\npaper = "letter"\n')
    out = tmp_path / "out"
    assert main(["build", str(folder / LETTER.name), "-o", str(out), "--formats", "pdf"]) == 0
    (made,) = out.glob("*.pdf")
    assert made.name == "a-letter-from-canadian-comrades-large-print.pdf"
    box = reader(made.read_bytes()).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((612, 792), abs=0.5)
    lines = lines_of(made)
    dek = next(line for line in lines if line["text"].startswith("Originally"))
    assert "Facebook" in dek["text"]  # the line breaks before the link, not after one word
    # a quotation set wholly in italic is roman; emphasis inside the text is bold
    used = fonts(made.read_bytes())
    assert not any("Italic" in name for name, _ in used)


def test_reader_manifest_in_large_print(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["build", str(MANIFEST), "-o", str(out), "--edition", "large-print"]
    assert main([*argv, "--formats", "pdf", "--quiet"]) == 0
    made = out / "organizing-today-large-print.pdf"
    data = made.read_bytes()
    assert all("Atkinson" in name for name, _ in fonts(data))
    assert "/StructTreeRoot" in reader(data).trailer["/Root"]
    depths = {depth for depth, _, _ in outline(data)}
    assert {0, 1} <= depths  # parts and their texts
    lines = lines_of(made)
    numbers = [line for line in lines if line["text"].strip().isdigit() and line["size"] < 18]
    assert len(numbers) >= 12, "paragraph numbers in the margin"
    body = [line for line in lines if line["size"] == 18.0]
    left = {side: min(ln["x0"] for ln in body if ln["page"] % 2 == side) for side in (0, 1)}
    right = {side: max(ln["x1"] for ln in body if ln["page"] % 2 == side) for side in (0, 1)}
    for number in numbers:  # in the outer margin, outside the text block
        side = number["page"] % 2
        assert number["x1"] <= left[side] or number["x0"] >= right[side], number


def test_large_print_style() -> None:
    style = large_print(Style(paper="a5", typeface="literata", size=10, justify=True))
    assert (style.typeface, style.size, style.paper) == ("atkinson-hyperlegible", 18.0, "a4")
    assert not style.justify and not style.hyphenate and style.large_print
    assert large_print(Style(paper="half-letter")).paper == "letter"
    body = body_size(style)
    assert (body.size, body.leading) == (18.0, 27.0)


def test_booklet_advice_for_each_edition() -> None:
    options = BuildOptions(formats=("pdf", "booklet"))
    both = RenderOptions().styled(Style(editions=("standard", "large-print")))
    advice = booklet_advice(options, both)
    assert len(advice) == 1 and "large-print booklet's sheets are A3" in advice[0]
    assert booklet_advice(BuildOptions(formats=("pdf",)), both) == []


def test_spaces_move_into_inline_elements() -> None:
    html = 'shared <a href="x">by it</a>, <span class="footnote">n</span> and <span class="name">A'
    assert spaces_into_inlines(html) == (
        'shared<a href="x"> by it</a>, <span class="footnote">n</span> and<span class="name"> A'
    )


def test_whole_paragraph_italic_is_marked() -> None:
    from lxml import etree

    root = etree.fromstring("<div><p><em>All of it.</em></p><p>Some <em>of</em> it.</p></div>")
    mark_whole_emphasis(root)
    first, second = root.iter("em")
    assert first.get("class") == "whole-emphasis"
    assert second.get("class") is None


def test_watch_previews_the_first_edition() -> None:
    from publish.watch import first_pdf

    written = ["guide.pdf", "guide-booklet.pdf", "guide-large-print.pdf"]
    assert first_pdf(written) == "guide.pdf"
    assert first_pdf(["guide-large-print-booklet.pdf", "guide-large-print.pdf"]) == (
        "guide-large-print.pdf"
    )
    assert first_pdf(["guide.epub"]) is None
