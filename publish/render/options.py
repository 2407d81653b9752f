"""Rendering options, passed down frozen from the command line to every writer."""

import os
from dataclasses import dataclass, replace
from pathlib import Path

from publish.style import Style


@dataclass(frozen=True)
class RenderOptions:
    paper: str = "a5"  # a5, a4, letter, half-letter
    signature: int = 0  # booklet signature size in pages; 0 = one signature
    number_paragraphs: bool = False
    embed_fonts: bool = False  # EPUB only
    resources: Path | None = None  # the source's folder, for local images
    source_date_epoch: int | None = None
    compose: bool = True  # total-fit line breaking; PUBLISH_COMPOSE=0 keeps WeasyPrint's own
    style: Style = Style()  # the house style; its paper is always `paper`

    def __post_init__(self) -> None:
        if self.style.paper != self.paper:  # one paper: --paper and the style agree
            object.__setattr__(self, "style", replace(self.style, paper=self.paper))

    def styled(self, style: Style) -> "RenderOptions":
        """These options with a house style, and the style's paper."""
        return replace(self, style=style, paper=style.paper)

    @classmethod
    def from_environment(cls, **values: object) -> "RenderOptions":
        """Options with SOURCE_DATE_EPOCH (and PUBLISH_COMPOSE, for benchmarks) taken from the
        environment when set."""
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        compose = os.environ.get("PUBLISH_COMPOSE", "1") != "0"
        return cls(source_date_epoch=int(epoch) if epoch else None, compose=compose, **values)
