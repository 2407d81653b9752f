"""Page-level targets of a clean page, measured over the seed, the shared samples and the
readers with the shared typometrics tool (its header defines each measure): no widows or
orphans, no glyph outside the text block, no page short by three lines or more and fewer
than one page in ten short by two (pages before a heading, a part or a new text excepted)."""

import importlib.util
from pathlib import Path
from types import ModuleType

import pdfplumber
import pytest

from publish.document import parse
from publish.normalize import normalize
from publish.reader import load_manifest
from publish.render.options import RenderOptions
from publish.render.pdf import render_pdf, render_volume_pdf
from publish.sources import read_source
from tests.conftest import ROOT, SEEDS, SHARED
from tests.pdftools import MM

TYPOMETRICS = ROOT.parent / "shared" / "tools" / "typometrics.py"
OPTIONS = RenderOptions(source_date_epoch=1700000000)
# The A5 text block (paper-a5.css): 22 mm inner and 18 mm outer margins, 27 mm at the foot.
PAGE_WIDTH, BLOCK_BOTTOM, INNER, OUTER = 148 * MM, (210 - 27) * MM, 22 * MM, 18 * MM
LINE_PITCH = 15  # points, the A5 body's leading
TOLERANCE = 1  # point
SOURCES = sorted(SEEDS.glob("*.*")) + [
    SHARED / "strike-report.html",
    SHARED / "tenant-union-handbook.md",
    *sorted((SHARED / "web").glob("*.html")),
]
READERS = sorted((ROOT / "readers").glob("*.toml"))
NAMES = [path.stem for path in SOURCES + READERS]

pytestmark = pytest.mark.skipif(
    not TYPOMETRICS.exists() or not SHARED.exists(), reason="needs ../shared beside the clone"
)


def typometrics() -> ModuleType:
    """The shared measuring tool, loaded from its file."""
    spec = importlib.util.spec_from_file_location("typometrics", TYPOMETRICS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, Path]]:
    """Each PDF's typometrics, by the source's or manifest's name."""
    folder = tmp_path_factory.mktemp("targets")
    tool = typometrics()
    found = {}
    for path in SOURCES + READERS:
        if path.suffix == ".toml":
            pdf = render_volume_pdf(load_manifest(path), OPTIONS)
        else:
            pdf = render_pdf(parse(normalize(read_source(path)).text), OPTIONS)
        target = folder / f"{path.stem}.pdf"
        target.write_bytes(pdf)
        found[path.stem] = (tool.measure(str(target)), target)
    return found


def short_pages(metrics: dict, pdf: Path) -> list[dict]:
    """typometrics' short pages, without question pages whose ruled answer lines (ink the
    tool cannot see: it reads glyphs) run down to the foot of the text block."""
    with pdfplumber.open(pdf) as document:
        return [
            short
            for short in metrics["short_pages"]
            if lowest_rule(document.pages[short["page"] - 1]) < BLOCK_BOTTOM - 2 * LINE_PITCH
        ]


def lowest_rule(page: pdfplumber.page.Page) -> float:
    """The foot of the lowest rule across the text block on a page, or 0."""
    rules = [rect["bottom"] for rect in page.rects if rect["width"] > PAGE_WIDTH / 3]
    return max(rules, default=0)


@pytest.mark.parametrize(
    "name",
    NAMES,
)
def test_no_widows_or_orphans(name: str, measured: dict) -> None:
    metrics = measured[name][0]
    assert (metrics["widows"], metrics["orphans"]) == ([], [])


@pytest.mark.parametrize(
    "name",
    NAMES,
)
def test_no_page_short_by_three_lines(name: str, measured: dict) -> None:
    metrics, pdf = measured[name]
    assert [short for short in short_pages(metrics, pdf) if short["lines_short"] >= 3] == []


def test_fewer_than_one_page_in_ten_short_by_two_lines(measured: dict) -> None:
    short = {name: short_pages(*measured[name]) for name in NAMES}
    pages = sum(metrics["pages"] for metrics, _ in measured.values())
    assert sum(map(len, short.values())) < pages / 10, short


@pytest.mark.parametrize("name", NAMES)
def test_no_glyph_outside_the_text_block(name: str, measured: dict) -> None:
    """Checked against the block paper-a5.css sets: typometrics guesses the block from the
    lines it finds, which on a side holding only a ragged colophon is that colophon's lines."""
    outside = []
    with pdfplumber.open(measured[name][1]) as document:
        for number, page in enumerate(document.pages):
            left = INNER if number % 2 == 0 else OUTER
            right = PAGE_WIDTH - (OUTER if number % 2 == 0 else INNER)
            for char in page.chars:
                marginal = char["text"].isdigit() and char["size"] < 8  # paragraph numbers
                beyond = char["x0"] < left - TOLERANCE or char["x1"] > right + TOLERANCE
                if char["text"].strip() and beyond and not marginal:
                    outside.append((number + 1, char["text"], round(char["x0"])))
    assert outside == []
