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


def test_report_puts_the_summary_first_and_quotes_each_doubt(capsys):
    status, _, err = run(capsys, SEEDS / "000_cfaf1a26d7d8a683.txt")
    lines = err.splitlines()
    assert status == 0
    assert lines[0].endswith("000_cfaf1a26d7d8a683.txt: 34 repairs, 3 places that need you.")
    assert lines[1] == "Line numbers refer to " + str(SEEDS / "000_cfaf1a26d7d8a683.txt") + "."
    assert "line 19: “The basic reason for this is the following: The…”" in lines
    assert (
        "start the paragraph with '> '"
        in lines[lines.index("line 19: “The basic reason for this is the following: The…”") + 1]
    )
    assert "[p-joined]" not in err and "--report full lists the repairs" in err


def test_full_report_lists_the_repairs_with_their_words(capsys):
    status, _, err = run(capsys, SEEDS / "000_cfaf1a26d7d8a683.txt", "--report", "full")
    assert status == 0 and "\nRepairs:\n" in err
    assert "  line 29: [p-joined] joined to the paragraph at line 27 in “" in err
    assert "removed a stray '*' inside emphasis in “" in err


def test_an_html_report_counts_lines_in_the_canonical_markdown(tmp_path, capsys):
    source = tmp_path / "page.html"
    source.write_text(HTML_WITH_FURNITURE, encoding="utf-8")
    canonical = tmp_path / "page.md"
    status, _, err = run(capsys, source, "-o", canonical)
    assert status == 0
    assert err.splitlines()[:2] == [
        f"{source}: 0 repairs, 1 place that needs you.",
        "Line numbers refer to the canonical Markdown.",
    ]
    line = int(err.split("\nline ")[1].split(":")[0])
    assert canonical.read_text(encoding="utf-8").split("\n")[line - 1] == "Share on Twitter"
    assert err.endswith(
        f"  publish normalize {source} -o {canonical}\n  publish build {canonical}\n"
    )


def test_json_report(capsys):
    status, _, err = run(capsys, SEEDS / "000_cfaf1a26d7d8a683.txt", "--report", "json")
    report = json.loads(err)
    assert status == 0 and report["source"].endswith(".txt")
    assert (report["repairs"], report["doubts"], report["lines"]) == (34, 3, "source")
    doubts = [entry for entry in report["entries"] if entry["doubt"]]
    assert {entry["line"] for entry in doubts} == {19, 21, 23}
    assert all(entry["quote"] for entry in doubts)


def test_json_report_for_html_counts_canonical_lines(tmp_path, capsys):
    source = tmp_path / "page.html"
    source.write_text(HTML_WITH_FURNITURE, encoding="utf-8")
    status, out, err = run(capsys, source, "--report", "json")
    report = json.loads(err)
    assert status == 0 and report["lines"] == "canonical"
    [doubt] = [entry for entry in report["entries"] if entry["doubt"]]
    assert out.split("\n")[doubt["line"] - 1] == doubt["quote"] == "Share on Twitter"


def test_no_report(capsys):
    status, _, err = run(capsys, SEEDS / "000_cfaf1a26d7d8a683.txt", "--report", "none")
    assert status == 0 and err == ""


HTML_WITH_FURNITURE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rent Strike Wins</title>
<meta name="author" content="Ann Smith"></head><body><article>
<h1>Rent Strike Wins</h1>
<p>The tenants of the building on Elm Street voted to withhold their rent in March, and by
May the landlord had agreed to every repair they asked for.</p>
<p>Share on Twitter</p>
<p>Organizers said the key was meeting every week in the lobby, where neighbours who had
never spoken found they had the same complaints about the heating and the lifts.</p>
</article></body></html>
"""


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
