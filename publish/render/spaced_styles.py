"""Computed styles shared between elements that differ only in their spacing.

Each line the composer imposes is a span whose own style sets its word-spacing and
letter-spacing, and nothing else. WeasyPrint computes an element's style property by property,
on first use, and shares a computed style only between elements with the very same
declarations; every line's spacing differs, so every line computed some ninety properties of
its own (about 0.05 s of the seed pamphlet's 0.7 s render). Here an element whose cascaded style
sets spacing takes every other computed value from one style, computed once for all the
elements with the same parent and the same other declarations. Spacing enters no other
property's computed value, so the values, and the PDF's bytes, are those WeasyPrint computes.
The elements inside a line (emphasis, links, note calls) inherit its spacing and nothing else
of it, so they share their other values in the same way, across the paragraph's lines.

A line declares its spacing in two attributes (`declare_spacing`), not in a style attribute:
the cascade takes their values as they are, already valid, where a style attribute is
tokenized and validated by WeasyPrint (0.1 ms a line, a tenth of what the composer adds to
WeasyPrint's work on the seed). The values are the same `Dimension`s the parser would make.

`install` replaces the class WeasyPrint's cascade creates computed styles with, and has the
cascade read those attributes; it is safe to call more than once.
"""

import re
from xml.etree import ElementTree

import weasyprint.css as css
from weasyprint.css.properties import Dimension

SPACING = frozenset({"word_spacing", "letter_spacing"})
ATTRIBUTES = {"word_spacing": "data-word-spacing", "letter_spacing": "data-letter-spacing"}
NUMBER = re.compile(r"-?\d{1,4}(\.\d{1,6})?")  # px, as `declare_spacing` is given them
Computed = css.ComputedStyle
find_style_attributes = css.find_style_attributes  # WeasyPrint's own
preprocess_declarations = css.preprocess_declarations


class Declared(tuple):
    """A line's spacing as the cascade's validated declarations: (name, value, important)."""


def declare_spacing(element: ElementTree.Element, word: str | None, letter: str | None) -> None:
    """Set a line's word and letter spacing, each a number of CSS px as text, or None."""
    for name, value in (("word_spacing", word), ("letter_spacing", letter)):
        if value is not None:
            element.set(ATTRIBUTES[name], value)


def declared_spacing(element: ElementTree.Element) -> Declared:
    """The spacing an element declares; a value that is not a plain number of px (never one
    the composer writes) is ignored, as WeasyPrint ignores invalid CSS."""
    return Declared(
        (name, Dimension(float(value), "px"), False)
        for name, attribute in ATTRIBUTES.items()
        if (value := element.get(attribute)) is not None and NUMBER.fullmatch(value)
    )


def style_attributes(tree: ElementTree.Element, presentational_hints=False, base_url=None):
    """WeasyPrint's declarations from elements' attributes, then the lines' spacing (with a
    style attribute's precedence)."""
    yield from find_style_attributes(tree, presentational_hints, base_url)
    for element in tree.iter("span"):
        if (
            ATTRIBUTES["word_spacing"] in element.attrib
            or ATTRIBUTES["letter_spacing"] in element.attrib
        ):
            yield (1, 0, 0), element, declared_spacing(element), base_url


def validated(base_url, declarations, *arguments):
    """WeasyPrint's validation of declarations; a line's spacing is valid already."""
    if isinstance(declarations, Declared):
        return declarations
    return preprocess_declarations(base_url, declarations, *arguments)


class SpacedStyle(Computed):
    """A computed style that differs from `shared` in its spacing only."""

    def __init__(self, shared: Computed, *arguments) -> None:
        super().__init__(*arguments)
        self.shared = shared
        self.specified = shared.specified

    def __missing__(self, key: str):
        if key in SPACING:
            return super().__missing__(key)
        value = self[key] = self.shared[key]
        return value


def computed_style(
    parent_style, cascaded: dict, pseudo_type, root_style, base_url, font_config, page_sizes
) -> Computed:
    """The computed style WeasyPrint's cascade asks for: a SpacedStyle for an element that sets
    spacing or sits in one that does (a line's emphasis, links and note calls inherit its
    spacing, and nothing else of it), otherwise WeasyPrint's own."""
    arguments = (parent_style, cascaded, pseudo_type, root_style, base_url, font_config, page_sizes)
    if pseudo_type is not None or parent_style is None:
        return Computed(*arguments)
    in_spaced = isinstance(parent_style, SpacedStyle)
    if not in_spaced and not SPACING & cascaded.keys():
        return Computed(*arguments)
    base = parent_style.shared if in_spaced else parent_style
    rest = {name: value for name, value in cascaded.items() if name not in SPACING}
    # the same rule's declarations are the same objects on every element it matches
    key = tuple(sorted((name, id(value)) for name, (value, _weight) in rest.items()))
    shared_styles = base.__dict__.setdefault("_spaced_styles", {})
    shared = shared_styles.get(key)
    if shared is None:
        shared = Computed(base, rest, None, root_style, base_url, font_config, page_sizes)
        shared_styles[key] = shared
    return SpacedStyle(shared, *arguments)


def install() -> None:
    """Have WeasyPrint's cascade create its computed styles through `computed_style`, and read
    the lines' spacing from their attributes."""
    css.ComputedStyle = computed_style
    css.find_style_attributes = style_attributes
    css.preprocess_declarations = validated
