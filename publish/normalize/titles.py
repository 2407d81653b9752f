"""Headline case for titles that were set in capitals, and byline name lists."""

import re

from titlecase import titlecase

# Prepositions and conjunctions Chicago style keeps lowercase beyond titlecase's own list.
SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "en",
        "for",
        "from",
        "if",
        "in",
        "into",
        "nor",
        "of",
        "off",
        "on",
        "onto",
        "or",
        "per",
        "so",
        "than",
        "the",
        "to",
        "up",
        "upon",
        "via",
        "vs",
        "with",
        "yet",
    ]
)


def is_shouting(text: str) -> bool:
    """Mostly capital letters: a headline set in caps, not a title."""
    letters = list(filter(str.isalpha, text))
    return len(letters) >= 4 and sum(map(str.isupper, letters)) / len(letters) > 0.8


def headline_case(text: str, acronyms: frozenset[str] = frozenset()) -> str:
    """Title case for a headline in capitals; known acronyms stay in capitals."""

    acronyms = acronyms | {word for word in re.findall(r"[^\W\d_]+", text) if is_acronym(word)}

    def keep(word: str, **_: object) -> str | None:
        bare = word.strip("\"'“”‘’()[]:;,!?")
        if re.fullmatch(r"(?:[^\W\d_]\.){2,}", bare) or bare.rstrip(".").upper() in acronyms:
            return word.upper()
        if word.lower() in SMALL_WORDS:
            return word.lower()
        return None

    cased = titlecase(text.lower(), callback=keep)
    return cased[:1].upper() + cased[1:]


# English words whose only vowel is a Y: WHY in a headline is a word, NYC an acronym.
Y_WORDS = frozenset(
    "by my why fly try spy sky shy dry cry fry gym myth hymn lynx rhythm sly ply pry wry "
    "crypt lymph nymph spry sync psych myrrh tryst".split()
)


def is_acronym(word: str) -> bool:
    """A word in capitals with no vowel (NYC, TV) cannot be a word: it is an acronym."""
    return (
        len(word) >= 2
        and word.isupper()
        and not re.search(r"[AEIOU]", word)
        and word.lower() not in Y_WORDS
    )


def split_names(text: str) -> list[str]:
    """'A, B and C' or 'A & B' as a list of names."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(".")
    parts = re.split(r",\s*(?:and\s+|&\s*)?|\s+(?:and|und|et|y|&)\s+", text, flags=re.I)
    return [part.strip() for part in parts if part.strip()]
