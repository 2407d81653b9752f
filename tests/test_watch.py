"""`publish watch`: a real watching process on a temporary source, its preview over HTTP and in
Chromium (Playwright with Debian's browser), and a clean stop on Ctrl-C."""

import gc
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pypdfium2
import pytest

from publish.cli import main
from publish.watch import Relevance, Status, finish

CHROMIUM = Path("/usr/bin/chromium")
PATIENCE = 120.0  # seconds: generous, the machine may be busy
SOURCE = """---
title: Notes on the Picket Line
authors:
- Rosa Example
language: en
---

The strike began on a Monday, when the night shift walked out together.

By Wednesday the warehouse had stopped, and the company asked to talk.
"""


def wait_for(condition: Callable[[], object], what: str, timeout: float = PATIENCE) -> object:
    """Poll until `condition()` is truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


class Watching:
    """A `publish watch` process on a source in a temporary folder, and its preview's address."""

    def __init__(self, folder: Path, formats: str = "pdf") -> None:
        self.source = folder / "picket.md"
        self.source.write_text(SOURCE, encoding="utf-8")
        self.output = folder / "out"
        self.log = folder / "watch.log"
        command = [sys.executable, "-m", "publish", "watch", str(self.source)]
        command += ["-o", str(self.output), "--port", "0", "--formats", formats]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
        found = wait_for(lambda: re.search(r"http://127\.0\.0\.1:(\d+)/", self.text()), "the URL")
        self.port = int(found.group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def status(self) -> dict:
        with urllib.request.urlopen(f"{self.url}/status", timeout=10) as answer:
            return json.load(answer)

    def fetch(self, path: str) -> bytes:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as answer:
            return answer.read()

    def after(self, build: int) -> dict:
        """The status once a build later than `build` has finished."""
        return wait_for(
            lambda: (s := self.status())["builds"] > build and s["state"] != "building" and s,
            f"build {build + 1}",
        )

    def edit(self, text: str) -> None:
        """Save the source the way editors do: a new file renamed over the old one."""
        temporary = self.source.with_name(".picket.md.swp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.source)

    def interrupt(self) -> int:
        """Ctrl-C, as a terminal sends it; the exit status."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=PATIENCE)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[Watching]:
    running = Watching(tmp_path)
    yield running
    running.stop()


def pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    return " ".join(page.get_textpage().get_text_range() for page in pdf)


def words(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").replace("-\n", "").split())


def test_an_edit_gives_a_new_pdf_with_the_new_words(watching: Watching) -> None:
    first = watching.after(0)
    assert first["state"] == "ready", first["error"]
    assert "night shift walked out" in words(pdf_text(watching.fetch(first["pdf"])))
    watching.edit(SOURCE + "\nOn Friday the union won recognition and the pickets went home.\n")
    second = watching.after(first["builds"])
    assert second["pdf"] != first["pdf"]
    text = words(pdf_text(watching.fetch(second["pdf"])))
    assert "the union won recognition" in text
    assert not any(p.name.endswith(".tmp") for p in watching.output.iterdir())


def test_a_broken_edit_shows_the_error_and_keeps_the_last_good_pdf(watching: Watching) -> None:
    good = watching.after(0)
    assert good["state"] == "ready", good["error"]
    watching.edit(SOURCE.replace("title: Notes on the Picket Line", "title: [Notes on the"))
    broken = watching.after(good["builds"])
    assert broken["state"] == "failed"
    assert "picket.md" in broken["error"] and "front matter" in broken["error"]
    assert "Traceback" not in broken["error"] and "internal error" not in broken["error"]
    assert broken["pdf"] == good["pdf"]
    assert "night shift walked out" in words(pdf_text(watching.fetch(broken["pdf"])))
    watching.edit(SOURCE)
    mended = watching.after(broken["builds"])
    assert mended["state"] == "ready" and mended["error"] == ""


def test_the_report_doubts_come_with_the_words_they_point_at(watching: Watching) -> None:
    watching.after(0)
    watching.edit(SOURCE + "\nHome | About | Share on Facebook | Subscribe\n")
    status = wait_for(lambda: (s := watching.status())["doubts"] and s, "a doubt")
    doubt = status["doubts"][0]
    assert doubt["code"] == "s-furniture"
    assert "Share on Facebook" in doubt["words"]
    assert doubt["line"] == SOURCE.count("\n") + 2


def test_the_preview_answers_on_loopback_only(watching: Watching) -> None:
    assert b"publish watch" in watching.fetch("/")
    assert watching.fetch("/status")
    with pytest.raises(urllib.error.HTTPError):
        watching.fetch("/files/../picket.md")
    with pytest.raises(urllib.error.HTTPError):
        watching.fetch("/files/picket.md")
    outside = own_address()
    if outside is None:
        pytest.skip("this machine has no address besides loopback")
    with pytest.raises(OSError), socket.create_connection((outside, watching.port), timeout=5):
        pass


def own_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent for a UDP connect
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_ctrl_c_stops_it_and_leaves_no_process(tmp_path: Path) -> None:
    running = Watching(tmp_path, formats="pdf,booklet,epub")
    running.after(0)
    running.edit(SOURCE + "\nA last paragraph, saved just before the stop.\n")
    wait_for(lambda: running.status()["state"] == "building", "a build to start", 30)
    assert running.interrupt() == 0
    assert "stopped watching" in running.text()
    assert "Traceback" not in running.text()
    assert not group_members(running.process.pid)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", running.port), timeout=5)
    assert not [p.name for p in running.output.iterdir() if p.name.endswith(".tmp")]


def group_members(group: int) -> list[int]:
    """Processes still alive in a process group (read from /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def test_a_missing_source_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["watch", str(tmp_path / "nothing.md"), "--port", "0"]) == 1
    assert capsys.readouterr().err.strip() == f"publish: {tmp_path / 'nothing.md'}: no such file"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_the_pdf_frame_reloads_after_an_edit_in_chromium(watching: Watching) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    first = watching.after(0)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(watching.url)
            frame = page.locator("#pdf")
            sync_api.expect(frame).to_have_attribute(
                "src", re.compile(re.escape(first["pdf"])), timeout=PATIENCE * 1000
            )
            page.wait_for_function(
                "document.getElementById('pdf').dataset.loads >= 1", timeout=PATIENCE * 1000
            )
            loads = int(frame.get_attribute("data-loads"))
            with page.expect_response(
                lambda response: "/files/" in response.url and "build=2" in response.url,
                timeout=PATIENCE * 1000,
            ) as answer:
                watching.edit(SOURCE + "\nThe next week the drivers joined them.\n")
            assert answer.value.status == 200
            assert answer.value.headers["content-type"] == "application/pdf"
            page.wait_for_function(
                f"document.getElementById('pdf').dataset.loads > {loads}",
                timeout=PATIENCE * 1000,
            )
            assert "build=2" in frame.get_attribute("src")
            assert page.locator("#error").is_hidden()
        finally:
            browser.close()


def test_which_saves_call_for_a_rebuild(tmp_path: Path) -> None:
    templates, output = tmp_path / "templates", tmp_path / "out"
    manifest = tmp_path / "reader.toml"
    manifest.write_text('title = "R"\n[[parts]]\ntitle = "P"\ntexts = ["one.md"]\n')
    accept = Relevance(manifest, output, (templates,))
    assert accept(manifest) and accept(tmp_path / "one.md")
    assert accept(tmp_path / "images" / "map.png") and accept(templates / "print.css")
    assert not accept(tmp_path / "two.md")
    assert not accept(output / "r.pdf") and not accept(output / "map.png")
    assert not accept(tmp_path / ".one.md.swp") and not accept(tmp_path / "one.md~")
    manifest.write_text('title = "R"\n[[parts]]\ntitle = "P"\ntexts = ["one.md", "two.md"]\n')
    assert accept(tmp_path / "two.md")


def test_a_port_in_use_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    source = tmp_path / "picket.md"
    source.write_text(SOURCE, encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["watch", str(source), "--port", str(port)]) == 1
    error = capsys.readouterr().err
    assert error == f"publish: cannot serve the preview on port {port}: Address already in use\n"


def test_a_finished_build_leaves_what_it_kept_out_of_later_collections() -> None:
    status = Status(source="seed.txt")
    gc.unfreeze()
    try:
        finish(status, time.perf_counter(), outputs=("seed.pdf",))
        assert gc.get_freeze_count() > 0  # no full collection walks them in the next build
        assert status.state == "ready" and status.outputs == ["seed.pdf"]
    finally:
        gc.unfreeze()
