"""Saved web pages as a browser sees them: a few stray NUL bytes do not make a page binary."""

import shutil
import zipfile
from pathlib import Path

from publish.cli import main
from publish.normalize import normalize
from publish.sources import read_source
from tests.conftest import ROOT

PAGE = ROOT / "tests" / "fixtures" / "saved-page-with-nul-bytes.html"


def test_stray_nul_bytes_are_dropped_and_reported(tmp_path: Path) -> None:
    clean = tmp_path / "clean.html"
    clean.write_bytes(PAGE.read_bytes().replace(b"\x00", b""))
    with_nuls = normalize(read_source(PAGE))
    without = normalize(read_source(clean))
    assert with_nuls.text == without.text
    assert [e.message for e in with_nuls.entries if e.code == "s-nul-bytes"] == [
        "removed 22 stray NUL bytes, which no browser shows"
    ]
    assert not [e for e in without.entries if e.code == "s-nul-bytes"]


def test_the_page_with_nul_bytes_builds(tmp_path: Path, capsys) -> None:
    source = tmp_path / "page.html"
    shutil.copy(PAGE, source)
    status = main(["build", str(source), "-o", str(tmp_path / "out"), "--jobs", "1"])
    assert status == 0, capsys.readouterr().err
    built = sorted(path.suffix for path in (tmp_path / "out").glob("*.*"))
    assert built.count(".pdf") == 2 and built.count(".epub") == 1
    epub = next((tmp_path / "out").glob("*.epub"))
    assert "Wikipedia" in "".join(
        zipfile.ZipFile(epub).read(name).decode()
        for name in zipfile.ZipFile(epub).namelist()
        if name.endswith(".xhtml")
    )
