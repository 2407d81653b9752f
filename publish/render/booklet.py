"""Saddle-stitch imposition: a pamphlet's pages two-up on sheets, in folding order.

Print the result double-sided, flipping on the short edge, at actual size; fold the stack
(each signature's stack, for long texts) and staple on the fold. Done with pypdf on the
finished pages, never by re-rendering.
"""

from dataclasses import dataclass
from io import BytesIO

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

MM = 72 / 25.4
# The sheet each trim size is printed on, in points, landscape (width, height).
SHEETS = {
    "a5": (297 * MM, 210 * MM),  # A4
    "a4": (420 * MM, 297 * MM),  # A3
    "letter": (17 * 72, 11 * 72),  # tabloid, 11 x 17 in
    "half-letter": (11 * 72, 8.5 * 72),  # US Letter
}


def impose_saddle_stitch(pdf: bytes, paper: str, signature: int = 0) -> bytes:
    """The pages imposed two-up for saddle stitching, in signatures of `signature` pages."""
    if paper not in SHEETS:
        raise ValueError(f"unknown paper size {paper!r}; choose from {', '.join(SHEETS)}")
    if signature < 0 or signature % 4:
        raise ValueError("the signature size must be a multiple of 4")
    reader = PdfReader(BytesIO(pdf))
    writer = PdfWriter()
    forms = [page_as_form(writer, page) for page in reader.pages]
    slots = padded(list(range(len(forms))), multiple=4)
    for group in signatures(slots, signature):
        for left, right in sheet_sides(len(group)):
            place_side(writer, SHEETS[paper], [pages_at(forms, group, i) for i in (left, right)])
    if reader.metadata:
        writer.add_metadata({key: str(value) for key, value in reader.metadata.items()})
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def padded(slots: list[int | None], multiple: int) -> list[int | None]:
    """Blank slots (None) before the last page, so the back cover stays last."""
    missing = -len(slots) % multiple
    if not missing:
        return slots
    if len(slots) < 2:
        return slots + [None] * missing
    return slots[:-1] + [None] * missing + slots[-1:]


def signatures(slots: list[int | None], size: int) -> list[list[int | None]]:
    """Consecutive groups of `size` slots (a multiple of 4, as is the total); 0 means one group."""
    if not size or size >= len(slots):
        return [slots]
    return [slots[start : start + size] for start in range(0, len(slots), size)]


def sheet_sides(count: int) -> list[tuple[int, int]]:
    """(left, right) page indexes of each printed side, in printing order.

    Sheet i, pages numbered from 1 of n: front (n-2i, 2i+1), back (2i+2, n-2i-1).
    """
    sides = []
    for sheet in range(count // 4):
        sides.append((count - 2 * sheet - 1, 2 * sheet))
        sides.append((2 * sheet + 1, count - 2 * sheet - 2))
    return sides


@dataclass(frozen=True)
class Form:
    """A page turned into a Form XObject of the output, with its size."""

    reference: IndirectObject
    box: tuple[float, float, float, float]  # left, bottom, width, height


def page_as_form(writer: PdfWriter, page: PageObject) -> Form:
    """The page's content as a Form XObject: placed with `Do`, never re-parsed or merged."""
    content = page.get_contents()
    form = StreamObject()
    form.set_data(content.get_data() if content is not None else b"")
    box = page.mediabox
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in box),
            NameObject("/Resources"): resources_of(page).clone(writer),
        }
    )
    form = form.flate_encode()
    left, bottom = float(box.left), float(box.bottom)
    return Form(writer._add_object(form), (left, bottom, float(box.width), float(box.height)))


def resources_of(page: PageObject) -> DictionaryObject:
    resources = page.get("/Resources")
    return resources.get_object() if resources is not None else DictionaryObject()


def pages_at(forms: list[Form], group: list[int | None], index: int) -> Form | None:
    slot = group[index]
    return None if slot is None else forms[slot]


def place_side(writer: PdfWriter, sheet: tuple[float, float], halves: list[Form | None]) -> None:
    """One side of a sheet: two pages centred in its left and right halves."""
    width, height = sheet
    side = writer.add_blank_page(width, height)
    names, operators = DictionaryObject(), []
    for number, (offset, form) in enumerate(zip((0, width / 2), halves, strict=True)):
        if form is None:
            continue
        left, bottom, page_width, page_height = form.box
        tx = offset + (width / 2 - page_width) / 2 - left
        ty = (height - page_height) / 2 - bottom
        names[NameObject(f"/P{number}")] = form.reference
        operators.append(f"q 1 0 0 1 {tx:.4f} {ty:.4f} cm /P{number} Do Q")
    side[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): names})
    content = StreamObject()
    content.set_data("\n".join(operators).encode("ascii"))
    side.replace_contents(content)
