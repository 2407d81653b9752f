"""Typography: curly quotes and apostrophes, dashes, ellipses, single spaces.

Runs last, on prose only: URLs, code, HTML and footnote labels are shielded first (see
inline.py), and spelling is never touched. Each rule names the case it must not break.
"""

import re
from dataclasses import dataclass

from publish.normalize.blocks import VERBATIM, Block
from publish.normalize.inline import shield
from publish.normalize.report import Entry

# Characters after which a quote mark opens rather than closes.
OPENERS = set(" \t\n([{<—–-/‘“«\u00a0")
# Elisions that start with an apostrophe, not an opening quote ('tis, '90s, rock 'n' roll).
ELISION = re.compile(r"(?:\d\d(?:s|\b)|tis\b|twas\b|em\b|n['’]|cause\b|til\b|bout\b)", re.I)
MARKS = "*_"
STRAIGHT_QUOTE = re.compile("[\"']")
MAX_ROUNDS = 4

# What may stand on either side of a spaced dash: a word, punctuation or a quote, or an
# emphasis marker touching one (a closing marker after a word, an opening one before).
BEFORE_DASH = r"(?:(?<=[\w.,;:!?”’)\"'])|(?<=[\w.,;:!?”’)\"'][*_])|(?<=[\w.,;:!?”’)\"'][*_]{2}))"
AFTER_DASH = r"(?=[*_]{0,2}[\w“‘(\"'])"

RULES: list[tuple[re.Pattern[str], str]] = [
    # Two or three hyphens are a dash; not the arrows and comments of HTML (--> <!--).
    (re.compile(r"(?<![-!<])-{2,3}(?![->])"), "—"),
    # A hyphen with a space on both sides stands for a dash; not at a line's start (lists).
    (re.compile(r"(?<=\S)[ \t]+-[ \t]+(?=\S)"), " — "),
    # Em dashes between words get one space on each side (the prevailing scraped style);
    # not before closing punctuation or quotes (interrupted speech: "but—”), not at the start.
    (re.compile(BEFORE_DASH + r"[ \t]*—[ \t]*" + AFTER_DASH), " — "),
    # Three dots (or spaced dots) are one ellipsis character.
    (re.compile(r"(?<!\.)\.(?: ?\.){2}(?!\.)"), "…"),
    # Runs of spaces inside a line are one space; indentation is Markdown and stays.
    (re.compile(r"(?<=\S)[ \t]{2,}(?=\S)"), " "),
]


@dataclass(frozen=True)
class QuoteStyle:
    """A language's quotation marks: double and single, opening and closing."""

    double: tuple[str, str]
    single: tuple[str, str]


# English (and the default), German, French (guillemets with narrow no-break spaces inside).
QUOTE_STYLES = {
    "en": QuoteStyle(("“", "”"), ("‘", "’")),
    "de": QuoteStyle(("„", "“"), ("‚", "‘")),
    "fr": QuoteStyle(("«\u202f", "\u202f»"), ("“", "”")),
}


# German and French set a spaced en dash (Gedankenstrich, tiret demi-cadratin) where English
# sets a spaced em dash; only dashes between spaces change, not an unspaced "but—”.
SPACED_EN_DASH_LANGUAGES = {"de", "fr"}
SPACED_EM_DASH = re.compile(" — ")


def primary_language(language: str | None) -> str:
    return (language or "en").split("-")[0].lower()


def quote_style(language: str | None) -> QuoteStyle:
    return QUOTE_STYLES.get(primary_language(language), QUOTE_STYLES["en"])


def smarten(text: str, language: str | None = None) -> str:
    """Typographic quotes, dashes, ellipses and spacing for one block of Markdown."""
    protected = shield(text)
    if protected is None:
        return text  # too many code spans and URLs to tell prose from: left as written
    shielded = protected.text
    for _ in range(MAX_ROUNDS):  # a rule's output can feed another: run to a fixed point
        before = shielded
        for pattern, replacement in RULES:
            shielded = pattern.sub(replacement, shielded)
        if shielded == before:
            break
    if primary_language(language) in SPACED_EN_DASH_LANGUAGES:
        shielded = SPACED_EM_DASH.sub(" – ", shielded)
    shielded = curl_quotes(shielded, quote_style(language), frozenset(protected.spans))
    return protected.unshield(shielded)


def curl_quotes(
    text: str, style: QuoteStyle = QUOTE_STYLES["en"], placeholders: frozenset[str] = frozenset()
) -> str:
    """Straight quotes become the language's marks: opening after space or brackets, closing
    elsewhere. A single quote after a letter is an apostrophe (’) unless it closes one the
    text opened; marks already typographic are left alone."""
    out: list[str] = []
    single_open = False
    position = 0
    for quote in STRAIGHT_QUOTE.finditer(text):
        index, char = quote.start(), quote.group()
        out.append(text[position:index])
        position = index + 1
        before = previous_char(text, index, placeholders)
        opening = before is None or before in OPENERS
        if char == '"':
            out.append(style.double[0] if opening else style.double[1])
        elif opening and not ELISION.match(text, index + 1):
            after = text[index + 1 : index + 2]
            single_open = bool(after) and not after.isspace()
            out.append(style.single[0] if single_open else "’")
        elif single_open and not text[index + 1 : index + 2].isalpha():
            out.append(style.single[1])
            single_open = False
        else:
            out.append("’")
    out.append(text[position:])
    return "".join(out)


def previous_char(chars: str, index: int, placeholders: frozenset[str]) -> str | None:
    """The character before a quote, looking through emphasis markers."""
    position = index - 1
    while position >= 0 and chars[position] in MARKS:
        position -= 1
    if position < 0:
        return None
    char = chars[position]
    return "x" if char in placeholders else char


def run(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Smarten every prose block and the front matter's prose; report each block changed."""
    result, entries = [], []
    for block in blocks:
        if block.kind in VERBATIM or block.kind == "quote":
            result.append(block)
            continue
        text = smarten_lines(block.text, meta.get("language"))
        if text != block.text:
            entries.append(Entry("t-typography", block.line, describe(block.text, text)))
        result.append(block.with_text(text))
    return result, smarten_meta(meta), entries


def describe(before: str, after: str) -> str:
    """What smartening changed in a block: '3 quotes, 1 dash, 1 ellipsis'."""
    counts = (
        (sum(before.count(c) - after.count(c) for c in "\"'"), "quote", "quotes"),
        (new_dashes(before, after), "dash", "dashes"),
        (after.count("…") - before.count("…"), "ellipsis", "ellipses"),
    )
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n > 0]
    return "typography: " + (", ".join(parts) if parts else "spacing")


def new_dashes(before: str, after: str) -> int:
    """Dashes smartening made: em dashes, and the spaced en dashes of German and French."""
    return sum(max(0, after.count(dash) - before.count(dash)) for dash in ("—", " – "))


def smarten_lines(text: str, language: str | None = None) -> str:
    """Smarten a block line by line, so list markers and indentation stay as they are."""
    return "\n".join(smarten_line(line, language) for line in text.split("\n"))


def smarten_line(line: str, language: str | None = None) -> str:
    match = re.match(r"^(\s*(?:#{1,6}\s+|[-*+]\s+|\d{1,9}[.)]\s+|\[\^[^\]]+\]:\s*)?)", line)
    prefix = match.group(1)
    return prefix + smarten(line[len(prefix) :], language)


def smarten_meta(meta: dict) -> dict:
    """The front matter's prose smartened like the body, in the text's language."""
    meta = dict(meta)

    def fix(value: object) -> str:
        return smarten(str(value), meta.get("language"))

    for key in ("title", "subtitle", "note"):
        if isinstance(meta.get(key), str):
            meta[key] = fix(meta[key])
    for key in ("authors", "published"):
        if isinstance(meta.get(key), list):
            meta[key] = [fix(item) for item in meta[key]]
    signature = meta.get("signature")
    if isinstance(signature, dict):
        meta["signature"] = {
            "closing": fix(signature.get("closing", "")),
            "names": [fix(name) for name in signature.get("names", [])],
        }
    return meta
