"""Benchmark the editing loop of issue 16 against pandoc on the seed.

Run from the project folder with the project's interpreter (pandoc from pypandoc-binary):

    .venv/bin/python benchmarks/bench_watch.py             # five rounds of each
    .venv/bin/python benchmarks/bench_watch.py --runs 9

(5) warm rebuild: in a running `publish watch`, the time from saving the seed to its new PDF
    being in place, against pandoc's cold PDF of the seed (`--pdf-engine=weasyprint`);
(6) a cold `publish build SEED --formats pdf,epub` against pandoc's PDF plus its EPUB;
(7) the full default build (PDF, booklet, EPUB) against the same, reported without a target.

A and B alternate (A B A B ...) and each side's median is compared, as in bench.py. The warm
side is timed from this process: the seed is saved (a new file renamed over it, as editors
do) and the PDF's file is watched until a new one replaces it; the booklet and EPUB are then
left to finish before the next round.

Besides wall time, each side's CPU time (user + system, of every process it ran) is given:
on a machine that other work keeps busy, its ratios move much less than those of wall time.
"""

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench import (
    INSTALL_PANDOC,
    PUBLISH,
    SEED,
    Workspace,
    environment,
    machine,
    pandoc_path,
    warn_if_busy,
)

PANDOC_META = ["-M", "title=A Letter from Canadian Comrades", "-M", "lang=en"]
PDF_NAME = "a-letter-from-canadian-comrades.pdf"
PATIENCE = 300.0  # seconds for any one build on a busy machine
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Timing:
    """Wall time and CPU time (user + system) of one side of a round."""

    wall: float
    cpu: float


def timed(commands: list[list[str]], env: dict[str, str]) -> Timing:
    """Run the commands one after the other: their wall time and the CPU time of their trees."""
    before = children_cpu()
    started = time.perf_counter()
    for command in commands:
        done = subprocess.run(command, env=env, capture_output=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr.decode()[-2000:]}")
    return Timing(time.perf_counter() - started, children_cpu() - before)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds a running process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def median(timings: list[Timing], kind: str) -> float:
    return statistics.median(getattr(timing, kind) for timing in timings)


class WatchProcess:
    """`publish watch` on a copy of the seed, and a way to time one save to its new PDF."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.source = folder / "seed.txt"
        self.text = SEED.read_text(encoding="utf-8")
        self.source.write_text(self.text, encoding="utf-8")
        self.pdf = folder / "out" / PDF_NAME
        self.log = folder / "watch.log"
        command = [*PUBLISH, "watch", str(self.source), "-o", str(folder / "out"), "--port", "0"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
        address = self.until(lambda: re.search(r"http://[\d.]+:\d+", self.log.read_text()))
        self.status_url = address.group(0) + "/status"
        self.until_built(0)
        self.saves = 0

    def until(self, condition, pause: float = 0.002):
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            if value := condition():
                return value
            if self.process.poll() is not None:
                raise RuntimeError(f"publish watch stopped:\n{self.log.read_text()}")
            time.sleep(pause)
        raise RuntimeError(f"publish watch did not build in {PATIENCE} s:\n{self.log.read_text()}")

    def status(self) -> dict:
        with urllib.request.urlopen(self.status_url, timeout=30) as answer:
            return json.load(answer)

    def until_built(self, builds: int) -> None:
        """Wait (polling gently, not to slow the build) until a build after `builds` is done."""

        def done() -> bool:
            status = self.status()
            return status["builds"] > builds and status["state"] != "building"

        self.until(done, pause=0.1)

    def save_and_time(self) -> Timing:
        """Save the seed with one more sentence; the time until its new PDF replaced the old,
        and the CPU time the watching process spent meanwhile."""
        self.saves += 1
        builds = self.status()["builds"]
        before = os.stat(self.pdf).st_ino
        edited = self.source.with_name(".seed.txt.new")
        edited.write_text(self.text + f"\nA sentence added by save {self.saves}.\n", "utf-8")
        cpu = process_cpu(self.process.pid)
        started = time.perf_counter()
        os.replace(edited, self.source)
        self.until(lambda: os.path.exists(self.pdf) and os.stat(self.pdf).st_ino != before)
        timing = Timing(time.perf_counter() - started, process_cpu(self.process.pid) - cpu)
        self.until_built(builds)
        return timing

    def stop(self) -> None:
        self.process.send_signal(2)
        self.process.wait(timeout=60)


def pandoc_commands(pandoc: str, out: Path, epub: bool) -> list[list[str]]:
    common = [pandoc, str(SEED), "-f", "markdown", "-s", *PANDOC_META]
    commands = [[*common, "-o", str(out / "seed.pdf"), "--pdf-engine=weasyprint"]]
    if epub:
        commands.append([*common, "-o", str(out / "seed.epub")])
    return commands


def show(round_number: int, a: Timing, b: Timing) -> None:
    print(
        f"  round {round_number + 1}: {a.wall:.2f} s ({a.cpu:.2f} s CPU), "
        f"pandoc {b.wall:.2f} s ({b.cpu:.2f} s CPU)",
        flush=True,
    )


def ours(space: Workspace, formats: str | None) -> list[list[str]]:
    command = [*PUBLISH, "build", str(SEED), "-o", str(space.fresh("ours")), "--jobs", "1"]
    return [command + (["--formats", formats] if formats else [])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds of each (default: 5)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    pandoc = pandoc_path()
    if pandoc is None:
        print(f"pandoc not found. Install it with:\n      {INSTALL_PANDOC}")
        return 2
    env = environment()
    warn_if_busy()
    space = Workspace(Path(tempfile.mkdtemp(prefix="publish-bench-watch-")))
    rows = []
    try:
        print("(5) warm rebuild in publish watch against pandoc's cold PDF")
        watching = WatchProcess(space.fresh("watch"), env)
        warm, pandoc_pdf = [], []
        try:
            for round_number in range(args.runs):
                warm.append(watching.save_and_time())
                pandoc_pdf.append(timed(pandoc_commands(pandoc, space.fresh("p"), False), env))
                show(round_number, warm[-1], pandoc_pdf[-1])
        finally:
            watching.stop()
        rows.append(("(5) warm save -> PDF / pandoc PDF", warm, pandoc_pdf, 0.3))
        for number, formats, target in (("6", "pdf,epub", 1.2), ("7", None, None)):
            label = f"--formats {formats}" if formats else "full default build"
            print(f"({number}) cold publish build {label} against pandoc's PDF and EPUB")
            mine, theirs = [], []
            timed(ours(space, formats), env)  # warm the disk cache and fontconfig
            for round_number in range(args.runs):
                mine.append(timed(ours(space, formats), env))
                theirs.append(timed(pandoc_commands(pandoc, space.fresh("p"), True), env))
                show(round_number, mine[-1], theirs[-1])
            rows.append((f"({number}) cold {label} / pandoc PDF+EPUB", mine, theirs, target))
    finally:
        if args.keep:
            print(f"kept {space.root}")
        else:
            shutil.rmtree(space.root, ignore_errors=True)
    print(f"\nResults (median of {args.runs} alternating rounds; {machine()})\n")
    print(
        f"{'measure':46} {'A wall':>8} {'B wall':>8} {'ratio':>6} {'target':>8}  "
        f"{'':6} {'A CPU':>7} {'B CPU':>7} {'ratio':>6}"
    )
    met = True
    for name, a, b, target in rows:
        ratio = median(a, "wall") / median(b, "wall")
        verdict = "" if target is None else ("ok" if ratio <= target else "MISSED")
        met &= target is None or ratio <= target
        limit = "" if target is None else f"<= {target}"
        cpu_ratio = median(a, "cpu") / median(b, "cpu")
        print(
            f"{name:46} {median(a, 'wall'):7.2f}s {median(b, 'wall'):7.2f}s {ratio:6.2f} "
            f"{limit:>8}  {verdict:6} {median(a, 'cpu'):6.2f}s {median(b, 'cpu'):6.2f}s "
            f"{cpu_ratio:6.2f}"
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
