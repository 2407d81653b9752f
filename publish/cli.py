"""The command line: argument parsing and exit codes only; the work is done elsewhere."""

import argparse
import atexit
import gc
import json
import os
import re
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from publish import __version__
from publish.errors import PublishError
from publish.interrupts import interruptible

if TYPE_CHECKING:
    from publish.normalize import Normalized

PAPERS = ("a5", "a4", "letter", "half-letter")
FORMATS = ("pdf", "epub", "booklet", "cover")
EDITIONS = ("standard", "large-print")
# Size units: k, M, G are powers of 1000 (as are kB, MB, GB); Ki, Mi, Gi (KiB ...) of 1024.
SIZE_UNITS = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3}
BINARY_UNITS = {"ki": 1024, "mi": 1024**2, "gi": 1024**3}
SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]i?)?b?\s*", re.IGNORECASE)


def main(argv: list[str] | None = None) -> int:
    """Run `publish` with these arguments; return the exit status."""
    if argv is None:  # the program itself, which ends after this command
        atexit.register(gc.freeze)  # no last cycle collection on the way out (0.1 s or more)
    with interruptible():
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exit:
            return int(exit.code or 0)
        return args.command(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="publish",
        description="Turn scraped articles, Markdown and saved web pages into typeset PDF "
        "pamphlets, saddle-stitch booklets and EPUB books.",
    )
    parser.add_argument("--version", action="version", version=f"publish {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    add_normalize(commands)
    add_build(commands)
    add_site(commands)
    add_serve(commands)
    add_watch(commands)
    return parser


def add_normalize(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "normalize",
        help="write a source's canonical Markdown",
        description="Read one source (.txt, .md or .html, any common encoding) and write its "
        "canonical Markdown to OUT.md or standard output. The report goes to standard error: "
        "how many repairs, then each place that needs you, quoted, with what to do.",
    )
    parser.add_argument("source", type=Path, metavar="SOURCE", help="a .txt, .md or .html file")
    parser.add_argument("-o", "--output", type=Path, metavar="OUT.md", help="write here")
    parser.add_argument(
        "--report",
        choices=("text", "full", "json", "none"),
        default="text",
        help="report on standard error: text (a summary and what needs you; the default), "
        "full (every repair too), json (for machines) or none",
    )
    add_limits(parser)
    parser.set_defaults(command=run_normalize)


def add_build(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "build",
        help="build PDF pamphlets, booklets and EPUBs",
        description="Build each source (a file, a folder of sources, or a reader manifest "
        "*.toml) into <slug>.pdf, <slug>-booklet.pdf and <slug>.epub in DIR. With no SOURCE: "
        "every source in seeds/ and every manifest in readers/.",
    )
    parser.add_argument("sources", type=Path, nargs="*", metavar="SOURCE")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("build"),
        metavar="DIR",
        help="output folder (default: build/)",
    )
    parser.add_argument(
        "--formats",
        default="pdf,epub,booklet",
        type=formats_list,
        help="comma-separated: pdf, epub, booklet, cover (default: pdf,epub,booklet; a "
        "print-on-demand cover needs --pod)",
    )
    add_paper(parser)
    add_style(parser)
    parser.add_argument(
        "--pod",
        choices=("lulu", "kdp"),
        help="print on demand: also write a print-ready interior <slug>-interior.pdf, and "
        "with --formats cover the cover spread for this service",
    )
    parser.add_argument(
        "--stock",
        choices=("white", "cream"),
        default="white",
        help="paper stock of a KDP book, for the spine width (default: white)",
    )
    add_jobs(parser)
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument(
        "--signature",
        type=signature_size,
        default=0,
        metavar="PAGES",
        help="booklet signature size in pages, a multiple of 4 (default: one)",
    )
    parser.add_argument(
        "--number-paragraphs", action="store_true", help="number paragraphs in the margin (readers)"
    )
    parser.add_argument("--embed-fonts", action="store_true", help="embed fonts in EPUBs")
    add_limits(parser)
    parser.add_argument(
        "--allow-outside",
        action="store_true",
        help="let reader manifests name texts outside their own folder and the current one",
    )
    parser.add_argument(
        "--scheduler",
        default=os.environ.get("DASK_SCHEDULER_ADDRESS", ""),
        metavar="tcp://HOST:PORT",
        help="build on the Dask cluster of this scheduler (default: $DASK_SCHEDULER_ADDRESS; "
        "none: local workers); needs the cluster extra",
    )
    parser.add_argument(
        "--shared-output",
        action="store_true",
        help="cluster workers write to DIR themselves (a folder they all share)",
    )
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("--quiet", "-q", action="store_true", help="print failures only")
    noise.add_argument("--verbose", "-v", action="store_true", help="print reports and tracebacks")
    parser.set_defaults(command=run_build)


def add_paper(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--paper",
        type=str.lower,
        choices=PAPERS,
        help="trim size, in any case (default: a style file's paper, else a5)",
    )


def add_style(parser: argparse.ArgumentParser) -> None:
    """The house style: a style file, a stylesheet, an edition (they win over publish.toml)."""
    parser.add_argument(
        "--style",
        type=Path,
        metavar="FILE",
        help="a style file (TOML, the keys of publish.toml), over the source folder's own",
    )
    parser.add_argument(
        "--css",
        type=Path,
        metavar="FILE",
        help="your own stylesheet, applied after the built-in ones",
    )
    parser.add_argument(
        "--edition",
        type=editions_list,
        metavar="EDITION",
        help="standard or large-print, or both comma-separated (default: the style's, "
        "else standard); large print writes <slug>-large-print.pdf",
    )


def add_jobs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="parallel workers (default: number of cores)",
    )


def add_limits(parser: argparse.ArgumentParser) -> None:
    """The time and size limits per source, shared by normalize and build."""
    parser.add_argument(
        "--timeout",
        type=positive_int,
        default=300,
        metavar="SECONDS",
        help="time limit per source (default: 300)",
    )
    parser.add_argument(
        "--max-size",
        type=byte_size,
        default=5 * 1024 * 1024,
        metavar="SIZE",
        help="size limit per source, in bytes or with a unit: k, M, G are powers of 1000 "
        "(kB, MB, GB too), Ki, Mi, Gi (KiB, MiB, GiB) of 1024; any case (default: 5MiB)",
    )


def formats_list(value: str) -> tuple[str, ...]:
    chosen = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"{value!r}: choose from {', '.join(FORMATS)}")
    return chosen


def editions_list(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [part for part in chosen if part not in EDITIONS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"{value!r}: choose from {', '.join(EDITIONS)}")
    return chosen


def whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None


def positive_int(value: str) -> int:
    number = whole_number(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is less than 1")
    return number


def byte_size(value: str) -> int:
    """A size such as 4000, 500k, 5MB or 5MiB, in bytes (k = 1000, Ki = 1024)."""
    match = SIZE.fullmatch(value)
    if not match:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a size: give bytes or a number with k, M, G, KiB, MiB or GiB"
        )
    number, unit = match.groups()
    unit = (unit or "").lower()
    size = int(float(number) * (BINARY_UNITS.get(unit) or SIZE_UNITS[unit]))
    if size < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is less than one byte")
    return size


def signature_size(value: str) -> int:
    number = whole_number(value)
    if number < 0 or number % 4:
        raise argparse.ArgumentTypeError(f"{value!r} is not 0 or a multiple of 4")
    return number


def run_normalize(args: argparse.Namespace) -> int:
    from publish.build import time_limit
    from publish.normalize import normalize
    from publish.sources import read_source

    try:
        with time_limit(args.timeout):
            result = normalize(read_source(args.source, args.max_size))
    except PublishError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 1
    except TimeoutError:
        print(f"publish: {args.source}: took longer than {args.timeout} s", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - a bad source gets one line, never a traceback
        print(
            f"publish: {args.source}: internal error: {type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return 1
    try:
        write_canonical(result.text, args.output)
    except BrokenPipeError:  # `publish normalize x.txt | head`: the reader has had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:
        print(f"publish: {args.output}: cannot write: {error.strerror or error}", file=sys.stderr)
        return 1
    if args.report == "json":
        json.dump(json_report(result, args.source), sys.stderr, indent=2)
        sys.stderr.write("\n")
    elif args.report in ("text", "full"):
        from publish.normalize.report import as_text

        full = args.report == "full"
        report = as_text(result.entries, args.source, args.output, result.canonical_lines, full)
        sys.stderr.write(report)
    return 0


def json_report(result: "Normalized", source: Path) -> dict[str, object]:
    """The report for machines: counts, where line numbers count, and every entry."""
    return {
        "source": str(source),
        "repairs": len(result.entries) - len(result.doubts),
        "doubts": len(result.doubts),
        "lines": "canonical" if result.canonical_lines else "source",
        "entries": [entry.as_dict() for entry in result.entries],
    }


def write_canonical(text: str, output: Path | None) -> None:
    """The canonical Markdown to a file (atomically, even on Ctrl-C) or to standard output."""
    if not output:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from publish.atomic import remove_temporary_files, write_atomic

    with interruptible(partial(remove_temporary_files, output.parent, output.name)):
        write_atomic(output, text.encode("utf-8"))


def run_build(args: argparse.Namespace) -> int:
    from publish.build import BuildOptions, build

    if problem := style_problem(args):
        print(f"publish: {problem}", file=sys.stderr)
        return 2
    options = BuildOptions(
        output=args.output,
        formats=args.formats,
        paper=args.paper,
        style_file=args.style,
        stylesheet=args.css,
        editions=args.edition,
        pod=args.pod,
        stock=args.stock,
        jobs=args.jobs,
        force=args.force,
        signature=args.signature,
        number_paragraphs=args.number_paragraphs,
        embed_fonts=args.embed_fonts,
        timeout=args.timeout,
        max_size=args.max_size,
        allow_outside=args.allow_outside,
        quiet=args.quiet,
        verbose=args.verbose,
        scheduler=args.scheduler,
        shared_output=args.shared_output,
    )
    return build(args.sources, options)


def style_problem(args: argparse.Namespace) -> str | None:
    """A one-line reason why the style options or template folder cannot be used, or None."""
    from publish.errors import PublishError
    from publish.style import option_settings, read_style_file
    from publish.templates import template_problem

    if problem := template_problem():
        return problem
    if "cover" in args.formats and not args.pod:
        return "--formats cover needs --pod lulu or --pod kdp (the spine width depends on it)"
    try:
        if args.style is not None:
            read_style_file(args.style)
        option_settings(stylesheet=args.css)
    except PublishError as error:
        return str(error)
    return None


def add_site(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "site",
        help="build a static catalogue website with OPDS feeds",
        description="Build every source as `publish build` does (only what changed, in the "
        "build folder), then write a static catalogue into DIR: index.html, a page per book, "
        "the books' files, and OPDS 1.2 (opds/root.xml) and OPDS 2.0 (opds/root.json) feeds. "
        "With no SOURCE: every source in seeds/ and every manifest in readers/.",
    )
    parser.add_argument("sources", type=Path, nargs="*", metavar="SOURCE")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("site"),
        metavar="DIR",
        help="site folder (default: site/)",
    )
    parser.add_argument(
        "--build-dir",
        type=Path,
        default=Path("build"),
        metavar="DIR",
        help="build folder and cache, outside the site (default: build/)",
    )
    parser.add_argument(
        "--title", default="Library", help="the catalogue's name (default: Library)"
    )
    add_paper(parser)
    add_jobs(parser)
    parser.add_argument("--quiet", "-q", action="store_true", help="print failures only")
    parser.set_defaults(command=run_site)


def add_serve(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve a site folder over HTTP",
        description="Serve the files of DIR (made by `publish site`) with the right types, "
        "and print the catalogue's address and the OPDS address to give an e-reader. "
        "Ctrl-C stops it.",
    )
    parser.add_argument("directory", type=Path, metavar="DIR")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1; 0.0.0.0 for the local network)",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=8000,
        metavar="P",
        help="port (default: 8000; 0 for any free port)",
    )
    parser.set_defaults(command=run_serve)


def port_number(value: str) -> int:
    number = int(value)
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return number


def run_site(args: argparse.Namespace) -> int:
    from publish.build import BuildOptions
    from publish.site import make_site
    from publish.templates import template_problem

    if problem := template_problem():
        print(f"publish: {problem}", file=sys.stderr)
        return 2
    options = BuildOptions(
        output=args.build_dir, paper=args.paper, jobs=args.jobs, quiet=args.quiet
    )
    return make_site(args.sources, args.output, options, args.title)


def run_serve(args: argparse.Namespace) -> int:
    from publish.serve import serve

    return serve(args.directory, args.host, args.port)


def add_watch(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "watch",
        help="rebuild on every save and show a live preview",
        description="Build SOURCE (a source file or a reader manifest) into DIR, then again "
        "on every save of it, its images, a template or a reader's texts: the PDF first, then "
        "the booklet and EPUB. A preview page on 127.0.0.1 shows the newest PDF, the build's "
        "errors and the report's doubts. Ctrl-C stops.",
    )
    parser.add_argument("source", type=Path, metavar="SOURCE|MANIFEST")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("build"),
        metavar="DIR",
        help="output folder (default: build/)",
    )
    parser.add_argument(
        "--port",
        type=port_number,
        default=8008,
        metavar="P",
        help="preview port on 127.0.0.1 (default: 8008; 0 picks a free one)",
    )
    parser.add_argument(
        "--formats",
        default="pdf,epub,booklet",
        type=formats_list,
        help="comma-separated: pdf, epub, booklet (default: all three)",
    )
    add_paper(parser)
    parser.set_defaults(command=run_watch)


def run_watch(args: argparse.Namespace) -> int:
    from publish.build import BuildOptions
    from publish.templates import template_problem
    from publish.watch import watch

    if problem := template_problem():
        print(f"publish: {problem}", file=sys.stderr)
        return 2
    if "cover" in args.formats:
        print(
            "publish: watch does not make print-on-demand covers; use build --pod", file=sys.stderr
        )
        return 2
    options = BuildOptions(output=args.output, formats=args.formats, paper=args.paper)
    return watch(args.source, options, args.port)
