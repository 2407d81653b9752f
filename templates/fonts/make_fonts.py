"""Make the bundled static faces from the OFL font packages on PyPI (run once, by hand).

    pip download --no-deps fontpkg-literata==3.103 fontpkg-atkinson-hyperlegible==1.6
    python templates/fonts/make_fonts.py DIR_OF_WHEELS

Literata is a variable font (optical size and weight): each style is instanced at text size
(opsz 12) and a fixed weight, so writing a PDF needs no instancing. Atkinson Hyperlegible
ships static files and is copied. EB Garamond and the Noto faces were made the same way
from their own packages.
"""

import shutil
import sys
import zipfile
from pathlib import Path

from fontTools.ttLib import TTFont
from fontTools.varLib.instancer import instantiateVariableFont

HERE = Path(__file__).resolve().parent
LITERATA = {
    "Literata-Regular.ttf": ("Literata[opsz,wght].ttf", 400),
    "Literata-Bold.ttf": ("Literata[opsz,wght].ttf", 700),
    "Literata-Italic.ttf": ("Literata-Italic[opsz,wght].ttf", 400),
    "Literata-BoldItalic.ttf": ("Literata-Italic[opsz,wght].ttf", 700),
}
ATKINSON = ("Regular", "Bold", "Italic", "BoldItalic")


def main(wheels: Path) -> None:
    unpacked = wheels / "unpacked"
    for wheel in wheels.glob("fontpkg_*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(unpacked)
    literata = unpacked / "fontpkg_literata"
    for name, (source, weight) in LITERATA.items():
        font = TTFont(literata / "files" / source)
        static = instantiateVariableFont(font, {"wght": weight, "opsz": 12}, updateFontNames=True)
        static.save(HERE / name)
    shutil.copy(literata / "LICENSE", HERE / "Literata-OFL.txt")
    atkinson = unpacked / "fontpkg_atkinson_hyperlegible"
    for style in ATKINSON:
        name = f"AtkinsonHyperlegible-{style}.ttf"
        shutil.copy(atkinson / "files" / name, HERE / name)
    shutil.copy(atkinson / "LICENSE", HERE / "AtkinsonHyperlegible-OFL.txt")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
