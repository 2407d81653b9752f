"""Bylines and publication lines in the forms real sources write them, in every input format."""

from pathlib import Path

import pytest

from publish.normalize import normalize
from publish.sources import read_source

TITLE = {".md": "# The Long Strike", ".txt": "THE LONG STRIKE"}
BODY = (
    "The workers at the plant walked out on a Monday and stayed out for eleven weeks.\n\n"
    "The town around them changed more than anyone there had expected it would.\n"
)


def normalized(tmp_path: Path, suffix: str, *lines: str) -> tuple[dict, str]:
    path = tmp_path / f"strike{suffix}"
    path.write_text("\n\n".join([TITLE[suffix], *lines, BODY]), encoding="utf-8")
    result = normalize(read_source(path))
    body = result.text.split("\n---\n", 1)[1]
    return result.meta, body


@pytest.mark.parametrize("suffix", [".md", ".txt"])
@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("*By Jane Doe*", ["Jane Doe"]),
        ("_By Jane Doe_", ["Jane Doe"]),
        ("**By Jane Doe**", ["Jane Doe"]),
        ("Words by Jane Doe and Tom Roe", ["Jane Doe", "Tom Roe"]),
        ("*Words by Jane Doe*", ["Jane Doe"]),
        ("Text: Jane Doe", ["Jane Doe"]),
        ("**Text:** Jane Doe", ["Jane Doe"]),
        ("Written by Jane Doe", ["Jane Doe"]),
        ("Texte : Marie Curie", ["Marie Curie"]),
        ("Von Jana Müller", ["Jana Müller"]),
    ],
)
def test_bylines_name_the_authors_and_keep_their_words(tmp_path, suffix, byline, authors):
    meta, body = normalized(tmp_path, suffix, byline)
    assert meta["authors"] == authors
    assert meta["byline"] == byline
    assert "Jane" not in body and "Marie" not in body and "Jana" not in body


@pytest.mark.parametrize("suffix", [".md", ".txt"])
@pytest.mark.parametrize(
    "dek", ["How eleven weeks on the line changed a town", "how eleven weeks changed a town."]
)
def test_a_byline_after_the_dek(tmp_path, suffix, dek):
    meta, body = normalized(tmp_path, suffix, dek, "*By Jane Doe*")
    assert meta["authors"] == ["Jane Doe"]
    assert meta["note"].lower() == dek.lower()
    assert body.lstrip().startswith("The workers")


def test_a_paragraph_before_by_the_way_is_no_dek(tmp_path):
    meta, body = normalized(tmp_path, ".txt", "Some words.", "By the way, we met on Tuesday.")
    assert "note" not in meta and "authors" not in meta
    assert "Some words." in body and "By the way, we met on Tuesday." in body


PUBLICATION_LINES = [
    (
        "Published by [Labor Notes](https://labornotes.org/2024/10/strike) on October 10, 2024.",
        "Labor Notes",
        "https://labornotes.org/2024/10/strike",
    ),
    (
        "First appeared in [*Jacobin*](https://jacobin.com/2024/10/strike), 10 October 2024.",
        "Jacobin",
        "https://jacobin.com/2024/10/strike",
    ),
    (
        "Originally published at [The Nation](https://www.thenation.com/strike/), Oct. 10, 2024.",
        "The Nation",
        "https://www.thenation.com/strike/",
    ),
    (
        "First appeared in Jacobin (https://jacobin.com/2024/10/strike), 10 October 2024.",
        "Jacobin",
        "https://jacobin.com/2024/10/strike",
    ),
]


@pytest.mark.parametrize("suffix", [".md", ".txt"])
@pytest.mark.parametrize("where", ["front", "back"])
@pytest.mark.parametrize(("line", "name", "url"), PUBLICATION_LINES)
def test_publication_lines_give_source_and_date(tmp_path, suffix, where, line, name, url):
    lines = ("Text: Jane Doe", line) if where == "front" else ("Text: Jane Doe",)
    path = tmp_path / f"strike{suffix}"
    parts = [TITLE[suffix], *lines, BODY] + ([line] if where == "back" else [])
    path.write_text("\n\n".join(parts), encoding="utf-8")
    result = normalize(read_source(path))
    meta = result.meta
    assert meta["authors"] == ["Jane Doe"]
    assert meta["source"] == {"name": name, "url": url}
    assert meta["date"] == "2024-10-10"
    assert meta["published"] == [line]
    body = result.text.split("\n---\n", 1)[1]  # the line's words are in the front matter only
    assert "ublished" not in body and "appeared" not in body


def test_an_html_page_with_dek_italic_byline_and_linked_publication_line(tmp_path):
    path = tmp_path / "strike.html"
    path.write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>The Long Strike</title></head><body><article><h1>The Long Strike</h1>"
        "<p>How eleven weeks on the line changed a town</p><p><em>Words by Jane Doe</em></p>"
        "<p>The workers at the plant walked out on a Monday and stayed out for eleven weeks, "
        "and the town around them changed more than anyone expected.</p>"
        "<p>More words follow in this paragraph so that the page reads as an article, "
        "whole and long enough for the extractor to keep.</p>"
        "<p>Originally published at <a href='https://www.thenation.com/strike/'>The Nation</a>,"
        " Oct. 10, 2024.</p></article></body></html>",
        encoding="utf-8",
    )
    meta = normalize(read_source(path)).meta
    assert meta["authors"] == ["Jane Doe"]
    assert meta["note"] == "How eleven weeks on the line changed a town"
    assert meta["source"] == {"name": "The Nation", "url": "https://www.thenation.com/strike/"}
    assert meta["date"] == "2024-10-10"
