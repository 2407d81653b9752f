"""Hyphenation patterns kept between runs: parsing pyphen's English dictionary takes a cold
build of a pamphlet about 0.3 s, loading the parsed patterns a few milliseconds.

WeasyPrint asks pyphen for a dictionary per language; pyphen keeps each parsed file in its
`hdcache` for the rest of the process. We fill that cache before layout.
"""

import pickle
import re
import sys
from pathlib import Path

import pyphen

from publish.cache import digest, remembered

LANG = re.compile(r'\blang="([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)"')


def preload_patterns(html: str) -> None:
    """Put the parsed patterns of every language this HTML declares in pyphen's cache."""
    for language in sorted(set(LANG.findall(html))):
        name = pyphen.language_fallback(language.replace("-", "_"))
        path = pyphen.LANGUAGES.get(name) if name else None
        if path is not None and path not in pyphen.hdcache:
            pyphen.hdcache[path] = parsed_patterns(path)


def parsed_patterns(path: Path) -> pyphen.HyphDict:
    """One dictionary's patterns, parsed in an earlier run when it can be."""
    version = f"{sys.version_info[:2]} pyphen {getattr(pyphen, '__version__', '')}"
    key = digest([version, str(path), path.read_bytes()])
    data = remembered("hyphenation", key, lambda: pickle.dumps(pyphen.HyphDict(path)))
    try:
        return pickle.loads(data)  # our own file, in the user's cache folder
    except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
        return pyphen.HyphDict(path)
