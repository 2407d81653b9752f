"""Work kept between runs: the cache folder, hyphenation patterns, covers, library paths,
WeasyPrint's compiled C declarations."""

import ctypes.util
import os
import string
import subprocess
import sys
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


def test_remembered_font_faces_are_the_parsed_ones(cache_home: Path, tmp_path: Path) -> None:
    from publish import templates
    from publish.render.compose import font_faces, sheet_faces

    sheets = [templates.find(name) for name in ("faces.css", "print.css", "paper-a5.css")]
    parsed = tuple(face for sheet in sheets for face in sheet_faces(sheet, sheet.read_bytes()))
    assert len(parsed) > 4 and all(Path(face.path).is_file() for face in parsed)
    assert font_faces(sheets) == parsed  # made, then stored
    assert font_faces(sheets) == parsed  # read back
    (entry,) = (cache_home / "publish" / "faces").iterdir()
    entry.write_bytes(b'[["Serif", true, "heavy"]]')
    assert font_faces(sheets) == parsed  # a damaged entry is parsed again
    press = tmp_path / "press.css"  # another stylesheet, another entry
    press.write_text('@font-face { font-family: "House"; src: url(house.otf); font-weight: 700 }')
    (house,) = font_faces([press])
    assert (house.family, house.weight, house.italic) == ("House", 700, False)
    assert house.path == str(tmp_path / "house.otf")


IMPORT_AND_RENDER = """
import hashlib, sys
import publish.render.pdf
import weasyprint.text.ffi as declaring
from weasyprint import HTML
pdf = HTML(string="<p lang=en>Office affairs, final AVA: ligatures and kerning.</p>").write_pdf()
print(type(declaring.ffi).__name__, "pycparser" in sys.modules,
      type(sys.modules["fontTools.subset"]).__name__, hashlib.sha256(pdf).hexdigest())
from fontTools import subset
assert subset.Subsetter(subset.Options())  # the deferred module loads when it is used
"""


def cold_import(cache_home: Path) -> list[str]:
    """What a fresh interpreter reports after importing WeasyPrint through publish."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "SOURCE_DATE_EPOCH": "1700000000"}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_AND_RENDER],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_weasyprint_declarations_are_compiled_once_and_read_back(cache_home: Path) -> None:
    first = cold_import(cache_home)
    assert first[:3] == ["FFI", "True", "_LazyModule"]  # parsed by pycparser, then kept
    kept = list((cache_home / "publish" / "declarations").iterdir())
    assert [path.suffix for path in kept] == [".py"]
    second = cold_import(cache_home)
    assert second[:3] == ["CompiledFFI", "False", "_LazyModule"]  # no C parser loaded
    assert second[3] == first[3]  # the same PDF, byte for byte
    kept[0].write_text("import os\nffi = os.getcwd()\n")  # damaged: parsed again, kept again
    assert cold_import(cache_home)[:2] == ["FFI", "True"]
    assert cold_import(cache_home)[:2] == ["CompiledFFI", "False"]


@pytest.mark.parametrize(
    "text",
    [
        "import os\nffi = os.system('true')\n",  # a call that is not cffi's
        "ffi = _cffi_backend.FFI('x', _types=__import__('os').getcwd())\n",  # not data
        "ffi = _cffi_backend.FFI('x', **options)\n",
        "a = FFI('x')\nb = FFI('y')\n",
        "ffi = 1\n",
    ],
)
def test_kept_declarations_are_read_as_data_never_run(text: str) -> None:
    with pytest.raises((ValueError, TypeError)):
        libraries.compiled_ffi(text)


def test_without_harfbuzz_subsetting_the_deferred_fallback_loads_with_weasyprint(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When WeasyPrint found no HarfBuzz subsetter it will use fontTools': loaded at once,
    while one thread imports, never half-loaded by two threads writing PDFs."""
    import types

    declaring = types.ModuleType("declaring")
    declaring.harfbuzz_subset = None
    fallback = "xml.dom.pulldom"
    monkeypatch.setitem(sys.modules, "declaring", declaring)
    monkeypatch.delitem(sys.modules, fallback, raising=False)
    monkeypatch.setattr(libraries, "DECLARING_MODULE", "declaring")
    monkeypatch.setattr(libraries, "UNUSED_UNTIL_CALLED", (fallback,))
    with libraries.weasyprint_loading():
        assert type(sys.modules[fallback]).__name__ == "_LazyModule"
    assert type(sys.modules[fallback]) is types.ModuleType
    assert callable(sys.modules[fallback].parseString)
    declaring.harfbuzz_subset = object()  # found: the fallback stays unloaded
    monkeypatch.delitem(sys.modules, fallback)
    with libraries.weasyprint_loading():
        pass
    assert type(sys.modules[fallback]).__name__ == "_LazyModule"
    monkeypatch.delitem(sys.modules, fallback)


NEVER_UNLOADED = """
import gc, sys, _cffi_backend
from publish.render import libraries
name = "libpangoft2-1.0.so.0"
def loaded():
    with open("/proc/self/maps") as maps:
        return name in maps.read()
for ffi in (_cffi_backend.FFI("plain", _version=0x2601), libraries.CompiledFFI("kept", _version=0x2601)):
    library = ffi.dlopen(name, ffi.RTLD_NOW)
    assert loaded()
    del library
    gc.collect()
    print(type(ffi).__name__, loaded())
"""


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the process's mappings")
def test_a_library_opened_through_kept_declarations_is_never_unloaded() -> None:
    """cffi unloads a library when the object it returned is freed. At exit that can come
    before the last of WeasyPrint's objects whose destructors live in it: a crash during the
    interpreter's last collection (seen at the end of a test run)."""
    done = subprocess.run(
        [sys.executable, "-c", NEVER_UNLOADED], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["FFI", "False", "CompiledFFI", "True"]
