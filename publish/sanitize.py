"""Markdown to a safe element tree: an allow-list of tags and attributes, real links only,
no remote or escaping images, and nesting no deeper than readers and WeasyPrint can take.
"""

import re
from pathlib import Path

import markdown
import nh3
from lxml import etree
from lxml import html as lxml_html

from publish.urls import is_real_url, split_url
from publish.xhtml import append_text, remove_keeping_tail, unwrap

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "ins", "li",
    "mark", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "id"},
    "abbr": {"title"},
    "div": {"class"},
    "img": {"src", "alt", "title"},
    "li": {"id"},
    "ol": {"start"},
    "sup": {"id"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
}
# Elements valid only inside certain parents (HTML's content models); raw HTML in Markdown
# can put them anywhere, and an EPUB reader then rejects the document.
PARENTS = {
    "li": {"ul", "ol"},
    "dd": {"dl"},
    "dt": {"dl"},
    "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr"},
    "th": {"tr"},
    "thead": {"table"},
    "tbody": {"table"},
    "tfoot": {"table"},
    "figcaption": {"figure"},
}
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
MAX_QUOTE_DEPTH = 3  # quotations inside quotations inside quotations, no deeper
MAX_LIST_DEPTH = 4
MAX_DEPTH = 12  # any element (raw <div>s, <em><strong>...) nested deeper is unwrapped


def real_url_or_none(value: object) -> str | None:
    """A front-matter URL, only if it is a real web or mail address (never javascript:)."""
    return str(value) if value and is_real_url(str(value)) else None


# Openers whose content the HTML parser takes as one raw run up to their closer.
RAW_OPENER = re.compile(
    r"<(!--|(script|style|textarea|title|iframe|noscript|noembed|noframes|xmp|plaintext)\b)",
    re.IGNORECASE,
)


def close_or_escape_raw(text: str) -> str:
    """An HTML comment or a raw-text element (script, style ...) never closed would swallow
    every word after it; its `<` is written as text instead. Closed ones are left alone."""
    lower = text.lower()
    out, position = [], 0
    for match in RAW_OPENER.finditer(text):
        if match.start() < position:
            continue
        closer = "-->" if match.group(1) == "!--" else f"</{match.group(2).lower()}"
        end = lower.find(closer, match.end())
        if end == -1:
            out += [text[position : match.start()], "&lt;"]
            position = match.start() + 1
        else:
            out.append(text[position : end + len(closer)])
            position = end + len(closer)
    out.append(text[position:])
    return "".join(out)


def markdown_tree(text: str) -> etree._Element:
    """Markdown to a sanitized lxml tree under one <div>."""
    converted = markdown.markdown(
        close_or_escape_raw(text),
        extensions=["footnotes", "sane_lists", "tables", "fenced_code"],
        extension_configs={"footnotes": {"BACKLINK_TEXT": "", "SUPERSCRIPT_TEXT": "{}"}},
        output_format="html",
    )
    clean = nh3.clean(
        converted,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )
    # huge_tree: without it libxml2 silently drops everything past 255 levels of nesting,
    # which limit_nesting() flattens instead.
    parser = lxml_html.HTMLParser(huge_tree=True)
    return lxml_html.fragment_fromstring(clean, create_parent="div", parser=parser)


def drop_unsafe(root: etree._Element) -> None:
    """Links without a real target lose their link; remote or odd images become their alt text."""
    for link in root.iter("a"):
        href = link.get("href", "")
        if href.startswith("#fn") or is_real_url(href):
            continue
        unwrap(link)
    for image in list(root.iter("img")):
        src = image.get("src", "")
        parts = split_url(src)
        if not parts or parts.scheme or src.startswith(("/", "\\")) or ".." in src.split("/"):
            remove_keeping_tail(image, image.get("alt", ""))


def fix_structure(root: etree._Element) -> None:
    """Elements outside the parents they need, and headings without words, give way to their
    content: an `<li>` outside a list is its text, and no empty entry reaches a contents page."""
    for element in list(root.iter()):
        parent = element.getparent()
        misplaced = element.tag in PARENTS and parent.tag not in PARENTS[element.tag]
        if misplaced or (element.tag in HEADINGS and not element.text_content().strip()):
            unwrap(element)
    for listing in list(root.iter("ul", "ol")):
        items_only(listing)


def items_only(listing: etree._Element) -> None:
    """A list holds items only: the words and elements a stray `</li>` left between its
    items join the item before them (the first, a new item of their own)."""
    item = None
    if (listing.text or "").strip():
        item = etree.Element("li")
        item.text, listing.text = listing.text, None
        listing.insert(0, item)
    for child in list(listing):
        if child is item:
            continue
        if child.tag == "li":
            item = child
        else:
            if item is None:
                item = etree.Element("li")
                listing.insert(listing.index(child), item)
            item.append(child)  # its tail comes with it
            continue
        if (item.tail or "").strip():
            append_text(item, len(item), item.tail)
            item.tail = None


def limit_nesting(root: etree._Element) -> None:
    """Flatten quotations and lists nested past a readable depth (and past WeasyPrint's stack).

    The paragraphs of a deeper quotation join the deepest one allowed; a list nested too
    deep becomes one paragraph per item. Nothing is dropped.
    """
    quotes = [el for el in root.iter("blockquote") if depth(el, ("blockquote",)) >= MAX_QUOTE_DEPTH]
    for quote in reversed(quotes):
        unwrap(quote)
    lists = ("ul", "ol")
    for deep in [el for el in root.iter(*lists) if depth(el, lists) == MAX_LIST_DEPTH]:
        flatten_list(deep)
    for deep in reversed(
        [el for el in root.iter() if el is not root and ancestors(el) > MAX_DEPTH]
    ):
        unwrap(deep)


def ancestors(element: etree._Element) -> int:
    return sum(1 for _ in element.iterancestors())


def flatten_list(element: etree._Element) -> None:
    """Replace a list (and the lists inside it) by one paragraph per item, in order."""
    paragraphs = []
    for item in list(element.iter("li")):
        paragraph = etree.Element("p")
        paragraph.text = item.text
        for child in list(item):
            if child.tag in ("ul", "ol"):
                append_text(paragraph, len(paragraph), " " + (child.tail or ""))
            else:
                paragraph.append(child)
        paragraphs.append(paragraph)
    parent, index = element.getparent(), element.getparent().index(element)
    if paragraphs:
        paragraphs[-1].tail = element.tail
    parent.remove(element)
    for offset, paragraph in enumerate(paragraphs):
        parent.insert(index + offset, paragraph)


def depth(element: etree._Element, tags: tuple[str, ...]) -> int:
    """How many ancestors of these kinds an element has."""
    return sum(1 for ancestor in element.iterancestors() if ancestor.tag in tags)


def local_file(folder: Path | None, src: str) -> Path | None:
    """The file a relative `src` names inside `folder`, or None if it is remote or outside it."""
    if folder is None or not src or ":" in src or src.startswith(("/", "\\")):
        return None
    root = folder.resolve()
    path = (root / src.split("#")[0].split("?")[0]).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None
