"""Hostile and broken sources: each builds or fails cleanly, and nothing leaks out.

One `publish build` call (two workers) builds the whole corpus of tests/fixtures/hostile plus
the byte-level cases written here. Its sources point scripts, frames, stylesheets, images and
attachments at a loopback listener, at /etc/passwd and at a secret file beside them; the
tests then check that the listener heard nothing, that no output holds the secret or any
active content, that no text runs off the page, and that each broken source is one line.
"""

import io
import re
import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2
import pytest
from conftest import FIXTURES
from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject

from publish import atomic
from publish.cli import main

HOSTILE = FIXTURES / "hostile"
CANARY = b"CANARY-5f1c0b7e-secret-do-not-publish"
PASSWD = b"root:x:0:0"
MM = 72 / 25.4
PRINT_MARGIN = 5 * MM  # no text closer than this to a page edge

# Good sources written as bytes: (name, content, a word the PDF must show).
ENCODED = {
    "crlf.txt": (
        "Line Endings From Windows\r\n\r\nBy Carla Return\r\n\r\n"
        "The first paragraph ends with a carriage return.\r\n\r\n"
        "The second paragraph does too, and the café stays a café.\r\n"
    ).encode(),
    "bom.md": "\ufeff# A Title After a Byte Order Mark\n\nThe naïve reader sees no mark.\n".encode(),
    "cp1252.txt": (
        b"Windows Quotes\r\n\r\nBy Ren\xe9 Dupont\r\n\r\n"
        b"\x93Solidarity,\x94 she said, \x96 and the caf\xe9 closed for the strike \x85\r\n"
    ),
    "utf16.txt": "Sixteen Bits\n\nBy Wanda Wide\n\nA café in UTF-16 with a BOM.\n".encode("utf-16"),
}
BROKEN = {
    "empty.txt": b"",
    "blank.md": " \n\u200b\u200b\n\t\n".encode(),
    "binary.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "nul.md": b"# A Title\n\nText with \x00 NUL \x00 bytes.\n",
    "photo.html": b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)),
    "scripts-only.html": (
        b"<html><head><script src='@LISTENER@/a.js'></script></head>"
        b"<body><script>fetch('@LISTENER@/b')</script></body></html>"
    ),
}
# The sources whose text must stay inside the page (long words, long URLs, nesting).
OVERFLOW_CHECKED = ("long-word.txt", "urls.md", "deep-nesting.md", "scripts.md", "emoji.txt")

ACTIVE_XHTML = [
    re.compile(r"<script", re.I),
    re.compile(r"<iframe", re.I),
    re.compile(r"<form", re.I),
    re.compile(r"<object|<embed|<applet|<base\b|<meta[^>]+http-equiv", re.I),
    re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    re.compile(r"javascript:|vbscript:", re.I),
    re.compile(r"""(?:href|src|poster|data)\s*=\s*["']\s*(?:data|file):""", re.I),
    re.compile(r"""\ssrc\s*=\s*["']\s*(?:https?:)?//""", re.I),
    re.compile(r"""<link[^>]+href\s*=\s*["']\s*(?:https?:|//|file:)""", re.I),
    re.compile(r"url\(\s*['\"]?\s*(?:https?:|//|file:|data:)", re.I),
]
ACTIVE_PDF_KEYS = (b"/EmbeddedFile", b"/FileAttachment", b"/JavaScript", b"/JS", b"/Launch")


class Listener:
    """A loopback TCP server that records every connection and hangs up at once."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while self.running:
            try:
                connection, address = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(address)
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.socket.close()


@dataclass
class Corpus:
    """The outcome of the one build: folders, exit status, standard error, outputs by source."""

    sources: Path
    output: Path
    status: int
    stderr: str
    listener: Listener
    outputs: dict[str, list[str]] = field(default_factory=dict)  # source name -> file names

    def pdfs(self) -> list[Path]:
        return sorted(self.output.glob("*.pdf"))

    def epubs(self) -> list[Path]:
        return sorted(self.output.glob("*.epub"))


def substitute(data: bytes, folder: Path, port: int) -> bytes:
    """Point a fixture's placeholders at the listener and the secret file."""
    replacements = {
        b"@LISTENER@": f"http://127.0.0.1:{port}".encode(),
        b"@HOSTPORT@": f"127.0.0.1:{port}".encode(),
        b"@LOCALHOST@": f"http://localhost:{port}".encode(),
        b"@SECRET@": str(folder / "secret.key").encode(),
    }
    for placeholder, value in replacements.items():
        data = data.replace(placeholder, value)
    return data


def write_corpus(folder: Path, port: int) -> None:
    """The fixture files, the byte-level cases and the secrets they try to reach."""
    folder.mkdir()
    for fixture in sorted(HOSTILE.iterdir()):
        if fixture.name != "README.md":
            (folder / fixture.name).write_bytes(substitute(fixture.read_bytes(), folder, port))
    for name, data in {**ENCODED, **BROKEN}.items():
        (folder / name).write_bytes(substitute(data, folder, port))
    (folder / "secret.key").write_bytes(CANARY + b"\n")
    (folder / "fake.png").write_bytes(CANARY + b"\n")
    (folder / "trap.png").symlink_to(folder / "secret.key")


def built_outputs(stderr: str) -> dict[str, list[str]]:
    """Source file name -> output names, from the build's `built SOURCE -> a, b, c` lines."""
    found = {}
    for line in stderr.splitlines():
        match = re.match(r"built (\S+) -> (.+) \(\d+\.\d s\)$", line)
        if match:
            found[Path(match.group(1)).name] = match.group(2).split(", ")
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """Build the whole corpus once, in one call with two workers."""
    root = tmp_path_factory.mktemp("hostile")
    listener = Listener()
    write_corpus(root / "sources", listener.port)
    stderr = io.StringIO()
    with redirect_stderr(stderr):
        status = main(["build", str(root / "sources"), "-o", str(root / "out"), "--jobs", "2"])
    result = Corpus(root / "sources", root / "out", status, stderr.getvalue(), listener)
    result.outputs = built_outputs(result.stderr)
    yield result
    listener.close()


def good_sources() -> list[str]:
    names = [p.name for p in HOSTILE.iterdir() if p.name != "README.md"]
    return sorted(names + list(ENCODED))


def stream_bytes(path: Path) -> Iterator[bytes]:
    """The raw file, then every stream of the PDF decoded, so compression hides nothing."""
    data = path.read_bytes()
    yield data
    reader = PdfReader(io.BytesIO(data))
    for number, generation in object_ids(data):
        try:
            obj = reader.get_object(IndirectObject(number, generation, reader))
        except Exception:  # noqa: BLE001 - a free or odd object holds nothing to find
            continue
        if isinstance(obj, StreamObject):
            yield obj.get_data()


def object_ids(data: bytes) -> set[tuple[int, int]]:
    """Ids of the indirect objects written in a PDF, found by their `N G obj` headers."""
    ids = {(int(n), int(g)) for n, g in re.findall(rb"(\d+) (\d+) obj\b", data)}
    return ids


def epub_entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist()}


def overflowing_characters(path: Path) -> list[str]:
    """Characters whose box comes closer than PRINT_MARGIN to an edge of its page."""
    found = []
    document = pypdfium2.PdfDocument(path)
    for index in range(len(document)):
        page = document[index]
        left, bottom, right, top = page.get_mediabox()
        text = page.get_textpage()
        for char in range(text.count_chars()):
            if not text.get_text_range(char, 1).strip():
                continue
            x0, y0, x1, y1 = text.get_charbox(char)
            if (
                x0 < left + PRINT_MARGIN
                or x1 > right - PRINT_MARGIN
                or y0 < bottom + PRINT_MARGIN
                or y1 > top - PRINT_MARGIN
            ):
                found.append(f"page {index + 1}: {text.get_text_range(char, 1)!r} at x={x0:.0f}")
    document.close()
    return found


def pdf_text(path: Path) -> str:
    document = pypdfium2.PdfDocument(path)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    return text


def test_nothing_is_fetched(corpus: Corpus) -> None:
    assert corpus.listener.connections == []


def test_exit_status_is_one(corpus: Corpus) -> None:
    assert corpus.status == 1, corpus.stderr


def test_no_traceback_without_verbose(corpus: Corpus) -> None:
    assert "Traceback" not in corpus.stderr


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_source_is_one_line(corpus: Corpus, name: str) -> None:
    lines = [line for line in corpus.stderr.splitlines() if name in line]
    assert len(lines) == 1, corpus.stderr
    assert lines[0].startswith(f"publish: {corpus.sources / name}: ")
    assert not list(corpus.output.glob(f"{Path(name).stem}*"))


@pytest.mark.parametrize("name", good_sources())
def test_each_good_source_is_built(corpus: Corpus, name: str) -> None:
    names = corpus.outputs.get(name)
    assert names, f"{name} was not built:\n{corpus.stderr}"
    assert len(names) == 3
    slug = next(n for n in names if n.endswith(".epub")).removesuffix(".epub")
    assert sorted(names) == sorted([f"{slug}.pdf", f"{slug}-booklet.pdf", f"{slug}.epub"])
    for output in names:
        assert (corpus.output / output).stat().st_size > 0


def test_summary_counts(corpus: Corpus) -> None:
    built, failed = len(good_sources()), len(BROKEN)
    assert f"{built} built, 0 skipped, {failed} failed" in corpus.stderr


def test_no_temporary_files_remain(corpus: Corpus) -> None:
    expected = {name for names in corpus.outputs.values() for name in names}
    leftovers = {p.name for p in corpus.output.iterdir()} - expected - {".publish-cache.json"}
    assert leftovers == set()


def test_pdfs_carry_no_attachments_scripts_or_secrets(corpus: Corpus) -> None:
    for path in corpus.pdfs():
        for data in stream_bytes(path):
            for key in ACTIVE_PDF_KEYS:
                assert not re.search(re.escape(key) + rb"\b", data), f"{path.name}: {key}"
            assert CANARY not in data, path.name
            assert PASSWD not in data, path.name


def test_pdf_links_are_web_links_only(corpus: Corpus) -> None:
    for path in corpus.pdfs():
        for page in PdfReader(path).pages:
            assert "/AA" not in page, f"{path.name}: page actions"
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                assert annotation.get("/Subtype") == "/Link", f"{path.name}: {annotation}"
                action = annotation.get("/A") or {}
                kind = action.get("/S")
                assert kind in (None, "/URI", "/GoTo"), f"{path.name}: {kind}"
                uri = str(action.get("/URI", "https:"))
                assert uri.startswith(("https:", "http:", "mailto:")), f"{path.name}: {uri}"


def test_pdf_catalogs_name_no_files_or_scripts(corpus: Corpus) -> None:
    for path in corpus.pdfs():
        catalog = PdfReader(path).trailer["/Root"]
        names = catalog.get("/Names") or {}
        assert "/EmbeddedFiles" not in names and "/JavaScript" not in names, path.name
        assert "/OpenAction" not in catalog or "/JS" not in str(catalog["/OpenAction"])
        assert "/AcroForm" not in catalog, path.name


def test_epubs_carry_no_active_content_or_secrets(corpus: Corpus) -> None:
    for path in corpus.epubs():
        for name, data in epub_entries(path).items():
            assert CANARY not in data and PASSWD not in data, f"{path.name}/{name}"
            if not name.endswith((".xhtml", ".html", ".css", ".opf", ".ncx")):
                continue
            text = data.decode("utf-8")
            for pattern in ACTIVE_XHTML:
                assert not pattern.search(text), f"{path.name}/{name}: {pattern.pattern}"


def test_epubs_pack_no_remote_or_foreign_files(corpus: Corpus) -> None:
    for path in corpus.epubs():
        opf = next(d for n, d in epub_entries(path).items() if n.endswith(".opf")).decode()
        hrefs = re.findall(r'<item [^>]*href="([^"]+)"', opf)
        assert hrefs
        for href in hrefs:
            assert ":" not in href and not href.startswith(("/", "..")), f"{path.name}: {href}"
        assert "remote-resources" not in opf


@pytest.mark.parametrize("name", OVERFLOW_CHECKED)
def test_no_text_overflows_the_page(corpus: Corpus, name: str) -> None:
    names = corpus.outputs.get(name)
    assert names, f"{name} was not built"
    pdf = next(n for n in names if n.endswith(".pdf") and not n.endswith("-booklet.pdf"))
    overflowing = overflowing_characters(corpus.output / pdf)
    assert overflowing == [], f"{len(overflowing)} characters: {overflowing[:5]}"


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_encodings_decode_to_the_right_text(corpus: Corpus, name: str) -> None:
    names = corpus.outputs[name]
    pdf = next(n for n in names if n.endswith(".pdf") and not n.endswith("-booklet.pdf"))
    text = pdf_text(corpus.output / pdf)
    assert "\ufffd" not in text and "Ã" not in text and "\ufeff" not in text
    assert "café" in text or "naïve" in text
    assert not pdf.startswith("-")


def test_time_limit_fails_only_the_slow_source(tmp_path: Path, capsys, monkeypatch) -> None:
    """A source whose render outlasts --timeout fails alone, promptly; the others build."""
    from publish.render import pdf

    real_layout = pdf.layout_pdf

    def slow_for_one(document, options):
        if document.meta.title == "A Slow Text":
            time.sleep(60)  # interrupted by the time limit, or the test fails on elapsed time
        return real_layout(document, options)

    monkeypatch.setattr(pdf, "layout_pdf", slow_for_one)
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "slow.md").write_text("---\ntitle: A Slow Text\n---\n\nOne paragraph.\n")
    (sources / "short.md").write_text("---\ntitle: A Short Text\n---\n\nOne paragraph.\n")
    started = time.perf_counter()
    status = main(
        ["build", str(sources), "-o", str(tmp_path / "out"), "--jobs", "1", "--timeout", "2"]
    )
    elapsed = time.perf_counter() - started
    stderr = capsys.readouterr().err
    assert status == 1
    assert f"publish: {sources / 'slow.md'}: took longer than 2 s" in stderr
    assert elapsed < 30, "the time limit did not stop the render"
    assert sorted(p.name for p in (tmp_path / "out").glob("[!.]*")) == [
        "a-short-text-booklet.pdf",
        "a-short-text.epub",
        "a-short-text.pdf",
    ]


def test_size_limit_fails_only_the_large_source(tmp_path: Path, capsys) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "large.md").write_text("---\ntitle: Large\n---\n\n" + "Words. " * 1000)
    (sources / "small.md").write_text("---\ntitle: Small\n---\n\nA few words.\n")
    argv = ["build", str(sources), "-o", str(tmp_path / "out"), "--max-size", "4000"]
    status = main([*argv, "--formats", "epub"])
    stderr = capsys.readouterr().err
    assert status == 1
    failures = [line for line in stderr.splitlines() if "large.md" in line]
    assert len(failures) == 1 and "too large" in failures[0], stderr
    assert [p.name for p in (tmp_path / "out").glob("*.epub")] == ["small.epub"]


def test_failed_write_leaves_no_truncated_file(tmp_path: Path, monkeypatch) -> None:
    """A write that dies half-way keeps the old file whole and removes its temporary file."""
    target = tmp_path / "book.pdf"
    target.write_bytes(b"%PDF-old and complete")

    class HalfWritten(io.FileIO):
        def write(self, data: bytes) -> int:
            super().write(bytes(data)[: len(data) // 2])
            raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fdopen", lambda handle, mode: HalfWritten(handle, "wb"))
    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomic(target, b"%PDF-new " * 1000)
    assert target.read_bytes() == b"%PDF-old and complete"
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"]


def test_failed_render_leaves_other_outputs_whole(tmp_path: Path, monkeypatch, capsys) -> None:
    """A source whose writing fails midway is named; the rest build; nothing is truncated."""
    from publish import build

    sources = tmp_path / "sources"
    sources.mkdir()
    for name in ("one", "two", "three"):
        (sources / f"{name}.md").write_text(f"---\ntitle: Text {name}\n---\n\nSome words.\n")
    real_write = build.write_atomic

    def failing_write(path: Path, data: bytes) -> None:
        if path.name == "text-two.epub":
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(build, "write_atomic", failing_write)
    argv = ["build", str(sources), "-o", str(tmp_path / "out"), "--jobs", "1"]
    status = main([*argv, "--formats", "pdf,epub"])
    stderr = capsys.readouterr().err
    assert status == 1
    assert f"publish: {sources / 'two.md'}: " in stderr and "No space left" in stderr
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir() if p.name.startswith(".")} == {".publish-cache.json"}
    for pdf in out.glob("*.pdf"):
        assert len(PdfReader(pdf).pages) >= 1
    for epub in out.glob("*.epub"):
        assert zipfile.ZipFile(epub).testzip() is None
    assert (out / "text-one.epub").exists() and (out / "text-three.epub").exists()
    monkeypatch.setattr(build, "write_atomic", real_write)
    assert main(argv + ["--formats", "pdf,epub", "--quiet"]) == 0
    assert (out / "text-two.epub").exists()


def test_interrupted_build_leaves_no_partial_files(tmp_path: Path) -> None:
    """Ctrl-C in the middle of a two-worker build: every file left is whole, none temporary."""
    import signal
    import subprocess
    import sys

    sources = tmp_path / "sources"
    sources.mkdir()
    seed = (FIXTURES.parent.parent / "seeds" / "000_cfaf1a26d7d8a683.txt").read_text()
    for number in range(5):
        title = f"INTERRUPTED COPY {number}"
        copy = seed.replace("A LETTER FROM CANADIAN COMRADES", title, 1)
        (sources / f"copy-{number}.txt").write_text(copy)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "publish", "build", str(sources), "-o", str(out), "-j", "2"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(out.glob("*.epub")) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode != 0, stderr
    assert [p.name for p in out.glob(".*") if p.name != ".publish-cache.json"] == []
    for pdf in out.glob("*.pdf"):
        assert len(PdfReader(pdf).pages) >= 1
    for epub in out.glob("*.epub"):
        assert zipfile.ZipFile(epub).testzip() is None
    assert len(list(out.glob("*.epub"))) < 5, "the build ran on after Ctrl-C"
    assert "Traceback" not in stderr
    shutil.rmtree(out)
