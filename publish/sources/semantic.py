"""Semantic HTML from a document converter, written as Markdown by the HTML reader's writer.

mammoth (for .docx) and our OpenDocument reader write the same plain HTML: h1-h6, p, ul/ol/li,
blockquote, strong/em, a, br, img, tables, and footnotes as mammoth marks them (a call
`<a id="footnote-ref-K" href="#footnote-K">` and, at the end, `<li id="footnote-K">` with a
link back; endnotes alike). Nothing in it is page furniture, so trafilatura's article finder
is skipped: the tree is renamed to trafilatura's vocabulary and handed to
`publish.sources.html.render_blocks`, which escapes text and writes lists, quotations and
links exactly as for a saved web page. Notes become `[^n]`, numbered in reading order.
"""

import re

from lxml import etree
from lxml.html import HtmlElement

from publish.sources import html
from publish.xhtml import remove_keeping_tail

# HTML tag -> (trafilatura tag, its rend attribute).
RENAMED = {
    **{f"h{level}": ("head", f"h{level}") for level in range(1, 7)},
    "p": ("p", None),
    "ul": ("list", "ul"),
    "ol": ("list", "ol"),
    "li": ("item", None),
    "blockquote": ("quote", None),
    "strong": ("hi", "#b"),
    "b": ("hi", "#b"),
    "em": ("hi", "#i"),
    "i": ("hi", "#i"),
    "br": ("lb", None),
    "table": ("table", None),
    "tr": ("row", None),
    "td": ("cell", None),
    "th": ("cell", None),
}
NOTE_ID = re.compile(r"(?:footnote|endnote)-(?!ref-)")
NOTE_REF_ID = re.compile(r"(?:footnote|endnote)-ref-")


def markdown_body(root: HtmlElement) -> str:
    """The Markdown body of a converter's HTML: a `#` title if it opens with one, then notes."""
    definitions = take_note_definitions(root)
    numbers = number_note_calls(root)
    etree.strip_tags(root, "thead", "tbody", "tfoot", "span", "sup", "sub", "u", "s")
    for image in list(root.iter("img")):
        if not image.get("src"):  # a picture no writer can show: its description stays
            remove_keeping_tail(image, image.get("alt", ""))
    rename(root)
    context = html.Context(base=None)
    blocks = title_block(root, context) + html.render_blocks(root, context)
    for key, number in numbers.items():
        blocks.append(note_definition(number, definitions.pop(key, None), context))
    for leftover in definitions.values():  # a note nothing calls still keeps its words
        blocks += html.render_blocks(rename(leftover), context)
    return "\n\n".join(block for block in blocks if block.strip()) + "\n"


def take_note_definitions(root: HtmlElement) -> dict[str, HtmlElement]:
    """Remove the notes' list items (and their links back) from the body; return them by id."""
    definitions: dict[str, HtmlElement] = {}
    for item in list(root.iter("li")):
        if not NOTE_ID.match(item.get("id", "")):
            continue
        for back in item.xpath(".//a[starts-with(@href, '#')]"):
            remove_keeping_tail(back)
        definitions[item.get("id")] = item
        parent = item.getparent()
        parent.remove(item)
        if len(parent) == 0 and parent.getparent() is not None:
            parent.getparent().remove(parent)
    return definitions


def number_note_calls(root: HtmlElement) -> dict[str, int]:
    """Replace each note call by a `note` element numbered in reading order; map id -> number."""
    numbers: dict[str, int] = {}
    for call in list(root.iter("a")):
        if not NOTE_REF_ID.match(call.get("id", "")):
            continue
        key = call.get("href", "").removeprefix("#")
        numbers.setdefault(key, len(numbers) + 1)
        note = etree.Element("note", n=str(numbers[key]))
        note.tail = call.tail
        call.getparent().replace(call, note)
    return numbers


def rename(root: HtmlElement) -> HtmlElement:
    """Rename HTML elements to trafilatura's; links and images keep only their targets."""
    for element in root.iter():
        if element.tag == "a":
            target = element.get("href", "")
            element.attrib.clear()
            element.tag = "ref"
            element.set("target", target)
        elif element.tag == "img":
            src, alt = element.get("src", ""), element.get("alt", "")
            element.attrib.clear()
            element.tag = "graphic"
            element.attrib.update({"src": src, "alt": alt})
        elif element.tag in RENAMED:
            tag, rend = RENAMED[element.tag]
            element.attrib.clear()
            element.tag = tag
            if rend:
                element.set("rend", rend)
    return root


def title_block(root: HtmlElement, context: html.Context) -> list[str]:
    """A first level-1 heading (Word's Title or Heading 1 style) as the `#` title line."""
    first = next((child for child in root if html.text_of(child)), None)
    if first is None or first.tag != "head" or first.get("rend") != "h1":
        return []
    text = html.one_line(html.render_content(first, context))
    remove_keeping_tail(first)
    return [f"# {text}"]


def note_definition(number: int, item: HtmlElement | None, context: html.Context) -> str:
    """`[^n]: text`, further paragraphs indented four spaces as Python-Markdown wants."""
    paragraphs = html.render_blocks(rename(item), context) if item is not None else []
    first, *rest = paragraphs or [""]
    lines = [f"[^{number}]: {first}"]
    for paragraph in rest:
        lines += ["", *("    " + line for line in paragraph.split("\n"))]
    return "\n".join(lines)
