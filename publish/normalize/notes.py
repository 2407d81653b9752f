"""Footnote definitions that nothing calls.

Python-Markdown drops a definition whose label is never called, so its words would reach no
output. Such a definition stays where it stands as a plain paragraph (its opening bracket
escaped, so it reads "[^1]: …") and is reported, so an editor can put the call back.
"""

import re

from publish.normalize.blocks import VERBATIM, Block, split_blocks
from publish.normalize.report import Entry

CALL = re.compile(r"\[\^([^\]\s]+)\](?!:)")
DEFINITION = re.compile(r"\[\^([^\]\s]+)\]:")


def run(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Keep uncalled footnote definitions as text, with a doubt for each."""
    called = {
        label
        for block in blocks
        if block.kind not in VERBATIM
        for label in CALL.findall(block.text)
    }
    out: list[Block] = []
    entries: list[Entry] = []
    waiting = list(reversed(blocks))
    while waiting:
        block = waiting.pop()
        label = DEFINITION.match(block.text) if block.kind == "footnote" else None
        if not label or label.group(1) in called:
            out.append(block)
            continue
        # As text, its lines may fall into other blocks (a heading line, another uncalled
        # definition), as they will when the canonical Markdown is read again.
        kept = split_blocks("\\" + block.text, block.line)
        waiting += [Block(part.text, part.line, part.kind, block.quote) for part in reversed(kept)]
        message = (
            f"note [^{label.group(1)}] is never called; kept as text: put [^{label.group(1)}] "
            "where the note belongs in the text"
        )
        entries.append(Entry("n-uncalled", block.line, message, doubt=True))
    return out, meta, entries
