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

`install` replaces the class WeasyPrint's cascade creates computed styles with; it is safe to
call more than once.
"""

import weasyprint.css as css

SPACING = frozenset({"word_spacing", "letter_spacing"})
Computed = css.ComputedStyle


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
    """Have WeasyPrint's cascade create its computed styles through `computed_style`."""
    css.ComputedStyle = computed_style
