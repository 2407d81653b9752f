"""A worker's memory as it renders one source after another: flat, or growing with each.

Run from the project folder with the project's interpreter:

    .venv/bin/python benchmarks/worker_memory.py            # 6 rounds of 40 sources
    .venv/bin/python benchmarks/worker_memory.py --rounds 15

A local worker and a cluster's worker live for a whole build, and a cluster's for many: what
each source leaves behind adds up over an archive (100,000 sources are 50,000 a worker on two
workers). The same 40 short sources (PDF, booklet and EPUB) are built in this process round
after round. After each round it prints the memory malloc holds in use (glibc's mallinfo2:
C libraries' memory, Pango's and HarfBuzz's, which Python's tracemalloc does not see) and the
resident size, then the growth per source over the second half of the rounds (the first
rounds fill caches that are kept within their bounds).
"""

import argparse
import ctypes
import gc
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sources import write_sources  # noqa: E402

from publish.build import BuildOptions, Job, prepare_and_render  # noqa: E402
from publish.render.options import RenderOptions  # noqa: E402

FIELDS = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"


class MallocInfo(ctypes.Structure):
    """glibc's struct mallinfo2."""

    _fields_ = [(name, ctypes.c_size_t) for name in FIELDS.split()]


def in_use() -> int:
    """Bytes malloc has handed out and not had back (glibc)."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallocInfo
    return libc.mallinfo2().uordblks


def resident() -> int:
    """This process's resident memory in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--sources", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    render_options = RenderOptions.from_environment()
    with tempfile.TemporaryDirectory(prefix="publish-memory-bench-") as folder:
        sources = sorted(write_sources(Path(folder) / "sources", args.sources).iterdir())
        options = BuildOptions(output=Path(folder) / "output")
        rows = []
        for number in range(1, args.rounds + 1):
            for source in sources:
                outcome = prepare_and_render(Job(source), options, render_options, keep=True)
                if outcome.status != "built":
                    sys.exit(f"{source.name}: {outcome.message}")
            gc.collect()
            used, kept = in_use(), resident()
            rows.append((used, kept))
            print(
                f"round {number}: {number * len(sources)} sources, "
                f"malloc in use {used / 2**20:.1f} MiB, resident {kept / 2**20:.1f} MiB",
                flush=True,
            )
    half = len(rows) // 2  # the first rounds fill the caches kept within their bounds
    built = (len(rows) - 1 - half) * len(sources)
    if built:
        pairs = zip(rows[half], rows[-1], strict=True)
        grown = [(last - first) / built / 1000 for first, last in pairs]
        print(
            f"growth per source over rounds {half + 2} to {len(rows)}: "
            f"malloc {grown[0]:.1f} kB, resident {grown[1]:.1f} kB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
