"""Text lines of PDF pages to Markdown: what the page layout says about the text.

In this order, each step reported:
- running heads and folios, the lines at the top or foot of most pages that read the same but
  for their numbers, are removed;
- footnotes, the smaller lines at a page's foot that start with a number, become `[^n]` notes,
  called where a superscript number in that page's text matches them;
- a page with a gutter that no line crosses is read column by column (lines crossing it, such
  as a title or the notes, are read where they stand);
- blocks are rebuilt from positions: larger text is a heading (the largest on the first page
  the title), lines starting with a bullet or a number are list items, lines indented well in
  from the column's edge are a quotation, and a paragraph ends at a wider gap, a first-line
  indent, or a short line ending a sentence;
- a hyphen at a line end is read by `publish.sources.hyphenation`;
- italic and bold runs (from the fonts) become `*` and `**`, except in headings, and text
  under a web or mail link annotation becomes `[text](url)`.
"""

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

from publish.normalize import language
from publish.normalize.report import Entry
from publish.sources import hyphenation
from publish.sources.html import escape, escape_line_starts, url_for_markdown

CALL_OPEN, CALL_CLOSE = "\ue000", "\ue001"  # around a superscript number in a line's text
CALL = re.compile(f"{CALL_OPEN}(\\d+){CALL_CLOSE}")
# Around italic and bold runs in a line's marked text; written as * and ** once escaped.
ITALIC_OPEN, ITALIC_CLOSE, BOLD_OPEN, BOLD_CLOSE = "\ue002", "\ue003", "\ue004", "\ue005"
EMPHASIS_MARKS = re.compile("[\ue002-\ue005]+")
EMPHASIS_MARKDOWN = {ITALIC_OPEN: "*", ITALIC_CLOSE: "*", BOLD_OPEN: "**", BOLD_CLOSE: "**"}
# Around a link's text, its URL hex-encoded in the closing mark so escaping leaves it alone.
LINK_OPEN, LINK_CLOSE, LINK_END = "\ue006", "\ue007", "\ue008"
LINK = re.compile("\ue006(.*?)\ue007([0-9a-f]*)\ue008", re.DOTALL)
MARKS = re.compile("[\ue002-\ue006]|\ue007[0-9a-f]*\ue008")
# A link that closes and opens again on the same URL is one link.
RELINKED = re.compile("\ue007([0-9a-f]*)\ue008(\\s*)\ue006(?=[^\ue007]*\ue007\\1\ue008)")
# A run that closes and opens again across spaces (or nothing) is one run.
REOPENED = re.compile("\ue003(\\s*)\ue002|\ue005(\\s*)\ue004")
EMPTY_RUN = re.compile("\ue002\ue003|\ue004\ue005")
# A note's number at the start of its first line, after any marks that open emphasis.
NOTE_NUMBER = re.compile(f"^([\ue002\ue004]*)\\s*{CALL_OPEN}?\\d{{1,3}}{CALL_CLOSE}?[.)]?\\s*")
NOTE_START = re.compile(f"^\\s*{CALL_OPEN}?(\\d{{1,3}})(?!\\d){CALL_CLOSE}?[.)]?\\s*(?=\\S)")
BULLET = re.compile(r"^\s*([•◦▪‣●○■□–·*-])\s+(?=\S)")
NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s+(?=\S)")
FOLIO = re.compile(r"^(?:[-–— ]*)(?:\d{1,4}|[ivxlcdm]{1,7})(?:[-–— ]*)$", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?:;…\"”’»)]$")
HEADING_SIZE = 1.12  # text this much larger than the body's is a heading
NOTE_SIZE = 0.92  # footnote text is at most this much of the body's size
QUOTE_INDENT = 1.5  # sizes in from the column's edge: a quotation
FIRST_LINE_INDENT = 0.6  # sizes in from the column's edge: a paragraph's first line
SHORT_LINE = 2.5  # sizes short of the column's right edge: a paragraph's last line
PARAGRAPH_GAP = 1.3  # times the usual line pitch: a gap between paragraphs
MIN_GUTTER = 4.0  # points: the narrowest strip between two columns
FURNITURE_SHARE = 0.25  # a head or folio repeats on at least this share of the pages
FURNITURE_LINES = 2  # lines at the top and at the foot of a page that may be furniture


@dataclass
class Char:
    """One character of a PDF page, with its box, baseline and font."""

    text: str
    x0: float
    x1: float
    y: float  # baseline, measured up from the page's bottom
    size: float
    italic: bool = False
    bold: bool = False
    superscript: bool = False
    link: str | None = None  # the URL of a link annotation over the character


Marking = tuple[str | None, bool, bool]  # a character's link, bold and italic


@dataclass
class Line:
    """A run of characters on one baseline, measured down from the top of its page."""

    page: int
    chars: list[Char]
    x0: float
    x1: float
    y: float
    size: float
    bold: bool = False
    left: float = 0.0  # its column's left and right edges, once columns are known
    right: float = 0.0

    @property
    def text(self) -> str:
        """The line's text, superscript numbers between CALL_OPEN and CALL_CLOSE."""
        parts: list[str] = []
        raised = False
        for char in self.chars:
            if char.superscript != raised:
                parts.append(CALL_OPEN if char.superscript else CALL_CLOSE)
                raised = char.superscript
            parts.append(char.text)
        if raised:
            parts.append(CALL_CLOSE)
        return " ".join("".join(parts).split())

    @property
    def marked(self) -> str:
        """The line's text with its links and italic and bold runs marked, spaces outside."""
        parts: list[str] = []
        spaces = ""
        state: Marking = (None, False, False)
        for char in self.chars:
            if not char.text.strip():
                spaces += " "
                continue
            emphasis = state if char.superscript else (char.link, char.bold, char.italic)
            if emphasis != state:
                parts.append(close_marks(state))
                parts.append(spaces)
                parts.append(open_marks(emphasis))
                state = emphasis
            else:
                parts.append(spaces)
            spaces = ""
            raised = char.superscript  # each raised digit marked; neighbours merge below
            parts.append(f"{CALL_OPEN}{char.text}{CALL_CLOSE}" if raised else char.text)
        parts.append(close_marks(state))
        return clean_marks("".join(parts).replace(CALL_CLOSE + CALL_OPEN, ""))


def clean_marks(text: str) -> str:
    """Runs that close and open again are one run; runs around nothing are none."""
    text = REOPENED.sub(lambda match: match[1] or match[2] or "", text)
    text = RELINKED.sub(r"\2", text)
    return EMPTY_RUN.sub("", text)


def open_marks(state: "Marking") -> str:
    """The marks that open a link, bold and italic, in that order from the outside."""
    link, bold, italic = state
    return (
        (LINK_OPEN if link else "") + (BOLD_OPEN if bold else "") + (ITALIC_OPEN if italic else "")
    )


def close_marks(state: "Marking") -> str:
    """The marks that close italic, bold and a link, in that order from the inside."""
    link, bold, italic = state
    end = f"{LINK_CLOSE}{link.encode().hex()}{LINK_END}" if link else ""
    return (ITALIC_CLOSE if italic else "") + (BOLD_CLOSE if bold else "") + end


@dataclass
class Block:
    """A heading, list item, quotation paragraph or paragraph, as lines of text."""

    kind: str  # "title", "heading", "item", "quote" or "para"
    lines: list[Line]
    level: int = 2
    marker: str = "- "

    @property
    def last(self) -> Line:
        return self.lines[-1]


@dataclass
class Notes:
    """Footnotes met so far: their global numbers and their texts, in order of calls."""

    texts: dict[int, str] = field(default_factory=dict)

    def add(self, text: str) -> int:
        self.texts[len(self.texts) + 1] = text
        return len(self.texts)


def layout(pages: list[list[Line]]) -> tuple[str, list[Entry]]:
    """The Markdown body of a PDF's pages, and the report of what was repaired."""
    body_size = usual_size(pages)
    pages, entries = remove_furniture(pages)
    ordered: list[Line] = []
    page_notes: list[dict[str, str]] = []
    columned = 0
    for lines in pages:
        text_lines, foot_lines = split_notes(lines, body_size)
        columns = order_columns(text_lines)
        columned += columns > 1
        ordered += text_lines
        page_notes.append(note_texts(foot_lines))
    if columned:
        entries.append(Entry("x-columns", 1, f"read {columned} two-column pages column by column"))
    blocks = make_blocks(ordered, body_size)
    note_lines = [MARKS.sub("", text) for notes in page_notes for n in notes.values() for text in n]
    all_text = [line.text for line in ordered] + note_lines
    known = hyphenation.known_words(all_text)
    lang = language.detect(" ".join(all_text))
    markdown, found = write_markdown(blocks, page_notes, known, lang)
    return markdown, entries + found


def usual_size(pages: list[list[Line]]) -> float:
    """The body text's font size: the size most characters are set in."""
    sizes: Counter[float] = Counter()
    for line in (line for lines in pages for line in lines):
        sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


# --- running heads and folios -----------------------------------------------------------------


def furniture_key(line: Line) -> tuple[str, float]:
    """A line's text with its numbers blanked, and its size: what repeats from page to page."""
    return furniture_key_of(line.text), round(line.size)


def furniture_key_of(text: str) -> str:
    """Text with note marks dropped, numbers blanked and case folded."""
    return re.sub(r"\d+|\b[ivxlcdm]+\b", "#", CALL.sub(r"\1", text).casefold())


def edge_lines(lines: list[Line]) -> list[Line]:
    """The lines at the top and at the foot of a page."""
    by_height = sorted(lines, key=lambda line: line.y)
    return by_height[:FURNITURE_LINES] + by_height[-FURNITURE_LINES:]


def remove_furniture(pages: list[list[Line]]) -> tuple[list[list[Line]], list[Entry]]:
    """Remove running heads and folios: edge lines repeated in the same place on many pages.

    Verso and recto pages often carry different heads (the title, the authors), so each needs
    to repeat on only a share of the pages, but always at the same height.
    """
    if len(pages) < 2:
        return pages, []
    places: dict[tuple[str, float], list[float]] = {}
    for lines in pages:
        for line in {id(line): line for line in edge_lines(lines)}.values():
            places.setdefault(furniture_key(line), []).append(line.y)
    needed = max(2, FURNITURE_SHARE * len(pages))
    furniture = {
        key
        for key, heights in places.items()
        if len(heights) >= needed and max(heights) - min(heights) <= key[1]
    }
    removed: Counter[str] = Counter()  # by furniture key; "" for folios
    spelling: dict[str, str] = {}  # each head as first printed
    kept_pages = []
    for lines in pages:
        edges = {id(line) for line in edge_lines(lines)}
        kept = []
        for line in lines:
            key = furniture_key(line)
            if id(line) not in edges or key not in furniture:
                kept.append(line)
            elif FOLIO.match(CALL.sub(r"\1", line.text)):
                removed[""] += 1
            else:
                removed[key[0]] += 1
                spelling.setdefault(key[0], line.text)
        kept_pages.append(kept)
    entries = []
    for key, count in removed.items():
        if key:
            message = f"removed the running head {spelling[key]!r} from {count} pages"
            entries.append(Entry("x-running-head", 1, message))
        else:
            entries.append(Entry("x-folio", 1, f"removed the page numbers of {count} pages"))
    return kept_pages, entries


# --- footnotes --------------------------------------------------------------------------------


def split_notes(lines: list[Line], body_size: float) -> tuple[list[Line], list[Line]]:
    """A page's text lines and its footnote lines: small lines at the foot from a numbered one."""
    by_height = sorted(lines, key=lambda line: line.y)
    start = len(by_height)
    for index in range(len(by_height) - 1, -1, -1):
        if by_height[index].size > NOTE_SIZE * body_size:
            break
        if NOTE_START.match(by_height[index].text):
            start = index
    if start == len(by_height):
        return lines, []
    notes = set(map(id, by_height[start:]))
    return [line for line in lines if id(line) not in notes], by_height[start:]


def note_texts(lines: list[Line]) -> dict[str, list[str]]:
    """The footnotes of one page by their printed number, as marked lines."""
    notes: dict[str, list[str]] = {}
    current = None
    for line in lines:
        match = NOTE_START.match(line.text)
        if match:
            current = match[1]
            notes[current] = [clean_marks(NOTE_NUMBER.sub(r"\1", line.marked))]
        elif current is not None:
            notes[current].append(line.marked)
    return notes


# --- columns ----------------------------------------------------------------------------------


def order_columns(lines: list[Line]) -> int:
    """Put a page's lines in reading order, column by column; return the number of columns."""
    if not lines:
        return 0
    gutter = find_gutter(lines)
    if gutter is None:
        set_edges(lines)
        lines.sort(key=lambda line: (line.y, line.x0))
        return 1
    left = [line for line in lines if line.x1 <= gutter]
    right = [line for line in lines if line.x0 >= gutter]
    spanning = [line for line in lines if line.x0 < gutter < line.x1]
    set_edges(left)
    set_edges(right)
    set_edges(spanning)
    ordered: list[Line] = []
    bands = sorted(spanning, key=lambda line: line.y)
    top = float("-inf")
    for bottom in [*(line.y for line in bands), float("inf")]:
        for column in (left, right):
            ordered += sorted(
                (line for line in column if top < line.y < bottom), key=lambda line: line.y
            )
        ordered += [line for line in bands if line.y == bottom]
        top = bottom
    lines[:] = ordered
    return 2


def find_gutter(lines: list[Line]) -> float | None:
    """The middle of the widest vertical strip in the page's middle that fewest lines cross."""
    left, right = min(line.x0 for line in lines), max(line.x1 for line in lines)
    steps = [left + (right - left) * share / 100 for share in range(30, 71)]
    crossings = [sum(line.x0 < x < line.x1 for line in lines) for x in steps]
    fewest = min(crossings)
    if fewest > max(2, len(lines) // 10):  # only a title, a head or notes may cross a gutter
        return None
    best, run = (0.0, 0.0), []
    for x, crossing in zip(steps, crossings, strict=True):
        run = [*run, x] if crossing == fewest else []
        if run and run[-1] - run[0] >= best[1]:
            best = ((run[0] + run[-1]) / 2, run[-1] - run[0])
    gutter, width = best
    on_left = sum(line.x1 <= gutter for line in lines)
    on_right = sum(line.x0 >= gutter for line in lines)
    return gutter if width >= MIN_GUTTER and on_left >= 2 and on_right >= 2 else None


def set_edges(lines: list[Line]) -> None:
    """Give each line its column's left edge (the most common start) and right edge."""
    if not lines:
        return
    starts = Counter(round(line.x0) for line in lines)
    left = min(start for start, count in starts.items() if count == max(starts.values()))
    right = max(line.x1 for line in lines)
    for line in lines:
        line.left, line.right = left, right


# --- blocks -----------------------------------------------------------------------------------


def make_blocks(lines: list[Line], body_size: float) -> list[Block]:
    """Headings, list items, quotations and paragraphs from lines in reading order."""
    large = HEADING_SIZE * body_size
    heading_sizes = sorted({round(line.size) for line in lines if line.size >= large})
    title_size = heading_sizes[-1] if heading_sizes and lines and lines[0].page == 0 else None
    sections = sorted((size for size in heading_sizes if size != title_size), reverse=True)

    def section_level(size: int) -> int:
        """## for the largest section headings, ### for the next size, and so on to ######."""
        return min(2 + sections.index(size), 6) if size in sections else 2

    pitch = line_pitch(lines, body_size)
    indented = indented_runs(lines, body_size)
    blocks: list[Block] = []
    for line in lines:
        kind = line_kind(line, body_size, id(line) in indented)
        previous = blocks[-1] if blocks else None
        if kind == "heading":
            size = round(line.size)
            level = 1 if size == title_size and not any_title(blocks) else section_level(size)
            if previous and previous.kind in ("heading", "title") and same_heading(previous, line):
                previous.lines.append(line)
                continue
            blocks.append(Block("title" if level == 1 else "heading", [line], level=level))
            continue
        if kind == "item":
            match = BULLET.match(line.text) or NUMBERED.match(line.text)
            marker = "- " if BULLET.match(line.text) else f"{match[1]}. "
            blocks.append(Block("item", [line], marker=marker))
            continue
        if previous and continues(previous, line, kind, pitch):
            previous.lines.append(line)
            continue
        blocks.append(Block(kind, [line]))
    return blocks


def any_title(blocks: list[Block]) -> bool:
    return any(block.kind == "title" for block in blocks)


def same_heading(block: Block, line: Line) -> bool:
    """Whether a line goes on a heading of the same size on the same page (a long heading)."""
    last = block.last
    return (
        last.page == line.page
        and round(last.size) == round(line.size)
        and 0 < line.y - last.y < 1.6 * line.size
    )


def line_kind(line: Line, body_size: float, in_indented_run: bool) -> str:
    """What a line is: heading, list item, quotation or paragraph text."""
    if line.size >= HEADING_SIZE * body_size:
        return "heading"
    if BULLET.match(line.text) or NUMBERED.match(line.text):
        return "item"
    if in_indented_run:
        return "quote"
    if line.x0 - line.left >= QUOTE_INDENT * line.size and line.right - line.x1 >= line.size:
        return "quote"  # a quotation of one line, indented on both sides
    return "para"


def indented_runs(lines: list[Line], body_size: float) -> set[int]:
    """Ids of lines in runs of two or more indented alike: a quotation, not a first line.

    A list item's own lines hang indented too; they are kept with the item by `continues`.
    """
    found: set[int] = set()
    run: list[Line] = []
    for line in [*lines, None]:
        indent = line.x0 - line.left if line else 0.0
        if (
            line
            and line.size < HEADING_SIZE * body_size
            and indent >= FIRST_LINE_INDENT * line.size
            and (not run or same_indent(run[-1], line))
        ):
            run.append(line)
            continue
        if len(run) >= 2:
            found.update(id(member) for member in run)
        run = [line] if line and indent >= FIRST_LINE_INDENT * line.size else []
    return found


def same_indent(above: Line, below: Line) -> bool:
    """Whether two lines of one column start alike, one below the other."""
    return (
        above.left == below.left
        and abs((above.x0 - above.left) - (below.x0 - below.left)) <= 0.5 * below.size
        and (above.page != below.page or 0 < below.y - above.y < 2.5 * below.size)
    )


def line_pitch(lines: list[Line], body_size: float) -> float:
    """The usual distance between the baselines of a column's consecutive body lines."""
    gaps = [
        below.y - above.y
        for above, below in zip(lines, lines[1:], strict=False)
        if above.page == below.page and 0 < below.y - above.y < 2 * body_size
    ]
    return statistics.median(gaps) if gaps else 1.2 * body_size


def continues(block: Block, line: Line, kind: str, pitch: float) -> bool:
    """Whether a line goes on the block before it rather than starting a new one."""
    last = block.last
    if block.kind in ("title", "heading"):
        return False
    same_column = last.page == line.page and last.left == line.left
    if same_column and line.y - last.y > PARAGRAPH_GAP * pitch:
        return False
    if block.kind == "item":
        return kind in ("para", "quote") and line.x0 - line.left >= FIRST_LINE_INDENT * line.size
    if kind != block.kind:
        # a quotation's last line is short, and a paragraph may wrap round a quotation
        return kind == "quote" and block.kind == "para" and not ends_paragraph(last)
    if kind == "para" and line.x0 - line.left >= FIRST_LINE_INDENT * line.size:
        return False
    return not ends_paragraph(last)


def ends_paragraph(line: Line) -> bool:
    """A line that stops short of its column's edge after a sentence ends a paragraph."""
    short = line.right - line.x1 >= SHORT_LINE * line.size
    return short and bool(SENTENCE_END.search(CALL.sub("", line.text)))


# --- Markdown ---------------------------------------------------------------------------------


def write_markdown(
    blocks: list[Block], page_notes: list[dict[str, list[str]]], known: Counter[str], lang: str
) -> tuple[str, list[Entry]]:
    """The blocks as Markdown, the page notes as numbered definitions at the end."""
    notes = Notes()
    used: set[tuple[int, str]] = set()
    entries: list[Entry] = []
    chunks: list[str] = []
    line_number = 1
    previous_kind = ""
    for block in blocks:
        plain = block.kind in ("title", "heading")  # headings are set bold already
        marked = [MARKS.sub("", line.marked) if plain else line.marked for line in block.lines]
        raw, found = join_lines(marked, known, lang)
        if block.kind == "item":
            raw = BULLET.sub("", NUMBERED.sub("", raw, count=1), count=1)
        text = markdown_text(raw)
        call = partial(
            note_call,
            block=block,
            page_notes=page_notes,
            notes=notes,
            used=used,
            known=known,
            lang=lang,
            found=found,
        )
        text = CALL.sub(call, text)
        entries += [Entry(code, line_number, message, doubt) for code, message, doubt in found]
        if block.kind == "item" and previous_kind == "item":
            chunks[-1] += f"\n{block.marker}{text}"
            line_number += 1
            continue
        previous_kind = block.kind
        hashes = "#" * block.level + " "
        prefix = {"title": hashes, "heading": hashes, "item": block.marker, "quote": "> "}
        chunks.append(prefix.get(block.kind, "") + text)
        line_number += chunks[-1].count("\n") + 2
    for page, texts in enumerate(page_notes):
        for number, lines in texts.items():
            if (page, number) not in used:  # a note nothing calls keeps its words in place
                chunks.append(markdown_text(join_lines(lines, known, lang)[0]))
                message = f"the note {number} at the foot of page {page + 1} has no call"
                entries.append(Entry("x-note-uncalled", line_number, message, True))
    for number, text in notes.texts.items():
        chunks.append(f"[^{number}]: {text}")
    if notes.texts:
        message = f"moved {len(notes.texts)} footnotes from the page feet to notes"
        entries.append(Entry("x-footnotes", 1, message))
    return "\n\n".join(chunks) + "\n", entries


def note_call(
    match: re.Match[str],
    block: Block,
    page_notes: list[dict[str, list[str]]],
    notes: Notes,
    used: set[tuple[int, str]],
    known: Counter[str],
    lang: str,
    found: list[tuple[str, str, bool]],
) -> str:
    """`[^n]` for a superscript number that a footnote on its page answers; else the number."""
    number = match[1]
    for page in dict.fromkeys(line.page for line in block.lines):
        lines = page_notes[page].get(number)
        if lines is not None and (page, number) not in used:
            used.add((page, number))
            text, decided = join_lines(lines, known, lang)
            found += decided
            return f"[^{notes.add(markdown_text(text))}]"
    return number


def markdown_text(text: str) -> str:
    """Marked text escaped for Markdown: links, * and **; note calls kept."""
    text = escape_line_starts(escape(clean_marks(text)))
    text = LINK.sub(markdown_link, text)
    return EMPHASIS_MARKS.sub(lambda match: "".join(EMPHASIS_MARKDOWN[c] for c in match[0]), text)


def markdown_link(match: re.Match[str]) -> str:
    """`[text](url)` for a marked link; its text alone when the URL is not a web or mail one."""
    url = bytes.fromhex(match[2]).decode("utf-8", "replace")
    if not match[1].strip() or not re.match(r"(?:https?://|mailto:)[^\s]+$", url):
        return match[1]
    return f"[{match[1]}]({url_for_markdown(url)})"


def join_lines(
    lines: list[str], known: Counter[str], lang: str
) -> tuple[str, list[tuple[str, str, bool]]]:
    """Lines of a block as one line, line-end hyphens read; what was decided, for the report."""
    text = lines[0] if lines else ""
    found: list[tuple[str, str, bool]] = []
    for line in lines[1:]:
        # Link and emphasis marks at the break are set aside while the hyphen is read.
        closing = re.search("(?:[\ue003\ue005]|\ue007[0-9a-f]*\ue008)*$", text)[0]
        opening = re.match("[\ue002\ue004\ue006]*", line)[0]
        before, after = text[: len(text) - len(closing)], line[len(opening) :]
        decision = hyphenation.join_break(before, after, known, lang)
        if decision is None:
            text = clean_marks(f"{text} {line}")
            continue
        joint = len(before) - decision.joined
        text = clean_marks(decision.text[:joint] + closing + opening + decision.text[joint:])
        if decision.doubt:
            message = f"kept the hyphen of {decision.word!r} at a line end: check it is a compound"
            found.append(("x-hyphen-kept", message, True))
        elif decision.joined:
            found.append(("x-hyphen-joined", f"joined {decision.word!r} across a line end", False))
    return text, found
