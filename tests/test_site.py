"""`publish site`: the catalogue's files, its OPDS 1.2 and 2.0 feeds, paging and stability."""

import hashlib
import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html
from opds_schemas import opds1_errors, opds2_errors
from sitetools import Site, make_sources, run_site, shared_site

import publish.site
from publish import templates
from publish.build import CACHE_NAME
from publish.site import fonts, opds1, opds2
from publish.site.books import Book, Download, Section, entry_id
from publish.site.catalogue import PAGE_SIZE, Catalogue, newest_first


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return shared_site(tmp_path_factory)


ATOM = "{http://www.w3.org/2005/Atom}"
OPEN_ACCESS = "http://opds-spec.org/acquisition/open-access"
EPOCH_TIME = "2023-11-14T22:13:20Z"
LATER = "2030-01-01T00:00:00Z"


def feeds(site: Site, suffix: str) -> list[Path]:
    return sorted((site.root / "opds").glob(f"*{suffix}"))


def local_target(page: Path, href: str) -> Path:
    """The file a relative link in `page` points at."""
    return (page.parent / unquote(urlsplit(href).path)).resolve()


def test_site_has_catalogue_pages_covers_files_and_feeds(site):
    names = {path.relative_to(site.root).as_posix() for path in site.root.rglob("*")}
    for slug in ("the-strike-at-the-mill", "le-bulletin-des-rives", "mill-and-river"):
        assert f"books/{slug}.html" in names
        assert {f"files/{slug}.epub", f"files/{slug}.pdf", f"files/{slug}-booklet.pdf"} <= names
        assert {f"covers/{slug}.jpg", f"covers/{slug}-thumbnail.jpg"} <= names
    assert {"index.html", "favicon.ico", "opds/root.xml", "opds/root.json"} <= names
    assert not any(CACHE_NAME in name for name in names)


def test_catalogue_lists_every_book_newest_first_with_its_facts(site):
    page = lxml_html.parse(str(site.root / "index.html")).getroot()
    items = page.xpath('//ol[@id="books"]/li')
    titles = [" ".join(item.xpath("string(.//h2)").split()) for item in items]
    assert titles == ["Mill and River", "Le Bulletin des Rives", "The Strike at the Mill"]
    strike = items[2].text_content()
    for fact in ("Ada Weaver, Ben Loom", "2021-05-01", "English", "Pamphlet", "shorter week"):
        assert fact in strike
    assert "Français" in items[1].text_content()
    assert "Reader" in items[0].text_content()


def test_search_index_is_embedded_in_the_page_and_folded(site):
    page = lxml_html.parse(str(site.root / "index.html")).getroot()
    index = json.loads(page.get_element_by_id("search-index").text)
    assert index["le-bulletin-des-rives"]["authors"] == ["Élise Durand"]
    assert "elise durand" in index["le-bulletin-des-rives"]["text"]
    assert index["mill-and-river"]["kind"] == "reader"
    assert index["the-strike-at-the-mill"]["language"] == "en"


def test_book_page_has_downloads_with_sizes_hint_contents_and_autodiscovery(site):
    path = site.root / "books" / "the-strike-at-the-mill.html"
    page = lxml_html.parse(str(path)).getroot()
    downloads = page.xpath('//section[@class="downloads"]//a')
    assert [local_target(path, a.get("href")).name for a in downloads] == [
        "the-strike-at-the-mill.epub",
        "the-strike-at-the-mill.pdf",
        "the-strike-at-the-mill-booklet.pdf",
    ]
    sizes = page.xpath('//section[@class="downloads"]//span[@class="size"]/text()')
    assert all(re.search(r"\d+ KB", size) for size in sizes)
    assert "staple along the fold" in page.xpath('string(//p[@class="hint"])')
    assert page.xpath('//section[@class="contents"]//li/text()') == ["The demands", "The vote"]
    alternates = {
        link.get("type"): link.get("href") for link in page.xpath('//link[@rel="alternate"]')
    }
    assert "application/atom+xml;profile=opds-catalog;kind=navigation" in alternates
    entry = alternates["application/atom+xml;type=entry;profile=opds-catalog"]
    document = etree.parse(str(local_target(path, entry))).getroot()
    assert document.tag == f"{ATOM}entry"
    assert document.findtext(f"{ATOM}title") == "The Strike at the Mill"


def test_reader_page_links_its_texts_to_their_own_pages(site):
    path = site.root / "books" / "mill-and-river.html"
    page = lxml_html.parse(str(path)).getroot()
    links = page.xpath('//section[@class="texts"]//a')
    assert [a.text for a in links] == ["The Strike at the Mill", "Le Bulletin des Rives"]
    assert all(local_target(path, a.get("href")).is_file() for a in links)
    assert "Edited by Riverside Study Circle" in page.text_content()


def test_every_link_of_every_page_and_feed_resolves(site):
    for path in [*site.root.rglob("*.html"), *feeds(site, ".xml")]:
        tree = etree.parse(str(path), etree.HTMLParser() if path.suffix == ".html" else None)
        hrefs = tree.xpath("//@href | //@src")
        assert hrefs
        for href in hrefs:
            assert not urlsplit(href).scheme and not href.startswith("/"), href
            if not href.startswith("#"):
                assert local_target(path, href).is_file(), f"{path.name}: {href}"


def test_every_opds1_feed_validates_against_the_relaxng_schema(site):
    found = feeds(site, ".xml")
    assert len(found) >= 10
    for path in found:
        assert opds1_errors(path.read_bytes()) == [], path.name


def test_every_opds2_feed_validates_against_the_json_schemas(site):
    found = feeds(site, ".json")
    assert len(found) >= 8
    for path in found:
        assert opds2_errors(path.read_bytes()) == [], path.name


def test_schemas_reject_what_opds_forbids():
    html_summary = b"""<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>
    <updated>2024-01-01T00:00:00Z</updated><entry><id>e</id><title>t</title>
    <updated>2024-01-01T00:00:00Z</updated><summary type="html">b</summary></entry></feed>"""
    assert opds1_errors(html_summary)
    assert opds1_errors(html_summary.replace(b'type="html"', b'type="text"')) == []
    assert opds2_errors(b'{"metadata": {"title": "t"}, "links": []}')


def test_acquisition_links_have_types_and_lengths_of_the_files(site):
    for path in feeds(site, ".xml"):
        for link in etree.parse(str(path)).iter(f"{ATOM}link"):
            if link.get("rel") == OPEN_ACCESS:
                target = local_target(path, link.get("href"))
                assert int(link.get("length")) == target.stat().st_size
                assert link.get("type") in ("application/epub+zip", "application/pdf")
    for path in feeds(site, ".json"):
        for publication in json.loads(path.read_bytes()).get("publications", []):
            for link in publication["links"]:
                if link["rel"] == OPEN_ACCESS:
                    assert link["size"] == local_target(path, link["href"]).stat().st_size


def test_feed_links_are_typed_by_their_target(site):
    kinds = {}
    atom_feeds = [path for path in feeds(site, ".xml") if not path.name.startswith("entry-")]
    for path in atom_feeds:
        feed = etree.parse(str(path)).getroot()
        is_navigation = feed.find(f"{ATOM}entry/{ATOM}content") is not None
        kinds[path.name] = "navigation" if is_navigation else "acquisition"
    for path in atom_feeds:
        feed = etree.parse(str(path)).getroot()
        rels = {link.get("rel") for link in feed.findall(f"{ATOM}link")}
        assert {"self", "start"} <= rels
        assert path.name == "root.xml" or "up" in rels
        for link in feed.iter(f"{ATOM}link"):
            target = link.get("href")
            if target in kinds:
                assert link.get("type").endswith(f";kind={kinds[target]}"), (path.name, target)
        for image in ("http://opds-spec.org/image", "http://opds-spec.org/image/thumbnail"):
            for link in feed.iter(f"{ATOM}link"):
                if link.get("rel") == image:
                    assert link.get("type") == "image/jpeg"


def test_root_feed_reaches_new_all_authors_and_languages(site):
    root = etree.parse(str(site.root / "opds" / "root.xml")).getroot()
    titles = [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
    assert titles[:4] == ["New", "All books", "By author", "By language"]
    rels = [link.get("rel") for link in root.iter(f"{ATOM}link") if link.get("title") == "New"]
    assert rels == ["http://opds-spec.org/sort/new"]
    authors = etree.parse(str(site.root / "opds" / "authors.xml")).getroot()
    names = [entry.findtext(f"{ATOM}title") for entry in authors.iter(f"{ATOM}entry")]
    assert names == ["Élise Durand", "Ben Loom", "Ada Weaver"]


def test_entries_use_the_source_identity_and_the_build_time(site):
    feed = etree.parse(str(site.root / "opds" / "all.xml")).getroot()
    entries = {e.findtext(f"{ATOM}title"): e for e in feed.iter(f"{ATOM}entry")}
    strike = entries["The Strike at the Mill"]
    assert strike.findtext(f"{ATOM}id") == entry_id(site.sources / "strike.md")
    assert strike.findtext(f"{ATOM}updated") == EPOCH_TIME
    assert strike.find(f"{ATOM}summary").get("type") == "text"


def test_unchanged_rebuild_rewrites_no_file(site):
    before = {path: path.stat().st_mtime_ns for path in site.root.rglob("*") if path.is_file()}
    assert run_site(site) == 0
    after = {path: path.stat().st_mtime_ns for path in site.root.rglob("*") if path.is_file()}
    assert after == before


def test_build_folder_inside_the_site_is_refused(tmp_path, capsys):
    inside = Site(tmp_path / "site", tmp_path / "site" / "build", make_sources(tmp_path / "src"))
    assert run_site(inside) == 2
    assert "inside the site" in capsys.readouterr().err
    assert not inside.build.exists()


def test_a_correction_keeps_the_id_and_moves_only_its_own_updated(tmp_path, monkeypatch):
    sources = make_sources(tmp_path / "src")
    (sources / "reader.toml").unlink()
    made = Site(tmp_path / "site", tmp_path / "build", sources)
    assert run_site(made) == 0
    first = entries_by_title(made)
    untouched = [
        made.root / name
        for name in (
            "opds/language-fr.xml",
            "opds/author-elise-durand.json",
            "books/le-bulletin-des-rives.html",
            "files/le-bulletin-des-rives.epub",
            "covers/le-bulletin-des-rives.jpg",
        )
    ]
    before = [path.stat().st_mtime_ns for path in untouched]
    strike = sources / "strike.md"
    strike.write_text(strike.read_text().replace("before dawn", "at dawn"), encoding="utf-8")
    (made.root / "files" / "stale.pdf").write_bytes(b"%PDF")
    monkeypatch.setattr(publish.site, "timestamp", lambda: LATER)
    assert run_site(made) == 0
    second = entries_by_title(made)
    assert second["The Strike at the Mill"][0] == first["The Strike at the Mill"][0]
    assert second["The Strike at the Mill"][1] == LATER
    assert second["Le Bulletin des Rives"] == first["Le Bulletin des Rives"]
    assert [path.stat().st_mtime_ns for path in untouched] == before
    assert not (made.root / "files" / "stale.pdf").exists()
    with zipfile.ZipFile(made.root / "files" / "the-strike-at-the-mill.epub") as epub:
        assert any(b"at dawn" in epub.read(name) for name in epub.namelist())


def entries_by_title(made: Site) -> dict[str, tuple[str, str]]:
    feed = etree.parse(str(made.root / "opds" / "all.xml")).getroot()
    return {
        e.findtext(f"{ATOM}title"): (e.findtext(f"{ATOM}id"), e.findtext(f"{ATOM}updated"))
        for e in feed.iter(f"{ATOM}entry")
    }


def test_a_source_that_fails_is_named_and_left_out(tmp_path, capsys):
    sources = make_sources(tmp_path / "src")
    (sources / "reader.toml").write_text('title = "Broken"\n', encoding="utf-8")
    (sources / "bulletin.md").unlink()
    (sources / "strike.md").unlink()
    (sources / "empty.md").write_text("", encoding="utf-8")
    made = Site(tmp_path / "site", tmp_path / "build", sources)
    status = run_site(made)
    err = capsys.readouterr().err
    assert status == 1
    assert "reader.toml" in err and "Traceback" not in err
    assert (made.root / "index.html").is_file()


def synthetic_books(count: int) -> list[Book]:
    """Books for paging tests, without building any: only feed writing is under test."""
    books = []
    for number in range(count):
        slug = f"book-{number}"
        books.append(
            Book(
                id=entry_id(Path(f"sources/{slug}.md")),
                slug=slug,
                kind="reader" if number % 7 == 0 else "pamphlet",
                title=f"Book {number}",
                language=("en", "fr", "de")[number % 3],
                authors=(f"Author {number % 5}",),
                editor=None,
                date=f"20{10 + number % 15:02d}-01-01",
                description=f"About book {number}.",
                contents=(Section("One"),),
                texts=(),
                downloads=(Download("epub", f"{slug}.epub", "application/epub+zip", "EPUB", 10),),
                digest=str(number),
                cover=b"",
            )
        )
    return books


def catalogue_of(books: list[Book]) -> Catalogue:
    updated = {book.id: "2024-01-01T00:00:00Z" for book in books}
    return Catalogue("Test", newest_first(books), updated)


def follow(files: dict[str, bytes], first: str) -> list[str]:
    """Entry ids met when following `next` from the first page, in order."""
    ids, name, seen = [], first, set()
    while name:
        assert name not in seen
        seen.add(name)
        feed = etree.fromstring(files[name])
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) <= PAGE_SIZE
        ids += [entry.findtext(f"{ATOM}id") for entry in entries]
        following = [link.get("href") for link in feed.findall(f"{ATOM}link[@rel='next']")]
        name = following[0] if following else None
    return ids


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=0, max_value=130))
def test_following_next_reaches_every_book_exactly_once(count):
    books = synthetic_books(count)
    catalogue = catalogue_of(books)
    files = opds1.feeds(catalogue)
    for first in ("all.xml", "new.xml"):
        ids = follow(files, first)
        assert sorted(ids) == sorted(book.id for book in books)
    for author in {book.authors[0] for book in books}:
        expected = sorted(book.id for book in books if author in book.authors)
        name = f"author-{author.lower().replace(' ', '-')}.xml"
        assert sorted(follow(files, name)) == expected


def test_paged_feeds_validate_and_link_back():
    catalogue = catalogue_of(synthetic_books(120))
    files = opds1.feeds(catalogue)
    assert {"all.xml", "all-2.xml", "all-3.xml"} <= set(files)
    assert "all-4.xml" not in files
    for name, data in files.items():
        assert opds1_errors(data) == [], name
    second = etree.fromstring(files["all-2.xml"])
    links = {link.get("rel"): link.get("href") for link in second.findall(f"{ATOM}link")}
    assert links["previous"] == "all.xml" and links["next"] == "all-3.xml"
    heights = {book.slug: (640, 192) for book in catalogue.books}
    json_files = opds2.feeds(catalogue, heights)
    for name, data in json_files.items():
        assert opds2_errors(data) == [], name
    pages, name = [], "all.json"
    while name:
        pages.append(json.loads(json_files[name]))
        name = next((k["href"] for k in pages[-1]["links"] if k["rel"] == "next"), None)
    assert [len(page["publications"]) for page in pages] == [50, 50, 20]
    ids = [p["metadata"]["identifier"] for page in pages for p in page["publications"]]
    assert sorted(ids) == sorted(book.id for book in catalogue.books)
    root = json.loads(json_files["root.json"])
    groups = {group["metadata"]["title"]: group["navigation"] for group in root["groups"]}
    assert len(groups["By author"]) == 5 and len(groups["By language"]) == 3


def test_newest_first_puts_undated_books_last():
    books = synthetic_books(3)
    undated = replace(books[0], date=None, title="Aaa")
    assert [book.title for book in newest_first([undated, *books[1:]])] == [
        "Book 2",
        "Book 1",
        "Aaa",
    ]


def test_site_bytes_are_reproducible(site, tmp_path):
    copy = Site(tmp_path / "site", site.build, site.sources)
    assert run_site(copy) == 0
    for path in site.root.rglob("*"):
        if path.is_file():
            assert (copy.root / path.relative_to(site.root)).read_bytes() == path.read_bytes()


def test_an_empty_catalogue_still_validates():
    catalogue = catalogue_of([])
    for name, data in opds1.feeds(catalogue).items():
        assert opds1_errors(data) == [], name
    for name, data in opds2.feeds(catalogue, {}).items():
        assert opds2_errors(data) == [], name


def test_titles_with_markup_stay_text_in_pages_and_feeds(tmp_path):
    sources = tmp_path / "src"
    sources.mkdir()
    title = "<script>alert(1)</script> & Co"
    (sources / "hostile.md").write_text(
        f"---\ntitle: '{title}'\nauthors:\n- '<b>Bold</b>'\n---\nA line.\n", encoding="utf-8"
    )
    made = Site(tmp_path / "site", tmp_path / "build", sources)
    assert run_site(made) == 0
    page = lxml_html.parse(str(made.root / "index.html")).getroot()
    assert [s.get("src") for s in page.iter("script")] == [None, "assets/catalogue.js"]
    assert title in page.xpath("string(//ol[@id='books']//h2)")
    for path in feeds(made, ".xml"):
        assert opds1_errors(path.read_bytes()) == [], path.name
    feed = etree.parse(str(made.root / "opds" / "all.xml")).getroot()
    assert feed.findtext(f"{ATOM}entry/{ATOM}title") == title
    assert feed.findtext(f"{ATOM}entry/{ATOM}author/{ATOM}name") == "<b>Bold</b>"


def test_web_fonts_are_woff2_of_the_pamphlets_faces(site):
    for face in fonts.FACES:
        web = TTFont(site.root / "assets" / "fonts" / f"{face}.woff2")
        original = TTFont(templates.find(f"fonts/{face}.ttf"))
        assert web.flavor == "woff2"
        assert web.getBestCmap() == original.getBestCmap()
    assert (site.root / "assets" / "fonts" / fonts.LICENCE).is_file()


def test_web_fonts_come_from_the_cache_when_it_holds_them(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = templates.find("fonts/EBGaramond-Regular.ttf")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    (tmp_path / "publish" / "fonts").mkdir(parents=True)
    (tmp_path / "publish" / "fonts" / f"{digest}.woff2").write_bytes(b"from the cache")
    assert fonts.woff2(path) == b"from the cache"


def test_a_large_print_edition_is_offered_with_its_book(tmp_path):
    sources = make_sources(tmp_path / "src")
    for name in ("reader.toml", "bulletin.md"):
        (sources / name).unlink(missing_ok=True)
    (sources / "publish.toml").write_text('edition = ["standard", "large-print"]\n')
    made = Site(tmp_path / "site", tmp_path / "build", sources)
    assert run_site(made) == 0
    pages = [page.read_text() for page in (made.root / "books").glob("*.html")]
    offered = [page for page in pages if "-large-print.pdf" in page]
    assert offered and all("Large-print PDF" in page for page in offered)
    for page in offered:
        name = re.search(r'href="\.\./files/([^"]+-large-print\.pdf)"', page).group(1)
        assert (made.root / "files" / name).is_file()
    feed = "".join(path.read_text() for path in feeds(made, ".xml"))
    assert "-large-print.pdf" in feed
