"""Long runs of text cut into spans of bounded length before WeasyPrint lays them out.

WeasyPrint 70 encodes the whole remaining text of a text box again for each of its lines
(weasyprint/layout/inline.py, `split_text_box`), so a paragraph held in one text node takes
time quadratic in its length: a 1 MB paragraph never finishes. Cut at spaces and zero-width
spaces into sibling spans, the paragraph lays out in linear time and looks the same: every
cut is a break opportunity already, and no character is added or lost.
"""

import re

from lxml import etree

LONGEST_TEXT_BOX = 2000  # characters of one text node handed to WeasyPrint
BREAK = re.compile(r"[ \t\n\r\f\u200b]")


def bound_text_boxes(root: etree._Element, longest: int = LONGEST_TEXT_BOX) -> int:
    """Cut every text and tail longer than `longest` into spans; return how many were cut."""
    cut = 0
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.text and len(element.text) > longest:
            first, *rest = pieces(element.text, longest)
            element.text = first
            for index, piece in enumerate(rest):
                element.insert(index, span_of(piece))
            cut += 1
        parent = element.getparent()
        if parent is not None and element.tail and len(element.tail) > longest:
            first, *rest = pieces(element.tail, longest)
            element.tail = first
            at = parent.index(element) + 1
            for index, piece in enumerate(rest):
                parent.insert(at + index, span_of(piece))
            cut += 1
    return cut


def pieces(text: str, longest: int) -> list[str]:
    """The text in pieces of at most `longest` characters, each ending after a break where
    one exists in its second half; a piece with no break there runs on to the next break."""
    result, start = [], 0
    while len(text) - start > longest:
        end = cut_after(text, start, longest)
        if end is None:
            break
        result.append(text[start:end])
        start = end
    result.append(text[start:])
    return result


def cut_after(text: str, start: int, longest: int) -> int | None:
    """Where the piece starting at `start` ends: just after its last break, or None."""
    ends = [match.end() for match in BREAK.finditer(text, start + longest // 2, start + longest)]
    if ends:
        return ends[-1]
    later = BREAK.search(text, start + longest)
    if later is None or later.end() == len(text):
        return None
    return later.end()


def span_of(text: str) -> etree._Element:
    span = etree.Element("span")
    span.text = text
    return span
