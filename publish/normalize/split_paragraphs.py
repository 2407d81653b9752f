"""Paragraphs the scrape split mid-sentence are joined again.

A paragraph that ends without terminal punctuation, followed by one that starts in
lowercase, is one paragraph. A closing emphasis marker at the break (`that*` / `task.`)
moves to the end of the joined text, so the emphasis still covers the whole sentence.
"""

import re

from publish.normalize.blocks import Block
from publish.normalize.report import Entry

TRAILING_MARKS = re.compile(r"(?<!\\)([*_]+)$")
# A sentence ends in . ! ? : ; or an ellipsis, perhaps followed by closing quotes/brackets.
TERMINAL = re.compile(r"[.!?:;…][\"'”’»)\]]*$")
LEADING = re.compile(r"^[\"'“‘«(\[*_]*")


def ends_open(text: str) -> bool:
    """True when the text stops mid-sentence."""
    bare = TRAILING_MARKS.sub("", text.rstrip()).rstrip()
    return bool(bare) and not TERMINAL.search(bare) and not bare.endswith(("|", "\\"))


def starts_lowercase(text: str) -> bool:
    first = LEADING.sub("", text.lstrip())
    return first[:1].islower()


def joinable(first: Block, second: Block) -> bool:
    return (
        first.kind == "para"
        and second.kind == "para"
        and first.quote == second.quote
        and ends_open(first.text)
        and starts_lowercase(second.text)
    )


def join(first: str, second: str) -> str:
    """Join two halves of a sentence, carrying a closing marker over the break."""
    first, second = first.rstrip(), second.strip()
    marks = TRAILING_MARKS.search(first)
    if marks and second.startswith(marks.group(1)):
        # `*…landlord*` / `*alone.*`: one emphasis the scrape closed and reopened.
        return f"{first[: marks.start()].rstrip()} {second[len(marks.group(1)) :]}"
    if marks and (first.count(marks.group(1)[0]) % 2 == 0):
        first = first[: marks.start()].rstrip()
        return f"{first} {second}{marks.group(1)}"
    return f"{first} {second}"


def run(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Join every paragraph that a scrape split in the middle of a sentence."""
    result: list[Block] = []
    entries = []
    for block in blocks:
        if result and joinable(result[-1], block):
            previous = result.pop()
            entries.append(
                Entry("p-joined", block.line, f"joined to the paragraph at line {previous.line}")
            )
            block = previous.with_text(join(previous.text, block.text))
        result.append(block)
    return result, meta, entries
