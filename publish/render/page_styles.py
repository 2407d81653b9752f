"""Page styles computed once for all the pages the same @page rules apply to.

WeasyPrint names each page by a page type that holds its number (for `@page :nth()`), so it
computes the styles of every page and of its sixteen margin boxes again for each page
(weasyprint/layout/page.py, `set_page_type_computed_styles`): on the seed pamphlet, 3,700 of
the 11,000 style values the layout computes, about 0.01 s of the 0.4 s a rebuild in
`publish watch` takes. Yet two pages that the same @page selectors match have the same
declarations, so the same computed styles.

Here a page whose matching selectors are those of a page met before takes that page's styles,
the computed and the cascaded ones. WeasyPrint's changes to a page's style as it lays the page
out (the page counter's increment, the root's overflow) give the same values on every page,
so they change nothing when the style is shared. The PDF's bytes are the same (a test compares
them with WeasyPrint's own on the seed, a reader and a page-numbered sample).

`install` replaces WeasyPrint's `set_page_type_computed_styles`; it is safe to call more than
once.
"""

from weasyprint.layout import page

WEASYPRINTS = page.set_page_type_computed_styles  # WeasyPrint's own


def matching(page_type, style_for) -> tuple[bool, ...]:
    """Which of the @page selectors of every stylesheet match this page type, in order."""
    return tuple(
        style_for._page_type_match(selector[2], page_type)
        for sheet, _origin, _specificity in style_for._sheets
        for _rule, selectors, _declarations in sheet.page_rules
        for selector in selectors
    )


def set_page_type_computed_styles(page_type, html, style_for) -> None:
    """WeasyPrint's `set_page_type_computed_styles`, sharing the styles of the first page
    type the same selectors matched."""
    met = style_for.__dict__.setdefault("_publish_page_types", {})
    key = matching(page_type, style_for)
    first = met.get(key)
    if first is None or first == page_type:
        WEASYPRINTS(page_type, html, style_for)
        met[key] = page_type
        return
    cascaded = style_for.get_cascaded_styles()
    computed = style_for.get_computed_styles()
    for element, pseudo_type in list(cascaded):
        if element == first:
            cascaded[page_type, pseudo_type] = cascaded[first, pseudo_type]
            if (first, pseudo_type) in computed:
                computed[page_type, pseudo_type] = computed[first, pseudo_type]
    computed[page_type, None] = computed[first, None]


def install() -> None:
    """Have WeasyPrint's page layout set page styles through `set_page_type_computed_styles`."""
    page.set_page_type_computed_styles = set_page_type_computed_styles
