"""Reader manifests: loading a volume, and one-line errors naming the manifest and key."""

import pytest

from publish.errors import PublishError
from publish.reader import load_manifest, manifest_inputs
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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'title = "R"\n[[parts]]\ntitle = "P"\ntexts = ["nope.md"]\n',
            "parts[0].texts[0]: file not found: nope.md",
        ),
        (
            'title = "R"\ncolour = "red"\n[[parts]]\ntitle = "P"\ntexts = []\n',
            "unknown key 'colour'",
        ),
        (
            'title = "R"\n[[parts]]\ntitle = "P"\ntexts = ["x"]\nquizz = []\n',
            "unknown key parts[0].'quizz'",
        ),
        ('title = "R"\n[[parts]\n', "not valid TOML"),
        (
            'subtitle = "S"\n[[parts]]\ntitle = "P"\ntexts = ["x"]\n',
            "title must be a non-empty string",
        ),
        ('title = "R"\n', "needs at least one [[parts]]"),
        (
            'title = "R"\n[[parts]]\ntitle = "P"\ntexts = "a.md"\n',
            "parts[0].texts must be a non-empty list",
        ),
    ],
    ids=[
        "missing-file",
        "unknown-key",
        "unknown-part-key",
        "bad-toml",
        "no-title",
        "no-parts",
        "texts-not-list",
    ],
)
def test_manifest_errors_name_the_manifest_and_key(tmp_path, text, message):
    path = manifest(tmp_path, text)
    with pytest.raises(PublishError) as error:
        load_manifest(path)
    assert error.value.path == path
    assert message in str(error.value) and "\n" not in str(error.value)


def test_bad_toml_names_the_line(tmp_path):
    with pytest.raises(PublishError, match=r"line 3"):
        load_manifest(manifest(tmp_path, 'title = "R"\n\n[[parts]\n'))


def test_a_text_that_fails_to_normalize_names_the_text(tmp_path):
    (tmp_path / "empty.md").write_bytes(b"")
    path = manifest(tmp_path, 'title = "R"\n[[parts]]\ntitle = "P"\ntexts = ["empty.md"]\n')
    with pytest.raises(PublishError, match=r"parts\[0\]\.texts\[0\]: .*empty\.md: empty file"):
        load_manifest(path)


def test_inputs_for_the_cache_include_every_text(tmp_path):
    path = manifest(
        tmp_path,
        f'title = "R"\nintro = "i.md"\n[[parts]]\ntitle = "P"\ntexts = ["{SEED}", "{GUIDE}"]\n',
    )
    assert manifest_inputs(path) == [path, (tmp_path / "i.md").resolve(), SEED, GUIDE]
