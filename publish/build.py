"""The batch: which sources, which outputs, the cache, the workers, atomic writes, the summary.

A build runs in two rounds over one pool of worker processes. First every source is
normalized (fast), so that each output name (the slug of its title) is known before
anything is written and two sources with the same title never overwrite each other.
Then each source is rendered and its files written atomically. Sources whose inputs,
templates, options and code are unchanged since the last build are skipped.
"""

import hashlib
import json
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from publish import __version__
from publish.atomic import write_atomic
from publish.errors import PublishError
from publish.render.options import RenderOptions
from publish.sources import SOURCE_SUFFIXES
from publish.templates import template_dirs

if TYPE_CHECKING:
    from publish.document import Document
    from publish.volume import Volume

CACHE_NAME = ".publish-cache.json"
RETRY_ALARM = 0.25  # seconds between repeated time-limit alarms
PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class BuildOptions:
    output: Path = Path("build")
    formats: tuple[str, ...] = ("pdf", "epub", "booklet")
    paper: str = "a5"
    jobs: int = 1
    force: bool = False
    signature: int = 0
    number_paragraphs: bool = False
    embed_fonts: bool = False
    timeout: int = 300
    max_size: int = 5 * 1024 * 1024
    quiet: bool = False
    verbose: bool = False


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


def build(sources: list[Path], options: BuildOptions) -> int:
    """Build every source and manifest; return the exit status."""
    started = time.perf_counter()
    jobs, missing = discover(sources)
    if not jobs and not missing:
        print(
            "publish: nothing to build (no sources given, no seeds/ or readers/)", file=sys.stderr
        )
        return 2
    render_options = RenderOptions.from_environment(
        paper=options.paper,
        signature=options.signature,
        number_paragraphs=options.number_paragraphs,
        embed_fonts=options.embed_fonts,
    )
    base = fingerprint_base(options, render_options)
    jobs = [replace(job, key=job_key(job, base)) for job in jobs]
    cache = load_cache(options.output)
    fresh = [job for job in jobs if options.force or not up_to_date(job, cache, options.output)]
    skipped = [
        Outcome(job.path, "skipped", **cached(job, cache)) for job in jobs if job not in fresh
    ]
    outcomes = [*missing, *skipped]
    report = Reporter(options, total=len(fresh))
    for outcome in [*missing, *skipped]:
        report.done(outcome)
    workers = min(options.jobs, len(fresh))
    with pool(workers) as executor:
        prepared = run_all(executor, prepare, [(job, options) for job in fresh], workers)
        assign_slugs(prepared, skipped, report)
        ready = [(job, done) for job, done in zip(fresh, prepared, strict=True) if done.slug]
        for outcome in [done for done in prepared if not done.slug]:
            report.done(outcome)
            outcomes.append(outcome)
        arguments = [(job, done, options, render_options) for job, done in ready]
        outcomes += run_all(executor, render, arguments, workers, report.done)
    save_cache(options.output, cache, jobs, outcomes)
    report.summary(outcomes, time.perf_counter() - started)
    return 1 if any(outcome.status == "failed" for outcome in outcomes) else 0


def discover(sources: list[Path]) -> tuple[list[Job], list[Outcome]]:
    """Jobs for the given files and folders, or for seeds/ and readers/ when none are given."""
    if not sources:
        sources = [folder for folder in (Path("seeds"), Path("readers")) if folder.is_dir()]
    jobs: list[Job] = []
    missing: list[Outcome] = []
    for source in sources:
        if source.is_dir():
            found = sorted(p for p in source.iterdir() if p.is_file() and buildable(p))
            jobs += [Job(path) for path in found]
        elif source.is_file():
            jobs.append(Job(source))
        else:
            missing.append(Outcome(source, "failed", message="no such file or folder"))
    unique = list(dict.fromkeys(jobs))
    return unique, missing


def buildable(path: Path) -> bool:
    return path.suffix.lower() in (*SOURCE_SUFFIXES, ".toml") and not path.name.startswith(".")


def fingerprint_base(options: BuildOptions, render_options: RenderOptions) -> str:
    """What every output depends on besides its own inputs: code, templates, options."""
    digest = hashlib.sha256(__version__.encode())
    for folder in [PACKAGE, *template_dirs()]:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    settings = (options.formats, options.max_size, render_options)
    digest.update(repr(settings).encode())
    return digest.hexdigest()


def job_key(job: Job, base: str) -> str:
    """Fingerprint of a job: the base plus the bytes of every file it reads."""
    from publish.reader import manifest_inputs

    digest = hashlib.sha256(base.encode())
    inputs = manifest_inputs(job.path) if job.is_manifest else [job.path]
    for path in inputs:
        digest.update(str(path).encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()


def load_cache(output: Path) -> dict:
    try:
        return json.loads((output / CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def up_to_date(job: Job, cache: dict, output: Path) -> bool:
    entry = cache.get(str(job.path))
    return bool(
        entry
        and entry.get("key") == job.key
        and all((output / name).is_file() for name in entry.get("outputs", []))
    )


def cached(job: Job, cache: dict) -> dict:
    entry = cache[str(job.path)]
    return {"slug": entry["slug"], "outputs": entry["outputs"]}


def save_cache(output: Path, cache: dict, jobs: list[Job], outcomes: list[Outcome]) -> None:
    keys = {job.path: job.key for job in jobs}
    for outcome in outcomes:
        if outcome.status == "built":
            cache[str(outcome.path)] = {
                "key": keys[outcome.path],
                "slug": outcome.slug,
                "outputs": outcome.outputs,
            }
        elif outcome.status == "failed":
            cache.pop(str(outcome.path), None)
    data = json.dumps(cache, indent=1, sort_keys=True).encode()
    write_atomic(output / CACHE_NAME, data)


@contextmanager
def pool(workers: int) -> Iterator[Executor]:
    """Worker processes when there is parallel work; the current process otherwise."""
    if workers <= 1:
        yield InlineExecutor()
        return
    executor = ProcessPoolExecutor(max_workers=workers, initializer=warm_up)
    try:
        yield executor
    except BaseException:
        # Ctrl-C: let running jobs finish their (atomic) writes, start no others.
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


class InlineExecutor(Executor):
    """An executor that runs each call here and now (no process start-up for one source)."""

    def submit(self, function: Callable, /, *args: object) -> Future:
        future: Future = Future()
        try:
            future.set_result(function(*args))
        except BaseException as error:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(error)
        return future


def run_all(
    executor: Executor,
    function: Callable[..., Outcome],
    arguments: list[tuple],
    window: int,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run a job function over many argument tuples, at most `window` at a time.

    Submitting only as workers free up keeps Ctrl-C prompt (nothing queued runs on), and a
    dead worker fails only its own job.
    """
    results: list[Outcome | None] = [None] * len(arguments)
    waiting = iter(enumerate(arguments))
    running: dict[Future, int] = {}

    def submit_next() -> None:
        for index, args in waiting:
            running[executor.submit(function, *args)] = index
            return

    for _ in range(max(window, 1)):
        submit_next()
    while running:
        finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            index = running.pop(future)
            try:
                outcome = future.result()
            except Exception as error:  # noqa: BLE001 - e.g. a worker killed for lack of memory
                outcome = Outcome(
                    arguments[index][0].path, "failed", message=f"worker failed: {error}"
                )
            if on_done:
                on_done(outcome)
            results[index] = outcome
            submit_next()
    return [outcome for outcome in results if outcome is not None]


def warm_up() -> None:
    """Once per worker: import the writers, so fonts and stylesheets load once per process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from publish.render import booklet, epub, pdf  # noqa: F401


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in this (main) thread after `seconds`.

    An exception raised while Python runs a garbage-collection or finalizer callback is
    swallowed, so the alarm re-arms itself and fires again until the block is left.
    """

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
        with time_limit(max(options.timeout - spent, 0.01)):
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
            from publish.reader import read_toml, title_slug

            return Outcome(job.path, "built", slug=title_slug(job.path, read_toml(job.path)))
        from publish.document import slugify
        from publish.normalize import normalize
        from publish.sources import read_source

        result = normalize(read_source(job.path, options.max_size))
        doubts = [entry.format(str(job.path)) for entry in result.doubts]
        slug = slugify(result.meta["title"]) or slugify(job.path.stem) or "untitled"
        return Outcome(job.path, "built", slug=slug, doubts=doubts, canonical=result.text)

    return guarded(job.path, options, work)


def output_names(slug: str) -> tuple[str, ...]:
    """Every file a slug may be written to, whatever formats this build asks for."""
    return (f"{slug}.pdf", f"{slug}-booklet.pdf", f"{slug}.epub")


def assign_slugs(prepared: list[Outcome], skipped: list[Outcome], report: "Reporter") -> None:
    """Unique output names: a later source whose names repeat an earlier one's gets -2, -3.

    Names, not titles, are compared: "Strike Booklet" would otherwise overwrite the booklet
    of "Strike".
    """
    taken = {name: outcome.path for outcome in skipped for name in output_names(outcome.slug)}
    for outcome in sorted(prepared, key=lambda o: str(o.path)):
        if not outcome.slug:
            continue
        slug, number, first_clash = outcome.slug, 1, None
        while clash := next((taken[n] for n in output_names(slug) if n in taken), None):
            if clash == outcome.path:
                break
            first_clash = first_clash or clash
            number += 1
            slug = f"{outcome.slug}-{number}"
        if first_clash:
            report.note(
                f"{outcome.path}: {first_clash} has the same title or output names; "
                f"writing {slug}.*"
            )
        taken.update((name, outcome.path) for name in output_names(slug))
        outcome.slug = slug


def render(
    job: Job, prepared: Outcome, options: BuildOptions, render_options: RenderOptions
) -> Outcome:
    """Round two: render and write every requested output of one job."""

    def work() -> Outcome:
        names = []
        for name, data in render_files(job, prepared, options, render_options):
            write_atomic(options.output / name, data)
            names.append(name)
        return Outcome(
            job.path, "built", slug=prepared.slug, outputs=sorted(names), doubts=prepared.doubts
        )

    return guarded(job.path, options, work, spent=prepared.seconds)


def render_files(
    job: Job, prepared: Outcome, options: BuildOptions, render_options: RenderOptions
) -> Iterator[tuple[str, bytes]]:
    """Each output file's name and bytes as soon as it is ready, the PDF first (a watching
    preview shows it before the booklet and EPUB are done); writers are imported when needed."""
    from publish.volume import Volume

    book = load_book(job, prepared, options)
    is_volume = isinstance(book, Volume)
    slug = prepared.slug
    if "pdf" in options.formats or "booklet" in options.formats:
        from publish.render import pdf

        write = pdf.render_volume_pdf if is_volume else pdf.render_pdf
        pamphlet = write(book, render_options)
        if "pdf" in options.formats:
            yield f"{slug}.pdf", pamphlet
        if "booklet" in options.formats:
            from publish.render.booklet import impose_saddle_stitch

            yield (
                f"{slug}-booklet.pdf",
                impose_saddle_stitch(pamphlet, options.paper, options.signature),
            )
    if "epub" in options.formats:
        from publish.render import epub

        write = epub.render_volume_epub if is_volume else epub.render_epub
        yield f"{slug}.epub", write(book, render_options)


def load_book(job: Job, prepared: Outcome, options: BuildOptions) -> "Document | Volume":
    """The Document of a source (from its canonical text), or the Volume of a manifest."""
    if job.is_manifest:
        from publish.reader import load_manifest

        return load_manifest(job.path, options.number_paragraphs, options.max_size)
    from publish.document import parse

    return replace(parse(prepared.canonical), folder=job.path.parent.resolve())


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
            if self.options.verbose:
                for doubt in outcome.doubts:
                    self.line(f"  {doubt}")
            elif outcome.doubts:
                self.line(
                    f"  {len(outcome.doubts)} doubtful spots: see publish normalize {outcome.path}"
                )
        if self.progress and outcome.status != "skipped":
            self.progress.advance(self.task)

    def summary(self, outcomes: list[Outcome], seconds: float) -> None:
        if self.progress:
            self.progress.stop()
        counts = {
            status: sum(o.status == status for o in outcomes)
            for status in ("built", "skipped", "failed")
        }
        if not self.options.quiet or counts["failed"]:
            text = ", ".join(f"{count} {status}" for status, count in counts.items())
            print(f"publish: {text} in {seconds:.1f} s", file=sys.stderr)
