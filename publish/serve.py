"""`publish serve`: a small threaded static server for a site folder.

It serves files inside the folder only: a path with `..`, however encoded, a hidden file, or a
symbolic link that leads out of the folder gets 404, and no folder is ever listed.
"""

import os
import signal
import socket
import sys
from email.utils import parsedate_to_datetime
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from publish.site.opds1 import ENTRY, ENTRY_PREFIX, NAVIGATION_FEEDS

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".epub": "application/epub+zip",
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
ATOM = "application/atom+xml;profile=opds-catalog;kind="
FEED_FOLDER = "opds"


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many e-readers and phones at a meeting connect at once


class SiteHandler(SimpleHTTPRequestHandler):
    """GET and HEAD of files inside the site; 404 for anything else."""

    server_version = "publish"

    def __init__(self, *args: object, root: Path, **kwargs: object) -> None:
        self.root = root
        super().__init__(*args, directory=str(root), **kwargs)

    def send_head(self):  # noqa: ANN201 - the base class's signature
        target = self.target()
        if target is None:
            self.send_error(HTTPStatus.NOT_FOUND, "Not found")
            return None
        try:
            file = target.open("rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "Not found")
            return None
        status = os.fstat(file.fileno())
        if self.unchanged_since(status.st_mtime):
            file.close()
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.end_headers()
            return None
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", media_type(target.relative_to(self.root)))
        self.send_header("Content-Length", str(status.st_size))
        self.send_header("Last-Modified", self.date_time_string(int(status.st_mtime)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        return file

    def unchanged_since(self, modified: float) -> bool:
        """Whether the request's If-Modified-Since is no earlier than the file's time."""
        since = self.headers.get("If-Modified-Since")
        if not since:
            return False
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return when.tzinfo is not None and int(modified) <= when.timestamp()

    def target(self) -> Path | None:
        """The file a request names, or None when it is not a file inside the site."""
        try:
            path = unquote(urlsplit(self.path).path, errors="strict")
        except UnicodeDecodeError:
            return None
        if "\x00" in path or "\\" in path:
            return None
        parts = [part for part in path.split("/") if part not in ("", ".")]
        if any(part == ".." or part.startswith(".") for part in parts):
            return None
        real = self.root.joinpath(*parts).resolve()
        if real != self.root and self.root not in real.parents:
            return None
        if real.is_dir():
            real = real / "index.html"
        return real if real.is_file() else None

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def media_type(relative: Path) -> str:
    """The Content-Type of a site file: OPDS feeds by their kind, others by suffix."""
    if relative.parts[0] == FEED_FOLDER and relative.name.startswith(ENTRY_PREFIX):
        return ENTRY
    if relative.parts[0] == FEED_FOLDER and relative.suffix == ".xml":
        return ATOM + ("navigation" if relative.name in NAVIGATION_FEEDS else "acquisition")
    if relative.parts[0] == FEED_FOLDER and relative.suffix == ".json":
        return "application/opds+json"
    return MEDIA_TYPES.get(relative.suffix.lower(), "application/octet-stream")


def serve(directory: Path, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve `directory` until Ctrl-C; return the exit status."""
    root = directory.resolve()
    if not (root / "index.html").is_file():
        print(
            f"publish: {directory}: no index.html; make a site with: publish site -o {directory}",
            file=sys.stderr,
        )
        return 1
    try:
        server = SiteServer((host, port), partial(SiteHandler, root=root))
    except OSError as error:
        print(
            f"publish: cannot listen on {host}:{port}: {error.strerror or error}", file=sys.stderr
        )
        return 1
    shown = lan_address() if host in ("0.0.0.0", "") else host
    base = f"http://{shown}:{server.server_address[1]}/"
    print(f"Catalogue: {base}", flush=True)
    print(f"OPDS feed: {base}{FEED_FOLDER}/root.xml", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)  # a server stops cleanly, not as a broken build
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print("publish: server stopped", file=sys.stderr)
    return 0


def interrupt(signum: int, frame: object) -> None:
    """Ctrl-C and SIGTERM stop the server."""
    raise KeyboardInterrupt


def lan_address() -> str:
    """This machine's address on the local network (a UDP connect sends no packet)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"
