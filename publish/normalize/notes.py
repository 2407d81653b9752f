"""Footnote definitions that nothing calls.

Python-Markdown drops a definition whose label is never called, so its words would reach no
output. Such a definition stays where it stands as a plain paragraph (its opening bracket
escaped, so it reads "[^1]: …") and is reported, so an editor can put the call back.
"""

import re

from publish.normalize.blocks import VERBATIM, Block
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
    for block in blocks:
        label = DEFINITION.match(block.text) if block.kind == "footnote" else None
        if label and label.group(1) not in called:
            out.append(Block("\\" + block.text, block.line, "para", block.quote))
            message = (
                f"note [^{label.group(1)}] is never called; kept as text: put [^{label.group(1)}] "
                "where the note belongs in the text"
            )
            entries.append(Entry("n-uncalled", block.line, message, doubt=True))
        else:
            out.append(block)
    return out, meta, entries
