"""A clean page: names, dates, credits, running heads, contents, questions, paragraph numbers,
URLs and lead-ins, each read back from a built PDF (pypdfium2 for text, pdfplumber for where
the ink is)."""

import io
import re
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest

from publish.document import parse
from publish.normalize import normalize
from publish.reader import load_manifest
from publish.render.options import RenderOptions
from publish.render.pdf import render_pdf, render_volume_pdf, running_head, volume_html
from publish.sources import read_source
from tests.conftest import ROOT, SEEDS, SHARED
from tests.pdftools import MM, body_texts, page_texts

OPTIONS = RenderOptions(source_date_epoch=1700000000)
A5_TOP, BLOCK_BOTTOM = 17, (210 - 27) * MM
LINE_PITCH = 15  # points, the A5 body's leading
FILLER = (
    "The committee met on a Tuesday and read the minutes of the last meeting aloud, then "
    "turned to the question of the building's boiler, which had failed again in the cold. "
)


def pamphlet(canonical: str) -> bytes:
    return render_pdf(parse(canonical), OPTIONS)


def source_pdf(path: Path) -> bytes:
    return render_pdf(parse(normalize(read_source(path)).text), OPTIONS)


def lines(pdf: bytes) -> list[list[str]]:
    """Each page's lines of text."""
    return [[line.strip() for line in text.splitlines()] for text in page_texts(pdf)]


@pytest.fixture(scope="module")
def seed() -> bytes:
    return source_pdf(SEEDS / "000_cfaf1a26d7d8a683.txt")


@pytest.fixture(scope="module")
def reader() -> bytes:
    return render_volume_pdf(load_manifest(ROOT / "readers" / "organizing-today.toml"), OPTIONS)


# ---- Names ----

LONG_NAMES = [
    "Maria Fernanda Castillo Rodríguez",
    "Aleksandra Wiśniewska Kowalczyk",
    "Bartholomew Quincy Underwood",
    "Jean-Baptiste Nkurunziza",
]


def test_names_are_never_broken_on_title_pages() -> None:
    front = "---\ntitle: On Names\nlanguage: en\nauthors:\n" + "".join(
        f"- {name}\n" for name in LONG_NAMES
    )
    title_page = lines(pamphlet(front + "---\n\n" + FILLER))[0]
    for name in LONG_NAMES:
        assert any(name in line for line in title_page), (name, title_page)


def test_authors_names_and_acronyms_are_never_hyphenated() -> None:
    front = "---\ntitle: On Names\nlanguage: en\nauthors: [Wolstenholme Featherstonehaugh]\n---\n\n"
    sentence = "Featherstonehaugh wrote to the NATIONALCOMMITTEE about it. "
    body = "\n\n".join(sentence * (n % 7 + 3) + FILLER for n in range(12))
    pdf = pamphlet(front + body)
    ends = [line for page in lines(pdf) for line in page if re.search(r"[-\u2010\u00ad]$", line)]
    assert not [end for end in ends if re.search(r"(Feather\w*|NATIONAL\w*)[-\u2010\u00ad]$", end)]
    assert ends  # the text is hyphenated elsewhere: the test does see hyphens


# ---- Dates and credits ----


def test_one_date_style_and_each_credit_once_on_a_title_page(seed: bytes, reader: bytes) -> None:
    title_page = page_texts(seed)[0]
    assert "March 21, 2019" in title_page and "21 March 2019" not in title_page
    assert title_page.count("socialistworker.org") == 1  # in the dek, not again below it
    guide = next(text for text in page_texts(reader) if "A Short Guide to Running" in text)
    opening = guide.split("A study group is")[0]
    assert opening.count("Eastside Study Group") == 2  # the author and the publication line
    assert opening.count("1 September 2024") == 1


def test_a_colophon_gives_a_date_once(seed: bytes) -> None:
    guide = source_pdf(SEEDS / "001_study-group-guide.md")
    colophon = " ".join(page_texts(guide)[-1].split())
    assert "Published by the Eastside Study Group on 1 September 2024." in colophon
    assert colophon.count("1 September 2024") == 1  # no "Dated 1 September 2024" after it
    assert "Dated March 21, 2019." in " ".join(page_texts(seed)[-1].split())


def test_no_credit_separator_hangs_at_a_line_end(seed: bytes, reader: bytes) -> None:
    for pdf in (seed, reader):
        assert not [line for page in lines(pdf) for line in page if line.endswith("·")]


# ---- Running heads ----


def test_running_head_is_cut_at_a_word_boundary_to_fit() -> None:
    title = "The Long and Winding History of the Eastside Tenants' Union and Its Neighbours"
    assert running_head(title, 40) == "The Long and Winding History of the…"
    assert running_head("Short Title", 40) == "Short Title"
    assert running_head(title, 40, "Eastside Tenants") == "Eastside Tenants"


@pytest.mark.parametrize("chosen", [None, "The Tenants' Union"])
def test_long_titles_never_run_across_the_page(chosen: str | None) -> None:
    title = "The Long and Winding History of the Eastside Tenants' Union and Its Neighbours"
    key = f'running_head: "{chosen}"\n' if chosen else ""
    pdf = pamphlet(f'---\ntitle: "{title}"\nlanguage: en\n{key}---\n\n' + FILLER * 60)
    heads = {text.strip() for text in body_texts(pdf, 0, 210 - A5_TOP)[3:-1]} - {""}
    assert heads == {chosen or "The Long and Winding History of the…"}


def test_a_readers_running_head_comes_from_its_manifest(tmp_path: Path) -> None:
    text = tmp_path / "text.md"
    text.write_text("---\ntitle: A Text\nlanguage: en\n---\n\nWords.\n", encoding="utf-8")
    manifest = tmp_path / "reader.toml"
    manifest.write_text(
        'title = "A Very Long Reader Title for a Study Group That Meets on Tuesdays"\n'
        'running_head = "Tuesday Reader"\n[[parts]]\ntitle = "One"\ntexts = ["text.md"]\n',
        encoding="utf-8",
    )
    html = volume_html(load_manifest(manifest), OPTIONS)
    assert 'class="title-page" data-running="Tuesday Reader"' in html


# ---- Contents ----


def test_contents_leaders_line_up_on_one_grid(reader: bytes) -> None:
    with pdfplumber.open(io.BytesIO(reader)) as document:
        page = next(p for p in document.pages if "Contents" in (p.extract_text() or "")[:40])
        rows: dict[int, list[float]] = {}
        for char in page.chars:
            if char["text"] == ".":
                rows.setdefault(round(char["top"]), []).append(char["x0"])
    leaders = [sorted(xs) for xs in rows.values() if len(xs) >= 5]
    steps = Counter(round(b - a, 2) for xs in leaders for a, b in zip(xs, xs[1:], strict=False))
    step = steps.most_common(1)[0][0]
    origin = leaders[0][-1]
    assert len(leaders) >= 8
    for xs in leaders:
        for x in xs:
            offset = (origin - x) % step
            assert min(offset, step - offset) < 0.2, (x, xs)


# ---- Discussion questions ----


def test_questions_keep_only_their_first_two_ruled_lines(reader: bytes) -> None:
    pages = []  # (question tops, rule feet) of each page of questions
    with pdfplumber.open(io.BytesIO(reader)) as document:
        for page in document.pages:
            if any(line.startswith("Questions for discussion") for line in head(page)):
                words = page.extract_words()
                questions = [w["top"] for w in words if re.fullmatch(r"\d\.", w["text"])]
                rules = sorted({round(r["bottom"]) for r in page.rects if r["width"] > 200})
                pages.append((questions, rules))
    for questions, rules in pages:
        for top, below in zip(questions, [*questions[1:], 1e9], strict=False):
            assert len([rule for rule in rules if top < rule < below]) >= 2
    overleaf = [
        rules
        for (_, rules), (questions, following) in zip(pages, pages[1:], strict=False)
        if following and (not questions or following[0] < questions[0])
    ]
    assert overleaf  # a question's ruled space went on overleaf...
    assert all(rules[-1] > BLOCK_BOTTOM - 3 * LINE_PITCH for rules in overleaf)  # from the foot


def head(page: pdfplumber.page.Page) -> list[str]:
    """The first lines of a page: its running head and its heading."""
    return (page.extract_text() or "").splitlines()[:2]


# ---- Paragraph numbers ----


def test_paragraph_numbers_skip_closing_credits(reader: bytes) -> None:
    with pdfplumber.open(io.BytesIO(reader)) as document:
        page = next(p for p in document.pages if (p.extract_text() or "").startswith("Intro"))
        numbers = [c["text"] for c in page.chars if c["text"].isdigit() and c["size"] < 8]
        assert "Eastside Study Group, September 2024" in page.extract_text()
    assert numbers == ["1", "2", "3"]


# ---- URLs ----

HYPHENATED_URL = (
    "https://example.org/tenants-union/handbook-chapters/repair-log-templates-and-"
    "letters-for-the-landlord/second-edition-with-corrections-and-an-index.pdf"
)


def test_urls_never_break_right_after_their_own_hyphens() -> None:
    pages = [
        page_texts(source_pdf(SHARED / "web" / "pagesix.com.myers.html"))[-1],
        *page_texts(
            pamphlet(
                "---\ntitle: T\nlanguage: en\nsource:\n  name: Clinic\n"
                f"  url: {HYPHENATED_URL}\n---\n\nSee [the log]({HYPHENATED_URL}).\n"
            )
        ),
    ]
    title_page = pamphlet(
        f"---\ntitle: T\nlanguage: en\nsource:\n  url: {HYPHENATED_URL}\n---\n\nA.\n"
    )
    pages.append(page_texts(title_page)[0])
    breaks = [line_end for text in pages for line_end in url_line_ends(text)]
    assert breaks  # the URLs do break over lines
    assert not [end for end in breaks if end.endswith("-")], breaks


def url_line_ends(text: str) -> list[str]:
    """The end of each line that a URL runs on from (pdfium marks a line broken after a
    hyphen with U+FFFE in place of the hyphen)."""
    found = []
    rows = [row.strip() for row in text.replace("\ufffe", "-\n").splitlines()]
    for row, following in zip(rows, rows[1:], strict=False):
        last = row.split()[-1] if row.split() else ""
        first = following.split()[0] if following.split() else ""
        if "://" in last or (re.search(r"[/.]\w", last) and re.match(r"[-\w./?=&]", first)):
            found.append(last)
    return found


# ---- Lead-ins ----


def test_a_lead_in_keeps_only_the_first_lines_of_a_long_quotation() -> None:
    quotation = " ".join(
        f"Quoted passage {n} runs on across the measure for a while." for n in range(40)
    )
    sections = [
        FILLER * (n % 4 + 1) + f"\n\nAs the organizer wrote in letter {n}:\n\n> {quotation}\n"
        for n in range(8)
    ]
    pdf = pamphlet("---\ntitle: Lead-ins\nlanguage: en\n---\n\n" + "\n\n".join(sections))
    texts = page_texts(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for n in range(8):
            number = next(i for i, text in enumerate(texts) if f"in letter {n}:" in text)
            after = texts[number].split(f"in letter {n}:")[1]
            assert "Quoted passage 0" in after  # the quotation starts under its lead-in
            previous = document.pages[number - 1]
            if texts[number].lstrip().startswith("As the organizer") and previous.chars:
                text = [c["bottom"] for c in previous.chars if c["size"] > 10]  # not the folio
                white = BLOCK_BOTTOM - max(text)
                assert white < 5 * LINE_PITCH  # moved only when lead-in and 2 lines did not fit
