"""The document model: canonical Markdown parsed into metadata, body, notes and headings.

Every writer (PDF, EPUB, reader volumes) renders from a Document and never re-reads a
source. The body is a sanitized XHTML fragment in which each note call is a marker,
`<span class="note-call" data-note="N">N</span>`, that a writer swaps for its own markup
(a WeasyPrint `float: footnote` span, an EPUB noteref) with `body_with_calls()`.
Real links and author footnotes share one numbering, in order of appearance.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from lxml import etree
from lxml import html as lxml_html

from publish import frontmatter
from publish.sanitize import (
    drop_unsafe,
    fix_structure,
    is_real_url,
    limit_nesting,
    markdown_tree,
    real_url_or_none,
)
from publish.xhtml import (
    append_text,
    escape_text,
    inner_xhtml,
    remove_keeping_tail,
    serialize_children,
)

# A run of this many characters with no break opportunity (a pasted data blob) gets one
# every BREAK_EVERY characters: unbroken, it costs the line breaker time that grows with the
# square of its length (minutes for 10,000 characters); real words are never this long.
MAX_UNBROKEN = 64
BREAK_EVERY = 16
LONG_RUN = re.compile(rf"[^\s\u200b]{{{MAX_UNBROKEN},}}")
ZERO_WIDTH_SPACE = "\u200b"
JOINERS = frozenset("\u200d\ufe0e\ufe0f")
ACRONYM = re.compile(r"\b(?:[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*s?\b|(?:[A-Z]\.){2,})")
# Where a printed URL may break: after a slash, before . - ? = & (never after its own hyphen).
URL_BREAK = re.compile(r"(?<=/)(?=[^/])|(?<=[^/\-])(?=[.\-?=&])")
# A dateline or credit carries a year, as in "Eastside Study Group, September 2024".
DATED = re.compile(r"\b(1[5-9]|20)\d\d\b")
LONGEST_URL_PIECE = 24  # characters: longer runs would overflow a note's line
LONGEST_BRIDGEHEAD = 80  # characters; a longer bold paragraph is emphasis, not a heading
LONGEST_CREDIT = 120  # characters; a longer closing paragraph is text, not a credit
CALL = re.compile(r'<span class="note-call" data-note="(\d+)">\d+</span>')
# Quotation marks at the edges of emphasis, with the space French sets inside them, and the
# punctuation after a closing mark. Each closing mark is listed with the marks that open it.
OPENING_QUOTE = re.compile("^[«“‘„‚‹][\u00a0\u202f\u2009 ]?")
CLOSING_QUOTE = re.compile("[\u00a0\u202f\u2009 ]?([»”“’›])[.,;:]*$")
OPENERS = {"»": "«", "”": "“„", "“": "„", "’": "‘‚", "›": "‹"}


@dataclass(frozen=True)
class Note:
    """A footnote: a link's URL, or the author's own note."""

    number: int
    kind: str  # "link" or "author"
    html: str  # inner XHTML of the note
    url: str | None = None  # the link's target, for link notes

    @property
    def id(self) -> str:
        return f"note-{self.number}"


@dataclass(frozen=True)
class Heading:
    level: int  # 2 for the top level of the body (the title is level 1)
    id: str
    text: str
    html: str


@dataclass(frozen=True)
class Meta:
    """The front matter, with its prose fields rendered to inline XHTML."""

    title: str
    language: str
    authors: tuple[str, ...] = ()
    subtitle: str | None = None
    date: str | None = None
    source_name: str | None = None
    source_url: str | None = None
    note_html: str | None = None
    published_html: tuple[str, ...] = ()
    closing: str | None = None
    signature: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    meta: Meta
    body: str
    notes: tuple[Note, ...]
    headings: tuple[Heading, ...]
    slug: str
    canonical: str
    folder: Path | None = None  # the source's folder: relative images are looked up there only

    def body_with_calls(self, call: Callable[[Note], str]) -> str:
        """The body with each note marker replaced by a writer's markup for that note."""
        notes = {note.number: note for note in self.notes}
        return CALL.sub(lambda match: call(notes[int(match.group(1))]), self.body)


def parse(canonical: str) -> Document:
    """Canonical Markdown to a Document."""
    data, body_md, _ = frontmatter.split(canonical)
    meta = read_meta(data)
    root = markdown_tree(body_md)
    drop_unsafe(root)
    fix_structure(root)
    limit_nesting(root)
    headings = number_headings(root)
    notes = collect_notes(root)
    typeset(root)
    mark_names(root, author_names(meta))
    break_long_runs(root)
    return Document(
        meta=meta,
        body=serialize_children(root),
        notes=tuple(notes),
        headings=tuple(headings),
        slug=slugify(meta.title),
        canonical=canonical,
    )


def read_meta(data: dict) -> Meta:
    source = data.get("source") or {}
    signature = data.get("signature") or {}
    known = {"title", "subtitle", "authors", "date", "language", "source", "note", "published"}
    return Meta(
        title=str(data.get("title") or "Untitled"),
        language=str(data.get("language") or "en"),
        authors=tuple(str(name) for name in data.get("authors") or ()),
        subtitle=data.get("subtitle"),
        date=str(data["date"]) if data.get("date") else None,
        source_name=source.get("name") if isinstance(source, dict) else str(source),
        source_url=real_url_or_none(source.get("url")) if isinstance(source, dict) else None,
        note_html=inline_html(str(data["note"])) if data.get("note") else None,
        published_html=tuple(inline_html(str(line)) for line in data.get("published") or ()),
        closing=signature.get("closing"),
        signature=tuple(str(name) for name in signature.get("names") or ()),
        extra={key: value for key, value in data.items() if key not in known | {"signature"}},
    )


def number_headings(root: etree._Element) -> list[Heading]:
    """Give headings ids and levels from 2 down, whatever level the body starts at."""
    found = [el for el in root.iter() if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    if not found:
        return []
    shift = 2 - min(int(el.tag[1]) for el in found)
    headings, used = [], set()
    for element in found:
        level = min(int(element.tag[1]) + shift, 6)
        element.tag = f"h{level}"
        base = "h-" + (slugify(element.text_content()) or "section")
        ident, count = base, 1
        while ident in used:
            count += 1
            ident = f"{base}-{count}"
        used.add(ident)
        element.set("id", ident)
        text = " ".join(element.text_content().split())
        headings.append(Heading(level, ident, text, inner_xhtml(element)))
    return headings


def collect_notes(root: etree._Element) -> list[Note]:
    """Number real links and author footnotes in reading order; mark each call in the body."""
    definitions = footnote_definitions(root)
    notes: list[Note] = []
    for element in list(root.iter("a", "sup")):
        if element.tag == "sup" and element.get("id", "").startswith("fnref"):
            ref = element.find("a")
            key = ref.get("href", "")[1:] if ref is not None else ""
            notes.append(Note(len(notes) + 1, "author", definitions.get(key, "")))
            swap_for_call(element, len(notes))
        elif element.tag == "a" and is_real_url(element.get("href", "")):
            if element.getparent() is not None and element.getparent().tag == "sup":
                continue
            url = element.get("href")
            notes.append(Note(len(notes) + 1, "link", url_html(url), url))
            insert_call_after(element, len(notes))
    return notes


def footnote_definitions(root: etree._Element) -> dict[str, str]:
    """Take the footnotes block out of the body; return each note's XHTML by its id."""
    definitions = {}
    for block in root.xpath('.//div[@class="footnote"]'):
        for item in block.iter("li"):
            for backref in item.xpath('.//a[@class="footnote-backref"]'):
                remove_keeping_tail(backref)
            for link in item.iter("a"):
                if is_real_url(link.get("href", "")):
                    add_url_after(link)
            paragraphs = item.findall("p")
            if len(paragraphs) == 1 and not (item.text or "").strip():
                definitions[item.get("id", "")] = inner_xhtml(paragraphs[0]).strip()
            else:
                definitions[item.get("id", "")] = inner_xhtml(item).strip()
        block.getparent().remove(block)
    return definitions


def typeset(root: etree._Element) -> None:
    """Acronyms in small caps; no line starts with a dash; lead-ins stay with their quotes;
    bold lines standing for headings, and closing datelines and credits, are told apart from
    the text's paragraphs."""
    mark_lead_ins(root)
    mark_bridgeheads(root)
    mark_credits(root)
    for emphasis in list(root.iter("em")):
        quotes_outside(emphasis)
    for element in list(root.iter()):
        if element.tag in ("code", "pre", "abbr") or element.get("class") == "url":
            continue
        if element.text and element.tag != "span":
            element.text = dash_spaces(element.text)
            wrap_acronyms(element, "text")
        if element.tail and element.getparent() is not None:
            element.tail = dash_spaces(element.tail)
            wrap_acronyms(element, "tail")


def quotes_outside(emphasis: etree._Element) -> None:
    """Quotation marks at the edges of italics are set in the surrounding roman, with the
    punctuation after a closing mark (Chicago 6.2; the Imprimerie nationale's rule too):
    `*« J'ai tout réorganisé ».*` reads `« *J'ai tout réorganisé* ».`. A closing mark moves
    when the italics open with its quotation or hold no opening for it; a closing `’` only
    when the italics open with `‘`, as it is an apostrophe too (`the students’`)."""
    whole = "".join(emphasis.itertext())
    opening = OPENING_QUOTE.match(emphasis.text or "")
    last = emphasis[-1] if len(emphasis) else None
    end = (last.tail if last is not None else emphasis.text) or ""
    closing = CLOSING_QUOTE.search(end)
    if closing:
        mark, openers = closing.group(1), OPENERS[closing.group(1)]
        opened_here = bool(opening) and opening.group(0)[0] in openers
        unopened = mark != "’" and sum(map(whole.count, openers)) < whole.count(mark)
        if not (opened_here or unopened) or len(closing.group(0)) == len(whole):
            closing = None
    if closing:
        if last is not None:
            last.tail = end[: closing.start()]
        else:
            emphasis.text = end[: closing.start()]
        emphasis.tail = closing.group(0) + (emphasis.tail or "")
    if opening and (emphasis.text or "")[len(opening.group(0)) :].strip():
        emphasis.text = emphasis.text[len(opening.group(0)) :]
        parent = emphasis.getparent()
        append_text(parent, parent.index(emphasis), opening.group(0))


def break_long_runs(root: etree._Element) -> None:
    """A break opportunity (U+200B) every BREAK_EVERY characters of an over-long run."""
    for element in root.iter():
        if element.text:
            element.text = breakable(element.text)
        if element.tail and element is not root:
            element.tail = breakable(element.tail)


def breakable(text: str) -> str:
    return LONG_RUN.sub(lambda match: ZERO_WIDTH_SPACE.join(chunks(match.group(0))), text)


def chunks(run: str) -> list[str]:
    """BREAK_EVERY characters at a time, never parting a letter from its combining marks."""
    pieces, start = [], 0
    while len(run) - start > BREAK_EVERY:
        end = start + BREAK_EVERY
        while end < len(run) and (unicodedata.category(run[end])[0] == "M" or run[end] in JOINERS):
            end += 1
        pieces.append(run[start:end])
        start = end
    pieces.append(run[start:])
    return [piece for piece in pieces if piece]


def mark_lead_ins(root: etree._Element) -> None:
    """A paragraph ending in a colon before a quotation or list gets class "lead-in", which the
    stylesheets keep on the same page as what it introduces."""
    for element in root.iter("blockquote", "ul", "ol"):
        previous = element.getprevious()
        if is_lead_in(previous):
            previous.set("class", "lead-in")


def is_lead_in(element: etree._Element | None) -> bool:
    return (
        element is not None
        and element.tag == "p"
        and not element.get("class")
        and element.text_content().rstrip().endswith(":")
    )


def mark_bridgeheads(root: etree._Element) -> None:
    """A short, wholly bold paragraph followed by text ("**2. Sam Ponder**", common in scraped
    pages) gets class "bridgehead": a heading in all but markup, kept with what follows."""
    for paragraph in root.iter("p"):
        children = list(paragraph)
        text = " ".join(paragraph.text_content().split())
        if (
            not paragraph.get("class")
            and paragraph.getnext() is not None
            and len(children) == 1
            and children[0].tag in ("strong", "b")
            and not (paragraph.text or "").strip()
            and not (children[0].tail or "").strip()
            and 0 < len(text) <= LONGEST_BRIDGEHEAD
            and text[-1] not in ".,;:!?"
        ):
            paragraph.set("class", "bridgehead")


def mark_credits(root: etree._Element) -> None:
    """The short paragraphs that close a text and only sign or date it get class "credit":
    wholly italic ("*Eastside Study Group, September 2024*"), dated, or a closing ("Yours,")."""
    for paragraph in reversed([child for child in root if child.tag != etree.Comment]):
        if paragraph.tag != "p" or paragraph.get("class") or not is_credit(paragraph):
            return
        paragraph.set("class", "credit")


def is_credit(paragraph: etree._Element) -> bool:
    text = " ".join(paragraph.text_content().split())
    if not text or len(text) > LONGEST_CREDIT:
        return False
    children = [child for child in paragraph if child.tag != "br"]
    wholly_italic = (
        len(children) == 1
        and children[0].tag in ("em", "i")
        and not (paragraph.text or "").strip()
        and not (children[0].tail or "").strip()
    )
    signed = text.endswith(",") or (DATED.search(text) is not None and text[-1] not in ".?!:")
    return wholly_italic or signed


def author_names(meta: Meta) -> tuple[str, ...]:
    """The authors' and signers' names, without a signer's place."""
    people = [*meta.authors, *(name.rpartition(", ")[0] or name for name in meta.signature)]
    return tuple(dict.fromkeys(" ".join(name.split()) for name in people if name.strip()))


def mark_names(root: etree._Element, names: tuple[str, ...]) -> None:
    """Wrap each author's name, or any part of it, in <span class="name">: never hyphenated."""
    words = {word for name in names for word in name.split() if len(word) > 2}
    if not words:
        return
    choices = sorted({*names, *words}, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, choices)) + r")(?!\w)")
    for element in list(root.iter()):
        if element.tag in ("code", "pre", "abbr") or element.get("class") in ("url", "name"):
            continue
        if element.text and element is not root:
            wrap_matches(element, "text", pattern, "span", "name")
        if element.tail and element.getparent() is not None:
            wrap_matches(element, "tail", pattern, "span", "name")


def dash_spaces(text: str) -> str:
    """A no-break space before a spaced em dash, so it never starts a line."""
    return text.replace(" — ", "\u00a0— ")


def wrap_acronyms(element: etree._Element, where: str) -> None:
    """Wrap ISO, NSG, U.S. in <abbr class="ac"> for small caps."""
    wrap_matches(element, where, ACRONYM, "abbr", "ac")


def wrap_matches(
    element: etree._Element, where: str, pattern: re.Pattern[str], tag: str, kind: str
) -> None:
    """Wrap each match of the pattern in an element's text or tail in <tag class="kind">."""
    text = getattr(element, where)
    found = list(pattern.finditer(text))
    if not found:
        return
    setattr(element, where, text[: found[0].start()])
    parent, position = (element, 0) if where == "text" else (element.getparent(), None)
    if position is None:
        position = parent.index(element) + 1
    ends = [match.start() for match in found[1:]] + [len(text)]
    for offset, (match, end) in enumerate(zip(found, ends, strict=True)):
        wrapper = etree.Element(tag, {"class": kind})
        wrapper.text = match.group()
        wrapper.tail = text[match.end() : end]
        parent.insert(position + offset, wrapper)


def url_pieces(url: str) -> list[str]:
    """A URL cut where a printed line may break: after a slash, before . - ? = &; a run
    without any of these (a hash, a token) is cut every LONGEST_URL_PIECE characters."""
    return [
        piece[start : start + LONGEST_URL_PIECE]
        for piece in URL_BREAK.split(url)
        for start in range(0, len(piece), LONGEST_URL_PIECE)
    ]


def url_html(url: str) -> str:
    """A URL as printed: unbreakable pieces (class "url-piece") with a <wbr/> between them,
    so a line never ends right after one of the URL's own hyphens."""
    pieces = (f'<span class="url-piece">{escape_text(piece)}</span>' for piece in url_pieces(url))
    return '<span class="url">' + "<wbr/>".join(pieces) + "</span>"


def swap_for_call(element: etree._Element, number: int) -> None:
    call = make_call(number)
    call.tail = element.tail
    element.getparent().replace(element, call)


def insert_call_after(element: etree._Element, number: int) -> None:
    call = make_call(number)
    call.tail = element.tail
    element.tail = None
    parent = element.getparent()
    parent.insert(parent.index(element) + 1, call)


def make_call(number: int) -> etree._Element:
    call = etree.Element("span", {"class": "note-call", "data-note": str(number)})
    call.text = str(number)
    return call


def add_url_after(link: etree._Element) -> None:
    """Inside a note, a link's URL is printed after it in parentheses: notes have no notes."""
    span = lxml_html.fragment_fromstring(url_html(link.get("href")))
    span.tail = ")" + (link.tail or "")
    link.tail = " ("
    parent = link.getparent()
    parent.insert(parent.index(link) + 1, span)


def inline_html(text: str) -> str:
    """Inline Markdown (a dek, a publication line) to sanitized XHTML without a <p>."""
    root = markdown_tree(text)
    drop_unsafe(root)
    typeset(root)
    paragraph = root.find("p")
    return inner_xhtml(paragraph if paragraph is not None else root).strip()


def slugify(text: str) -> str:
    """'A Letter from Canadian Comrades' -> 'a-letter-from-canadian-comrades'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-")


def plain_words(canonical: str) -> list[str]:
    """The words of canonical Markdown's prose, for checking that outputs lose none."""
    body = frontmatter.split(canonical)[1]
    text = markdown.markdown(body, extensions=["footnotes", "tables", "fenced_code"])
    tree = lxml_html.fromstring(f"<div>{text}</div>", parser=lxml_html.HTMLParser(huge_tree=True))
    return re.findall(r"\w+", tree.text_content())
