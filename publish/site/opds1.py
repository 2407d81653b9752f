"""OPDS 1.2 Atom feeds: the root navigation feed, author and language lists, paged shelves.

Every href is relative to the feed file (all feeds live in opds/), so the site works from any
host or folder. Links carry the type of what they point at: a navigation or an acquisition
feed, a cover, a book's file.
"""

from lxml import etree
from lxml.builder import ElementMaker

from publish.site.books import Book
from publish.site.catalogue import Catalogue, Shelf, page_name, pages

ATOM = "http://www.w3.org/2005/Atom"
NAMESPACES = {
    None: ATOM,
    "dc": "http://purl.org/dc/terms/",
    "opds": "http://opds-spec.org/2010/catalog",
}
PROFILE = "application/atom+xml;profile=opds-catalog"
NAVIGATION = f"{PROFILE};kind=navigation"
ACQUISITION = f"{PROFILE};kind=acquisition"
ENTRY = "application/atom+xml;type=entry;profile=opds-catalog"
ENTRY_PREFIX = "entry-"  # opds/entry-<slug>.xml: a book's complete catalogue entry on its own
OPEN_ACCESS = "http://opds-spec.org/acquisition/open-access"
RELATIONS = {"new.xml": "http://opds-spec.org/sort/new"}  # OPDS 1.2's relation for newest first
SUFFIX = ".xml"
ROOT = "root.xml"
NAVIGATION_FEEDS = (ROOT, "authors.xml", "languages.xml")

E = ElementMaker(namespace=ATOM, nsmap=NAMESPACES)
DCT = ElementMaker(namespace=NAMESPACES["dc"], nsmap=NAMESPACES)


def feeds(catalogue: Catalogue) -> dict[str, bytes]:
    """Every OPDS 1.2 feed of the catalogue, by file name in opds/."""
    shelves = catalogue.shelves()
    files = {
        ROOT: navigation_feed(catalogue, "root", catalogue.title, root_entries(shelves), None),
        "authors.xml": navigation_feed(
            catalogue, "authors", "By author", shelf_entries(shelves, "authors"), "root"
        ),
        "languages.xml": navigation_feed(
            catalogue, "languages", "By language", shelf_entries(shelves, "languages"), "root"
        ),
    }
    for shelf in shelves:
        files.update(acquisition_pages(catalogue, shelf))
    for book in catalogue.books:
        files[f"{ENTRY_PREFIX}{book.slug}{SUFFIX}"] = serialize(entry(catalogue, book))
    return files


def root_entries(shelves: list[Shelf]) -> list[tuple[str, str, str, str, tuple[Book, ...]]]:
    """(title, summary, href, type, books) of each entry of the root feed."""
    everything = shelves[1].books
    entries = [shelf_entry(shelf) for shelf in shelves[:2]]
    entries += [
        ("By author", "Books by each author.", "authors.xml", NAVIGATION, everything),
        ("By language", "Books in each language.", "languages.xml", NAVIGATION, everything),
    ]
    entries += [shelf_entry(shelf) for shelf in shelves if shelf.name.startswith("kind-")]
    return entries


def shelf_entries(
    shelves: list[Shelf], up: str
) -> list[tuple[str, str, str, str, tuple[Book, ...]]]:
    return [shelf_entry(shelf) for shelf in shelves if shelf.up == up]


def shelf_entry(shelf: Shelf) -> tuple[str, str, str, str, tuple[Book, ...]]:
    return (shelf.title, shelf.summary, f"{shelf.name}{SUFFIX}", ACQUISITION, shelf.books)


def navigation_feed(
    catalogue: Catalogue,
    name: str,
    title: str,
    entries: list[tuple[str, str, str, str, tuple[Book, ...]]],
    up: str | None,
) -> bytes:
    books = tuple(book for *_, shelf in entries for book in shelf)
    feed = feed_head(catalogue, name, title, f"{name}{SUFFIX}", NAVIGATION, up, books)
    for entry_title, summary, href, kind, shelf in entries:
        feed.append(
            E.entry(
                E.title(entry_title),
                E.id(catalogue.feed_id(href.removesuffix(SUFFIX))),
                E.updated(catalogue.latest_of(shelf)),
                E.content(summary, type="text"),
                E.link(
                    rel=RELATIONS.get(href, "subsection"), href=href, type=kind, title=entry_title
                ),
            )
        )
    return serialize(feed)


def acquisition_pages(catalogue: Catalogue, shelf: Shelf) -> dict[str, bytes]:
    """A shelf's feed pages, linked first to last with next and previous."""
    paged = pages(shelf.books)
    files = {}
    for number, books in enumerate(paged, 1):
        name = page_name(shelf.name, number, SUFFIX)
        feed = feed_head(
            catalogue, shelf.name, shelf.title, name, ACQUISITION, shelf.up, shelf.books
        )
        links = {"first": 1, "last": len(paged)}
        if number > 1:
            links["previous"] = number - 1
        if number < len(paged):
            links["next"] = number + 1
        for rel, target in links.items():
            feed.append(
                E.link(rel=rel, href=page_name(shelf.name, target, SUFFIX), type=ACQUISITION)
            )
        feed.extend(entry(catalogue, book) for book in books)
        files[name] = serialize(feed)
    return files


def feed_head(
    catalogue: Catalogue,
    name: str,
    title: str,
    href: str,
    kind: str,
    up: str | None,
    books: tuple[Book, ...],
) -> etree._Element:
    """A feed's id, title, updated (by the books it reaches), author, self, start and up."""
    feed = E.feed(
        E.id(catalogue.feed_id(name)),
        E.title(title if name == "root" else f"{title} · {catalogue.title}"),
        E.updated(catalogue.latest_of(books)),
        E.author(E.name(catalogue.title)),
        E.link(rel="self", href=href, type=kind),
        E.link(rel="start", href=ROOT, type=NAVIGATION, title=catalogue.title),
    )
    if up:
        feed.append(E.link(rel="up", href=f"{up}{SUFFIX}", type=NAVIGATION))
    feed.append(E.link(rel="alternate", href="../index.html", type="text/html"))
    return feed


def entry(catalogue: Catalogue, book: Book) -> etree._Element:
    """One book: identity, metadata, cover links, and a link per downloadable file."""
    element = E.entry(
        E.title(book.title),
        E.id(book.id),
        E.updated(catalogue.updated[book.id]),
        *[E.author(E.name(name)) for name in book.authors],
    )
    if book.editor:
        element.append(E.contributor(E.name(book.editor)))
    element.append(DCT.language(book.language))
    if book.date:
        element.append(DCT.issued(book.date))
    element.append(E.category(term=book.kind, label=book.kind.capitalize()))
    if book.description:
        element.append(E.summary(book.description, type="text"))
    element.extend(
        [
            E.link(
                rel="http://opds-spec.org/image",
                href=f"../covers/{book.slug}.jpg",
                type="image/jpeg",
            ),
            E.link(
                rel="http://opds-spec.org/image/thumbnail",
                href=f"../covers/{book.slug}-thumbnail.jpg",
                type="image/jpeg",
            ),
            E.link(rel="alternate", href=f"../books/{book.slug}.html", type="text/html"),
        ]
    )
    for download in book.downloads:
        element.append(
            E.link(
                rel=OPEN_ACCESS,
                href=f"../files/{download.name}",
                type=download.media_type,
                length=str(download.size),
                title=download.label,
            )
        )
    return element


def serialize(feed: etree._Element) -> bytes:
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)
