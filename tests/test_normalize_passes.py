"""Each normalize pass on its own, from fixture files (title, input, expected)."""

import pytest

from publish.normalize import (
    PASSES,
    block_quotes,
    emphasis,
    links,
    notes,
    split_paragraphs,
    typography,
)
from publish.normalize.blocks import join_blocks, split_blocks
from tests.conftest import FIXTURES, load_cases

CASES = FIXTURES / "normalize"


def apply(run, source: str) -> str:
    blocks, _, _ = run(split_blocks(source), {})
    return join_blocks(blocks).rstrip("\n")


PASS_FIXTURES = {
    "links": links.run,
    "notes": notes.run,
    "split_paragraphs": split_paragraphs.run,
    "block_quotes": block_quotes.run,
    "emphasis": emphasis.run,
    "typography": typography.run,
}
FIXTURE_CASES = [
    pytest.param(run, *case.values, id=case.id)
    for name, run in PASS_FIXTURES.items()
    for case in load_cases(CASES / f"{name}.txt")
]


@pytest.mark.parametrize(("run", "source", "expected"), FIXTURE_CASES)
def test_pass_fixture(run, source, expected):
    assert apply(run, source) == expected


def test_typography_runs_last_and_links_first():
    names = [name for name, _ in PASSES]
    assert names[:2] == ["characters", "links"]
    assert names[-1] == "typography"
    assert names.index("metadata") < names.index("split-paragraphs")
    assert names.index("split-paragraphs") < names.index("block-quotes")


def test_doubtful_quotation_end_is_reported_with_lines():
    source = "It is trying to:\n\nact as if we were big.\n\nThe basic reason is this.\n\nMore."
    blocks, _, entries = block_quotes.run(split_blocks(source, 10), {})
    doubts = [entry for entry in entries if entry.doubt]
    assert [entry.line for entry in doubts] == [14, 16]
    assert all(entry.code == "q-end-unknown" for entry in doubts)
    assert blocks[1].quote and not blocks[2].quote


def test_placeholder_links_are_reported_with_their_line():
    _, _, entries = links.run(split_blocks("one\n\ntwo [x](#)\nthree [y](#)", 3), {})
    assert [(e.code, e.line) for e in entries] == [("l-unlinked", 5), ("l-unlinked", 6)]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "She said “no” and ‘yes’ — it’s done."),
        ("de", "She said „no“ and ‚yes‘ – it’s done."),
        ("fr", "She said «\u202fno\u202f» and “yes” – it’s done."),
        ("pt-BR", "She said “no” and ‘yes’ — it’s done."),
    ],
)
def test_quotation_marks_and_dashes_follow_the_language(language, expected):
    blocks, _, _ = typography.run(
        split_blocks("She said \"no\" and 'yes' -- it's done."), {"language": language}
    )
    assert blocks[0].text == expected


@pytest.mark.parametrize("language", ["de", "de-CH", "fr", "fr-CA"])
@pytest.mark.parametrize(
    "written", ["Arbeit - Kampf", "Arbeit -- Kampf", "Arbeit—Kampf", "Arbeit — Kampf"]
)
def test_german_and_french_take_the_spaced_en_dash(language, written):
    blocks, _, entries = typography.run(split_blocks(written), {"language": language})
    assert blocks[0].text == "Arbeit – Kampf"
    assert entries[0].message == "typography: 1 dash"
    again, _, _ = typography.run(blocks, {"language": language})
    assert again == blocks


def test_english_keeps_the_spaced_em_dash_and_a_written_en_dash():
    blocks, _, _ = typography.run(split_blocks("work - struggle, 1918–1924"), {"language": "en"})
    assert blocks[0].text == "work — struggle, 1918–1924"
