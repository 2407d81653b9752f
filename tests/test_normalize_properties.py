"""Invariants of the normalizer on generated scrapes: nothing lost, and idempotent."""

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
PUNCT = st.sampled_from(["", ",", ".", ":", "...", "--", " - ", '"', "'", "*", "**", "?", ";"])
TOKEN = st.one_of(
    WORDS,
    st.tuples(WORDS, PUNCT).map("".join),
    st.tuples(PUNCT, WORDS).map("".join),
    WORDS.map(lambda w: f"[{w}](#)"),
    WORDS.map(lambda w: f"[{w}](https://example.org/{w.lower()})"),
    WORDS.map(lambda w: f"*{w}*"),
)
PARAGRAPH = st.lists(TOKEN, min_size=1, max_size=25).map(" ".join)
PREFIX = st.sampled_from(["", "", "", "> ", "## ", "- ", "1. "])
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
    assert words(text) - {"https", "example", "org"} <= words(normalize(draft(text)).text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_normalizing_twice_changes_nothing(text):
    once = normalize(draft(text)).text
    assert again(once) == once
