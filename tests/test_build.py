"""The batch: flat names by slug, no silent overwrites, the cache, formats, readers, defaults.

Every test builds a few tiny sources in-process (`--jobs 1`), so fonts and stylesheets load
once for the whole file.
"""

import gc
import re
from pathlib import Path

import pytest

from publish.build import BuildOptions, Outcome, guarded
from publish.cli import main

CACHE = ".publish-cache.json"
ALL_FORMATS = ("{}.pdf", "{}-booklet.pdf", "{}.epub")


def write_source(folder: Path, name: str, title: str, words: str = "A few plain words.") -> Path:
    """A small Markdown source with front matter."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"---\ntitle: {title}\nlanguage: en\n---\n\n{words}\n", encoding="utf-8")
    return path


def build(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str]:
    """Run `publish build ARGV --jobs 1`; return the exit status and standard error."""
    status = main(["build", *argv, "--jobs", "1"])
    return status, capsys.readouterr().err


def outputs(folder: Path) -> list[str]:
    """Names of the files a build wrote (not the cache)."""
    return sorted(p.name for p in folder.iterdir() if p.name != CACHE)


def mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.name != CACHE}


def expected(*slugs: str, formats: tuple[str, ...] = ALL_FORMATS) -> list[str]:
    return sorted(pattern.format(slug) for slug in slugs for pattern in formats)


def summary(stderr: str) -> str:
    """The counts of the last line: 'N built, N skipped, N failed'."""
    match = re.search(r"publish: (\d+ built, \d+ skipped, \d+ failed) in [\d.]+ s", stderr)
    assert match, stderr
    return match.group(1)


@pytest.fixture
def three(tmp_path: Path) -> Path:
    """A folder of three sources with distinct titles."""
    folder = tmp_path / "sources"
    write_source(folder, "first.md", "The First Pamphlet")
    write_source(folder, "second.md", "A Letter from Canadian Comrades")
    (folder / "third.txt").write_text("Organize the Unorganized\n\nBy A. Writer\n\nWords.\n")
    (folder / "notes.pages").write_bytes(b"PK\x03\x04 not a source we read")
    return folder


def test_folder_builds_flat_names_by_slug(three: Path, tmp_path: Path, capsys) -> None:
    status, stderr = build(capsys, str(three), "-o", str(tmp_path / "out"))
    assert status == 0, stderr
    slugs = ("the-first-pamphlet", "a-letter-from-canadian-comrades", "organize-the-unorganized")
    assert outputs(tmp_path / "out") == expected(*slugs)
    assert summary(stderr) == "3 built, 0 skipped, 0 failed"


def test_same_title_gets_a_numbered_name_and_a_note(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "sources"
    write_source(folder, "a.md", "Same Title", "The first text.")
    write_source(folder, "b.md", "Same Title", "The second text.")
    out = tmp_path / "out"
    status, stderr = build(capsys, str(folder), "-o", str(out), "--formats", "epub")
    assert status == 0, stderr
    assert outputs(out) == ["same-title-2.epub", "same-title.epub"]
    notes = [line for line in stderr.splitlines() if "same-title-2" in line and "b.md" in line]
    assert notes and "same title" in notes[0], stderr
    assert (out / "same-title.epub").read_bytes() != (out / "same-title-2.epub").read_bytes()
    status, stderr = build(capsys, str(folder), "-o", str(out), "--formats", "epub")
    assert summary(stderr) == "0 built, 2 skipped, 0 failed"
    assert outputs(out) == ["same-title-2.epub", "same-title.epub"]


def test_a_title_ending_in_booklet_overwrites_no_booklet(tmp_path: Path, capsys) -> None:
    """'Strike' writes strike-booklet.pdf; a text titled 'Strike Booklet' must not replace it."""
    folder = tmp_path / "sources"
    write_source(folder, "a.md", "Strike", "The pamphlet.")
    write_source(folder, "b.md", "Strike Booklet", "Another text.")
    out = tmp_path / "out"
    status, stderr = build(capsys, str(folder), "-o", str(out), "--formats", "pdf,booklet")
    assert status == 0, stderr
    assert len(outputs(out)) == 4, outputs(out)


def test_unchanged_rebuild_skips_and_touches_nothing(three: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    build(capsys, str(three), "-o", str(out))
    before = mtimes(out)
    status, stderr = build(capsys, str(three), "-o", str(out))
    assert status == 0
    assert summary(stderr) == "0 built, 3 skipped, 0 failed"
    assert mtimes(out) == before


def test_changing_one_source_rebuilds_only_it(three: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    build(capsys, str(three), "-o", str(out))
    before = mtimes(out)
    write_source(three, "first.md", "The First Pamphlet", "Different words now.")
    status, stderr = build(capsys, str(three), "-o", str(out))
    assert status == 0
    assert summary(stderr) == "1 built, 2 skipped, 0 failed"
    after = mtimes(out)
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == expected("the-first-pamphlet")


def test_force_rebuilds_everything(three: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    build(capsys, str(three), "-o", str(out), "--formats", "epub")
    status, stderr = build(capsys, str(three), "-o", str(out), "--formats", "epub", "--force")
    assert status == 0
    assert summary(stderr) == "3 built, 0 skipped, 0 failed"


def test_formats_epub_writes_only_epubs(three: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    status, _ = build(capsys, str(three), "-o", str(out), "--formats", "epub")
    assert status == 0
    assert all(name.endswith(".epub") for name in outputs(out))
    assert len(outputs(out)) == 3


def write_reader(folder: Path, texts: list[str]) -> Path:
    """A reader manifest naming the given texts (relative paths), in one part."""
    names = ", ".join(f'"{name}"' for name in texts)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "study.toml"
    manifest.write_text(
        f'title = "A Small Reader"\neditor = "The Test Group"\n\n'
        f'[[parts]]\ntitle = "Part One"\ntexts = [{names}]\n'
        f'questions = ["What did you learn?"]\n',
        encoding="utf-8",
    )
    return manifest


def test_manifest_in_a_folder_builds_as_a_reader(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "readers"
    write_source(tmp_path / "texts", "one.md", "Text One", "The first text of the reader.")
    write_source(tmp_path / "texts", "two.md", "Text Two", "The second text of the reader.")
    write_reader(folder, ["../texts/one.md", "../texts/two.md"])
    out = tmp_path / "out"
    status, stderr = build(capsys, str(folder), "-o", str(out))
    assert status == 0, stderr
    assert outputs(out) == expected("a-small-reader")


def test_no_arguments_builds_seeds_and_readers(tmp_path: Path, monkeypatch, capsys) -> None:
    write_source(tmp_path / "seeds", "one.md", "A Seed Text")
    write_reader(tmp_path / "readers", ["../seeds/one.md"])
    monkeypatch.chdir(tmp_path)
    status, stderr = build(capsys, "--formats", "pdf,epub")
    assert status == 0, stderr
    assert outputs(tmp_path / "build") == expected(
        "a-seed-text", "a-small-reader", formats=("{}.pdf", "{}.epub")
    )


def test_builds_are_reproducible(tmp_path: Path, monkeypatch, capsys) -> None:
    """With SOURCE_DATE_EPOCH, two builds into different folders are byte-identical."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.chdir(tmp_path)
    source = write_source(
        tmp_path / "sources",
        "letter.md",
        "A Reproducible Letter",
        "Words with a [link](https://example.org/page) and a note.[^1]\n\n[^1]: The note.",
    )
    manifest = write_reader(tmp_path / "readers", ["../sources/letter.md"])
    for folder in ("one", "two"):
        status, stderr = build(capsys, str(source), str(manifest), "-o", str(tmp_path / folder))
        assert status == 0, stderr
    names = outputs(tmp_path / "one")
    assert names == expected("a-reproducible-letter", "a-small-reader")
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_missing_source_is_named_and_the_rest_built(tmp_path: Path, capsys) -> None:
    good = write_source(tmp_path / "sources", "good.md", "Good Text")
    missing = tmp_path / "sources" / "missing.md"
    out = tmp_path / "out"
    status, stderr = build(capsys, str(missing), str(good), "-o", str(out), "--formats", "epub")
    assert status == 1
    assert f"publish: {missing}: " in stderr
    assert outputs(out) == ["good-text.epub"]


def test_time_limit_fires_again_when_its_exception_is_swallowed() -> None:
    """An alarm that lands in a finalizer or gc callback is lost; the limit must insist."""
    import time as clock

    from publish.build import time_limit

    swallowed = 0
    with pytest.raises(TimeoutError), time_limit(0.2):
        deadline = clock.monotonic() + 10
        while clock.monotonic() < deadline:
            try:
                clock.sleep(0.05)
            except TimeoutError:
                swallowed += 1  # what the interpreter does inside a gc callback
                if swallowed > 1:
                    raise
    assert swallowed == 2


BROKEN_MANIFESTS = {
    "nul.toml": ('[[parts]]\ntitle = "P"\ntexts = ["a\\u0000.md"]\n', "line 4: parts[1].texts[1]"),
    "parts-true.toml": ("parts = true\n", "line 2: parts: needs at least one"),
    "intro-true.toml": ('intro = true\n[[parts]]\ntitle = "P"\ntexts = ["t.md"]\n', "intro"),
    "long-name.toml": (f'[[parts]]\ntitle = "P"\ntexts = ["{"n" * 300}"]\n', "too long"),
    "numbering.toml": ('number_paragraphs = "no"\n', "line 2: number_paragraphs: must be"),
    "outside.toml": ('[[parts]]\ntitle = "P"\ntexts = ["/etc/hostname"]\n', "is outside"),
    "not-utf8.toml": ("\udcff", "not UTF-8"),
    "deep.toml": ("x = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
}


def test_broken_manifests_fail_in_one_line_each(tmp_path: Path, monkeypatch, capsys) -> None:
    """Every manifest problem is one line naming the manifest and the key; others still build."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "readers"
    write_source(folder, "t.md", "A Text")
    for name, (body, _) in BROKEN_MANIFESTS.items():
        text = body if name == "not-utf8.toml" else f'title = "Broken"\n{body}'
        (folder / name).write_bytes(text.encode("utf-8", "surrogateescape"))
    status, stderr = build(capsys, str(folder), "-o", str(tmp_path / "out"), "--formats", "epub")
    assert status == 1
    assert summary(stderr) == f"1 built, 0 skipped, {len(BROKEN_MANIFESTS)} failed"
    assert "Traceback" not in stderr and "internal error" not in stderr
    for name, (_, reason) in BROKEN_MANIFESTS.items():
        lines = [
            line for line in stderr.splitlines() if line.startswith(f"publish: {folder / name}")
        ]
        assert len(lines) == 1 and reason in lines[0], (name, stderr)


def test_allow_outside_builds_and_lists_outside_texts(tmp_path: Path, monkeypatch, capsys) -> None:
    project = tmp_path / "project"
    outside = write_source(tmp_path / "elsewhere", "far.md", "A Far Text")
    manifest = write_reader(project, [str(outside)])
    monkeypatch.chdir(project)
    out = tmp_path / "out"
    status, stderr = build(capsys, str(manifest), "-o", str(out), "--formats", "epub")
    assert status == 1 and "is outside the manifest's folder" in stderr
    for _ in range(2):  # built, then skipped: the summary names the outside text both times
        status, stderr = build(
            capsys, str(manifest), "-o", str(out), "--formats", "epub", "--allow-outside"
        )
        assert status == 0, stderr
        assert f"publish: {manifest} read {outside} (outside)" in stderr.splitlines()
    assert outputs(out) == ["a-small-reader.epub"]
    status, stderr = build(capsys, str(manifest), "-o", str(out), "--formats", "epub")
    assert status == 1 and "is outside" in stderr, "the cache let an outside text through"


def test_a_killed_worker_fails_only_its_own_source(tmp_path: Path, monkeypatch, capsys) -> None:
    """A worker killed mid-render (say, for lack of memory) fails its source; the rest build."""
    import os
    import signal

    from publish import build as batch

    real_render_files = batch.render_files

    def killed_for_one(job, prepared, options, render_options, *advice):
        if prepared.slug == "doomed":
            os.kill(os.getpid(), signal.SIGKILL)
        return real_render_files(job, prepared, options, render_options, *advice)

    monkeypatch.setattr(batch, "render_files", killed_for_one)  # forked workers inherit it
    folder = tmp_path / "sources"
    for title in ("Doomed", "First Survivor", "Second Survivor"):
        write_source(folder, f"{title.lower().replace(' ', '-')}.md", title)
    out = tmp_path / "out"
    status = main(["build", str(folder), "-o", str(out), "--formats", "epub", "--jobs", "2"])
    stderr = capsys.readouterr().err
    assert status == 1
    assert f"publish: {folder / 'doomed.md'}: worker failed: worker died (exit status -9)" in stderr
    assert outputs(out) == ["first-survivor.epub", "second-survivor.epub"]
    assert summary(stderr) == "2 built, 0 skipped, 1 failed"


def test_an_output_folder_that_cannot_be_made_is_one_line(tmp_path: Path, capsys) -> None:
    source = write_source(tmp_path / "sources", "a.md", "A Text")
    (tmp_path / "taken").write_text("a file, not a folder")
    status, stderr = build(capsys, str(source), "-o", str(tmp_path / "taken" / "out"))
    assert status == 2
    assert (
        stderr
        == f"publish: {tmp_path / 'taken' / 'out'}: cannot write the outputs here: Not a directory\n"
    )


def test_an_unreadable_folder_fails_alone(tmp_path: Path, monkeypatch, capsys) -> None:
    good = write_source(tmp_path / "sources", "a.md", "A Text")
    locked = tmp_path / "locked"
    locked.mkdir()
    real_iterdir = Path.iterdir

    def iterdir(folder: Path):
        if folder == locked:
            raise PermissionError(13, "Permission denied")
        return real_iterdir(folder)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    out = tmp_path / "out"
    status, stderr = build(capsys, str(locked), str(good), "-o", str(out), "--formats", "epub")
    assert status == 1
    assert f"publish: {locked}: cannot read the folder: Permission denied\n" in stderr
    assert outputs(out) == ["a-text.epub"]


def test_a_cache_that_cannot_be_saved_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    from publish import build as batch

    real_write = batch.write_atomic

    def no_cache(path: Path, data: bytes) -> None:
        if path.name == CACHE:
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(batch, "write_atomic", no_cache)
    source = write_source(tmp_path / "sources", "a.md", "A Text")
    out = tmp_path / "out"
    status, stderr = build(capsys, str(source), "-o", str(out), "--formats", "epub")
    assert status == 0
    assert f"publish: {out / CACHE}: cannot save the cache: No space left on device\n" in stderr
    assert outputs(out) == ["a-text.epub"]


@pytest.mark.parametrize(("sharing", "said"), [(1, "1 doubtful spot;"), (2, "2 doubtful spots;")])
def test_build_counts_doubtful_spots_and_names_the_command(
    tmp_path: Path, capsys, sharing: int, said: str
) -> None:
    words = "\n\n".join(["Words of the text, plain and calm."] + ["Share on Twitter"] * sharing)
    source = write_source(tmp_path / "in", "a.md", "A", words)
    status, err = build(capsys, str(source), "-o", str(tmp_path / "out"), "--formats", "epub")
    assert status == 0
    assert f"  {said} to see them: publish normalize {source}" in err


def test_a_job_runs_with_the_cycle_collector_relaxed() -> None:
    import threading

    from publish.build import JOB_THRESHOLDS

    before = gc.get_threshold()
    seen = []

    def work() -> Outcome:
        seen.append(gc.get_threshold())
        return Outcome(Path("a.md"), "built")

    def failing() -> Outcome:
        seen.append(gc.get_threshold())
        raise ValueError("broken")

    assert guarded(Path("a.md"), BuildOptions(), work).status == "built"
    assert guarded(Path("a.md"), BuildOptions(), failing).status == "failed"
    assert seen == [JOB_THRESHOLDS, JOB_THRESHOLDS]
    assert gc.get_threshold() == before  # back after the job, however it ended
    assert gc.isenabled()

    # two jobs in threads (a Dask worker's): the thresholds come back when the last one ends
    first_in, second_done = threading.Event(), threading.Event()

    def long_job() -> Outcome:
        first_in.set()
        second_done.wait(10)
        seen.append(gc.get_threshold())  # the other job ended meanwhile
        return Outcome(Path("b.md"), "built")

    thread = threading.Thread(target=guarded, args=(Path("b.md"), BuildOptions(), long_job))
    thread.start()
    first_in.wait(10)
    guarded(Path("a.md"), BuildOptions(), work)
    second_done.set()
    thread.join(10)
    assert seen[-1] == JOB_THRESHOLDS
    assert gc.get_threshold() == before
