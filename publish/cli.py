"""The command line: argument parsing and exit codes only; the work is done elsewhere."""

import argparse
import json
import os
import sys
from pathlib import Path

from publish import __version__
from publish.errors import PublishError

PAPERS = ("a5", "a4", "letter", "half-letter")
FORMATS = ("pdf", "epub", "booklet")


def main(argv: list[str] | None = None) -> int:
    """Run `publish` with these arguments; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:
        return int(exit.code or 0)
    try:
        return args.command(args)
    except KeyboardInterrupt:
        print("publish: interrupted; every file written so far is complete", file=sys.stderr)
        return 130


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
    add_watch(commands)
    return parser


def add_normalize(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "normalize",
        help="write a source's canonical Markdown",
        description="Read one source (.txt, .md or .html, any common encoding) and write its "
        "canonical Markdown to OUT.md or standard output. The report of what changed and what "
        "looks doubtful, with line numbers, goes to standard error.",
    )
    parser.add_argument("source", type=Path, metavar="SOURCE", help="a .txt, .md or .html file")
    parser.add_argument("-o", "--output", type=Path, metavar="OUT.md", help="write here")
    parser.add_argument(
        "--report",
        choices=("text", "json", "none"),
        default="text",
        help="report format on standard error (default: text; json for machines)",
    )
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
        help="comma-separated: pdf, epub, booklet (default: all three)",
    )
    parser.add_argument("--paper", choices=PAPERS, default="a5", help="trim size (default: a5)")
    parser.add_argument(
        "--jobs",
        "-j",
        type=positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="parallel workers (default: number of cores)",
    )
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
    parser.add_argument(
        "--timeout",
        type=positive_int,
        default=300,
        metavar="SECONDS",
        help="time limit per source (default: 300)",
    )
    parser.add_argument(
        "--max-size",
        type=positive_int,
        default=5 * 1024 * 1024,
        metavar="BYTES",
        help="size limit per source (default: 5 MiB)",
    )
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("--quiet", "-q", action="store_true", help="print failures only")
    noise.add_argument("--verbose", "-v", action="store_true", help="print reports and tracebacks")
    parser.set_defaults(command=run_build)


def formats_list(value: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [part for part in chosen if part not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(FORMATS)}")
    return chosen


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def signature_size(value: str) -> int:
    number = int(value)
    if number < 0 or number % 4:
        raise argparse.ArgumentTypeError("must be a multiple of 4")
    return number


def run_normalize(args: argparse.Namespace) -> int:
    from publish.normalize import normalize
    from publish.sources import read_source

    try:
        result = normalize(read_source(args.source))
    except PublishError as error:
        print(f"publish: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - a bad source gets one line, never a traceback
        print(
            f"publish: {args.source}: internal error: {type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return 1
    if args.output:
        from publish.atomic import write_atomic

        write_atomic(args.output, result.text.encode("utf-8"))
    else:
        sys.stdout.write(result.text)
    if args.report == "json":
        entries = [entry.as_dict() for entry in result.entries]
        json.dump({"source": str(args.source), "entries": entries}, sys.stderr, indent=2)
        sys.stderr.write("\n")
    elif args.report == "text":
        for entry in result.entries:
            print(entry.format(str(args.source)), file=sys.stderr)
    return 0


def run_build(args: argparse.Namespace) -> int:
    from publish.build import BuildOptions, build

    options = BuildOptions(
        output=args.output,
        formats=args.formats,
        paper=args.paper,
        jobs=args.jobs,
        force=args.force,
        signature=args.signature,
        number_paragraphs=args.number_paragraphs,
        embed_fonts=args.embed_fonts,
        timeout=args.timeout,
        max_size=args.max_size,
        quiet=args.quiet,
        verbose=args.verbose,
    )
    return build(args.sources, options)


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
    parser.add_argument("--paper", choices=PAPERS, default="a5", help="trim size (default: a5)")
    parser.set_defaults(command=run_watch)


def port_number(value: str) -> int:
    number = int(value)
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return number


def run_watch(args: argparse.Namespace) -> int:
    from publish.build import BuildOptions
    from publish.watch import watch

    options = BuildOptions(output=args.output, formats=args.formats, paper=args.paper)
    return watch(args.source, options, args.port)
