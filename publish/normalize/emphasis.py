"""Emphasis markers the scrape left unbalanced or stray are repaired.

Markers are matched like CommonMark delimiters: a run of `*` followed by a word opens, one
preceded by a word closes. An opener for a marker that is already open is stray (the scrape
closed and reopened italics around a space) and is removed; a closer longer than the open
marker (`branches.**` closing `*`) is shortened; a closer with nothing open is removed; an
opener left open at the start of the paragraph is closed at its end, and any other is removed.
Underscores are left alone: they occur inside words and URLs too often to guess.
"""

import re

from publish.normalize.blocks import VERBATIM, Block
from publish.normalize.inline import shield
from publish.normalize.report import Entry

RUN = re.compile(r"(?<!\\)\*+")


def flanking(text: str, start: int, end: int) -> tuple[bool, bool]:
    """(can open, can close) for the marker run text[start:end]."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    opens = not after.isspace() and (before.isspace() or is_punct(before) or not is_punct(after))
    closes = not before.isspace() and (after.isspace() or is_punct(after) or not is_punct(before))
    return opens, closes


def is_punct(char: str) -> bool:
    return not (char.isalnum() or char.isspace())


def balance(text: str) -> tuple[str, list[str]]:
    """Balanced emphasis for one paragraph, and a note of each repair."""
    edits: dict[int, tuple[int, str]] = {}  # start -> (length, replacement)
    notes: list[str] = []
    stack: list[tuple[int, str]] = []  # open markers, at most one of each length
    intraword: set[int] = set()
    inside: dict[int, set[str]] = {}  # opener's start -> markers of the pairs closed inside it
    for match in RUN.finditer(text):
        run, start, end = match.group(0), match.start(), match.end()
        if len(run) > 3:
            continue
        opens, closes = flanking(text, start, end)
        open_runs = [marker for _, marker in stack]
        if closes and stack and (not opens or run in open_runs):
            close_into(stack, run, start, inside, edits, notes)
        elif opens and run in open_runs:
            edits[start] = (len(run), "")
            notes.append(f"removed a stray {run!r} inside emphasis")
        elif opens:
            stack.append((start, run))
            if closes:
                intraword.add(start)
        elif closes:
            edits[start] = (len(run), "")
            notes.append(f"removed a closing {run!r} with nothing open")
    for start, run in stack:
        if start == first_marker(text):
            edits[len(text.rstrip())] = (0, run)
            notes.append(f"closed the {run!r} opened at the paragraph's start")
        elif start not in intraword:
            edits[start] = (len(run), "")
            notes.append(f"removed an unclosed {run!r}")
    return apply(text, edits), notes


def close_into(
    stack: list[tuple[int, str]],
    run: str,
    start: int,
    inside: dict[int, set[str]],
    edits: dict,
    notes: list,
) -> None:
    """Close an open marker with this run; markers opened inside it and left open are removed.

    A run too short for its opener (`**word*`) shortens the opener, unless that would nest
    the same marker inside itself (`**a *b* c*`): then both are removed, which is stable.
    """
    if run in [marker for _, marker in stack]:
        while stack[-1][1] != run:
            inner_start, inner = stack.pop()
            edits[inner_start] = (len(inner), "")
            notes.append(f"removed an unclosed {inner!r}")
            hand_over(stack, inside, inner_start, set())
        opener, _ = stack.pop()
        hand_over(stack, inside, opener, {run})
        return
    opener, marker = stack.pop()
    if len(run) > len(marker):
        edits[start] = (len(run), marker)
        notes.append(f"shortened closing {run!r} to {marker!r}")
        hand_over(stack, inside, opener, {marker})
    elif run in inside.get(opener, ()):
        edits[opener] = (len(marker), "")
        edits[start] = (len(run), "")
        notes.append(f"removed a mismatched {marker!r} … {run!r} pair")
        hand_over(stack, inside, opener, set())
    else:
        edits[opener] = (len(marker), run)
        notes.append(f"shortened opening {marker!r} to {run!r}")
        hand_over(stack, inside, opener, {run})


def hand_over(
    stack: list[tuple[int, str]], inside: dict[int, set[str]], opener: int, closed: set[str]
) -> None:
    """An opener leaves the stack: what closed inside it (and its own pair) is inside the next."""
    nested = inside.pop(opener, set()) | closed
    if stack and nested:
        inside.setdefault(stack[-1][0], set()).update(nested)


def first_marker(text: str) -> int:
    stripped = len(text) - len(text.lstrip())
    return stripped if text[stripped : stripped + 1] == "*" else -1


def apply(text: str, edits: dict[int, tuple[int, str]]) -> str:
    """The text with each edit made, in one pass."""
    pieces, position = [], 0
    for start in sorted(edits):
        length, replacement = edits[start]
        pieces += [text[position:start], replacement]
        position = start + length
    pieces.append(text[position:])
    return "".join(pieces)


def run(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Balance the emphasis of every prose block."""
    result, entries = [], []
    for block in blocks:
        if block.kind in VERBATIM or block.kind == "quote":
            result.append(block)
            continue
        protected = shield(block.text)
        if protected is None:
            result.append(block)  # too many code spans and URLs to tell prose from
            continue
        fixed, notes = balance(protected.text)
        entries += [Entry("e-repaired", block.line, note) for note in notes]
        result.append(block.with_text(protected.unshield(fixed)) if notes else block)
    return result, meta, entries
