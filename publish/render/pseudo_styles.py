"""Pseudo-element styles computed only for the elements that can show them.

WeasyPrint's own stylesheet gives every element six pseudo-elements: ::marker,
::footnote-call, ::footnote-marker, ::note-call, ::note-marker and ::note-callback. Its cascade
computes a style for each of them on every element, though a pamphlet shows a handful: its
lists' markers, its notes' calls and markers. On the composed seed that is about 2,300 styles
(six for each element and each imposed line, once for the composer and once for the layout)
where a few dozen are used.

Here the cascade skips the styles an element can never show, by the tests WeasyPrint itself
makes when it builds boxes:
- a marker needs a list item, or a ::before or ::after (which may be one);
- a footnote's call and marker need an element floated to the footnotes;
- a note's call, marker and callback need a note.

A style skipped is one WeasyPrint never asks for, so the boxes and the PDF's bytes are
unchanged. `install` is safe to call more than once.
"""

from collections.abc import Callable

import weasyprint.css as css


def is_list_item(style_for: css.StyleFor, element: object, style) -> bool:
    if "list-item" in style["display"]:
        return True
    cascaded = style_for.get_cascaded_styles()
    return (element, "before") in cascaded or (element, "after") in cascaded


def is_footnote(style_for: css.StyleFor, element: object, style) -> bool:
    return style["float"] == "footnote"


def is_note(style_for: css.StyleFor, element: object, style) -> bool:
    return style["position"][0] == "note()"


SHOWN_BY: dict[str, Callable] = {
    "marker": is_list_item,
    "footnote-call": is_footnote,
    "footnote-marker": is_footnote,
    "note-call": is_note,
    "note-marker": is_note,
    "note-callback": is_note,
}


def install() -> None:
    """Have WeasyPrint's cascade skip the pseudo-element styles no box will use."""
    compute = css.StyleFor.set_computed_styles
    if getattr(compute, "skips_unshown", False):
        return

    def set_computed_styles(
        self, element, parent, root=None, pseudo_type=None, base_url=None, target_collector=None
    ):
        shown = SHOWN_BY.get(pseudo_type)
        if shown is not None:
            style = self.get_computed_styles().get((element, None))
            if style is not None and not shown(self, element, style):
                return
        compute(self, element, parent, root, pseudo_type, base_url, target_collector)

    set_computed_styles.skips_unshown = True
    set_computed_styles.__wrapped__ = compute  # WeasyPrint's own
    css.StyleFor.set_computed_styles = set_computed_styles
