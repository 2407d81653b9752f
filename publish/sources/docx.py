"""Word documents (.docx, and what Google Docs exports): mammoth's HTML, then the HTML writer.

mammoth turns Word's styles into plain HTML. The style map below adds what its defaults leave
out: the document's own Title style (the title), the quotation styles of Word ("Quote",
"Intense Quote", "Block Text") and LibreOffice ("Quotations"), and the character styles named
for emphasis. A plain paragraph indented from the left margin, and not in a list, is set as a
quotation too: that is how most people quote in Word. Pictures are written beside the
document (see `publish.sources.images`); the title, creator and creation date of the
document's core properties are used where the text gives none.
"""

import re
import zipfile
from pathlib import Path

import mammoth
import mammoth.transforms
from lxml import html as lxml_html

from publish.errors import PublishError
from publish.normalize.report import Entry
from publish.sources import Draft, semantic
from publish.sources.html import split_authors
from publish.sources.images import ImageFolder
from publish.sources.package import iso_day, open_package, read_xml

STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p[style-name='Quote'] => blockquote > p:fresh
p[style-name='Intense Quote'] => blockquote > p:fresh
p[style-name='Block Text'] => blockquote > p:fresh
p[style-name='Quotations'] => blockquote > p:fresh
r[style-name='Emphasis'] => em
r[style-name='Strong'] => strong
r[style-name='Strong Emphasis'] => strong
"""
# Paragraph styles that say nothing about the paragraph, so its indentation may.
PLAIN_STYLES = frozenset({"normal", "body text", "text body", "default", "standard"})
QUOTE_INDENT = 567  # twips: 1 cm from the left margin
CORE = "docProps/core.xml"
NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}


def read(path: Path, max_bytes: int) -> Draft:
    """A Word document's text as Markdown, its pictures beside it, its properties as defaults."""
    with open_package(path, max_bytes, "a Word document") as archive:
        defaults = core_properties(archive)
    images = ImageFolder(path)
    try:
        with path.open("rb") as file:
            result = mammoth.convert_to_html(
                file,
                style_map=STYLE_MAP,
                transform_document=mammoth.transforms.paragraph(indented_as_quote),
                convert_image=mammoth.images.img_element(lambda image: picture(image, images)),
                external_file_access=False,
            )
    except PublishError:
        raise
    except Exception as error:  # mammoth documents no exceptions of its own
        raise PublishError(path, f"the Word document could not be read: {error}") from None
    if not result.value.strip():
        raise PublishError(path, "the Word document holds no text")
    body = semantic.markdown_body(lxml_html.fragment_fromstring(result.value, create_parent="div"))
    entries = [
        Entry(
            "x-picture", 1, "a picture in a format no writer can show: its description kept", True
        )
    ] * images.unreadable
    return Draft(path=path, kind="docx", body=body, defaults=defaults, entries=entries)


def indented_as_quote(paragraph: mammoth.documents.Paragraph) -> mammoth.documents.Paragraph:
    """A plain paragraph indented from the left, and not in a list, becomes a "Quote"."""
    plain = (paragraph.style_name or "Normal").casefold() in PLAIN_STYLES
    if plain and paragraph.numbering is None and twips(paragraph.indent.start) >= QUOTE_INDENT:
        return paragraph.copy(style_id="Quote", style_name="Quote")
    return paragraph


def twips(value: str | None) -> int:
    """A Word measure in twips ("720"), 0 when absent or unreadable."""
    return int(value) if value and re.fullmatch(r"-?\d+", value) else 0


def picture(image: mammoth.documents.Image, images: ImageFolder) -> dict[str, str]:
    """The `src` of a picture once written beside the document; none when it cannot be shown."""
    try:
        with image.open() as stream:
            data = stream.read()
    except (OSError, KeyError, zipfile.BadZipFile):
        return {}
    name = images.add(data)
    return {"src": name} if name else {}


def core_properties(archive: zipfile.ZipFile) -> dict[str, object]:
    """Title, authors and date from the core properties, each only when it is filled in."""
    root = read_xml(archive, CORE)
    if root is None:
        return {}
    title = " ".join(root.xpath("string(dc:title)", namespaces=NAMESPACES).split())
    creator = root.xpath("string(dc:creator)", namespaces=NAMESPACES)
    created = iso_day(root.xpath("string(dcterms:created)", namespaces=NAMESPACES))
    found = {"title": title, "authors": split_authors(creator), "date": created}
    return {key: value for key, value in found.items() if value}
