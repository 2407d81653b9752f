"""Shield the parts of a Markdown line that are not prose (URLs, code, HTML) from the passes.

`shield()` swaps each such span for one private-use character and `unshield()` puts it back,
so that typographic rules see prose and one opaque "word" where a URL or code span was.
The placeholders are private-use characters the text does not contain, so no input can be
mistaken for a span; a text with more spans than there are free characters is not shielded
at all, and the passes leave it as it is.

Every open-ended part of the pattern is bounded (MAX_SPAN), so a paragraph full of openers
that never close (`<!--`, backticks) costs time linear in its length, not quadratic.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_SPAN = 1000  # longest code span, comment, tag or angle-bracket target that is shielded
PRIVATE_USE = ((0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD))

# Order matters: code first (it may contain anything), then link targets, then the rest.
PROTECTED = re.compile(
    rf"""
    (?P<code>(?<!`)(?P<ticks>`+)(?!`).{{1,{MAX_SPAN}}}?(?<!`)(?P=ticks)(?!`))  # inline code
    | (?P<target>\]\((?:<[^>\n]{{0,{MAX_SPAN}}}>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)
       (?:\s+"[^"\n]{{0,{MAX_SPAN}}}")?\))      # a link's or image's (target "title")
    | (?P<ref>\[\^[^\]\s]+\])                   # footnote reference
    | (?P<auto><(?:https?|mailto|ftp):[^>\s]+>) # autolink
    | (?P<tag></?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]{{0,{MAX_SPAN}}})?/?>
       |<!--.{{0,{MAX_SPAN}}}?-->)              # raw HTML tag or comment
    | (?P<url>\b(?:https?://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'"*_~])  # bare URL, ending
                                                # as GFM's do: not in * _ ~ or punctuation
    | (?P<escape>\\[\\`*_{{}}\[\]()#+\-.!<>"'])   # backslash escape
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Shielded:
    """A text with its protected spans swapped out, and the spans by placeholder."""

    text: str
    spans: dict[str, str]

    def is_placeholder(self, char: str) -> bool:
        return char in self.spans

    def unshield(self, text: str) -> str:
        """Put the protected spans back into (a transformed copy of) the shielded text."""
        if not self.spans:
            return text
        return text.translate({ord(char): span for char, span in self.spans.items()})


def free_characters(text: str) -> Iterator[str]:
    """Private-use characters that do not occur in the text, in order."""
    used = set(text)
    for first, last in PRIVATE_USE:
        for code in range(first, last + 1):
            if chr(code) not in used:
                yield chr(code)


def shield(text: str) -> Shielded | None:
    """Replace protected spans by placeholders; None when there are too many to shield."""
    matches = list(PROTECTED.finditer(text))
    if not matches:
        return Shielded(text, {})
    free = free_characters(text)
    spans: dict[str, str] = {}
    pieces, position = [], 0
    for match in matches:
        placeholder = next(free, None)
        if placeholder is None:
            return None
        spans[placeholder] = match.group(0)
        pieces += [text[position : match.start()], placeholder]
        position = match.end()
    pieces.append(text[position:])
    return Shielded("".join(pieces), spans)


class LineCounter:
    """Source lines of ever later offsets in a block, each newline counted once."""

    def __init__(self, block_line: int, text: str) -> None:
        self.line, self.offset, self.text = block_line, 0, text

    def line_at(self, offset: int) -> int:
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = max(self.offset, offset)
        return self.line
