"""Links: keep those with a real target, turn the rest into their words.

Scrapes turn every link they cannot resolve into `[text](#)`; relative paths point into a
site we do not have, and `javascript:`/`data:`/`file:` targets are never published. In all
these cases the link text stays, as plain text. `![images](...)` are left to the renderers.
"""

import re

from publish.normalize.blocks import VERBATIM, Block, regroup, reread, without_emptied_lines
from publish.normalize.inline import LineCounter
from publish.normalize.report import Entry
from publish.urls import is_real_url, split_url

# [text](target "title"), with one level of brackets allowed inside the text.
LINK = re.compile(
    r"(?<![!\\])\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]"
    r"\((?P<target><[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"\n]*\")?\)"
)
AUTOLINK = re.compile(r"(?<!\\)<(?P<url>[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^<>\s]*)>")
MAX_ROUNDS = 8  # links nested deeper than this in one another keep their outer markup
UNSAFE_SCHEMES = ("javascript", "data", "file", "vbscript")


def is_real_target(url: str) -> bool:
    """An absolute http(s) URL with a well-formed host, or a mailto address."""
    return is_real_url(url.strip("<>"))


def plain_links(text: str, line: int) -> tuple[str, list[Entry]]:
    """Replace every link without a real target by its text; report each."""
    entries: list[Entry] = []
    lines = LineCounter(line, text)

    def unlink(match: re.Match[str]) -> str:
        target = match.group("target").strip("<>")
        if is_real_target(target):
            if not match.group("text").strip():
                return f"<{target}>"
            return match.group(0)
        where = lines.line_at(match.start())
        parts = split_url(target)
        scheme = parts.scheme.lower() if parts else ""
        words = match.group("text")
        if scheme in UNSAFE_SCHEMES:
            reason = f"unsafe {scheme}: link"
        elif not target or target.startswith("#"):
            reason = f"placeholder link ({target or 'empty'})"
        elif parts is None or (scheme in ("http", "https") and parts.netloc):
            reason = f"link to {target!r}, whose address is malformed"
        else:
            reason = f"link to {target!r}, which has no host"
        entries.append(Entry("l-unlinked", where, f"{reason} kept as plain text: {words!r}"))
        return words

    def unlink_auto(match: re.Match[str]) -> str:
        if is_real_target(match.group("url")):
            return match.group(0)
        where = lines.line_at(match.start())
        entries.append(
            Entry("l-unlinked", where, f"autolink to {match.group('url')!r} kept as plain text")
        )
        return match.group("url")

    # A link unlinked may leave another around its words ([[the report]()](#)): repeat.
    for _ in range(MAX_ROUNDS):
        lines, unlinked = LineCounter(line, text), len(entries)
        text = LINK.sub(unlink, text)
        if len(entries) == unlinked:
            break
    lines = LineCounter(line, text)
    return AUTOLINK.sub(unlink_auto, text), entries


def count_real(text: str) -> int:
    return sum(1 for match in LINK.finditer(text) if is_real_target(match.group("target")))


def run(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Unlink placeholder and unusable links in every prose block; count the real ones."""
    result, entries, real = [], [], 0
    for block in blocks:
        if block.kind in VERBATIM or not ("](" in block.text or "<" in block.text):
            result.append(block)
            continue
        text, found = plain_links(block.text, block.line)
        real += count_real(text)
        entries.extend(found)
        if found:
            text = without_emptied_lines(block.text, text)
        if text:
            result.extend(reread(block, text))
    if real:
        entries.append(Entry("l-kept", blocks[0].line if blocks else 1, f"{real} real links kept"))
    return regroup(result), meta, entries
