"""OPDS 2.0 JSON feeds with the same books and shelves as the Atom feeds."""

import json

from publish.site.books import Book
from publish.site.catalogue import PAGE_SIZE, Catalogue, Shelf, page_name, pages
from publish.site.images import COVER_WIDTH, THUMBNAIL_WIDTH

TYPE = "application/opds+json"
OPEN_ACCESS = "http://opds-spec.org/acquisition/open-access"
SUFFIX = ".json"
ROOT = "root.json"


def feeds(catalogue: Catalogue, heights: dict[str, tuple[int, int]]) -> dict[str, bytes]:
    """Every OPDS 2.0 feed, by file name in opds/; `heights` gives each cover's two heights."""
    shelves = catalogue.shelves()
    navigation = [link(shelf) for shelf in shelves if shelf.up == "root"]
    groups = [
        {"metadata": {"title": title}, "navigation": links}
        for title, up in (("By author", "authors"), ("By language", "languages"))
        if (links := [link(shelf) for shelf in shelves if shelf.up == up])
    ]
    root = {
        "metadata": {"title": catalogue.title, "modified": catalogue.latest},
        "links": [
            {"rel": "self", "href": ROOT, "type": TYPE},
            {"rel": "start", "href": ROOT, "type": TYPE},
            {"rel": "alternate", "href": "../index.html", "type": "text/html"},
        ],
        "navigation": navigation,
    }
    if groups:
        root["groups"] = groups
    files = {ROOT: dump(root)}
    for shelf in shelves:
        files.update(shelf_pages(catalogue, shelf, heights))
    return files


def link(shelf: Shelf) -> dict[str, str]:
    return {
        "href": f"{shelf.name}{SUFFIX}",
        "title": shelf.title,
        "type": TYPE,
        "rel": "subsection",
    }


def shelf_pages(
    catalogue: Catalogue, shelf: Shelf, heights: dict[str, tuple[int, int]]
) -> dict[str, bytes]:
    paged = pages(shelf.books)
    files = {}
    for number, books in enumerate(paged, 1):
        name = page_name(shelf.name, number, SUFFIX)
        links = [
            {"rel": "self", "href": name, "type": TYPE},
            {"rel": "start", "href": ROOT, "type": TYPE},
            {"rel": "up", "href": ROOT, "type": TYPE},
            {"rel": "first", "href": page_name(shelf.name, 1, SUFFIX), "type": TYPE},
            {"rel": "last", "href": page_name(shelf.name, len(paged), SUFFIX), "type": TYPE},
        ]
        if number > 1:
            links.append({"rel": "previous", "href": page_name(shelf.name, number - 1, SUFFIX)})
        if number < len(paged):
            links.append({"rel": "next", "href": page_name(shelf.name, number + 1, SUFFIX)})
        feed = {
            "metadata": {
                "title": shelf.title,
                "modified": catalogue.latest_of(shelf.books),
                "numberOfItems": len(shelf.books),
                "itemsPerPage": PAGE_SIZE,
                "currentPage": number,
            },
            "links": [{"type": TYPE, **link} for link in links],
        }
        if books:
            feed["publications"] = [publication(catalogue, book, heights) for book in books]
        else:
            feed["navigation"] = [{"href": ROOT, "title": catalogue.title, "type": TYPE}]
        files[name] = dump(feed)
    return files


def publication(
    catalogue: Catalogue, book: Book, heights: dict[str, tuple[int, int]]
) -> dict[str, object]:
    metadata: dict[str, object] = {
        "@type": "http://schema.org/Book",
        "identifier": book.id,
        "title": book.title,
        "language": book.language,
        "modified": catalogue.updated[book.id],
    }
    if book.authors:
        metadata["author"] = list(book.authors)
    if book.editor:
        metadata["editor"] = book.editor
    if book.date:
        metadata["published"] = book.date
    if book.description:
        metadata["description"] = book.description
    cover_height, thumbnail_height = heights[book.slug]
    return {
        "metadata": metadata,
        "links": [
            {"rel": "alternate", "href": f"../books/{book.slug}.html", "type": "text/html"},
            *[
                {
                    "rel": OPEN_ACCESS,
                    "href": f"../files/{download.name}",
                    "type": download.media_type,
                    "title": download.label,
                    "size": download.size,
                }
                for download in book.downloads
            ],
        ],
        "images": [
            {
                "href": f"../covers/{book.slug}.jpg",
                "type": "image/jpeg",
                "width": COVER_WIDTH,
                "height": cover_height,
            },
            {
                "href": f"../covers/{book.slug}-thumbnail.jpg",
                "type": "image/jpeg",
                "width": THUMBNAIL_WIDTH,
                "height": thumbnail_height,
            },
        ],
    }


def dump(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
