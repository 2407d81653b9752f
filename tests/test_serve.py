"""`publish serve`: types, addresses, files inside the site only, many clients, Ctrl-C."""

import http.client
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from sitetools import Server, Site, shared_site, start_server, wait_for_exit

from publish.serve import lan_address


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The shared site, with a symbolic link out of it while this module runs."""
    made = shared_site(tmp_path_factory)
    outside = made.root.parent / "secret.txt"
    outside.write_text("not for the web", encoding="utf-8")
    link = made.root / "secret-link.txt"
    link.symlink_to(outside)
    yield made
    link.unlink()


@pytest.fixture(scope="module")
def server(site: Site):
    running = start_server(site.root)
    yield running
    running.process.send_signal(signal.SIGINT)
    wait_for_exit(running.process)


def raw_get(
    server: Server, path: str, method: str = "GET", headers: dict | None = None
) -> tuple[int, dict, bytes]:
    """A request with `path` sent exactly as written (no client-side normalization)."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_prints_the_catalogue_and_opds_addresses(server):
    assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/")
    assert server.opds == server.url + "opds/root.xml"
    with urlopen(server.opds, timeout=60) as response:
        assert b"<feed" in response.read()


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/files/the-strike-at-the-mill.epub", "application/epub+zip"),
        ("/files/the-strike-at-the-mill.pdf", "application/pdf"),
        ("/opds/root.xml", "application/atom+xml;profile=opds-catalog;kind=navigation"),
        ("/opds/all.xml", "application/atom+xml;profile=opds-catalog;kind=acquisition"),
        ("/opds/root.json", "application/opds+json"),
        (
            "/opds/entry-mill-and-river.xml",
            "application/atom+xml;type=entry;profile=opds-catalog",
        ),
        ("/covers/the-strike-at-the-mill.jpg", "image/jpeg"),
        ("/favicon.ico", "image/x-icon"),
        ("/assets/site.css", "text/css; charset=utf-8"),
        ("/assets/catalogue.js", "text/javascript; charset=utf-8"),
        ("/assets/fonts/EBGaramond-Regular.woff2", "font/woff2"),
    ],
)
def test_files_are_served_with_their_media_type(server, site, path, media_type):
    status, headers, body = raw_get(server, path)
    assert status == 200
    assert headers["Content-Type"] == media_type
    file = site.root / (path.strip("/") or "index.html")
    assert body == file.read_bytes()
    assert int(headers["Content-Length"]) == file.stat().st_size


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/files/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/files/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/files/..%2F..%2Fsecret.txt",
        "/%252e%252e/secret.txt",
        "/files/%2E%2E/%2E%2E/secret.txt",
        "/files/..\\..\\secret.txt",
        "/files/%5c..%5c..%5csecret.txt",
        "/secret-link.txt",
        "/%ff%fe.html",
        "/files/secret.txt%00.pdf",
        "//etc/passwd",
        "/assets/",
        "/files/",
        "/opds",
        "/.publish-cache.json",
        "/no-such-file.html",
    ],
)
def test_anything_outside_the_site_or_not_a_file_is_404(server, path):
    status, _, body = raw_get(server, path)
    assert status == 404
    assert b"not for the web" not in body


def test_head_gives_the_length_without_a_body(server, site):
    status, headers, body = raw_get(server, "/files/the-strike-at-the-mill.epub", "HEAD")
    assert status == 200 and body == b""
    assert (
        int(headers["Content-Length"])
        == (site.root / "files" / "the-strike-at-the-mill.epub").stat().st_size
    )


def test_an_unchanged_file_is_not_sent_again(server):
    path = "/covers/mill-and-river.jpg"
    _, headers, _ = raw_get(server, path)
    since = {"If-Modified-Since": headers["Last-Modified"]}
    status, _, body = raw_get(server, path, headers=since)
    assert status == 304 and body == b""
    status, _, body = raw_get(
        server, path, headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}
    )
    assert status == 200 and body
    status, _, _ = raw_get(server, path, headers={"If-Modified-Since": "not a date"})
    assert status == 200


def test_fifty_concurrent_downloads_arrive_identical(server, site):
    expected = (site.root / "files" / "mill-and-river.epub").read_bytes()

    def download(_: int) -> bytes:
        with urlopen(server.url + "files/mill-and-river.epub", timeout=120) as response:
            return response.read()

    with ThreadPoolExecutor(max_workers=50) as pool:
        bodies = list(pool.map(download, range(50)))
    assert len(bodies) == 50
    assert all(body == expected for body in bodies)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_stops_cleanly_on_sigint_and_sigterm(site, stop):
    running = start_server(site.root)
    with urlopen(running.url, timeout=60) as response:
        assert response.status == 200
    running.process.send_signal(stop)
    assert wait_for_exit(running.process) == 0
    assert "Traceback" not in running.process.stdout.read()


def test_all_interfaces_print_the_lan_address(site):
    running = start_server(site.root, "--host", "0.0.0.0")
    try:
        host = urlsplit(running.url).hostname
        assert host == lan_address()
        assert host != "0.0.0.0"
        with urlopen(f"http://127.0.0.1:{urlsplit(running.url).port}/", timeout=60) as response:
            assert response.status == 200
    finally:
        running.process.send_signal(signal.SIGINT)
        wait_for_exit(running.process)


def test_a_folder_without_a_site_is_refused(tmp_path, capsys):
    from publish.cli import main

    assert main(["serve", str(tmp_path)]) == 1
    assert "no index.html" in capsys.readouterr().err


def test_a_busy_port_is_one_line(site, server, capsys):
    from publish.cli import main

    port = str(urlsplit(server.url).port)
    assert main(["serve", str(site.root), "--port", port]) == 1
    err = capsys.readouterr().err
    assert err.startswith("publish: cannot listen on 127.0.0.1:") and "Traceback" not in err


def test_symlinks_inside_the_site_are_served(site, server):
    inside = site.root / "covers" / "alias.jpg"
    if not inside.is_symlink():
        os.symlink(site.root / "covers" / "mill-and-river.jpg", inside)
    try:
        status, _, body = raw_get(server, "/covers/alias.jpg")
        assert status == 200
        assert body == Path(site.root / "covers" / "mill-and-river.jpg").read_bytes()
    finally:
        inside.unlink()
