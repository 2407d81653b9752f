"""Used lengths resolved in one pass print the very bytes WeasyPrint's own steps print."""

import sys

import pytest
from weasyprint.layout import percent

from publish.document import parse
from publish.normalize import normalize
from publish.render import used_lengths
from publish.render.options import RenderOptions
from publish.render.pdf import render_pdf, weasy_html
from publish.sources import read_source
from tests.conftest import SEEDS, SHARED

OPTIONS = RenderOptions(source_date_epoch=1700000000)

# Lengths of every kind: pixels, percentages of a width and of a height, auto, calc(),
# min and max sizes, box-sizing, collapsed borders, floats, absolute boxes, a page.
LENGTHS = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>
@page { size: 120mm 150mm; margin: 8% 10mm; padding: 2%; @top-center { content: "head";
  width: 40%; padding: 1mm 5% } }
.box { width: 60%; padding: 3% 1em; margin: 2% auto; border: 2px solid; min-height: 10% }
.sized { box-sizing: border-box; width: calc(50% + 10px); max-width: 80%; height: 30px;
  padding: 5px 10%; border: 3px double }
.padded { box-sizing: padding-box; width: 70%; padding: 4%; min-width: 20% }
.tall { height: 25%; max-height: 40mm }
table { border-collapse: collapse; width: 90% } td { border: 1px solid; padding: 2% 4px;
  width: 30% }
.float { float: left; width: 25%; margin-right: 3%; padding: 1% }
.abs { position: absolute; top: 10%; left: 5%; width: 20%; height: calc(10% + 2mm) }
.holder { position: relative; height: 40mm; margin: 0 5%; }
</style></head><body>
<div class="box">A box a share of its container wide, with padding and margins in shares.</div>
<div class="sized">Sized by its border box.</div><div class="padded">By its padding box.</div>
<div class="tall">A height in a share of a height that is auto: no share at all.</div>
<table><tr><td>one</td><td>two</td><td>three</td></tr><tr><td colspan="2">four</td>
<td>five</td></tr></table>
<div class="holder"><div class="float">Floated left, a quarter wide.</div>
<p>Text flowing around the float, long enough to wrap around it a few times over.</p>
<div class="abs">Placed absolutely.</div></div>
</body></html>"""


def test_it_replaces_weasyprints_everywhere() -> None:
    holders = [
        module
        for name, module in sys.modules.items()
        if name.startswith("weasyprint") and hasattr(module, "resolve_percentages")
    ]
    assert len(holders) >= 8
    assert all(m.resolve_percentages is used_lengths.resolve_percentages for m in holders)


@pytest.mark.parametrize(
    "make",
    [
        lambda: weasy_html(LENGTHS).write_pdf(),
        lambda: render_pdf(
            parse(normalize(read_source(SEEDS / "000_cfaf1a26d7d8a683.txt")).text), OPTIONS
        ),
        lambda: render_pdf(
            parse(normalize(read_source(SHARED / "tenant-union-handbook.md")).text), OPTIONS
        ),
    ],
    ids=["lengths", "seed", "handbook"],
)
def test_lengths_resolved_at_once_print_weasyprints_bytes(make, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    ours = make()
    for module in list(sys.modules.values()):
        if getattr(module, "resolve_percentages", None) is used_lengths.resolve_percentages:
            monkeypatch.setattr(module, "resolve_percentages", used_lengths.WEASYPRINTS)
    assert percent.resolve_percentages is used_lengths.WEASYPRINTS
    assert make() == ours
