"""The body as a list of blocks (paragraphs, headings, quotes, lists, code), each with its line.

Passes work on blocks rather than raw text so that every report entry can name the line of
the source it is about, however much earlier passes joined or moved.
"""

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
LIST_ITEM = re.compile(r"^ {0,3}([-*+]|\d{1,9}[.)])\s+\S")
RULE = re.compile(r"^ {0,3}([-*_])(\s*\1){2,}\s*$")
FOOTNOTE_DEF = re.compile(r"^\[\^[^\]\s]+\]:")
LINK_DEF = re.compile(r"^ {0,3}\[[^\]^][^\]]*\]:\s*\S")
HTML_BLOCK = re.compile(r"^ {0,3}<(/?[a-zA-Z][a-zA-Z0-9-]*[\s/>]|!--)")
TABLE = re.compile(r"^ {0,3}\|")

EMPTIED = re.compile(r"\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)]|#{1,6})?\s*")
QUOTE_MARKERS = re.compile(r"^(?: {0,3}>)+ ?")
MAX_QUOTE_DEPTH = 3  # deeper quotations join the third level, as the renderers do

# Kinds whose text the typographic and structural passes leave exactly as written.
VERBATIM = frozenset({"code", "html", "rule", "linkdef", "table"})


@dataclass(frozen=True)
class Block:
    """One block of the body: its Markdown text, kind, source line, and quotation group."""

    text: str
    line: int
    kind: str = "para"  # para, heading, list, quote, code, html, rule, footnote, linkdef, table
    quote: int = 0  # blocks sharing a non-zero number form one block quote

    def with_text(self, text: str) -> "Block":
        return self if text == self.text else Block(text, self.line, self.kind, self.quote)


def classify(first_line: str) -> str:
    """The kind of block that starts with this line."""
    checks = (
        (FENCE, "code"),
        (HEADING, "heading"),
        (RULE, "rule"),
        (LIST_ITEM, "list"),
        (FOOTNOTE_DEF, "footnote"),
        (LINK_DEF, "linkdef"),
        (HTML_BLOCK, "html"),
        (TABLE, "table"),
    )
    if first_line.startswith(">") or first_line.startswith(" >"):
        return "quote"
    if first_line.startswith("    "):
        return "code"
    for pattern, kind in checks:
        if pattern.match(first_line):
            return kind
    return "para"


def split_blocks(text: str, first_line: int = 1) -> list[Block]:
    """Split Markdown into blocks at blank lines, keeping fences and quotes whole."""
    lines = text.split("\n")
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        start = index
        kind = classify(lines[index])
        if kind == "code" and FENCE.match(lines[index]):
            index = fence_end(lines, index)
        elif kind == "heading":
            index += 1
        elif kind == "quote":
            while index < len(lines) and lines[index].strip():
                index += 1
        else:
            index += 1
            while (
                index < len(lines)
                and lines[index].strip()
                and not starts_new_block(lines[index], kind)
            ):
                index += 1
        chunk = "\n".join(lines[start:index])
        blocks.extend(make_blocks(chunk, kind, first_line + start))
    return number_quotes(blocks)


def fence_end(lines: list[str], start: int) -> int:
    """Index just past the fence that closes the one opened at `start`."""
    marker = FENCE.match(lines[start]).group(1)
    for index in range(start + 1, len(lines)):
        if lines[index].strip().startswith(marker[0] * len(marker)):
            return index + 1
    return len(lines)


def starts_new_block(line: str, kind: str) -> bool:
    """A heading or fence interrupts a paragraph; setext underlines do not."""
    if kind in ("list", "footnote", "code", "html", "table", "linkdef"):
        return False
    return bool(HEADING.match(line) or FENCE.match(line))


def make_blocks(chunk: str, kind: str, line: int) -> list[Block]:
    """Turn a chunk into blocks: setext headings become ATX, quotes are opened up."""
    if kind == "para":
        chunk_lines = chunk.split("\n")
        if len(chunk_lines) == 2 and SETEXT.match(chunk_lines[1]):
            level = "#" if chunk_lines[1].strip().startswith("=") else "##"
            return [Block(f"{level} {chunk_lines[0].strip()}", line, "heading")]
    if kind == "heading":
        return [Block(chunk.strip(), line, "heading")]
    if kind not in ("code", "html"):
        chunk = "\n".join(cap_depth(part) for part in chunk.split("\n"))
    if kind == "quote":
        inner = "\n".join(re.sub(r"^ ?> ?", "", part) for part in chunk.split("\n"))
        return [replace(block, quote=-1) for block in split_blocks_flat(inner, line)]
    return [Block(chunk, line, kind)]


def split_blocks_flat(text: str, first_line: int) -> list[Block]:
    """Blocks inside a quotation: nested quotations stay raw, as one verbatim block."""
    blocks = []
    for block in split_blocks(text, first_line):
        if block.quote:
            block = replace(block, kind="quote", quote=0, text=quote_text([block]))
        blocks.append(block)
    return merge_nested(blocks)


def cap_depth(line: str) -> str:
    """A quoted line nested deeper than MAX_QUOTE_DEPTH, brought up to that depth."""
    marker = QUOTE_MARKERS.match(line)
    if marker is None or marker.group(0).count(">") <= MAX_QUOTE_DEPTH:
        return line
    return "> " * MAX_QUOTE_DEPTH + line[marker.end() :]


def deep_quotes(text: str, first_line: int = 1) -> list[int]:
    """Lines where a quotation deeper than MAX_QUOTE_DEPTH starts (cap_depth flattens it)."""
    found, previous, fence = [], False, None
    for number, line in enumerate(text.split("\n"), first_line):
        opening = FENCE.match(line)
        if opening and (fence is None or opening.group(1).startswith(fence)):
            fence = opening.group(1)[:3] if fence is None else None
            continue
        deep = fence is None and cap_depth(line) != line
        if deep and not previous:
            found.append(number)
        previous = deep
    return found


def merge_nested(blocks: list[Block]) -> list[Block]:
    """Adjacent nested-quote blocks become one raw block again."""
    merged: list[Block] = []
    run: list[Block] = []
    for block in [*blocks, None]:
        if block is not None and block.kind == "quote":
            run.append(block)
            continue
        if run:
            pieces = [run[0].text]
            for above, below in itertools.pairwise(run):
                pieces += [separator(above.text, below.text), below.text]
            merged.append(run[0].with_text("\n".join(pieces)))
            run = []
        if block is not None:
            merged.append(block)
    return merged


def separator(above: str, below: str) -> str:
    """The line between two nested quotations: at the deepest level both share, as reading
    the text back puts it (`> > a`, `> >`, `> > b`)."""
    depth = min(quote_depth(above.rsplit("\n", 1)[-1]), quote_depth(below.split("\n", 1)[0]))
    return "> " * (max(depth, 1) - 1) + ">"


def quote_depth(line: str) -> int:
    marker = QUOTE_MARKERS.match(line)
    return marker.group(0).count(">") if marker else 0


def number_quotes(blocks: list[Block]) -> list[Block]:
    """Give each run of quoted blocks (marked -1) its own group number."""
    numbered, group, previous = [], 0, False
    for block in blocks:
        if block.quote == -1:
            if not previous:
                group += 1
            numbered.append(replace(block, quote=group))
            previous = True
        else:
            numbered.append(block)
            previous = False
    return numbered


def quote_text(blocks: list[Block]) -> str:
    """Blocks written as one Markdown block quote."""
    parts = ["\n".join(f"> {line}" if line else ">" for line in b.text.split("\n")) for b in blocks]
    return "\n>\n".join(parts)


def join_blocks(blocks: list[Block]) -> str:
    """Write blocks back as Markdown; quoted blocks side by side become one block quote
    (reading the text back makes them one quotation, whatever groups they were in)."""
    out: list[str] = []
    for run in quote_runs(blocks):
        # Nested quotations side by side are one, as reading the text back makes them.
        out.append(quote_text(merge_nested(run)) if run[0].quote else run[0].text)
    return "\n\n".join(out) + "\n" if out else ""


def read_back(blocks: list[Block]) -> list[Block]:
    """The blocks as reading the written text back splits it: nested quotations side by side
    are one block."""
    return [
        block
        for run in quote_runs(blocks)
        for block in (merge_nested(run) if run[0].quote else run)
    ]


def quote_runs(blocks: list[Block]) -> Iterator[list[Block]]:
    """Quoted blocks side by side as one run; every other block alone."""
    index = 0
    while index < len(blocks):
        end = index + 1
        if blocks[index].quote:
            while end < len(blocks) and blocks[end].quote:
                end += 1
        yield blocks[index:end]
        index = end


def regroup(blocks: list[Block]) -> list[Block]:
    """Quoted blocks side by side in one group, as reading the text back puts them."""
    return number_quotes([replace(b, quote=-1) if b.quote else b for b in blocks])


def renumber(blocks: list[Block]) -> list[Block]:
    """Group numbers in order of appearance, so new quotations get fresh ones."""
    mapping: dict[int, int] = {}
    result = []
    for block in blocks:
        if block.quote:
            mapping.setdefault(block.quote, len(mapping) + 1)
            block = replace(block, quote=mapping[block.quote])
        result.append(block)
    return result


def reread(block: Block, text: str) -> list[Block]:
    """A paragraph with the text a pass left, as reading that text back will split it: once
    a pass empties a paragraph's first lines, the next one may open another kind of block (a
    lone `>` is an empty quotation, which reading drops)."""
    if block.kind != "para" or block.quote or classify(text.split("\n", 1)[0]) == "para":
        return [block.with_text(text)]
    return split_blocks(text, block.line)


def without_emptied_lines(before: str, after: str) -> str:
    """A line a pass emptied (of an empty link `- [](#)`, a forbidden character) goes, leaving
    no blank line, empty list item or heading behind; `after` has the lines of `before`."""
    kept = [
        new.rstrip()
        for old, new in zip(before.split("\n"), after.split("\n"), strict=True)
        if new == old or not EMPTIED.fullmatch(new)
    ]
    return "\n".join(kept).strip("\n")
