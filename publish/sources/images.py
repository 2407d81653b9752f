"""Pictures a document carries, written beside it in `<stem>-images/` for the writers to find.

The writers look up a text's images in its source's folder only (`publish.sanitize.local_file`),
so the pictures of a Word or OpenDocument file are written there, numbered in reading order,
each only when its bytes changed. PNG, JPEG and GIF are kept as they are; other formats Pillow
reads become PNG; any other (EMF, WMF) leaves its alternative text in the text and a report
entry.
"""

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from publish.atomic import write_atomic
from publish.errors import PublishError

KEPT_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif"}
MAX_PIXELS = 40_000_000  # a 40-megapixel picture is already more than any page needs


@dataclass
class ImageFolder:
    """The `<stem>-images/` folder of one source, filled as its pictures are met."""

    source: Path
    names: list[str] = field(default_factory=list)  # relative paths written, in order
    unreadable: int = 0  # pictures in a format no writer can show

    @property
    def folder(self) -> Path:
        return self.source.parent / f"{self.source.stem}-images"

    def add(self, data: bytes) -> str | None:
        """The picture's path relative to the source's folder, or None if it cannot be shown."""
        converted = web_image(data)
        if converted is None:
            self.unreadable += 1
            return None
        data, suffix = converted
        name = f"image-{len(self.names) + 1}.{suffix}"
        path = self.folder / name
        try:
            if not path.is_file() or path.read_bytes() != data:
                write_atomic(path, data)
        except OSError as error:
            raise PublishError(
                self.source, f"cannot write its pictures to {self.folder}: {error.strerror}"
            ) from None
        self.names.append(f"{self.folder.name}/{name}")
        return self.names[-1]


def web_image(data: bytes) -> tuple[bytes, str] | None:
    """The picture as PNG, JPEG or GIF bytes and their suffix, or None if Pillow cannot read it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                if image.format in KEPT_FORMATS:
                    return data, KEPT_FORMATS[image.format]
                output = io.BytesIO()
                image.save(output, "PNG")
                return output.getvalue(), "png"
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, RuntimeWarning):
        return None  # not a picture, a broken one, or a decompression bomb
