"""House style: publish.toml, --style, --css, a manifest's [style], PUBLISH_TEMPLATES; each key
read back from the PDF and EPUB it makes."""

import io
import re
import shutil
import zipfile
from collections import Counter
from dataclasses import replace
from functools import cache
from pathlib import Path

import pdfplumber
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from publish.cli import main
from publish.document import Document, parse
from publish.errors import PublishError
from publish.normalize import normalize
from publish.render.epub import render_epub
from publish.render.options import RenderOptions
from publish.render.pdf import render_pdf
from publish.sources import read_source
from publish.style import KEYS, Style, licence_url, read_style_file, style_for
from tests.conftest import SEEDS
from tests.pdftools import fonts, page_texts, reader

LETTER = SEEDS / "000_cfaf1a26d7d8a683.txt"


@cache
def letter() -> Document:
    """The seed letter: footnoted links, a signature, acronyms in small caps."""
    document = parse(normalize(read_source(LETTER)).text)
    return replace(document, folder=LETTER.parent.resolve())


@cache
def pdf_in(style: Style) -> bytes:
    return render_pdf(letter(), RenderOptions(paper=style.paper, style=style))


def body_chars(pdf: bytes) -> list[dict]:
    """The characters of the text pages' body: not the title page, heads, folios or notes."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = [char for page in document.pages[2:-1] for char in page.chars]
    sizes = Counter(round(char["size"], 1) for char in chars)
    body = sizes.most_common(1)[0][0]
    return [char for char in chars if round(char["size"], 1) == body]


def body_size(pdf: bytes) -> float:
    return round(body_chars(pdf)[0]["size"], 1)


def baselines(pdf: bytes, page: int) -> list[float]:
    """The baselines of a page's body lines, top to bottom."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = document.pages[page].chars
    size = Counter(round(c["size"], 1) for c in chars).most_common(1)[0][0]
    return sorted({round(c["bottom"], 1) for c in chars if round(c["size"], 1) == size})


def leading(pdf: bytes, page: int) -> float:
    """The commonest distance between a page's body baselines."""
    lines = baselines(pdf, page)
    return Counter(round(b - a, 1) for a, b in zip(lines, lines[1:], strict=False)).most_common(1)[
        0
    ][0]


def flush_right(pdf: bytes) -> float:
    """The share of full body lines of the text pages that end at their page's right edge."""
    flush = total = 0
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages[2:-1]:
            lines: dict[float, list[dict]] = {}
            for char in page.chars:
                lines.setdefault(round(char["bottom"]), []).append(char)
            ends = [max(c["x1"] for c in line) for line in lines.values() if len(line) > 30]
            if ends:
                edge = max(ends)
                flush += sum(edge - end < 1.5 for end in ends)
                total += len(ends)
    return flush / total


def write_style(folder: Path, text: str) -> Path:
    path = folder / "publish.toml"
    path.write_text(text, encoding="utf-8")
    return path


def logo(folder: Path, name: str = "logo.png") -> Path:
    path = folder / name
    Image.new("RGB", (120, 60), (139, 30, 36)).save(path)
    return path


# ---- The style file: keys, values, errors ----


def test_every_key_is_read(tmp_path: Path) -> None:
    logo(tmp_path)
    logo(tmp_path, "cover.png")
    (tmp_path / "house.css").write_text("p { color: #222 }")
    path = write_style(
        tmp_path,
        """
typeface = "Literata"
size = "10pt"
paper = "A4"
justify = false
hyphenate = false
compact = true
accent = "#8B1E24"
logo = "logo.png"
cover = "cover.png"
imprint = "Eastside   Union Press"
licence = "CC BY-SA 4.0"
stylesheet = "house.css"
edition = ["standard", "large-print"]
""",
    )
    style = replace(Style(), **read_style_file(path))
    assert style == Style(
        typeface="literata",
        size=10.0,
        paper="a4",
        justify=False,
        hyphenate=False,
        compact=True,
        accent="#8b1e24",
        logo=(tmp_path / "logo.png").resolve(),
        cover=(tmp_path / "cover.png").resolve(),
        imprint="Eastside Union Press",
        licence="CC BY-SA 4.0",
        stylesheet=(tmp_path / "house.css").resolve(),
        editions=("standard", "large-print"),
    )


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('font = "Literata"', "unknown key 'font'; the keys are accent, compact, cover"),
        (
            'typeface = "Comic Sans"',
            'choose from "eb-garamond", "literata", "atkinson-hyperlegible"',
        ),
        ("size = 3", "give points from 7 to 30"),
        ('size = "big"', "give points from 7 to 30"),
        ('paper = "b5"', "choose from a5, a4, letter, half-letter"),
        ('justify = "yes"', "'yes' is not true or false"),
        ('accent = "red"', 'give one as #rrggbb, such as "#8b1e24"'),
        ('logo = "missing.png"', "missing.png: no such file in"),
        ('logo = "../logo.png"', "is outside"),
        ('logo = "notes.txt"', "is not an image (.png, .jpg, .jpeg)"),
        ('logo = "fake.png"', "fake.png is not a whole PNG or JPEG image"),
        ('stylesheet = "house.scss"', "is not a stylesheet (.css)"),
        ('edition = "huge"', 'choose from "standard", "large-print"'),
        ('imprint = ""', "give one line of text"),
        ("licence = 4", "give one line of text"),
        ("typeface = ", "not valid TOML"),
    ],
)
def test_a_bad_style_is_one_line_naming_the_file_and_the_key(
    tmp_path: Path, line: str, says: str
) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    logo(tmp_path)
    (folder / "notes.txt").write_text("notes")
    (folder / "fake.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    path = write_style(folder, line + "\n")
    with pytest.raises(PublishError) as raised:
        read_style_file(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert says in message, message
    key = line.split(" = ")[0].strip()
    if "TOML" not in says:
        assert key in message


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=1, max_size=12))
def test_any_unknown_key_names_itself(key: str) -> None:
    if key in KEYS:
        return
    with pytest.raises(PublishError) as raised:
        style_for(Path("book/text.md"), {key: 1})
    assert repr(key) in str(raised.value)


def test_settings_are_layered(tmp_path: Path) -> None:
    """Defaults < publish.toml beside the source < [style] < --style < the command line."""
    write_style(tmp_path, 'typeface = "literata"\nsize = 12\npaper = "a4"\naccent = "#111111"\n')
    house = tmp_path / "house.toml"
    house.write_text('size = 13\npaper = "letter"\n')
    source = tmp_path / "text.md"
    style = style_for(source, {"accent": "#222222", "size": 14}, house, {"paper": "half-letter"})
    assert (style.typeface, style.accent, style.size, style.paper) == (
        "literata",
        "#222222",
        13.0,
        "half-letter",
    )
    assert style_for(source).size == 12.0
    assert style_for(tmp_path / "other" / "text.md") == Style()


def test_licences_link_to_their_deeds() -> None:
    assert licence_url("CC BY-SA 4.0") == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert licence_url("cc-by-nc-nd-4.0") == "https://creativecommons.org/licenses/by-nc-nd/4.0/"
    assert licence_url("CC0") == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert licence_url("All rights reserved") is None


# ---- Each key, read back from the PDF ----


def test_typeface_and_its_size() -> None:
    pdf = pdf_in(Style(typeface="literata"))
    names = {name for name, _ in fonts(pdf)}
    assert any("Literata" in name for name in names)
    assert not any("Garamond" in name for name in names)
    assert body_size(pdf) == 9.5  # Literata's size at A5: its x-height is Garamond's at 11
    assert "Typeset in Literata" in squeezed_pages(pdf)[-1]
    sans = pdf_in(Style(typeface="atkinson-hyperlegible"))
    names = {name for name, _ in fonts(sans)}
    assert any("Atkinson-Hyperlegible" in name for name in names)
    assert not any("Noto" in name for name in names)  # its hyphen is its own
    assert "Typeset in Atkinson Hyperlegible" in squeezed_pages(sans)[-1]
    # no small caps in that face: acronyms stay in capitals rather than turning lowercase
    assert "ISO" in " ".join(page_texts(sans))


def squeezed_pages(pdf: bytes) -> list[str]:
    return [" ".join(text.split()) for text in page_texts(pdf)]


def test_size_scales_leading_and_notes() -> None:
    default, large = pdf_in(Style()), pdf_in(Style(size=13))
    assert body_size(default) == 11.0 and body_size(large) == 13.0
    assert abs(leading(large, 3) - 13 * 15 / 11) < 0.3
    assert len(reader(large).pages) > len(reader(default).pages)
    with pdfplumber.open(io.BytesIO(large)) as document:
        sizes = {round(c["size"], 1) for page in document.pages for c in page.chars}
    assert round(8.5 * 13 / 11, 1) in sizes  # the notes scale with the body


def test_ragged_right_and_no_hyphens() -> None:
    assert flush_right(pdf_in(Style())) > 0.8  # all but paragraphs' last lines
    assert flush_right(pdf_in(Style(justify=False, hyphenate=False))) < 0.3
    hyphenated = pdf_in(Style(justify=False))
    assert any(line.endswith(("-", "\u2010")) for line in lines_of(hyphenated))
    assert not any(
        line.endswith(("-", "\u2010")) for line in lines_of(pdf_in(Style(hyphenate=False)))
    )


def lines_of(pdf: bytes) -> list[str]:
    return [line.strip() for text in page_texts(pdf)[2:-1] for line in text.splitlines()]


def test_compact_leaves_no_blank_page() -> None:
    def blank_pages(pdf: bytes) -> int:
        return sum(not text.strip() for text in page_texts(pdf))

    standard, compact = pdf_in(Style()), pdf_in(Style(compact=True))
    assert blank_pages(standard) >= 1
    assert blank_pages(compact) == 0
    assert len(reader(compact).pages) < len(reader(standard).pages)


def test_paper_from_the_style() -> None:
    box = reader(pdf_in(Style(paper="letter"))).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_accent_logo_imprint_and_licence(tmp_path: Path) -> None:
    mark = logo(tmp_path)
    style = Style(accent="#8b1e24", logo=mark, imprint="Eastside Union Press", licence="CC BY 4.0")
    pdf = render_pdf(letter(), RenderOptions(style=style))
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        title = document.pages[0]
        assert len(title.images) == 1
        colours = {
            tuple(round(v, 3) for v in shape.get("stroking_color") or ())
            for shape in title.lines + title.rects + title.curves
        }
        colours |= {
            tuple(round(v, 3) for v in shape.get("non_stroking_color") or ())
            for shape in title.rects
        }
        assert (round(0x8B / 255, 3), round(0x1E / 255, 3), round(0x24 / 255, 3)) in colours
        last = document.pages[-1]
        uris = [link.get("uri") for link in last.hyperlinks]
    pages = squeezed_pages(pdf)
    assert "Eastside Union Press".upper() in pages[0].upper()
    assert "Licence: CC BY 4.0." in pages[-1]
    assert "https://creativecommons.org/licenses/by/4.0/" in uris


def test_the_epub_carries_the_style(tmp_path: Path) -> None:
    mark = logo(tmp_path)
    style = Style(
        typeface="literata", accent="#1c345c", logo=mark, imprint="Union Press", licence="CC0"
    )
    book = render_epub(letter(), RenderOptions(style=style, embed_fonts=True))
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        opf = archive.read("EPUB/content.opf").decode()
        names = archive.namelist()
        cover = Image.open(io.BytesIO(archive.read("EPUB/images/cover.jpg")))
        colophon = archive.read("EPUB/text/colophon.xhtml").decode()
    assert "<dc:rights>CC0</dc:rights>" in opf
    assert "<dc:publisher>Union Press</dc:publisher>" in opf
    assert "EPUB/fonts/Literata-Regular.ttf" in names
    assert not any("EBGaramond" in name for name in names)
    assert "Set in Literata" in colophon
    red, green, blue = cover.convert("RGB").getpixel((10, 10))
    assert abs(red - 0x1C) < 6 and abs(green - 0x34) < 6 and abs(blue - 0x5C) < 6
    chosen = tmp_path / "cover.png"
    Image.new("RGB", (800, 1280), (10, 200, 10)).save(chosen)
    book = render_epub(letter(), RenderOptions(style=Style(cover=chosen)))
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        assert archive.read("EPUB/images/cover.png") == chosen.read_bytes()


# ---- Through the command line ----


def build(tmp_path: Path, *args: str) -> int:
    return main(["build", *args, "-o", str(tmp_path / "out"), "--jobs", "1", "--formats", "pdf"])


def source_in(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(LETTER, folder / "letter.txt"))


def test_a_one_line_stylesheet_changes_one_thing(tmp_path: Path) -> None:
    source = source_in(tmp_path / "book")
    house = tmp_path / "house.css"
    house.write_text("body { font-size: 13pt }\n")
    assert build(tmp_path, str(source), "--css", str(house)) == 0
    pdf = (tmp_path / "out" / "a-letter-from-canadian-comrades.pdf").read_bytes()
    plain = pdf_in(Style())
    assert body_size(pdf) == 13.0
    assert {name.split("+")[-1] for name, _ in fonts(pdf)} == {
        name.split("+")[-1] for name, _ in fonts(plain)
    }
    assert leading(pdf, 3) >= 13 * 1.3  # the leading keeps its proportion
    assert "Typeset in EB Garamond" in squeezed_pages(pdf)[-1]
    links = [page for page in page_texts(pdf) if "socialistworker.org" in page]
    assert links  # link notes still print their URLs


def test_publish_toml_beside_the_source(tmp_path: Path) -> None:
    source = source_in(tmp_path / "book")
    (source.parent / "house.css").write_text("body { font-size: 10pt }\n")
    write_style(source.parent, 'typeface = "literata"\npaper = "a4"\nstylesheet = "house.css"\n')
    assert build(tmp_path, str(source)) == 0
    pdf = (tmp_path / "out" / "a-letter-from-canadian-comrades.pdf").read_bytes()
    assert any("Literata" in name for name, _ in fonts(pdf))
    assert body_size(pdf) == 10.0  # the style's own stylesheet comes last
    assert round(float(reader(pdf).pages[0].mediabox.width)) == 595  # A4
    # the command line wins over the file
    assert build(tmp_path, str(source), "--paper", "a5") == 0
    pdf = (tmp_path / "out" / "a-letter-from-canadian-comrades.pdf").read_bytes()
    assert round(float(reader(pdf).pages[0].mediabox.width)) == 420  # A5
    assert any("Literata" in name for name, _ in fonts(pdf))


def test_a_changed_style_rebuilds(tmp_path: Path, capsys) -> None:
    source = source_in(tmp_path / "book")
    assert build(tmp_path, str(source)) == 0
    assert build(tmp_path, str(source)) == 0
    assert "1 skipped" in capsys.readouterr().err
    write_style(source.parent, "size = 12\n")
    assert build(tmp_path, str(source)) == 0
    assert "1 built" in capsys.readouterr().err


def test_a_bad_publish_toml_fails_its_source_in_one_line(tmp_path: Path, capsys) -> None:
    source = source_in(tmp_path / "book")
    write_style(source.parent, 'typeface = "Papyrus"\n')
    assert build(tmp_path, str(source)) == 1
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if "Papyrus" in line)
    assert str(source) in line and "publish.toml: style: typeface:" in line
    assert "Traceback" not in err


def test_a_bad_style_option_is_a_usage_error(tmp_path: Path, capsys) -> None:
    source = source_in(tmp_path / "book")
    assert build(tmp_path, str(source), "--style", str(tmp_path / "none.toml")) == 2
    assert "none.toml: cannot read the style file" in capsys.readouterr().err
    assert build(tmp_path, str(source), "--css", str(tmp_path / "none.css")) == 2
    assert "none.css: no such file" in capsys.readouterr().err
    assert main(["build", str(source), "--formats", "cover"]) == 2
    assert "--formats cover needs --pod" in capsys.readouterr().err


def test_publish_templates_must_exist(tmp_path: Path, capsys, monkeypatch) -> None:
    source = source_in(tmp_path / "book")
    monkeypatch.setenv("PUBLISH_TEMPLATES", str(tmp_path / "mytemplates"))
    assert build(tmp_path, str(source)) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"publish: PUBLISH_TEMPLATES={tmp_path / 'mytemplates'}: no such folder"


def test_a_partial_print_css_is_warned_about(tmp_path: Path, capsys, monkeypatch) -> None:
    source = source_in(tmp_path / "book")
    (tmp_path / "mytemplates").mkdir()
    (tmp_path / "mytemplates" / "print.css").write_text("body { font-size: 13pt }\n")
    monkeypatch.setenv("PUBLISH_TEMPLATES", str(tmp_path / "mytemplates"))
    build(tmp_path, str(source))
    warning = next(line for line in capsys.readouterr().err.splitlines() if "warning" in line)
    assert "print.css replaces the built-in print.css but has no rules for the pages" in warning
    assert "--css FILE" in warning


def test_a_manifest_style_table(tmp_path: Path) -> None:
    source_in(tmp_path / "texts")
    manifest = tmp_path / "reader.toml"
    manifest.write_text(
        'title = "A Reader"\n[[parts]]\ntitle = "One"\ntexts = ["texts/letter.txt"]\n'
        '[style]\ntypeface = "literata"\nimprint = "Study Group Press"\n'
    )
    assert build(tmp_path, str(manifest)) == 0
    pdf = (tmp_path / "out" / "a-reader.pdf").read_bytes()
    assert any("Literata" in name for name, _ in fonts(pdf))
    assert "STUDY GROUP PRESS" in squeezed_pages(pdf)[0].upper()
    manifest.write_text(manifest.read_text() + 'colour = "red"\n')
    assert build(tmp_path, str(manifest)) == 1


def test_booklets_on_a4_pages_say_how_to_print_at_home(tmp_path: Path, capsys) -> None:
    source = source_in(tmp_path / "book")
    out = str(tmp_path / "out")
    assert main(["build", str(source), "-o", out, "--formats", "booklet", "--paper", "a4"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"sheets are A3 .*--paper a5", err), err
    assert main(["build", str(source), "-o", out, "--formats", "booklet", "--paper", "a5"]) == 0
    assert "sheets are" not in capsys.readouterr().err


def test_a_folder_with_its_publish_toml_builds_in_that_style(tmp_path: Path, capsys) -> None:
    source = source_in(tmp_path / "book")
    write_style(source.parent, 'typeface = "literata"\n')
    assert build(tmp_path, str(source.parent)) == 0  # publish.toml is no reader manifest
    err = capsys.readouterr().err
    assert "publish.toml" not in err and "1 built, 0 skipped, 0 failed" in err
    pdf = (tmp_path / "out" / "a-letter-from-canadian-comrades.pdf").read_bytes()
    assert any("Literata" in name for name, _ in fonts(pdf))
