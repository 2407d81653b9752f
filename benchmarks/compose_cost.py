"""What the paragraph composer costs: the seed pamphlet's PDF with it and without it.

Run from the project folder with the project's interpreter:

    .venv/bin/python benchmarks/compose_cost.py            # five runs of each side
    .venv/bin/python benchmarks/compose_cost.py --runs 9
    .venv/bin/python benchmarks/compose_cost.py --instructions   # also counted by Valgrind

Two measures, each alternating the sides (off, on, off, on, ...) so that a slow spell of the
machine hits both alike, and comparing medians (target of issue 10: on / off <= 1.15):
  - render: `render_pdf` of the seed in one warm process (the PDF writer's own time);
  - command: `python -m publish build --formats pdf` of the seed as a subprocess, the
    composer switched off with PUBLISH_COMPOSE=0 (the variable exists for this measurement).
Both count CPU seconds (user + system), not wall time: on a shared machine other processes
lengthen wall time unevenly, while the work itself stays the same.

On a virtual machine whose host is shared, CPU seconds vary too: the same work took from
1.4 s to 2.0 s on different days, and single runs of one day vary by a quarter. With
`--instructions` the command is also run once on each side under Valgrind's callgrind, which
counts the instructions it executes: the same count on every run and every day, a measure
of the work itself (it takes about three minutes; Debian: `apt-get install valgrind`).
"""

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publish.document import parse  # noqa: E402
from publish.normalize import normalize  # noqa: E402
from publish.render.options import RenderOptions  # noqa: E402
from publish.render.pdf import render_pdf  # noqa: E402
from publish.sources import read_source  # noqa: E402

SEED = ROOT / "seeds" / "000_cfaf1a26d7d8a683.txt"
TARGET = 1.15


def render_times(runs: int) -> dict[bool, list[float]]:
    """CPU seconds of render_pdf for the seed, composer off and on, alternated after a warm-up."""
    document = parse(normalize(read_source(SEED)).text)
    times: dict[bool, list[float]] = {False: [], True: []}
    for compose in (False, True):
        render_pdf(document, RenderOptions(compose=compose))
    for _ in range(runs):
        for compose in (False, True):
            started = time.process_time()
            render_pdf(document, RenderOptions(compose=compose))
            times[compose].append(time.process_time() - started)
    return times


def command_times(runs: int) -> dict[bool, list[float]]:
    """CPU seconds of `publish build --formats pdf` on the seed, composer off and on, alternated."""
    times: dict[bool, list[float]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            for compose in (False, True):
                environment = dict(os.environ, PUBLISH_COMPOSE="1" if compose else "0")
                command = [sys.executable, "-m", "publish", "build", "-q", "--force"]
                command += ["--formats", "pdf", "-o", folder, str(SEED)]
                started = children_seconds()
                subprocess.run(command, env=environment, check=True, cwd=ROOT)
                times[compose].append(children_seconds() - started)
    return times


def command_instructions() -> dict[bool, int] | None:
    """Instructions executed by the same command under callgrind, composer off and on; None
    without Valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    counts = {}
    with tempfile.TemporaryDirectory() as folder:
        for compose in (False, True):
            environment = dict(os.environ, PUBLISH_COMPOSE="1" if compose else "0")
            command = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null"]
            command += [sys.executable, "-m", "publish", "build", "-q", "--force"]
            command += ["--formats", "pdf", "-o", folder, str(SEED)]
            done = subprocess.run(
                command, env=environment, check=True, cwd=ROOT, capture_output=True, text=True
            )
            found = re.search(r"Collected\s*:\s*([\d,]+)|I\s+refs:\s*([\d,]+)", done.stderr)
            if found is None:
                raise RuntimeError(f"no instruction count from callgrind:\n{done.stderr}")
            counts[compose] = int((found.group(1) or found.group(2)).replace(",", ""))
    return counts


def children_seconds() -> float:
    """CPU seconds used so far by this process's finished children (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(name: str, times: dict[bool, list[float]]) -> bool:
    """Print one measure's medians and ratio, and the spread of the ratios of the runs paired
    in time (each off run with the on run after it); whether the medians meet the target."""
    off, on = statistics.median(times[False]), statistics.median(times[True])
    ratio = on / off
    verdict = "met" if ratio <= TARGET else "MISSED"
    print(
        f"{name:8} CPU off {off:6.3f} s  on {on:6.3f} s  on/off {ratio:5.3f}  "
        f"(<= {TARGET}: {verdict})"
    )
    pairs = sorted(b / a for a, b in zip(times[False], times[True], strict=True))
    if len(pairs) >= 4:
        low, middle, high = statistics.quantiles(pairs, n=4)
        print(
            f"{'':8} pairs: median {middle:5.3f}, quartiles {low:5.3f}-{high:5.3f}, "
            f"range {pairs[0]:5.3f}-{pairs[-1]:5.3f}"
        )
    return ratio <= TARGET


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each side (default 5)")
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions under Valgrind"
    )
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    met = report("render", render_times(args.runs))
    met = report("command", command_times(args.runs)) and met
    if args.instructions:
        counts = command_instructions()
        if counts is None:
            print("instructions: Valgrind is not installed")
        else:
            ratio = counts[True] / counts[False]
            verdict = "met" if ratio <= TARGET else "MISSED"
            print(
                f"command  instructions off {counts[False] / 1e9:6.3f} G  on "
                f"{counts[True] / 1e9:6.3f} G  on/off {ratio:5.3f}  (<= {TARGET}: {verdict})"
            )
            met = met and ratio <= TARGET
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
