"""A line's glyphs written to the PDF as WeasyPrint writes them, each kind worked out once.

WeasyPrint draws each line of text glyph by glyph (weasyprint/draw/text.py,
`draw_first_line`): for every glyph it reads four fields of Pango's glyph array through cffi,
then works out and formats its offset, its code and its kerning. A composed line is tracked
and its words are spaced, so nearly every glyph has an offset, and the seed pamphlet's 9,400
glyphs take about 0.05 s of the 0.4 s a rebuild in `publish watch` takes: the largest part of
writing the PDF. Pango hands a spaced line over as runs of a word or a space each (2,600
runs on the seed), and they repeat: the same glyphs, advances and offsets in the same font give
the same operators every time.

Here each run's glyph records are read from Pango in one call. A run whose records were met
before in the same font and size takes the operators and advances worked out for them; in a
new run, a glyph of a kind met before (the same glyph, advance and offset) takes its own. Every
other
glyph (the first of its kind, a raised or lowered one, a missing one, one of a colour font)
goes through WeasyPrint's own steps, copied below unchanged. The operators are the same text,
so the PDF's bytes are the same (tests compare them on the seed and the shared samples).

`install` replaces the function WeasyPrint's text drawing calls, if Pango's glyph record is
laid out as read here; it is safe to call more than once.
"""

import struct
from io import BytesIO
from xml.etree import ElementTree

import weasyprint.draw.text as drawing
from PIL import Image
from weasyprint.images import RasterImage, SVGImage
from weasyprint.logger import LOGGER
from weasyprint.text.ffi import FROM_UNITS, TO_UNITS, ffi, pango
from weasyprint.text.fonts import get_hb_object_data
from weasyprint.text.line_break import get_last_word_end

WEASYPRINTS = drawing.draw_first_line  # WeasyPrint's own
# PangoGlyphInfo: glyph; geometry (width, x_offset, y_offset); visual attributes
GLYPH_INFO = struct.Struct("=IiiiI")
EMPTY = pango.PANGO_GLYPH_EMPTY
UNKNOWN = pango.PANGO_GLYPH_UNKNOWN_FLAG
NOTDEF = '.notdef glyph rendered for Unicode string unsupported by fonts: "%s" (U+%04X)'


def glyph_record_expected() -> bool:
    """Whether Pango's glyph record is laid out as GLYPH_INFO reads it."""
    fields = [name for name, _ in ffi.typeof("PangoGlyphInfo").fields]
    geometry = [name for name, _ in ffi.typeof("PangoGlyphGeometry").fields]
    return (
        fields == ["glyph", "geometry", "attr"]
        and geometry == ["width", "x_offset", "y_offset"]
        and ffi.sizeof("PangoGlyphInfo") == GLYPH_INFO.size
    )


def kinds_of(font, font_size: float) -> dict:
    """The glyphs and runs met in this font at this size: a glyph's (glyph, width, x offset),
    or a run's glyph records as bytes, to the operators they add and their advances."""
    kinds = font.__dict__.setdefault("_publish_glyph_kinds", {})
    return kinds.setdefault(font_size, {})


def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    """Draw the given ``textbox`` line to the document ``stream`` (WeasyPrint 70's
    `draw_first_line`; a glyph of a kind met before takes the first one's operators)."""
    # Don’t draw lines with only invisible characters.
    if not textbox.text.strip():
        return []

    if textbox.style["font_size"] < 1e-6:  # default float precision used by pydyf
        return []

    pango.pango_layout_set_single_paragraph_mode(textbox.pango_layout.layout, True)

    # WeasyPrint asserts a width here; a justified line is laid out again without one, and
    # fills its width, so it is drawn whole (WeasyPrint 70 stops with an AssertionError)
    ellipsized = textbox.pango_layout.max_width is not None and (
        text_overflow == "ellipsis" or block_ellipsis != "none"
    )
    if ellipsized:
        max_width = textbox.pango_layout.max_width
        pango.pango_layout_set_width(textbox.pango_layout.layout, int(max_width * TO_UNITS))
        if text_overflow == "ellipsis":
            pango.pango_layout_set_ellipsize(textbox.pango_layout.layout, pango.PANGO_ELLIPSIZE_END)
        else:
            if block_ellipsis == "auto":
                ellipsis = "…"
            else:
                assert block_ellipsis[0] == "string"
                ellipsis = block_ellipsis[1]

            # Remove last word if hyphenated.
            new_text = textbox.pango_layout.text
            if new_text.endswith(textbox.style["hyphenate_character"]):
                last_word_end = get_last_word_end(
                    new_text[: -len(textbox.style["hyphenate_character"])], textbox.style["lang"]
                )
                if last_word_end:
                    new_text = new_text[:last_word_end]

            textbox.pango_layout.set_text(new_text + ellipsis)

    first_line, index = textbox.pango_layout.get_first_line()

    if ellipsized and block_ellipsis != "none":
        while index:
            last_word_end = get_last_word_end(
                textbox.pango_layout.text[: -len(ellipsis)], textbox.style["lang"]
            )
            if last_word_end is None:
                break
            new_text = textbox.pango_layout.text[:last_word_end]
            textbox.pango_layout.set_text(new_text + ellipsis)
            first_line, index = textbox.pango_layout.get_first_line()

    stream.set_text_matrix(*matrix.values)
    previous_pango_font = None
    string = ""
    x_advance = 0
    emojis = []
    run = first_line.runs[0]
    while run != ffi.NULL:
        # Get Pango objects.
        glyph_item = run.data
        run = run.next
        glyph_string = glyph_item.glyphs
        num_glyphs = glyph_string.num_glyphs
        clusters = glyph_string.log_clusters
        utf8_text = None

        pango_font = glyph_item.item.analysis.font
        if pango_font != previous_pango_font:
            # Add font file content and get font size.
            previous_pango_font = pango_font
            font, font_size = stream.add_font(pango_font)

            # Workaround for https://gitlab.gnome.org/GNOME/pango/-/issues/530.
            # This is also needed by raster emoji fonts, see #2800.
            if pango.pango_version() < 14802 or font.png:
                font_size = textbox.style["font_size"]

            # Go through the run glyphs.
            if string:
                stream.show_text(string)
            string = ""
            stream.set_font_size(font.hash, 1 if font.bitmap else font_size)
            pictured = font.svg or font.png or font.colr
            kinds = {} if pictured else kinds_of(font, font_size)
        string += "<"
        data = ffi.buffer(glyph_string.glyphs, num_glyphs * GLYPH_INFO.size)[:]
        known = kinds.get(data)
        if known is not None:  # a run met before: a word or space set alike
            string += known[0]
            for advance in known[1]:
                x_advance += advance
        else:
            run_start, advances, plain = len(string), [], not pictured
            for i, (glyph_id, width, x_offset, y_offset, _) in enumerate(
                GLYPH_INFO.iter_unpack(data)
            ):
                kind = kinds.get((glyph_id, width, x_offset)) if not y_offset else None
                if kind is not None:
                    string += kind[0]
                    x_advance += kind[1]
                    advances.append(kind[1])
                    continue
                start = len(string)

                # Display zero-width empty glyph.
                if glyph_id == EMPTY:
                    string += f">{-width / font_size}<"
                    plain = False
                    continue

                # Display .notdef and log warning for missing glyphs.
                missing = glyph_id & UNKNOWN
                if missing:
                    codepoint = glyph_id - UNKNOWN
                    LOGGER.warning(NOTDEF, chr(codepoint), codepoint)
                    glyph_id = font.get_unused_glyph_id(codepoint)
                    font.widths[glyph_id] = round(width * 1000 * FROM_UNITS / font_size)
                    if 0 not in font.widths:
                        # "width" is actually Pango’s get_approximate_char_width. Force
                        # .notdef’s to use this width, even if it’s not the right, as we
                        # want to keep Pango’s layout for next glyphs.
                        font.widths[0] = font.widths[glyph_id]

                # Create mapping between glyphs and Unicode codepoints.
                if glyph_id not in font.to_unicode:
                    # Get positions of the glyph in the UTF-8 string.
                    offset = glyph_item.item.offset
                    t1 = clusters[i]
                    if glyph_item.item.analysis.level % 2:  # rtl
                        t2 = glyph_item.item.length if i == 0 else clusters[i - 1]
                    else:
                        t2 = glyph_item.item.length if i == num_glyphs - 1 else clusters[i + 1]
                    utf8_text = utf8_text or textbox.pango_layout.text.encode()
                    font.to_unicode[glyph_id] = utf8_text[offset + t1 : offset + t2].decode()

                # Set horizontal and vertical offsets.
                offset = x_offset / font_size
                rise = y_offset / 1000
                if rise:
                    if string[-1] == "<":
                        string = string[:-1]
                    else:
                        string += ">"
                    if string:
                        stream.show_text(string)
                    stream.set_text_rise(-rise)
                    string = ""
                    if offset:
                        string = f"{-offset}"
                    string += f"<{glyph_id:02x}>" if font.bitmap else f"<{glyph_id:04x}>"
                    stream.show_text(string)
                    stream.set_text_rise(0)
                    string = "<"
                else:
                    if offset:
                        string += f">{-offset}<"
                    string += f"{glyph_id:02x}" if font.bitmap else f"{glyph_id:04x}"

                # Get glyph logical widths.
                if glyph_id in font.widths:
                    logical_width = font.widths[glyph_id]
                else:
                    pango.pango_font_get_glyph_extents(
                        pango_font, glyph_id, stream.ink_rect, stream.logical_rect
                    )
                    logical_width = font.widths[glyph_id] = round(
                        stream.logical_rect.width * 1000 * FROM_UNITS / font_size
                    )

                # Set kerning, word spacing, letter spacing.
                kerning = logical_width + offset - width * 1000 * FROM_UNITS / font_size
                if kerning:
                    string += f">{int(kerning)}<"

                # Create list of emojis.
                if pictured:
                    emojis += pictures(
                        stream, textbox, font, font_size, pango_font, glyph_id, logical_width,
                        kerning, x_advance,
                    )  # fmt: skip

                advance = (logical_width + offset - kerning) / 1000
                x_advance += advance
                advances.append(advance)
                if rise or missing or pictured:
                    plain = False
                else:
                    kinds[glyph_id, width, x_offset] = (string[start:], advance)
            if plain:
                kinds[data] = (string[run_start:], tuple(advances))

        # Close the last glyphs list, remove if empty.
        if string[-1] == "<":
            string = string[:-1]
        else:
            string += ">"

    # Draw text.
    stream.show_text(string)

    return emojis


def pictures(
    stream, textbox, font, font_size, pango_font, glyph_id, logical_width, kerning, x_advance
) -> list:
    """The picture of a glyph from a colour font (SVG, PNG or COLR), if it has one
    (WeasyPrint 70's steps)."""
    if font.svg:
        svg_data = get_hb_object_data(font.hb_face, "svg", glyph_id)
        if svg_data:
            # Do as explained in specification
            # https://learn.microsoft.com/typography/opentype/spec/svg
            tree = ElementTree.fromstring(svg_data)
            if tree.get("id") != f"glyph{glyph_id}":
                defs = ElementTree.Element("defs")
                for child in list(tree):
                    defs.append(child)
                    tree.remove(child)
                tree.append(defs)
                ElementTree.SubElement(tree, "use", attrib={"href": f"#glyph{glyph_id}"})
            if "viewBox" not in tree.attrib:
                tree.attrib["viewBox"] = f"0 0 {font.upem} {font.upem}"
            image = SVGImage(tree, None, None, None)
            return [[image, font, 1, 1, x_advance, 0]]
    elif font.png:
        png_data = get_hb_object_data(font.hb_font, "png", glyph_id)
        if png_data:
            pillow_image = Image.open(BytesIO(png_data))
            image_id = f"{font.hash}{glyph_id}"
            image = RasterImage(pillow_image, image_id, png_data)
            d = logical_width / 1000
            a = pillow_image.width / pillow_image.height * d
            pango.pango_font_get_glyph_extents(
                pango_font, glyph_id, stream.ink_rect, stream.logical_rect
            )
            f = -stream.logical_rect.y
            f = f * FROM_UNITS / font_size - font_size
            return [[image, font, a, d, x_advance, f]]
    elif font.colr:
        svg_data = get_hb_object_data(font.hb_font, "colr", glyph_id)
        if svg_data:
            tree = ElementTree.fromstring(svg_data)
            image = SVGImage(tree, None, None, None)
            return [[image, font, 1, 1, x_advance - kerning, -textbox.baseline]]
    return []


def install() -> None:
    """Have WeasyPrint's text drawing use `draw_first_line`, if Pango's glyph record is the
    one it reads."""
    if glyph_record_expected():
        drawing.draw_first_line = draw_first_line
