"""The system libraries a fast build relies on are there and used."""

import logging

import pytest
from weasyprint import HTML
from weasyprint.text import ffi


def test_weasyprint_subsets_fonts_with_harfbuzz(caplog: pytest.LogCaptureFixture) -> None:
    """Debian's libharfbuzz-subset0 subsets fonts much faster than fontTools' fallback."""
    assert ffi.harfbuzz_subset, "install libharfbuzz-subset0 (see the README's prerequisites)"
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        HTML(string="<p>Subset me</p>").write_pdf()
    assert not [r for r in caplog.records if "fontTools instead of HarfBuzz" in r.getMessage()]
