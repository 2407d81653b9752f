"""Shield the parts of a Markdown line that are not prose (URLs, code, HTML) from the passes.

`shield()` swaps each such span for one private-use character and `unshield()` puts it back,
so that typographic rules see prose and one opaque "word" where a URL or code span was.
"""

import re

PRIVATE_BASE = 0xE000

# Order matters: code first (it may contain anything), then link targets, then the rest.
PROTECTED = re.compile(
    r"""
    (?P<code>(?P<ticks>`+).+?(?P=ticks))        # inline code
    | (?P<target>\]\((?:<[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+"[^"\n]*")?\))
                                                # a link's or image's (target "title")
    | (?P<ref>\[\^[^\]\s]+\])                   # footnote reference
    | (?P<auto><(?:https?|mailto|ftp):[^>\s]+>) # autolink
    | (?P<tag></?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->)  # raw HTML tag
    | (?P<url>\b(?:https?://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'"])  # bare URL
    | (?P<escape>\\[\\`*_{}\[\]()#+\-.!<>"'])   # backslash escape
    """,
    re.VERBOSE | re.DOTALL,
)


def shield(text: str) -> tuple[str, list[str]]:
    """Replace protected spans by private-use placeholders; return text and the spans."""
    spans: list[str] = []

    def swap(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return chr(PRIVATE_BASE + len(spans) - 1)

    return PROTECTED.sub(swap, text), spans


def unshield(text: str, spans: list[str]) -> str:
    """Put the protected spans back."""
    if not spans:
        return text
    pattern = re.compile(f"[{chr(PRIVATE_BASE)}-{chr(PRIVATE_BASE + len(spans) - 1)}]")
    return pattern.sub(lambda match: spans[ord(match.group(0)) - PRIVATE_BASE], text)


def is_placeholder(char: str) -> bool:
    return PRIVATE_BASE <= ord(char) < PRIVATE_BASE + 4096


def line_of(block_line: int, text: str, offset: int) -> int:
    """Source line of a character offset inside a block that starts at `block_line`."""
    return block_line + text.count("\n", 0, offset)
