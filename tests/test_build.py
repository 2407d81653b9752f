"""The batch: flat names by slug, no silent overwrites, the cache, formats, readers, defaults.

Every test builds a few tiny sources in-process (`--jobs 1`), so fonts and stylesheets load
once for the whole file.
"""

import re
from pathlib import Path

import pytest

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


def test_manifest_in_a_folder_builds_as_a_reader(tmp_path: Path, capsys) -> None:
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
