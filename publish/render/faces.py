"""The bundled typefaces and the body size a Style asks for, as the stylesheets need them."""

from dataclasses import dataclass

from publish.style import TYPEFACES as FAMILIES
from publish.style import Style

# EB Garamond's body size and leading at each trim size (paper-<size>.css), in pt.
PAPER_BODY = {
    "a5": (11.0, 15.0),
    "a4": (12.5, 17.0),
    "letter": (12.5, 17.0),
    "half-letter": (10.5, 14.5),
}
LARGE_PRINT_LEADING = 1.5  # UKAAF G003: line spacing 1.5 times the body size
FALLBACKS = (
    '"Noto Serif", "Noto Naskh Arabic", "Noto Serif Hebrew", "Noto Serif CJK SC", '
    '"Noto Sans CJK SC"'
)


@dataclass(frozen=True)
class Typeface:
    """A bundled family: its stylesheet of @font-face rules and how it sits beside Garamond."""

    family: str
    sheet: str | None  # templates/typeface-<key>.css; None: faces.css declares it
    small_caps: bool  # real small caps (smcp, c2sc); without them small caps are not asked for
    scale: float  # body size against EB Garamond's, for the same colour and characters a line
    leading: float  # leading against EB Garamond's at the same paper
    hyphen: str = "\u2010"  # the hyphen set at a line's end: the face's own

    @property
    def stack(self) -> str:
        """The font-family list: the face, then the bundled faces of other scripts."""
        return f'"{self.family}", {FALLBACKS}'


TYPEFACES = {
    "eb-garamond": Typeface(FAMILIES["eb-garamond"], None, True, 1.0, 1.0),
    # Literata's x-height is 27% taller than Garamond's: 9.5/14.5 at A5 reads as 11/15 does
    "literata": Typeface(FAMILIES["literata"], "typeface-literata.css", True, 0.865, 0.967),
    "atkinson-hyperlegible": Typeface(
        FAMILIES["atkinson-hyperlegible"],
        "typeface-atkinson-hyperlegible.css",
        small_caps=False,
        scale=0.9,
        leading=0.967,
        hyphen="-",  # it has no U+2010
    ),
}


@dataclass(frozen=True)
class BodySize:
    """The body's size and leading in pt, and the factor the sizes print.css gives in pt
    (notes, running heads, folios: set for EB Garamond at its default) scale by."""

    size: float
    leading: float
    scale: float

    def scaled(self, points: float) -> str:
        """A size print.css gives in pt, scaled to this body."""
        return f"{round(points * self.scale, 2):g}pt"


def body_size(style: Style) -> BodySize:
    """The size the style asks for, else the typeface's default at the paper; leading keeps
    the typeface's proportion (large print: 1.5 times the size)."""
    size, leading = PAPER_BODY[style.paper]
    face = TYPEFACES[style.typeface]
    default_size, default_leading = size * face.scale, leading * face.leading
    chosen = style.size or default_size
    ratio = chosen / default_size
    leading = chosen * LARGE_PRINT_LEADING if style.large_print else default_leading * ratio
    return BodySize(round(chosen, 2), round(leading, 2), ratio * face.scale)
