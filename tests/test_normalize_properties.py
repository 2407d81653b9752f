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
