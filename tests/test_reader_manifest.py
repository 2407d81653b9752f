"""Reader manifests: loading a volume, and one-line errors naming the manifest and key."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publish.errors import PublishError
from publish.reader import (
    PART_KEYS,
    TOP_KEYS,
    ManifestChecker,
    check_manifest,
    key_line,
    load_manifest,
    manifest_inputs,
)
from tests.conftest import ROOT

SEED = ROOT / "seeds" / "000_cfaf1a26d7d8a683.txt"
GUIDE = ROOT / "seeds" / "001_study-group-guide.md"


def manifest(tmp_path, text: str):
    path = tmp_path / "reader.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_reader_loads():
    volume = load_manifest(ROOT / "readers" / "organizing-today.toml")
    assert volume.title == "Organizing Today" and volume.slug == "organizing-today"
    assert volume.editor == "Eastside Study Group" and volume.date == "2024-09-01"
    assert [part.title for part in volume.parts] == [
        "Part One: The Shape of an Organization",
        "Part Two: Reading Together",
    ]
    assert volume.texts[0].meta.title == "A Letter from Canadian Comrades"
    assert volume.intro is not None and volume.number_paragraphs
    assert len(volume.parts[0].questions) == 4


def test_paths_are_relative_to_the_manifest(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.md").write_text("# A Text\n\nSome words here.\n", encoding="utf-8")
    volume = load_manifest(
        manifest(tmp_path, 'title = "R"\n[[parts]]\ntitle = "P"\ntexts = ["texts/a.md"]\n')
    )
    assert volume.texts[0].meta.title == "A Text" and volume.language == "en"


PART = '[[parts]]\ntitle = "P"\ntexts = ["a.md"]\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'title = "R"\n[[parts]]\ntitle = "P"\ntexts = ["nope.md"]\n',
            "line 4: parts[1].texts[1]: file not found: nope.md",
        ),
        (
            'title = "R"\ncolour = "red"\n' + PART,
            "line 2: colour: unknown key (known keys: date, editor,",
        ),
        (
            'title = "R"\n' + PART + "quizz = []\n",
            "line 5: parts[1].quizz: unknown key (known keys: questions, texts, title)",
        ),
        ('title = "R"\n[[parts]\n', "not valid TOML"),
        ('subtitle = "S"\n' + PART, ": title: must be a non-empty string"),
        ('title = "R"\n', ": parts: needs at least one [[parts]]"),
        (
            'title = "R"\n[[parts]]\ntitle = "P"\ntexts = "a.md"\n',
            "line 4: parts[1].texts: must be a non-empty list of file names",
        ),
        (
            'title = "R"\n' + PART + PART + '[[parts]]\ntitle = "P"\n\ntexts = ["a.md", 5]\n',
            "line 11: parts[3].texts: must be a non-empty list of file names",
        ),
        (
            'title = "R"\n' + PART + PART + '[[parts]]\ntexts = ["a.md"]\n',
            "line 8: parts[3].title: must be a non-empty string",
        ),
        (
            'title = "R"\n' + PART + '[[parts]]\ntitle = "P"\ntexts = ["a\\u0000b.md"]\n',
            "line 7: parts[2].texts[1]: file name contains a NUL byte",
        ),
        (
            'title = "R"\n' + PART + f'[[parts]]\ntitle = "P"\ntexts = ["a.md", "{"x" * 300}"]\n',
            "line 7: parts[2].texts[2]: file name too long (300 characters)",
        ),
        ('title = "R"\nparts = true\n', "line 2: parts: needs at least one [[parts]] table"),
        ('title = "R"\nparts = [5]\n', "line 2: parts[1]: must be a table"),
        (
            'title = "R"\nparts = [{title = "P", texts = []}]\n',
            "line 2: parts[1].texts: must be a non-empty list",
        ),
        ('title = "R"\nintro = true\n' + PART, "line 2: intro: must be a file name in quotes"),
        ('title = "R"\nintro = "no.md"\n' + PART, "line 2: intro: file not found: no.md"),
        (
            'title = "R"\nnumber_paragraphs = "no"\n' + PART,
            "line 2: number_paragraphs: must be true or false, without quotes",
        ),
        ('title = "R"\ndate = [2024]\n' + PART, "line 2: date: '[2024]' is not a date"),
        ('title = "R"\nlanguage = 5\n' + PART, "line 2: language: must be a non-empty string"),
        ('title = "R"\n"a\\nb" = 1\n' + PART, "'a\\nb': unknown key"),
        ('title = "R"\n' + PART + 'questions = "Why?"\n', "line 5: parts[1].questions: must"),
        ("x = " + "[" * 5000 + "]" * 5000, "not valid TOML: arrays or tables nested too deeply"),
        ("x = " + "{a=" * 5000 + "1" + "}" * 5000, "nested too deeply"),
    ],
    ids=[
        "missing-file",
        "unknown-key",
        "unknown-part-key",
        "bad-toml",
        "no-title",
        "no-parts",
        "texts-not-list",
        "third-part-texts",
        "third-part-no-title",
        "nul-byte",
        "long-name",
        "parts-true",
        "part-not-table",
        "inline-parts",
        "intro-true",
        "intro-missing",
        "number-paragraphs-string",
        "date-list",
        "language-number",
        "key-with-newline",
        "questions-string",
        "deep-arrays",
        "deep-tables",
    ],
)
def test_manifest_errors_name_the_manifest_line_and_key(tmp_path, text, message):
    (tmp_path / "a.md").write_text("# A\n\nWords.\n", encoding="utf-8")
    path = manifest(tmp_path, text)
    with pytest.raises(PublishError) as error:
        load_manifest(path)
    assert error.value.path == path
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_real_boolean_turns_numbering_off(tmp_path):
    (tmp_path / "a.md").write_text("# A\n\nWords.\n", encoding="utf-8")
    path = manifest(tmp_path, 'title = "R"\nnumber_paragraphs = false\n' + PART)
    assert not load_manifest(path).number_paragraphs
    assert load_manifest(path, number_paragraphs=True).number_paragraphs


def test_bad_toml_names_the_line(tmp_path):
    with pytest.raises(PublishError, match=r"line 3"):
        load_manifest(manifest(tmp_path, 'title = "R"\n\n[[parts]\n'))


def test_a_text_that_fails_to_normalize_names_the_text(tmp_path):
    (tmp_path / "empty.md").write_bytes(b"")
    path = manifest(tmp_path, 'title = "R"\n[[parts]]\ntitle = "P"\ntexts = ["empty.md"]\n')
    with pytest.raises(
        PublishError, match=r"line 4: parts\[1\]\.texts\[1\]: .*empty\.md: empty file"
    ):
        load_manifest(path)


def test_inputs_for_the_cache_include_every_text(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    (tmp_path / "i.md").write_text("# Intro\n\nWords.\n", encoding="utf-8")
    path = manifest(
        tmp_path,
        f'title = "R"\nintro = "i.md"\n[[parts]]\ntitle = "P"\ntexts = ["{SEED}", "{GUIDE}"]\n',
    )
    assert manifest_inputs(path) == [path, tmp_path / "i.md", SEED, GUIDE]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder (the current folder) with a reader in readers/ and a text outside."""
    root = tmp_path / "project"
    (root / "readers").mkdir(parents=True)
    (root / "texts").mkdir()
    (root / "texts" / "a.md").write_text("# A\n\nWords.\n", encoding="utf-8")
    (tmp_path / "secret.md").write_text("# Secret\n\nPrivate words.\n", encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def reader(folder, name: str):
    path = folder / "reader.toml"
    path.write_text(f'title = "R"\n[[parts]]\ntitle = "P"\ntexts = ["{name}"]\n', "utf-8")
    return path


def test_texts_inside_the_current_folder_are_allowed(project):
    volume = load_manifest(reader(project / "readers", "../texts/a.md"))
    assert volume.texts[0].meta.title == "A"


@pytest.mark.parametrize("name", ["../../secret.md", "{secret}", "../texts/link.md"])
def test_texts_outside_the_project_are_refused(project, name):
    (project / "texts" / "link.md").symlink_to(project.parent / "secret.md")
    name = name.format(secret=project.parent / "secret.md")
    path = reader(project / "readers", name)
    with pytest.raises(PublishError) as error:
        load_manifest(path)
    assert str(error.value) == (
        f"{path}: line 4: parts[1].texts[1]: {name} is outside the manifest's folder and the "
        "current folder (--allow-outside allows it)"
    )
    assert manifest_inputs(path) == [path]  # nothing outside is even read for the cache


def test_allow_outside_reads_them_and_names_them(project):
    path = reader(project / "readers", "../../secret.md")
    assert check_manifest(path, allow_outside=True).outside == (str(project.parent / "secret.md"),)
    assert load_manifest(path, allow_outside=True).texts[0].meta.title == "Secret"


def test_a_manifest_folder_outside_the_current_folder_may_use_its_own_texts(tmp_path, project):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.md").write_text("# B\n\nWords.\n", encoding="utf-8")
    assert load_manifest(reader(elsewhere, "b.md")).texts[0].meta.title == "B"


@pytest.mark.parametrize(
    ("text", "part", "key", "line"),
    [
        ('title = "R"\n\n# a comment\nintro = "i.md"\n', None, "intro", 4),
        ('title = "R"\n[[parts]]\ntitle = "P"\n[[parts]]\n  "texts" = []\n', 2, "texts", 5),
        ('[[parts]]\ntitle = "P"\n[other]\ntexts = 1\n[[parts]]\ntexts = 2\n', 1, "texts", 1),
        ('[[parts]]\ntitle = "P"\n[other]\ntexts = 1\n[[parts]]\ntexts = 2\n', 2, "texts", 6),
        ('title = "R"\nparts = [{}, {}]\n', 2, "title", 2),
        ('title = "R"\n', None, "intro", None),
    ],
)
def test_key_line_finds_the_line_of_a_key(text, part, key, line):
    assert key_line(text, key, part) == line


@pytest.fixture(scope="module")
def texts_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("texts")
    (folder / "a.md").write_text("# A\n\nWords.\n", encoding="utf-8")
    return folder


TOML_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.dates()
    | st.sampled_from(["a.md", "", "../../x", "/etc/hostname", "a\0b", "x" * 300]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(sorted(PART_KEYS)) | st.text(max_size=5), children)
    ),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(sorted(TOP_KEYS)) | st.text(max_size=5), TOML_VALUES, max_size=6
    )
)
def test_any_manifest_data_is_checked_or_refused_in_one_line(texts_folder, data):
    """Whatever the types of a manifest's values, checking gives a Manifest or one line."""
    folder = texts_folder
    data = {key: value for key, value in data.items() if value is not None}
    try:
        checked = ManifestChecker(folder / "reader.toml", "", False).check(data)
    except PublishError as error:
        assert "\n" not in str(error)
    else:
        assert checked.title and checked.parts and all(part.texts for part in checked.parts)
