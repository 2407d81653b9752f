"""PDF streams compressed once: a stream whose bytes were compressed before takes that result.

pydyf compresses every stream of a PDF at zlib's highest level as it writes the file: each
page's text and each embedded font. On the seed pamphlet that is about 0.014 s of the 0.4 s a
rebuild in `publish watch` takes. After an edit, the pages before it and the fonts are
usually what they were in the last build, byte for byte; a print-on-demand interior writes
the pages already written for the PDF. Here the last few megabytes of streams compressed are
kept with their results, and a stream met again takes its result: the same bytes zlib would
give, since it is deterministic.

`install` replaces pydyf's `Stream.data`; it is safe to call more than once.
"""

import threading
import zlib

import pydyf

PYDYFS = pydyf.Stream.data  # pydyf's own
KEPT_BYTES = 16 * 1024 * 1024  # of streams kept with their compressed bytes, at most
LEVEL = 9  # pydyf's
_kept: dict[bytes, bytes] = {}  # stream -> compressed, the most recently used last
_held = [0]
_lock = threading.Lock()  # jobs may run in threads (a Dask worker's)


def compressed(data: bytes) -> bytes:
    """The stream compressed as pydyf compresses it; taken from the kept ones if met before."""
    with _lock:
        found = _kept.pop(data, None)
        if found is not None:
            _kept[data] = found  # now the most recently used
            return found
    compressor = zlib.compressobj(level=LEVEL)
    found = compressor.compress(data)
    found += compressor.flush()
    with _lock:
        if data not in _kept:
            _held[0] += len(data) + len(found)
        _kept[data] = found
        while _held[0] > KEPT_BYTES and len(_kept) > 1:
            oldest = next(iter(_kept))
            _held[0] -= len(oldest) + len(_kept.pop(oldest))
    return found


def forget() -> None:
    """Let the kept streams go."""
    with _lock:
        _kept.clear()
        _held[0] = 0


@property
def data(self: pydyf.Stream) -> bytes:
    """pydyf's `Stream.data`, with the compression taken from `compressed`."""
    stream = b"\n".join(pydyf._to_bytes(item) for item in self.stream)
    extra = pydyf.Dictionary(self.extra.copy())
    if self.compress:
        extra["Filter"] = "/FlateDecode"
        stream = compressed(stream)
    extra["Length"] = len(stream)
    return b"\n".join((extra.data, b"stream", stream, b"endstream"))


def install() -> None:
    """Have pydyf write its streams through `data`."""
    pydyf.Stream.data = data
