"""A box's margins, paddings, sizes and borders resolved as WeasyPrint resolves them, in one pass.

WeasyPrint gives every box it lays out its used lengths through `resolve_percentages`
(weasyprint/layout/percent.py): thirteen calls of `resolve_one_percentage`, each calling
`percentage`, for lengths that are nearly always plain pixels. On the seed pamphlet that is
0.03–0.04 s of the 0.4 s a rebuild in `publish watch` takes (970 boxes). Here the same steps
run in one function, a length in pixels or a percentage worked out where it is read, anything
else (auto, none, a calc()) handed to WeasyPrint's `percentage`. The values and their order are
WeasyPrint's, so the layout and the PDF's bytes are the same (a test compares them).

`install` puts `resolve_percentages` in place of WeasyPrint's in each module that took it by
name; it is safe to call more than once.
"""

import sys
from math import inf

from weasyprint.css.functions import check_math
from weasyprint.formatting_structure import boxes
from weasyprint.layout import percent

WEASYPRINTS = percent.resolve_percentages  # WeasyPrint's own
BORDERS = ("border_top_width", "border_right_width", "border_bottom_width", "border_left_width")


def resolve_percentages(box: boxes.Box, containing_block) -> None:
    """Set used values as attributes of the box object (WeasyPrint's `resolve_percentages`)."""
    if isinstance(containing_block, boxes.Box):
        cb_width = containing_block.width
        cb_height = containing_block.height
    else:
        cb_width, cb_height = containing_block
    maybe_height = cb_height if isinstance(box, boxes.PageBox) else cb_width
    style = box.style
    lengths = [
        ("margin_left", cb_width),
        ("margin_right", cb_width),
        ("margin_top", maybe_height),
        ("margin_bottom", maybe_height),
        ("padding_left", cb_width),
        ("padding_right", cb_width),
        ("padding_top", maybe_height),
        ("padding_bottom", maybe_height),
        ("width", cb_width),
        ("min_width", cb_width),
        ("max_width", cb_width),
    ]
    if cb_height == "auto":
        # the height of the containing block depends on its content
        height = style["height"]
        if height == "auto" or check_math(height) or height.unit == "%":
            box.height = "auto"
        else:
            assert height.unit.lower() == "px"
            box.height = height.value
        lengths += [("min_height", 0), ("max_height", inf)]
    else:
        lengths += [("height", cb_height), ("min_height", cb_height), ("max_height", cb_height)]
    for name, refer_to in lengths:
        value = style[name]
        unit = getattr(value, "unit", None)
        if unit == "px":
            used = value.value
        elif unit == "%":
            used = refer_to * value.value / 100
        else:
            used = percent.percentage(value, style, refer_to)
            if used == "auto" and name in ("min_width", "min_height"):
                used = 0
        setattr(box, name, used)

    collapse = style["border_collapse"] == "collapse"
    for name in BORDERS:
        # border-{side}-width would have been resolved during border conflict resolution
        # for collapsed borders
        if not (collapse and hasattr(box, name)):
            setattr(box, name, style[name])

    # shrink content widths and heights according to box-sizing
    percent.adjust_box_sizing(box, "width")
    percent.adjust_box_sizing(box, "height")


def install() -> None:
    """Put `resolve_percentages` in every WeasyPrint module holding WeasyPrint's own."""
    for name, module in list(sys.modules.items()):
        if name.startswith("weasyprint") and getattr(module, "resolve_percentages", None) in (
            WEASYPRINTS,
            resolve_percentages,
        ):
            module.resolve_percentages = resolve_percentages
