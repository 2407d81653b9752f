"""`publish normalize` through main(): encodings, bad files, the report."""

import json

import pytest

from publish.cli import main
from tests.conftest import SEEDS

TEXT = 'A HEADLINE IN CAPITALS\n\nShe said "café" -- and left... It\'s done.\n'


def run(capsys, *args):
    status = main(["normalize", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    "encoded",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("cp1252"),
        TEXT.replace("\n", "\r\n").encode("utf-8"),
        TEXT.encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "cp1252", "crlf", "utf-16-bom"],
)
def test_common_encodings_give_the_same_text(tmp_path, capsys, encoded):
    source = tmp_path / "a.txt"
    source.write_bytes(encoded)
    status, out, _ = run(capsys, source)
    assert status == 0
    assert "title: A Headline in Capitals" in out
    assert "She said “café” — and left… It’s done." in out
    assert "\ufffd" not in out and "\r" not in out


def test_cp1252_punctuation_is_decoded_not_replaced(tmp_path, capsys):
    source = tmp_path / "a.txt"
    source.write_bytes(
        "Title\n\nThe \u201cLeninist\u201d way \u2014 it\u2019s \u20ac5.\n".encode("cp1252")
    )
    _, out, _ = run(capsys, source)
    assert "The “Leninist” way — it’s €5." in out


def test_invisible_characters_and_tabs(tmp_path, capsys):
    source = tmp_path / "a.md"
    source.write_text("# Ti\u200btle\n\nA\u00adword\tand\u00a0more\u2060.\n", encoding="utf-8")
    _, out, _ = run(capsys, source)
    assert "title: Title" in out and "Aword and\u00a0more." in out


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\n\t \n", "empty file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary file (a PNG image)"),
        (b"abc\x00def" * 10, "binary file (10 control bytes)"),
    ],
    ids=["empty", "blank", "png", "nul"],
)
def test_bad_files_get_one_line(tmp_path, capsys, content, reason):
    source = tmp_path / "bad.md"
    source.write_bytes(content)
    status, out, err = run(capsys, source)
    assert status == 1 and out == ""
    assert err.count("\n") == 1 and str(source) in err and reason in err
    assert "Traceback" not in err


def test_too_large_file(tmp_path, capsys):
    source = tmp_path / "huge.txt"
    source.write_bytes(b"word " * (1024 * 1024 + 10))
    status, _, err = run(capsys, source)
    assert status == 1 and "too large to be a document" in err and err.count("\n") == 1


def test_missing_file_and_unknown_type(tmp_path, capsys):
    assert run(capsys, tmp_path / "nope.txt")[0] == 1
    (tmp_path / "a.pages").write_text("x")
    status, _, err = run(capsys, tmp_path / "a.pages")
    assert status == 1 and "unsupported file type" in err


def test_report_lines_name_file_and_line(capsys):
    status, _, err = run(capsys, SEEDS / "000_cfaf1a26d7d8a683.txt")
    assert status == 0
    assert "000_cfaf1a26d7d8a683.txt:19: doubt [q-end-unknown]" in err
    assert "000_cfaf1a26d7d8a683.txt:29: changed [p-joined]" in err


def test_json_report(capsys):
    status, _, err = run(capsys, SEEDS / "000_cfaf1a26d7d8a683.txt", "--report", "json")
    report = json.loads(err)
    assert status == 0 and report["source"].endswith(".txt")
    doubts = [entry for entry in report["entries"] if entry["doubt"]]
    assert {entry["line"] for entry in doubts} == {19, 21, 23}


def test_output_file_is_written(tmp_path, capsys):
    out_file = tmp_path / "out" / "seed.md"
    status, out, _ = run(
        capsys, SEEDS / "000_cfaf1a26d7d8a683.txt", "-o", out_file, "--report", "none"
    )
    assert status == 0 and out == ""
    assert out_file.read_text(encoding="utf-8").startswith("---\ntitle: A Letter from Canadian")


def test_help_for_every_command(capsys):
    for args in (["--help"], ["normalize", "--help"], ["build", "--help"]):
        assert main(args) == 0
        assert "usage: publish" in capsys.readouterr().out


def test_usage_error_is_status_2(capsys):
    assert main(["build", "--paper", "b5"]) == 2
    assert main([]) == 2
