"""Benchmark `publish build --scheduler` on a LocalCluster of two workers against `--jobs 2`.

Run from the project folder with the project's interpreter (and the cluster extra):

    .venv/bin/python benchmarks/cluster.py                  # 200 sources, three runs each
    .venv/bin/python benchmarks/cluster.py --runs 2 --large 2000

(1) Time: the same sources built with two local worker processes and on a LocalCluster of
two single-threaded worker processes, the runs alternated (local, cluster, local, ...) so a
slow spell of the machine hits both sides alike; the medians and their ratio are reported.
The cluster is started once and warmed by one untimed build, as a standing cluster would be.
It runs with the settings the README gives for a build cluster (publish.cluster's
CLUSTER_SETTINGS); `--dask-defaults` runs it with Dask's own, for comparison.
(2) Memory: the peak resident memory of the client process (the cluster's workers run in
other processes) building SOURCES sources, then LARGE sources as EPUB only.

Each command is a subprocess under a small wrapper reporting its wall time and the peak RSS
of its process tree (getrusage RUSAGE_CHILDREN: the largest single process; for the cluster
build that is the client alone). Sources are the first paragraphs of the seed, each with its
own title, so the per-source work is small and Dask's own cost shows the most.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import dask
from distributed import LocalCluster

from publish.cluster import CLUSTER_SETTINGS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sources import write_sources  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PUBLISH = [sys.executable, "-m", "publish", "build", "--quiet"]
OVERHEAD_TARGET = 1.10

# Runs a command, then prints its wall time and the peak RSS of its process tree as JSON.
WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kib": peak, "status": done.returncode,
                  "stderr": done.stderr.decode("utf-8", "replace")[-2000:]}))
"""


def timed(argv: list[str]) -> dict:
    """Run one command under the wrapper; its seconds and peak memory (MiB)."""
    environment = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *argv],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
        cwd=ROOT,
    )
    result = json.loads(done.stdout)
    if result["status"] != 0:
        sys.exit(f"failed: {' '.join(argv)}\n{result['stderr']}")
    return {"seconds": result["seconds"], "peak_mib": result["peak_kib"] / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--large", type=int, default=2000, help="sources for memory, EPUB only")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--dask-defaults",
        action="store_true",
        help="run the cluster with Dask's default settings, not the README's",
    )
    args = parser.parse_args()
    if not args.dask_defaults:
        dask.config.set(CLUSTER_SETTINGS)
    print("cluster settings:", "Dask's defaults" if args.dask_defaults else CLUSTER_SETTINGS)
    folder = Path(tempfile.mkdtemp(prefix="publish-cluster-bench-"))
    try:
        return measure(folder, args.sources, args.large, args.runs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def compare(cluster_build: list[str], small: Path, folder: Path, sources: int, runs: int) -> float:
    """Alternating runs of both sides; print the medians, their ratio and the client's peak."""
    timed([*cluster_build, str(small), "-o", str(folder / "warm")])
    sides: dict[str, list[dict]] = {"local --jobs 2": [], "cluster": []}
    for run in range(runs):
        local = timed([*PUBLISH, "--jobs", "2", str(small), "-o", str(folder / f"l{run}")])
        sides["local --jobs 2"].append(local)
        remote = timed([*cluster_build, str(small), "-o", str(folder / f"c{run}")])
        sides["cluster"].append(remote)
        print(f"run {run + 1}: local {local['seconds']:.1f} s, cluster {remote['seconds']:.1f} s")
    medians = {
        side: statistics.median(r["seconds"] for r in results) for side, results in sides.items()
    }
    ratio = medians["cluster"] / medians["local --jobs 2"]
    pairs = sorted(
        remote["seconds"] / local["seconds"]
        for local, remote in zip(sides["local --jobs 2"], sides["cluster"], strict=True)
    )
    print(f"\n{sources} sources, PDF + booklet + EPUB, medians of {runs} alternating runs:")
    for side, seconds in medians.items():
        print(f"  {side}: {seconds:.1f} s")
    print(f"  cluster / local: {ratio:.3f} (target <= {OVERHEAD_TARGET})")
    print(
        f"  each run's cluster / local: median {statistics.median(pairs):.3f}, "
        f"from {pairs[0]:.2f} to {pairs[-1]:.2f}"
    )
    print(
        f"  cost per source on the cluster: {medians['cluster'] * 2 / sources:.2f} worker-seconds"
    )
    client_peak = max(r["peak_mib"] for r in sides["cluster"])
    print(f"peak client memory, {sources} sources (all formats): {client_peak:.0f} MiB")
    return ratio


def measure(folder: Path, sources: int, large: int, runs: int) -> int:
    small = write_sources(folder / "small", sources)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as cluster:
        cluster_build = [*PUBLISH, "--scheduler", cluster.scheduler_address]
        ratio = compare(cluster_build, small, folder, sources, runs) if runs else 0.0
        if large:
            many = write_sources(folder / "large", large)
            epub = timed([*cluster_build, str(many), "-o", str(folder / "e"), "--formats", "epub"])
            print(
                f"peak client memory, {large} sources (EPUB): {epub['peak_mib']:.0f} MiB "
                f"in {epub['seconds']:.0f} s"
            )
            few = timed([*cluster_build, str(small), "-o", str(folder / "f"), "--formats", "epub"])
            print(f"peak client memory, {sources} sources (EPUB): {few['peak_mib']:.0f} MiB")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if ratio <= OVERHEAD_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
