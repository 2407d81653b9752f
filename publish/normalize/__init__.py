"""The normalizer: a Draft becomes canonical Markdown, plus a report of what changed.

The passes run in this order, each a pure function of (blocks, metadata):

- links first, so that every later pass sees only real links and plain words;
- furniture next, which only reports paragraphs that look like the site's navigation;
- metadata next, to take the title, dek, byline, signature and publication lines out of
  the body before the paragraph passes could mistake them for prose (a headline followed by
  a lowercase dek looks like a split sentence);
- split paragraphs before block quotes, so a quotation split mid-sentence is whole when
  the quotation pass decides where it ends;
- split paragraphs again after block quotes: a quotation that meets an editor's `>` can
  bring the two halves of a sentence into one quotation;
- emphasis after these, since joining paragraphs moves closing markers;
- typography last: it never touches URLs or code, and later passes need no curly quotes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from publish import frontmatter
from publish.normalize import (
    block_quotes,
    emphasis,
    furniture,
    links,
    metadata,
    report,
    split_paragraphs,
    typography,
)
from publish.normalize.blocks import Block, join_blocks, split_blocks
from publish.normalize.report import Entry
from publish.sources import Draft

PLAIN_TEXT = ("text", "markdown")  # sources whose own lines a report can point to
Pass = Callable[[list[Block], dict], tuple[list[Block], dict, list[Entry]]]

PASSES: list[tuple[str, Pass]] = [
    ("links", links.run),
    ("furniture", furniture.run),  # reports only: nothing is removed
    ("metadata", metadata.run),
    ("split-paragraphs", split_paragraphs.run),
    ("block-quotes", block_quotes.run),
    ("split-paragraphs-in-quotes", split_paragraphs.run),
    ("emphasis", emphasis.run),
    ("typography", typography.run),  # last: never touches URLs or code
]


@dataclass(frozen=True)
class Normalized:
    """Canonical Markdown, its metadata, and the report."""

    text: str
    meta: dict
    entries: list[Entry] = field(default_factory=list)
    canonical_lines: bool = False  # the entries' lines count in the canonical Markdown

    @property
    def doubts(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.doubt]


def normalize(draft: Draft) -> Normalized:
    """Run every pass over a draft and write the canonical Markdown."""
    blocks = split_blocks(draft.body, draft.first_line)
    meta = dict(draft.meta)
    entries: list[Entry] = list(draft.entries)
    for _name, run in PASSES:
        blocks, meta, found = run(blocks, meta)
        entries += found
    for key, value in draft.defaults.items():
        if not meta.get(key):
            meta[key] = value
            entries.append(Entry("m-properties", draft.first_line, f"{key} {value!r} (file)"))
    if not meta.get("title"):
        meta["title"] = metadata.fallback_title(draft.path)
        entries.append(
            Entry("m-no-title", draft.first_line, "no title found; named after the file", True)
        )
    head = frontmatter.dump(meta) + "\n"
    text = head + join_blocks(blocks)
    entries = report.placed(sorted(entries, key=lambda e: e.line), draft.body, draft.first_line)
    if draft.kind in PLAIN_TEXT:
        return Normalized(text=text, meta=meta, entries=entries)
    entries = report.in_canonical(entries, blocks, text, len(head))
    return Normalized(text=text, meta=meta, entries=entries, canonical_lines=True)
