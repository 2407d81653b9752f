"""Time hostile inputs: normalizing ever more short paragraphs, laying out long words, 1 MB builds.

Run from the project folder with the project's interpreter:

    .venv/bin/python benchmarks/robustness.py            # every measure (half an hour or more)
    .venv/bin/python benchmarks/robustness.py --parts 1  # only the normalizer's scaling (1 minute)

(1) Normalizing a scrape of 2,000, 4,000 and 20,000 short paragraphs that are all one
    sentence (the scrape split it everywhere; with emphasis, quotes, placeholder links), and
    1 MB scrapes, in this process: ten times the paragraphs may take at most about twelve
    times as long, and 1 MB under 10 s.
(2) `publish build` (PDF, EPUB) of a text holding one word of 2,000 and of 10,000 letters,
    and of a scrape and a single-line blob of 100 kB and of 1 MB, as subprocesses: each
    under 60 s. (A megabyte of text is a book of well over a thousand A5 pages; its time is
    that of laying out so many pages, which this measure shows.)

Each figure is the best of --runs runs (default 1), so a slow spell of the shared machine
counts less. The exit status is 0 when every target is met and 1 otherwise.
"""

import argparse
import random
import resource
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publish.normalize import normalize  # noqa: E402
from publish.sources import Draft  # noqa: E402

WORDS = (ROOT / "seeds" / "000_cfaf1a26d7d8a683.txt").read_text(encoding="utf-8").split()
MAX_GROWTH = 12.0  # for ten times the input
MAX_NORMALIZE_MB = 10.0
MAX_BUILD = 60.0
BUILD_TIMEOUT = 900
MB = 1_000_000


def scrape(paragraphs: int, sentence_ends: float = 0.2, seed: int = 1) -> str:
    """A scrape of short paragraphs, split every few words so that most are joined again,
    with emphasis, quotes, dashes and placeholder links. `sentence_ends` is how often a
    paragraph ends a sentence; at 0 the whole scrape is one run-on sentence."""
    chooser = random.Random(seed)
    out = ["A Scrape of Short Paragraphs"]
    ended = True
    for _ in range(paragraphs):
        words = [chooser.choice(WORDS).lower().strip(".,;:!?") or "and" for _ in range(3)]
        words = words[: chooser.randint(1, 3)]
        if ended:
            words[0] = words[0].capitalize()
        damage = chooser.random()
        if damage < 0.05:
            words[0] = f"*{words[0]}"
        elif damage < 0.1:
            words[-1] = f"[{words[-1]}](#)"
        elif damage < 0.15:
            words[0] = f"'{words[0]} --"
        ended = chooser.random() < sentence_ends
        out.append(" ".join(words) + ("." if ended else ""))
    return "\n\n".join(out) + "\n"


def scrape_of_size(size: int, sentence_ends: float = 0.2) -> str:
    """A scrape of short paragraphs about `size` bytes long."""
    sample = scrape(1000, sentence_ends)
    return scrape(int(1000 * size / len(sample.encode())), sentence_ends)


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def normalize_time(text: str, runs: int) -> float:
    draft = Draft(path=Path("scrape.txt"), kind="text", body=text)
    return best_of(runs, lambda: normalize(draft))


def part_normalize(runs: int) -> bool:
    """(1) The normalizer's time for 2k, 4k, 20k paragraphs of one run-on sentence, and 1 MB."""
    normalize_time(scrape(100), 1)  # loads the language models once, outside the timings
    times = {}
    for count in (2_000, 4_000, 20_000):
        text = scrape(count, sentence_ends=0)
        times[count] = normalize_time(text, runs)
        size = f"{count:>6,} paragraphs ({len(text) / 1000:>4.0f} kB)"
        print(f"normalize {size}, one sentence: {times[count]:6.2f} s")
    growth = times[20_000] / times[2_000]
    print(f"growth for 10x the paragraphs: {growth:.1f}x (target <= {MAX_GROWTH:.0f}x)")
    met = growth <= MAX_GROWTH
    for shape, ends in (("sentences of about five paragraphs", 0.2), ("one sentence", 0)):
        seconds = normalize_time(scrape_of_size(MB, ends), runs)
        print(
            f"normalize 1 MB scrape, {shape}: {seconds:6.2f} s (target < {MAX_NORMALIZE_MB:.0f} s)"
        )
        met = met and seconds < MAX_NORMALIZE_MB
    return met


def children_cpu() -> float:
    """CPU seconds (user and system) of the finished subprocesses so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_time(folder: Path, name: str, text: str, runs: int) -> tuple[float, float] | None:
    """Wall and CPU seconds for `publish build` of one source (PDF and EPUB), the run of least
    wall time, or None if it failed. On a shared machine the CPU time is the steadier."""
    source = folder / name
    source.write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "publish", "build", str(source), "--formats", "pdf,epub"]
    command += ["--output", str(folder / "out"), "--force", "--quiet", "--jobs", "1"]
    command += ["--timeout", str(BUILD_TIMEOUT)]
    failed, cpu = [], []

    def build() -> None:
        before = children_cpu()
        if subprocess.run(command, cwd=ROOT).returncode:
            failed.append(name)
        cpu.append(children_cpu() - before)

    times = [best_of(1, build) for _ in range(runs)]
    best = min(range(runs), key=times.__getitem__)
    return None if failed else (times[best], cpu[best])


def blob(length: int) -> str:
    chooser = random.Random(length)
    return "".join(chooser.choice(string.ascii_lowercase) for _ in range(length))


def part_build(runs: int) -> bool:
    """(2) Builds of long words and of 1 MB inputs."""
    inputs = {
        "word-2000.txt": f"A Long Word\n\nA pasted blob: {blob(2_000)} and the end.\n",
        "word-10000.txt": f"A Longer Word\n\nA pasted blob: {blob(10_000)} and the end.\n",
        "scrape-100kb.txt": scrape_of_size(MB // 10),
        "blob-100kb.txt": f"One Line of Data\n\n{blob(MB // 10 - 100)}\n",
        "scrape-1mb.txt": scrape_of_size(MB),
        "blob-1mb.txt": f"One Line of Data\n\n{blob(MB - 100)}\n",
    }
    met = True
    with tempfile.TemporaryDirectory() as folder:
        for name, text in inputs.items():
            timed = build_time(Path(folder), name, text, runs)
            size = f"{name:<16} ({len(text.encode()) / 1000:>5.0f} kB)"
            figures = f"{timed[0]:6.1f} s (CPU {timed[1]:6.1f} s)" if timed else "failed"
            print(f"build {size}: {figures}")
            met = met and timed is not None and timed[0] < MAX_BUILD
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="1,2", help="which measures, e.g. 1 or 1,2")
    parser.add_argument("--runs", type=int, default=1, help="runs of each, the best counts")
    args = parser.parse_args()
    parts = {int(part) for part in args.parts.split(",")}
    met = True
    if 1 in parts:
        met = part_normalize(args.runs) and met
    if 2 in parts:
        met = part_build(args.runs) and met
    print("every target met" if met else "a target was missed")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
