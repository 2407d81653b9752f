"""Reading PDFs back in tests: pypdf for structure, pypdfium2 for text (see FIELD-NOTES)."""

import re
from io import BytesIO

import pypdfium2
from pypdf import PdfReader
from pypdf.generic import Destination

MM = 72 / 25.4


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text as pdfium extracts it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def words(text: str) -> list[str]:
    """Words as plain_words counts them, with line-end hyphenation undone."""
    joined = re.sub(r"[-\u00ad\u2010]\s*[\r\n]+\s*", "", text)
    joined = joined.replace("\ufffe", "").replace("\u00ad", "")
    return re.findall(r"\w+", joined)


def squeezed(text: str) -> str:
    """Text without whitespace and line-end hyphens, to find URLs broken over lines."""
    return re.sub(r"\s+", "", text.replace("\u00ad", "").replace("\ufffe", ""))


def outline(pdf: bytes) -> list[tuple[int, str, int]]:
    """(depth, title, 0-based page) for every bookmark, in order."""
    pdf_reader = reader(pdf)
    found: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif isinstance(item, Destination):
                page = pdf_reader.get_destination_page_number(item)
                found.append((depth, item.title, page))

    walk(pdf_reader.outline, 0)
    return found


def fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(base font name, has an embedded font file) for every font the pages use."""
    found = {}
    for page in reader(pdf).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = embedded
    return sorted(found.items())


def link_pages(pdf: bytes) -> dict[str, set[int]]:
    """URI -> the 0-based pages holding a link annotation to it."""
    found: dict[str, set[int]] = {}
    for number, page in enumerate(reader(pdf).pages):
        for annotation in page.get("/Annots", []) or []:
            action = annotation.get_object().get("/A", {})
            if "/URI" in action:
                found.setdefault(str(action["/URI"]), set()).add(number)
    return found


def text_boxes(pdf: bytes) -> list[tuple[int, float, float, float, float, float, float]]:
    """(page, left, bottom, right, top, page width, page height) of every run of text."""
    boxes = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number, page in enumerate(document):
            width, height = page.get_size()
            textpage = page.get_textpage()
            for index in range(textpage.count_rects()):
                boxes.append((number, *textpage.get_rect(index), width, height))
    finally:
        document.close()
    return boxes


def body_texts(pdf: bytes, top_mm: float, bottom_mm: float) -> list[str]:
    """Each page's text between the top and bottom margins: no running heads or folios."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        texts = []
        for page in document:
            width, height = page.get_size()
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded(0, bottom_mm * MM, width, height - top_mm * MM))
        return texts
    finally:
        document.close()
