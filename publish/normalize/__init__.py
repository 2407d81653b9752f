"""The normalizer: a Draft becomes canonical Markdown, plus a report of what changed.

The passes run in this order, each a pure function of (blocks, metadata):

- characters first: what no XML may hold goes before any pass could copy it elsewhere;
- links next, so that every later pass sees only real links and plain words;
- furniture next, which only reports paragraphs that look like the site's navigation;
- metadata next, to take the title, dek, byline, signature and publication lines out of
  the body before the paragraph passes could mistake them for prose (a headline followed by
  a lowercase dek looks like a split sentence);
- split paragraphs before block quotes, so a quotation split mid-sentence is whole when
  the quotation pass decides where it ends;
- split paragraphs again after block quotes: a quotation that meets an editor's `>` can
  bring the two halves of a sentence into one quotation;
- emphasis after these, since joining paragraphs moves closing markers;
- typography last: it never touches URLs or code, and later passes need no curly quotes;
- emphasis and typography then again, until neither changes anything: a spaced dash can
  leave a marker stray (`a—*'q'`), and a stray marker removed can leave a dash to space;
- metadata once more on the finished text, since joined paragraphs and typography can make
  a byline or a date of what was none (`By—`); if it takes anything, the passes after it
  run again. Reading the canonical text back so finds nothing more to change.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from publish import frontmatter
from publish.errors import PublishError
from publish.normalize import (
    block_quotes,
    characters,
    emphasis,
    furniture,
    links,
    metadata,
    notes,
    report,
    split_paragraphs,
    typography,
)
from publish.normalize.blocks import (
    MAX_QUOTE_DEPTH,
    Block,
    deep_quotes,
    join_blocks,
    read_back,
    split_blocks,
)
from publish.normalize.report import Entry
from publish.sources import Draft

PLAIN_TEXT = ("text", "markdown")  # sources whose own lines a report can point to
Pass = Callable[[list[Block], dict], tuple[list[Block], dict, list[Entry]]]

PASSES: list[tuple[str, Pass]] = [
    ("characters", characters.run),
    ("links", links.run),
    ("notes", notes.run),  # before metadata: an uncalled note is text like any other
    ("furniture", furniture.run),  # reports only: nothing is removed
    ("metadata", metadata.run),
    ("split-paragraphs", split_paragraphs.run),
    ("block-quotes", block_quotes.run),
    ("split-paragraphs-in-quotes", split_paragraphs.run),
    ("emphasis", emphasis.run),
    ("typography", typography.run),  # last: never touches URLs or code
]
AFTER_METADATA = PASSES[[name for name, _ in PASSES].index("metadata") + 1 :]
SETTLING: list[tuple[str, Pass]] = [("emphasis", emphasis.run), ("typography", typography.run)]
MAX_ROUNDS = 3


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


def run_passes(
    passes: list[tuple[str, Pass]], blocks: list[Block], meta: dict
) -> tuple[list[Block], dict, list[Entry]]:
    entries: list[Entry] = []
    for _name, run in passes:
        blocks, meta, found = run(blocks, meta)
        entries += found
    return blocks, meta, entries


def settle(
    blocks: list[Block], meta: dict, entries: list[Entry]
) -> tuple[list[Block], dict, list[Entry]]:
    """Emphasis and typography again until neither changes anything. Typography alone is
    settled after one run, so only blocks with emphasis markers need another look."""
    for _ in range(MAX_ROUNDS):
        marked = [index for index, block in enumerate(blocks) if "*" in block.text]
        before = [blocks[index] for index in marked]
        after, meta, found = run_passes(SETTLING, before, meta)
        entries = entries + found
        if after == before:
            break
        blocks = list(blocks)
        for index, block in zip(marked, after, strict=True):
            blocks[index] = block
    return blocks, meta, entries


def metadata_settled(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Uncalled notes and metadata once more on the finished text, and the passes after
    metadata again, until it takes nothing more."""
    # as the canonical text will be read; joined paragraphs can make a definition of a note
    # called only in the lines after it, that is from its own text
    blocks, meta, entries = notes.run(read_back(blocks), meta)
    for _ in range(MAX_ROUNDS):
        taken, taken_meta, found = metadata.run(blocks, meta)
        if taken == blocks and taken_meta == meta:
            break
        blocks, meta, more = settle(*run_passes(AFTER_METADATA, taken, taken_meta))
        entries += found + more
    return blocks, meta, entries


def normalize(draft: Draft) -> Normalized:
    """Run every pass over a draft and write the canonical Markdown."""
    blocks = split_blocks(draft.body, draft.first_line)
    try:
        meta, repaired = frontmatter.conform(draft.meta)
    except frontmatter.FrontMatterError as error:
        raise PublishError(draft.path, str(error)) from None
    entries = list(draft.entries)
    entries += [Entry("m-front-matter", 1, note) for note in repaired]
    entries += [
        Entry(
            "q-flattened",
            line,
            f"quotation nested past {MAX_QUOTE_DEPTH} levels kept at level {MAX_QUOTE_DEPTH}",
        )
        for line in deep_quotes(draft.body, draft.first_line)
    ]
    blocks, meta, found = settle(*run_passes(PASSES, blocks, meta))
    entries += found
    blocks, meta, found = metadata_settled(blocks, meta)
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
        # with a title, a date or a byline may now read as one, as it will when the
        # canonical text is read back
        blocks, meta, found = metadata_settled(blocks, meta)
        entries += found
    head = frontmatter.dump(meta) + "\n"
    text = head + join_blocks(blocks)
    entries = report.placed(sorted(entries, key=lambda e: e.line), draft.body, draft.first_line)
    if draft.kind in PLAIN_TEXT:
        return Normalized(text=text, meta=meta, entries=entries)
    entries = report.in_canonical(entries, blocks, text, len(head))
    return Normalized(text=text, meta=meta, entries=entries, canonical_lines=True)
