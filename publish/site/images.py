"""The site's images: each cover at two sizes, and the favicon, with fixed encoder settings."""

import io

from PIL import Image, ImageDraw

from publish.render.cover import INK, PALETTE, font

COVER_WIDTH = 400  # the book page and the OPDS image (1600 px covers shrunk four times)
THUMBNAIL_WIDTH = 120  # the catalogue and the OPDS thumbnail
ICON_SIZES = ((16, 16), (32, 32), (48, 48))


def scaled_cover(cover: bytes, width: int) -> tuple[bytes, tuple[int, int]]:
    """The cover as a JPEG `width` pixels wide, and its size."""
    with Image.open(io.BytesIO(cover)) as image:
        height = round(image.height * width / image.width)
        image.draft("RGB", (width, height))
        small = image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    small.save(output, "JPEG", quality=85, subsampling=0, optimize=False, progressive=False)
    return output.getvalue(), (width, height)


def favicon() -> bytes:
    """A small "p" in the covers' typeface and colours, as an ICO file."""
    size = 64
    image = Image.new("RGB", (size, size), PALETTE[0])
    draw = ImageDraw.Draw(image)
    face = font("Roman", 56, weight=500)
    draw.text((size / 2, size / 2 + 4), "p", font=face, fill=INK, anchor="mm")
    output = io.BytesIO()
    image.save(output, "ICO", sizes=ICON_SIZES)
    return output.getvalue()
