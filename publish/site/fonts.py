"""The pamphlets' typeface for the web: EB Garamond as WOFF2, a third of the TrueType size.

Compressing a face takes seconds, so each WOFF2 file is kept in the user's cache folder under
the digest of its TrueType bytes, and made again only when the font changes. The bytes are
reproducible: the font's timestamp is left as it is and Brotli is deterministic.
"""

import contextlib
import hashlib
import io
import os
from pathlib import Path

from fontTools.ttLib import TTFont

from publish import templates
from publish.atomic import write_atomic

FACES = ("EBGaramond-Regular", "EBGaramond-Italic", "EBGaramond-Medium")
LICENCE = "EBGaramond-OFL.txt"


def web_fonts() -> dict[str, bytes]:
    """Each face as `<name>.woff2`, and the font's licence, by file name."""
    files = {f"{face}.woff2": woff2(templates.find(f"fonts/{face}.ttf")) for face in FACES}
    files[LICENCE] = templates.find(f"fonts/{LICENCE}").read_bytes()
    return files


def woff2(path: Path) -> bytes:
    """A TrueType font as WOFF2, from the cache when it holds this font's bytes."""
    data = path.read_bytes()
    cached = cache_folder() / f"{hashlib.sha256(data).hexdigest()}.woff2"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    font = TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False)
    font.flavor = "woff2"
    output = io.BytesIO()
    font.save(output)
    compressed = output.getvalue()
    with contextlib.suppress(OSError):  # no writable cache: compress again next time
        write_atomic(cached, compressed)
    return compressed


def cache_folder() -> Path:
    home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(home) / "publish" / "fonts"
