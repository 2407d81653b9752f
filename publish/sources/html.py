"""Saved web pages: the article only, as Markdown, with the metadata the page declares.

trafilatura finds the article and leaves navigation, share buttons, forms, comments, related
lists and footers behind. It returns the article as a small tree (head, p, list/item, quote,
table/row/cell, code, hi, ref, lb; the document readers add graphic and note), which this
module writes out as Python-Markdown. The tree is read as trafilatura built it: its serialised
XML is re-parsed with blank text removed, which joins adjacent inline elements ("<b>a</b>
<i>b</i>" becomes "ab"), and its own Markdown output turns block quotes into plain paragraphs.
Text is escaped so that it can never become Markdown or HTML structure. The title, authors and
date come from trafilatura's metadata, the language from `<html lang>`, and relative links are
resolved against the page's canonical URL.
"""

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from difflib import SequenceMatcher
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import trafilatura
from lxml.etree import _Element
from lxml.html import HtmlElement
from trafilatura.settings import Document

from publish.dates import MONTHS
from publish.errors import PublishError
from publish.sources import Draft
from publish.xhtml import remove_keeping_tail

# Elements of trafilatura's tree that stand as blocks of their own; the rest is inline.
BLOCK_TAGS = frozenset(
    {"p", "head", "list", "item", "quote", "table", "row", "div", "section", "article", "ab"}
)
# trafilatura's `hi` renditions that Markdown can express.
EMPHASIS = {"#i": "*", "#b": "**"}
# Characters that start emphasis, code, links or footnotes anywhere in a line; backslash
# first, so that the escapes added for the others are not escaped again.
INLINE_SPECIALS = re.compile(r"([\\`*_\[\]])")
# What makes a line a heading, block quote, list item or rule in Python-Markdown. A `#` needs
# no space after it there; `1.` starts a list only when a space follows.
LINE_START_SPECIALS = re.compile(r"^(?:[#>+-]|\d+(?=\.(?: |$)))", re.MULTILINE)
# Separators between an article title and the site name in `<title>`, most specific first.
TITLE_SEPARATORS = (" | ", " – ", " — ", " - ", " · ", " • ", " :: ")
# Words a byline or dateline may hold besides the author names and the date.
BYLINE_WORDS = frozenset(
    ("by", "von", "par", "and", "und", "et", "on", "am", "le")
    + ("published", "posted", "updated", "veröffentlicht", "publié")
)
BYLINE_SEARCH = 3  # bylines and datelines sit among the first or last blocks of an article
TITLE_SIMILARITY = 0.9  # "Nachhaltig leben" repeats the title "Nachhaltiger leben"
# Two or more spaces, no-break spaces among them ("fan. &nbsp; Twitter"); a lone no-break
# space ("14&nbsp;percent") is kept.
SPACE_RUN = re.compile("[ \u00a0]{2,}")
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
NO_ARTICLE = "no article text found in the page"


@dataclass(frozen=True)
class Context:
    """Where Markdown is being written: link base, open emphasis, inside a link or a quote."""

    base: str | None
    marks: frozenset[str] = frozenset()
    in_link: bool = False
    in_quote: bool = False


def read(path: Path, content: str) -> Draft:
    """Extract the article of a saved web page as Markdown, with the page's metadata."""
    content = unicodedata.normalize("NFC", content)
    page, found, body = run_trafilatura(path, content)
    if body is None or not has_text_blocks(body):
        raise PublishError(path, NO_ARTICLE)
    meta = page_meta(page, found)
    drop_title_heading(body, meta.get("title"))
    drop_bylines(body, meta.get("authors", []), meta.get("date"))
    drop_empty_sections(body)
    blocks = render_blocks(body, Context(base=link_base(page, meta.get("source", {}).get("url"))))
    if not blocks:
        raise PublishError(path, NO_ARTICLE)
    return Draft(path=path, kind="html", body="\n\n".join(blocks) + "\n", meta=meta)


def run_trafilatura(path: Path, content: str) -> tuple[HtmlElement, Document, _Element | None]:
    """Parse the page and let trafilatura find its metadata and its article."""
    try:
        page = trafilatura.load_html(content)
        found = trafilatura.extract_metadata(content)
        extracted = trafilatura.bare_extraction(
            content,
            include_formatting=True,
            include_links=True,
            include_comments=False,
            include_tables=True,
            with_metadata=False,  # with it, links resolve against the host, not the page
            as_dict=False,
        )
    except Exception as error:  # trafilatura documents no exceptions of its own
        raise PublishError(path, f"the page could not be read: {error}") from error
    if page is None:
        raise PublishError(path, "not an HTML page")
    return page, found, extracted.body if extracted is not None else None


def has_text_blocks(body: _Element) -> bool:
    """Whether the extraction holds a block with text; bare text is a dump of the whole page."""
    return any(element.tag in BLOCK_TAGS and text_of(element) for element in body.iter())


# --- metadata ---------------------------------------------------------------------------------


def page_meta(page: HtmlElement, found: Document) -> dict[str, Any]:
    """Title, authors, date, language and source, each only when the page gives it."""
    site = site_name(found.sitename, [text_of(page.find(".//title")), found.title or ""])
    source = {"name": site, "url": page_url(page, found.url)}
    meta: dict[str, Any] = {
        "title": strip_site_suffix(found.title or "", site),
        "authors": split_authors(found.author or ""),
        "date": iso_date(found.date or ""),
        "language": page_language(page),
        "source": {key: value for key, value in source.items() if value},
    }
    return {key: value for key, value in meta.items() if value}


def site_name(declared: str | None, titles: list[str]) -> str | None:
    """The site's name as the page declares it, or as a title's suffix spells it out."""
    declared = declared if declared and has_letters(declared) else None
    if declared and "." not in declared:
        return declared
    for separator, suffix in map(title_suffix, titles):
        # A host name is trafilatura's fallback: "Greenpeace" reads better than "greenpeace.de".
        if has_letters(suffix) and (separator == " | " or (declared and related(suffix, declared))):
            return suffix
    return declared


def title_suffix(title: str) -> tuple[str, str]:
    """The separator and the last part of a "Title | Site" string, or two empty strings."""
    for separator in TITLE_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if found and head.strip() and tail.strip():
            return separator, tail.strip()
    return "", ""


def strip_site_suffix(title: str, site: str | None) -> str:
    """Drop a " | Site Name" or " - Site Name" suffix from a title."""
    title = title.strip()
    if not site:
        return title
    for separator in TITLE_SEPARATORS:
        if title.casefold().endswith((separator + site).casefold()):
            return title[: -len(separator + site)].strip()
        head, found, tail = title.rpartition(separator)
        if found and related(tail, site):  # "Title | MODEPILOT.de" on the site "Modepilot"
            return head.strip()
    return title


def related(name: str, other: str) -> bool:
    """Whether two spellings name the same site ("Greenpeace", "greenpeace.de")."""
    return site_key(name) == site_key(other) != ""


def site_key(name: str) -> str:
    """A site name or host name reduced for comparison: "www.greenpeace.de" is "greenpeace"."""
    name = name.casefold().strip().removeprefix("www.")
    if "." in name and " " not in name:
        name = name.rsplit(".", 1)[0]
    return compact(name)


def has_letters(text: str) -> bool:
    """Whether a text has a letter; a site name of digits is a date trafilatura misread."""
    return any(character.isalpha() for character in text)


def split_authors(authors: str) -> list[str]:
    """Split "A; B", "A and B", "A, B" and "A & B" into names, in order, without repeats."""
    names = re.split(r";|,|&| and | und | et ", authors)
    cleaned = (
        re.sub(r"^(?:by|von|par)\s+", "", name.strip(), flags=re.IGNORECASE) for name in names
    )
    return list(dict.fromkeys(name for name in cleaned if name))


def iso_date(value: str) -> str | None:
    """The date as "YYYY-MM-DD", or None when it is not a valid date."""
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def page_language(page: HtmlElement) -> str | None:
    """The BCP 47 tag of `<html lang>` (or xml:lang, or the content-language header)."""
    root = page.getroottree().getroot()
    declared = root.get("lang") or root.get("xml:lang")
    if not declared:
        declared = next(iter(root.xpath("//meta[@http-equiv='content-language']/@content")), "")
    tag = declared.strip().replace("_", "-").lower()
    if not LANGUAGE_TAG.fullmatch(tag):
        return None
    primary, *subtags = tag.split("-")
    return "-".join([primary, *(case_subtag(subtag) for subtag in subtags)])


def case_subtag(subtag: str) -> str:
    """BCP 47 casing: regions upper case ("US"), scripts title case ("Latn")."""
    if len(subtag) == 2:
        return subtag.upper()
    return subtag.title() if len(subtag) == 4 else subtag


def page_url(page: HtmlElement, found_url: str | None) -> str | None:
    """The article's canonical URL: `<link rel=canonical>`, then og:url, then trafilatura's."""
    canonical = [
        link.get("href", "")
        for link in page.iter("link")
        if "canonical" in link.get("rel", "").lower().split()
    ]
    candidates = [*canonical, *page.xpath("//meta[@property='og:url']/@content"), found_url]
    return next((url.strip() for url in candidates if url and is_web_url(url.strip())), None)


def link_base(page: HtmlElement, url: str | None) -> str | None:
    """The URL relative links resolve against: the page's, moved by `<base href>` if given."""
    base_href = next(iter(page.xpath("//base/@href")), "").strip()
    if not base_href:
        return url
    base = resolve(base_href, url)
    return base if base and is_web_url(base) else url


def is_web_url(url: str) -> bool:
    """Whether a URL is absolute http(s) with a host."""
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


# --- cleanup of the extracted tree ------------------------------------------------------------


def drop_title_heading(body: _Element, title: str | None) -> None:
    """Remove the article's first heading when it repeats the title (the title is in meta)."""
    heading = next(body.iter("head"), None)
    if title and heading is not None and same_text(text_of(heading), title):
        remove_keeping_tail(heading)


def drop_bylines(body: _Element, authors: list[str], iso: str | None) -> None:
    """Remove byline and dateline paragraphs near the article's ends whose facts are in meta."""
    blocks = [element for element in body if text_of(element)]
    candidates = blocks[:BYLINE_SEARCH] + blocks[-BYLINE_SEARCH:]
    for element in dict.fromkeys(candidates):
        if element.tag == "p" and is_byline(text_of(element), authors, iso):
            remove_keeping_tail(element)


def is_byline(text: str, authors: list[str], iso: str | None) -> bool:
    """Whether a paragraph says nothing but who wrote the article (in meta) and when (in meta)."""
    rest = text.casefold()
    named = False
    for name in authors:
        named = named or name.casefold() in rest
        rest = rest.replace(name.casefold(), " ")
    words = re.findall(r"\w+", rest)
    dated = iso is not None and any(is_date_word(word, iso) for word in words)
    return (named or dated) and all(
        word in BYLINE_WORDS or (iso is not None and is_date_word(word, iso)) for word in words
    )


def is_date_word(word: str, iso: str) -> bool:
    """Whether a word is part of the date: its numbers or its month's name, in full or short."""
    year, month, day = (int(part) for part in iso.split("-"))
    number = re.fullmatch(r"(\d+)(?:st|nd|rd|th|er)?", word)
    if number:
        return int(number[1]) in (year, month, day)
    names = [name for name, number in MONTHS.items() if number == month]
    return len(word) >= 3 and any(name.startswith(word) for name in names)


def drop_empty_sections(body: _Element) -> None:
    """Remove headings of empty sections, the remains of image galleries and teaser lists.

    A heading followed by one of a higher level is kept: that is often a pull quote set as a
    heading, and its words are the article's.
    """
    blocks = [element for element in body if text_of(element)]
    for element, following in pairwise([*blocks, None]):
        if element.tag == "head" and (
            following is None
            or (following.tag == "head" and heading_level(following) == heading_level(element))
        ):
            remove_keeping_tail(element)


def heading_level(heading: _Element) -> int:
    """The level of a trafilatura heading (rend="h3" is 3); 2 when it does not say."""
    level = (heading.get("rend") or "").removeprefix("h")
    return int(level) if level in ("1", "2", "3", "4", "5", "6") else 2


def text_of(element: _Element | None) -> str:
    """An element's text content with whitespace collapsed."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def same_text(one: str, other: str) -> bool:
    """Whether two texts are the same apart from case, punctuation and a letter or two."""
    return SequenceMatcher(None, compact(one), compact(other)).ratio() >= TITLE_SIMILARITY


def compact(text: str) -> str:
    """Lower-case letters and digits only, for comparing names and titles."""
    return "".join(character for character in text.casefold() if character.isalnum())


# --- Markdown: blocks -------------------------------------------------------------------------


def render_blocks(container: _Element, context: Context) -> list[str]:
    """Markdown blocks for a container; inline runs between its blocks become paragraphs."""
    blocks: list[str] = []
    run = [escape(container.text)]
    for child in container:
        if is_block(child):
            blocks += paragraphs("".join(run))
            blocks += render_block(child, context)
            run = []
        else:
            run.append(render_inline(child, context))
        run.append(escape(child.tail))
    return blocks + paragraphs("".join(run))


def is_block(element: _Element) -> bool:
    """Whether an element is a block: a block tag, or code that spans lines."""
    if element.tag == "code":
        return "\n" in "".join(element.itertext()).strip()
    return element.tag in BLOCK_TAGS


def render_block(element: _Element, context: Context) -> list[str]:
    """Markdown blocks for one block element."""
    if element.tag == "head":
        return heading(element, context)
    if element.tag == "list":
        lines = list_lines(element, context)
        return ["\n".join(lines)] if lines else []
    if element.tag == "quote":
        return block_quote(element, context)
    if element.tag == "table":
        return table(element, context)
    if element.tag == "code":
        return code_block(element, context)
    return render_blocks(element, context)


def paragraphs(text: str) -> list[str]:
    """Paragraphs from rendered inline text: tidy lines, split at blank lines (double breaks)."""
    lines = "\n".join(one_line(line) for line in text.split("\n"))
    return [escape_line_starts(chunk.strip("\n")) for chunk in lines.split("\n\n") if chunk.strip()]


def one_line(text: str) -> str:
    """Text on one line: line breaks and runs of spaces become one space, none at the ends."""
    return SPACE_RUN.sub(" ", text.replace("\n", " ")).strip(" \u00a0")


def heading(element: _Element, context: Context) -> list[str]:
    """A `##` to `######` heading; `#` is left to the title."""
    bold = replace(context, marks=context.marks | {"**"})  # headings are set bold already
    text = one_line(render_content(element, bold))
    if not text:
        return []
    if text.endswith("#"):
        text = text[:-1] + "\\#"  # a trailing # would close the heading and vanish
    return [f"{'#' * max(2, heading_level(element))} {text}"]


def list_lines(element: _Element, context: Context) -> list[str]:
    """Lines of a `-` or `1.` list; nested lists indented four spaces, as Python-Markdown wants."""
    ordered = element.get("rend") == "ol"
    lines: list[str] = []
    for number, item in enumerate(element.iterchildren("item"), start=1):
        marker = f"{number}. " if ordered else "- "
        text = "\n".join(paragraphs(render_content(item, context)))
        indent = "    " if text else ""
        if text:
            first, *rest = text.split("\n")
            lines += [marker + first, *(indent + line for line in rest if line)]
        for sublist in item.iterchildren("list"):
            lines += [indent + line for line in list_lines(sublist, context)]
    return lines


def block_quote(element: _Element, context: Context) -> list[str]:
    """A `> ` block quote holding its own blocks."""
    inner = render_blocks(element, replace(context, in_quote=True))
    if not inner:
        return []
    lines = "\n\n".join(inner).split("\n")
    return ["\n".join(f"> {line}" if line else ">" for line in lines)]


def table(element: _Element, context: Context) -> list[str]:
    """A pipe table (Python-Markdown's tables extension), the first row as its header."""
    rows = [
        [cell_text(cell, context) for cell in row.iterchildren("cell")]
        for row in element.iterchildren("row")
    ]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    lines = [rows[0], ["---"] * width, *rows[1:]]
    return ["\n".join(f"| {' | '.join(row)} |" for row in lines)]


def cell_text(cell: _Element, context: Context) -> str:
    """A table cell's Markdown on one line, its pipes escaped."""
    return one_line(render_content(cell, context)).replace("|", "\\|")


def code_block(element: _Element, context: Context) -> list[str]:
    """A fenced code block; in a block quote, where fences do not work, plain lines."""
    code = "".join(element.itertext()).strip("\n")
    lines = [line.rstrip() for line in code.split("\n")]
    if context.in_quote:
        return paragraphs("\n".join(escape(line) for line in lines))
    # An indented block would not do: after a list, Python-Markdown reads it as list text.
    fence = "`" * max(3, longest_backtick_run(code) + 1)
    return ["\n".join([fence, *lines, fence])]


# --- Markdown: inline -------------------------------------------------------------------------


def render_content(element: _Element, context: Context) -> str:
    """An element's text and children as inline Markdown (without its tail)."""
    parts = [escape(element.text)]
    for child in element:
        if child.tag == "list" and element.tag == "item":
            parts.append(" ")  # nested lists are written by list_lines
        else:
            parts.append(render_inline(child, context))
        parts.append(escape(child.tail))
    return "".join(parts)


def render_inline(element: _Element, context: Context) -> str:
    """One element inside running text: emphasis, link, line break, code or plain words."""
    if element.tag == "lb":
        return "\n"
    if element.tag == "ref":
        return link(element, context)
    if element.tag == "code" or (element.tag == "hi" and element.get("rend") == "#t"):
        return code_span("".join(element.itertext()))
    if element.tag == "hi":
        return emphasis(element, context)
    if element.tag == "graphic":
        return image(element)
    if element.tag == "note":
        return f"[^{element.get('n')}]"
    if element.tag in BLOCK_TAGS:
        return f" {render_content(element, context)} "
    return render_content(element, context)


def emphasis(element: _Element, context: Context) -> str:
    """`*x*` or `**x**`; other renditions (underline, sub, superscript) keep their words only."""
    mark = EMPHASIS.get(element.get("rend") or "")
    if mark is None or mark in context.marks:
        return render_content(element, context)
    content = render_content(element, replace(context, marks=context.marks | {mark}))
    return wrap(content, mark, mark)


def link(element: _Element, context: Context) -> str:
    """`[text](absolute-url)`, or the text alone when there is no usable target."""
    text = render_content(element, replace(context, in_link=True)).replace("\n", " ")
    url = resolve(element.get("target") or "", context.base)
    if context.in_link or url is None:
        return text
    return wrap(text, "[", f"]({url_for_markdown(url)})")


def image(element: _Element) -> str:
    """`![alt](src)`: an image in the text's own folder (the document readers write these)."""
    alt = one_line(escape(element.get("alt")))
    return f"![{alt}]({url_for_markdown(element.get('src') or '')})"


def wrap(content: str, before: str, after: str) -> str:
    """Put markup around content, leaving its outer spaces outside; nothing to wrap, no markup."""
    match = re.fullmatch(r"(\s*)(.*?)(\s*)", content, flags=re.DOTALL)
    lead, core, trail = match.groups()
    return f"{lead}{before}{core}{after}{trail}" if core else content


def resolve(target: str, base: str | None) -> str | None:
    """An absolute http(s) or mailto URL for a link target, or None."""
    target = target.strip()
    if not target or target.startswith("#"):
        return None  # in-page anchors lead nowhere in a printed text
    try:
        url = urljoin(base, target) if base else target
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if is_web_url(url) or (scheme == "mailto" and len(url) > len("mailto:")):
        return url
    return None


def url_for_markdown(url: str) -> str:
    """Percent-encode what would end a Markdown link target early: spaces, parentheses, <>."""
    return quote(url, safe="/:?#@!$&'*+,;=%~")


def code_span(code: str) -> str:
    """Inline code, with a fence longer than any backtick run inside it."""
    code = " ".join(code.split())
    if not code:
        return ""
    fence = "`" * (longest_backtick_run(code) + 1)
    padding = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{padding}{code}{padding}{fence}"


def longest_backtick_run(code: str) -> int:
    """The length of the longest run of backticks in a piece of code."""
    return max((len(run) for run in re.findall(r"`+", code)), default=0)


def escape(text: str | None) -> str:
    """Text that stays text in Markdown: spaces collapsed, specials escaped, & and < as entities."""
    if not text:
        return ""
    text = re.sub(r"[ \t\r\n]+", " ", text)
    text = INLINE_SPECIALS.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;")


def escape_line_starts(text: str) -> str:
    """Escape what would make a line a heading, quote, list item or rule."""
    return LINE_START_SPECIALS.sub(escape_line_start, text)


def escape_line_start(match: re.Match[str]) -> str:
    """A backslash before a marker character, or between a number and its full stop."""
    marker = match[0]
    return f"{marker}\\" if marker[0].isdigit() else f"\\{marker}"
