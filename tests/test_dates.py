"""Dates as people write them: in front matter and manifests, stored as ISO, shown by language."""

import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from publish.dates import PATTERNS, month_first_matches, read_date
from publish.errors import PublishError
from publish.normalize import normalize
from publish.reader import load_manifest
from publish.sources import read_source

FORMS = [
    ("October 2024", "2024-10"),
    ("10 October 2024", "2024-10-10"),
    ("Oct. 10, 2024", "2024-10-10"),
    ("October 10th, 2024", "2024-10-10"),
    ("10. Oktober 2024", "2024-10-10"),
    ("10 octobre 2024", "2024-10-10"),
    ("1er octobre 2024", "2024-10-01"),
    ("10 de octubre de 2024", "2024-10-10"),
    ("2024-10", "2024-10"),
    ("2024-10-10", "2024-10-10"),
    ("2024-10-10T08:30:00Z", "2024-10-10"),
    ("2024", "2024"),
    ("13/10/2024", "2024-10-13"),
    ("10/13/2024", "2024-10-13"),
    ("10.10.2024", "2024-10-10"),
]
NOT_DATES = ["soon", "2024-13", "Octember 2024", "31/02/2024", "30 February 2024", "12/10/24"]


@pytest.mark.parametrize(("written", "iso"), FORMS, ids=[written for written, _ in FORMS])
def test_every_written_form_reads_as_iso(written, iso):
    assert read_date(written) == read_date(written, "en-US")
    reading = read_date(written)
    assert reading is not None and reading.iso == iso and reading.doubt is None


@pytest.mark.parametrize("written", NOT_DATES)
def test_what_is_no_date_reads_as_none(written):
    assert read_date(written) is None


@pytest.mark.parametrize(
    ("language", "iso"), [("en", "2024-10-12"), ("fr", "2024-10-12"), ("en-US", "2024-12-10")]
)
def test_an_ambiguous_date_is_settled_by_language_and_doubted(language, iso):
    reading = read_date("12/10/2024", language)
    assert reading is not None and reading.iso == iso
    assert reading.doubt and "12/10/2024" in reading.doubt and language in reading.doubt


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_iso_and_written_out_dates_round_trip(day):
    written = f"{day.day} {day.strftime('%B')} {day.year}"
    assert read_date(day.isoformat()).iso == day.isoformat()
    assert read_date(written).iso == day.isoformat()
    assert read_date(day).iso == day.isoformat()


def front_matter(tmp_path, date: str, extra: str = ""):
    path = tmp_path / "a.md"
    body = "# A Title\n\nThe words of the text, which are in English and say little.\n"
    path.write_text(f"---\ndate: {date}\n{extra}---\n\n{body}", encoding="utf-8")
    return path


@pytest.mark.parametrize(("written", "iso"), FORMS, ids=[written for written, _ in FORMS])
def test_front_matter_dates_are_stored_as_iso(tmp_path, written, iso):
    result = normalize(read_source(front_matter(tmp_path, f'"{written}"')))
    assert result.meta["date"] == iso and not result.doubts
    assert f"date: {iso}" in result.text or f"date: '{iso}'" in result.text


@pytest.mark.parametrize(
    ("language", "iso"), [("en-GB", "2024-10-12"), ("de", "2024-10-12"), ("en-US", "2024-12-10")]
)
def test_an_ambiguous_front_matter_date_is_a_doubt_read_in_the_text_language(
    tmp_path, language, iso
):
    path = front_matter(tmp_path, "12/10/2024", f"language: {language}\n")
    result = normalize(read_source(path))
    assert result.meta["date"] == iso
    assert [entry.code for entry in result.doubts] == ["m-date-ambiguous"]


def test_an_unreadable_front_matter_date_is_one_line_naming_file_key_and_value(tmp_path):
    path = front_matter(tmp_path, "next Tuesday")
    with pytest.raises(PublishError) as error:
        read_source(path)
    assert error.value.path == path
    assert "'date'" in error.value.reason and "'next Tuesday'" in error.value.reason
    assert "\n" not in str(error.value)


def manifest(tmp_path, date: str, language: str = "en"):
    (tmp_path / "a.md").write_text("# A\n\nWords.\n", encoding="utf-8")
    path = tmp_path / "reader.toml"
    path.write_text(
        f'title = "R"\ndate = {date}\nlanguage = "{language}"\n'
        '[[parts]]\ntitle = "P"\ntexts = ["a.md"]\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(("written", "iso"), FORMS, ids=[written for written, _ in FORMS])
def test_manifest_dates_are_stored_as_iso(tmp_path, written, iso):
    assert load_manifest(manifest(tmp_path, f'"{written}"')).date == iso


def test_manifest_toml_dates_and_american_order(tmp_path):
    assert load_manifest(manifest(tmp_path, "2024-10-10")).date == "2024-10-10"
    assert load_manifest(manifest(tmp_path, '"12/10/2024"')).date == "2024-10-12"
    assert load_manifest(manifest(tmp_path, '"12/10/2024"', "en-US")).date == "2024-12-10"


def test_an_unreadable_manifest_date_names_the_line_key_and_value(tmp_path):
    path = manifest(tmp_path, '"Michaelmas"')
    with pytest.raises(PublishError) as error:
        load_manifest(path)
    assert "line 2: date: 'Michaelmas' is not a date" in str(error.value)


@given(
    st.lists(
        st.sampled_from(
            [
                "March",
                "Sept",
                "sept",
                "xxMarch",
                "Septiembre",
                "abcdefghijkMay",
                "May",
                "of",
                "1",
                "21",
                "1st",
                "2nd",
                "2019",
                "12345",
                ",",
                ".",
                " ",
                "  ",
                "\n",
                "_",
                "²",
                "ä",
                "Ω",
            ]
        ),
        max_size=30,
    ).map("".join)
)
@example("On March 21, 2019 and xSeptiembre 5, 2019, then abcdefghijkMarch 3 2020.")
def test_month_first_dates_are_found_as_the_pattern_finds_them(text: str) -> None:
    expected = [(m.start(), m.groupdict()) for m in PATTERNS[1].finditer(text)]
    assert list(month_first_matches(text)) == expected
