"""Ctrl-C at random moments of a real build: exit 130 within 2 s, one line, nothing left behind.

Each trial runs `python -m publish build` on a few sources in a subprocess and sends it a
real SIGINT after a random delay (a seeded RNG), either to the command alone or, as a
terminal does, to its whole process group. The delays start after the interpreter's own
start-up, where Python, not publish, decides what Ctrl-C does.
"""

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from publish.atomic import remove_temporary_files
from tests.conftest import SEEDS

LINE = "publish: interrupted; every file written so far is complete"
TRIALS = 20
EXIT_WITHIN = 2.0  # seconds from Ctrl-C to exit, as the command promises


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sixteen copies of a seed under different titles: a build that outlasts every delay."""
    folder = tmp_path_factory.mktemp("sources")
    seed = (SEEDS / "000_cfaf1a26d7d8a683.txt").read_text(encoding="utf-8")
    for number in range(16):
        copy = seed.replace("A LETTER FROM CANADIAN COMRADES", f"INTERRUPTED COPY {number}", 1)
        (folder / f"copy-{number}.txt").write_text(copy, encoding="utf-8")
    return folder


def start_build(sources: Path, out: Path, jobs: int, marker: str) -> subprocess.Popen:
    """The build in its own process group; every process it starts inherits the marker."""
    command = [sys.executable, "-m", "publish", "build", str(sources), "-o", str(out)]
    return subprocess.Popen(
        [*command, "--jobs", str(jobs), "--quiet"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PUBLISH_TEST_MARKER": marker},
        cwd=out.parent,
        start_new_session=True,
    )


def interrupt(process: subprocess.Popen, whole_group: bool) -> None:
    if whole_group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)


def survivors(marker: str) -> list[int]:
    """Live processes started by the build, found by the marker in their environment."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue  # ended meanwhile, or a zombie
    return found


def assert_left_clean(out: Path, marker: str) -> None:
    """No process left, no temporary file, and every file written is whole."""
    left = survivors(marker)
    assert left == [], [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in left]
    if not out.exists():
        return
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] in (
        [],
        [".publish-cache.json"],
    )
    for pdf in out.glob("*.pdf"):
        assert len(PdfReader(pdf).pages) >= 1
    for epub in out.glob("*.epub"):
        with zipfile.ZipFile(epub) as archive:
            assert archive.testzip() is None and "META-INF/container.xml" in archive.namelist()
    if (out / ".publish-cache.json").exists():
        json.loads((out / ".publish-cache.json").read_text(encoding="utf-8"))


def test_ctrl_c_at_random_moments(sources: Path, tmp_path: Path) -> None:
    rng = random.Random(14)
    for trial in range(TRIALS):
        jobs, whole_group = trial % 2 + 1, trial % 4 >= 2
        delay = rng.uniform(0.5, 2.5)
        out, marker = tmp_path / f"out-{trial}", uuid.uuid4().hex
        process = start_build(sources, out, jobs, marker)
        time.sleep(delay)
        assert process.poll() is None, "the build ended before Ctrl-C: give it more sources"
        interrupt(process, whole_group)
        try:
            stderr = process.communicate(timeout=EXIT_WITHIN)[1]
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"trial {trial} (--jobs {jobs}, {delay:.2f} s): no exit within 2 s")
        where = f"trial {trial} (--jobs {jobs}, Ctrl-C after {delay:.2f} s)"
        assert process.returncode == 130, (where, stderr)
        assert stderr == LINE + "\n", (where, stderr)
        assert_left_clean(out, marker)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_second_ctrl_c_exits_at_once_silently(sources: Path, tmp_path: Path, jobs: int) -> None:
    out, marker = tmp_path / "out", uuid.uuid4().hex
    process = start_build(sources, out, jobs, marker)
    time.sleep(1.5)
    interrupt(process, whole_group=True)
    time.sleep(0.1)  # two signals at once would be delivered as one
    interrupt(process, whole_group=True)
    stderr = process.communicate(timeout=EXIT_WITHIN)[1]
    assert process.returncode == 130
    assert stderr in ("", LINE + "\n"), stderr
    assert_left_clean(out, marker)


SECOND_CTRL_C = """
import os, signal, time
from publish.interrupts import interruptible

calls = []

def clean_up():
    calls.append(1)
    print(f"clean-up {len(calls)}", flush=True)
    if len(calls) == 1:
        os.kill(os.getpid(), signal.SIGINT)  # a second Ctrl-C while the first cleans up
        time.sleep(30)

with interruptible(clean_up):
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(30)
"""


def test_a_second_ctrl_c_during_the_clean_up_cleans_up_and_exits_silently() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SECOND_CTRL_C], capture_output=True, text=True, timeout=20
    )
    assert done.returncode == 130
    assert done.stdout == "clean-up 1\nclean-up 2\n" and done.stderr == ""


def test_only_temporary_files_of_atomic_writes_are_removed(tmp_path: Path) -> None:
    names = [".out.md.k2_9abcd.tmp", ".other.md.x0y1z2w3.tmp", ".out.md.tmp", "out.md"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    remove_temporary_files(tmp_path, "out.md")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[1:])
    remove_temporary_files(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.md.tmp", "out.md"]


def test_a_cluster_builds_staging_folder_is_a_temporary_file(tmp_path: Path) -> None:
    """A one-round build stages its outputs in a folder named as build.one_round names it:
    Ctrl-C removes it with its files, and leaves a folder of the user's alone."""
    staging = Path(tempfile.mkdtemp(prefix=".publish-staged.", suffix=".tmp", dir=tmp_path))
    (staging / "0").mkdir()
    (staging / "0" / "a-title.pdf").write_bytes(b"%PDF")
    (tmp_path / "texts").mkdir()
    remove_temporary_files(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["texts"]
