"""The paragraph composer: total-fit (Knuth–Plass) line breaks for justified paragraphs.

WeasyPrint breaks lines greedily and only ever widens spaces. Before WeasyPrint lays out a
document, each justified paragraph is broken here, all its break points weighed at once, and
the chosen lines are imposed: each line becomes a `white-space: nowrap` span with its own
`word-spacing` (negative spacing shrinks a line; declared as spaced_styles.py reads it),
followed by a forced break (a newline the paragraph keeps, `white-space: pre-line`: no <br>
element to style); a hyphen is a real character at the line's end; the last line keeps its
natural spacing. The pass with hyphenation hyphenates a word only when a line may end in it.

Besides its spaces, a line stretches or shrinks by a little letter-spacing (0.01 em at most,
about 5% of a word space, as presses allow), except in words with ligatures: Pango drops the
ligatures of letter-spaced text, so those words are wrapped in a span that keeps them. A
small-caps opening line (::first-line) becomes a span of class "opening" styled alike, so it
can be letter-spaced to fit too. Three hyphenated lines in a row are never chosen.

Widths are those WeasyPrint draws: every run of text is shaped by HarfBuzz with the font file,
size, OpenType features and letter-spacing of its computed style (WeasyPrint's own cascade),
including the small-caps first line, small-caps acronyms, italics and footnote calls.
Glyphs our faces lack are measured by Pango itself, with its fallback fonts. A paragraph the
composer cannot set (an image, text without spaces, a word longer than the line, a paragraph
over MOST_COMPOSED characters, anything unexpected) keeps WeasyPrint's setting, and the
reason is logged.

The composer also sets a paragraph a line tighter when asked (the fewest lines its shrink
allows, as TeX's negative looseness), and returns with the document the paragraphs it set,
for the page filler (page_fill.py) to choose from after layout.
"""

import bisect
import copy
import dataclasses
import functools
import itertools
import json
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from xml.etree import ElementTree

import cssselect2
import pyphen
import tinycss2
import uharfbuzz
from weasyprint import HTML
from weasyprint.css import get_all_computed_styles
from weasyprint.css.counters import CounterStyle
from weasyprint.text.fonts import font_features
from weasyprint.text.line_break import create_layout, line_size

from publish.cache import digest, remembered
from publish.document import url_pieces
from publish.render.spaced_styles import declare_spacing

LOGGER = logging.getLogger(__name__)
LOGGER.addHandler(logging.NullHandler())

OBJECT = "\ufffc"  # stands for a footnote call or a <wbr> in a paragraph's flat text
# At ratio 1 a gap (its space, word-spacing and the letter-spacing on both sides) is 1.47x
# the normal space; at ratio -1 it is 0.83x, the most a line may shrink.
STRETCH = 0.37
SHRINK = 0.12
TRACKING = 0.01  # em of letter-spacing a letter at ratio 1 (about 5% of a word space)
TRACKING_SHRINK = 0.5  # of TRACKING, at ratio -1
OPENING_TRACKING = 0.06  # em, on a small-caps opening line: it stretches by letter-spacing alone
PLAIN_STRETCH = 0.95  # a paragraph set this evenly without hyphenation is not hyphenated
MOST_STRETCH = 1.85  # never wider than 1.925x, unless no other setting exists
LINE_PENALTY = 10
HYPHEN_PENALTY = 50
DOUBLE_HYPHEN_DEMERITS = 3000  # two hyphenated lines in a row (three are never allowed)
FINAL_HYPHEN_DEMERITS = 5000  # a hyphen on the paragraph's last full line
ADJACENT_DEMERITS = 3000  # a tight line next to a loose one
SHORT_LAST_LINE = 0.2  # of the measure: a last line shorter than this is penalized
SHORT_LAST_DEMERITS = 2000
MOST_HYPHENS_IN_A_ROW = 2
# Set a line tighter (to fill a short page), a paragraph takes as few lines as its shrink
# allows: each line then costs more than any badness or penalty can.
TIGHTER_LINE_PENALTY = 1000
TIGHTER_SLACK = 0.03  # of the measure: what may_lose_a_line allows for spaces and hyphens
MOST_SETTLED = 4096  # paragraphs whose lines a composer remembers
MOST_COMPOSED = 20_000  # characters: longer paragraphs keep WeasyPrint's lines (bounded work)
KERNING_ROOM = 4.0  # px a word's first letters, cut off by a hyphen, may exceed it by
SLACK = 0.75  # px a line stops short of the measure: Pango's letter-spacing at run edges
WORD_SPACE = re.compile(r"[ \t\n\r\f]+")
DASHES = re.compile("[-\u2010\u2014]")  # the hyphens and dashes a word may break after
LETTERS = re.compile(r"[^\W\d_]+")
URL_LIKE = re.compile(r"[^\W_]{2}[./][^\W_]{2}")  # a web address or domain in running text
LONG_TOKEN = 12  # characters: a shorter word with a dot or a slash (e.g., U.S.) stays whole
NO_SPACES_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER", "MYANMAR")


class Uncomposable(ValueError):
    """A paragraph the composer leaves to WeasyPrint, with the reason."""


@dataclass(frozen=True)
class Face:
    """One @font-face of the stylesheets: a font file for a family, style and weight."""

    family: str
    italic: bool
    weight: int
    path: str


def font_faces(stylesheets: list[Path]) -> tuple[Face, ...]:
    """The @font-face rules of our stylesheets, with their files resolved; kept between runs
    by the stylesheets' paths and contents (parsing them takes a cold build 0.02 s)."""
    sheets = [(sheet, sheet.read_bytes()) for sheet in stylesheets]
    key = digest(part for sheet, source in sheets for part in (str(sheet.resolve()), source))

    def parsed() -> bytes:
        faces = [face for sheet, source in sheets for face in sheet_faces(sheet, source)]
        return json.dumps([dataclasses.astuple(face) for face in faces]).encode()

    try:
        rows = json.loads(remembered("faces", key, parsed))
        return tuple(
            Face(str(family), bool(italic), int(weight), str(path))
            for family, italic, weight, path in rows
        )
    except (ValueError, TypeError):  # a damaged entry
        return tuple(Face(*row) for row in json.loads(parsed()))


def sheet_faces(sheet: Path, source: bytes) -> Iterator[Face]:
    """The @font-face rules of one stylesheet."""
    rules = tinycss2.parse_stylesheet(source.decode("utf-8"), True, True)
    for rule in rules:
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face":
            continue
        values = {}
        for declaration in tinycss2.parse_blocks_contents(rule.content, True, True):
            if declaration.type == "declaration":
                values[declaration.lower_name] = [
                    token for token in declaration.value if token.type != "whitespace"
                ]
        family = values.get("font-family", [None])[0]
        source_token = values.get("src", [None])[0]
        if family is None or source_token is None or source_token.type not in ("url", "function"):
            continue
        url = source_token.value if source_token.type == "url" else source_token.arguments[0].value
        weight = values.get("font-weight", [None])[0]
        style = values.get("font-style", [None])[0]
        yield Face(
            family=family.value,
            italic=style is not None and style.value in ("italic", "oblique"),
            weight=int(weight.value) if weight is not None and weight.type == "number" else 400,
            path=str((sheet.parent / url).resolve()),
        )


@dataclass
class Shaper:
    """Widths of text in CSS px, shaped by HarfBuzz; one cache per font, size and features.
    A run's key is a small number standing for all that decides its widths (`runs`), so that
    a width already measured is found without hashing that whole description again."""

    faces: tuple[Face, ...]
    fonts: dict[str, tuple[uharfbuzz.Font, int]] = field(default_factory=dict)
    widths: dict[tuple[int, str], float | None] = field(default_factory=dict)
    runs: list[tuple] = field(default_factory=list)  # each key's font, size, features, ...
    numbers: dict[tuple, int] = field(default_factory=dict)  # the key of each run description
    styles: dict[int, object] = field(default_factory=dict)  # a computed style of each key
    unligated: dict[int, int] = field(default_factory=dict)  # each key without ligatures
    joined: set[tuple[int, str]] = field(default_factory=set)  # shaped in fewer glyphs

    def face(self, style) -> Face:
        """The face WeasyPrint picks for this style's first family, or Uncomposable."""
        family = style["font_family"][0]
        italic = style["font_style"] != "normal"
        weight = style["font_weight"]
        candidates = [f for f in self.faces if f.family == family and f.italic == italic]
        if not candidates:
            raise Uncomposable(f"no face for {family} {style['font_style']}")
        return min(candidates, key=lambda f: (abs(f.weight - weight), -f.weight))

    def run_key(self, style) -> int:
        """What decides the width of a run of text: font file, size, features, spacing and
        language (a face's language systems may drop ligatures, as EB Garamond's German does)."""
        features = font_features(
            style["font_kerning"],
            style["font_variant_ligatures"],
            style["font_variant_position"],
            style["font_variant_caps"],
            style["font_variant_numeric"],
            style["font_variant_alternates"],
            style["font_variant_east_asian"],
            style["font_feature_settings"],
        )
        spacing = style["letter_spacing"]
        key = self.number(
            (
                self.face(style).path,
                style["font_size"],
                tuple(sorted(features.items())),
                0.0 if spacing == "normal" else spacing,
                style["lang"],
            )
        )
        self.styles[key] = style
        return key

    def number(self, run: tuple) -> int:
        """The key of a run description."""
        if run not in self.numbers:
            self.numbers[run] = len(self.runs)
            self.runs.append(run)
        return self.numbers[run]

    def ligature(self, key: int, text: str) -> bool:
        """Whether the text forms a ligature (letter-spacing would make Pango drop it).
        Only text shaped in fewer glyphs than it has characters can hold one."""
        if self.shape(key, text) is not None and (key, text) not in self.joined:
            return False
        if key not in self.unligated:
            path, size, features, spacing, language = self.runs[key]
            plain = tuple(
                (tag, 0 if tag in ("liga", "clig", "dlig") else value) for tag, value in features
            )
            self.unligated[key] = self.number((path, size, plain, spacing, language))
        joined, apart = self.shape(key, text), self.shape(self.unligated[key], text)
        return joined is not None and apart is not None and abs(joined - apart) > 0.01

    def width(self, key: int, text: str) -> float:
        """The advance of `text` set in the run `key`, as Pango lays it out: HarfBuzz with the
        face's file, or for what the face lacks, Pango itself (its fallback fonts)."""
        width = self.shape(key, text)
        if width is None:
            if key not in self.styles:
                raise Uncomposable(f"{text!r} needs a fallback font")
            width = self.widths[(key, text)] = pango_width(text, self.styles[key])
        return width

    def shape(self, key: int, text: str) -> float | None:
        """The advance of `text` shaped by HarfBuzz in the run `key`; None for missing glyphs."""
        try:
            return self.widths[(key, text)]
        except KeyError:
            pass
        path, size, features, spacing, language = self.runs[key]
        if path not in self.fonts:
            face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(path))
            self.fonts[path] = (uharfbuzz.Font(face), face.upem)
        font, upem = self.fonts[path]
        buffer = uharfbuzz.Buffer()
        buffer.add_str(text)
        if language:
            buffer.language = language
        buffer.guess_segment_properties()
        uharfbuzz.shape(font, buffer, dict(features))
        infos = buffer.glyph_infos
        if any(info.codepoint == 0 for info in infos):
            self.widths[(key, text)] = None
            return None
        advance = sum(position.x_advance for position in buffer.glyph_positions)
        clusters = len({info.cluster for info in infos})
        width = advance * size / upem + spacing * clusters
        if len(infos) < len(text):
            self.joined.add((key, text))
        self.widths[(key, text)] = width
        return width


@dataclass(frozen=True)
class Segment:
    """A run of a paragraph's text in one style, or an object (footnote call, <wbr>)."""

    start: int  # position in the paragraph's flat text
    text: str
    stack: tuple  # the inline elements enclosing it, outermost first
    key: int | None  # run key in the body of the paragraph (Shaper.run_key)
    first_key: int | None  # run key on the small-caps first line
    element: object = None  # the object's element
    width: float = 0.0  # the object's width
    hyphens: bool = False
    inherits_spacing: bool = False  # text that takes the line's letter-spacing
    hyphen: str = "\u2010"
    language: str | None = None
    limits: tuple[int, int, int] = (6, 3, 2)


@dataclass(slots=True)
class Item:
    """A box (word piece), glue (a word space) or penalty (a break inside a word); never
    changed once made (not frozen: a paragraph makes thousands, and frozen ones cost 3x)."""

    kind: str  # "box", "glue" or "penalty"
    start: int  # flat-text span of the item
    end: int
    width: float
    first_width: float
    penalty: float = 0.0
    flagged: bool = False  # a hyphenated break
    spaces: int = 0  # no-break spaces inside a box: word-spacing widens them too
    letters: int = 0  # characters that take the line's letter-spacing
    first_letters: int = 0  # the same on the opening line, where no word keeps ligatures
    space_width: float = 0.0
    # a whole word whose hyphenation is left until a line may end inside it: its items with
    # their hyphenation points, and how much wider than the word a line ending there can be
    hyphenated: Callable[[], list["Item"]] | None = None
    reach: float = 0.0


@dataclass(frozen=True)
class Line:
    """A composed line: its flat-text span, its hyphen, and the word spacing that fills it."""

    start: int
    end: int
    hyphen: bool
    word_spacing: float | None  # None: natural spacing (the last line)
    letter_spacing: float | None = None
    ratio: float = 0.0  # how far it stretches (1) or shrinks (-1) from its natural width
    natural: float = 0.0  # its width at natural spacing
    shrink: float = 0.0  # the most its spacing can take from that


@dataclass
class Paragraph:
    """A justified paragraph, flattened: its segments, its measure and its indent."""

    element: ElementTree.Element
    segments: list[Segment]
    setting: "Setting"
    opening: bool  # whether its first line is set in other styles (::first-line)
    starts: list[int] | None = None
    untracked: list[tuple[int, int]] = field(default_factory=list)  # words with ligatures
    words: dict[tuple, list] = field(default_factory=dict)  # each word's items, by its breaks
    pieces: list | None = None  # its words and spaces (Composer.words)
    plain: dict[tuple[int, int], list] = field(default_factory=dict)  # words' unhyphenated items

    @cached_property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)

    @cached_property
    def signature(self) -> tuple:
        """All that decides the paragraph's lines: its runs as measured, and its setting."""
        runs = tuple(
            (
                segment.text,
                segment.key,
                segment.first_key,
                segment.element is not None and segment.element.tag,
                segment.width,
                segment.hyphens,
                segment.inherits_spacing,
                segment.hyphen,
                segment.language,
                segment.limits,
            )
            for segment in self.segments
        )
        return runs, self.setting, self.opening

    def tracking_parts(self, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
        """[start, end) cut where words with ligatures begin and end: (low, high, kept)."""
        for low, high in self.untracked:
            if high <= start or low >= end:
                continue
            if low > start:
                yield start, low, False
            yield max(low, start), min(high, end), True
            start = min(high, end)
        if start < end:
            yield start, end, False

    def segments_in(self, start: int, end: int) -> Iterator[tuple[Segment, int, int]]:
        """Each segment overlapping [start, end), with the overlap in the segment's own text."""
        if self.starts is None:
            self.starts = [segment.start for segment in self.segments]
        first = max(bisect.bisect_right(self.starts, start) - 1, 0)
        for segment in self.segments[first:]:
            if segment.start >= end:
                break
            low = max(start, segment.start)
            high = min(end, segment.start + len(segment.text))
            if low < high:
                yield segment, low - segment.start, high - segment.start


@dataclass
class Composer:
    """Composes the justified paragraphs of one document before WeasyPrint lays it out."""

    shaper: Shaper
    page_width: float
    protected: frozenset[str] = frozenset()
    dictionaries: dict[tuple, pyphen.Pyphen] = field(default_factory=dict)
    settled: dict[tuple, tuple] = field(default_factory=dict)  # lines of paragraphs set before

    def compose(
        self,
        html: HTML,
        stylesheets: list,
        fonts,
        tighter: frozenset[int] = frozenset(),
        breaks: frozenset[int] = frozenset(),
    ) -> "Composition":
        """The document with its justified paragraphs broken into imposed lines. Paragraphs
        are named by their index among the document's paragraphs: those in `tighter` are set
        in as few lines as they can be, those in `breaks` begin a page."""
        style_for = get_all_computed_styles(
            html,
            user_stylesheets=stylesheets,
            font_config=fonts,
            counter_style=CounterStyle(),
            page_rules=[],
        )
        root = html.etree_element
        parents = {child: parent for parent in root.iter() for child in parent}
        protected = self.protected | author_words(root)
        calls = footnote_numbers(root, style_for)
        composed: dict[ElementTree.Element, Composed] = {}
        indexes: dict[ElementTree.Element, int] = {}
        for index, element in enumerate(list(root.iter("p"))):
            indexes[element] = index
            if index in breaks:
                rules = filter(None, (element.get("style"), "break-before: page"))
                element.set("style", "; ".join(rules))
            style = style_for(element)
            if style["text_align_all"] != "justify" or style["white_space"] != "normal":
                continue
            if any(parent in calls for parent in ancestors(element, parents)):
                continue  # a paragraph of a footnote
            if not "".join(element.itertext()).strip():
                continue
            try:
                paragraph = self.flatten(element, parents, style_for, calls)
                lines = self.break_lines(paragraph, protected, index in tighter)
            except Exception as reason:  # noqa: BLE001 - anything unexpected keeps WeasyPrint's
                words = " ".join("".join(element.itertext()).split()[:6])
                LOGGER.info("kept WeasyPrint's lines for the paragraph %r: %s", words, reason)
                continue
            impose(paragraph, lines)
            composed[element] = Composed(index, paragraph, len(lines), index in tighter)
        result = copy.copy(html)
        result.wrapper_element = cssselect2.ElementWrapper.from_html_root(
            root, content_language=None
        )  # cssselect2 caches each element's children: the tree has changed
        result.etree_element = result.wrapper_element.etree_element
        return Composition(result, composed, protected, indexes)

    def tightening(self, composed: "Composed", protected: frozenset[str]) -> float | None:
        """What setting a composed paragraph in fewer lines costs (its lines' added
        badness), or None if it cannot take fewer."""
        if composed.tighter:
            return None
        paragraph = composed.paragraph
        lines = self.break_lines(paragraph, protected)
        if not may_lose_a_line(lines, paragraph.setting):
            return None
        fewer = self.break_lines(paragraph, protected, tighter=True)
        if len(fewer) >= len(lines):
            return None
        return badness(fewer) - badness(lines)

    def flatten(
        self, element: ElementTree.Element, parents: dict, style_for: Callable, calls: dict
    ) -> Paragraph:
        """The paragraph's text as styled segments, or Uncomposable."""
        style = paragraph_style = style_for(element)
        first = style_for(element, "first-line")
        measure = self.measure(element, parents, style_for)
        indent = length(style["text_indent"], measure)
        before = style_for(element, "before")
        if (
            before
            and before["content"] not in ("normal", "none")
            and before["position"]
            in (
                "static",
                "relative",
            )
        ):
            raise Uncomposable("generated content before the paragraph")
        segments: list[Segment] = []
        position = 0

        def add_text(text: str, stack: tuple, style) -> None:
            nonlocal position
            if not text:
                return
            segments.append(
                Segment(
                    start=position,
                    text=text,
                    stack=stack,
                    key=self.shaper.run_key(style),
                    first_key=self.shaper.run_key(first_line(style, first, paragraph_style)),
                    hyphens=style["hyphens"] == "auto" and not in_abbr(stack),
                    inherits_spacing=style["letter_spacing"] == paragraph_style["letter_spacing"],
                    hyphen=style["hyphenate_character"],
                    language=style["lang"],
                    limits=tuple(style["hyphenate_limit_chars"]),
                )
            )
            position += len(text)

        def walk(node: ElementTree.Element, stack: tuple, node_style) -> None:
            nonlocal position
            add_text(node.text or "", stack, node_style)
            for child in node:
                if not isinstance(child.tag, str):
                    raise Uncomposable("a comment or processing instruction")
                child_style = style_for(child)
                if child in calls:
                    call = style_for(child, "footnote-call")
                    number = str(calls[child])
                    width = self.shaper.width(self.shaper.run_key(call), number) + length(
                        call["margin_left"], measure
                    )
                    segments.append(
                        Segment(position, OBJECT, stack, None, None, element=child, width=width)
                    )
                    position += 1
                elif child.tag == "wbr":
                    segments.append(Segment(position, OBJECT, stack, None, None, element=child))
                    position += 1
                else:
                    check_inline(child, child_style)
                    walk(child, (*stack, child), child_style)
                add_text(child.tail or "", stack, node_style)

        walk(element, (), style)
        text = "".join(segment.text for segment in segments)
        if len(text) > MOST_COMPOSED:
            raise Uncomposable(f"longer than {MOST_COMPOSED:,} characters")
        if any(no_spaces(char) for char in text):
            raise Uncomposable("text without spaces")
        if "\u00ad" in text:
            raise Uncomposable("soft hyphens")
        track = TRACKING * style["font_size"]
        opening = None
        if first is not None and first["letter_spacing"] != style["letter_spacing"]:
            opening = length(first["letter_spacing"], 0)
        opening_track = OPENING_TRACKING * style["font_size"] if opening is not None else None
        setting = Setting(measure, indent, track, opening, opening_track)
        opening = any(s.key != s.first_key for s in segments)
        return Paragraph(element, segments, setting, opening)

    def measure(self, element: ElementTree.Element, parents: dict, style_for: Callable) -> float:
        """The width of the paragraph's lines: the page's, less each enclosing box's edges."""
        chain = [element, *ancestors(element, parents)]
        width = self.page_width
        for box in reversed(chain):
            style = style_for(box)
            if style["float"] != "none" or style["position"] not in ("static", "relative"):
                raise Uncomposable("inside a float or a positioned box")
            if style["width"] != "auto":
                raise Uncomposable("inside a box of fixed width")
            edges = 0.0
            for side in ("left", "right"):
                margin = style[f"margin_{side}"]
                edges += 0 if margin == "auto" else length(margin, width)
                edges += length(style[f"padding_{side}"], width)
                edges += style[f"border_{side}_width"]
            width -= edges
        return width

    def break_lines(
        self, paragraph: Paragraph, protected: frozenset[str], tighter: bool = False
    ) -> list[Line]:
        """The paragraph's best lines: first without hyphens, then with, then anyhow; if
        `tighter`, the fewest lines it fits in. A paragraph set before (a second pass,
        another build) is set alike without a search."""
        signature = (paragraph.signature, protected, tighter)
        if signature in self.settled:
            lines, untracked = self.settled[signature]
            paragraph.untracked = list(untracked)
            return lines
        lines = (
            self.break_lines(paragraph, protected) if tighter else self.search(paragraph, protected)
        )
        if tighter:
            hyphenated = self.items(paragraph, protected, True)
            fewest = total_fit(hyphenated, paragraph.setting, MOST_STRETCH, TIGHTER_LINE_PENALTY)
            if fewest is not None and len(fewest) < len(lines):
                lines = fewest
        if len(self.settled) >= MOST_SETTLED:
            self.settled.clear()
        self.settled[signature] = (lines, tuple(paragraph.untracked))
        return lines

    def search(self, paragraph: Paragraph, protected: frozenset[str]) -> list[Line]:
        """The total-fit search of break_lines."""
        setting = paragraph.setting
        lines = total_fit(self.items(paragraph, protected, False), setting, PLAIN_STRETCH)
        if lines is None:
            hyphenated = self.items(paragraph, protected, True)
            lines = total_fit(hyphenated, setting, MOST_STRETCH)
            if lines is None:
                lines = total_fit(hyphenated, setting, math.inf)
        if lines is None:
            raise Uncomposable("a word is longer than the line")
        return lines

    def items(self, paragraph: Paragraph, protected: frozenset[str], hyphenate: bool) -> list:
        """Boxes, glue and penalties of the paragraph, widths in body and first-line styles;
        with the dictionary's hyphenation points if `hyphenate`."""
        items: list[Item] = []
        reach = self.hyphen_reach(paragraph) if hyphenate else 0.0
        for word in self.words(paragraph):
            if isinstance(word, Item):
                if items:
                    items.append(word)
                continue
            span = word[0]
            plain = paragraph.plain.get(span)
            if plain is None:
                plain = paragraph.plain[span] = self.word_items(paragraph, *word, protected, False)
            if not hyphenate:
                items.extend(plain)
            elif len(plain) == 1:
                (box,) = plain
                later = functools.partial(self.word_items, paragraph, *word, protected, True)
                items.append(
                    Item(
                        "box",
                        box.start,
                        box.end,
                        box.width,
                        box.first_width,
                        spaces=box.spaces,
                        letters=box.letters,
                        first_letters=box.first_letters,
                        space_width=box.space_width,
                        hyphenated=later,
                        reach=reach,
                    )
                )
            else:
                items.extend(self.word_items(paragraph, *word, protected, hyphenate))
        if items and items[-1].kind == "glue":
            items.pop()
        return items

    def one_box(
        self,
        paragraph: Paragraph,
        span: tuple[int, int],
        parts: list[tuple[Segment, int, int]],
        untracked: list[tuple[int, int]],
    ) -> list[Item] | None:
        """A word of one run with nothing to break it or space it inside (no hyphen, dash or
        no-break space) as its single box, made directly (most words: `word_items` starts
        here), or None for any other word."""
        if len(parts) != 1:
            return None
        (segment, low, high), text = parts[0], paragraph.text
        start, end = span
        if (
            segment.key is None
            or DASHES.search(text, start + 1, end - 1)
            or "\u00a0" in text[start:end]
        ):
            return None
        word = segment.text[low:high]
        width = self.shaper.width(segment.key, word)
        first_width = self.shaper.width(segment.first_key, word) if paragraph.opening else width
        spaced = high - low if segment.inherits_spacing else 0
        kept = sum(max(0, min(end, b) - max(start, a)) for a, b in untracked)
        box = Item(
            "box", start, end, width, first_width, letters=spaced - kept, first_letters=spaced
        )
        return [box]

    def hyphen_reach(self, paragraph: Paragraph) -> float:
        """The most a line ending inside a word can exceed the word's start-to-end width: the
        widest hyphen of the paragraph's runs, and some room for kerning across the break."""
        hyphens = [
            self.shaper.width(key, segment.hyphen)
            for segment in paragraph.segments
            if segment.key is not None
            for key in (segment.key, segment.first_key)
        ]
        return max(hyphens, default=0.0) + KERNING_ROOM

    def words(self, paragraph: Paragraph) -> list:
        """The paragraph's words (span, runs, runs keeping their ligatures) and the glue
        between them, found once for both passes."""
        if paragraph.pieces is not None:
            return paragraph.pieces
        text = paragraph.text
        pieces: list = []
        position = 0
        for space in [*WORD_SPACE.finditer(text), None]:
            end = space.start() if space else len(text)
            if end > position:
                parts = list(paragraph.segments_in(position, end))
                # Pango drops ligatures from letter-spaced text: such words are not spaced
                untracked = [
                    (segment.start + low, segment.start + high)
                    for segment, low, high in parts
                    if segment.key is not None
                    and self.shaper.ligature(segment.key, segment.text[low:high])
                ]
                paragraph.untracked.extend(untracked)
                pieces.append(((position, end), parts, untracked))
            if space is None:
                break
            (segment, low, high), *_ = paragraph.segments_in(space.start(), space.end())
            pieces.append(
                Item(
                    "glue",
                    space.start(),
                    space.end(),
                    self.shaper.width(segment.key, " "),
                    self.shaper.width(segment.first_key, " "),
                    letters=int(segment.inherits_spacing),
                    first_letters=int(segment.inherits_spacing),
                )
            )
            position = space.end()
        paragraph.pieces = pieces
        return pieces

    def word_items(
        self,
        paragraph: Paragraph,
        span: tuple[int, int],
        parts: list[tuple[Segment, int, int]],
        untracked: list[tuple[int, int]],
        protected: frozenset[str],
        hyphenate: bool,
    ) -> list[Item]:
        """A word as boxes between its break points (its hyphens, <wbr>s, hyphenation);
        `parts` are its runs, `untracked` its runs that keep their ligatures."""
        if not hyphenate and (box := self.one_box(paragraph, span, parts, untracked)):
            return box
        text = paragraph.text
        start, end = span
        breaks: dict[int, bool] = {}  # position -> flagged (prints as a hyphen)
        if DASHES.search(text, start + 1, end - 1):
            for index in range(start + 1, end - 1):
                char = text[index]
                if char in "-\u2010" and text[index - 1].isalpha() and text[index + 1].isalpha():
                    breaks[index + 1] = True
                elif char == "\u2014":
                    breaks[index + 1] = False
        for segment, low, _ in parts:
            if segment.element is not None and segment.element.tag == "wbr":
                breaks.setdefault(segment.start + low, False)
        addresses = set()  # breaks inside a web address, only where hyphens are allowed too
        if hyphenate:
            for position in self.hyphenation_points(paragraph, start, end, protected, parts):
                breaks.setdefault(position, True)
            for position in address_breaks(text[start:end]):
                if start + position not in breaks:
                    breaks[start + position] = False
                    addresses.add(start + position)
        cuts = sorted(p for p in breaks if start < p < end)
        known = (start, end, tuple((cut, breaks[cut]) for cut in cuts))
        if known in paragraph.words:  # set already in the pass without hyphenation
            return paragraph.words[known]
        items, previous = [], start
        # each box is the growth of the word's width up to its end, so that the boxes of a
        # word add up to the word as shaped whole (kerning and ligatures across a break)
        reached = first_reached = 0.0
        for cut in [*cuts, end]:
            spaces = text.count("\u00a0", previous, cut)
            pieces = list(clip(parts, previous, cut))
            spaced = sum(high - low for segment, low, high in pieces if segment.inherits_spacing)
            space_width = 0.0
            if spaces:
                segment = next(s for s, _, _ in pieces if s.key is not None)
                space_width = spaces * self.shaper.width(segment.key, "\u00a0")
            kept = (
                sum(max(0, min(cut, high) - max(previous, low)) for low, high in untracked)
                if untracked
                else 0
            )
            prefix = pieces if previous == start else list(clip(parts, start, cut))
            width = self.span_width(prefix, first=False) - reached
            first_width = (
                self.span_width(prefix, first=True) - first_reached if paragraph.opening else width
            )
            reached, first_reached = reached + width, first_reached + first_width
            items.append(
                Item(
                    "box",
                    previous,
                    cut,
                    width,
                    first_width,
                    spaces=spaces,
                    space_width=space_width,
                    letters=spaced - kept,
                    first_letters=spaced,
                )
            )
            if cut < end:
                added = breaks[cut] and text[cut - 1] not in "-\u2010"
                segment = pieces[-1][0]
                hyphen = (
                    (
                        self.shaper.width(segment.key, segment.hyphen),
                        self.shaper.width(segment.first_key, segment.hyphen),
                    )
                    if added
                    else (0.0, 0.0)
                )
                items.append(
                    Item(
                        "penalty",
                        cut,
                        cut,
                        *hyphen,
                        penalty=HYPHEN_PENALTY if breaks[cut] or cut in addresses else 0,
                        flagged=breaks[cut],
                    )
                )
            previous = cut
        paragraph.words[known] = items
        return items

    def hyphenation_points(
        self,
        paragraph: Paragraph,
        start: int,
        end: int,
        protected: frozenset[str],
        parts: list[tuple[Segment, int, int]],
    ) -> Iterator[int]:
        """Where the language's dictionary may hyphenate the word's letters."""
        text = paragraph.text
        for match in LETTERS.finditer(text, start, end):
            word = match.group()
            low = match.start()
            segments = list(clip(parts, low, low + len(word)))
            segment = segments[0][0]
            if not all(s.hyphens and s.language for s, _, _ in segments):
                continue
            total, left, right = segment.limits
            if len(word) < total or not hyphenatable(word, protected):
                continue
            dictionary = self.dictionary(segment.language, left, right)
            if dictionary is None:
                continue
            for position in dictionary.positions(word):
                yield low + position

    def dictionary(self, language: str, left: int, right: int) -> pyphen.Pyphen | None:
        """pyphen's dictionary for the language, as WeasyPrint finds it."""
        key = (language, left, right)
        if key not in self.dictionaries:
            found = pyphen.language_fallback(language)
            self.dictionaries[key] = found and pyphen.Pyphen(lang=found, left=left, right=right)
        return self.dictionaries[key]

    def span_width(self, pieces: list[tuple[Segment, int, int]], first: bool) -> float:
        """The width of a stretch of the flat text, each run in its own style."""
        width = 0.0
        for segment, low, high in pieces:
            if segment.key is None:
                width += segment.width
            else:
                key = segment.first_key if first else segment.key
                width += self.shaper.width(key, segment.text[low:high])
        return width


@dataclass(frozen=True)
class Composed:
    """A paragraph as the composer set it: its index among the document's paragraphs, its
    flattened text, how many lines it took, and whether it was set tighter."""

    index: int
    paragraph: Paragraph
    lines: int
    tighter: bool


@dataclass
class Composition:
    """A document with its justified paragraphs composed, those paragraphs by element, the
    words never hyphenated (authors' names, acronyms), and the index of each paragraph."""

    html: HTML
    paragraphs: dict[ElementTree.Element, Composed]
    protected: frozenset[str]
    indexes: dict[ElementTree.Element, int]  # every paragraph's, justified or not


def may_lose_a_line(lines: list[Line], setting: "Setting") -> bool:
    """Whether the paragraph's text, its spacing shrunk as far as it goes, could fit a line
    fewer: a bound that spares the search for most paragraphs (the last line's words, and
    the space before them, must fit into the others' shrink; a hyphen's width of slack)."""
    if len(lines) < 2:
        return False
    content = sum(line.natural for line in lines) - sum(line.shrink for line in lines)
    room = (len(lines) - 1) * setting.measure - setting.indent
    return content <= room + TIGHTER_SLACK * setting.measure


def badness(lines: list[Line]) -> float:
    """TeX's badness summed over a paragraph's lines."""
    return sum(100 * abs(line.ratio) ** 3 for line in lines)


@dataclass(slots=True)
class Node:
    """A feasible break of Knuth and Plass's algorithm, with the best way to reach it."""

    position: int  # the index of the break item (len(items): the paragraph's end)
    after: int  # the index of the next line's first box
    fitness: int
    run: int  # hyphenated lines in a row ending here
    demerits: float
    previous: "Node | None"
    ratio: float = 0.0
    width: float = 0.0


@dataclass(frozen=True)
class Setting:
    """A paragraph's measure, first-line indent, letter-spacing a letter at ratio 1, and the
    letter-spacing its ::first-line sets (None if none: the opening line is then plain)."""

    measure: float
    indent: float
    track: float
    opening_spacing: float | None = None
    opening_track: float | None = None  # small caps take more letter-spacing than lowercase


def total_fit(
    items: list[Item], setting: Setting, most: float, line_penalty: float = LINE_PENALTY
) -> list[Line] | None:
    """Knuth and Plass's breaks: the lines of least total demerits, or None if none fit.
    A large `line_penalty` asks for the fewest lines first (TeX's negative looseness).

    Active nodes are kept per break position, fitness class and hyphenated lines in a row, so
    three hyphens in a row are excluded outright. The first line (indented, possibly in
    small caps) uses the items' first-line widths. Besides its spaces, a line may stretch or
    shrink by letter-spacing.
    """
    measure, indent, track = setting.measure, setting.indent, setting.track
    items = list(items)  # words are hyphenated below, where a line may end inside them
    widths, glues, letters = [0.0], [0.0], [0]
    for item in items:
        widths.append(widths[-1] + (item.width if item.kind != "penalty" else 0.0))
        glues.append(glues[-1] + (item.width if item.kind == "glue" else item.space_width))
        letters.append(letters[-1] + item.letters)
    first_widths, first_glues, first_letters = [0.0], [0.0], [0]
    for item in items:
        if first_widths[-1] > 2 * measure:
            break
        first_widths.append(first_widths[-1] + (item.first_width if item.kind != "penalty" else 0))
        first_letters.append(first_letters[-1] + item.first_letters)
        first_glues.append(
            first_glues[-1] + (item.first_width if item.kind == "glue" else item.space_width)
        )

    def opening_sums(end: int) -> tuple[float, float, float]:
        """The first line's natural width, stretchability and shrinkability up to `end`
        (those of the other lines are written out where they are needed: it is the search's
        innermost loop)."""
        if end >= len(first_widths):
            return math.inf, 0.0, 0.0
        natural, glue = first_widths[end], first_glues[end]
        if setting.opening_track is None:
            tracking = track * first_letters[end]
            return natural, STRETCH * glue + tracking, SHRINK * glue + TRACKING_SHRINK * tracking
        tracking = setting.opening_track * first_letters[end]
        return natural, tracking, SHRINK * glue + TRACKING_SHRINK * tracking

    def may_end_inside(index: int) -> bool:
        """Whether a line from an active node could end inside the word at `index`: not too
        long at the word's start, not too short at its end with a hyphen (a bound, so that
        the words left whole change no break)."""
        reach = items[index].reach
        for node in active:
            if node.position < 0:
                natural, _, _ = opening_sums(index)
                whole, stretchable, shrinkable = opening_sums(index + 1)
                line_width = measure - indent
            else:
                after = node.after
                natural = widths[index] - widths[after]
                whole = widths[index + 1] - widths[after]
                glue = glues[index + 1] - glues[after]
                tracking = track * (letters[index + 1] - letters[after])
                stretchable = STRETCH * glue + tracking
                shrinkable = SHRINK * glue + TRACKING_SHRINK * tracking
                line_width = measure
            if natural - line_width > shrinkable:
                continue  # too long even before the word
            if most == math.inf or line_width - whole - reach <= most * stretchable:
                return True
        return False

    def hyphenate(index: int) -> None:
        """Put the word at `index` in as its pieces; the sums before and after it stay."""
        pieces = items[index].hyphenated()
        items[index : index + 1] = pieces
        inner = pieces[:-1]
        spaced = [(item.width if item.kind != "penalty" else 0.0) for item in inner]
        insert_sums(widths, index, spaced)
        insert_sums(glues, index, [item.space_width for item in inner])
        insert_sums(letters, index, [item.letters for item in inner])
        if len(first_widths) > index + 1:
            spaced = [(item.first_width if item.kind != "penalty" else 0.0) for item in inner]
            insert_sums(first_widths, index, spaced)
            insert_sums(first_glues, index, [item.space_width for item in inner])
            insert_sums(first_letters, index, [item.first_letters for item in inner])

    def next_box(index: int) -> int:
        """The index of the first box at or after `index` (or the end)."""
        while index < len(items) and items[index].kind != "box":
            index += 1
        return index

    start = Node(-1, 0, 1, 0, 0.0, None)
    active: list[Node] = [start]
    index = -1
    while index < len(items):
        index += 1
        last = index == len(items)
        if not last:
            item = items[index]
            if item.kind == "box":
                if item.hyphenated is not None and may_end_inside(index):
                    hyphenate(index)
                continue
            if item.kind == "glue" and items[index - 1].kind != "box":
                continue
        penalty_item = None if last or items[index].kind != "penalty" else items[index]
        best: dict[tuple[int, int], Node] = {}
        survivors = []
        for node in active:
            if node.position < 0:
                natural, stretchable, shrinkable = opening_sums(index)
                line_width = measure - indent
                if penalty_item is not None:
                    natural += penalty_item.first_width
            else:
                after = node.after
                natural = widths[index] - widths[after]
                glue = glues[index] - glues[after]
                tracking = track * (letters[index] - letters[after])
                stretchable = STRETCH * glue + tracking
                shrinkable = SHRINK * glue + TRACKING_SHRINK * tracking
                line_width = measure
                if penalty_item is not None:
                    natural += penalty_item.width
            if natural > line_width:
                ratio = (line_width - natural) / shrinkable if shrinkable else -math.inf
            elif last:
                ratio = 0.0
            else:
                ratio = (line_width - natural) / stretchable if stretchable else math.inf
            if ratio < -1:
                continue  # too long now, and for every later break
            survivors.append(node)
            if ratio > most:
                continue
            flagged = penalty_item is not None and penalty_item.flagged
            run = node.run + 1 if flagged else 0
            if run > MOST_HYPHENS_IN_A_ROW:
                continue
            badness = 100 * abs(ratio) ** 3
            demerits = (line_penalty + badness) ** 2
            if penalty_item is not None:
                demerits += penalty_item.penalty**2
            if flagged and node.run:
                demerits += DOUBLE_HYPHEN_DEMERITS
            if last and node.run:
                demerits += FINAL_HYPHEN_DEMERITS
            fitness = fitness_class(ratio)
            if abs(fitness - node.fitness) > 1 and node.position >= 0:
                demerits += ADJACENT_DEMERITS
            if last and natural < SHORT_LAST_LINE * line_width and node.position >= 0:
                demerits += SHORT_LAST_DEMERITS
            total = node.demerits + demerits
            key = (fitness, run)
            if key not in best or total < best[key].demerits:
                best[key] = Node(
                    index, next_box(index + 1), fitness, run, total, node, ratio, natural
                )
        active = survivors + list(best.values())
        if not active:
            return None
    count = len(items)
    finals = [node for node in active if node.position == count]
    if not finals:
        return None
    return lines_of(min(finals, key=lambda node: node.demerits), items, setting)


def insert_sums(sums: list, index: int, values: list) -> None:
    """Insert after sums[index] the running sums of `values` from it (the pieces of a word)."""
    running, inner = sums[index], []
    for value in values:
        running += value
        inner.append(running)
    sums[index + 1 : index + 1] = inner


def fitness_class(ratio: float) -> int:
    """TeX's classes: 0 tight, 1 decent, 2 loose, 3 very loose."""
    if ratio < -0.5:
        return 0
    if ratio <= 0.5:
        return 1
    if ratio <= 1:
        return 2
    return 3


def lines_of(node: Node, items: list[Item], setting: Setting) -> list[Line]:
    """The lines along the chain of breaks ending at `node`."""
    chain = []
    while node.previous is not None:
        chain.append(node)
        node = node.previous
    chain.reverse()
    lines, start = [], 0
    for number, node in enumerate(chain):
        end = items[node.position].start if node.position < len(items) else items[-1].end
        box_start = items[start].start if start < len(items) else end
        line_width = setting.measure - (setting.indent if number == 0 else 0.0)
        inside = items[start : node.position]
        gaps = sum(item.spaces + (item.kind == "glue") for item in inside)
        letters = sum(item.first_letters if number == 0 else item.letters for item in inside)
        glue = sum(
            (item.first_width if number == 0 else item.width)
            if item.kind == "glue"
            else item.space_width
            for item in inside
        )
        last = node.position == len(items)
        spacing = tracking = None
        track = (number == 0 and setting.opening_track) or setting.track
        shrink = SHRINK * glue + TRACKING_SHRINK * track * letters
        if (not last or node.width > line_width) and gaps:
            # letter-spacing never past what MOST_STRETCH allows; the spaces take the rest
            tracking = min(node.ratio, MOST_STRETCH) * track
            if node.ratio < 0:
                tracking *= TRACKING_SHRINK
            spacing = (line_width - SLACK - node.width - tracking * letters) / gaps
        hyphen = (
            not last and items[node.position].kind == "penalty" and items[node.position].width > 0
        )
        ratio = 0.0 if last else node.ratio
        lines.append(Line(box_start, end, hyphen, spacing, tracking, ratio, node.width, shrink))
        start = node.after
    return lines


def impose(paragraph: Paragraph, lines: list[Line]) -> None:
    """Rebuild the paragraph as one nowrap span per line, each followed by a forced break."""
    element = paragraph.element
    for child in list(element):
        element.remove(child)
    element.text = None
    element.set("class", " ".join(filter(None, (element.get("class"), "composed"))))
    named: set[int] = set()  # elements whose id has been given to a copy already
    for number, line in enumerate(lines):
        opening = number == 0 and paragraph.setting.opening_spacing is not None
        span = ElementTree.SubElement(element, "span", {"class": "line"})
        word = None if line.word_spacing is None else f"{line.word_spacing:.3f}"
        letter = None
        if opening:
            span.set("class", "line opening")
            letter = f"{paragraph.setting.opening_spacing + (line.letter_spacing or 0.0):.4f}"
        elif line.letter_spacing:
            letter = f"{line.letter_spacing:.4f}"
        declare_spacing(span, word, letter)
        opened: list[tuple[ElementTree.Element, ElementTree.Element]] = []
        for segment, low, high in paragraph.segments_in(line.start, line.end):
            depth = 0
            while (
                depth < len(opened)
                and depth < len(segment.stack)
                and opened[depth][0] is segment.stack[depth]
            ):
                depth += 1
            del opened[depth:]
            for original in segment.stack[depth:]:
                parent = opened[-1][1] if opened else span
                attributes = dict(original.attrib)
                if "id" in attributes and id(original) in named:
                    del attributes["id"]
                named.add(id(original))
                opened.append((original, ElementTree.SubElement(parent, original.tag, attributes)))
            parent = opened[-1][1] if opened else span
            if segment.element is not None:
                moved = segment.element
                moved.tail = None
                parent.append(moved)
            elif line.letter_spacing and not opening:
                start = segment.start
                for low_part, high_part, kept in paragraph.tracking_parts(
                    start + low, start + high
                ):
                    text = WORD_SPACE.sub(" ", paragraph.text[low_part:high_part])
                    if kept:
                        ElementTree.SubElement(parent, "span", {"class": "ligature"}).text = text
                    else:
                        append_text(parent, text)
            else:
                append_text(parent, WORD_SPACE.sub(" ", segment.text[low:high]))
        if line.hyphen:
            append_text(deepest(span), hyphen_of(paragraph, line.end))
        if number < len(lines) - 1:
            span.tail = "\n"  # a forced break: composed paragraphs keep newlines (pre-line)


def deepest(element: ElementTree.Element) -> ElementTree.Element:
    """The innermost last element, where a line's last character sits."""
    while (
        len(element)
        and element[-1].tag not in ("br", "wbr")
        and "footnote" not in (element[-1].get("class") or "")
    ):
        if element[-1].tail:
            break
        element = element[-1]
    return element


def hyphen_of(paragraph: Paragraph, position: int) -> str:
    """The hyphenation character of the run that ends at `position`."""
    segment = next(s for s, _, _ in paragraph.segments_in(position - 1, position))
    return segment.hyphen


def append_text(element: ElementTree.Element, text: str) -> None:
    """Add text after the element's last child (or inside it when it has none)."""
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def first_line(style, first, paragraph_style):
    """The style of a run on the opening line: what the ::first-line rule changes, where the
    run inherits it (the composer sets that line as a span of class "opening", styled alike)."""
    if first is None:
        return style
    changed = style.copy()
    for name in FIRST_LINE_PROPERTIES:
        if first[name] != paragraph_style[name] and style[name] == paragraph_style[name]:
            changed[name] = first[name]
    return changed


FIRST_LINE_PROPERTIES = (
    "font_variant_caps",
    "letter_spacing",
    "font_size",
    "font_weight",
    "font_style",
    "word_spacing",
    "font_variant_numeric",
)


def check_inline(element: ElementTree.Element, style) -> None:
    """Raise Uncomposable unless the element is plain inline text we can measure."""
    if element.tag in ("br", "img", "svg", "math", "object", "input", "button"):
        raise Uncomposable(f"a <{element.tag}> inside")
    if style["display"] != ("inline", "flow") or style["float"] != "none":
        raise Uncomposable(f"a <{element.tag}> that is not plain inline")
    if style["position"] not in ("static", "relative") or style["text_transform"] != "none":
        raise Uncomposable(f"a positioned or transformed <{element.tag}>")
    for side in ("left", "right"):
        if length(style[f"margin_{side}"], 0) or length(style[f"padding_{side}"], 0):
            raise Uncomposable(f"a <{element.tag}> with margins or padding")
        if style[f"border_{side}_width"]:
            raise Uncomposable(f"a <{element.tag}> with a border")
    if style["white_space"] != "normal":
        raise Uncomposable(f"a <{element.tag}> with white-space {style['white_space']}")


def length(value, reference: float) -> float:
    """A computed length or percentage in px."""
    if value == "auto" or value is None:
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    if value.unit == "%":
        return value.value * reference / 100
    return float(value.value)


def pango_width(text: str, style) -> float:
    """The width WeasyPrint's Pango layout gives `text` in `style` (fonts found by fallback)."""
    layout = create_layout(text, style, None, None, 0)
    line, _ = layout.get_first_line()
    return line_size(line, style)[0]


def clip(
    parts: list[tuple[Segment, int, int]], start: int, end: int
) -> Iterator[tuple[Segment, int, int]]:
    """The runs of `parts` (segment, low, high) cut to the flat-text span [start, end)."""
    for segment, low, high in parts:
        low, high = max(low, start - segment.start), min(high, end - segment.start)
        if low < high:
            yield segment, low, high


def ancestors(element: ElementTree.Element, parents: dict) -> Iterator[ElementTree.Element]:
    """The element's ancestors, nearest first."""
    while element in parents:
        element = parents[element]
        yield element


def in_abbr(stack: tuple) -> bool:
    """Acronyms (<abbr>) are never hyphenated."""
    return any(element.tag == "abbr" for element in stack)


def hyphenatable(word: str, protected: frozenset[str]) -> bool:
    """A word the dictionary may hyphenate: no acronym, capitalised compound or author name."""
    if word.lower() in protected:
        return False
    return not any(char.isupper() for char in word[1:])


def address_breaks(word: str) -> list[int]:
    """Where a long word that reads as a web address may break, as URLs do (url_pieces)."""
    if len(word) < LONG_TOKEN or not URL_LIKE.search(word):
        return []
    ends = list(itertools.accumulate(map(len, url_pieces(word))))
    return ends[:-1]


def no_spaces(char: str) -> bool:
    """A character of a script written without spaces between words (left to WeasyPrint)."""
    if ord(char) < 0x0E00:
        return False
    name = unicodedata.name(char, "")
    return any(script in name for script in NO_SPACES_SCRIPTS)


def author_words(root: ElementTree.Element) -> frozenset[str]:
    """The words of the authors' names (the PDF's author metadata), never hyphenated."""
    words = set()
    for meta in root.iter("meta"):
        if meta.get("name") == "author":
            words.update(re.findall(r"[^\W\d_]+", (meta.get("content") or "").lower()))
    for element in root.iter():
        classes = (element.get("class") or "").split()
        if {"authors", "text-authors", "signer-name", "editor"} & set(classes):
            words.update(re.findall(r"[^\W\d_]+", "".join(element.itertext()).lower()))
    return frozenset(words)


def footnote_numbers(root: ElementTree.Element, style_for: Callable) -> dict:
    """Each footnote's number, as the footnote counter counts it (reset where CSS says)."""
    numbers, counter = {}, 0
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        classes = (element.get("class") or "").split()
        resets = element.tag in ("section", "main", "div", "article", "body") and any(
            name == "footnote" for name, _ in style_for(element)["counter_reset"]
        )
        if resets:
            counter = 0
        if "footnote" in classes and style_for(element)["float"] == "footnote":
            counter += 1
            numbers[element] = counter
    return numbers
