"""Block quotations that a scrape flattened into ordinary paragraphs.

A lead-in is a paragraph that ends with a colon. The paragraph after it is a quotation when
it starts in lowercase (the sentence runs on into the quote), is wholly in italics, or the
lead-in names an act of speech or writing ("as Draper wrote:"). Italic paragraphs that
follow continue it. A later lead-in of continuation ("McNally continues:") shows that the
plain paragraphs before it were quoted too. Otherwise, where the quotation ends is unknown:
only what is certain is quoted, and the following paragraphs are reported for an editor,
who marks them with `>` in the source if they belong to it. Explicit `>` is never undone.
"""

import re
from dataclasses import replace

from publish.normalize.blocks import Block, renumber
from publish.normalize.report import Entry

SPEECH = re.compile(
    r"\b(?:wr[io]tes?|written|says?|said|puts? it|argue[sd]?|explain(?:s|ed)?|note[sd]?|"
    r"observe[sd]?|continue[sd]?|add(?:s|ed)?|state[sd]?|declare[sd]?|remark(?:s|ed)?|"
    r"conclude[sd]?|insist(?:s|ed)?|tells?|told|recall(?:s|ed)?|warn(?:s|ed)?|asks?|asked|"
    r"according to|in (?:his|her|their) words|goes on|went on)\b",
    re.I,
)
CONTINUATION = re.compile(
    r"\b(?:continue[sd]?|goes on|went on|add(?:s|ed)?|later|further)\b[^.]{0,40}:\s*$", re.I
)
MAX_DOUBTFUL = 3


def is_lead_in(block: Block) -> bool:
    return block.kind == "para" and not block.quote and strip_marks(block.text).endswith(":")


def is_italic(block: Block) -> bool:
    """Wholly in italics: opens with one marker and closes with one."""
    text = block.text.strip()
    return (
        block.kind == "para"
        and bool(re.match(r"^[*_](?![*_\s])", text))
        and bool(re.search(r"(?<![\s\\])[*_]+$", text))
    )


def strip_marks(text: str) -> str:
    return re.sub(r"[*_\s]+$", "", text.strip())


def opens_quote(lead_in: Block, block: Block) -> bool:
    """Does the paragraph after a lead-in begin a quotation?"""
    if block.kind != "para" or block.quote:
        return False
    first = re.sub(r"^[\"'“‘*_…. ]+", "", block.text)
    return first[:1].islower() or is_italic(block) or bool(SPEECH.search(lead_in.text))


def run(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Quote what is certainly quoted; report where a quotation's end is in doubt."""
    blocks = list(blocks)
    entries: list[Entry] = []
    group = max((b.quote for b in blocks), default=0)
    index = 0
    while index < len(blocks) - 1:
        if not (is_lead_in(blocks[index]) and opens_quote(blocks[index], blocks[index + 1])):
            index += 1
            continue
        start = index + 1
        end = quoted_end(blocks, start)
        group += 1
        # An editor's '>' on the paragraph after the quotation extends this quotation.
        number = blocks[end].quote if end < len(blocks) and blocks[end].quote else group
        for position in range(start, end):
            blocks[position] = replace(blocks[position], quote=number)
        lines = ", ".join(str(b.line) for b in blocks[start:end])
        entries.append(Entry("q-quoted", blocks[start].line, f"block quotation (lines {lines})"))
        entries += doubtful(blocks, start, end)
        index = end
    return renumber(blocks), meta, entries


def quoted_end(blocks: list[Block], start: int) -> int:
    """One past the last paragraph that certainly belongs to the quotation opened at start."""
    end = start + 1
    while end < len(blocks) and is_italic(blocks[end]) and not blocks[end].quote:
        end += 1
    if is_italic(blocks[start]):
        return end
    following = end
    while following < len(blocks) and plain_para(blocks[following]):
        if is_lead_in(blocks[following]):
            if CONTINUATION.search(blocks[following].text):
                return following
            break
        following += 1
    return end


def plain_para(block: Block) -> bool:
    return block.kind == "para" and not block.quote


def doubtful(blocks: list[Block], start: int, end: int) -> list[Entry]:
    """Report the paragraphs after a non-italic quotation that may still belong to it."""
    if is_italic(blocks[start]):
        return []
    candidates = []
    for block in blocks[end : end + MAX_DOUBTFUL]:
        if not plain_para(block) or is_lead_in(block):
            break
        candidates.append(block)
    return [
        Entry(
            "q-end-unknown",
            block.line,
            f"may continue the quotation that starts at line {blocks[start].line}; "
            "if it does, start the paragraph with '> ' in the source",
            doubt=True,
        )
        for block in candidates
    ]
