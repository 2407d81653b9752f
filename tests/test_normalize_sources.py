"""End to end: sources to canonical Markdown, on the seed, the samples and unseen scrapes."""

import re

import pytest

from publish import frontmatter
from publish.normalize import normalize
from publish.sources import Draft, read_source
from tests.conftest import FIXTURES, SEEDS, source_files

SEED = SEEDS / "000_cfaf1a26d7d8a683.txt"


def canonical(path):
    return normalize(read_source(path))


def words(text: str) -> list[str]:
    """Words of a text, ignoring case (titles in capitals are recased)."""
    return re.findall(r"\w+", text.lower())


@pytest.fixture(scope="module")
def seed():
    return canonical(SEED)


def test_seed_metadata(seed):
    meta, _, _ = frontmatter.split(seed.text)
    assert meta["title"] == "A Letter from Canadian Comrades"
    assert meta["authors"] == ["David Camfield", "Todd Gordon", "Brian McDougall", "Sandra Sarner"]
    assert meta["date"] == "2019-03-21"
    assert meta["language"] == "en"
    assert meta["source"] == {"name": "socialistworker.org", "url": "https://socialistworker.org"}
    assert meta["note"].startswith("Originally published on Facebook")
    assert meta["published"] == ["First published on Facebook"]
    assert meta["signature"]["closing"] == "With our best wishes,"
    assert meta["signature"]["names"][0] == "David Camfield, Winnipeg"


def test_seed_front_matter_is_unquoted_iso_date(seed):
    assert "\ndate: 2019-03-21\n" in seed.text


def test_seed_quotations_are_block_quotes(seed):
    body = frontmatter.split(seed.text)[1]
    assert "\n> act as if we were a mass party already" in body
    assert "\n> One of the great problems with the dominant model" in body
    assert "\n> This then gets transmuted" in body
    assert "\n> All of this produces a fetish of leadership." in body
    assert "\n> *Rather than address the really crucial questions" in body
    assert "\n> *Now, let me be clear: **effective socialist organizations" in body
    assert "\nMcNally continues:\n" in body
    assert "\nSexual harrassment and assault" in body  # the quotation has ended


def test_seed_split_paragraphs_are_joined(seed):
    body = frontmatter.split(seed.text)[1]
    assert "building a small group that eventually wins leadership" in body
    assert "socialist activists dedicated to that task.*" in body


def test_seed_has_no_placeholders_or_straight_typography(seed):
    body = frontmatter.split(seed.text)[1]
    assert "](#)" not in seed.text
    assert '"' not in body and "'" not in body
    assert "--" not in body and "..." not in body
    assert "ranks — real social-historical problems" in body


def test_seed_reports_doubtful_quotation_end(seed):
    doubts = seed.doubts
    assert doubts and {entry.code for entry in doubts} == {"q-end-unknown"}
    assert [entry.line for entry in doubts] == [19, 21, 23]


def test_seed_acronyms_are_not_case_mangled(seed):
    assert "the ISO’s recent convention" in seed.text
    assert "in the U.S." in seed.text and "(the NSG officially" in seed.text


def test_unseen_scrape_with_the_same_damage():
    result = canonical(FIXTURES / "sources" / "tenant-meeting.txt")
    meta, body, _ = frontmatter.split(result.text)
    assert meta["title"] == "Notes from the NYC Tenant Meeting on the HRA"
    assert meta["authors"] == ["Ana Ruiz", "Sam Lee"]
    assert meta["date"] == "2024-02-02"
    assert meta["source"]["name"] == "Tenants United"
    assert meta["note"].startswith("This report first appeared")
    assert "\n> tenants who organize building by building" in body
    assert "face the landlord alone.*" in body
    assert "a plan that everyone could follow." in body
    assert "As one organizer put it — and many agreed — “we can’t wait for the city…”" in body
    assert [entry.line for entry in result.doubts] == [15]


def test_markdown_source_keeps_structure():
    result = canonical(
        FIXTURES.parent.parent.parent / "shared" / "samples" / "tenant-union-handbook.md"
    )
    meta, body, _ = frontmatter.split(result.text)
    assert meta["title"] == "How to Start a Tenants’ Union"
    assert meta["subtitle"] == "A Short Handbook for Neighbours"
    assert meta["authors"] == ["Tomás Reyes", "Aileen Park"]
    assert meta["date"] == "2023-09-14"
    assert meta["source"]["url"] == "https://example.org/eastside/handbook"
    assert "\n## Start with a conversation\n" in body and "\n### A note on safety\n" in body
    assert "\n1. a name;\n2. one demand;\n" in body
    assert "\n> The landlord has lawyers" in body
    assert "[^why]:" in body and "[^records]:" in body and "reply.[^records]" in body


def test_front_matter_wins_over_guesses(tmp_path):
    source = tmp_path / "x.md"
    source.write_text(
        "---\ntitle: Declared\nauthor: A. Writer\nlang: de\ndate: 1 May 2020\n---\n\n"
        "# Another Heading\n\nBy Somebody Else\n\nText.\n",
        encoding="utf-8",
    )
    meta = canonical(source).meta
    assert meta["title"] == "Declared"
    assert meta["authors"] == ["A. Writer"]
    assert meta["language"] == "de"
    assert meta["date"] == "2020-05-01"


def test_editor_markup_is_respected(tmp_path):
    """An editor who adds '>' to a doubtful paragraph extends the quotation."""
    source = tmp_path / "x.txt"
    source.write_text(
        "It is trying to:\n\nact as if big.\n\n> The basic reason is this.\n\nWe disagree.\n"
    )
    body = frontmatter.split(canonical(source).text)[1]
    assert "> act as if big.\n>\n> The basic reason is this.\n\nWe disagree." in body


@pytest.mark.parametrize("path", source_files(), ids=lambda p: p.name)
def test_nothing_lost_and_idempotent(path):
    first = canonical(path)
    source_words = set(words(read_source(path).body)) - {"_"}
    for key in ("title", "subtitle"):
        source_words |= set(words(str(read_source(path).meta.get(key, ""))))
    missing = {w for w in source_words if w not in set(words(first.text))}
    assert not missing
    second = normalize(markdown_draft(path, first.text))
    assert second.text == first.text


def markdown_draft(path, text):
    meta, body, first_line = frontmatter.split(text)
    return Draft(path=path, kind="markdown", body=body, meta=meta, first_line=first_line)


def test_unseen_scrape_with_a_byline_and_furniture():
    result = canonical(FIXTURES / "sources" / "strike-rally.txt")
    meta, body, _ = frontmatter.split(result.text)
    assert meta["title"] == "Why the UAW Strike Matters for Every Worker"
    assert meta["authors"] == ["Jane Roe"] and meta["date"] == "2023-09-15"
    assert meta["source"] == {"name": "Labor Notes"}  # not the author's page from the byline
    assert "\n> “we are not asking for the moon." in body
    assert "\n> *The companies made $21 billion" in body and "\n> *We want our fair share.*" in body
    assert "“pits us against each other” and that it has to go." in body
    assert "Read more: The history of tiers | Share on Twitter" in body  # kept, but reported
    assert [(e.code, e.line) for e in result.doubts] == [("s-furniture", 21)]


def test_unseen_scrape_with_a_one_block_signature():
    result = canonical(FIXTURES / "sources" / "reply-to-critics.txt")
    meta, body, _ = frontmatter.split(result.text)
    assert meta["title"] == "Socialism and Democracy: A Reply to Our Critics"
    assert meta["date"] == "2024-02-02"  # "Feb. 2, 2024"
    assert meta["source"] == {"name": "New Politics", "url": "https://newpol.org/issue/42"}
    assert meta["authors"] == ["Jane Doe", "John Smith"]
    assert meta["signature"] == {
        "closing": "Yours,",
        "names": ["Jane Doe, Oakland", "John Smith, Detroit"],
    }
    assert "\n> …freedom only for the supporters of the government" in body
    assert "the freedom of those who think differently.**" in body
    assert "workers’ councils in Petrograd, having taken over the factories" in body
    assert "Yours" not in body


def test_markdown_scrape_with_capitals_byline_and_italic_dek():
    meta = canonical(FIXTURES / "sources" / "fight-for-fifteen.md").meta
    assert meta["title"] == "The Fight for Fifteen"
    assert meta["authors"] == ["Jane Doe", "John Smith"]
    assert meta["note"] == "*Originally published in the Chicago Reader*"
    assert meta["source"] == {"name": "Chicago Reader"}
