"""Short sources for the benchmarks: the seed's first paragraphs, each under a title of its own."""

from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_cfaf1a26d7d8a683.txt"


def write_sources(folder: Path, count: int) -> Path:
    """`count` short sources: the seed's first paragraphs under a title of their own."""
    folder.mkdir(parents=True)
    paragraphs = SEED.read_text(encoding="utf-8").split("\n\n")
    body = "\n\n".join(paragraphs[2:8])
    for number in range(count):
        text = f"Letter Number {number}\n\nBy A. Writer\n\n{body}\n"
        (folder / f"letter-{number:05}.txt").write_text(text, encoding="utf-8")
    return folder
