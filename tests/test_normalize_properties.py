"""Invariants of the normalizer on generated scrapes: nothing lost, and idempotent.

The scrapes carry the damage a fuzzing run found (issue 14): nested and emptied placeholder
links, malformed link hosts, emphasis against dashes and quotes, `>>` and deeply nested
quotations, literal private-use characters, noncharacters and raw list items.
"""

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publish import frontmatter
from publish.normalize import normalize
from publish.sources import Draft

WORDS = st.sampled_from(
    "the ISO we organize union rent Draper wrote said continues that task "
    "McNally U.S. landlord building 2019 March 21 one Ça éclair naïve".split()
)
PUNCT = st.sampled_from(
    ["", ",", ".", ":", "...", "--", " - ", '"', "'", "*", "**", "?", ";", "—*'", "-*", "*—"]
)
MALFORMED = st.sampled_from(["http://[^^]/x", "http://[zz::1]/x", "https://ex..ample.org/x"])
ODD = st.sampled_from(["\ue000", "\ue001", "\ufffe", "\uffff", "&#xFFFE;", "<li>x</li>", "[](#)"])
TOKEN = st.one_of(
    WORDS,
    st.tuples(WORDS, PUNCT).map("".join),
    st.tuples(PUNCT, WORDS).map("".join),
    WORDS.map(lambda w: f"[{w}](#)"),
    WORDS.map(lambda w: f"[{w}](https://example.org/{w.lower()})"),
    WORDS.map(lambda w: f"*{w}*"),
    WORDS.map(lambda w: f"[[{w}]()](#)"),
    st.tuples(WORDS, MALFORMED).map(lambda pair: f"[{pair[0]}]({pair[1]})"),
    MALFORMED.map(lambda url: f"<{url}>"),
    WORDS.map(lambda w: f"`{w}`"),
    ODD,
)
PARAGRAPH = st.lists(TOKEN, min_size=1, max_size=25).map(" ".join)
PREFIX = st.sampled_from(["", "", "", "> ", ">> ", "> > > > > ", "## ", "- ", "1. "])
BLOCK = st.tuples(PREFIX, PARAGRAPH).map("".join)
DOCUMENT = st.lists(BLOCK, min_size=1, max_size=8).map("\n\n".join)


def draft(text: str, kind: str = "text") -> Draft:
    return Draft(path=Path("generated.txt"), kind=kind, body=text + "\n")


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def again(text: str) -> str:
    meta, body, first_line = frontmatter.split(text)
    return normalize(
        Draft(
            path=Path("generated.md"), kind="markdown", body=body, meta=meta, first_line=first_line
        )
    ).text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_no_word_is_lost(text):
    targets = {"https", "http", "example", "org", "ex", "ample", "zz", "x", "1", "xfffe"}
    assert words(text) - targets <= words(normalize(draft(text)).text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_normalizing_twice_changes_nothing(text):
    once = normalize(draft(text)).text
    assert again(once) == once


def curled_one_by_one(text: str, style, placeholders: frozenset[str]) -> str:
    """curl_quotes as it was first written, a character at a time: the reference."""
    from publish.normalize.typography import ELISION, OPENERS, previous_char

    out: list[str] = []
    single_open = False
    for index, char in enumerate(text):
        if char not in "\"'":
            out.append(char)
            continue
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
    return "".join(out)


@given(
    st.text(alphabet="ab '\"*_(\n—t9s\ue000", max_size=60),
    st.sampled_from(["en", "de", "fr"]),
)
def test_quotes_are_curled_as_a_character_at_a_time(text: str, language: str) -> None:
    from publish.normalize.typography import QUOTE_STYLES, curl_quotes

    style = QUOTE_STYLES[language]
    placeholders = frozenset("\ue000")
    assert curl_quotes(text, style, placeholders) == curled_one_by_one(text, style, placeholders)
