"""EPUB 3 books (with an EPUB 2 NCX) from a Document or a reader Volume.

The XHTML, the navigation document and the NCX come from Jinja2 templates in templates/epub/
and are added to ebooklib as plain EpubItems: EpubHtml re-parses and mangles content, and its
generated nav and NCX cannot carry landmarks, roles or a depth limit. ebooklib writes the OPF
(metadata, manifest, spine, guide) and the zip; `ReproducibleWriter` fixes the zip's dates and
modes and puts `xml:lang` on `<package>`. See FIELD-NOTES.md, "EPUB with ebooklib".
"""

import io
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from ebooklib import epub
from lxml import etree
from PIL import Image

from publish import __version__, templates
from publish.dates import date_language
from publish.document import Document, Heading, Meta, Note, url_html
from publish.render.cover import render_cover
from publish.render.options import RenderOptions
from publish.sanitize import is_real_url, local_file
from publish.volume import Part, Volume
from publish.xhtml import inner_xhtml, plain_text, remove_keeping_tail

BOOK_NAMESPACE = uuid.UUID("6f1d6c1e-3a59-5a8e-9d0f-7b0c2e9b8a41")  # uuid5 namespace of our books
EARLIEST = datetime(1980, 1, 1, tzinfo=UTC)  # zip dates cannot be older
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RTL_LANGUAGES = {"ar", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"}
FONT_FILES = {  # a family's files, embedded with --embed-fonts
    family: {style: f"{stem}-{style}.ttf" for style in ("Regular", "Bold", "Italic", "BoldItalic")}
    for family, stem in (
        ("EB Garamond", "EBGaramond"),
        ("Literata", "Literata"),
        ("Atkinson Hyperlegible", "AtkinsonHyperlegible"),
    )
}
NCX_DEPTH = 2  # Kindle reads two NCX levels; the nav keeps every level
GUIDE_TYPES = {  # landmark epub:type -> EPUB 2 guide type
    "titlepage": "title-page",
    "toc": "toc",
    "bodymatter": "text",
    "colophon": "colophon",
}
IMAGE_TYPES = {  # Pillow's format name -> (suffix, media type): EPUB core media types only
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
}
BLOCK_TAGS = {
    "blockquote", "div", "dl", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ol", "p",
    "pre", "table", "ul",
}  # fmt: skip
UNSAFE_ELEMENTS = {
    "applet", "audio", "base", "button", "canvas", "embed", "form", "frame", "frameset",
    "iframe", "input", "link", "math", "meta", "object", "script", "select", "source", "style",
    "svg", "template", "textarea", "video",
}  # fmt: skip
ORGANIZATION_WORDS = {
    "association", "collective", "committee", "council", "editors", "foundation", "group",
    "network", "staff", "union", "federation", "league", "party", "press", "society",
}  # fmt: skip
ACCESSIBILITY_SUMMARY = (
    "A reflowable text with a table of contents, headings and landmarks for navigation, "
    "footnotes linked both ways, and no reliance on colour or images to convey meaning."
)


@dataclass(frozen=True)
class Entry:
    """A table-of-contents entry: a title, its target, and the entries under it."""

    title: str
    href: str
    children: tuple["Entry", ...] = ()


@dataclass(frozen=True)
class NavPoint:
    """An NCX navPoint: an Entry with its play order and a path from the OPF's folder."""

    order: int
    title: str
    src: str
    children: tuple["NavPoint", ...] = ()


@dataclass(frozen=True)
class Landmark:
    kind: str  # epub:type of the landmark
    href: str
    title: str


@dataclass(frozen=True)
class Page:
    """One XHTML document of the book, in reading order."""

    name: str  # file name inside text/
    content: str
    properties: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoteView:
    """A note ready for the template: its paragraphs, or one block of flow content."""

    number: int
    id: str
    paragraphs: tuple[str, ...]
    block: bool = False
    url: str | None = None


@dataclass(frozen=True)
class TextView:
    """A Document prepared for text.xhtml: cleaned front matter, body with note calls, notes."""

    meta: Meta
    lang: str
    body: str
    notes: tuple[NoteView, ...]
    level: int  # heading level of the title
    kind: str  # epub:type and doc- role: chapter or introduction
    byline: bool  # print authors, date and source under the title
    source_url_html: str | None
    date_words: dict  # month names and date pattern of the text's language, as in the PDF


@dataclass(frozen=True)
class BookInfo:
    """The OPF metadata of one book."""

    identifier: str
    title: str
    language: str
    modified: datetime
    creators: tuple[str, ...] = ()
    editor: str | None = None
    date: str | None = None
    publisher: str | None = None
    source: str | None = None
    description: str | None = None
    other_languages: tuple[str, ...] = ()
    rights: str | None = None  # the licence the press publishes under


@dataclass
class Resources:
    """Images packed into the book: only local files inside the source's folder."""

    folder: Path | None
    images: dict[Path, str] = field(default_factory=dict)  # source file -> name in images/
    media_types: dict[str, str] = field(default_factory=dict)  # name in images/ -> media type
    unlabelled: set[str] = field(default_factory=set)  # packed images without alternative text

    @property
    def all_alt(self) -> bool:
        """Every packed image has alternative text."""
        return not self.unlabelled

    def within(self, folder: Path | None) -> "Resources":
        """The same book's images, looked up in another text's folder (readers)."""
        return replace(self, folder=folder) if folder else self

    def pack(self, src: str) -> str | None:
        """The packed image's file name, or None when the image cannot be packed."""
        path = local_file(self.folder, src)
        if path is None:
            return None
        if path not in self.images:
            kind = image_kind(path)
            if kind is None:
                return None
            suffix, media_type = kind
            name = f"image-{len(self.images) + 1}.{suffix}"
            self.images[path] = name
            self.media_types[name] = media_type
        return self.images[path]


@dataclass(frozen=True)
class Context:
    """What every page template needs: the book's language, words and stylesheets."""

    lang: str
    words: dict
    stylesheets: tuple[str, ...]
    embed_fonts: bool
    face: str = "EB Garamond"  # the family embedded with --embed-fonts

    def render(self, template: str, matter: str, page_title: str, **values: object) -> str:
        """Render templates/epub/<template> as a page of this book."""
        lang = str(values.pop("lang", self.lang))
        return environment_template(template).render(
            lang=lang,
            book_lang=self.lang,
            rtl=is_rtl(lang),
            words=self.words,
            date_words=date_labels(self.lang),
            stylesheets=self.stylesheets,
            matter=matter,
            page_title=page_title,
            embed_fonts=self.embed_fonts,
            face=self.face,
            **values,
        )


def render_epub(document: Document, options: RenderOptions) -> bytes:
    """One text as an EPUB 3: title page, contents, the text with pop-up notes, colophon."""
    meta = document.meta
    context = book_context(meta.language, options)
    resources = Resources(options.resources)
    identifier = book_identifier(document.canonical)
    text = text_view(
        document, resources, 1, "chapter", byline=False, numbered=options.number_paragraphs
    )
    title_page = context.render(
        "titlepage.xhtml",
        "frontmatter",
        meta.title,
        title=meta.title,
        subtitle=meta.subtitle,
        authors=meta.authors,
        editor=None,
        dek_html=text.meta.note_html,
        date=None,
    )
    pages = [
        Page("titlepage.xhtml", title_page),
        Page("text.xhtml", context.render("text.xhtml", "bodymatter", meta.title, text=text)),
        colophon_page(context, meta.title, identifier, [text]),
    ]
    entries = [
        Entry(meta.title, "text.xhtml", heading_entries(document.headings, "text.xhtml")),
        Entry(context.words["colophon"], "colophon.xhtml"),
    ]
    info = BookInfo(
        identifier=identifier,
        title=meta.title,
        language=meta.language,
        modified=modified_time(options, meta.date),
        creators=meta.authors,
        date=meta.date,
        publisher=options.style.imprint or meta.source_name,
        source=text.meta.source_url,
        description=plain_text(text.meta.note_html) if text.meta.note_html else meta.subtitle,
        rights=options.style.licence,
    )
    series = options.style.imprint or meta.source_name
    cover = book_cover(options, meta.title, meta.authors, meta.subtitle, series)
    return package(info, context, pages, entries, "text.xhtml", cover, resources)


def render_volume_epub(volume: Volume, options: RenderOptions) -> bytes:
    """A reader as an EPUB 3: title page, introduction, parts of texts with questions, colophon."""
    context = book_context(volume.language, options)
    resources = Resources(options.resources)
    identifier = book_identifier(volume_key(volume))
    numbered = options.number_paragraphs or volume.number_paragraphs
    title_page = context.render(
        "titlepage.xhtml",
        "frontmatter",
        volume.title,
        title=volume.title,
        subtitle=volume.subtitle,
        authors=(),
        editor=volume.editor,
        dek_html=None,
        date=volume.date,
    )
    pages, entries, views = [Page("titlepage.xhtml", title_page)], [], []
    if volume.intro:
        intro_page, entry = intro_contents(context, resources, volume.intro, numbered)
        pages.append(intro_page)
        entries.append(entry)
    for number, part in enumerate(volume.parts, 1):
        part_pages, entry, part_views = part_contents(context, resources, part, number, numbered)
        pages += part_pages
        entries.append(entry)
        views += part_views
    pages.append(
        colophon_page(
            context,
            volume.title,
            identifier,
            views,
            subtitle=volume.subtitle,
            editor=volume.editor,
            date=volume.date,
        )
    )
    entries.append(Entry(context.words["colophon"], "colophon.xhtml"))
    editor_line = f"{context.words['edited']} {volume.editor}" if volume.editor else None
    cover = book_cover(options, volume.title, (), volume.subtitle, editor_line)
    start = "part-1.xhtml" if volume.parts else "colophon.xhtml"
    info = volume_info(volume, identifier, options)
    return package(info, context, pages, entries, start, cover, resources)


@dataclass(frozen=True)
class Cover:
    """The cover image's name in the book and its bytes."""

    name: str
    data: bytes


def book_cover(
    options: RenderOptions,
    title: str,
    authors: tuple[str, ...],
    subtitle: str | None,
    series: str | None,
) -> Cover:
    """The press's own cover image (publish.toml: cover), else the generated one, in the
    accent colour with the press's logo when the style has them."""
    style = options.style
    if style.cover:
        suffix = "png" if style.cover.read_bytes()[:4] == b"\x89PNG" else "jpg"
        return Cover(f"images/cover.{suffix}", style.cover.read_bytes())
    data = render_cover(title, authors, subtitle, series, style.accent, style.logo)
    return Cover("images/cover.jpg", data)


def volume_info(volume: Volume, identifier: str, options: RenderOptions) -> BookInfo:
    """A reader's metadata: every text's authors once each, the editor, every language."""
    texts = volume.texts
    return BookInfo(
        identifier=identifier,
        title=volume.title,
        language=volume.language,
        modified=modified_time(options, volume.date or latest_date(texts)),
        creators=unique(name for text in texts for name in text.meta.authors),
        editor=volume.editor,
        date=volume.date,
        description=volume.subtitle,
        other_languages=unique(
            text.meta.language for text in texts if text.meta.language != volume.language
        ),
        publisher=options.style.imprint,
        rights=options.style.licence,
    )


def intro_contents(
    context: Context, resources: Resources, intro: Document, numbered: bool
) -> tuple[Page, Entry]:
    """The editor's introduction and its contents entry."""
    view = text_view(intro, resources, 1, "introduction", byline=True, numbered=numbered)
    html = context.render("text.xhtml", "frontmatter", intro.meta.title, text=view, lang=view.lang)
    headings = heading_entries(intro.headings, "introduction.xhtml")
    return Page("introduction.xhtml", html), Entry(intro.meta.title, "introduction.xhtml", headings)


def part_contents(
    context: Context, resources: Resources, part: Part, number: int, numbered: bool
) -> tuple[list[Page], Entry, list[TextView]]:
    """A part's opening page, one page per text, its questions; and its contents entry."""
    opening = f"part-{number}.xhtml"
    part_page = context.render("part.xhtml", "bodymatter", part.title, part_title=part.title)
    pages, children, views = [Page(opening, part_page)], [], []
    for index, document in enumerate(part.texts, 1):
        name = f"text-{number}-{index}.xhtml"
        view = text_view(document, resources, 2, "chapter", byline=True, numbered=numbered)
        html = context.render(
            "text.xhtml", "bodymatter", document.meta.title, text=view, lang=view.lang
        )
        pages.append(Page(name, html))
        views.append(view)
        headings = heading_entries(document.headings, name)
        children.append(Entry(document.meta.title, name, headings))
    if part.questions:
        name = f"questions-{number}.xhtml"
        questions = context.words["questions"]
        html = context.render("questions.xhtml", "bodymatter", questions, questions=part.questions)
        pages.append(Page(name, html))
        children.append(Entry(questions, name))
    return pages, Entry(part.title, opening, tuple(children)), views


def colophon_page(
    context: Context,
    title: str,
    identifier: str,
    texts: list[TextView],
    subtitle: str | None = None,
    editor: str | None = None,
    date: str | None = None,
) -> Page:
    """The colophon: each text's origin, then how the book was made."""
    html = context.render(
        "colophon.xhtml",
        "backmatter",
        context.words["colophon"],
        title=title,
        subtitle=subtitle,
        editor=editor,
        date=date,
        texts=texts,
        identifier=identifier,
    )
    return Page("colophon.xhtml", html)


def text_view(
    document: Document,
    resources: Resources,
    level: int,
    kind: str,
    byline: bool,
    numbered: bool = False,
) -> TextView:
    """A Document's body and notes cleaned, with note calls, headings set under `level`."""
    clean = partial(clean_fragment, resources=resources.within(document.folder))
    body = clean(document.body, shift=level - 1, numbered=numbered)
    noteref = environment_template("macros.xhtml").module.noteref
    url = document.meta.source_url
    url = url if url and is_real_url(url) else None
    meta = replace(
        document.meta,
        source_url=url,
        note_html=clean(document.meta.note_html) if document.meta.note_html else None,
        published_html=tuple(clean(line) for line in document.meta.published_html),
    )
    return TextView(
        meta=meta,
        lang=document.meta.language,
        body=replace(document, body=body).body_with_calls(lambda note: str(noteref(note))),
        notes=tuple(note_view(note, clean) for note in document.notes),
        level=level,
        kind=kind,
        byline=byline,
        source_url_html=url_html(url) if url else None,
        date_words=date_labels(date_language(document.meta.language, document.canonical)),
    )


def note_view(note: Note, clean: Callable[[str], str]) -> NoteView:
    """A note's XHTML as paragraphs, or as one block when it holds lists or quotations."""
    html = clean(note.html)
    if note.kind == "link":
        return NoteView(note.number, note.id, (html,), url=note.url)
    root = parse_fragment(html)
    if not any(child.tag in BLOCK_TAGS for child in root):
        return NoteView(note.number, note.id, (html,))
    if all(child.tag == "p" for child in root) and not (root.text or "").strip():
        return NoteView(note.number, note.id, tuple(inner_xhtml(child) for child in root))
    return NoteView(note.number, note.id, (html,), block=True)


def heading_entries(headings: tuple[Heading, ...], href: str) -> tuple[Entry, ...]:
    """Headings nested by their relative levels under a text's entry."""
    root: list = []
    stack: list[tuple[int, list]] = [(1, root)]  # (level, the list its children go in)
    for heading in headings:
        while stack[-1][0] >= heading.level:
            stack.pop()
        children: list = []
        stack[-1][1].append((heading, children))
        stack.append((heading.level, children))
    return freeze_entries(root, href)


def freeze_entries(tree: list, href: str) -> tuple[Entry, ...]:
    return tuple(
        Entry(heading.text, f"{href}#{heading.id}", freeze_entries(children, href))
        for heading, children in tree
    )


def clean_fragment(html: str, resources: Resources, shift: int = 0, numbered: bool = False) -> str:
    """An XHTML fragment made safe for a reading system, headings moved down `shift` levels.

    The Document is sanitized already; this is the EPUB's own guard: no scripts, frames,
    forms, event handlers, styles or links other than http(s), mailto and in-page ones, and
    images only when they are local files inside the source's folder.
    """
    root = parse_fragment(html)
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.tag in UNSAFE_ELEMENTS:
            remove_keeping_tail(element)
            continue
        for name in list(element.attrib):
            if name.startswith("on") or name in ("style", "srcset") or ":" in name:
                del element.attrib[name]
        if element.tag == "a" and not safe_href(element.get("href")):
            element.attrib.pop("href", None)
        if element.tag == "img":
            place_image(element, resources)
        if shift and element.tag in ("h2", "h3", "h4", "h5", "h6"):
            element.tag = f"h{min(int(element.tag[1]) + shift, 6)}"
    if numbered:
        number_paragraphs(root)
    return inner_xhtml(root)


def number_paragraphs(root: etree._Element) -> None:
    """Number the body's own paragraphs as the PDF does, so a group can say "paragraph 12".

    The number is real text, not a CSS counter: older reading systems drop generated content.
    """
    for number, paragraph in enumerate(root.findall("p"), start=1):
        paragraph.set("id", f"p-{number}")
        mark = etree.Element("span", {"class": "paragraph-number"})
        mark.text = str(number)
        mark.tail = " " + (paragraph.text or "")
        paragraph.text = None
        paragraph.insert(0, mark)


def safe_href(href: str | None) -> bool:
    return href is None or href.startswith("#") or is_real_url(href)


def place_image(image: etree._Element, resources: Resources) -> None:
    """Point a local image at its packed copy; anything else becomes its alternative text."""
    name = resources.pack(image.get("src", ""))
    if name is None:
        remove_keeping_tail(image, image.get("alt", ""))
        return
    image.set("src", f"../images/{name}")
    image.set("alt", image.get("alt", ""))
    if not image.get("alt").strip():
        resources.unlabelled.add(name)


def image_kind(path: Path) -> tuple[str, str] | None:
    """(suffix, media type) of a PNG, JPEG or GIF file, judged by its content."""
    try:
        with Image.open(path) as image:
            return IMAGE_TYPES.get(image.format or "")
    except (OSError, ValueError):
        return None


def parse_fragment(html: str) -> etree._Element:
    """An XHTML fragment (our Documents serialize well-formed XML) under one <div>."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False)
    return etree.fromstring(f"<div>{html}</div>", parser)


def package(
    info: BookInfo,
    context: Context,
    pages: list[Page],
    entries: list[Entry],
    start: str,
    cover: Cover,
    resources: Resources,
) -> bytes:
    """Assemble the book: metadata, cover, stylesheets, pages with nav and NCX, images."""
    landmarks = [  # in reading order
        Landmark("titlepage", "titlepage.xhtml", context.words["titlepage"]),
        Landmark("toc", "nav.xhtml#toc", context.words["contents"]),
        Landmark("bodymatter", start, context.words["start"]),
        Landmark("colophon", "colophon.xhtml", context.words["colophon"]),
    ]
    nav = context.render(
        "nav.xhtml", "frontmatter", context.words["contents"], entries=entries, landmarks=landmarks
    )
    pages = [pages[0], Page("nav.xhtml", nav, ("nav",)), *pages[1:]]
    book = epub.EpubBook()
    add_metadata(book, info, has_images=bool(resources.images), all_alt=resources.all_alt)
    book.set_cover(cover.name, cover.data, create_page=False)
    add_stylesheets(book, context)
    for page in pages:
        item = epub.EpubItem(
            uid=page_id(page.name),
            file_name=f"text/{page.name}",
            media_type="application/xhtml+xml",
            content=page.content.encode("utf-8"),
        )
        item.properties = list(page.properties)
        book.add_item(item)
        book.spine.append(item)
    book.add_item(ncx_item(info, entries))
    for path, name in resources.images.items():
        book.add_item(
            epub.EpubItem(
                uid=page_id(name),
                file_name=f"images/{name}",
                media_type=resources.media_types[name],
                content=path.read_bytes(),
            )
        )
    book.guide = [
        {"type": GUIDE_TYPES[mark.kind], "href": f"text/{mark.href}", "title": mark.title}
        for mark in landmarks
    ]
    return write_book(book, info.modified)


def page_id(name: str) -> str:
    """A manifest id from a file name: 'text-1-2.xhtml' -> 'text-1-2'."""
    return name.rsplit(".", 1)[0]


def ncx_item(info: BookInfo, entries: list[Entry]) -> epub.EpubItem:
    """The EPUB 2 NCX, mirroring the nav to NCX_DEPTH levels."""
    points, _ = nav_points(entries, 1, 1)
    content = environment_template("toc.ncx.xml").render(
        lang=info.language,
        identifier=info.identifier,
        depth=min(NCX_DEPTH, tree_depth(entries)),
        title=info.title,
        authors=info.creators,
        points=points,
    )
    return epub.EpubItem(
        uid="ncx",
        file_name="toc.ncx",
        media_type="application/x-dtbncx+xml",
        content=content.encode("utf-8"),
    )


def nav_points(entries: list | tuple, order: int, depth: int) -> tuple[tuple[NavPoint, ...], int]:
    """NavPoints numbered in reading order, cut below NCX_DEPTH; also the next free number."""
    points = []
    for entry in entries:
        own = order
        children: tuple[NavPoint, ...] = ()
        order += 1
        if depth < NCX_DEPTH:
            children, order = nav_points(entry.children, order, depth + 1)
        points.append(NavPoint(own, entry.title, f"text/{entry.href}", children))
    return tuple(points), order


def tree_depth(entries: list | tuple) -> int:
    return 1 + max((tree_depth(entry.children) for entry in entries if entry.children), default=0)


def add_metadata(book: epub.EpubBook, info: BookInfo, has_images: bool, all_alt: bool) -> None:
    """Dublin Core, creators with sort names, and EPUB Accessibility 1.1 metadata."""
    book.set_identifier(info.identifier)
    book.set_title(info.title)
    book.set_language(info.language)
    for language in info.other_languages:
        book.add_metadata("DC", "language", language)
    book.set_unique_metadata(
        "OPF", "generator", "", {"name": "generator", "content": f"publish {__version__}"}
    )
    for number, name in enumerate(info.creators, 1):
        add_person(book, "creator", f"creator-{number}", name, "aut")
    if info.editor:
        add_person(book, "contributor", "editor", info.editor, "edt")
    for name, value in (
        ("date", info.date),
        ("publisher", info.publisher),
        ("source", info.source),
        ("description", info.description),
        ("rights", info.rights),
    ):
        if value:
            book.add_metadata("DC", name, value)
    for prop, value in accessibility(has_images, all_alt):
        book.add_metadata(None, "meta", value, {"property": prop})


def add_person(book: epub.EpubBook, element: str, uid: str, name: str, role: str) -> None:
    """A dc:creator or dc:contributor refined with its sort name and MARC relator role."""
    book.add_metadata("DC", element, name, {"id": uid})
    book.add_metadata(None, "meta", file_as(name), {"refines": f"#{uid}", "property": "file-as"})
    book.add_metadata(
        None,
        "meta",
        role,
        {"refines": f"#{uid}", "property": "role", "scheme": "marc:relators"},
    )


def file_as(name: str) -> str:
    """A sort name: 'David Camfield' -> 'Camfield, David'; organizations stay as they are."""
    words = name.split()
    if len(words) < 2 or ORGANIZATION_WORDS & {word.lower().strip(".,") for word in words}:
        return name
    suffix = ""
    if words[-1].rstrip(".").lower() in ("jr", "sr", "ii", "iii", "iv") and len(words) > 2:
        suffix = ", " + words.pop()
    return f"{words[-1]}, {' '.join(words[:-1])}{suffix}"


def accessibility(has_images: bool, all_alt: bool) -> list[tuple[str, str]]:
    """EPUB Accessibility 1.1 (schema.org) properties for a text-first book."""
    described = not has_images or all_alt
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    if has_images and all_alt:
        features.append("alternativeText")
    pairs = [("schema:accessMode", "textual")]
    if has_images:
        pairs.append(("schema:accessMode", "visual"))
    pairs.append(("schema:accessModeSufficient", "textual" if described else "textual,visual"))
    pairs += [("schema:accessibilityFeature", feature) for feature in features]
    pairs += [
        ("schema:accessibilityHazard", "none"),
        ("schema:accessibilitySummary", ACCESSIBILITY_SUMMARY),
    ]
    return pairs


def add_stylesheets(book: epub.EpubBook, context: Context) -> None:
    """book.css, and with embedded fonts fonts.css and the files of the style's typeface."""
    content = templates.find("epub/book.css").read_bytes()
    book.add_item(epub.EpubItem(page_id("book.css"), "css/book.css", "text/css", content))
    if not context.embed_fonts:
        return
    files = FONT_FILES[context.face]
    generic = "sans-serif" if context.face == "Atkinson Hyperlegible" else "serif"
    sheet = environment_template("fonts.css").render(
        family=context.face, files=files, generic=generic
    )
    book.add_item(epub.EpubItem(page_id("fonts.css"), "css/fonts.css", "text/css", sheet.encode()))
    for style, name in files.items():
        content = templates.find(f"fonts/{name}").read_bytes()
        uid = f"font-{style.lower()}"
        book.add_item(epub.EpubItem(uid, f"fonts/{name}", "font/ttf", content))


def book_context(language: str, options: RenderOptions) -> Context:
    sheets = ("book.css", "fonts.css") if options.embed_fonts else ("book.css",)
    sheets = tuple(f"../css/{name}" for name in sheets)
    face = options.style.family
    return Context(language, labels(language), sheets, options.embed_fonts, face)


def labels(language: str) -> dict:
    """The template words in this language (its first subtag), English when we have none."""
    table = environment_template("labels.j2").module.labels
    return table.get(language.split("-")[0].lower(), table["en"])


def date_labels(language: str) -> dict:
    """The template words for dates in this language, its region first (en-US: March 21)."""
    table = environment_template("labels.j2").module.labels
    return table.get(language.lower()) or labels(language)


def environment_template(name: str):
    return templates.environment().get_template(f"epub/{name}")


def is_rtl(language: str) -> bool:
    return language.split("-")[0].lower() in RTL_LANGUAGES


def book_identifier(key: str) -> str:
    """A urn:uuid identifier derived from the content, stable across rebuilds."""
    return f"urn:uuid:{uuid.uuid5(BOOK_NAMESPACE, key)}"


def volume_key(volume: Volume) -> str:
    """What makes a reader the same reader: its title, parts, texts and questions."""
    pieces = [volume.title, volume.subtitle or "", volume.editor or ""]
    if volume.intro:
        pieces.append(volume.intro.canonical)
    for part in volume.parts:
        pieces += [part.title, *part.questions, *(text.canonical for text in part.texts)]
    return "\x00".join(pieces)


def modified_time(options: RenderOptions, date: str | None) -> datetime:
    """SOURCE_DATE_EPOCH when set, else midnight UTC of the text's date, else 1980-01-01."""
    if options.source_date_epoch is not None:
        return max(datetime.fromtimestamp(options.source_date_epoch, UTC), EARLIEST)
    if date:
        parts = [int(part) for part in date.split("-")[:3]] + [1, 1]
        try:
            return max(datetime(parts[0], parts[1], parts[2], tzinfo=UTC), EARLIEST)
        except ValueError:
            return EARLIEST
    return EARLIEST


def latest_date(texts: tuple[Document, ...]) -> str | None:
    return max((text.meta.date for text in texts if text.meta.date), default=None)


def unique(values) -> tuple[str, ...]:
    """Values in first-seen order, each once."""
    return tuple(dict.fromkeys(values))


class StampedZip(zipfile.ZipFile):
    """A zip whose entries all carry one date and mode 0644, deflated unless told otherwise."""

    def __init__(self, file: io.BytesIO, stamp: datetime) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self.date_time = stamp.timetuple()[:6]

    def writestr(self, name, data, compress_type=None, compresslevel=None) -> None:
        info = zipfile.ZipInfo(str(name), self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress_type is None else compress_type
        info.create_system = 3  # Unix, whatever system builds the book
        info.external_attr = 0o100644 << 16
        super().writestr(info, data, compresslevel=compresslevel)


class ReproducibleWriter(epub.EpubWriter):
    """ebooklib's writer with fixed zip dates, `mimetype` stored first, `xml:lang` on the OPF."""

    def __init__(self, book: epub.EpubBook, stamp: datetime) -> None:
        options = {"epub3_pages": False, "mtime": stamp, "epub2_guide": True}
        super().__init__(io.BytesIO(), book, options)
        self.stamp = stamp

    def write(self) -> None:
        with StampedZip(self.file_name, self.stamp) as self.out:
            self.out.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
            self._write_container()
            self._write_opf()
            self._write_items()

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)


def write_book(book: epub.EpubBook, stamp: datetime) -> bytes:
    """The EPUB's bytes."""
    writer = ReproducibleWriter(book, stamp)
    writer.write()
    return writer.file_name.getvalue()
