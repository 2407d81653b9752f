"""Shared test helpers: paths of the project's and the shared samples, fixture-file cases."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared" / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load_cases(path: Path) -> list:
    """Cases from a fixture file: a title line, the input, '.', the expected text, '.'.

    As in markdown-it-py's fixture files, a line holding a single '.' ends each part; blank
    lines between cases are skipped. Each case's id is the file and line of its title.
    """
    cases, parts, lines, title_line = [], [], [], None
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if title_line is None:
            if line.strip():
                title_line = number
            continue
        if line != ".":
            lines.append(line)
            continue
        parts.append("\n".join(lines))
        lines = []
        if len(parts) == 2:
            cases.append(pytest.param(*parts, id=f"{path.stem}:{title_line}"))
            parts, title_line = [], None
    return cases


def source_files() -> list[Path]:
    """Every source in seeds/ and the shared samples."""
    files = sorted(SEEDS.glob("*.*"))
    if SHARED.exists():
        files += sorted(p for p in SHARED.rglob("*") if p.suffix in (".txt", ".md", ".html"))
    return files
