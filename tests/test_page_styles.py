"""Pages the same @page rules match share their styles, and print WeasyPrint's own bytes."""

from pathlib import Path

import pytest
from weasyprint.layout import page

from publish.document import parse
from publish.normalize import normalize
from publish.reader import load_manifest
from publish.render import page_styles
from publish.render.options import RenderOptions
from publish.render.pdf import layout_volume_pdf, render_pdf, weasy_html, write_layout
from publish.sources import read_source
from tests.conftest import ROOT, SEEDS, SHARED

OPTIONS = RenderOptions(source_date_epoch=1700000000)

# Pages of every kind: first, left and right, blank, named, and one rule by number.
PAGES = (
    """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>
@page { size: 100mm 120mm; margin: 15mm; @bottom-center { content: counter(page) } }
@page :left { @top-left { content: "left " counter(page) } }
@page :right { @top-right { content: string(part) } }
@page :first { @bottom-center { content: none } }
@page :blank { @top-center { content: "blank" } }
@page :nth(5) { @top-center { content: "the fifth" } }
@page wide { size: 120mm 100mm; @bottom-left { content: "wide " counter(page) } }
h2 { string-set: part content(); break-before: right }
.wide { page: wide }
</style></head><body>
"""
    + "\n".join(
        f"<h2>Part {n}</h2>"
        + "<p>Words to fill the page with lines of text.</p>" * 12
        + ('<div class="wide"><p>A wide page.</p></div>' if n == 3 else "")
        for n in range(1, 6)
    )
    + "</body></html>"
)


def varied_pages_pdf() -> bytes:
    return weasy_html(PAGES).write_pdf()


def test_it_is_installed() -> None:
    assert page.set_page_type_computed_styles is page_styles.set_page_type_computed_styles


@pytest.mark.parametrize(
    "make",
    [
        varied_pages_pdf,
        lambda: render_pdf(
            parse(normalize(read_source(SEEDS / "000_cfaf1a26d7d8a683.txt")).text), OPTIONS
        ),
        lambda: render_pdf(
            parse(normalize(read_source(SHARED / "tenant-union-handbook.md")).text), OPTIONS
        ),
        lambda: write_layout(
            layout_volume_pdf(load_manifest(ROOT / "readers" / "organizing-today.toml"), OPTIONS),
            OPTIONS,
        ),
    ],
    ids=["page-kinds", "seed", "handbook", "reader"],
)
def test_shared_page_styles_print_weasyprints_bytes(make, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    shared = make()
    monkeypatch.setattr(page, "set_page_type_computed_styles", page_styles.WEASYPRINTS)
    assert make() == shared


def test_pages_alike_take_the_styles_of_the_first(monkeypatch) -> None:
    made, taken = [], []

    def counting(page_type, html, style_for):
        met = style_for.__dict__.get("_publish_page_types", {})
        key = page_styles.matching(page_type, style_for)
        (taken if key in met and met[key] != page_type else made).append(page_type)
        page_styles.set_page_type_computed_styles(page_type, html, style_for)

    monkeypatch.setattr(page, "set_page_type_computed_styles", counting)
    document = weasy_html(PAGES).render()
    assert len(document.pages) > 12
    assert len(taken) > len(made) >= 6  # first, left, right, blank, the fifth, wide
    numbers = [page_type.index for page_type in made]
    assert 4 in numbers  # the fifth page has a rule of its own
