"""`publish build --scheduler` on a LocalCluster of two worker processes on loopback."""

import io
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from publish.cli import main

distributed = pytest.importorskip("distributed")
import dask  # noqa: E402 - only with the cluster extra

import publish.cluster  # noqa: E402

CACHE = ".publish-cache.json"


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """Two single-threaded worker processes, each watched by a nanny that restarts it, with
    the settings the README gives for a build cluster."""
    with (
        dask.config.set(publish.cluster.CLUSTER_SETTINGS),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
        ) as local,
    ):
        yield local


@pytest.fixture
def client(cluster: object) -> Iterator[object]:
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as connected:
        yield connected


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """Three small sources and a reader manifest naming two texts of a subfolder."""
    folder = tmp_path / "sources"
    write_source(folder, "first.md", "The First Pamphlet", "Words of *the* first.")
    write_source(
        folder, "second.md", "A Second Pamphlet", "Words of the second.[^1]\n\n[^1]: A note."
    )
    (folder / "third.txt").write_text("Organize the Unorganized\n\nBy A. Writer\n\nWords.\n")
    write_source(folder / "texts", "one.md", "Week One", "Read this first.")
    write_source(folder / "texts", "two.md", "Week Two", "Then this.")
    (folder / "reader.toml").write_text(
        'title = "A Small Reader"\n\n[[parts]]\ntitle = "Both Weeks"\n'
        'texts = ["texts/one.md", "texts/two.md"]\n'
    )
    return folder


def write_source(folder: Path, name: str, title: str, words: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\ntitle: {title}\nlanguage: en\n---\n\n{words}\n", encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != CACHE}


def summary(stderr: str) -> str:
    match = re.search(r"publish: (\d+ built, \d+ skipped, \d+ failed.*) in [\d.]+ s", stderr)
    assert match, stderr
    return match.group(1)


@pytest.mark.parametrize("batch", [1, 3])
def test_outputs_match_a_local_build_byte_for_byte(
    cluster: object, sources: Path, tmp_path: Path, monkeypatch, capsys, batch: int
) -> None:
    """Sent one call to a task, or in batches of three (a reader, checked on the client,
    travels alone)."""
    monkeypatch.setattr(publish.cluster, "batch_size", lambda waiting, threads: batch)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(sources)
    here, there = tmp_path / "local", tmp_path / "cluster"
    assert main(["build", ".", "reader.toml", "-o", str(here), "--jobs", "2"]) == 0
    address = cluster.scheduler_address
    assert main(["build", ".", "reader.toml", "-o", str(there), "--scheduler", address]) == 0
    assert summary(capsys.readouterr().err) == "4 built, 0 skipped, 0 failed"
    local, remote = files(here), files(there)
    assert len(local) == 12
    assert remote == local
    assert not list(there.glob(".*.tmp"))


def test_repeated_titles_get_the_names_of_a_local_build(
    cluster: object, tmp_path: Path, monkeypatch, capsys
) -> None:
    """Each source is named and rendered in one call, under the slug its title gives; the
    client then gives each the name the local build's naming round does (-2, -3; a title
    ending in Booklet kept off another's booklet), whatever order the calls end in."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = tmp_path / "sources"
    for name, title in [
        ("c.md", "Same Title"),
        ("a.md", "Same Title"),
        ("b.md", "Same Title"),
        ("d.md", "Strike Booklet"),
        ("e.md", "Strike"),
    ]:
        write_source(folder, name, title, f"The words of {name}. " * 30)
    (folder / "f.md").write_bytes(b"\x00\x01 binary, no title")
    here, there = tmp_path / "local", tmp_path / "cluster"
    argv = ["build", str(folder), "--formats", "pdf,booklet,epub"]
    assert main([*argv, "-o", str(here), "--jobs", "2"]) == 1
    local_err = capsys.readouterr().err
    assert main([*argv, "-o", str(there), "--scheduler", cluster.scheduler_address]) == 1
    remote_err = capsys.readouterr().err
    local, remote = files(here), files(there)
    assert sorted(remote) == sorted(local)
    assert {"same-title-3.epub", "strike-2-booklet.pdf", "strike-booklet-booklet.pdf"} <= set(local)
    assert remote == local
    notes = [line for line in local_err.splitlines() if "same title" in line]
    assert len(notes) == 3 and notes == [
        line for line in remote_err.splitlines() if "same title" in line
    ]
    assert not list(there.glob(".*"))[1:]  # the cache alone: no staging folder is left


def test_styles_travel_to_the_workers(
    cluster: object, sources: Path, tmp_path: Path, monkeypatch
) -> None:
    """publish.toml, its logo, --style and --css reach the workers as data (they read the
    copies below their own folder: a logo not sent would be 'no such file')."""
    from PIL import Image

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    Image.new("RGB", (90, 40), (139, 30, 36)).save(sources / "logo.png")
    (sources / "publish.toml").write_text(
        'typeface = "literata"\nlogo = "logo.png"\nimprint = "Union Press"\n'
    )
    house = tmp_path / "house"
    house.mkdir()
    (house / "house.css").write_text("p { text-indent: 2em }\n")
    (house / "style.toml").write_text('accent = "#1c345c"\nlicence = "CC BY 4.0"\n')
    given = ["--style", str(house / "style.toml"), "--css", str(house / "house.css")]
    here, there = tmp_path / "local", tmp_path / "cluster"
    first = str(sources / "first.md")
    assert main(["build", first, "-o", str(here), "--jobs", "1", *given]) == 0
    address = cluster.scheduler_address
    assert main(["build", first, "-o", str(there), "--scheduler", address, *given]) == 0
    local, remote = files(here), files(there)
    assert remote == local
    epub = zipfile.ZipFile(there / "the-first-pamphlet.epub")
    opf = epub.read("EPUB/content.opf").decode()
    assert "<dc:publisher>Union Press</dc:publisher>" in opf
    assert "<dc:rights>CC BY 4.0</dc:rights>" in opf


def test_style_files_named_from_the_current_folder_reach_the_workers(
    cluster: object, sources: Path, tmp_path: Path, monkeypatch
) -> None:
    """--style and --css given relative to the client's current folder, which is not the
    workers': they are sent as the files the client means, and change the PDF as locally."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(tmp_path)
    Path("house.css").write_text("p { text-indent: 4em }\n")
    Path("style.toml").write_text('accent = "#1c345c"\n')
    argv = ["build", str(sources / "first.md"), "--formats", "pdf"]
    given = ["--style", "style.toml", "--css", "house.css"]
    assert main([*argv, "-o", "plain", "--jobs", "1"]) == 0
    assert main([*argv, "-o", "local", "--jobs", "1", *given]) == 0
    assert main([*argv, "-o", "cluster", "--scheduler", cluster.scheduler_address, *given]) == 0
    assert files(tmp_path / "cluster") == files(tmp_path / "local") != files(tmp_path / "plain")


def test_the_client_templates_travel_to_the_workers(
    cluster: object, sources: Path, tmp_path: Path, monkeypatch
) -> None:
    """A PUBLISH_TEMPLATES folder set only on the client reaches the workers as data."""
    from publish.templates import BUILTIN

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = tmp_path / "press-templates" / "epub"
    folder.mkdir(parents=True)
    css = (BUILTIN / "epub" / "book.css").read_text() + "\np { color: #123456; }\n"
    (folder / "book.css").write_text(css)
    monkeypatch.setenv("PUBLISH_TEMPLATES", str(folder.parent))
    here, there = tmp_path / "local", tmp_path / "cluster"
    first = str(sources / "first.md")
    assert main(["build", first, "-o", str(here), "--jobs", "1", "--formats", "epub"]) == 0
    address = cluster.scheduler_address
    assert (
        main(["build", first, "-o", str(there), "--scheduler", address, "--formats", "epub"]) == 0
    )
    assert files(there) == files(here)
    book = zipfile.ZipFile(there / "the-first-pamphlet.epub")
    assert "#123456" in book.read("EPUB/css/book.css").decode()


@given(st.integers(0, 100_000), st.integers(1, 64))
def test_batches_shrink_to_single_calls_at_the_end(waiting: int, threads: int) -> None:
    size = publish.cluster.batch_size(waiting, threads)
    assert 1 <= size <= publish.cluster.BATCH
    if waiting < threads * 2 * publish.cluster.CALLS_PER_THREAD * 2:
        assert size == 1  # the last calls go one by one, to whichever worker is free
    if waiting >= threads * 2 * publish.cluster.CALLS_PER_THREAD * publish.cluster.BATCH:
        assert size == publish.cluster.BATCH


def test_a_worker_with_another_version_refuses(sources: Path) -> None:
    from publish.build import BuildOptions, Job, prepare
    from publish.cluster import Parcel, run_parcel

    job = Job(sources / "first.md")
    parcel = Parcel(prepare, (job, BuildOptions()), str(job.path), {}, False, version="0.0.1")
    outcome = run_parcel(parcel)
    assert outcome.status == "failed"
    assert "this client 0.0.1: install the same version on every worker" in outcome.message


def test_the_scheduler_address_may_come_from_the_environment(
    cluster: object, sources: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)
    out = tmp_path / "out"
    assert main(["build", str(sources / "first.md"), "-o", str(out), "--formats", "epub"]) == 0
    assert list(files(out)) == ["the-first-pamphlet.epub"]


def test_a_broken_source_fails_alone_named_by_its_own_path(
    cluster: object, sources: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(publish.cluster, "batch_size", lambda waiting, threads: 6)  # one task
    (sources / "broken.md").write_bytes(b"\x00\x01\x02 binary, no text")
    (sources / "large.txt").write_text("Too Large\n\n" + "word " * 400)
    out = tmp_path / "out"
    argv = ["build", str(sources), "-o", str(out), "--formats", "epub", "--max-size", "1k"]
    status = main([*argv, "--scheduler", cluster.scheduler_address])
    err = capsys.readouterr().err
    assert status == 1
    assert summary(err) == "4 built, 0 skipped, 2 failed"
    failures = [line for line in err.splitlines() if line.startswith("publish: /")]
    assert sorted(failures)[0].startswith(f"publish: {sources / 'broken.md'}: ")
    assert f"publish: {sources / 'large.txt'}: too large to be a document (2,011 bytes" in err
    assert "publish-" not in err  # no path of a worker's temporary folder
    assert len(files(out)) == 4


def test_a_worker_killed_mid_source_is_survived(
    cluster: object, client: object, sources: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(publish.cluster, "batch_size", lambda waiting, threads: 2)
    for number in range(6):
        write_source(sources, f"more-{number}.md", f"More Words {number}", "Words. " * 200)
    pids = client.run(os.getpid)
    killed: list[int] = []

    def kill_a_busy_worker() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            busy = [address for address, keys in client.processing().items() if keys]
            if busy and any("run_parcel" in str(k) for k in client.processing()[busy[0]]):
                time.sleep(0.3)  # well into the source
                killed.append(pids[busy[0]])
                os.kill(pids[busy[0]], signal.SIGKILL)
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    out = tmp_path / "out"
    status = main(["build", str(sources), "-o", str(out), "--scheduler", cluster.scheduler_address])
    killer.join()
    err = capsys.readouterr().err
    assert killed, "no worker was busy"
    assert status == 0, err
    assert re.fullmatch(
        r"10 built, 0 skipped, 0 failed \(\d+ retried on another worker\)", summary(err)
    )
    built = files(out)
    assert len(built) == 30
    assert all(
        data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
        for name, data in built.items()
        if name.endswith(".pdf")
    )
    assert not list(out.glob(".*.tmp"))


def test_an_unchanged_rebuild_sends_nothing_to_the_cluster(
    cluster: object, sources: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out"
    argv = ["build", str(sources), "-o", str(out), "--scheduler", cluster.scheduler_address]
    assert main(argv) == 0
    before = cluster.scheduler.transition_counter
    written = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    capsys.readouterr()
    assert main(argv) == 0
    assert summary(capsys.readouterr().err) == "0 built, 4 skipped, 0 failed"
    assert cluster.scheduler.transition_counter == before
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name != CACHE} == {
        name: time for name, time in written.items() if name != CACHE
    }


def test_an_unreachable_scheduler_is_one_line(sources: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    status = main(["build", str(sources), "-o", str(out), "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("publish: cannot reach the scheduler at tcp://127.0.0.1:9: ")
    assert err.count("\n") == 1


def test_a_lost_scheduler_keeps_what_was_written_and_a_rerun_finishes(
    cluster: object, tmp_path: Path, capsys
) -> None:
    folder = tmp_path / "sources"
    for number in range(8):
        write_source(folder, f"s{number}.md", f"Source Number {number}", "Words.")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = [
        subprocess.Popen(
            [sys.executable, "-m", module, *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for module, argv in (
            (
                "distributed.cli.dask_scheduler",
                ["--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            ),
            (
                "distributed.cli.dask_worker",
                [address, "--nthreads", "1", "--no-nanny", "--no-dashboard"],
            ),
        )
    ]
    scheduler, worker = started
    out = tmp_path / "out"

    def kill_the_scheduler_after_the_first_output() -> None:
        while not list(out.glob("*.epub")) and scheduler.poll() is None:
            time.sleep(0.02)
        scheduler.kill()

    try:
        with distributed.Client(address, timeout="60s") as waiting:
            waiting.wait_for_workers(1, timeout=60)
        killer = threading.Thread(target=kill_the_scheduler_after_the_first_output)
        killer.start()
        argv = ["build", str(folder), "-o", str(out), "--formats", "epub"]
        status = main([*argv, "--scheduler", address])
        killer.join()
    finally:
        for process in started:
            process.kill()
            process.wait()
    err = capsys.readouterr().err
    built = sorted(p.name for p in out.glob("*.epub"))
    lost = re.findall(rf": not built: lost the scheduler {re.escape(address)}$", err, re.M)
    assert status == 1
    assert built and lost and len(built) + len(lost) == 8, err
    assert all(zipfile.ZipFile(out / name).testzip() is None for name in built)
    assert not list(out.glob(".*.tmp"))
    assert main([*argv, "--scheduler", cluster.scheduler_address]) == 0
    rerun = summary(capsys.readouterr().err)
    assert rerun == f"{len(lost)} built, {len(built)} skipped, 0 failed"
    assert len(list(out.glob("*.epub"))) == 8


def test_shared_output_is_written_by_the_workers(
    cluster: object, sources: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    here, there = tmp_path / "local", tmp_path / "shared"
    argv = ["build", str(sources / "first.md"), "--formats", "epub"]
    assert main([*argv, "-o", str(here), "--jobs", "1"]) == 0
    address = cluster.scheduler_address
    assert main([*argv, "-o", str(there), "--scheduler", address, "--shared-output"]) == 0
    assert files(there) == files(here)


def test_the_time_limit_holds_in_a_worker_thread(cluster: object, tmp_path: Path, capsys) -> None:
    long = tmp_path / "long.txt"
    paragraph = "Words upon words, and more words to set in type. " * 40
    long.write_text("A Long Text\n\nBy A. Writer\n\n" + f"{paragraph}\n\n" * 2000)
    argv = ["build", str(long), "-o", str(tmp_path / "out"), "--timeout", "1", "--max-size", "10M"]
    assert main([*argv, "--scheduler", cluster.scheduler_address]) == 1
    assert f"publish: {long}: took longer than 1 s\n" in capsys.readouterr().err


def test_a_local_build_does_not_import_dask(sources: Path, tmp_path: Path) -> None:
    check = (
        "import sys\nfrom publish.cli import main\n"
        f"status = main(['build', {str(sources / 'first.md')!r}, '-o', {str(tmp_path)!r}, "
        "'--formats', 'epub', '--quiet'])\n"
        "assert status == 0\n"
        "assert not {'dask', 'distributed'} & set(sys.modules), 'dask imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_readme_gives_the_settings_the_tests_and_benchmark_use() -> None:
    """The Dask configuration file for `dask scheduler` and `dask worker` in the README is
    publish.cluster.CLUSTER_SETTINGS, as Dask reads it, and nothing more."""
    import yaml

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"\n\n((?:    distributed:\n)(?:    .*\n)+)", readme)
    assert block
    loaded = yaml.safe_load(textwrap.dedent(block.group(1)))
    read = {key: dask.config.get(key, config=loaded) for key in publish.cluster.CLUSTER_SETTINGS}
    assert read == publish.cluster.CLUSTER_SETTINGS

    def leaves(tree: dict) -> int:
        return sum(leaves(v) if isinstance(v, dict) else 1 for v in tree.values())

    assert leaves(loaded) == len(publish.cluster.CLUSTER_SETTINGS)


def test_a_long_source_or_a_reader_travels_alone(tmp_path: Path) -> None:
    """Small sources share a task; a long one, whose outputs are large, and a reader (whose
    texts are not weighed) each go alone, so no more than a few large outputs are held."""
    from publish.build import Job

    sizes = {"a.md": 100, "b.md": 100, "long.md": publish.cluster.BATCH_BYTES, "c.md": 100}
    for name, size in sizes.items():
        (tmp_path / name).write_text("x" * size)
    (tmp_path / "reader.toml").write_text('title = "R"\n')
    names = ["a.md", "b.md", "long.md", "c.md", "reader.toml", "d.md"]
    (tmp_path / "d.md").write_text("x")
    waiting = [(index, (Job(tmp_path / name),)) for index, name in enumerate(names)][::-1]
    batches = []
    while waiting:
        batches.append(publish.cluster.DaskExecutor.next_batch(waiting, 4))
    assert batches == [[0, 1], [2], [3], [4], [5]]


def test_a_parcel_is_laid_out_below_its_base_and_named_back(tmp_path: Path) -> None:
    """A worker places a call's files at their paths relative to the deepest folder holding
    them all (no folders for the client's own), and names them back as the client does."""
    from publish.cluster import Layout

    root = tmp_path / "worker"
    layout = Layout(root, "/home/press/archive")
    assert layout.local("/home/press/archive/a.md") == root / "a.md"
    assert layout.local("/home/press/archive/texts/../b.md") == root / "b.md"
    assert layout.client(root / "texts" / "c.md") == Path("/home/press/archive/texts/c.md")
    assert layout.client_names(f"{root}/a.md: too large") == "/home/press/archive/a.md: too large"
    with pytest.raises(ValueError):
        layout.local("/home/press/secret.md")
    everywhere = Layout(root, "/")
    assert everywhere.local("/srv/a.md") == root / "srv" / "a.md"
    assert everywhere.client_names(f"{root}/srv/a.md") == "/srv/a.md"


def test_a_call_runs_on_a_worker_with_its_outputs_sent_back(sources: Path, tmp_path: Path) -> None:
    """The worker's side of a call, here: the outputs' bytes come back in the Outcome, none
    is written, and the outcome names the client's paths."""
    from publish.build import BuildOptions, Job, prepare_and_render
    from publish.cluster import Parcel, run_parcel
    from publish.render.options import RenderOptions

    job = Job(sources / "second.md")
    options = BuildOptions(output=tmp_path / "unwritten", formats=("epub",))
    call = (job, options, RenderOptions.from_environment())
    parcel = Parcel(
        prepare_and_render,
        call,
        str(job.path),
        {str(job.path): job.path.read_bytes()},
        False,
        str(sources),
    )
    outcome = run_parcel(parcel)
    assert (outcome.status, outcome.path, outcome.slug) == ("built", job.path, "a-second-pamphlet")
    assert list(outcome.files) == outcome.outputs == ["a-second-pamphlet.epub"]
    assert zipfile.ZipFile(io.BytesIO(outcome.files["a-second-pamphlet.epub"])).testzip() is None
    assert not (tmp_path / "unwritten").exists()


def test_a_text_sends_only_the_images_of_its_own_folder(tmp_path: Path) -> None:
    """What a render may show is all the client reads: not a file a text names above it."""
    from publish.cluster import referenced

    (tmp_path / "texts" / "img").mkdir(parents=True)
    (tmp_path / "texts" / "img" / "a.png").write_bytes(b"png")
    (tmp_path / "secret.png").write_bytes(b"not for the worker")
    text = tmp_path / "texts" / "t.md"
    (tmp_path / "texts" / "#top").write_bytes(b"a file by a fragment's name")
    data = (
        b"![a](img/a.png) ![b](../secret.png) <img src='../secret.png'> [link](#top) "
        b"[site](https://example.org/img/a.png) ![inline](data:image/png;base64,AAAA)"
    )
    assert list(referenced(text, data, 1000)) == [str(tmp_path / "texts" / "img" / "a.png")]
