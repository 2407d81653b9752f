"""Paragraphs the scrape split mid-sentence are joined again.

A paragraph that ends without terminal punctuation, followed by one that starts in
lowercase, is one paragraph. A closing emphasis marker at the break (`that*` / `task.`)
moves to the end of the joined text, so the emphasis still covers the whole sentence.

A run of halves is joined as a list of pieces and written out once, and every test looks
only at the last piece, so the pass takes time linear in the text however many it joins.
"""

import re

from publish.normalize.blocks import Block
from publish.normalize.report import Entry

# Only asterisks are carried over a break: an underscore after a word is as often part of it
# (snake_case, a handle) as it closes emphasis, and moving it changes two words (the emphasis
# pass leaves underscores alone for the same reason).
MARKS = "*"
TERMINAL = frozenset(".!?:;…")  # a sentence ends here, perhaps before closing quotes
CLOSERS = "\"'”’»)]"
LEADING = re.compile(r"^[\"'“‘«(\[*_]*")


def trailing_marks(text: str) -> str:
    """The run of emphasis markers that ends the text, without an escaped first one."""
    run = text[len(text.rstrip(MARKS)) :]
    if run and text[: len(text) - len(run)].endswith("\\"):
        run = run[1:]
    return run


def ends_open(text: str) -> bool:
    """True when the text stops mid-sentence."""
    stripped = text.rstrip()
    bare = stripped[: len(stripped) - len(trailing_marks(stripped))].rstrip()
    return (
        bool(bare) and bare.rstrip(CLOSERS)[-1:] not in TERMINAL and not bare.endswith(("|", "\\"))
    )


def starts_lowercase(text: str) -> bool:
    first = LEADING.sub("", text.lstrip(), count=1)
    return first[:1].islower()


def marks_in(text: str) -> dict[str, int]:
    return {mark: text.count(mark) for mark in MARKS}


class Joined:
    """A paragraph being joined: its pieces, and how many of each marker they hold."""

    def __init__(self, block: Block) -> None:
        self.block = block
        self.pieces = [block.text]
        self.marks = marks_in(block.text)

    def accepts(self, block: Block) -> bool:
        # The last piece always holds a letter, so it alone decides where the text ends.
        return (
            self.block.kind == "para"
            and block.kind == "para"
            and self.block.quote == block.quote
            and ends_open(self.pieces[-1])
            and starts_lowercase(block.text)
        )

    def add(self, text: str) -> None:
        """Join the next half of the sentence, carrying a closing marker over the break."""
        last, second = self.pieces[-1].rstrip(), text.strip()
        marks = trailing_marks(last)
        if marks and second.startswith(marks):
            # `*…landlord*` / `*alone.*`: one emphasis the scrape closed and reopened.
            self.replace_last(last[: len(last) - len(marks)].rstrip())
            self.append(" " + second[len(marks) :])
        elif marks and self.marks[marks[0]] % 2 == 0:
            self.replace_last(last[: len(last) - len(marks)].rstrip())
            self.append(f" {second}{marks}")
        else:
            self.replace_last(last)
            self.append(" " + second)

    def replace_last(self, text: str) -> None:
        for mark, count in marks_in(text).items():
            self.marks[mark] += count - self.pieces[-1].count(mark)
        self.pieces[-1] = text

    def append(self, text: str) -> None:
        for mark, count in marks_in(text).items():
            self.marks[mark] += count
        self.pieces.append(text)

    def result(self) -> Block:
        if len(self.pieces) == 1:
            return self.block
        return self.block.with_text("".join(self.pieces))


def run(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Join every paragraph that a scrape split in the middle of a sentence."""
    result: list[Block] = []
    entries = []
    current: Joined | None = None
    for block in blocks:
        if current is not None and current.accepts(block):
            entries.append(
                Entry(
                    "p-joined", block.line, f"joined to the paragraph at line {current.block.line}"
                )
            )
            current.add(block.text)
            continue
        if current is not None:
            result.append(current.result())
        current = Joined(block)
    if current is not None:
        result.append(current.result())
    return result, meta, entries
