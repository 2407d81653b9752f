"""The catalogue's shape, shared by the pages and both kinds of feed: shelves, pages, orders."""

import uuid
from dataclasses import dataclass

from publish.document import slugify
from publish.site.books import SITE_NAMESPACE, Book

PAGE_SIZE = 50  # entries per feed page: large feeds break small e-reader clients
LANGUAGES = {  # names of common languages, in themselves; others show their code
    "ar": "العربية",
    "ca": "Català",
    "de": "Deutsch",
    "el": "Ελληνικά",
    "en": "English",
    "es": "Español",
    "fa": "فارسی",
    "fr": "Français",
    "he": "עברית",
    "it": "Italiano",
    "nl": "Nederlands",
    "pl": "Polski",
    "pt": "Português",
    "ru": "Русский",
    "tr": "Türkçe",
    "uk": "Українська",
    "zh": "中文",
}
KINDS = {"pamphlet": "Pamphlets", "reader": "Readers"}


@dataclass(frozen=True)
class Shelf:
    """An acquisition feed before paging: some books in an order, under a navigation feed."""

    name: str  # file stem: "new", "all", "author-<slug>", "language-<code>", "kind-<kind>"
    title: str
    summary: str
    books: tuple[Book, ...]
    up: str  # the stem of the navigation feed that lists it


@dataclass(frozen=True)
class Catalogue:
    title: str
    books: tuple[Book, ...]  # newest first
    updated: dict[str, str]  # book id -> RFC 3339 time its files last changed

    @property
    def latest(self) -> str:
        return self.latest_of(self.books)

    def latest_of(self, books: tuple[Book, ...]) -> str:
        """When the files of any of these books last changed."""
        return max((self.updated[book.id] for book in books), default="1970-01-01T00:00:00Z")

    def feed_id(self, name: str) -> str:
        return f"urn:uuid:{uuid.uuid5(SITE_NAMESPACE, f'feed:{self.title}:{name}')}"

    def shelves(self) -> list[Shelf]:
        """Every acquisition feed: New, All, and one per author, language and kind."""
        by_title = tuple(sorted(self.books, key=lambda book: (book.title.casefold(), book.id)))
        count = len(self.books)
        shelves = [
            Shelf("new", "New", "The newest books first.", self.books, "root"),
            Shelf("all", "All books", f"All {count} books, by title.", by_title, "root"),
        ]
        for author in self.authors():
            books = tuple(book for book in self.books if author in book.authors)
            shelves.append(Shelf(author_feed(author), author, books_by(books), books, "authors"))
        for code in self.languages():
            books = tuple(book for book in self.books if book.language == code)
            name = language_name(code)
            shelves.append(Shelf(f"language-{code}", name, books_by(books), books, "languages"))
        for kind, title in KINDS.items():
            books = tuple(book for book in self.books if book.kind == kind)
            if books:
                shelves.append(Shelf(f"kind-{kind}", title, books_by(books), books, "root"))
        return shelves

    def authors(self) -> list[str]:
        names = {name for book in self.books for name in book.authors}
        return sorted(names, key=lambda name: (name.split()[-1].casefold(), name.casefold()))

    def languages(self) -> list[str]:
        return sorted({book.language for book in self.books})


def newest_first(books: list[Book]) -> tuple[Book, ...]:
    """Books by date, newest first; undated books last; ties by title."""
    ordered = sorted(books, key=lambda book: (book.title.casefold(), book.id))
    return tuple(sorted(ordered, key=lambda book: book.date or "", reverse=True))


def author_feed(name: str) -> str:
    return "author-" + (slugify(name) or str(uuid.uuid5(SITE_NAMESPACE, name)))


def language_name(code: str) -> str:
    return LANGUAGES.get(code.split("-")[0].lower(), code)


def books_by(books: tuple[Book, ...]) -> str:
    return f"{len(books)} book" + ("" if len(books) == 1 else "s")


def pages(books: tuple[Book, ...]) -> list[tuple[Book, ...]]:
    """Books in pages of PAGE_SIZE; an empty shelf has one empty page."""
    return [books[start : start + PAGE_SIZE] for start in range(0, len(books), PAGE_SIZE)] or [()]


def page_name(name: str, number: int, suffix: str) -> str:
    """'all', 1 -> 'all.xml'; 'all', 2 -> 'all-2.xml'."""
    return f"{name}{suffix}" if number == 1 else f"{name}-{number}{suffix}"
