"""Pango layouts set up from what earlier layouts in the same font worked out.

WeasyPrint makes a Pango layout for every piece of text it measures or draws
(weasyprint/text/line_break.py, `Layout.setup`), and each time it creates a Pango context,
builds the font description, formats the font's OpenType features and, for decorated text,
asks for the font's metrics: about ten calls through cffi for values that depend on a dozen
style properties only. The seed pamphlet sets up 660 layouts in about 0.03 s, of the 0.4 s a
rebuild in `publish watch` takes, from a few dozen distinct fonts.

Here those values are worked out once per font configuration and kept with it: a context for
each direction and language (never changed once made; each layout holds its own reference),
a description for each font, the metrics of each, the features of each. A layout is made and
given them as WeasyPrint gives its own, so the lines, their glyphs and the PDF's bytes are the
same (tests compare them on the seed and the shared samples).

The strut of a font (its line height and baseline) is kept in the same way: WeasyPrint keeps
it too, under a key it formats as text from sixteen style values each time it is asked, 660
times on the seed; here the key is the values themselves.

A layout measured for the page is also kept for drawing. WeasyPrint lets each layout go once
a line is measured, and sets it up and shapes its text again to draw it: on the seed, 245
lines shaped twice. A layout that will be drawn as it is (its text not wrapped to a width, no
justification spacing left to add, no paragraph separator in it, the text WeasyPrint was
given) now keeps its shaped line
until it is drawn, and is let go then. Such a text is shaped in single-paragraph mode from the
start, as WeasyPrint draws it; without a separator that mode changes nothing. At most
KEPT_LAYOUTS wait at once (a long document lets the oldest go, to be set up again), so memory
stays bounded.

`install` replaces WeasyPrint's `Layout.setup`, `set_text`, `deactivate`, `reactivate` and
`strut`; it is safe to call more than once.
"""

import re
import threading
from collections import deque
from operator import itemgetter

from weasyprint.css import units
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION
from weasyprint.text.ffi import FROM_UNITS, ffi, gobject, pango, unicode_to_char_p
from weasyprint.text.fonts import font_features, get_font_description

WEASYPRINTS = line_break.Layout.setup  # WeasyPrint's own
WEASYPRINTS_STRUT = line_break.strut
WEASYPRINTS_SET_TEXT = line_break.Layout.set_text
WEASYPRINTS_DEACTIVATE = line_break.Layout.deactivate
WEASYPRINTS_REACTIVATE = line_break.Layout.reactivate
KEPT_LAYOUTS = 4000  # measured layouts waiting to be drawn, at most
WRAPPING = ("normal", "pre-wrap", "pre-line")
# what Pango may take for the end of a paragraph (a superset: such a text is not kept)
PARAGRAPH_SEPARATOR = re.compile("[\n\r\x1c-\x1e\x85\u2028\u2029]")
_waiting: deque = deque()
_claims = threading.Lock()  # over _waiting and each layout's `waiting`
FACE = ("font_family", "font_style", "font_stretch", "font_weight")
FONT = itemgetter(*FACE, "font_size", "font_variant_caps", "font_variation_settings")
FEATURE_NAMES = (
    "font_kerning",
    "font_variant_ligatures",
    "font_variant_position",
    "font_variant_caps",
    "font_variant_numeric",
    "font_variant_alternates",
    "font_variant_east_asian",
    "font_feature_settings",
)
FEATURES = itemgetter(*FEATURE_NAMES)
# what WeasyPrint keys a strut by (weasyprint/text/line_break.py, `_font_style_cache_key`)
STRUT = itemgetter(
    *FACE,
    *FEATURE_NAMES[1:],
    "font_variation_settings",
    "font_language_override",
    "lang",
    "font_size",
    "line_height",
)


class Kept:
    """What layouts in one font configuration share, by the style values it comes from."""

    def __init__(self) -> None:
        self.contexts: dict[tuple, tuple] = {}  # (direction, language) -> (context, language)
        self.descriptions: dict[tuple, object] = {}
        self.metrics: dict[tuple, tuple[float, ...]] = {}
        self.features: dict[tuple, bytes] = {}
        self.struts: dict[tuple, tuple[float, float]] = {}

    def context(self, font_map, direction: str, language: str | None) -> tuple:
        """A Pango context for this direction and language, and the language's Pango value."""
        key = (direction, language)
        if key not in self.contexts:
            context = ffi.gc(pango.pango_font_map_create_context(font_map), gobject.g_object_unref)
            pango.pango_context_set_round_glyph_positions(context, False)
            pango.pango_context_set_base_dir(context, PANGO_DIRECTION[direction])
            if language:
                pointer, _ = unicode_to_char_p(language)
                value = pango.pango_language_from_string(pointer)
                pango.pango_context_set_language(context, value)
            else:
                value = pango.pango_language_get_default()
            self.contexts[key] = (context, value)
        return self.contexts[key]


def kept(font_config) -> Kept:
    """The values kept with this font configuration (they go when it goes)."""
    found = font_config.__dict__.get("_publish_layouts")
    if found is None:
        found = font_config.__dict__["_publish_layouts"] = Kept()
    return found


def language_of(style) -> str | None:
    """The language Pango shapes in, as WeasyPrint chooses it."""
    override = style["font_language_override"]
    if override != "normal":
        return LST_TO_ISO.get(override.lower(), override)
    return style["lang"] or None


def key(values: tuple) -> tuple:
    """Style values as a dictionary key (WeasyPrint's are tuples; a list becomes one)."""
    try:
        hash(values)
    except TypeError:
        return tuple(key(value) if isinstance(value, list | tuple) else value for value in values)
    return values


def setup(self: line_break.Layout, style) -> None:
    """WeasyPrint's `Layout.setup`, with the context, font description, metrics and features
    taken from those kept for the same values."""
    self.style = style
    self.first_line_direction = 0
    shared = kept(style.font_config)
    direction, language = style["direction"], language_of(style)
    context, self.language = shared.context(style.font_config.font_map, direction, language)

    assert not isinstance(style["font_family"], str), "font_family should be a list"
    font = key(FONT(style))
    description = shared.descriptions.get(font)
    if description is None:
        description = shared.descriptions[font] = get_font_description(style)
    self.layout = ffi.gc(pango.pango_layout_new(context), gobject.g_object_unref)
    pango.pango_layout_set_auto_dir(self.layout, False)
    pango.pango_layout_set_font_description(self.layout, description)

    if style["text_decoration_line"] != "none":
        metrics_key = (direction, language, font)
        if metrics_key not in shared.metrics:
            metrics = ffi.gc(
                pango.pango_context_get_metrics(context, description, self.language),
                pango.pango_font_metrics_unref,
            )
            shared.metrics[metrics_key] = tuple(
                FROM_UNITS * getter(metrics)
                for getter in (
                    pango.pango_font_metrics_get_ascent,
                    pango.pango_font_metrics_get_underline_position,
                    pango.pango_font_metrics_get_strikethrough_position,
                    pango.pango_font_metrics_get_underline_thickness,
                    pango.pango_font_metrics_get_strikethrough_thickness,
                )
            )
        (
            self.ascent,
            self.underline_position,
            self.strikethrough_position,
            self.underline_thickness,
            self.strikethrough_thickness,
        ) = shared.metrics[metrics_key]
    else:
        self.ascent = None
        self.underline_position = None
        self.strikethrough_position = None

    values = key(FEATURES(style))
    features = shared.features.get(values)
    if features is None:
        chosen = font_features(*FEATURES(style))
        features = b",".join(f"{name} {value}".encode() for name, value in chosen.items())
        shared.features[values] = features
    if features:
        # A list of the layout's own, freed with it. WeasyPrint never lets go of the list it
        # makes here (and shares one attribute among all of them): a process rendering one
        # document after another kept 41 kB of each (benchmarks/worker_memory.py).
        attributes = pango.pango_attr_list_new()
        pango.pango_attr_list_insert(attributes, pango.pango_attr_font_features_new(features))
        pango.pango_layout_set_attributes(self.layout, attributes)
        pango.pango_attr_list_unref(attributes)  # the layout holds a reference of its own


def strut(style) -> tuple[float, float]:
    """WeasyPrint's `strut`: the used line height and the baseline of the style's font, kept
    by the style values it depends on."""
    if style["font_size"] == 0:
        return 0, 0
    struts = kept(style.font_config).struts
    values = key(STRUT(style))
    found = struts.get(values)
    if found is None:
        found = struts[values] = WEASYPRINTS_STRUT(style)
    return found


def set_text(self: line_break.Layout, text: str, justify: bool = False) -> None:
    """WeasyPrint's `set_text`; a text with no paragraph separator is shaped in
    single-paragraph mode, as it is drawn."""
    WEASYPRINTS_SET_TEXT(self, text, justify)
    # drawn, the text is set again as it is now: the same only if WeasyPrint kept it as given
    # (a lone spaced space becomes " \u200b", spaced differently when set again)
    self.drawable = (
        (justify or not self.justification_spacing)
        and self.text == text
        and not PARAGRAPH_SEPARATOR.search(text)
    )
    if self.drawable:
        pango.pango_layout_set_single_paragraph_mode(self.layout, True)


def deactivate(self: line_break.Layout) -> None:
    """WeasyPrint's `deactivate` (the Pango layout let go), unless the layout, measured, will
    be drawn as it is: then it waits for `reactivate`."""
    unwrapped = self.max_width is None or self.style["white_space"] not in WRAPPING
    if getattr(self, "drawing", False) or not (unwrapped and getattr(self, "drawable", False)):
        self.waiting = False
        WEASYPRINTS_DEACTIVATE(self)
        return
    self.waiting = True
    with _claims:
        _waiting.append(self)
        while len(_waiting) > KEPT_LAYOUTS:
            oldest = _waiting.popleft()
            if oldest.waiting:
                oldest.waiting = False
                WEASYPRINTS_DEACTIVATE(oldest)


def reactivate(self: line_break.Layout, style) -> None:
    """WeasyPrint's `reactivate` (set up and shape the text again to draw it), unless the
    layout kept its shaped line for the same style."""
    self.drawing = True
    with _claims:  # a job in another thread (a Dask worker's) may be letting it go
        kept, self.waiting = getattr(self, "waiting", False), False
    if kept:
        if self.style is style:
            return
        WEASYPRINTS_DEACTIVATE(self)
    WEASYPRINTS_REACTIVATE(self, style)


def install() -> None:
    """Have WeasyPrint set its Pango layouts up through `setup`, keep them for drawing, and
    find struts by `strut` (in each module that took WeasyPrint's by name)."""
    line_break.Layout.setup = setup
    line_break.Layout.set_text = set_text
    line_break.Layout.deactivate = deactivate
    line_break.Layout.reactivate = reactivate
    for module in (line_break, inline, units):
        module.strut = strut
