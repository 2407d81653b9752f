"""Benchmark `publish build` against pandoc, one worker against two, a rebuild, a long reader.

Run from the project folder with the project's interpreter:

    .venv/bin/python benchmarks/bench.py            # three runs of each command
    .venv/bin/python benchmarks/bench.py --quick    # one run of each (a rough look)

Every figure comes from whole commands run as subprocesses, A and B alternated (A B A B ...)
so that a slow spell of the machine hits both sides alike; each side's median is compared.
Each command runs under a small wrapper that reports its wall time and the peak resident
memory of its process tree (getrusage RUSAGE_CHILDREN ru_maxrss: the largest single process).
The inputs are generated in a temporary folder from seeds/000_cfaf1a26d7d8a683.txt and, when
present, ../shared/samples/tenant-union-handbook.md. See benchmarks/README.md.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_cfaf1a26d7d8a683.txt"
SEED_TITLE = "A LETTER FROM CANADIAN COMRADES"
HANDBOOK = ROOT.parent / "shared" / "samples" / "tenant-union-handbook.md"
HANDBOOK_TITLE = "# How to Start a Tenants' Union"
PUBLISH = [sys.executable, "-m", "publish"]
SOURCES = 20  # part 2
READER_TEXTS = 24  # part 4: about 300 A5 pages
PEAK_LIMIT_MIB = 600
INSTALL_PANDOC = f"{sys.executable} -m pip install pypandoc-binary"

# Runs a command, then prints its wall time and the peak RSS of its process tree as JSON.
WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kib": peak, "status": done.returncode,
                  "stderr": done.stderr.decode("utf-8", "replace")[-3000:]}))
"""


@dataclass(frozen=True)
class Run:
    """One timed command (or sequence of commands, timed together)."""

    seconds: float
    peak_mib: float


@dataclass(frozen=True)
class Result:
    """A line of the report: two medians, their ratio, and the target it must meet."""

    name: str
    a_label: str
    a_runs: list[Run]
    b_label: str
    b_runs: list[Run]
    target: float

    @property
    def ratio(self) -> float:
        return median(self.a_runs) / median(self.b_runs)

    @property
    def met(self) -> bool:
        return self.ratio <= self.target


class CommandFailed(RuntimeError):
    pass


def median(runs: list[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


def measure(commands: list[list[str]], env: dict[str, str]) -> Run:
    """Run the commands one after the other; their total time and their largest peak RSS."""
    seconds, peak = 0.0, 0.0
    for command in commands:
        wrapped = [sys.executable, "-c", WRAPPER, *command]
        output = subprocess.run(wrapped, capture_output=True, text=True, env=env, check=True)
        report = json.loads(output.stdout)
        if report["status"] != 0:
            shown = " ".join(command)
            raise CommandFailed(f"{shown} exited {report['status']}:\n{report['stderr']}")
        seconds += report["seconds"]
        peak = max(peak, report["peak_kib"] / 1024)
    return Run(seconds, peak)


def alternate(
    steps: list[Callable[[], list[list[str]]]], runs: int, env: dict[str, str]
) -> list[list[Run]]:
    """Run each step's commands in turn, `runs` rounds (A B A B ...); the runs of each step."""
    results: list[list[Run]] = [[] for _ in steps]
    for round_number in range(runs):
        for index, step in enumerate(steps):
            run = measure(step(), env)
            results[index].append(run)
            print(f"  round {round_number + 1}, step {index + 1}: {run.seconds:6.2f} s", flush=True)
    return results


class Workspace:
    """The temporary folder: generated inputs, and a fresh output folder for every run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def fresh(self, name: str) -> Path:
        self.count += 1
        folder = self.root / "out" / f"{name}-{self.count}"
        folder.mkdir(parents=True)
        return folder


def seed_variant(number: int, repeat: int = 1) -> str:
    """The seed with its own title (and its body repeated `repeat` times)."""
    text = SEED.read_text(encoding="utf-8")
    head, _, body = text.partition(SEED_TITLE)
    return head + f"{SEED_TITLE} ({number})" + body * repeat


def handbook_variant(number: int, repeat: int = 1) -> str:
    """The tenants' handbook with its own title (and its body repeated)."""
    text = HANDBOOK.read_text(encoding="utf-8")
    head, _, body = text.partition(HANDBOOK_TITLE)
    return head + f"{HANDBOOK_TITLE} ({number})" + body * repeat


def write_sources(folder: Path, count: int, repeat: int = 1) -> list[Path]:
    """`count` sources with distinct titles: seed variants, and handbook ones if available."""
    folder.mkdir(parents=True)
    paths = []
    for number in range(1, count + 1):
        if HANDBOOK.exists() and number % 2 == 0:
            path = folder / f"handbook-{number:02d}.md"
            path.write_text(handbook_variant(number, repeat * 3), encoding="utf-8")
        else:
            path = folder / f"letter-{number:02d}.txt"
            path.write_text(seed_variant(number, repeat), encoding="utf-8")
        paths.append(path)
    return paths


def write_reader(folder: Path, texts: list[Path]) -> Path:
    """A manifest of the texts in parts of five, with a question each."""
    lines = ['title = "The Benchmark Reader"', 'editor = "The Benchmark Group"', ""]
    for start in range(0, len(texts), 5):
        part = texts[start : start + 5]
        names = ", ".join(f'"{path.relative_to(folder).as_posix()}"' for path in part)
        lines += [
            "[[parts]]",
            f'title = "Part {start // 5 + 1}"',
            f"texts = [{names}]",
            'questions = ["What would you change in your own group?"]',
            "",
        ]
    manifest = folder / "reader.toml"
    manifest.write_text("\n".join(lines), encoding="utf-8")
    return manifest


def pandoc_path() -> str | None:
    """The pandoc binary of pypandoc-binary, or None when it is not installed."""
    try:
        import pypandoc
    except ImportError:
        return None
    try:
        return pypandoc.get_pandoc_path()
    except OSError:
        return None


def part_pandoc(space: Workspace, runs: int, env: dict[str, str]) -> Result | None:
    """(1) Our PDF + booklet + EPUB of the seed against pandoc's PDF (WeasyPrint) + EPUB."""
    pandoc = pandoc_path()
    if pandoc is None:
        print(f"(1) skipped: pandoc not found. Install it with:\n      {INSTALL_PANDOC}")
        return None
    title = ["-M", "title=A Letter from Canadian Comrades", "-M", "lang=en"]

    def ours() -> list[list[str]]:
        return [[*PUBLISH, "build", str(SEED), "-o", str(space.fresh("ours")), "--jobs", "1"]]

    def theirs() -> list[list[str]]:
        out = space.fresh("pandoc")
        common = [pandoc, str(SEED), "-f", "markdown", "-s", *title]
        return [
            [*common, "-o", str(out / "seed.pdf"), "--pdf-engine=weasyprint"],
            [*common, "-o", str(out / "seed.epub")],
        ]

    print("(1) the seed: publish build (PDF, booklet, EPUB) against pandoc (PDF, EPUB)")
    measure(ours(), env), measure(theirs(), env)  # warm the disk cache and fontconfig
    a, b = alternate([ours, theirs], runs, env)
    return Result("(1) seed build / pandoc", "publish", a, "pandoc", b, 1.0)


def part_workers(space: Workspace, runs: int, env: dict[str, str]) -> list[Result]:
    """(2) twenty sources, one worker against two; (3) an unchanged rebuild against a full one."""
    sources = write_sources(space.root / "sources", SOURCES)
    folder = str(sources[0].parent)
    last: list[Path] = []

    def one_worker() -> list[list[str]]:
        return [[*PUBLISH, "build", folder, "-o", str(space.fresh("j1")), "--jobs", "1"]]

    def two_workers() -> list[list[str]]:
        last[:] = [space.fresh("j2")]
        return [[*PUBLISH, "build", folder, "-o", str(last[0]), "--jobs", "2"]]

    def rebuild() -> list[list[str]]:
        return [[*PUBLISH, "build", folder, "-o", str(last[0]), "--jobs", "2"]]

    print(f"(2, 3) {SOURCES} sources: one worker, two workers, then the same again unchanged")
    j1, j2, again = alternate([one_worker, two_workers, rebuild], runs, env)
    return [
        Result("(2) two workers / one", "--jobs 2", j2, "--jobs 1", j1, 0.65),
        Result("(3) unchanged rebuild / full", "rebuild", again, "full (--jobs 2)", j2, 0.10),
    ]


def part_reader(space: Workspace, runs: int, env: dict[str, str]) -> tuple[list[Run], int]:
    """(4) a reader of about 300 A5 pages: its time and peak memory; also its page count."""
    texts = write_sources(space.root / "reader" / "texts", READER_TEXTS, repeat=2)
    manifest = write_reader(space.root / "reader", texts)
    outputs: list[Path] = []

    def reader() -> list[list[str]]:
        outputs[:] = [space.fresh("reader")]
        return [[*PUBLISH, "build", str(manifest), "-o", str(outputs[0]), "--jobs", "1"]]

    print(f"(4) a reader of {READER_TEXTS} texts (PDF, booklet, EPUB)")
    (found,) = alternate([reader], runs, env)
    pamphlet = [p for p in outputs[0].glob("*.pdf") if not p.name.endswith("-booklet.pdf")]
    return found, page_count(pamphlet[0])


def page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def report(results: list[Result], reader: tuple[list[Run], int] | None, runs: int) -> bool:
    """Print the figures; return whether every target was met."""
    print(f"\nResults (median of {runs} run(s) each; {machine()})\n")
    rows = [("measure", "A", "B", "ratio", "target", "")]
    for result in results:
        rows.append(
            (
                result.name,
                f"{result.a_label} {median(result.a_runs):.2f} s",
                f"{result.b_label} {median(result.b_runs):.2f} s",
                f"{result.ratio:.2f}",
                f"<= {result.target}",
                "ok" if result.met else "MISSED",
            )
        )
    met = all(result.met for result in results)
    if reader:
        reader_runs, pages = reader
        peak = max(run.peak_mib for run in reader_runs)
        met &= peak < PEAK_LIMIT_MIB
        rows.append(
            (
                f"(4) reader, {pages} A5 pages",
                f"{median(reader_runs):.2f} s",
                f"peak {peak:.0f} MiB",
                "",
                f"< {PEAK_LIMIT_MIB} MiB",
                "ok" if peak < PEAK_LIMIT_MIB else "MISSED",
            )
        )
    for row in rows:
        print(f"{row[0]:30} {row[1]:>20} {row[2]:>24} {row[3]:>6} {row[4]:>11}  {row[5]}")
    peaks = ", ".join(f"{r.a_label} {max(x.peak_mib for x in r.a_runs):.0f} MiB" for r in results)
    print(f"\nPeak memory of the largest process: {peaks}")
    return met


def machine() -> str:
    cores, load = os.cpu_count(), os.getloadavg()[0]
    python = platform.python_version()
    return f"{cores} cores, load {load:.1f}, Python {python}, {weasyprint_version()}"


def warn_if_busy() -> None:
    """Ratios mean little on a machine that other work keeps busy: say so up front."""
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    if load > cores / 2:
        print(f"warning: load average {load:.1f} on {cores} cores; figures will be noisy")


def weasyprint_version() -> str:
    try:
        import weasyprint
    except ImportError:
        return "WeasyPrint missing"
    return f"WeasyPrint {weasyprint.__version__}"


def environment() -> dict[str, str]:
    """The environment for the commands: our venv first on PATH (pandoc calls `weasyprint`)."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run of each command")
    parser.add_argument("--runs", type=int, help="runs of each command (default: 3, quick: 1)")
    parser.add_argument(
        "--parts", default="1,2,3,4", help="which measures to take (default: 1,2,3,4)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    runs = args.runs or (1 if args.quick else 3)
    parts = set(re.findall(r"\d", args.parts))
    try:
        import publish  # noqa: F401
    except ImportError:
        print("publish is not importable: run this with the project's .venv/bin/python")
        return 2
    env = environment()
    warn_if_busy()
    space = Workspace(Path(tempfile.mkdtemp(prefix="publish-bench-")))
    results: list[Result] = []
    reader = None
    try:
        if "1" in parts and (found := part_pandoc(space, runs, env)):
            results.append(found)
        if parts & {"2", "3"}:
            results += [r for r in part_workers(space, runs, env) if r.name[1] in parts]
        if "4" in parts:
            reader = part_reader(space, runs, env)
    except CommandFailed as error:
        print(f"a command failed, so the benchmark stops:\n{error}")
        return 2
    finally:
        if args.keep:
            print(f"inputs and outputs kept in {space.root}")
        else:
            shutil.rmtree(space.root, ignore_errors=True)
    return 0 if report(results, reader, runs) else 1


if __name__ == "__main__":
    sys.exit(main())
