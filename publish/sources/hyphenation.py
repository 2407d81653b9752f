"""Words broken at a line end: re-joined only where the hyphen was the typesetter's.

A PDF keeps the hyphen of "neighbour-/hood" (hyphenation) and of "co-/workers" (a compound
that happened to break there) alike. The evidence, strongest first:
- the rest of the text spells the word one way ("co-workers" or "coworkers" mid-line);
- a capital or a digit after the break ("anti-/American", "COVID-/19"), or a linking word
  hyphenated on ("rank-/and-file", "day-/to-day"), belongs to a compound: the hyphen stays;
- the hyphenation dictionaries of the text's language (pyphen; every regional variant, since
  the typesetter's may be either) allow a break there: the typesetter's hyphen, so the word
  is joined, unless the first part is a prefix that English
  hyphenates as a compound ("co-", "self-"), where the hyphen stays and the report says so;
- a break the dictionary does not allow was the text's own hyphen.
"""

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import pyphen

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Prefixes joined to a word with a hyphen, which dictionaries also allow as break points.
COMPOUND_PREFIXES = frozenset(
    {"co", "self", "ex", "non", "anti", "pre", "post", "semi", "multi", "well", "half", "all"}
)
# Short words that link the parts of a hyphenated compound ("mother-in-law", "up-to-date").
LINKING_WORDS = frozenset({"a", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to"})


@dataclass(frozen=True)
class Decision:
    """How a line-end hyphen was read: the text across the break, and whether it is a doubt."""

    text: str  # the end of the first line and the start of the next, as they read now
    joined: bool
    doubt: bool
    word: str  # the word as written now, for the report


def known_words(lines: list[str]) -> Counter[str]:
    """The words of a text as written inside its lines (a line-end fragment is not a word)."""
    counts: Counter[str] = Counter()
    for line in lines:
        words = WORD.findall(line.rstrip())
        if line.rstrip().endswith("-") and words:
            words = words[:-1]
        counts.update(word.casefold() for word in words[1:])  # the first may end a word
    return counts


def join_break(before: str, after: str, known: Counter[str], language: str) -> Decision | None:
    """Read the hyphen that ends `before` (the line) given `after` (the next line's start).

    Returns None when `before` does not end in a hyphen after a letter.
    """
    head = re.search(r"([^\W\d_]+(?:-[^\W\d_]+)*)-$", before)
    if head is None:
        return None
    tail = re.match(r"[^\s]+", after)
    left_token, right_token = head[1], tail[0] if tail else ""
    right_word = re.match(r"[^\W\d_]*", right_token)[0]
    left_word = left_token.rsplit("-", 1)[-1]
    kept = f"{left_token}-{right_word}"
    joined = f"{left_token}{right_word}"
    keep = Decision(text=f"{before}{after}", joined=False, doubt=False, word=kept)
    join = Decision(text=f"{before[:-1]}{after}", joined=True, doubt=False, word=joined)
    if not right_word or not right_word[0].islower():
        return keep
    if "-" in right_token and right_word.casefold() in LINKING_WORDS:
        return keep
    as_kept, as_joined = (
        known[f"{left_token}-{right_word}".casefold()],
        known[f"{left_token}{right_word}".casefold()],
    )
    if as_kept != as_joined:
        return keep if as_kept > as_joined else join
    if "-" in left_token and len(left_word) <= 3:
        return keep  # "one-on-/one": a short word inside a compound
    if len(left_word) not in hyphenation_points(f"{left_word}{right_word}", language):
        return keep
    if left_word.casefold() in COMPOUND_PREFIXES:
        return Decision(text=keep.text, joined=False, doubt=True, word=kept)
    return join


def hyphenation_points(word: str, language: str) -> set[int]:
    """Where any dictionary of the language would break a word (none for a language pyphen
    does not have)."""
    return {
        point
        for dictionary in dictionaries_for(language.split("-")[0].casefold())
        for point in dictionary.positions(word.casefold())
    }


@cache
def dictionaries_for(primary: str) -> tuple[pyphen.Pyphen, ...]:
    """pyphen's dictionaries for a language and its regional variants ("en": en_GB, en_US)."""
    codes = sorted(code for code in pyphen.LANGUAGES if code.split("_")[0] == primary)
    return tuple(pyphen.Pyphen(lang=code) for code in codes)
