"""Bytes to clean text: encoding detection, line endings, invisible characters.

Scraped files arrive as UTF-8 (with or without BOM), UTF-16 with BOM, or CP1252/Latin-1.
Broken UTF-16 (a lone surrogate, an odd number of bytes) is read with U+FFFD where it breaks.
CP1252 is tried before any guess, since every byte sequence that is valid CP1252 and not
valid UTF-8 is, in practice, Windows text.
"""

import re
import unicodedata
from pathlib import Path

from charset_normalizer import from_bytes

from publish.errors import PublishError

MAX_SOURCE_BYTES = 5 * 1024 * 1024

# Signatures of common binary formats, so a renamed image gets a useful message.
BINARY_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP archive (or EPUB, DOCX)",
    b"RIFF": "a RIFF (WebP, WAV or AVI) file",
    b"\x7fELF": "an executable",
    b"\x1f\x8b": "a gzip archive",
}

# Bytes no text holds (C0 controls but tab, LF, FF, CR and ESC: the WHATWG MIME sniffing
# standard's "binary data bytes"). Text with more than one in a hundred is binary, as `file`
# and browsers judge; a few stray ones (a saved page with 22 NULs) are dropped.
BINARY_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
MAX_BINARY_SHARE = 0.01

# Zero-width characters that carry no meaning in prose. ZWJ and ZWNJ are kept: scripts
# such as Persian and emoji sequences need them.
INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u200e\u200f]")
# C0 controls other than tab and newline, and C1 controls.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def check_size(path: Path, max_bytes: int) -> int:
    """The file's size, or PublishError when it cannot be read or is over the limit."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise PublishError(path, f"cannot read: {error.strerror}") from None
    if size > max_bytes:
        raise PublishError(
            path, f"too large to be a document ({size:,} bytes; the limit is {max_bytes:,})"
        )
    return size


def read_text(path: Path, max_bytes: int = MAX_SOURCE_BYTES) -> tuple[str, int]:
    """A source file as clean text and the number of stray NUL bytes dropped from it, or
    PublishError saying why it is no document."""
    check_size(path, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PublishError(path, f"cannot read: {error.strerror}") from None
    text = clean_text(decode_bytes(data, path))
    if not text.strip():
        raise PublishError(path, "empty file (only white space or invisible characters)")
    is_utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    return text, 0 if is_utf16 else data.count(0)


def decode_bytes(data: bytes, path: Path) -> str:
    """Decode bytes in whichever common encoding they are in."""
    if not data.strip():
        raise PublishError(path, "empty file")
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise PublishError(path, f"binary file ({kind}), not a text document")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # A lone surrogate or an odd last byte becomes U+FFFD, which the normalizer reports.
        return data.decode("utf-16", errors="replace")
    binary = len(data) - len(data.translate(None, BINARY_BYTES))
    if binary > MAX_BINARY_SHARE * len(data):
        raise PublishError(path, f"binary file ({binary:,} control bytes), not a text document")
    data = data.replace(b"\x00", b"")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    best = from_bytes(data).best()
    if best is not None:
        return str(best)
    return data.decode("latin-1")


def clean_text(text: str) -> str:
    """LF line endings, NFC, no invisible or control characters, no trailing blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = INVISIBLE.sub("", text)
    text = CONTROL.sub("", text)
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    lines = [expand_tabs(line).rstrip() for line in text.split("\n")]
    return "\n".join(lines).rstrip("\n") + "\n"


def expand_tabs(line: str) -> str:
    """Leading tabs become four spaces (Markdown indentation); inner tabs one space."""
    stripped = line.lstrip("\t")
    indent = "    " * (len(line) - len(stripped))
    return indent + stripped.replace("\t", " ")
