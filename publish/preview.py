"""The preview that `publish watch` serves on the loopback interface only.

Three things are served: the page (templates/preview.html.j2), a small JSON status that the
page polls, and the output files this watch has written. The page reloads the PDF's frame
when a build writes a new one, shows the build's error instead when one fails (the last good
PDF stays a link away), and lists the report's doubts beside it.
"""

import json
import mimetypes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from publish import templates

if TYPE_CHECKING:
    from publish.watch import Status

HOST = "127.0.0.1"
TYPES = {".pdf": "application/pdf", ".epub": "application/epub+zip"}


def serve(status: "Status", output: Path, port: int) -> ThreadingHTTPServer:
    """Start the preview server in a background thread (port 0: any free port)."""
    page = templates.environment().get_template("preview.html.j2").render(source=status.source)

    class Preview(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            path = unquote(urlsplit(self.path).path)
            if path == "/":
                self.reply(200, page.encode(), "text/html; charset=utf-8")
            elif path == "/status":
                self.reply(200, json.dumps(status.as_dict()).encode(), "application/json")
            elif path.startswith("/files/") and status.served(name := path.removeprefix("/files/")):
                self.send_file(output / name)
            else:
                self.reply(404, b"not found\n", "text/plain; charset=utf-8")

        def send_file(self, path: Path) -> None:
            try:
                data = path.read_bytes()
            except OSError:
                self.reply(404, b"not built yet\n", "text/plain; charset=utf-8")
                return
            kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
            self.reply(200, data, kind or "application/octet-stream")

        def reply(self, code: int, body: bytes, kind: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Requests are not logged: the terminal shows builds."""

    server = ThreadingHTTPServer((HOST, port), Preview)
    server.daemon_threads = True
    Thread(target=server.serve_forever, daemon=True).start()
    return server
