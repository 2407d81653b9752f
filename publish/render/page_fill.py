"""Pages filled as a compositor fills them, and every note kept on its call's page.

A page ends short when what comes next cannot follow on it: a line whose note does not fit
below it (WeasyPrint cannot split a note), a paragraph too short to split under its widows
and orphans rules, a lead-in kept with what it introduces. After a document is laid out,
each page two lines short or more whose next page goes on with the text (not a heading, a
part or a new text: those start where they must) is given the room those first lines need,
if that is three lines at most: paragraphs on it, or the one that moves, are set a line
tighter (TeX's `\\looseness=-1`), the cheapest in badness first, and if that is not enough
its spread runs a line long (both facing pages, so their last lines stay level, with the
folio where it was).

WeasyPrint also moves a note to the page after its call when that lets the paragraph at the
page's foot keep the lines its orphans rule asks for. That paragraph is made to begin the
next page instead, which gives the note its room.

The document is then laid out again, and the new pages kept only if they leave fewer notes
away from their calls, or as many and less white without adding a page. Each try lays the
whole document out once more, so it is made only when a page needs it, at most MOST_TRIES
times; short pages are not filled in documents over MOST_PAGES, nor notes brought back in
documents over MOST_PAGES_FOR_NOTES.
"""

import logging
import math
import re
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from weasyprint.document import Document as Layout
from weasyprint.formatting_structure import boxes

from publish.render.compose import Composer, Composition

LOGGER = logging.getLogger(__name__)
LOGGER.addHandler(logging.NullHandler())
INK: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # page_ink, by layout

SHORT = 2  # lines of white above the notes or the foot that make a page short
# Each try lays the whole document out again (a 72-page text takes 15 s of CPU): at most
# two; short pages are filled in documents the length of a pamphlet or a reader, and notes
# brought back to their calls in longer ones too, short of a book of several hundred pages.
MOST_TRIES = 2
MOST_PAGES = 48
MOST_PAGES_FOR_NOTES = 240
FORCED = ("page", "left", "right", "recto", "verso")
HEADING = re.compile(r"h[1-6]")
LEADING_LINES = 4  # of the next page, searched for a note call
MOST_LINES_GAINED = 3  # lines of room a page is given, by tighter paragraphs or running long


@dataclass(frozen=True)
class ShortPage:
    """A page whose text stops short of its notes or its foot, the paragraphs on it, and
    the one the next page begins with (setting that one tighter may bring it back)."""

    number: int  # from 0
    lines: float  # of white, down to the first line of its notes, as a reader sees it
    room: float  # lines that would fit: the same less the rule above the notes
    paragraphs: tuple


@dataclass(frozen=True)
class Fill:
    """How a document's pages are filled: the paragraphs set a line tighter (by their index
    among its paragraphs), and the pages run a line long (numbered from 1) with the CSS that
    lengthens them."""

    tighter: frozenset[int] = frozenset()
    long: frozenset[int] = frozenset()
    css: str = ""
    breaks: frozenset[int] = frozenset()  # paragraphs that begin a page


def filled(
    lay_out: Callable[[Fill], tuple[Layout, Composition | None]], composer: Composer
) -> tuple[Layout, Fill]:
    """The document laid out with its short pages filled where they can be, and how."""
    fill = Fill()
    layout, composition = lay_out(fill)
    if composition is None or len(layout.pages) > MOST_PAGES_FOR_NOTES:
        return layout, fill
    try:
        filling = len(layout.pages) <= MOST_PAGES
        return refilled(lay_out, composer, layout, composition, filling)
    except (TimeoutError, MemoryError):
        raise
    except Exception as reason:  # noqa: BLE001 - a refinement: the pages as laid out stand
        LOGGER.info("left the short pages as they are: %s", reason)
        return layout, fill


def refilled(
    lay_out: Callable[[Fill], tuple[Layout, Composition | None]],
    composer: Composer,
    layout: Layout,
    composition: Composition,
    filling: bool,
) -> tuple[Layout, Fill]:
    """The tries of `filled`, from the document as first laid out: notes brought back to
    their calls' pages, and, if `filling`, short pages filled."""
    fill = Fill()
    for _ in range(MOST_TRIES):
        tighter, long, breaks, css, said = set(), set(), set(), fill.css, []
        for number, element in strayed_notes(layout):
            if element in composition.indexes:  # not None
                breaks.add(composition.indexes[element])
                said.append(
                    f"a paragraph moved to page {number + 2} so that a note stays on page "
                    f"{number + 1}, with its call"
                )
        for page in short_pages(layout) if filling else []:
            wanted = lines_wanted(layout, page)
            if wanted is None or wanted > MOST_LINES_GAINED:
                continue
            chosen = cheapest(page, composition, composer)[:wanted]
            if len(chosen) < wanted:  # and the page's spread runs a line long
                pages = spread(page.number, layout) - fill.long - long
                rules = [longer(layout, number) for number in sorted(pages)]
                if page.number + 1 not in pages or not all(rules) or len(chosen) + 1 < wanted:
                    continue
                long |= pages
                css += "".join(rules)
                numbers = " and ".join(map(str, sorted(pages)))
                runs = "runs" if len(pages) == 1 else "run"
                said.append(f"page{'s' * (len(pages) > 1)} {numbers} {runs} a line long")
            if chosen:
                paragraphs = "a paragraph" if len(chosen) == 1 else f"{len(chosen)} paragraphs"
                said.append(f"{paragraphs} set a line tighter")
            tighter |= set(chosen)
            said[-1] += f" to fill page {page.number + 1}"
        if not said:
            break
        trial_fill = Fill(fill.tighter | tighter, fill.long | long, css, fill.breaks | breaks)
        trial, trial_composition = lay_out(trial_fill)
        if not better(trial, layout):
            LOGGER.info(
                "left the pages as they were: %s would not fill them better", "; ".join(said)
            )
            break
        for saying in said:
            LOGGER.info("%s", saying)
        layout, composition, fill = trial, trial_composition, trial_fill
    return layout, fill


def lines_wanted(layout: Layout, page: ShortPage) -> int | None:
    """How many more lines of room the page needs to take back the next page's first lines
    that move together (`moving_lines`), with their notes; None if that cannot be told."""
    ink = page_ink(layout)
    following = layout.pages[page.number + 1]._page_box
    moving = moving_lines(ink[page.number + 1], ink[page.number])
    if not moving:
        return None
    calls = sum(len(calls_in(line)) for line in moving)
    notes = 0.0
    if calls:
        area = notes_area(following)
        if area is None:  # the note went further on
            return None
        notes = sum(note.margin_height() for note in area.children[:calls])
        if notes_area(layout.pages[page.number]._page_box) is None:  # the rule above comes too
            notes += area.margin_height() - sum(note.margin_height() for note in area.children)
    needed = foot_of(moving[-1]) - following.content_box_y() + notes
    return max(1, math.ceil(needed / body_pitch(layout) - page.room))


def moving_lines(ink: list, before: list) -> list[boxes.LineBox]:
    """A page's first lines that must move together onto the page before: down to the first
    that calls a note (a note is never split from its call); else a paragraph starting
    there with fewer lines than its orphans and widows allow to split, whole; else a
    lead-in (kept with what follows) and the first two lines after it. Nothing for a
    paragraph going on from the page before, or a page beginning otherwise."""
    lines = [(box, chain) for box, chain in ink if isinstance(box, boxes.LineBox) and chain]
    if not lines:
        return []
    for count, (line, _) in enumerate(lines[:LEADING_LINES], 1):
        if calls_in(line):
            return [box for box, _ in lines[:count]]
    first = lines[0][1][-1]
    if first.element in {box.element for _, chain in before for box in chain}:
        return []
    own = [box for box, chain in lines if chain[-1] is first]
    if first.style["break_after"] == "avoid":
        return own + [box for box, chain in lines if chain[-1] is not first][:2]
    if len(own) < first.style["orphans"] + first.style["widows"]:
        return own
    return []


def spread(number: int, layout: Layout) -> set[int]:
    """The page (numbered from 0) and the page facing it, if that one's text goes on overleaf
    too, numbered from 1: a spread runs long as a whole, so its last lines stay level."""
    facing = number + 1 if number % 2 else number - 1  # page 1 is a right-hand page
    pages = {number + 1}
    if 0 <= facing < len(layout.pages) - 1 and facing in flowing(layout):
        pages.add(facing + 1)
    return pages


def longer(layout: Layout, number: int) -> str:
    """CSS that runs page `number` (from 1) a body line long, its folio where it was; or ""
    when the folio has no room to stay there."""
    page = layout.pages[number - 1]._page_box
    pitch = body_pitch(layout)
    rules = [f"margin-bottom: {page.margin_bottom - pitch:.3f}px;"]
    for box in page.children:
        if isinstance(box, boxes.MarginBox) and box.at_keyword.startswith("@bottom-"):
            if box.padding_top < pitch:
                return ""
            rules.append(f"{box.at_keyword} {{ padding-top: {box.padding_top - pitch:.3f}px; }}")
    return f"@page :nth({number}) {{ {' '.join(rules)} }}\n"


def cheapest(page: ShortPage, composition: Composition, composer: Composer) -> list[int]:
    """The indexes of the paragraphs on the page that can take a line fewer, cheapest
    first."""
    costs = {}
    for element in page.paragraphs:
        composed = composition.paragraphs.get(element)
        if composed is None:
            continue
        cost = composer.tightening(composed, composition.protected)
        if cost is not None:
            costs[composed.index] = cost
    return sorted(costs, key=costs.__getitem__)


def better(trial: Layout, layout: Layout) -> bool:
    """Whether the trial pages leave fewer notes away from their calls, or as many and less
    white on short pages without more pages."""
    before = len(strayed_notes(layout)), white(short_pages(layout))
    after = len(strayed_notes(trial)), white(short_pages(trial))
    more_pages = len(trial.pages) > len(layout.pages)
    return after[0] < before[0] or (after < before and not more_pages)


def white(shorts: list[ShortPage]) -> float:
    return sum(page.lines for page in shorts)


def strayed_notes(layout: Layout) -> list[tuple[int, object]]:
    """The notes WeasyPrint set on a later page than their call's, each as the number of the
    call's page (from 0) and the paragraph to begin the next page instead, or None.
    WeasyPrint moves a note on when that lets the page's last paragraph, starting below the
    call, keep the lines its orphans rule asks for at the foot of the page; that paragraph
    then begins the next page, and the note has the room."""
    found = []
    for number, (page, ink) in enumerate(zip(layout.pages, page_ink(layout), strict=True)):
        area = notes_area(page._page_box)
        here = {note.element for note in area.children} if area else set()
        lines = [(box, chain) for box, chain in ink if isinstance(box, boxes.LineBox) and chain]
        for index, (line, chain) in enumerate(lines):
            if not any(call.element not in here for call in calls_in(line)):
                continue
            last = lines[-1][1][-1]
            foot_lines = [box for box, outer in lines[index + 1 :] if outer[-1] is last]
            below = last is not chain[-1] and len(foot_lines) <= last.style["orphans"]
            found.append((number, last.element if foot_lines and below else None))
    return found


def short_pages(layout: Layout) -> list[ShortPage]:
    """The pages (not the last) that stop SHORT body lines or more above their notes or
    foot, and whose next page goes on with the text."""
    pages, pitch = page_ink(layout), body_pitch(layout)
    shorts = []
    for number in sorted(flowing(layout)):
        ink = pages[number]
        bottom = max(map(foot_of, (box for box, _ in ink)))
        page = layout.pages[number]._page_box
        white_space = first_note(page) - bottom
        if white_space >= SHORT * pitch:
            # its paragraphs, and the one the next page begins with
            on_page = {
                box.element for _, chain in ink + pages[number + 1][:1] for box in chain[-1:]
            }
            room = (foot(page) - bottom) / pitch
            shorts.append(ShortPage(number, white_space / pitch, room, tuple(on_page)))
    return shorts


def flowing(layout: Layout) -> set[int]:
    """The pages (from 0) with text whose next page goes on with it."""
    pages = page_ink(layout)
    return {
        number
        for number, (ink, following) in enumerate(zip(pages, pages[1:], strict=False))
        if ink and following and goes_on(following[0][1], ink)
    }


def body_pitch(layout: Layout) -> float:
    """The body's line pitch: the most common height of the flow's lines."""
    heights = Counter(
        round(box.height, 1)
        for ink in page_ink(layout)
        for box, _ in ink
        if isinstance(box, boxes.LineBox)
    )
    return heights.most_common(1)[0][0] if heights else 0.0


def page_ink(layout: Layout) -> list[list[tuple[boxes.Box, tuple]]]:
    """Each page's ink in the flow (see ink_in), found once for each layout."""
    if layout not in INK:
        INK[layout] = [list(ink_in(page._page_box.children[0], ())) for page in layout.pages]
    return INK[layout]


def goes_on(chain: tuple, before: list) -> bool:
    """Whether a page's first line goes on with the text of the page before: it is no
    heading, and no box around it starts there with a page of its own."""
    seen = {box.element for _, outer in before for box in outer}
    return not any(
        box.element not in seen and (starts_a_page(box) or HEADING.fullmatch(box.element_tag or ""))
        for box in chain
    )


def starts_a_page(box: boxes.Box) -> bool:
    """Whether the box begins a page of its own: a new text, a part, a title. A paragraph
    begins a page only to give a note room (`strayed_notes`): the text goes on there."""
    return box.style["break_before"] in FORCED and box.element_tag != "p"


def ink_in(box: boxes.Box, chain: tuple) -> Iterator[tuple[boxes.Box, tuple]]:
    """The line boxes of the flow (not notes, not margins) and its empty blocks (rules,
    answer space), each with the block boxes enclosing it, outermost first."""
    if isinstance(box, boxes.LineBox):
        yield box, chain
        return
    children = getattr(box, "children", ())
    empty = isinstance(box, boxes.BlockBox) and not children and box.height
    if empty or isinstance(box, boxes.BlockReplacedBox):
        yield box, chain
    inner = (*chain, box) if isinstance(box, boxes.BlockBox) else chain
    for child in children:
        yield from ink_in(child, inner)


def foot_of(box: boxes.Box) -> float:
    """The foot of a line, or of a block's border."""
    if isinstance(box, boxes.LineBox):
        return box.position_y + box.height
    return box.border_box_y() + box.border_height()


def foot(page: boxes.PageBox) -> float:
    """Where the page's text must stop: the top of its notes, or its content's foot."""
    area = notes_area(page)
    return page.content_box_y() + page.height if area is None else area.position_y


def first_note(page: boxes.PageBox) -> float:
    """The top of the page's first note line, or its content's foot."""
    area = notes_area(page)
    lines = [box for box, _ in ink_in(area, ())] if area else []
    return lines[0].position_y if lines else foot(page)


def notes_area(page: boxes.PageBox) -> boxes.FootnoteAreaBox | None:
    """The page's footnote area, if it holds notes."""
    areas = [child for child in page.children if isinstance(child, boxes.FootnoteAreaBox)]
    return areas[0] if areas and areas[0].children else None


def calls_in(line: boxes.LineBox) -> list[boxes.Box]:
    """The notes called in a line (the footnote boxes its calls stand for)."""
    return [box.footnote for box in descendants(line) if getattr(box, "footnote", None)]


def descendants(box: boxes.Box) -> Iterator[boxes.Box]:
    yield box
    for child in getattr(box, "children", ()):
        yield from descendants(child)
