"""WeasyPrint's text setup, drawing and stream compression, done faster here, print the very
bytes WeasyPrint's and pydyf's own do."""

import zlib
from pathlib import Path

import pydyf
import pytest
import weasyprint.draw.text as drawing
from hypothesis import given
from hypothesis import strategies as st
from weasyprint.css import units
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango

from publish.document import parse
from publish.normalize import normalize
from publish.render import glyph_runs, pdf_streams, text_layouts
from publish.render.options import RenderOptions
from publish.render.pdf import composed_html, pamphlet_html, render_arguments, weasy_html
from publish.sources import read_source
from tests.conftest import SEEDS, SHARED

OPTIONS = RenderOptions(source_date_epoch=1700000000)

# Text that takes every path of the drawing and of the setup: decorations, small capitals,
# tracking, justified word spacing, features, languages and directions, combining marks
# and stacked ones (glyphs with offsets, raised), a character no font has (.notdef), glyphs
# from fallback fonts mid-line, lines cut with an ellipsis, tabs.
VARIED = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><style>
@page { size: 120mm 160mm; margin: 10mm }
body { font-family: serif; font-size: 11pt; text-align: justify; hyphens: auto }
.u { text-decoration: underline } .o { text-decoration: overline }
.s { text-decoration: line-through } .c { font-variant-caps: small-caps; letter-spacing: 0.08em }
.w { word-spacing: 3.5px; letter-spacing: 0.2px } .n { font-variant-numeric: oldstyle-nums }
.f { font-feature-settings: "liga" 0 } .k { font-kerning: none } pre { tab-size: 4 }
</style></head><body>
<h1>Glyphs of every kind</h1>
<p>A paragraph of justified text, long enough to be set across several lines, with
<span class="u">underlined words</span>, <span class="o">overlined ones</span> and
<span class="s">struck ones</span>, then <span class="c">Small Capitals Tracked</span>,
<span class="w">words spaced wider and letters tighter</span>, numbers
<span class="n">1234567890</span>, <span class="f">ﬁne ligatures turned off: office</span>
and <span class="k">AVAWAY kerning off</span>.</p>
<p style="text-align: left">Spaced and unbroken, <span class="w" style="white-space: nowrap">around
<em>a</em> <em>lone</em> space</span>.</p>
<p lang="de">Ein deutscher Absatz über Straßenbahnen, Öffentlichkeit und Gewerkschaften.</p>
<p lang="fr">Un paragraphe français : « guillemets », cœur, œuvre, août.</p>
<p dir="rtl" lang="he">טקסט בעברית מימין לשמאל, עם מספרים 123 ומילים.</p>
<p>Combining marks: e\u0301, a\u0308, n\u0303, o\u0328\u0301; a missing glyph \U000f0001;
raised x<sup>2</sup> and lowered H<sub>2</sub>O.</p>
<p>Stacked marks: a\u0301\u0301\u0302\u0303, e\u0323\u0302, \u05e9\u05c1\u05b8;
other fonts' glyphs mid-line: ★ → ∑ ♫ 水 ⅔.</p>
<p style="overflow: hidden; text-overflow: ellipsis; width: 25mm; text-align: left">A word too long for its box
is cut with an ellipsis: Gewerkschaftsversammlungsprotokollführer.</p>
<p style="line-clamp: 2; text-align: left">A paragraph clamped to two lines ends the second with an ellipsis,
and drops the words of the lines after it, as many as there are in this long paragraph.</p>
<p style="line-height: 2">The same font as the paragraphs above, on lines set twice as far
apart, and <span style="line-height: 1">one span set solid inside them</span>.</p>
<pre>tab\tseparated\tcolumns</pre>
</body></html>"""


@pytest.fixture
def weasyprints_own(monkeypatch: pytest.MonkeyPatch):
    """Put WeasyPrint's own setup and drawing back for the rest of the test."""

    def restore() -> None:
        monkeypatch.setattr(drawing, "draw_first_line", glyph_runs.WEASYPRINTS)
        monkeypatch.setattr(line_break.Layout, "setup", text_layouts.WEASYPRINTS)
        monkeypatch.setattr(line_break.Layout, "set_text", text_layouts.WEASYPRINTS_SET_TEXT)
        monkeypatch.setattr(line_break.Layout, "deactivate", text_layouts.WEASYPRINTS_DEACTIVATE)
        monkeypatch.setattr(line_break.Layout, "reactivate", text_layouts.WEASYPRINTS_REACTIVATE)
        for module in (line_break, inline, units):
            monkeypatch.setattr(module, "strut", text_layouts.WEASYPRINTS_STRUT)
        monkeypatch.setattr(pydyf.Stream, "data", pdf_streams.PYDYFS)

    return restore


def test_both_are_installed() -> None:
    assert glyph_runs.glyph_record_expected()
    assert drawing.draw_first_line is glyph_runs.draw_first_line
    assert line_break.Layout.setup is text_layouts.setup
    assert line_break.Layout.reactivate is text_layouts.reactivate
    assert line_break.strut is inline.strut is units.strut is text_layouts.strut
    assert pydyf.Stream.data is pdf_streams.data


def seed_or_sample_pdf(path: Path) -> bytes:
    document = parse(normalize(read_source(path)).text)
    html = composed_html(pamphlet_html(document, OPTIONS), OPTIONS, ())
    return html.write_pdf(**render_arguments(OPTIONS))


@pytest.mark.parametrize(
    "path", [SEEDS / "000_cfaf1a26d7d8a683.txt", SHARED / "tenant-union-handbook.md"]
)
def test_pamphlets_print_the_bytes_weasyprint_prints(path: Path, weasyprints_own) -> None:
    ours = seed_or_sample_pdf(path)
    weasyprints_own()
    assert seed_or_sample_pdf(path) == ours


def test_every_kind_of_glyph_prints_the_bytes_weasyprint_prints(weasyprints_own) -> None:
    def varied_pdf() -> bytes:
        return weasy_html(VARIED).write_pdf(**render_arguments(OPTIONS))

    ours = varied_pdf()
    weasyprints_own()
    assert varied_pdf() == ours


def test_glyphs_of_a_kind_met_before_take_its_operators(monkeypatch) -> None:
    """The document above repeats glyphs: most take the operators worked out before."""
    worked_out, taken = [], []
    kinds_of = glyph_runs.kinds_of

    class Counting(dict):
        def get(self, key, default=None):
            found = super().get(key, default)
            (taken if found is not None else worked_out).append(key)
            return found

    def counting(font, font_size):
        kinds = kinds_of(font, font_size)
        if not isinstance(kinds, Counting):
            kinds = font.__dict__["_publish_glyph_kinds"][font_size] = Counting(kinds)
        return kinds

    monkeypatch.setattr(glyph_runs, "kinds_of", counting)
    weasy_html(VARIED).write_pdf(**render_arguments(OPTIONS))
    assert len(taken) > len(worked_out) > 20


def test_layouts_in_one_font_share_what_was_worked_out(weasyprints_own) -> None:
    html = weasy_html(VARIED)
    document = html.render(**render_arguments(OPTIONS))
    font_config = render_arguments(OPTIONS)["font_config"]
    kept = text_layouts.kept(font_config)
    # one context per direction and language, a handful of fonts, for hundreds of layouts
    assert {language for _, language in kept.contexts} >= {"en", "de", "fr", "he"}
    assert {direction for direction, _ in kept.contexts} == {"ltr", "rtl"}
    assert 3 < len(kept.descriptions) < 40
    assert kept.metrics  # the decorated words
    assert len(document.pages) >= 1


def test_a_layouts_features_are_freed_with_it(monkeypatch) -> None:
    """A layout's font features are in an attribute list that only the layout holds, so
    they go with it. WeasyPrint's setup kept a reference to every list it made: a worker
    lost 41 kB a document for good (benchmarks/worker_memory.py)."""
    held = []

    def setup(self, style) -> None:
        text_layouts.setup(self, style)
        attributes = pango.pango_layout_get_attributes(self.layout)
        if attributes != ffi.NULL:
            held.append(ffi.cast("unsigned int *", attributes)[0])  # PangoAttrList.ref_count

    monkeypatch.setattr(line_break.Layout, "setup", setup)
    weasy_html(VARIED).write_pdf(**render_arguments(OPTIONS))
    assert len(held) > 20
    assert set(held) == {1}


def test_style_values_that_are_lists_make_keys() -> None:
    assert text_layouts.key(("a", ("b", "c"), 1.5)) == ("a", ("b", "c"), 1.5)
    assert text_layouts.key(("a", ["b", ["c"]])) == ("a", ("b", ("c",)))


@given(st.binary(max_size=5000))
def test_a_stream_is_compressed_as_pydyf_compresses_it(data: bytes) -> None:
    assert pdf_streams.compressed(data) == zlib.compress(data, 9)
    assert pdf_streams.compressed(data) == zlib.compress(data, 9)  # the kept result


def test_streams_written_again_are_taken_from_those_kept(monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    document = parse(normalize(read_source(SHARED / "tenant-union-handbook.md")).text)
    html = composed_html(pamphlet_html(document, OPTIONS), OPTIONS, ())
    layout = html.render(**render_arguments(OPTIONS))
    pdf_streams.forget()
    made = []
    compressor = zlib.compressobj
    monkeypatch.setattr(
        pdf_streams.zlib, "compressobj", lambda **kw: made.append(1) or compressor(**kw)
    )
    first = layout.write_pdf()
    count = len(made)
    assert count > 3  # the pages, the fonts, the object stream
    assert layout.write_pdf() == first
    assert len(made) == count  # nothing compressed again


def test_the_streams_kept_stay_within_their_bound(monkeypatch) -> None:
    pdf_streams.forget()
    monkeypatch.setattr(pdf_streams, "KEPT_BYTES", 3000)
    pieces = [bytes([n]) * 700 for n in range(10)]
    for piece in pieces:
        assert pdf_streams.compressed(piece) == zlib.compress(piece, 9)
        assert pdf_streams._held[0] <= 3000
    assert pieces[0] not in pdf_streams._kept and pieces[-1] in pdf_streams._kept
    pdf_streams.forget()


def test_measured_lines_are_drawn_without_being_shaped_again(monkeypatch) -> None:
    """Most of the seed's lines keep their measured layout for drawing; the PDF is the same
    when only a few may wait at once (the rest are set up again)."""
    kept, again = [], []
    reactivate = text_layouts.reactivate

    def counting(self, style):
        (kept if getattr(self, "waiting", False) else again).append(self.text)
        reactivate(self, style)

    monkeypatch.setattr(line_break.Layout, "reactivate", counting)
    seed = SEEDS / "000_cfaf1a26d7d8a683.txt"
    many = seed_or_sample_pdf(seed)
    assert len(kept) > 150 and len(kept) > 3 * len(again)
    monkeypatch.setattr(text_layouts, "KEPT_LAYOUTS", 5)
    kept.clear()
    assert seed_or_sample_pdf(seed) == many
    assert len(text_layouts._waiting) <= 5
    assert len(kept) < 20


def test_a_justified_line_with_an_ellipsis_is_drawn_whole(weasyprints_own) -> None:
    """WeasyPrint 70 stops on text-overflow or line-clamp over justified text (the justified
    line is laid out again without a width); here the line, which fills its width, is drawn."""
    html = """<html><body style="text-align: justify; width: 60mm">
    <p style="overflow: hidden; text-overflow: ellipsis">Justified words in a paragraph long
    enough to be set on several lines, every one of them justified to the full width.</p>
    <p style="line-clamp: 2">And a clamped paragraph, also justified, long enough to run over
    the two lines it is clamped to, so that its last line shown would end in an ellipsis.</p>
    </body></html>"""
    document = weasy_html(html).render()
    assert "Justified words" in "".join(
        box.text
        for page in document.pages
        for box in descendants(page._page_box)
        if hasattr(box, "text")
    )
    assert document.write_pdf().startswith(b"%PDF")
    weasyprints_own()
    with pytest.raises(AssertionError):
        weasy_html(html).write_pdf()


def descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from descendants(child)
