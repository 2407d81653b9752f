"""A reader shows each text's date in the text's language, and sets the manifest's words
(titles, questions) with the same typography as its texts, in the PDF and the EPUB alike."""

import io
import zipfile
from pathlib import Path

import pytest

from publish.reader import load_manifest
from publish.render.epub import render_volume_epub
from publish.render.options import RenderOptions
from publish.render.pdf import render_volume_pdf
from tests.pdftools import page_texts, squeezed

FRENCH = """---
title: La grève
language: fr
date: 17/02/2020
---

Les étudiants parcourent les couloirs et font entendre leurs chants et leurs tambours.
"""
MANIFEST = """title = "Workers' Reader"
language = "en"
date = "September 2024"

[[parts]]
title = "Week One: 'Abroad'"
texts = ["greve.md"]
questions = ['What does "solidarity" mean here - and who says it?']
"""


@pytest.fixture(scope="module")
def volume(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("reader")
    (folder / "greve.md").write_text(FRENCH, encoding="utf-8")
    (folder / "reader.toml").write_text(MANIFEST, encoding="utf-8")
    return load_manifest(folder / "reader.toml")


@pytest.fixture(scope="module")
def epub_text(volume) -> str:
    data = render_volume_epub(volume, RenderOptions(source_date_epoch=0))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(
            archive.read(name).decode("utf-8")
            for name in sorted(archive.namelist())
            if name.endswith(".xhtml")
        )


@pytest.fixture(scope="module")
def pdf_text(volume) -> str:
    return "\n".join(page_texts(render_volume_pdf(volume, RenderOptions(source_date_epoch=0))))


def test_the_manifest_words_are_set_like_the_texts(volume):
    assert volume.title == "Workers’ Reader"
    assert volume.parts[0].title == "Week One: ‘Abroad’"
    assert volume.parts[0].questions == ("What does “solidarity” mean here — and who says it?",)
    assert volume.date == "2024-09"
    assert volume.texts[0].meta.date == "2020-02-17"


def test_the_epub_shows_curly_questions_and_the_french_date(epub_text):
    assert "What does “solidarity” mean here — and who says it?" in epub_text
    assert '"solidarity"' not in epub_text
    assert 'lang="fr" xml:lang="fr">17 février 2020</time>' in epub_text
    assert "September 2024" in epub_text


def test_the_pdf_shows_the_same_words(pdf_text):
    assert "“solidarity”" in pdf_text and "Workers’ Reader" in pdf_text
    assert "17février2020" in squeezed(pdf_text)
    assert "September2024" in squeezed(pdf_text)
