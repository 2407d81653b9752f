"""Footnote definitions that nothing calls.

Python-Markdown drops a definition whose label is never called (or called only from its own
text), so its words would reach no output. Such a definition stays where it stands as a plain
paragraph (its opening bracket escaped, so it reads "[^1]: …") and is reported, so an editor
can put the call back.
"""

import re
from dataclasses import replace

from publish.normalize.blocks import VERBATIM, Block, split_blocks
from publish.normalize.report import Entry

CALL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
DEFINITION = re.compile(r"\[\^([^\]\s]+)\]:")
# A definition at the start of any line of a block, inside quotation marks too: Python-Markdown
# looks for its footnote pattern line by line.
INNER_DEFINITION = re.compile(r"^((?: {0,3}> ?)* {0,3})\[\^([^\]\s]+)\]:", re.MULTILINE)


def run(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Keep uncalled footnote definitions as text, with a doubt for each."""
    called = {label for block in blocks if block.kind not in VERBATIM for label in calls(block)}
    out: list[Block] = []
    entries: list[Entry] = []
    waiting = list(reversed(blocks))
    while waiting:
        block = waiting.pop()
        if block.kind not in VERBATIM and block.kind != "footnote":
            block, labels = escaped_inside(block, called)
            entries += [uncalled(label, block.line) for label in labels]
        label = DEFINITION.match(block.text) if block.kind == "footnote" else None
        if not label or label.group(1) in called:
            out.append(block)
            continue
        # As text, its lines may fall into other blocks (a heading line, another uncalled
        # definition), as they will when the canonical Markdown is read again.
        kept = split_blocks("\\" + block.text, block.line)
        waiting += [Block(part.text, part.line, part.kind, block.quote) for part in reversed(kept)]
        entries.append(uncalled(label.group(1), block.line))
    return out, meta, entries


def calls(block: Block) -> set[str]:
    """The labels a block calls. Python-Markdown reads a definition's lines, up to the next
    definition or the block's end, as the note's text: a call there to the note itself calls
    nothing, and the definition's words would be lost in a note no text refers to."""
    text = block.text
    starts = [(match.start(), match.group(2)) for match in INNER_DEFINITION.finditer(text)]
    found = set(CALL.findall(text[: starts[0][0]] if starts else text))
    ends = [start for start, _ in starts[1:]] + [len(text)]  # one more when there are none
    for (start, label), end in zip(starts, ends, strict=False):
        found |= set(CALL.findall(text[start:end])) - {label}
    return found


def escaped_inside(block: Block, called: set[str]) -> tuple[Block, list[str]]:
    """A block with uncalled definitions on its lines kept as text: Python-Markdown takes
    such a line for a definition wherever it stands in a block."""
    labels: list[str] = []

    def escape(match: re.Match) -> str:
        if match.group(2) in called:
            return match.group(0)
        labels.append(match.group(2))
        return f"{match.group(1)}\\[^{match.group(2)}]:"

    text = INNER_DEFINITION.sub(escape, block.text)
    return (replace(block, text=text) if labels else block), labels


def uncalled(label: str, line: int) -> Entry:
    message = (
        f"note [^{label}] is never called; kept as text: put [^{label}] "
        "where the note belongs in the text"
    )
    return Entry("n-uncalled", line, message, doubt=True)
