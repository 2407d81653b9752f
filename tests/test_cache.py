"""Work kept between runs: the cache folder, hyphenation patterns, covers, library paths."""

import ctypes.util
import string
from pathlib import Path

import pyphen
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publish.cache import remembered
from publish.render import libraries
from publish.render.cover import draw_cover, render_cover
from publish.render.hyphenation import parsed_patterns, preload_patterns

ENGLISH = pyphen.LANGUAGES["en"]
PARSED = pyphen.HyphDict(ENGLISH)


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def test_remembered_makes_once_per_key(cache_home: Path) -> None:
    made = []

    def make() -> bytes:
        made.append(1)
        return b"bytes %d" % len(made)

    assert remembered("things", "a", make) == b"bytes 1"
    assert remembered("things", "a", make) == b"bytes 1"
    assert remembered("things", "b", make) == b"bytes 2"
    assert len(made) == 2
    assert sorted(p.name for p in (cache_home / "publish" / "things").iterdir()) == ["a", "b"]


def test_remembered_without_a_usable_folder_just_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert remembered("things", "a", lambda: b"made") == b"made"


def positions(dictionary: pyphen.HyphDict, word: str) -> list[tuple[int, object]]:
    return [(int(point), point.data) for point in dictionary.positions(word)]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> pyphen.HyphDict:
    """English patterns as a second run loads them from the cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        parsed_patterns(ENGLISH)
        return parsed_patterns(ENGLISH)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.text(alphabet=string.ascii_letters + "éß'", min_size=1, max_size=20)))
def test_stored_patterns_hyphenate_as_parsed_ones(
    stored: pyphen.HyphDict, words: list[str]
) -> None:
    parsed = PARSED
    assert [positions(stored, w) for w in words] == [positions(parsed, w) for w in words]


def test_a_damaged_cache_entry_is_parsed_again(cache_home: Path) -> None:
    first = parsed_patterns(ENGLISH)
    (entry,) = (cache_home / "publish" / "hyphenation").iterdir()
    entry.write_bytes(b"not a pickle")
    assert positions(parsed_patterns(ENGLISH), "hyphenation") == positions(first, "hyphenation")


def test_preload_fills_pyphen_for_the_declared_languages(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pyphen, "hdcache", {})
    preload_patterns('<html lang="en"><p lang="de-DE">Wort</p><p lang="zz">x</p></html>')
    assert set(pyphen.hdcache) == {ENGLISH, pyphen.LANGUAGES["de_DE"]}


def test_a_remembered_cover_is_the_drawn_one(cache_home: Path) -> None:
    inputs = ("A Title", ("An Author",), None, "A series")
    drawn = draw_cover(*inputs)
    assert render_cover(*inputs) == drawn
    assert render_cover(*inputs) == drawn
    assert len(list((cache_home / "publish" / "covers").iterdir())) == 1
    assert render_cover("Another Title", ("An Author",), None, "A series") != drawn


def test_library_lookups_are_remembered_per_state_of_the_system(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = []

    def find_library(name: str) -> str | None:
        asked.append(name)
        return {"pango-1.0": "libpango-1.0.so.0"}.get(name)

    ld_cache = tmp_path / "ld.so.cache"
    ld_cache.write_bytes(b"one state")
    monkeypatch.setattr(libraries, "LIBRARY_CACHE", ld_cache)
    monkeypatch.setattr(ctypes.util, "find_library", find_library)
    for _ in range(2):
        with libraries.remembered_libraries():
            assert ctypes.util.find_library("pango-1.0") == "libpango-1.0.so.0"
            assert ctypes.util.find_library("libpango-1.0-0") is None
            assert ctypes.util.find_library("pango-1.0") == "libpango-1.0.so.0"
        assert ctypes.util.find_library is find_library
    assert asked == ["pango-1.0", "libpango-1.0-0"]
    ld_cache.write_bytes(b"a library was installed")
    with libraries.remembered_libraries():
        ctypes.util.find_library("pango-1.0")
    assert asked == ["pango-1.0", "libpango-1.0-0", "pango-1.0"]


@pytest.mark.parametrize("paper", ["a5", "letter"])
def test_a_remembered_measure_is_the_laid_out_one(cache_home: Path, paper: str) -> None:
    from publish.render.pdf import HTML, LocalFetcher, page_measure, print_style
    from publish.style import Style, large_print

    for style in (Style(paper=paper), large_print(Style(paper=paper))):
        parsed = print_style(style)
        probe = HTML(string="<p>x</p>", url_fetcher=LocalFetcher()).render(
            stylesheets=list(parsed.stylesheets), font_config=parsed.fonts
        )
        laid_out = probe.pages[0]._page_box.width
        assert page_measure(style, parsed) == laid_out  # made, then stored
        assert page_measure(style, parsed) == laid_out  # read back
    entries = list((cache_home / "publish" / "measures").iterdir())
    assert len(entries) == 2  # one per style: large print has other margins
    entries[0].write_bytes(b"damaged")
    assert page_measure(Style(paper=paper), print_style(Style(paper=paper))) > 0
