"""`publish site`: build what changed, then write a static catalogue with OPDS 1.2 and 2.0 feeds.

The books are built through the ordinary build cache in the build folder, which stays outside
the site so that it is never published; the site gets copies of the built files. Every file is
compared with what the site already holds and written only when it differs, so an unchanged
rebuild rewrites nothing, and files the site no longer has are removed from its own folders.
"""

import datetime as dt
import json
import os
import sys
from pathlib import Path

from publish.atomic import write_atomic
from publish.build import BuildOptions, build, discover, load_cache
from publish.errors import PublishError
from publish.site import opds1, opds2, pages
from publish.site.books import Book, read_book
from publish.site.catalogue import Catalogue, newest_first
from publish.site.images import COVER_WIDTH, THUMBNAIL_WIDTH, favicon, scaled_cover

RECORD = ".publish-site.json"  # in the build folder: each book's files' digest, and since when
OWN_FOLDERS = ("assets", "books", "covers", "files", "opds")  # pruned of files no longer made


def make_site(sources: list[Path], site: Path, options: BuildOptions, title: str) -> int:
    """Build the books, then write the site into `site`; return the exit status."""
    if (
        options.output.resolve() == site.resolve()
        or site.resolve() in options.output.resolve().parents
    ):
        print(
            f"publish: the build folder {options.output} is inside the site {site}; "
            "choose another with --build-dir",
            file=sys.stderr,
        )
        return 2
    status = build(sources, options)
    if status == 2:
        return status
    books, failed = read_books(sources, options.output)
    catalogue = Catalogue(title, newest_first(books), changed_since(books, options.output))
    files, heights = covers(books)
    files.update(pages.pages(catalogue, heights, options.paper))
    files.update(pages.assets())
    files["favicon.ico"] = favicon()
    files.update({f"opds/{name}": data for name, data in opds1.feeds(catalogue).items()})
    files.update({f"opds/{name}": data for name, data in opds2.feeds(catalogue, heights).items()})
    downloads = {
        f"files/{download.name}": options.output / download.name
        for book in books
        for download in book.downloads
    }
    written, removed = sync(site, {**files, **downloads})
    if not options.quiet:
        print(
            f"publish: site {site}: {len(books)} books, {written} files written, "
            f"{removed} removed; open {site / 'index.html'}",
            file=sys.stderr,
        )
    return 1 if failed else status


def read_books(sources: list[Path], output: Path) -> tuple[list[Book], bool]:
    """The Book of every source the build holds; whether any could not be read back."""
    jobs, _ = discover(sources)
    cache = load_cache(output)
    books, failed = [], False
    for job in jobs:
        entry = cache.get(str(job.path))
        if not entry:
            continue  # the build failed and has said why
        try:
            books.append(read_book(job.path, entry["slug"], output))
        except PublishError as error:
            print(f"publish: {error}", file=sys.stderr)
            failed = True
    return books, failed


def changed_since(books: list[Book], output: Path) -> dict[str, str]:
    """When each book's files last changed: kept from the record while their digest holds."""
    try:
        record = json.loads((output / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    now = timestamp()
    updated = {}
    for book in books:
        previous = record.get(book.id) or {}
        same = previous.get("digest") == book.digest and previous.get("updated")
        updated[book.id] = previous["updated"] if same else now
        record[book.id] = {"digest": book.digest, "updated": updated[book.id]}
    write_if_changed(output / RECORD, json.dumps(record, indent=1, sort_keys=True).encode())
    return updated


def timestamp() -> str:
    """Now (or SOURCE_DATE_EPOCH) in RFC 3339, to the second, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def covers(books: list[Book]) -> tuple[dict[str, bytes], dict[str, tuple[int, int]]]:
    """Each book's cover and thumbnail by path, and their heights by slug."""
    files, heights = {}, {}
    for book in books:
        cover, (_, height) = scaled_cover(book.cover, COVER_WIDTH)
        thumbnail, (_, thumbnail_height) = scaled_cover(book.cover, THUMBNAIL_WIDTH)
        files[f"covers/{book.slug}.jpg"] = cover
        files[f"covers/{book.slug}-thumbnail.jpg"] = thumbnail
        heights[book.slug] = (height, thumbnail_height)
    return files, heights


def sync(site: Path, files: dict[str, bytes | Path]) -> tuple[int, int]:
    """Write each file that differs from the site's copy; remove what the site no longer has."""
    written = 0
    for name, content in sorted(files.items()):
        data = content.read_bytes() if isinstance(content, Path) else content
        written += write_if_changed(site / name, data)
    removed = 0
    for folder in OWN_FOLDERS:
        if not (site / folder).is_dir():
            continue
        for path in sorted((site / folder).rglob("*")):
            if path.is_file() and path.relative_to(site).as_posix() not in files:
                path.unlink()
                removed += 1
    return written, removed


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` atomically unless `path` already holds exactly it; whether it wrote."""
    try:
        if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True
