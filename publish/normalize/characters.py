"""Characters no XML document may hold, and characters the decoder could not read.

XML 1.0 forbids C0 controls other than tab and line breaks, the surrogates, and U+FFFE and
U+FFFF; Unicode's other noncharacters (U+FDD0-U+FDEF, the last two of every plane) are no
text either. Each is removed, literal or written as a numeric character reference, with a
report entry naming its line. A U+FFFD the decoder put in place of bytes it could not read
stays (it marks the loss) and is reported, so an editor can look at the source.
"""

import re

from publish.normalize.blocks import Block, regroup, reread, without_emptied_lines
from publish.normalize.report import Entry

NONCHARACTERS = "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}-{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef{NONCHARACTERS}]")
REFERENCE = re.compile(r"&#(?:[xX](?P<hex>[0-9a-fA-F]{1,8})|(?P<dec>[0-9]{1,10}));")
REPLACEMENT = "\ufffd"
SUSPECT = re.compile(f"{FORBIDDEN.pattern}|&#|{REPLACEMENT}")


def is_forbidden(code: int) -> bool:
    return code > 0x10FFFF or bool(FORBIDDEN.match(chr(code)))


def forbidden_reference(match: re.Match[str]) -> bool:
    code = int(match.group("hex"), 16) if match.group("hex") else int(match.group("dec"))
    return is_forbidden(code)


def clean(text: str) -> tuple[str, list[str]]:
    """The text without forbidden characters or references to them; what was removed."""
    removed = [f"U+{ord(char):04X}" for char in FORBIDDEN.findall(text)]
    removed += [match.group(0) for match in REFERENCE.finditer(text) if forbidden_reference(match)]
    if not removed:
        return text, []
    text = FORBIDDEN.sub("", text)
    text = REFERENCE.sub(lambda m: "" if forbidden_reference(m) else m.group(0), text)
    return text, removed


def run(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Remove forbidden characters from every block and the front matter; report each line."""
    result, entries = [], []
    for block in blocks:
        if not SUSPECT.search(block.text):
            result.append(block)
            continue
        lines = block.text.split("\n")
        for number, line in enumerate(lines):
            lines[number], removed = clean(line)
            if removed:
                names = ", ".join(sorted(set(removed)))
                entries.append(
                    Entry("c-removed", block.line + number, f"removed {names}: no text may hold it")
                )
            if REPLACEMENT in line:
                entries.append(
                    Entry(
                        "c-undecodable",
                        block.line + number,
                        "bytes the file's encoding could not read are shown as \ufffd",
                        doubt=True,
                    )
                )
        text = without_emptied_lines(block.text, "\n".join(lines))
        if text:
            result.extend(reread(block, text))
    meta, removed = clean_meta(meta)
    if removed:
        names = ", ".join(sorted(set(removed)))
        entries.append(Entry("c-removed", 1, f"removed {names} from the front matter"))
    return regroup(result), meta, entries


def clean_meta(value: object) -> tuple[object, list[str]]:
    """Front matter (text, lists and mappings of it) without forbidden characters."""
    if isinstance(value, str):
        return clean(value)
    removed: list[str] = []
    if isinstance(value, list):
        items = []
        for item in value:
            item, found = clean_meta(item)
            items.append(item)
            removed += found
        return items, removed
    if isinstance(value, dict):
        mapping = {}
        for key, item in value.items():
            mapping[key], found = clean_meta(item)
            removed += found
        return mapping, removed
    return value, removed
