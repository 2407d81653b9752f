"""The language of a text, as a BCP 47 tag.

Running prose in a common European language is recognized at once from its function words;
anything else, or anything unclear, goes to py3langid, whose model takes most of a second
to load and so is loaded only when needed.
"""

import re

FUNCTION_WORDS = {
    "en": "the and of to in that is was for it with as on be by this are not have from or but",
    "de": "der die und das ist nicht ein zu den mit sich des auf für im dem eine auch es als wir",
    "fr": "le la les des et est un une que qui pas dans pour sur au ne il nous vous ce sont avec",
    "es": "el los las y que en un una es por con no para se del al lo como más pero sus",
    "it": "il di che la e un una per non è sono del della con si le da gli nel ma anche",
    "pt": "o os de e que do da em um uma para com não por se na no mais dos das",
    "nl": "de het een en van is dat op te zijn niet met voor die ook als er maar om",
}
WORDS = {language: frozenset(words.split()) for language, words in FUNCTION_WORDS.items()}
MIN_HITS = 20  # function words needed before a guess counts
MARGIN = 2.0  # the best language must have this many times the runner-up's hits
MIN_WORDS = 8  # below this, identification is a guess: English


def detect(text: str) -> str:
    """BCP 47 language of running prose."""
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    if len(tokens) < MIN_WORDS:
        return "en"
    hits = sorted(
        ((sum(t in words for t in tokens), lang) for lang, words in WORDS.items()), reverse=True
    )
    (best, language), (second, _) = hits[0], hits[1]
    if best >= MIN_HITS and best >= MARGIN * second:
        return language
    return identify(text)


def identify(text: str) -> str:
    """py3langid's verdict, for scripts and languages the fast path does not know."""
    import py3langid

    code, _ = py3langid.classify(text[:20_000])
    return bcp47(code)


def bcp47(code: str) -> str:
    """'en_us' or 'EN-us' as 'en-US'."""
    parts = re.split(r"[-_]", code.strip())
    head = parts[0].lower()
    tail = [part.upper() if len(part) == 2 else part.title() for part in parts[1:]]
    return "-".join([head, *tail])
