"""The batch: which sources, which outputs, the cache, the workers, atomic writes, the summary.

A build runs in two rounds over one pool of worker processes. First every source is
normalized (fast), so that each output name (the slug of its title) is known before
anything is written and two sources with the same title never overwrite each other.
Then each source is rendered and its files written atomically. On a cluster, where each
call is a round trip, a source is normalized and rendered in one call instead, and its
files are moved to their final names once every source before it is named (Naming).
Sources whose inputs, templates, options and code are unchanged since the last build are
skipped. Ctrl-C kills the workers and anything they started, removes temporary files and
exits at once.
"""

import gc
import hashlib
import itertools
import json
import logging
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from publish import __version__
from publish.atomic import remove_temporary_files, write_atomic
from publish.errors import PublishError
from publish.interrupts import interruptible
from publish.render.options import RenderOptions
from publish.sources import SOURCE_SUFFIXES
from publish.style import STYLE_FILE, edition_styles
from publish.templates import partial_stylesheet, template_dirs
from publish.workers import WorkerPool, kill_descendants

if TYPE_CHECKING:
    from publish.document import Document
    from publish.render.pdf import Layout
    from publish.style import Style
    from publish.volume import Volume

CACHE_NAME = ".publish-cache.json"
RETRY_ALARM = 0.25  # seconds between repeated time-limit alarms
PACKAGE = Path(__file__).resolve().parent
NOT_BOOK_INPUTS = ("site", "serve.py")  # code and templates of the website: no book depends on them


@dataclass(frozen=True)
class BuildOptions:
    output: Path = Path("build")
    formats: tuple[str, ...] = ("pdf", "epub", "booklet")
    paper: str | None = None  # --paper; None: the style's (a5 unless a style says otherwise)
    style_file: Path | None = None  # --style FILE
    stylesheet: Path | None = None  # --css FILE
    editions: tuple[str, ...] | None = None  # --edition; None: the style's
    pod: str | None = None  # print on demand: "lulu" or "kdp"
    stock: str = "white"  # KDP paper stock: "white" or "cream"
    jobs: int = 1
    force: bool = False
    signature: int = 0
    number_paragraphs: bool = False
    embed_fonts: bool = False
    timeout: int = 300
    max_size: int = 5 * 1024 * 1024
    allow_outside: bool = False
    quiet: bool = False
    verbose: bool = False
    scheduler: str = ""  # a Dask scheduler's address: build on that cluster
    shared_output: bool = False  # cluster workers write to `output` themselves


@dataclass(frozen=True)
class Job:
    """One source file or reader manifest, and the fingerprint of everything it depends on."""

    path: Path
    key: str = ""

    @property
    def is_manifest(self) -> bool:
        return self.path.suffix.lower() == ".toml"


@dataclass
class Outcome:
    path: Path
    status: str  # "built", "skipped" or "failed"
    slug: str = ""
    outputs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""
    doubts: list[str] = field(default_factory=list)
    canonical: str = ""
    canonical_file: str = ""  # where the canonical text waits for its render (spill_texts)
    outside: list[str] = field(default_factory=list)  # texts read from outside the project
    notes: list[str] = field(default_factory=list)  # how it was rendered (--verbose)
    retries: int = 0  # times a cluster ran the job again after losing its worker
    files: dict[str, bytes] = field(default_factory=dict)  # outputs on their way to be written
    style: "Style | None" = None  # the house style it is rendered in
    advice: list[str] = field(default_factory=list)  # printed with the result (booklet paper)


def build(sources: list[Path], options: BuildOptions) -> int:
    """Build every source and manifest; return the exit status."""
    started = time.perf_counter()
    jobs, missing, skipped_files = listed(sources)
    if not jobs and not missing:
        print(
            "publish: nothing to build (no sources given, no seeds/ or readers/)", file=sys.stderr
        )
        return 2
    if warning := partial_stylesheet():
        print(f"publish: warning: {warning}", file=sys.stderr)
    render_options = RenderOptions.from_environment(
        signature=options.signature,
        number_paragraphs=options.number_paragraphs,
        embed_fonts=options.embed_fonts,
    )
    try:
        options.output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or str(error)
        print(
            f"publish: {options.output}: cannot write the outputs here: {reason}", file=sys.stderr
        )
        return 2
    base = fingerprint_base(options, render_options)
    jobs = [replace(job, key=job_key(job, base, options)) for job in jobs]
    cache = load_cache(options.output)
    fresh = [job for job in jobs if options.force or not up_to_date(job, cache, options.output)]
    skipped = [
        Outcome(job.path, "skipped", **cached(job, cache)) for job in jobs if job not in fresh
    ]
    outcomes = [*missing, *skipped]
    report = Reporter(options, total=len(fresh))
    for outcome in [*missing, *skipped]:
        report.done(outcome)
    try:
        executor_context = executor_for(options, len(fresh))
    except ConnectionError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 2
    with (
        tempfile.TemporaryDirectory(prefix="publish-texts-") as spill,
        executor_context as executor,
        interruptible(partial(stop_now, executor, options.output, report, Path(spill))),
    ):
        if options.scheduler:
            outcomes += one_round(executor, fresh, skipped, options, render_options, report)
        else:
            spilled = partial(spill_text, Path(spill), itertools.count())
            prepared = run_all(executor, prepare, [(job, options) for job in fresh], spilled)
            assign_slugs(prepared, skipped, report)
            ready = [(job, done) for job, done in zip(fresh, prepared, strict=True) if done.slug]
            for outcome in [done for done in prepared if not done.slug]:
                report.done(outcome)
                outcomes.append(outcome)
            arguments = [(job, done, options, render_options) for job, done in ready]
            outcomes += run_all(executor, render, arguments, report.done)
        try:
            save_cache(options.output, cache, jobs, outcomes)
        except OSError as error:
            reason = error.strerror or str(error)
            report.line(f"publish: {options.output / CACHE_NAME}: cannot save the cache: {reason}")
    for line in skipped_files:
        report.note(line)
    report.summary(outcomes, time.perf_counter() - started)
    return 1 if any(outcome.status == "failed" for outcome in outcomes) else 0


def discover(sources: list[Path]) -> tuple[list[Job], list[Outcome]]:
    """Jobs for the given files and folders, or for seeds/ and readers/ when none are given."""
    jobs, missing, _ = listed(sources)
    return jobs, missing


def listed(sources: list[Path]) -> tuple[list[Job], list[Outcome], list[str]]:
    """Jobs, failures (missing or unreadable), and each folder file skipped with the reason."""
    if not sources:
        sources = [folder for folder in (Path("seeds"), Path("readers")) if folder.is_dir()]
    jobs: list[Job] = []
    missing: list[Outcome] = []
    skipped: list[str] = []
    for source in sources:
        if source.is_dir():
            try:
                files = sorted(p for p in source.iterdir() if p.is_file())
            except OSError as error:
                reason = f"cannot read the folder: {error.strerror or error}"
                missing.append(Outcome(source, "failed", message=reason))
                continue
            jobs += [Job(path) for path in files if buildable(path)]
            skipped += [
                f"{path}: skipped: unsupported type {path.suffix.lower() or '(none)'}"
                for path in files
                if not path.name.startswith(".") and not buildable(path) and path.name != STYLE_FILE
            ]
        elif source.is_file():
            jobs.append(Job(source))
        else:
            missing.append(Outcome(source, "failed", message="no such file or folder"))
    unique = list(dict.fromkeys(jobs))
    return unique, missing, skipped


def buildable(path: Path) -> bool:
    """A source or a manifest; a folder's publish.toml is its style, not a reader."""
    if path.name == STYLE_FILE or path.name.startswith("."):
        return False
    return path.suffix.lower() in (*SOURCE_SUFFIXES, ".toml")


def fingerprint_base(options: BuildOptions, render_options: RenderOptions) -> str:
    """What every output depends on besides its own inputs: code, templates, options."""
    digest = hashlib.sha256(__version__.encode())
    for folder in [PACKAGE, *template_dirs()]:
        for path in sorted(folder.rglob("*")):
            inside = path.relative_to(folder).parts
            if path.is_file() and "__pycache__" not in inside and inside[0] not in NOT_BOOK_INPUTS:
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    style_options = (
        options.paper,
        options.style_file,
        options.stylesheet,
        options.editions,
        options.pod,
        options.stock,
    )
    settings = (options.formats, options.max_size, render_options, style_options)
    digest.update(repr(settings).encode())
    return digest.hexdigest()


def job_key(job: Job, base: str, options: BuildOptions) -> str:
    """Fingerprint of a job: the base plus the bytes of every file it reads.

    Total: a broken manifest or an unreadable file changes the key, never raises; the job
    itself then fails with its reason, inside its guard.
    """
    digest = hashlib.sha256(base.encode())
    if job.is_manifest:  # imported here: the reader's modules cost a build of sources
        from publish.reader import manifest_inputs

        digest.update(f"allow_outside={options.allow_outside}".encode())
        inputs = manifest_inputs(job.path, options.allow_outside)
    else:
        inputs = [job.path]
    inputs += style_files(job, options)
    for path in inputs:
        digest.update(os.fsencode(path) + b"\0")
        digest.update(file_fingerprint(path, options.max_size))
    return digest.hexdigest()


def style_files(job: Job, options: BuildOptions) -> list[Path]:
    """The style files a job reads and the files they name (present or not); never raises."""
    from publish.style import style_inputs

    files = style_inputs(job.path, options.style_file)
    with suppress(PublishError):  # the job fails with the reason; a fix changes the key
        files += job_style(job, options).files
    return files


def job_style(job: Job, options: BuildOptions, table: dict | None = None) -> "Style":
    """A job's house style: its folder's publish.toml, a manifest's [style] (`table`), the
    --style file, then --paper, --css and --edition."""
    from publish.style import option_settings, style_for

    if table is None and job.is_manifest:
        from publish.reader import check_manifest

        table = check_manifest(job.path, options.allow_outside).style
    given = option_settings(options.paper, options.stylesheet, options.editions)
    return style_for(job.path, table, options.style_file, given)


def file_fingerprint(path: Path, max_size: int) -> bytes:
    """The bytes of a regular file within the size limit; its size and time otherwise."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            return b"<not a file>"
        if status.st_size > max_size:
            return f"<{status.st_size} bytes at {status.st_mtime_ns}>".encode()
        return hashlib.sha256(path.read_bytes()).digest()
    except (OSError, ValueError):
        return b"<missing>"


def load_cache(output: Path) -> dict:
    """The cache of the last build: well-formed entries only (a damaged cache rebuilds)."""
    try:
        data = json.loads((output / CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {path: entry for path, entry in data.items() if cache_entry_is_whole(entry)}


def cache_entry_is_whole(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("key"), str)
        and isinstance(entry.get("slug"), str)
        and all(isinstance(entry.get(key), list) for key in ("outputs", "outside"))
        and all(isinstance(name, str) for name in entry["outputs"] + entry["outside"])
    )


def up_to_date(job: Job, cache: dict, output: Path) -> bool:
    entry = cache.get(str(job.path))
    return bool(
        entry
        and entry.get("key") == job.key
        and all((output / name).is_file() for name in entry.get("outputs", []))
    )


def cached(job: Job, cache: dict) -> dict:
    entry = cache[str(job.path)]
    return {"slug": entry["slug"], "outputs": entry["outputs"], "outside": entry["outside"]}


def save_cache(output: Path, cache: dict, jobs: list[Job], outcomes: list[Outcome]) -> None:
    keys = {job.path: job.key for job in jobs}
    for outcome in outcomes:
        if outcome.status == "built":
            cache[str(outcome.path)] = {
                "key": keys[outcome.path],
                "slug": outcome.slug,
                "outputs": outcome.outputs,
                "outside": outcome.outside,
            }
        elif outcome.status == "failed":
            cache.pop(str(outcome.path), None)
    data = json.dumps(cache, indent=1, sort_keys=True).encode()
    write_atomic(output / CACHE_NAME, data)


class Executor(Protocol):
    """Where job functions run: here, in local worker processes, or on a Dask cluster."""

    def run(
        self, function: Callable[..., Outcome], arguments: list[tuple]
    ) -> Iterator[tuple[int, object]]:
        """Call function(*args) for each tuple; yield (index, Outcome or error) as each ends."""
        ...

    def stop(self) -> None:
        """Abandon every running call at once (Ctrl-C); safe to call again, from a handler."""
        ...

    def close(self) -> None:
        """Release the workers after the last call."""
        ...


class InlineExecutor:
    """Runs each call here and now (no process start-up for one source)."""

    def run(
        self, function: Callable[..., Outcome], arguments: list[tuple]
    ) -> Iterator[tuple[int, object]]:
        for index, args in enumerate(arguments):
            yield index, function(*args)

    def stop(self) -> None:
        """Nothing runs elsewhere."""

    def close(self) -> None:
        """Nothing to release."""


def executor_for(options: BuildOptions, fresh: int) -> AbstractContextManager[Executor]:
    """The cluster given by --scheduler when there is work to send; local workers otherwise.

    Raises ConnectionError, with a one-line reason, when the scheduler cannot be reached.
    """
    if options.scheduler and fresh:
        # The client does no linear algebra: numpy, which Dask imports, would start OpenBLAS
        # with a thread per core, 0.13 s of CPU at the start of every cluster build.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        try:
            from publish.cluster import DaskExecutor
        except ImportError:
            raise ConnectionError(
                "--scheduler needs Dask: pip install 'publish[cluster]'"
            ) from None

        return DaskExecutor.connect(options.scheduler, options)
    return pool(min(options.jobs, fresh))


@contextmanager
def pool(workers: int) -> Iterator[Executor]:
    """Worker processes when there is parallel work; the current process otherwise."""
    if workers <= 1:
        yield InlineExecutor()
        return
    executor = WorkerPool(workers, initializer=warm_up)
    try:
        yield executor
        executor.close()
    except BaseException:
        executor.stop()
        raise


def stop_now(executor: Executor, output: Path, report: "Reporter", spill: Path) -> None:
    """On Ctrl-C: disarm the time limit, kill the workers and any process they started,
    remove temporary files and the spilled texts, take the progress bar down."""
    signal.setitimer(signal.ITIMER_REAL, 0)
    kill_descendants()
    executor.stop()
    remove_temporary_files(output)
    shutil.rmtree(spill, ignore_errors=True)
    report.stop()


def spill_text(folder: Path, numbers: Iterator[int], outcome: Outcome) -> None:
    """Move a canonical text from memory to a file until its render, as soon as it arrives:
    an archive's texts would otherwise all be held between the two rounds."""
    if outcome.canonical:
        path = folder / f"{next(numbers)}.md"
        path.write_text(outcome.canonical, encoding="utf-8")
        outcome.canonical, outcome.canonical_file = "", str(path)


def run_all(
    executor: Executor,
    function: Callable[..., Outcome],
    arguments: list[tuple],
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run a job function over many argument tuples; outcomes in the order of the arguments.

    A call that ends without an Outcome (its worker was killed for lack of memory, say)
    fails only its own job.
    """
    results: list[Outcome | None] = [None] * len(arguments)
    for index, result in executor.run(function, arguments):
        result = as_outcome(result, arguments[index][0])
        if on_done:
            on_done(result)
        results[index] = result
    return [outcome for outcome in results if outcome is not None]


def as_outcome(result: object, job: Job) -> Outcome:
    """A call's Outcome; a call that did not return one failed its job alone."""
    if isinstance(result, Outcome):
        return result
    return Outcome(job.path, "failed", message=f"worker failed: {result}")


def one_round(
    executor: Executor,
    fresh: list[Job],
    skipped: list[Outcome],
    options: BuildOptions,
    render_options: RenderOptions,
    report: "Reporter",
) -> list[Outcome]:
    """Each job prepared and rendered in one call, its files then written under their final
    names by Naming (or first to a folder of its own below a staging folder in the output
    folder, while an earlier source is not yet named).

    For a cluster: a call there is a round trip through the scheduler, and a canonical text
    sent back between two rounds would cross the network twice. What Ctrl-C interrupts is
    removed with the other temporary files; what is lost with the scheduler is not built.
    """
    with tempfile.TemporaryDirectory(
        prefix=".publish-staged.", suffix=".tmp", dir=options.output, ignore_cleanup_errors=True
    ) as staging:
        folders = [Path(staging) / str(index) for index in range(len(fresh))]
        arguments = [
            (job, replace(options, output=folder), render_options)
            for job, folder in zip(fresh, folders, strict=True)
        ]
        naming = Naming(fresh, skipped, options.output, report)
        for index, result in executor.run(prepare_and_render, arguments):
            for outcome in naming.arrived(index, as_outcome(result, fresh[index]), folders[index]):
                report.done(outcome)
    return naming.settled


def warm_up() -> None:
    """Once per worker: import the writers, so fonts and stylesheets load once per process."""
    from publish.render import booklet, epub, pdf  # noqa: F401


# Python's cycle collector during a job: a young collection every 50,000 allocations, not
# every 700. Each collection of the older generations walks every box laid out so far, so at
# the default they took a quarter of a long document's time (27 of 121 CPU seconds for 700
# pages) and made the time per page grow with the length. Paused outright, the collector
# saved as much but let a 273-page reader's peak memory grow from 503 to 681 MiB; at this
# threshold it saves as much and the memory stays as it was (496 MiB).
JOB_THRESHOLDS = (50_000, 10, 10)
_relaxed = {"jobs": 0, "previous": gc.get_threshold()}
_relaxed_lock = threading.Lock()


@contextmanager
def collector_relaxed() -> Iterator[None]:
    """Run one job's work with the cycle collector's JOB_THRESHOLDS; the thresholds before
    come back when the last job running in this process ends (Dask runs jobs in threads)."""
    with _relaxed_lock:
        if not _relaxed["jobs"]:
            _relaxed["previous"] = gc.get_threshold()
            gc.set_threshold(*JOB_THRESHOLDS)
        _relaxed["jobs"] += 1
    try:
        yield
    finally:
        with _relaxed_lock:
            _relaxed["jobs"] -= 1
            if not _relaxed["jobs"]:
                gc.set_threshold(*_relaxed["previous"])


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in this thread after `seconds`: SIGALRM in the main thread.

    An exception raised while Python runs a garbage-collection or finalizer callback is
    swallowed, so the alarm re-arms itself and fires again until the block is left.
    """

    if threading.current_thread() is not threading.main_thread():
        from publish.deadline import thread_time_limit

        with thread_time_limit(seconds, RETRY_ALARM):
            yield
        return

    def expire(signum: int, frame: object) -> None:
        signal.setitimer(signal.ITIMER_REAL, RETRY_ALARM)
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def guarded(
    path: Path, options: BuildOptions, work: Callable[[], Outcome], spent: float = 0.0
) -> Outcome:
    """Run one job's work within what is left of its time limit; failures become one line."""
    started = time.perf_counter()
    try:
        with time_limit(max(options.timeout - spent, 0.01)), collector_relaxed():
            outcome = work()
    except PublishError as error:
        outcome = Outcome(path, "failed", message=error.reason)
        if error.path != path:
            outcome.message = str(error)
    except TimeoutError:
        outcome = Outcome(path, "failed", message=f"took longer than {options.timeout} s")
    except MemoryError:
        outcome = Outcome(path, "failed", message="ran out of memory")
    except Exception as error:  # noqa: BLE001 - one bad source must not stop the batch
        detail = traceback.format_exc() if options.verbose else ""
        message = f"internal error: {type(error).__name__}: {error}"
        outcome = Outcome(path, "failed", message=message + ("\n" + detail if detail else ""))
    outcome.seconds = time.perf_counter() - started
    return outcome


def prepare(job: Job, options: BuildOptions) -> Outcome:
    """Round one: normalize a source (or read a manifest's title) to learn its slug."""

    def work() -> Outcome:
        if job.is_manifest:
            from publish.reader import check_manifest

            manifest = check_manifest(job.path, options.allow_outside)
            style = job_style(job, options, manifest.style)
            outside = list(manifest.outside)
            return Outcome(job.path, "built", slug=manifest.slug, outside=outside, style=style)
        from publish.document import slugify
        from publish.normalize import normalize
        from publish.sources import read_source

        style = job_style(job, options)
        result = normalize(read_source(job.path, options.max_size))
        doubts = [entry.format(str(job.path)) for entry in result.doubts]
        slug = slugify(result.meta["title"]) or slugify(job.path.stem) or "untitled"
        canonical = result.text
        return Outcome(
            job.path, "built", slug=slug, doubts=doubts, canonical=canonical, style=style
        )

    return guarded(job.path, options, work)


def output_names(slug: str) -> tuple[str, ...]:
    """Every file a slug may be written to, whatever formats and editions this build asks for."""
    editions = (slug, f"{slug}-large-print")
    kinds = (".pdf", "-booklet.pdf", "-cover.pdf", "-interior.pdf")
    return (f"{slug}.epub", *(name + kind for name in editions for kind in kinds))


def assign_slugs(prepared: list[Outcome], skipped: list[Outcome], report: "Reporter") -> None:
    """Unique output names: a later source whose names repeat an earlier one's gets -2, -3.

    Names, not titles, are compared: "Strike Booklet" would otherwise overwrite the booklet
    of "Strike".
    """
    taken = names_taken(skipped)
    for outcome in sorted(prepared, key=lambda o: str(o.path)):
        if outcome.slug:
            claim_slug(outcome, taken, report)


def names_taken(skipped: list[Outcome]) -> dict[str, Path]:
    """The output names of the sources not built again, and whose they are."""
    return {name: outcome.path for outcome in skipped for name in output_names(outcome.slug)}


def claim_slug(outcome: Outcome, taken: dict[str, Path], report: "Reporter") -> None:
    """Give `outcome` the first of its slug, slug-2, slug-3... whose names are not taken."""
    slug, number, first_clash = outcome.slug, 1, None
    while clash := next((taken[n] for n in output_names(slug) if n in taken), None):
        if clash == outcome.path:
            break
        first_clash = first_clash or clash
        number += 1
        slug = f"{outcome.slug}-{number}"
    if first_clash:
        report.note(
            f"{outcome.path}: {first_clash} has the same title or output names; writing {slug}.*"
        )
    taken.update((name, outcome.path) for name in output_names(slug))
    outcome.slug = slug


class Naming:
    """The final names of a one-round build's outputs: each job's slug as assign_slugs gives
    it (jobs in the order of their paths), claimed as soon as every job before it has
    arrived. Its files are then written under those names, atomically: from the bytes the
    call sent back, or moved from the staging folder the call wrote them to (shared output).
    Bytes that must wait for an earlier job go to the staging folder at once, so an
    archive's outputs are not held in memory."""

    def __init__(
        self, jobs: list[Job], skipped: list[Outcome], output: Path, report: "Reporter"
    ) -> None:
        self.order = sorted(range(len(jobs)), key=lambda index: str(jobs[index].path))
        self.taken = names_taken(skipped)
        self.output = output
        self.report = report
        self.waiting: dict[int, tuple[Outcome, Path]] = {}
        self.settled: list[Outcome] = []

    def arrived(self, index: int, outcome: Outcome, staged: Path) -> list[Outcome]:
        """Take one job's outcome; return those whose names are now final, in path order."""
        self.waiting[index] = (outcome, staged)
        if outcome.files and self.order[len(self.settled)] != index:
            files, outcome.files = outcome.files, {}
            try:
                staged.mkdir(parents=True, exist_ok=True)
                for name, data in files.items():
                    (staged / name).write_bytes(data)
            except OSError as error:
                reason = error.strerror or str(error)
                outcome.status, outcome.message = "failed", f"cannot stage its outputs: {reason}"
        settled = []
        while (count := len(self.settled)) < len(self.order) and self.order[count] in self.waiting:
            outcome, staged = self.waiting.pop(self.order[count])
            self.settle(outcome, staged)
            self.settled.append(outcome)
            settled.append(outcome)
        return settled

    def settle(self, outcome: Outcome, staged: Path) -> None:
        if not outcome.slug:  # not named: it failed before its title was known
            return
        written = outcome.slug
        claim_slug(outcome, self.taken, self.report)
        if outcome.status != "built":
            return
        names = [outcome.slug + name.removeprefix(written) for name in outcome.outputs]
        files, outcome.files = outcome.files, {}
        for old, new in zip(outcome.outputs, names, strict=True):
            try:
                if old in files:
                    write_atomic(self.output / new, files[old])
                else:
                    os.replace(staged / old, self.output / new)
            except OSError as error:
                reason = error.strerror or str(error)
                outcome.status, outcome.message = "failed", f"cannot write {new}: {reason}"
                return
        outcome.outputs = sorted(names)


def render(
    job: Job,
    prepared: Outcome,
    options: BuildOptions,
    render_options: RenderOptions,
    keep: bool = False,
) -> Outcome:
    """Round two: render and write every requested output of one job; or, `keep`, hold
    their bytes in the Outcome's `files` (a cluster worker sends them to the client)."""

    def work() -> Outcome:
        names, files = [], {}
        styled = render_options.styled(prepared.style) if prepared.style else render_options
        advice = booklet_advice(options, styled)
        with logged("publish.render.compose", "publish.render.page_fill") as notes:
            for name, data in render_files(job, prepared, options, render_options, advice):
                if keep:
                    files[name] = data
                else:
                    write_atomic(options.output / name, data)
                names.append(name)
        return Outcome(
            job.path,
            "built",
            slug=prepared.slug,
            outputs=sorted(names),
            doubts=prepared.doubts,
            outside=prepared.outside,
            notes=notes,
            retries=prepared.retries,
            advice=advice,
            files=files,
        )

    outcome = guarded(job.path, options, work, spent=prepared.seconds)
    outcome.slug = prepared.slug  # its names are taken even if it failed (see one_round)
    return outcome


def prepare_and_render(
    job: Job, options: BuildOptions, render_options: RenderOptions, keep: bool = False
) -> Outcome:
    """Both rounds in one call: the outputs are named by the slug the text gives itself,
    until Naming gives them their final names."""
    prepared = prepare(job, options)
    if not prepared.slug:
        return prepared
    return render(job, prepared, options, render_options, keep)


def booklet_advice(options: BuildOptions, render_options: RenderOptions) -> list[str]:
    """What a home printer needs to hear about a booklet's sheets, once per edition."""
    if "booklet" not in options.formats:
        return []
    advice = []
    for edition, style in edition_styles(render_options.style):
        paper = style.paper
        if paper not in ("a4", "letter"):
            continue
        sheet, home = ("A3", "A4") if paper == "a4" else ("tabloid", "Letter")
        if edition == "large-print":
            advice.append(
                f"the large-print booklet's sheets are {sheet} ({paper} pages side by side); "
                f"on {home} paper, print the large-print PDF itself, two-sided"
            )
        else:
            smaller = "a5" if paper == "a4" else "half-letter"
            advice.append(
                f"the booklet's sheets are {sheet} ({paper} pages side by side); for a printer "
                f"that takes {home}, build with --paper {smaller}"
            )
    return advice


@contextmanager
def logged(*names: str) -> Iterator[list[str]]:
    """The messages loggers log meanwhile (the composer: paragraphs it left to WeasyPrint;
    the page filler: pages it filled)."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    handler = Collect(logging.INFO)
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
    try:
        yield messages
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def render_files(
    job: Job,
    prepared: Outcome,
    options: BuildOptions,
    render_options: RenderOptions,
    advice: list[str] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Each output file's name and bytes as soon as it is ready, the PDF first (a watching
    preview shows it before the booklet and EPUB are done); writers are imported when needed.
    Lines for the build summary (a print-on-demand interior's padding) go to `advice`."""
    from publish.volume import Volume

    if prepared.style:
        render_options = render_options.styled(prepared.style)
    book = load_book(job, prepared, options)
    is_volume = isinstance(book, Volume)
    slug = prepared.slug
    if "pdf" in options.formats or "booklet" in options.formats or options.pod:
        from publish.render import pdf

        lay_out = pdf.layout_volume_pdf if is_volume else pdf.layout_pdf
        for edition, style in edition_styles(render_options.style):
            styled = render_options.styled(style)
            name = slug if edition == "standard" else f"{slug}-{edition}"
            layout = lay_out(book, styled)
            pamphlet = pdf.write_layout(layout, styled)
            if "pdf" in options.formats:
                yield f"{name}.pdf", pamphlet
            if options.pod:
                yield from print_on_demand(book, layout, name, options, styled, advice)
            if "booklet" in options.formats:
                from publish.render.booklet import impose_saddle_stitch

                yield (
                    f"{name}-booklet.pdf",
                    impose_saddle_stitch(pamphlet, styled.paper, styled.signature),
                )
    if "epub" in options.formats:
        from publish.render import epub

        write = epub.render_volume_epub if is_volume else epub.render_epub
        yield f"{slug}.epub", write(book, render_options)


def print_on_demand(
    book: "Document | Volume",
    layout: "Layout",
    slug: str,
    options: BuildOptions,
    render_options: RenderOptions,
    advice: list[str] | None,
) -> Iterator[tuple[str, bytes]]:
    """The print-ready interior, then (with --formats cover) the cover spread, whose spine
    is as wide as the interior's pages make it."""
    from publish.render.pod import interior_pdf

    interior = interior_pdf(layout, render_options, options.pod)
    if advice is not None:
        advice += interior.advice
    yield f"{slug}-interior.pdf", interior.pdf
    if "cover" in options.formats:
        from publish.render.spread import render_spread

        spread = render_spread(book, render_options, interior.pages, options.pod, options.stock)
        if advice is not None:
            advice += spread.advice
        yield f"{slug}-cover.pdf", spread.pdf


def load_book(job: Job, prepared: Outcome, options: BuildOptions) -> "Document | Volume":
    """The Document of a source (from its canonical text), or the Volume of a manifest."""
    if job.is_manifest:
        from publish.reader import load_manifest

        return load_manifest(
            job.path, options.number_paragraphs, options.max_size, options.allow_outside
        )
    from publish.document import parse

    return replace(parse(canonical_text(prepared)), folder=job.path.parent.resolve())


def canonical_text(prepared: Outcome) -> str:
    """A prepared source's canonical text, from memory or from its spilled file."""
    if prepared.canonical or not prepared.canonical_file:
        return prepared.canonical
    return Path(prepared.canonical_file).read_text(encoding="utf-8")


class Reporter:
    """Progress and results on standard error: a bar on a terminal, plain lines elsewhere."""

    def __init__(self, options: BuildOptions, total: int) -> None:
        self.options = options
        self.progress = None
        if sys.stderr.isatty() and not options.quiet and total > 1:
            from rich.progress import Progress

            self.progress = Progress(transient=True)
            self.progress.start()
            self.task = self.progress.add_task("building", total=total)

    def line(self, text: str) -> None:
        if self.progress:
            self.progress.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=sys.stderr)

    def note(self, text: str) -> None:
        if not self.options.quiet:
            self.line(f"publish: {text}")

    def done(self, outcome: Outcome) -> None:
        if outcome.status == "failed":
            self.line(f"publish: {outcome.path}: {outcome.message}")
        elif not self.options.quiet and (outcome.status == "built" or self.options.verbose):
            names = ", ".join(outcome.outputs)
            self.line(f"{outcome.status} {outcome.path} -> {names} ({outcome.seconds:.1f} s)")
            for advice in outcome.advice:
                self.line(f"  note: {advice}")
            if self.options.verbose:
                for doubt in outcome.doubts:
                    self.line(f"  {doubt}")
                for note in outcome.notes:
                    self.line(f"  {note}")
            elif outcome.doubts:
                spots = "1 doubtful spot" if len(outcome.doubts) == 1 else "doubtful spots"
                count = "" if len(outcome.doubts) == 1 else f"{len(outcome.doubts)} "
                self.line(f"  {count}{spots}; to see them: publish normalize {outcome.path}")
        if self.progress and outcome.status != "skipped":
            self.progress.advance(self.task)

    def stop(self) -> None:
        """Take the progress bar off the terminal."""
        if self.progress:
            self.progress.stop()
            self.progress = None

    def summary(self, outcomes: list[Outcome], seconds: float) -> None:
        self.stop()
        counts = {
            status: sum(o.status == status for o in outcomes)
            for status in ("built", "skipped", "failed")
        }
        if not self.options.quiet:
            for outcome in outcomes:
                for name in outcome.outside:
                    print(f"publish: {outcome.path} read {name} (outside)", file=sys.stderr)
        if not self.options.quiet or counts["failed"]:
            text = ", ".join(f"{count} {status}" for status, count in counts.items())
            if retried := sum(outcome.retries for outcome in outcomes):
                text += f" ({retried} retried on another worker)"
            print(f"publish: {text} in {seconds:.1f} s", file=sys.stderr)
