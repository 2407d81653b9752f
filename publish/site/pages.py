"""The catalogue's HTML pages, its stylesheet, script and fonts, from the templates in site/."""

import json
import unicodedata

from publish import templates
from publish.site.books import Book
from publish.site.catalogue import Catalogue, language_name
from publish.site.fonts import web_fonts
from publish.site.images import COVER_WIDTH, THUMBNAIL_WIDTH

ASSETS = ("site/site.css", "site/catalogue.js")
SHEETS = {"a5": "A4", "a4": "A3", "letter": "tabloid (11 × 17 in)", "half-letter": "US Letter"}


def pages(
    catalogue: Catalogue, heights: dict[str, tuple[int, int]], paper: str
) -> dict[str, bytes]:
    """index.html and books/<slug>.html, by path in the site."""
    common = {
        "site_title": catalogue.title,
        "lang": "en",
        "heights": heights,
        "cover_width": COVER_WIDTH,
        "thumbnail_width": THUMBNAIL_WIDTH,
        "language_name": language_name,
        "human_size": human_size,
    }
    environment = templates.environment()
    index = environment.get_template("site/index.html.j2").render(
        root="",
        books=catalogue.books,
        languages=[(code, language_name(code)) for code in catalogue.languages()],
        authors=catalogue.authors(),
        search_index=search_index(catalogue.books),
        **common,
    )
    files = {"index.html": index.encode("utf-8")}
    alone = {book.title: book.slug for book in catalogue.books if book.kind == "pamphlet"}
    page = environment.get_template("site/book.html.j2")
    for book in catalogue.books:
        html = page.render(
            root="../",
            book=book,
            texts=[(title, alone.get(title)) for title in book.texts],
            booklet_hint=booklet_hint(paper),
            **common,
        )
        files[f"books/{book.slug}.html"] = html.encode("utf-8")
    return files


def assets() -> dict[str, bytes]:
    """The stylesheet, the script and the fonts, by path in the site."""
    files = {f"assets/{name.split('/')[-1]}": templates.find(name).read_bytes() for name in ASSETS}
    files.update({f"assets/fonts/{name}": data for name, data in web_fonts().items()})
    return files


def search_index(books: tuple[Book, ...]) -> str:
    """JSON for the page's script element: each book's facets and its searchable text."""
    index = {
        book.slug: {
            "language": book.language,
            "authors": list(book.authors),
            "kind": book.kind,
            "text": fold(" ".join(searchable(book))),
        }
        for book in books
    }
    return json.dumps(index, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")


def searchable(book: Book) -> list[str]:
    words = [book.title, *book.authors, book.editor or "", book.description, *book.texts]
    for section in book.contents:
        words += [section.title, *(child.title for child in section.children)]
    return words


def fold(text: str) -> str:
    """Lower case without accents, as the page's script folds what is typed."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).lower()


def booklet_hint(paper: str) -> str:
    sheet = SHEETS.get(paper, "paper twice the page size")
    return (
        f"Print on {sheet}, double-sided, flipping on the short edge, at actual size; "
        "fold the stack in half and staple along the fold."
    )


def human_size(size: int) -> str:
    """1536 -> '2 KB', 1572864 -> '1.5 MB'."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"
