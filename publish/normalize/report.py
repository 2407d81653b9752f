"""Report entries: what a pass changed, or what it doubts and leaves for an editor.

A person reads the report summary first: how many repairs, how many places need them, then
each doubt with the words it is about and what to do. Repairs are listed on request.
"""

import shlex
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from publish.normalize.blocks import Block

QUOTE_LENGTH = 60
# What to do about a doubt whose message does not say it.
ADVICE = {
    "m-no-title": "add a '# Title' line at the top, or 'title:' in the front matter",
    "x-picture": "replace the picture with a PNG or JPEG if it matters",
    "x-note-uncalled": "put its call [^n] where the note belongs, or delete it",
}


@dataclass(frozen=True)
class Entry:
    """One line of the normalization report.

    Codes are stable and greppable: c- characters, m- metadata, l- links, n- notes,
    p- paragraphs, q- quotations, s- source and site furniture, e- emphasis, t- typography,
    x- document readers.
    """

    code: str
    line: int
    message: str
    doubt: bool = False
    quote: str = ""  # the words at issue, about QUOTE_LENGTH characters

    def format(self, path: str) -> str:
        """`path:line: code: message`, marked when it needs a human."""
        kind = "doubt" if self.doubt else "changed"
        return f"{path}:{self.line}: {kind} [{self.code}] {self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @property
    def advice(self) -> str:
        """The message, with what to do when the message does not say it."""
        extra = ADVICE.get(self.code)
        return f"{self.message}; {extra}" if extra else self.message


def placed(entries: list["Entry"], body: str, first_line: int) -> list["Entry"]:
    """Entries quoting the words of the source line they are about."""
    source_lines = body.split("\n")
    quoted = []
    for entry in entries:
        index = entry.line - first_line
        quote = source_lines[index] if 0 <= index < len(source_lines) else ""
        quoted.append(replace(entry, quote=shortened(quote)))
    return quoted


def in_canonical(
    entries: list["Entry"], blocks: list["Block"], canonical: str, body_start: int
) -> list["Entry"]:
    """Entries moved to the canonical line of the last block that starts at or before them."""
    starts = block_lines(blocks, canonical, body_start)
    moved = []
    for entry in entries:
        before = [line for block_line, line in starts if block_line <= entry.line]
        moved.append(replace(entry, line=before[-1] if before else 1))
    return moved


def block_lines(blocks: list["Block"], canonical: str, cursor: int) -> list[tuple[int, int]]:
    """(source line, canonical line) of each block, found in order in the canonical text."""
    found = []
    for block in blocks:
        first = block.text.split("\n", 1)[0].strip()
        at = canonical.find(first, cursor) if first else -1
        if at >= 0:
            found.append((block.line, canonical.count("\n", 0, at) + 1))
            cursor = at + len(first)
    return found


def shortened(text: str) -> str:
    """A line cut at a word to about QUOTE_LENGTH characters, without Markdown's markers."""
    words = " ".join(text.lstrip("#> ").split())
    if len(words) <= QUOTE_LENGTH:
        return words
    cut = words[:QUOTE_LENGTH].rsplit(" ", 1)[0]
    return f"{cut}…"


def quoted(entry: Entry) -> str:
    return f" in “{entry.quote}”" if entry.quote else ""


def counted(number: int, noun: str, plural: str) -> str:
    return f"{number} {noun if number == 1 else plural}"


def as_text(
    entries: list[Entry], source: Path, output: Path | None, canonical_lines: bool, full: bool
) -> str:
    """The report for a person: summary, the doubts with what to do, repairs when asked."""
    doubts = [entry for entry in entries if entry.doubt]
    repairs = [entry for entry in entries if not entry.doubt]
    where = "the canonical Markdown" if canonical_lines else str(source)
    lines = [
        f"{source}: {counted(len(repairs), 'repair', 'repairs')}, "
        f"{counted(len(doubts), 'place that needs you', 'places that need you')}.",
        f"Line numbers refer to {where}."
        if doubts or full
        else "Nothing needs you." + ("" if full else " --report full lists the repairs."),
    ]
    for entry in doubts:
        lines.append("")
        lines.append(
            f"line {entry.line}: “{entry.quote}”" if entry.quote else f"line {entry.line}:"
        )
        lines.append(f"  {entry.advice}")
    if full and repairs:
        lines += ["", "Repairs:"]
        lines += [
            f"  line {entry.line}: [{entry.code}] {entry.message}{quoted(entry)}"
            for entry in repairs
        ]
    elif repairs and doubts:
        lines += ["", "--report full lists the repairs as well."]
    if canonical_lines and doubts:
        target = output or source.with_suffix(".md")
        command = f"publish normalize {shlex.quote(str(source))} -o {shlex.quote(str(target))}"
        build = f"publish build {shlex.quote(str(target))}"
        lines += ["", "Fix these in the canonical Markdown and build from it:"]
        lines += [f"  {command}", f"  {build}"]
    return "\n".join(lines) + "\n"
