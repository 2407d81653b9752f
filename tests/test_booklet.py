"""Saddle-stitch imposition: sheet sizes, padding, page order, signatures, reproducibility."""

from functools import cache

import pypdfium2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from weasyprint import HTML

from publish.render.booklet import impose_saddle_stitch, padded, sheet_sides, signatures
from tests.pdftools import MM, reader

SHEETS = {  # points, landscape
    "a5": (297 * MM, 210 * MM),
    "a4": (420 * MM, 297 * MM),
    "letter": (1224, 792),
    "half-letter": (792, 612),
}
TRIMS = {
    "a5": "148mm 210mm",
    "a4": "210mm 297mm",
    "letter": "8.5in 11in",
    "half-letter": "5.5in 8.5in",
}


@cache
def numbered_pages(count: int, paper: str = "a5") -> bytes:
    """A PDF whose page n reads 'Pn'."""
    pages = "".join(f'<p style="break-after: page">P{n}</p>' for n in range(1, count + 1))
    css = f"<style>@page {{ size: {TRIMS[paper]} }}</style>"
    return HTML(string=f"<html lang=en>{css}<body>{pages}</body></html>").write_pdf()


def halves(pdf: bytes) -> list[tuple[str, str]]:
    """(left, right) page labels of each printed side; '' for a blank half."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        sides = []
        for page in document:
            width, height = page.get_size()
            text = page.get_textpage()
            left = text.get_text_bounded(0, 0, width / 2, height).strip()
            right = text.get_text_bounded(width / 2, 0, width, height).strip()
            sides.append((left, right))
        return sides
    finally:
        document.close()


def test_eight_pages_fold_in_order() -> None:
    sides = halves(impose_saddle_stitch(numbered_pages(8), "a5"))
    assert sides == [("P8", "P1"), ("P2", "P7"), ("P6", "P3"), ("P4", "P5")]


def test_blanks_go_before_the_back_page() -> None:
    sides = halves(impose_saddle_stitch(numbered_pages(6), "a5"))
    assert sides == [("P6", "P1"), ("P2", ""), ("", "P3"), ("P4", "P5")]


@pytest.mark.parametrize("paper", list(SHEETS))
def test_sheet_sizes(paper: str) -> None:
    pdf = impose_saddle_stitch(numbered_pages(4, paper), paper)
    for page in reader(pdf).pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(SHEETS[paper], abs=0.5)


def test_signatures_are_separate_stacks() -> None:
    sides = halves(impose_saddle_stitch(numbered_pages(12), "a5", signature=8))
    assert sides == [
        ("P8", "P1"), ("P2", "P7"), ("P6", "P3"), ("P4", "P5"),
        ("P12", "P9"), ("P10", "P11"),
    ]  # fmt: skip


def test_a_signature_larger_than_the_text_is_one_stack() -> None:
    pdf = numbered_pages(8)
    assert impose_saddle_stitch(pdf, "a5", signature=16) == impose_saddle_stitch(pdf, "a5")


@pytest.mark.parametrize(("paper", "signature"), [("b5", 0), ("a5", 6), ("a5", -4)])
def test_bad_arguments(paper: str, signature: int) -> None:
    with pytest.raises(ValueError):
        impose_saddle_stitch(numbered_pages(4), paper, signature)


def test_reproducible() -> None:
    pdf = numbered_pages(8)
    assert impose_saddle_stitch(pdf, "a5") == impose_saddle_stitch(pdf, "a5")


def folded_order(sides: list[tuple[int | None, int | None]]) -> list[int | None]:
    """The page order a reader meets after stacking the printed sheets and folding them.

    Sheets lie in printing order, the first outermost; flipping on the short edge puts each
    back side's left half behind its front's right half.
    """
    fronts, backs = sides[0::2], sides[1::2]
    sheets = list(zip(fronts, backs, strict=True))
    first_half = [page for front, back in sheets for page in (front[1], back[0])]
    second_half = [page for front, back in reversed(sheets) for page in (back[1], front[0])]
    return first_half + second_half


@given(st.integers(min_value=1, max_value=120), st.sampled_from([0, 4, 8, 16, 32]))
def test_folding_gives_the_pages_in_order(count: int, signature: int) -> None:
    slots = padded(list(range(count)), multiple=4)
    order = []
    for group in signatures(slots, signature):
        sides = [(group[left], group[right]) for left, right in sheet_sides(len(group))]
        order += folded_order(sides)
    assert order == slots
    assert [page for page in order if page is not None] == list(range(count))
    if count > 1:
        assert order[-1] == count - 1  # the back cover stays last
