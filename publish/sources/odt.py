"""OpenDocument text (.odt): the document's XML as semantic HTML, then the HTML writer.

ODF is an OASIS standard whose text is plain XML (content.xml), so this module reads it with
lxml, which the project already uses, rather than through pandoc (a 100 MB binary and a
process per file) or odfpy (unmaintained). It writes the HTML that mammoth writes for Word
(see `publish.sources.semantic`): headings by outline level, the Title style as the title,
quotation styles ("Quotations", "Quote") and paragraphs indented from the left margin as
quotations, bullet and numbered lists, italic and bold from the styles of spans, links,
footnotes and endnotes, tables and pictures. Tracked deletions, comments and generated indexes
are not the text and are left out. The title, creator and creation date of meta.xml are used
where the text gives none.
"""

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from publish.errors import PublishError
from publish.normalize.report import Entry
from publish.sources import Draft, semantic
from publish.sources.html import split_authors
from publish.sources.images import ImageFolder
from publish.sources.package import iso_day, open_package, read_xml

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
TITLE_STYLES = frozenset({"title"})
QUOTE_STYLES = frozenset({"quotations", "quote", "intense quote", "block text"})
QUOTE_INDENT_CM = 1.0
UNITS_CM = {"cm": 1.0, "mm": 0.1, "in": 2.54, "pt": 2.54 / 72, "pc": 2.54 / 6, "px": 2.54 / 96}
# Elements whose content is not the text: deletions, comments, generated indexes, fields that
# repeat other text, and the note citation (the note is numbered again).
SKIPPED = {
    f"{{{NS[prefix]}}}{name}"
    for prefix, name in [
        ("text", "tracked-changes"),
        ("office", "annotation"),
        ("office", "annotation-end"),
        ("text", "table-of-content"),
        ("text", "alphabetical-index"),
        ("text", "illustration-index"),
        ("text", "bibliography"),
        ("text", "note-citation"),
        ("text", "sequence-decls"),
        ("office", "forms"),
        ("svg", "title"),
        ("svg", "desc"),
    ]
}


def qname(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


@dataclass(frozen=True)
class Style:
    """What the reader needs of an ODF style: its names, parent and a few properties."""

    name: str
    display: str
    parent: str | None
    italic: bool | None
    bold: bool | None
    indent_cm: float | None
    numbered: bool | None  # for list styles


@dataclass
class Converter:
    """Walks content.xml and writes semantic HTML, collecting notes and pictures."""

    archive: zipfile.ZipFile
    styles: dict[tuple[str, str], Style]  # by family and name
    images: ImageFolder
    notes: list[etree._Element] = field(default_factory=list)

    # --- blocks -------------------------------------------------------------------------------

    def blocks(self, source: etree._Element, target: etree._Element) -> None:
        """Write the block children of an ODF container into an HTML container."""
        for child in source:
            tag = child.tag
            if tag in SKIPPED:
                continue
            if tag == qname("text", "h"):
                level = child.get(qname("text", "outline-level"), "1")
                level = min(max(int(level) if level.isdigit() else 1, 1), 6)
                self.inline(child, etree.SubElement(target, f"h{level}"))
            elif tag == qname("text", "p"):
                self.paragraph(child, target, in_list=False)
            elif tag == qname("text", "list"):
                self.list_block(child, target)
            elif tag == qname("table", "table"):
                self.table(child, target)
            else:  # sections, list headers, frames at page level: their blocks are the text's
                self.blocks(child, target)

    def paragraph(self, source: etree._Element, target: etree._Element, in_list: bool) -> None:
        """A paragraph as h1 (Title style), a quotation paragraph, or p."""
        style = source.get(qname("text", "style-name"))
        names = self.style_names(style)
        if names & TITLE_STYLES:
            self.inline(source, etree.SubElement(target, "h1"))
            return
        indented = (self.inherited(style, "indent_cm") or 0) >= QUOTE_INDENT_CM
        if names & QUOTE_STYLES or (indented and not in_list):
            quote = target[-1] if len(target) and target[-1].tag == "blockquote" else None
            if quote is None or quote.tail:
                quote = etree.SubElement(target, "blockquote")
            self.inline(source, etree.SubElement(quote, "p"))
            return
        self.inline(source, etree.SubElement(target, "p"))

    def list_block(self, source: etree._Element, target: etree._Element) -> None:
        """A bullet or numbered list; a nested list stays inside its item."""
        style = source.get(qname("text", "style-name"))
        numbered = bool(self.inherited(style, "numbered", "list"))
        html_list = etree.SubElement(target, "ol" if numbered else "ul")
        for item in source:
            if item.tag not in (qname("text", "list-item"), qname("text", "list-header")):
                continue
            html_item = etree.SubElement(html_list, "li")
            for child in item:
                if child.tag == qname("text", "list"):
                    self.list_block(child, html_item)
                elif child.tag in (qname("text", "p"), qname("text", "h")):
                    paragraph = etree.SubElement(html_item, "p")
                    self.inline(child, paragraph)
                else:
                    self.blocks(child, html_item)

    def table(self, source: etree._Element, target: etree._Element) -> None:
        """A table: rows of cells, each cell's paragraphs on one line."""
        table = etree.SubElement(target, "table")
        for row in source.iter(qname("table", "table-row")):
            html_row = etree.SubElement(table, "tr")
            for cell in row.iterchildren(qname("table", "table-cell")):
                html_cell = etree.SubElement(html_row, "td")
                for paragraph in cell.iter(qname("text", "p"), qname("text", "h")):
                    self.inline(paragraph, etree.SubElement(html_cell, "p"))

    # --- inline -------------------------------------------------------------------------------

    def inline(self, source: etree._Element, target: etree._Element) -> None:
        """Write an ODF element's text and inline children into an HTML element."""
        add_text(target, source.text)
        for child in source:
            if child.tag not in SKIPPED:
                self.inline_child(child, target)
            add_text(target, child.tail)

    def inline_child(self, child: etree._Element, target: etree._Element) -> None:
        """One inline ODF element: a span, link, note, space, break or picture."""
        tag = child.tag
        if tag == qname("text", "s"):
            count = child.get(qname("text", "c"), "1")
            add_text(target, " " * min(int(count) if count.isdigit() else 1, 100))
        elif tag == qname("text", "tab"):
            add_text(target, " ")
        elif tag == qname("text", "line-break"):
            etree.SubElement(target, "br")
        elif tag == qname("text", "span"):
            self.span(child, target)
        elif tag == qname("text", "a"):
            link = etree.SubElement(target, "a", href=child.get(qname("xlink", "href"), ""))
            self.inline(child, link)
        elif tag == qname("text", "note"):
            self.note(child, target)
        elif tag == qname("draw", "frame"):
            self.frame(child, target)
        elif tag in (qname("text", "p"), qname("text", "h"), qname("text", "list")):
            self.run_on(child, target)
        else:  # fields, bookmarks, ruby, text boxes: their text, if any, is the text's
            self.inline(child, target)

    def run_on(self, source: etree._Element, target: etree._Element) -> None:
        """Paragraphs inside running text (a text box in a paragraph), run on with spaces."""
        paragraphs = (
            [source]
            if source.tag != qname("text", "list")
            else source.iter(qname("text", "p"), qname("text", "h"))
        )
        for paragraph in paragraphs:
            add_text(target, " ")
            self.inline(paragraph, target)
            add_text(target, " ")

    def span(self, source: etree._Element, target: etree._Element) -> None:
        """A span: em and strong where its style (or its parents') says italic or bold."""
        style = source.get(qname("text", "style-name"))
        inner = target
        if self.inherited(style, "bold", "text"):
            inner = etree.SubElement(inner, "strong")
        if self.inherited(style, "italic", "text"):
            inner = etree.SubElement(inner, "em")
        if inner is target:
            inner = etree.SubElement(target, "span")
        self.inline(source, inner)

    def note(self, source: etree._Element, target: etree._Element) -> None:
        """A footnote or endnote call; its body goes to the list of notes."""
        kind = "endnote" if source.get(qname("text", "note-class")) == "endnote" else "footnote"
        key = f"{kind}-{len(self.notes) + 1}"
        sup = etree.SubElement(target, "sup")
        etree.SubElement(sup, "a", id=f"{kind}-ref-{len(self.notes) + 1}", href=f"#{key}")
        item = etree.Element("li", id=key)
        body = source.find(qname("text", "note-body"))
        if body is not None:
            self.blocks(body, item)
        self.notes.append(item)

    def frame(self, source: etree._Element, target: etree._Element) -> None:
        """A picture written beside the document (alt text from its description) or a text box."""
        labels = (source.xpath(f"string(svg:{name})", namespaces=NS) for name in ("desc", "title"))
        alt = next((" ".join(label.split()) for label in labels if label.strip()), "")
        image = source.find(qname("draw", "image"))
        if image is None:
            self.inline(source, target)
            return
        href = image.get(qname("xlink", "href"), "")
        try:
            data = self.archive.read(href) if href and "://" not in href else None
        except (KeyError, zipfile.BadZipFile, OSError):
            data = None
        name = self.images.add(data) if data else None
        if name is None:  # a linked or unreadable picture: its description stays
            add_text(target, f" {alt} " if alt else "")
            return
        etree.SubElement(target, "img", src=name, alt=alt)

    # --- styles -------------------------------------------------------------------------------

    def chain(self, name: str | None, family: str) -> list[Style]:
        """A style of a family and its parents, nearest first (cycles cut)."""
        found: list[Style] = []
        while name and (family, name) in self.styles and len(found) < 20:
            style = self.styles[(family, name)]
            if style in found:
                break
            found.append(style)
            name = style.parent
        return found

    def style_names(self, name: str | None) -> set[str]:
        """The names and display names of a paragraph style and its parents, in lower case."""
        return {
            label.casefold()
            for style in self.chain(name, "paragraph")
            for label in (style.name.replace("_20_", " "), style.display)
        }

    def inherited(self, name: str | None, attribute: str, family: str = "paragraph") -> object:
        """A property of a style, or of the nearest parent that sets it."""
        for style in self.chain(name, family):
            value = getattr(style, attribute)
            if value is not None:
                return value
        return None


def read(path: Path, max_bytes: int) -> Draft:
    """An OpenDocument text as Markdown, its pictures beside it, its metadata as defaults."""
    with open_package(path, max_bytes, "an OpenDocument text") as archive:
        content = read_xml(archive, "content.xml")
        if content is None:
            raise PublishError(path, "not an OpenDocument text (no readable content.xml)")
        styles = read_styles(archive, content)
        defaults = meta_properties(archive)
        converter = Converter(archive, styles, ImageFolder(path))
        root = etree.Element("div")
        for text in content.iter(qname("office", "text")):
            converter.blocks(text, root)
    if converter.notes:
        notes = etree.SubElement(root, "ol")
        notes.extend(converter.notes)
    if not "".join(root.itertext()).strip():
        raise PublishError(path, "the OpenDocument text holds no text")
    body = semantic.markdown_body(root)
    entries = [
        Entry(
            "x-picture", 1, "a picture in a format no writer can show: its description kept", True
        )
    ] * converter.images.unreadable
    return Draft(path=path, kind="odt", body=body, defaults=defaults, entries=entries)


def read_styles(archive: zipfile.ZipFile, content: etree._Element) -> dict[tuple[str, str], Style]:
    """Every named style of styles.xml and content.xml, by family and name."""
    styles: dict[tuple[str, str], Style] = {}
    roots = [read_xml(archive, "styles.xml"), content]
    for root in (root for root in roots if root is not None):
        for element in root.iter(qname("style", "style"), qname("text", "list-style")):
            name = element.get(qname("style", "name"))
            family = element.get(qname("style", "family"), "list")
            if name:
                styles[(family, name)] = style_of(element)
    return styles


def style_of(element: etree._Element) -> Style:
    """The properties the reader uses of one style element."""
    text = element.find(qname("style", "text-properties"))
    paragraph = element.find(qname("style", "paragraph-properties"))
    italic = bold = indent = numbered = None
    if text is not None:
        slant = text.get(qname("fo", "font-style"))
        weight = text.get(qname("fo", "font-weight"))
        italic = slant in ("italic", "oblique") if slant else None
        bold = (
            (weight == "bold" or (weight or "").isdigit() and int(weight) >= 600)
            if weight
            else None
        )
    if paragraph is not None and paragraph.get(qname("fo", "margin-left")):
        indent = length_cm(paragraph.get(qname("fo", "margin-left")))
    if element.tag == qname("text", "list-style"):
        first = next(iter(element), None)
        numbered = first is not None and first.tag == qname("text", "list-level-style-number")
    return Style(
        name=element.get(qname("style", "name"), ""),
        display=element.get(qname("style", "display-name"), ""),
        parent=element.get(qname("style", "parent-style-name")),
        italic=italic,
        bold=bold,
        indent_cm=indent,
        numbered=numbered,
    )


def length_cm(value: str) -> float | None:
    """An ODF length ("1cm", "0.5in", "12pt") in centimetres; None when unreadable."""
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?)(cm|mm|in|pt|pc|px)", value.strip())
    return float(match[1]) * UNITS_CM[match[2]] if match else None


def add_text(target: etree._Element, text: str | None) -> None:
    """Append text at the end of an HTML element's content."""
    if not text:
        return
    if len(target):
        target[-1].tail = (target[-1].tail or "") + text
    else:
        target.text = (target.text or "") + text


def meta_properties(archive: zipfile.ZipFile) -> dict[str, object]:
    """Title, authors and date from meta.xml, each only when it is filled in."""
    root = read_xml(archive, "meta.xml")
    if root is None:
        return {}
    meta = root.find(qname("office", "meta"))
    if meta is None:
        return {}
    title = " ".join(meta.xpath("string(dc:title)", namespaces=NS).split())
    creator = meta.xpath("string(meta:initial-creator)", namespaces=NS) or meta.xpath(
        "string(dc:creator)", namespaces=NS
    )
    created = iso_day(meta.xpath("string(meta:creation-date)", namespaces=NS))
    found = {"title": title, "authors": split_authors(creator), "date": created}
    return {key: value for key, value in found.items() if value}
