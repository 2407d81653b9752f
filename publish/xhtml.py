"""Small lxml helpers: move text and elements about; write XHTML that HTML parsers read alike."""

from lxml import etree

VOID = {"br", "hr", "img", "wbr"}


def unwrap(element: etree._Element) -> None:
    """Replace an element by its content."""
    parent = element.getparent()
    index = parent.index(element)
    children = list(element)
    text, tail = element.text or "", element.tail or ""
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
        append_text(parent, index, text)
    else:
        append_text(parent, index, text + tail)
    parent.remove(element)


def append_text(parent: etree._Element, index: int, text: str) -> None:
    """Add text just before position `index` of parent."""
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + text


def remove_keeping_tail(element: etree._Element, text: str = "") -> None:
    """Remove an element, leaving `text` and the text that followed it in its place."""
    parent = element.getparent()
    append_text(parent, parent.index(element), text + (element.tail or ""))
    parent.remove(element)


def inner_xhtml(element: etree._Element) -> str:
    """The XHTML inside an element."""
    head = escape_text(element.text or "")
    return head + "".join(to_xhtml(child) for child in element)


def serialize_children(root: etree._Element) -> str:
    return "\n".join(to_xhtml(child).strip() for child in root)


def to_xhtml(element: etree._Element) -> str:
    """Well-formed XHTML that HTML parsers read the same: only void elements self-close."""
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag not in VOID and node.text is None:
            node.text = ""
    return etree.tostring(element, encoding="unicode", method="xml", with_tail=True)


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_text(html: str | None) -> str:
    """The text of an inline XHTML fragment, white space folded (for metadata)."""
    if not html:
        return ""
    return " ".join("".join(etree.fromstring(f"<span>{html}</span>").itertext()).split())
