"""Language identification: the fast path on function words, py3langid for the rest."""

import pytest

from publish.normalize.language import bcp47, detect

SAMPLES = {
    "en": "We write from the Canadian state in the hope that the way you grapple with the challenges "
    "confronting your organization will strengthen the forces of socialism from below in the U.S. "
    "We were heartened to learn of decisions made at the recent convention, and we were dismayed to "
    "read in the public letter of March 15 about the mishandling of an allegation. That letter "
    "invites friends and allies to offer advice, and so we write to raise a concern with you.",
    "de": "Politik und Wirtschaft haben in Sachen Klimaschutz die großen Räder zu drehen, aber tun das "
    "nur langsam. Als Gesellschaft können wir den Wandel beschleunigen, indem wir unser Verhalten "
    "ändern. Das ist nicht immer leicht, und es ist auch nicht die Aufgabe des Einzelnen allein, "
    "die Welt zu retten. Aber wir können mit dem Rad zur Arbeit fahren, und wir können auf die "
    "Verpackung achten, die wir im Laden kaufen, und die Politik dazu bringen, dass sie handelt.",
    "fr": "En apparence, la lutte est festive. Les étudiants du département de théâtre, des enseignants "
    "et des personnels parcourent les couloirs et font entendre leurs chants et leurs tambours. Les "
    "murs du campus sont inondés d’affiches et de banderoles. Des assemblées générales émaillent les "
    "journées, et il est clair que la grève ne va pas se terminer dans les jours qui viennent pour "
    "les étudiants qui sont dans la lutte avec nous et qui ne veulent pas que la réforme passe.",
    "ru": "Пролетарии всех стран, соединяйтесь! История всех до сих пор существовавших обществ была "
    "историей борьбы классов. Свободный и раб, патриций и плебей, помещик и крепостной.",
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_detect(language):
    assert detect(SAMPLES[language]) == language


def test_short_text_defaults_to_english():
    assert detect("Hello there") == "en"


def test_bcp47_case():
    assert bcp47("en_us") == "en-US" and bcp47("ZH-hant") == "zh-Hant" and bcp47("DE") == "de"
