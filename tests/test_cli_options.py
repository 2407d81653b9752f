"""Command-line options: sizes with units, paper in any case, time limits, human errors."""

import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from publish.cli import build_parser, byte_size, main


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("4000", 4000),
        ("4000B", 4000),
        ("5k", 5000),
        ("5K", 5000),
        ("5kB", 5000),
        ("5MB", 5_000_000),
        ("5m", 5_000_000),
        ("1.5G", 1_500_000_000),
        ("2KiB", 2048),
        ("5mib", 5 * 1024**2),
        ("1 GiB", 1024**3),
    ],
)
def test_sizes_take_units(text: str, size: int) -> None:
    assert byte_size(text) == size


@given(st.integers(1, 10**12))
def test_a_plain_number_is_bytes_and_kib_is_1024(number: int) -> None:
    assert byte_size(str(number)) == number
    assert byte_size(f"{number}KiB") == number * 1024


@pytest.mark.parametrize(
    ("argv", "bad"),
    [
        (["build", "--max-size", "5XB"], "'5XB' is not a size"),
        (["build", "--max-size", "MB"], "'MB' is not a size"),
        (["build", "--max-size", "0k"], "'0k' is less than one byte"),
        (["build", "--max-size", "-1"], "'-1' is not a size"),
        (["build", "--jobs", "two"], "'two' is not a whole number"),
        (["build", "--jobs", "0"], "'0' is less than 1"),
        (["build", "--timeout", "1.5"], "'1.5' is not a whole number"),
        (["normalize", "x.md", "--timeout", "soon"], "'soon' is not a whole number"),
        (["build", "--signature", "6"], "'6' is not 0 or a multiple of 4"),
        (["build", "--signature", "x"], "'x' is not a whole number"),
        (["build", "--formats", "pdf,mobi"], "'pdf,mobi': choose from pdf, epub, booklet"),
        (["build", "--paper", "b5"], "invalid choice: 'b5'"),
        (["build", "--edition", "tiny"], "'tiny': choose from standard, large-print"),
        (["build", "x.md", "--formats", "cover"], "--formats cover needs --pod lulu or --pod kdp"),
        (["watch", "x.md", "--formats", "cover"], "watch does not make print-on-demand covers"),
    ],
)
def test_usage_errors_say_what_is_wrong(capsys, argv: list[str], bad: str) -> None:
    assert main(argv) == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert bad in last and " value: " not in last, last  # not argparse's "invalid int value: "


@pytest.mark.parametrize("paper", ["A5", "a5", "Letter", "HALF-LETTER"])
def test_paper_in_any_case(paper: str) -> None:
    assert build_parser().parse_args(["build", "--paper", paper]).paper == paper.lower()


def test_formats_in_any_case() -> None:
    assert build_parser().parse_args(["build", "--formats", "PDF,Epub"]).formats == ("pdf", "epub")


def test_normalize_size_limit_takes_units(tmp_path: Path, capsys) -> None:
    source = tmp_path / "long.md"
    source.write_text("Words. " * 300, encoding="utf-8")
    assert main(["normalize", str(source), "--max-size", "1k"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"publish: {source}: too large to be a document (2,100 bytes; the limit is 1,000)"
    ]
    assert main(["normalize", str(source), "--max-size", "3k", "--report", "none"]) == 0


def test_normalize_time_limit_names_the_file(tmp_path: Path, capsys, monkeypatch) -> None:
    """A normalization that outlasts --timeout ends with one line naming the file."""
    import publish.normalize

    def endless(draft):
        while True:
            time.sleep(0.05)

    monkeypatch.setattr(publish.normalize, "normalize", endless)
    source = tmp_path / "slow.md"
    source.write_text("A paragraph.\n", encoding="utf-8")
    assert main(["normalize", str(source), "--timeout", "1"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == f"publish: {source}: took longer than 1 s\n"


def test_a_closed_pipe_ends_normalize_quietly(tmp_path: Path, capsys, monkeypatch) -> None:
    """`publish normalize x.txt | head`: no BrokenPipeError traceback when head stops reading."""
    import os
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)
    closed_pipe = open(write_end, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    monkeypatch.setattr(sys, "stdout", closed_pipe)
    source = tmp_path / "text.md"
    source.write_text("A paragraph of words.\n" * 10_000, encoding="utf-8")
    try:
        assert main(["normalize", str(source), "--report", "none"]) == 1
    finally:
        closed_pipe.close()
    assert capsys.readouterr().err == ""


def test_normalize_output_that_cannot_be_written_is_one_line(tmp_path: Path, capsys) -> None:
    source = tmp_path / "text.md"
    source.write_text("A paragraph.\n", encoding="utf-8")
    (tmp_path / "taken").write_text("a file, not a folder")
    target = tmp_path / "taken" / "out.md"
    assert main(["normalize", str(source), "-o", str(target), "--report", "none"]) == 1
    assert capsys.readouterr().err == f"publish: {target}: cannot write: File exists\n"


@pytest.mark.parametrize("command", [["build"], ["site"], ["watch", "a.md"]])
def test_every_command_reads_the_paper_in_any_case(command):
    from publish.cli import build_parser

    assert build_parser().parse_args([*command, "--paper", "Half-Letter"]).paper == "half-letter"
