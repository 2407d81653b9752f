"""Builds on a Dask cluster: the same job functions as local workers, with their files as data.

Workers need only the installed package. Each call travels as a Parcel holding the bytes of
every file its job reads; the worker lays them out below a temporary folder (at their paths
below the deepest folder holding them all, so a manifest's relative names still resolve),
runs the job there, and sends the outputs back as bytes in its Outcome, which build's Naming
writes. With shared output, workers write them where the call's options say. Results are
streamed as they finish, and no more calls are in flight than the cluster can run, so the
client holds a few outputs at a time. A build sends each source's preparing and rendering as
one call (build.one_round).
"""

import logging
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Self, TypeVar

import dask
from distributed import Client, Future, as_completed
from distributed.comm.core import CommClosedError

from publish import __version__
from publish.build import (
    BuildOptions,
    Job,
    Outcome,
    canonical_text,
    prepare,
    render,
    style_files,
)
from publish.cache import digest
from publish.templates import BUILTIN, SHIPPED

CONNECT_TIMEOUT = "10s"
RETRIES = 2  # reruns of a call whose worker died, before its source is given up
CALLS_PER_THREAD = 2  # batches in flight per worker thread: one running, one arriving
BATCH = 4  # calls in a batch at most; each batch costs the scheduler and worker a task
BATCH_BYTES = 64 * 1024  # sources in a batch at most, together (a longer one goes alone)
OUTPUT = "output"
STORY_KEYS = 1000  # keys per question to the scheduler about reruns
# Dask settings for a cluster that builds: its scheduler, nannies and workers. Dask's defaults
# suit interactive analysis: a statistical profiler sampling each task's stack every 10 ms
# (WeasyPrint's stacks are deep), and event-loop ticks, memory and system checks several
# times a second. On an idle two-worker LocalCluster they take 1.8 s of CPU every 10 s; with
# these, 0.2 s. And a nanny starts its worker with MALLOC_TRIM_THRESHOLD_=65536, which turns
# off glibc's own thresholds: every large buffer freed goes back to the system and is faulted
# in again (a build of 200 sources: 206k to 245k page faults against 61k to 87k, and 0.5 s
# more CPU in the kernel); None leaves it unset. Given in the README as a Dask configuration
# file for `dask scheduler` and `dask worker`, and used by the benchmark and the tests.
CLUSTER_SETTINGS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}
# A local file a source or text may show: Markdown image targets and HTML src attributes.
REFERENCE = re.compile(rb"\]\(\s*<?([^)>\s]+)|\bsrc\s*=\s*[\"']([^\"']+)")
# A target that is no local file: a URL with a scheme (https:, mailto:, data:), or a fragment.
NOT_A_FILE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|#")


@dataclass(frozen=True)
class Parcel:
    """One call, and the files it reads: their bytes, or only the size of one too large to send."""

    function: Callable[..., Outcome]
    args: tuple
    source: str  # the job's file by its absolute name on the client
    files: dict[str, bytes | int]
    shared_output: bool
    base: str = "/"  # the deepest folder holding every path the call names (see Layout)
    version: str = __version__  # the client's publish: a worker with another one refuses


@dataclass(frozen=True)
class Layout:
    """Where a parcel's files lie on a worker: below `root`, at their paths relative to
    `base`. A manifest's relative names still resolve, and a source deep in the client's
    folders costs the worker no folders of its own."""

    root: Path
    base: str

    def local(self, path: str | Path) -> Path:
        """A client path's copy below `root`."""
        relative = os.path.relpath(os.path.abspath(path), self.base)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            raise ValueError(f"{path} is outside the folder of its call, {self.base}")
        return self.root / relative

    def client(self, path: Path) -> Path:
        """A path below `root` as the client names it."""
        return Path(self.base) / path.relative_to(self.root)

    def client_names(self, text: str) -> str:
        """A message with the paths below `root` named as the client names them."""
        return text.replace(str(self.root), self.base.rstrip("/"))


@dataclass(frozen=True)
class Templates:
    """The client's PUBLISH_TEMPLATES folder as data, sent to each worker once."""

    digest: str
    files: dict[str, bytes]  # relative name -> bytes


class DaskExecutor:
    """Runs job calls on the workers of a Dask scheduler; an Executor for build.py."""

    def __init__(self, client: Client, options: BuildOptions) -> None:
        self.client = client
        self.address = client.scheduler.address
        self.options = options
        self.templates: Future | None = None
        self.templates_sent = False

    @classmethod
    def connect(cls, address: str, options: BuildOptions) -> Self:
        """A client of the scheduler at `address`; ConnectionError with one line if unreachable."""
        try:
            logging.getLogger("distributed").setLevel(logging.CRITICAL)  # reasons go in outcomes
            # Dask keeps the last 1,000 messages sent for debugging: an archive's parcels,
            # sources and all, would stay in the client's memory
            dask.config.set({"distributed.admin.low-level-log-length": 0})
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ConnectionError(f"cannot reach the scheduler at {address}: {reason}") from None
        return cls(client, options)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(
        self, function: Callable[..., Outcome], arguments: list[tuple]
    ) -> Iterator[tuple[int, object]]:
        """Call function(*args) on the cluster for each tuple; yield (index, result) as each ends.

        Calls travel in batches (see `batch_size`), and each batch's results are yielded
        together. A manifest's check stays here (see `checked`). Once all have ended, each
        Outcome counts the times the scheduler ran its call again after losing a worker.
        """
        calls: dict[int, tuple[Callable[..., Outcome], tuple]] = {}
        for index, args in enumerate(arguments):
            call = checked(function, args)
            if isinstance(call, Outcome):
                yield index, call
            else:
                calls[index] = call
        waiting = [(index, call[1]) for index, call in calls.items()][::-1]
        running = as_completed(loop=self.client.loop)
        batches: dict[Future, list[int]] = {}
        delivered: dict[str, list[Outcome]] = {}
        threads = max(sum(self.client.nthreads().values()), 1)
        while waiting or batches:
            while waiting and len(batches) < CALLS_PER_THREAD * threads:
                if self.client.status != "running":
                    break
                batch = self.next_batch(waiting, batch_size(len(waiting), threads))
                try:
                    parcels = [self.pack(*calls[index]) for index in batch]
                    templates = self.shipped_templates()
                    future = self.client.submit(
                        run_parcels, parcels, templates, pure=False, retries=RETRIES
                    )
                except Exception:  # noqa: BLE001 - the client closed: the scheduler is gone
                    waiting.extend((index, calls[index][1]) for index in reversed(batch))
                    break
                batches[future] = batch
                running.add(future)
            if not batches:
                break
            future = next(running)
            batch = batches.pop(future)
            results = self.receive(future, [calls[index][1][0] for index in batch])
            delivered[future.key] = [result for result in results if isinstance(result, Outcome)]
            yield from zip(batch, results, strict=True)
        for index, args in waiting[::-1]:
            yield index, self.not_built(args[0])
        with suppress(Exception):  # the count is for the summary only
            self.count_reruns(delivered)

    @staticmethod
    def next_batch(waiting: list[tuple[int, tuple]], size: int) -> list[int]:
        """The indexes of up to `size` calls from the end of `waiting`, taken off it. A
        batch holds at most BATCH_BYTES of sources: a long text's outputs travel back alone,
        so the client and the workers hold no more than a few large outputs at once."""
        batch: list[int] = []
        weight = 0
        while waiting and len(batch) < size:
            job: Job = waiting[-1][1][0]
            weight += source_bytes(job)
            if batch and weight > BATCH_BYTES:
                break
            batch.append(waiting.pop()[0])
        return batch

    def shipped_templates(self) -> Future | None:
        """The PUBLISH_TEMPLATES folder, scattered to every worker on the first call."""
        if not self.templates_sent:
            self.templates_sent = True
            bundle = templates_bundle()
            if bundle is not None:
                self.templates = self.client.scatter(bundle, broadcast=True, hash=False)
        return self.templates

    def pack(self, function: Callable[..., Outcome], args: tuple) -> Parcel:
        """The call with the bytes of every file its job reads."""
        job: Job = args[0]
        options = call_options(function, args)
        inputs = []
        if job.is_manifest:  # imported here: the reader's modules cost a build of sources
            from publish.reader import manifest_inputs

            inputs = manifest_inputs(job.path, options.allow_outside)
        named = style_files(job, options)
        styles = [path for path in named if path.is_file()]
        files: dict[str, bytes | int] = {}
        for path in [job.path, *inputs, *styles]:
            absolute = str(path.absolute())
            if absolute not in files:
                files[absolute] = file_data(path, options.max_size)
                files.update(referenced(path, files[absolute], options.max_size))
        sent = replace(absolute_paths(options), output=options.output.absolute())
        styled = None
        if function is render:  # a manifest's, checked here
            job, prepared, _, render_options = args
            text = canonical_text(prepared)  # sent with the call, held only while in flight
            styled = prepared.style and absolute_paths(prepared.style)
            prepared = replace(prepared, canonical=text, canonical_file="", style=styled)
            args = (job, prepared, sent, render_options)
        else:
            args = (job, sent, *args[2:])
        source = str(job.path.absolute())
        named += [*files, *style_paths(sent).values(), *style_paths(styled).values()]
        base = os.path.commonpath([os.path.dirname(os.path.abspath(path)) for path in named])
        return Parcel(function, args, source, files, self.options.shared_output, base)

    def receive(self, future: Future, jobs: list[Job]) -> list[object]:
        """The Outcomes of a finished batch, with their outputs' bytes; or why each has none."""
        try:
            outcomes = future.result()
        except (CancelledError, CommClosedError):  # the connection went with the scheduler
            return [self.not_built(job) for job in jobs]
        except Exception as error:  # noqa: BLE001 - any failure of the call fails its jobs only
            future.release()
            return [f"{type(error).__name__}: {error}".splitlines()[0]] * len(jobs)
        future.release()
        return outcomes

    def not_built(self, job: Job) -> Outcome:
        """A job whose call was never made or never answered: the scheduler is gone."""
        return Outcome(job.path, "failed", message=f"not built: lost the scheduler {self.address}")

    def count_reruns(self, delivered: dict[str, list[Outcome]]) -> None:
        """Read the scheduler's log of transitions: a call sent to a worker twice was rerun."""
        keys, starts = list(delivered), Counter()
        for start in range(0, len(keys), STORY_KEYS):
            story = self.client.sync(
                self.client.scheduler.get_story, keys_or_stimuli=keys[start : start + STORY_KEYS]
            )
            for key, _, finish, *_ in story:
                starts[key] += finish == "processing"
        for key, outcomes in delivered.items():
            for outcome in outcomes:
                outcome.retries += max(starts[key] - 1, 0)

    def stop(self) -> None:
        """Nothing to kill here: the scheduler drops a client's calls when it disconnects."""

    def close(self) -> None:
        with suppress(Exception):
            self.client.close()


def checked(
    function: Callable[..., Outcome], args: tuple
) -> tuple[Callable[..., Outcome], tuple] | Outcome:
    """The call to send for a job. A manifest's check stays here: it reads one small file and
    judges paths against the current folder, which only the client knows; its render is sent,
    or the reason it has none is the result."""
    job: Job = args[0]
    if not job.is_manifest or function is render:
        return function, args
    prepared = prepare(job, args[1])
    if function is prepare or not prepared.slug:
        return prepared
    return render, (job, prepared, *args[1:])


def call_options(function: Callable[..., Outcome], args: tuple) -> BuildOptions:
    """The build options among a call's arguments: (job, options[, render options]) or
    (job, prepared, options, render options)."""
    return args[2] if function is render else args[1]


def file_data(path: Path, max_size: int) -> bytes | int:
    """A file's bytes; its size alone when it is over the limit (the job then fails as here)."""
    try:
        size = path.stat().st_size
        return size if size > max_size else path.read_bytes()
    except OSError:
        return b""


def referenced(path: Path, data: bytes | int, max_size: int) -> dict[str, bytes | int]:
    """The local files a text names (its images), read from its own folder and below, the
    only ones its render may show."""
    if isinstance(data, int):
        return {}
    found: dict[str, bytes | int] = {}
    folder = path.parent.resolve()
    for match in REFERENCE.finditer(data):
        name = (match[1] or match[2]).decode("utf-8", "replace")
        if NOT_A_FILE.match(name):
            continue
        candidate = path.parent / name
        with suppress(OSError, ValueError):
            if candidate.resolve().is_relative_to(folder) and candidate.is_file():
                found[str(candidate.absolute())] = file_data(candidate, max_size)
    return found


def templates_bundle() -> Templates | None:
    """The client's PUBLISH_TEMPLATES folder as data, or None when it has none."""
    override = os.environ.get("PUBLISH_TEMPLATES")
    if not override:
        return None
    folder = Path(override)
    files = {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    return Templates(digest([part for item in files.items() for part in item]), files)


def placed_templates(templates: Templates) -> Path:
    """The worker's copy of the client's templates, written once per worker machine."""
    folder = Path(tempfile.gettempdir()) / f"publish-templates-{templates.digest[:24]}"
    if folder.is_dir():
        return folder
    partial = Path(tempfile.mkdtemp(prefix=".publish-templates-"))
    for name, data in templates.files.items():
        place(partial / name, data)
    try:
        partial.rename(folder)
    except OSError:  # another call placed it first
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def source_bytes(job: Job) -> int:
    """A job's weight in a batch: its source's size; a reader's texts are not counted here,
    so a manifest weighs a whole batch."""
    if job.is_manifest:
        return BATCH_BYTES
    try:
        return job.path.stat().st_size
    except OSError:
        return 0


def batch_size(waiting: int, threads: int) -> int:
    """Calls to send as one task: up to BATCH while many wait, so the per-task cost of Dask
    (scheduler, worker event loop, messages) is paid once for several sources; down to one
    near the end, so no worker is left idle while another runs a long batch."""
    return max(1, min(BATCH, waiting // (threads * 2 * CALLS_PER_THREAD)))


def run_parcels(parcels: list[Parcel], templates: Templates | None = None) -> list[Outcome]:
    """On a worker: the calls of one batch, one after the other."""
    return [run_parcel(parcel, templates) for parcel in parcels]


def run_parcel(parcel: Parcel, templates: Templates | None = None) -> Outcome:
    """On a worker: check the versions, lay out the files and the client's templates, run
    the call."""
    job: Job = parcel.args[0]
    if parcel.version != __version__:
        reason = (
            f"the worker runs publish {__version__} and this client {parcel.version}: "
            "install the same version on every worker"
        )
        return Outcome(job.path, "failed", message=reason)
    token = SHIPPED.set(placed_templates(templates) if templates else BUILTIN)
    try:
        return run_placed(parcel)
    finally:
        SHIPPED.reset(token)


def run_placed(parcel: Parcel) -> Outcome:
    """Run a parcel's call below a temporary folder holding its files; the outputs' bytes
    go back in the Outcome (with shared output, the call writes them where it is told)."""
    with tempfile.TemporaryDirectory(prefix="publish-") as folder:
        layout = Layout(Path(folder), parcel.base)
        for name, data in parcel.files.items():
            place(layout.local(name), data)
        job: Job = parcel.args[0]
        local = replace(job, path=layout.local(parcel.source))
        options = call_options(parcel.function, parcel.args)
        output = options.output if parcel.shared_output else layout.root / OUTPUT
        options = replace(options, **moved(options, layout), output=output)
        args: tuple = (local, options, *parcel.args[2:])
        if parcel.function is render:
            prepared, _, render_options = parcel.args[1:]
            # the client has checked the manifest's texts against its own folders
            options = replace(options, allow_outside=True)
            style = prepared.style and replace(prepared.style, **moved(prepared.style, layout))
            prepared = replace(prepared, path=local.path, style=style)
            args = (local, prepared, options, render_options)
        if parcel.function is prepare:
            outcome = prepare(*args)
        else:
            outcome = parcel.function(*args, keep=not parcel.shared_output)
        return restored(outcome, local.path, job.path, layout)


STYLE_PATHS = ("style_file", "stylesheet", "logo", "cover")  # of BuildOptions or a Style
Settings = TypeVar("Settings")


def style_paths(settings: object) -> dict[str, Path]:
    """The style files named by options or a Style (None: none), by attribute."""
    paths = {name: getattr(settings, name, None) for name in STYLE_PATHS}
    return {name: path for name, path in paths.items() if isinstance(path, Path)}


def absolute_paths(settings: Settings) -> Settings:
    """Options or a Style with their style files named in full: a worker's current folder is
    not the client's."""
    return replace(
        settings, **{name: path.absolute() for name, path in style_paths(settings).items()}
    )


def moved(settings: object, layout: Layout, back: bool = False) -> dict[str, Path]:
    """The style files of options or a Style, at their copies on a worker (or, `back`, at
    the client's own paths again)."""
    if back:
        paths = style_paths(settings).items()
        return {
            name: layout.client(path) for name, path in paths if path.is_relative_to(layout.root)
        }
    return {name: layout.local(path) for name, path in style_paths(settings).items()}


def place(path: Path, data: bytes | int) -> None:
    """Write a file's bytes, or a sparse file of its size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        if isinstance(data, int):
            file.truncate(data)
        else:
            file.write(data)


def restored(outcome: Outcome, local: Path, path: Path, layout: Layout) -> Outcome:
    """The outcome as the client names things: its own paths, not the worker's folder."""

    def client_names(text: str) -> str:
        return layout.client_names(text.replace(str(local), str(path)))

    outcome.path = path
    if outcome.style:
        outcome.style = replace(outcome.style, **moved(outcome.style, layout, back=True))
    outcome.message = client_names(outcome.message)
    outcome.doubts = [client_names(doubt) for doubt in outcome.doubts]
    return outcome
