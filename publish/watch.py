"""`publish watch`: a warm loop above build: watches files, calls build, serves the preview.

One process keeps WeasyPrint, the fonts and the parsed stylesheets loaded between builds. A
save of the source, an image beside it, a template, a stylesheet, a font, or a reader's
manifest and texts starts a build here: the PDF is written first, then the booklet and EPUB.
A save during a build interrupts it (a signal raises `Restart` in the main thread, as the
build's own time limit does) and it starts again; every file is written atomically, so an
interrupted build leaves the previous files whole.
"""

import gc
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

from publish import preview
from publish.atomic import write_atomic
from publish.build import BuildOptions, Job, Outcome, guarded, job_style, prepare, render_files
from publish.render.options import RenderOptions
from publish.sources import SOURCE_SUFFIXES
from publish.templates import template_dirs

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}
STYLE_NAMES = {"publish.toml"}
QUOTED = 200  # characters of a doubtful line shown beside the PDF
# a change is reported once nothing else changed for this long: an editor's save (write, then
# rename) takes a millisecond or two. A save is seen 6 ms after it at 5 ms (20 ms at 10 ms, 5 % of
# the seed's rebuild); the idle watcher's checks cost 0.5 % of a core.
WATCH_STEP_MS = 5


class Restart(BaseException):
    """A file changed during a build: abandon it and build again (not an Exception, so that
    the build's own handlers do not turn it into a failure)."""


@dataclass
class Doubt:
    """A report entry that needs a human, with the words of the source line it points at."""

    line: int
    code: str
    message: str
    words: str


@dataclass
class Status:
    """What the preview shows; written by the build loop, read by the server's threads."""

    source: str
    state: str = "building"  # building, ready or failed
    builds: int = 0  # finished builds, good or failed
    pdf: str = ""  # the newest good PDF's name
    pdf_build: int = 0  # the build that wrote it: the preview reloads when this changes
    outputs: list[str] = field(default_factory=list)
    error: str = ""
    doubts: list[Doubt] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def as_dict(self) -> dict:
        with self.lock:
            return {
                "source": self.source,
                "state": self.state,
                "builds": self.builds,
                "pdf": f"/files/{self.pdf}?build={self.pdf_build}" if self.pdf else "",
                "pdf_build": self.pdf_build,
                "outputs": list(self.outputs),
                "error": self.error,
                "doubts": [vars(doubt) for doubt in self.doubts],
                "seconds": round(self.seconds, 3),
            }

    def served(self, name: str) -> bool:
        """Whether the preview may serve this output file (only what this watch wrote)."""
        with self.lock:
            return name in self.outputs

    def update(self, **values: object) -> None:
        with self.lock:
            for key, value in values.items():
                setattr(self, key, value)


class Changes:
    """Saves seen by watchfiles in a background thread, waiting for the build loop."""

    def __init__(self, folders: list[Path], accept: "Relevance") -> None:
        self.paths: set[Path] = set()
        self.arrived = threading.Event()
        self.stopping = threading.Event()
        self.building = False
        self.lock = threading.Lock()
        self.main = threading.main_thread().ident
        self.thread = threading.Thread(target=self.run, args=(folders, accept), daemon=True)

    def run(self, folders: list[Path], accept: "Relevance") -> None:
        for batch in watchfiles.watch(
            *folders,
            watch_filter=lambda change, path: accept(Path(path)),
            recursive=False,
            step=WATCH_STEP_MS,
            stop_event=self.stopping,
            raise_interrupt=False,
        ):
            with self.lock:
                self.paths |= {Path(path) for _, path in batch}
                self.arrived.set()
                if self.building and self.main is not None:
                    signal.pthread_kill(self.main, signal.SIGUSR1)

    def take(self) -> set[Path]:
        """The files changed since the last call; waits for one (Ctrl-C ends the wait)."""
        while not self.arrived.wait(0.5):
            pass
        with self.lock:
            paths, self.paths = self.paths, set()
            self.arrived.clear()
            return paths

    def interrupt(self, signum: int, frame: object) -> None:
        """The signal handler: end the running build, once (the flag is cleared here)."""
        if self.building and self.arrived.is_set():
            self.building = False
            raise Restart

    @contextmanager
    def build_running(self) -> Iterator[None]:
        self.building = True
        try:
            yield
        finally:
            self.building = False


@dataclass(frozen=True)
class Relevance:
    """Which saved files call for a rebuild: inputs, images beside them, templates."""

    source: Path
    output: Path
    templates: tuple[Path, ...]

    def inputs(self) -> set[Path]:
        """The source, or a manifest and its texts (read anew: the manifest may have changed)."""
        if self.source.suffix.lower() != ".toml":
            return {self.source}
        from publish.reader import manifest_inputs

        return {path.resolve() for path in manifest_inputs(self.source)}

    def __call__(self, path: Path) -> bool:
        path = path.resolve()
        name = path.name
        if name.startswith(".") or name.endswith(("~", ".tmp", ".swp")):
            return False  # editors' and our own temporary files
        if path.is_relative_to(self.output):
            return False
        if path in self.inputs() or any(path.is_relative_to(t) for t in self.templates):
            return True
        suffix = path.suffix.lower()
        return suffix in IMAGE_SUFFIXES or suffix == ".css" or name in STYLE_NAMES

    def touches_templates(self, paths: set[Path]) -> bool:
        return any(path.resolve().is_relative_to(t) for t in self.templates for path in paths)


def watch(source: Path, options: BuildOptions, port: int) -> int:
    """Build `source` now and after every save, serving the preview until Ctrl-C."""
    if not source.is_file():
        print(f"publish: {source}: no such file", file=sys.stderr)
        return 1
    status = Status(source=str(source))
    try:
        server = preview.serve(status, options.output, port)
    except OSError as error:
        print(
            f"publish: cannot serve the preview on port {port}: {error.strerror}", file=sys.stderr
        )
        return 1
    accept = Relevance(source.resolve(), options.output.resolve(), tuple(template_dirs()))
    changes = Changes(watched_folders(accept), accept)
    signal.signal(signal.SIGUSR1, changes.interrupt)
    # Ctrl-C and `kill` stop the watch, even when started where SIGINT is ignored (a `&` job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    changes.thread.start()
    host, bound = server.server_address[:2]
    print(f"publish: watching {source}; preview at http://{host}:{bound}/", file=sys.stderr)
    changed: set[Path] = set()
    try:
        while True:
            if accept.touches_templates(changed):
                forget_styles()
            try:
                with changes.build_running():
                    rebuild(Job(source), options, status)
            except Restart:
                status.update(state="building")
            changed = changes.take()
            status.update(state="building")
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the tidy-up
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("publish: stopped watching", file=sys.stderr)
    finally:
        changes.stopping.set()
        server.shutdown()
        server.server_close()
        changes.thread.join(timeout=5)
    return 0


def watched_folders(accept: Relevance) -> list[Path]:
    """The inputs' folders with their subfolders one level down (images), and every template
    folder; each watched without recursion, so a source beside a large tree stays cheap. (A
    text added to a reader later is watched if it sits in one of these folders.)"""
    folders: set[Path] = set()
    for path in accept.inputs():
        folder = path.parent
        folders.add(folder)
        folders |= {sub for sub in subfolders(folder) if not sub.is_relative_to(accept.output)}
    for root in accept.templates:
        folders |= {root, *(p for p in root.rglob("*") if p.is_dir())}
    return sorted(folder for folder in folders if folder.is_dir())


def subfolders(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []


def forget_styles() -> None:
    """Parse the stylesheets and fonts again on the next build (they are kept per process)."""
    from publish.render import pdf

    pdf.parsed_style.cache_clear()
    pdf.style_composer.cache_clear()


def rebuild(job: Job, options: BuildOptions, status: Status) -> None:
    """One build of the watched job: report, PDF, booklet, EPUB; the preview told of each."""
    started = time.perf_counter()
    status.update(state="building")
    prepared, doubts = prepare_with_doubts(job, options)
    status.update(doubts=doubts)  # none when the source cannot be read
    if prepared.status == "failed":
        finish(status, started, error=f"{job.path}: {prepared.message}")
        return
    written: list[str] = []

    def work() -> Outcome:
        for name, data in render_files(job, prepared, options, render_options(options)):
            write_atomic(options.output / name, data)
            written.append(name)
            if name == first_pdf(written):  # the first edition's: the preview stays on it
                with status.lock:
                    status.pdf, status.pdf_build = name, status.builds + 1
                    status.error = ""
                    status.outputs = sorted({*status.outputs, name})
        return Outcome(job.path, "built", slug=prepared.slug, outputs=written)

    outcome = guarded(job.path, options, work, spent=prepared.seconds)
    if outcome.status == "failed":
        finish(status, started, error=f"{job.path}: {outcome.message}")
    else:
        finish(status, started, outputs=tuple(written))
        print(
            f"built {job.path} -> {', '.join(written)} ({outcome.seconds:.2f} s)", file=sys.stderr
        )


def first_pdf(names: list[str]) -> str | None:
    """The first typeset PDF among the files written (not a booklet): the one to preview."""
    return next((n for n in names if n.endswith(".pdf") and not n.endswith("-booklet.pdf")), None)


def finish(status: Status, started: float, error: str = "", outputs: tuple[str, ...] = ()) -> None:
    seconds = time.perf_counter() - started
    settle_memory()
    with status.lock:
        status.builds += 1
        status.state = "failed" if error else "ready"
        status.error = error
        status.outputs = sorted({*status.outputs, *outputs})
        status.seconds = seconds
    if error:
        print(f"publish: {error}", file=sys.stderr)


def settle_memory() -> None:
    """Collect the finished build's garbage now, then set every object still alive (modules,
    fonts, caches) aside from later collections. Otherwise a full collection comes in the
    middle of every second rebuild and walks them all: 0.15–0.25 s of the seed's 0.7 s."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def prepare_with_doubts(job: Job, options: BuildOptions) -> tuple[Outcome, list[Doubt]]:
    """Round one of the build for this job, and the report's doubts for the preview."""
    if job.is_manifest or job.path.suffix.lower() not in SOURCE_SUFFIXES:
        return prepare(job, options), []
    found: list[Doubt] = []

    def work() -> Outcome:
        from publish.document import slugify
        from publish.normalize import normalize
        from publish.sources import read_source

        draft = read_source(job.path, options.max_size)
        result = normalize(draft)
        lines = draft.body.split("\n")
        for entry in result.doubts:
            index = entry.line - draft.first_line
            words = lines[index].strip() if 0 <= index < len(lines) else ""
            if len(words) > QUOTED:
                words = words[:QUOTED].rsplit(" ", 1)[0] + " …"
            found.append(Doubt(entry.line, entry.code, entry.message, words))
        slug = slugify(result.meta["title"]) or slugify(job.path.stem) or "untitled"
        style = job_style(job, options)
        return Outcome(job.path, "built", slug=slug, canonical=result.text, style=style)

    return guarded(job.path, options, work), found


def render_options(options: BuildOptions) -> RenderOptions:
    return RenderOptions.from_environment(
        signature=options.signature,
        number_paragraphs=options.number_paragraphs,
        embed_fonts=options.embed_fonts,
    )
