"""What the site knows of a book: metadata, contents and cover, read back from its built files.

The site never re-parses a source: everything here comes from the EPUB that the build wrote
(its OPF metadata, its navigation document, its cover) and from the sizes of the other files.
"""

import hashlib
import os
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from publish.errors import PublishError

SITE_NAMESPACE = uuid.UUID("2b4f3c86-5d0e-5b8f-a0c1-47a1d1c3e9f5")  # uuid5 namespace of entries
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
XHTML = "http://www.w3.org/1999/xhtml"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
DESCRIPTION_LENGTH = 200
READER_TEXT = re.compile(r"text-\d+-\d+\.xhtml$")
NOT_CONTENTS = re.compile(r"(titlepage|colophon|nav)\.xhtml")
FORMATS = (  # kind, file suffix, media type, label
    ("epub", ".epub", "application/epub+zip", "EPUB for e-readers and phones"),
    ("pdf", ".pdf", "application/pdf", "PDF for reading and printing"),
    ("booklet", "-booklet.pdf", "application/pdf", "Booklet PDF for saddle-stitch printing"),
    ("large-print", "-large-print.pdf", "application/pdf", "Large-print PDF (18 pt, A4 or Letter)"),
)


@dataclass(frozen=True)
class Download:
    kind: str  # "epub", "pdf", "booklet" or "large-print"
    name: str  # the file's name, the same in the build folder and in the site's files/
    media_type: str
    label: str
    size: int


@dataclass(frozen=True)
class Section:
    title: str
    children: tuple["Section", ...] = ()


@dataclass(frozen=True)
class Book:
    id: str  # urn:uuid from the source's identity, stable across corrections
    slug: str
    kind: str  # "pamphlet" or "reader"
    title: str
    language: str
    authors: tuple[str, ...]
    editor: str | None
    date: str | None  # ISO 8601
    description: str
    contents: tuple[Section, ...]
    texts: tuple[str, ...]  # a reader's texts, by title
    downloads: tuple[Download, ...]
    digest: str  # of the downloads' bytes: `updated` moves only when this does
    cover: bytes  # the EPUB's cover image (JPEG)


def source_identity(source: Path) -> str:
    """The source's path relative to the working folder (absolute when outside it)."""
    resolved = source.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def entry_id(source: Path) -> str:
    return f"urn:uuid:{uuid.uuid5(SITE_NAMESPACE, source_identity(source))}"


def read_book(source: Path, slug: str, folder: Path) -> Book:
    """A Book from the files built for `source` as `slug` in `folder`."""
    epub_path = folder / f"{slug}.epub"
    downloads, digest = [], hashlib.sha256()
    for kind, suffix, media_type, label in FORMATS:
        path = folder / f"{slug}{suffix}"
        if path.is_file():
            digest.update(kind.encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
            downloads.append(Download(kind, path.name, media_type, label, path.stat().st_size))
    try:
        with zipfile.ZipFile(epub_path) as epub:
            return book_from_epub(source, slug, epub, tuple(downloads), digest.hexdigest())
    except (OSError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as error:
        raise PublishError(epub_path, f"cannot read the built EPUB: {error}") from None


def book_from_epub(
    source: Path, slug: str, epub: zipfile.ZipFile, downloads: tuple[Download, ...], digest: str
) -> Book:
    container = etree.fromstring(epub.read("META-INF/container.xml"))
    opf_name = container.find(f".//{{{CONTAINER}}}rootfile").get("full-path")
    opf = etree.fromstring(epub.read(opf_name))
    base = PurePosixPath(opf_name).parent
    items = {item.get("id"): item for item in opf.iter(f"{{{OPF}}}item")}
    names = {key: str(base / item.get("href")) for key, item in items.items()}
    nav_id = next(k for k, item in items.items() if "nav" in (item.get("properties") or ""))
    cover_id = next(
        k for k, item in items.items() if "cover-image" in (item.get("properties") or "")
    )
    nav = etree.fromstring(epub.read(names[nav_id]))
    toc = nav.find(f".//{{{XHTML}}}nav[@id='toc']/{{{XHTML}}}ol")
    sections = nav_sections(toc) if toc is not None else ()
    is_reader = source.suffix.lower() == ".toml"
    editor = dc_text(opf, "contributor")
    authors = tuple(name for name in dc_all(opf, "creator") if name != editor)
    spine = [names[ref.get("idref")] for ref in opf.iter(f"{{{OPF}}}itemref")]
    description = dc_text(opf, "description") or first_paragraph(epub, spine)
    return Book(
        id=entry_id(source),
        slug=slug,
        kind="reader" if is_reader else "pamphlet",
        title=dc_text(opf, "title") or slug,
        language=dc_text(opf, "language") or "en",
        authors=authors,
        editor=editor,
        date=dc_text(opf, "date"),
        description=shorten(description),
        contents=reader_contents(sections) if is_reader else pamphlet_contents(sections),
        texts=reader_texts(toc) if is_reader and toc is not None else (),
        downloads=downloads,
        digest=digest,
        cover=epub.read(names[cover_id]),
    )


def dc_all(opf: etree._Element, name: str) -> list[str]:
    return [" ".join(el.text.split()) for el in opf.iter(f"{{{DC}}}{name}") if el.text]


def dc_text(opf: etree._Element, name: str) -> str | None:
    found = dc_all(opf, name)
    return found[0] if found else None


def nav_sections(ol: etree._Element) -> tuple[tuple[Section, str], ...]:
    """Each navigation entry as a Section, with the href it points to."""
    found = []
    for item in ol.iterchildren(f"{{{XHTML}}}li"):
        link = item.find(f"{{{XHTML}}}a")
        if link is None:
            continue
        inner = item.find(f"{{{XHTML}}}ol")
        children = tuple(section for section, _ in nav_sections(inner)) if inner is not None else ()
        title = " ".join("".join(link.itertext()).split())
        found.append((Section(title, children), link.get("href", "")))
    return tuple(found)


def pamphlet_contents(sections: tuple[tuple[Section, str], ...]) -> tuple[Section, ...]:
    """A pamphlet's headings: the children of its text, two levels deep."""
    texts = [section for section, href in sections if not NOT_CONTENTS.search(href)]
    headings = tuple(child for text in texts for child in text.children)
    return tuple(Section(h.title, tuple(Section(c.title) for c in h.children)) for h in headings)


def reader_contents(sections: tuple[tuple[Section, str], ...]) -> tuple[Section, ...]:
    """A reader's introduction and parts, each part with its texts and questions."""
    kept = [section for section, href in sections if not NOT_CONTENTS.search(href)]
    return tuple(Section(s.title, tuple(Section(c.title) for c in s.children)) for s in kept)


def reader_texts(toc: etree._Element) -> tuple[str, ...]:
    """The titles of the texts a reader holds, in order."""
    links = toc.iter(f"{{{XHTML}}}a")
    texts = [link for link in links if READER_TEXT.search(link.get("href", ""))]
    return tuple(" ".join("".join(link.itertext()).split()) for link in texts)


def first_paragraph(epub: zipfile.ZipFile, spine: list[str]) -> str:
    """The first paragraph of the first text page, for books without a description."""
    for name in spine:
        if not os.path.basename(name).startswith("text"):
            continue
        page = etree.fromstring(epub.read(name))
        for paragraph in page.iter(f"{{{XHTML}}}p"):
            text = " ".join("".join(paragraph.itertext()).split())
            if text:
                return text
    return ""


def shorten(text: str) -> str:
    """One line: at most DESCRIPTION_LENGTH characters, cut at a word, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    cut = text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
