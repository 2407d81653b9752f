"""Site furniture the scrape caught with the article ("Read more:", "Share on Twitter").

Nothing is removed (a normalizer never drops words); each such paragraph is reported as
doubtful, so an editor can delete it from the source in a second.
"""

import re

from publish.normalize.blocks import Block
from publish.normalize.report import Entry

FURNITURE = re.compile(
    r"^(?:read more|related(?: articles| stories| posts)?|share(?: this)?|follow us|subscribe"
    r"|sign up|click here|advertisement|print this|email this|tweet this)\b"
    r"|\bshare on (?:twitter|facebook|x|linkedin|whatsapp|bluesky|mastodon)\b",
    re.I,
)
MAX_LENGTH = 200


def run(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Report short paragraphs that look like navigation or sharing links."""
    entries = [
        Entry(
            "s-furniture",
            block.line,
            "looks like the site's navigation or sharing links, not the article; "
            "delete it in the source if so",
            doubt=True,
        )
        for block in blocks
        if block.kind == "para" and len(block.text) <= MAX_LENGTH and FURNITURE.search(block.text)
    ]
    return blocks, meta, entries
