"""Metadata: title, subtitle, authors, date, source, language, dek and signature.

What the file declares (front matter, HTML meta) wins. The rest is read off the top and the
bottom of the body: a `#` heading or an all-caps headline is the title; a "By ..." line
names the authors; a lowercase first paragraph is the dek; "First published ..." lines and
a signature block ("With our best wishes," then "Name, City" lines) are taken out of the
running text into the front matter, where the renderers set them as front and back matter.
Each zone is peeled block by block and stops at the first block that is plain text, so
normalizing canonical Markdown again finds nothing more to take.
"""

import re
from pathlib import Path

from publish.dates import MONTHS, date_language, find_date, read_date
from publish.normalize import language
from publish.normalize.blocks import Block
from publish.normalize.links import LINK, is_real_target
from publish.normalize.report import Entry
from publish.normalize.titles import headline_case, is_shouting, split_names
from publish.urls import host_name

# "By X", "Words by X", "Text: X", in the languages we detect; emphasis is stripped first.
BYLINE = re.compile(
    r"^(?:(?:(?:written|words|text|story|reporting)\s+)?by|von|par|por|texte\s+de)\s+"
    r"(?P<names>.{3,200})$"
    r"|^(?:text|words|texte|texto|author|autor|auteur|autorin)\s*:\s*(?P<labelled>.{3,200})$",
    re.I,
)
# A bare address in parentheses after a publisher's name, as scraped text writes a link.
BARE_URL = re.compile(r"\(?(?P<url>https?://[^\s()<>\[\]]+[^\s()<>\[\].,;:])\)?")
PUBLISHED = re.compile(
    r"^(?:(?:first|originally|previously|also)\s+(?:published|appeared|posted)"
    r"|published\s+(?:by|in|on|at)\b|reprinted\s+(?:from|with|by)\b"
    r"|this\s+\w+\s+(?:was\s+)?(?:first|originally)\s+(?:published|appeared))",
    re.I,
)
PUBLISHER = re.compile(
    r"\b(?:published (?:by|in)|(?:first |originally )?appeared in|reprinted from) (?:the )?"
    r"(?P<name>[A-Z][^,.;:(]*?)(?= on | in | at | \(|[,.;:]|$)",
    re.I,
)
CLOSING = re.compile(r"^[^\W\d_][^.!?:]{1,60},$")
NAME_PARTICLES = frozenset(
    [
        "de",
        "van",
        "von",
        "der",
        "den",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "la",
        "le",
        "di",
        "del",
        "bin",
        "ibn",
        "al",
        "y",
        "e",
    ]
)
GENERIC_LINK_TEXT = frozenset({"here", "this", "link", "website", "site", "source", "original"})
EMPHASIS = re.compile(r"(?<!\\)[*_]+")
MAX_DEK = 400
MAX_DEK_INDEX = 2  # a dek follows the title and perhaps a subtitle
MAX_TITLE_WORDS = 15
MAX_META_LINE = 300


def run(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Fill in the metadata from the body and take front and back matter out of it."""
    blocks, meta, front = take_front(blocks, declared(meta))
    blocks, meta, back = take_back(blocks, meta)
    meta, inferred = infer(blocks, meta)
    return blocks, meta, front + back + inferred


def declared(meta: dict) -> dict:
    """Front-matter spellings (author, lang, url) brought to the canonical keys."""
    meta = dict(meta)
    if "author" in meta and "authors" not in meta:
        meta["authors"] = meta.pop("author")
    if isinstance(meta.get("authors"), str):
        meta["authors"] = split_names(meta["authors"])
    if "lang" in meta and "language" not in meta:
        meta["language"] = meta.pop("lang")
    if isinstance(meta.get("source"), str):
        meta["source"] = source_from_text(meta["source"])
    if "url" in meta and not meta.get("source"):
        meta["source"] = {"name": host_name(str(meta["url"])), "url": str(meta.pop("url"))}
    if isinstance(meta.get("published"), str):
        meta["published"] = [meta["published"]]
    return meta


def take_front(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Peel title, subtitle, byline, dek and publication lines off the top."""
    meta, entries, index = dict(meta), [], 0
    title_here = False
    while index < len(blocks):
        block = blocks[index]
        text = block.text.strip()
        single = block.kind in ("para", "heading") and not block.quote and "\n" not in text
        if (
            index == 0
            and len(blocks) > 1
            and not meta.get("title")
            and single
            and title_line(block)
        ):
            meta["title"] = title_line(block)
            if is_shouting(meta["title"]):
                meta["title"] = headline_case(meta["title"], body_acronyms(blocks))
            title_here = True
            entries.append(Entry("m-title", block.line, f"title {meta['title']!r}"))
        elif title_here and index == 1 and block.kind == "heading" and not meta.get("subtitle"):
            meta["subtitle"] = strip_marks(text.lstrip("#").strip())
            entries.append(Entry("m-subtitle", block.line, f"subtitle {meta['subtitle']!r}"))
        elif single and not meta.get("authors") and is_byline(text):
            meta["authors"] = byline_names(strip_marks(unlinked(text)))
            meta["byline"] = text
            entries.append(Entry("m-authors", block.line, f"authors {meta['authors']} (byline)"))
        elif (title_here and is_dek(block, meta)) or is_dek_before_byline(blocks, index, meta):
            meta["note"] = capitalize_first(text)
            entries.append(
                Entry("m-note", block.line, "lowercase dek kept as the front-matter note")
            )
        elif single and PUBLISHED.match(strip_marks(unlinked(text))) and len(text) < MAX_META_LINE:
            meta["published"] = [*meta.get("published", []), text]
            entries.append(
                Entry("m-published", block.line, "publication line kept as front matter")
            )
        else:
            break
        index += 1
    return blocks[index:], meta, entries


def title_line(block: Block) -> str | None:
    """The title a first block gives: a level-1 heading, or a headline in capitals."""
    text = block.text.strip()
    if block.kind == "heading":
        return strip_marks(text[2:]) if re.match(r"#\s", text) else None
    words = strip_marks(unlinked(text))
    if len(words) <= 150 and is_shouting(words) and not words.endswith((".", ",")):
        return words
    if len(words.split()) <= MAX_TITLE_WORDS and words[:1].isupper() and words[-1:].isalnum():
        return words  # a short line with no sentence punctuation heads the text
    return None


def is_dek(block: Block, meta: dict) -> bool:
    """A short paragraph in lowercase after the title: the standfirst."""
    text = strip_marks(block.text.strip())
    return (
        not meta.get("note")
        and block.kind == "para"
        and not block.quote
        and len(text) <= MAX_DEK
        and text[:1].islower()
    )


def is_byline(text: str) -> bool:
    """'By X', '*By X*', '**Words by X**', 'Text: X': a line naming the authors."""
    return bool(BYLINE.match(strip_marks(unlinked(text))))


def is_dek_before_byline(blocks: list[Block], index: int, meta: dict) -> bool:
    """A short paragraph between the title and a byline naming people is the standfirst,
    capitalized or not ("By the way, ..." is no byline)."""
    block, following = blocks[index], blocks[index + 1 : index + 2]
    text = block.text.strip()
    return (
        index <= MAX_DEK_INDEX
        and not meta.get("note")
        and not meta.get("authors")
        and block.kind == "para"
        and not block.quote
        and "\n" not in text
        and len(text) <= MAX_DEK
        and bool(following)
        and following[0].kind == "para"
        and names_people(following[0].text.strip())
    )


def names_people(text: str) -> bool:
    """A byline whose first name is capitalized, as names are."""
    if not is_byline(text):
        return False
    names = byline_names(strip_marks(unlinked(text)))
    return bool(names) and names[0][:1].isupper()


def capitalize_first(text: str) -> str:
    """The first letter in capitals, looking past emphasis markers and quotes."""
    return re.sub(r"^([*_\"'“‘]*)(\w)", lambda m: m.group(1) + m.group(2).upper(), text, count=1)


def take_back(blocks: list[Block], meta: dict) -> tuple[list[Block], dict, list[Entry]]:
    """Peel publication lines and a signature block off the bottom."""
    meta, entries = dict(meta), []
    end = len(blocks)
    trailing: list[str] = []
    while end > 0 and is_published_line(blocks[end - 1]):
        end -= 1
        trailing.insert(0, blocks[end].text.strip())
        entries.append(
            Entry("m-published", blocks[end].line, "publication line kept as back matter")
        )
    if not meta.get("signature"):
        start = signature_start(blocks[:end])
        if start is not None:
            lines = [line for b in blocks[start:end] for line in b.text.strip().split("\n")]
            meta["signature"] = {"closing": lines[0], "names": lines[1:]}
            entries.append(
                Entry(
                    "m-signature", blocks[start].line, f"signature block of {len(lines) - 1} names"
                )
            )
            if not meta.get("authors"):
                meta["authors"] = [name_without_place(line) for line in lines[1:]]
                entries.append(
                    Entry("m-authors", blocks[start].line, f"authors {meta['authors']} (signature)")
                )
            end = start
    if trailing:
        meta["published"] = [*meta.get("published", []), *trailing]
    return blocks[:end], meta, entries


def is_published_line(block: Block) -> bool:
    text = block.text.strip()
    return (
        block.kind == "para"
        and not block.quote
        and "\n" not in text
        and len(text) < MAX_META_LINE
        and bool(PUBLISHED.match(strip_marks(unlinked(text))))
    )


def signature_start(blocks: list[Block]) -> int | None:
    """Index of the closing line ("In solidarity,") of a trailing signature block, if any."""
    index = len(blocks)
    while index > 0 and blocks[index - 1].kind == "para" and not blocks[index - 1].quote:
        lines = blocks[index - 1].text.strip().split("\n")
        if all(is_name_line(line) for line in lines):
            index -= 1
            continue
        if len(lines) > 1 and CLOSING.match(lines[0]) and all(map(is_name_line, lines[1:])):
            return index - 1
        break
    if index == len(blocks) or index == 0:
        return None
    closing = blocks[index - 1]
    if closing.kind == "para" and not closing.quote and CLOSING.match(closing.text.strip()):
        return index - 1
    return None


def is_name_line(line: str) -> bool:
    """'David Camfield, Winnipeg' or 'Tomás Reyes': a name, maybe with a place."""
    if line.rstrip().endswith(","):
        return False  # "Yours," closes a letter; it names nobody
    name, _, place = line.strip().partition(",")
    words = name.split()
    if not 1 <= len(words) <= 5 or len(line) > 80 or re.search(r"\d|[.!?;:]$", line.strip()):
        return False
    capitalized = all(
        word[0].isupper() or word.lower() in NAME_PARTICLES or re.fullmatch(r"[A-Z]\.", word)
        for word in words
    )
    return capitalized and (not place.strip() or place.strip()[0].isupper())


def name_without_place(line: str) -> str:
    return line.split(",")[0].strip()


def byline_names(text: str) -> list[str]:
    """Names from 'By A and B · May 17, 2024'."""
    match = BYLINE.match(text)
    names = match.group("names") or match.group("labelled")
    names = re.split(r"\s+[·|•—–]\s+|\s+-\s+", names)[0]
    names = [strip_marks(name) for name in split_names(names)]
    return [name.title() if is_shouting(name) else name for name in names]


def infer(blocks: list[Block], meta: dict) -> tuple[dict, list[Entry]]:
    """Date, source, language and the title's case, from what is now known."""
    meta, entries = dict(meta), []
    line = blocks[0].line if blocks else 1
    imprint = [meta.get("note", ""), *meta.get("published", [])]
    front = [*imprint, meta.get("byline", "")]
    if not meta.get("date"):
        paragraphs = [b.text for b in blocks[:2] if b.kind == "para"]
        for text in [*front, *paragraphs]:
            date = find_date(unlinked(text or ""))
            if date:
                meta["date"] = date
                entries.append(Entry("m-date", line, f"date {date} from {unlinked(text)[:60]!r}"))
                break
    if not meta.get("source"):
        text = " ".join(filter(None, imprint))  # a byline's link names the author, not the source
        source = source_from_links(text) or source_from_phrase(strip_marks(unlinked(text)))
        if source:
            meta["source"] = source
            where = f" <{source['url']}>" if source.get("url") else ""
            entries.append(Entry("m-source", line, f"source {source['name']}{where}"))
    if not meta.get("language"):
        meta["language"] = detect_language(blocks)
        entries.append(Entry("m-language", line, f"language {meta['language']!r} (detected)"))
    else:
        meta["language"] = language.bcp47(str(meta["language"]))
    if meta.get("date") is not None:
        meta, doubt = declared_date(blocks, meta)
        entries += [Entry("m-date-ambiguous", 1, doubt, True)] if doubt else []
    return meta, entries


def declared_date(blocks: list[Block], meta: dict) -> tuple[dict, str | None]:
    """The front matter's date as ISO, day and month in the order of the text's language."""
    prose = "\n".join(block.text for block in blocks if block.kind == "para")
    reading = read_date(meta["date"], date_language(meta["language"], prose))
    if reading is None:  # readers reject such dates; this keeps a Draft from elsewhere safe
        rest = {key: value for key, value in meta.items() if key != "date"}
        return rest, f"date {meta['date']!r} is not a date and was left out; write it as 2024-10-17"
    return {**meta, "date": reading.iso}, reading.doubt


def fallback_title(path: Path) -> str:
    """A title from the file name, for a source that has none."""
    return re.sub(r"[_-]+", " ", path.stem).strip().capitalize() or "Untitled"


def source_from_links(text: str) -> dict | None:
    """The first real link in a dek or publication line names the source."""
    for match in LINK.finditer(text):
        url = match.group("target").strip("<>")
        if not is_real_target(url) or url.startswith("mailto:"):
            continue
        name = re.sub(
            r"^(?:by|from|at|on|in|via)\s+(?:the\s+)?", "", match.group("text").strip(), flags=re.I
        )
        name = strip_marks(name)
        if not name or len(name.split()) > 6 or name.lower() in GENERIC_LINK_TEXT:
            name = host_name(url)
        return {"name": name, "url": url}
    return None


def source_from_phrase(text: str) -> dict | None:
    """'Published by the Eastside Study Group on 1 September 2024' names the publisher, and
    'First appeared in Jacobin (https://jacobin.com/...)' its address too."""
    match = PUBLISHER.search(text)
    if not match or len(match.group("name").split()) > 6:
        return None
    if match.group("name").split()[0].lower().rstrip(".") in MONTHS:
        return None  # "published in March 2019" names a date, not a publisher
    address = BARE_URL.search(text, match.end())
    if address and is_real_target(address.group("url")):
        return {"name": match.group("name").strip(), "url": address.group("url")}
    return {"name": match.group("name").strip()}


def source_from_text(text: str) -> dict:
    if is_real_target(text):
        return {"name": host_name(text), "url": text}
    return {"name": text}


def detect_language(blocks: list[Block]) -> str:
    """BCP 47 language of the running text."""
    text = " ".join(unlinked(b.text) for b in blocks if b.kind in ("para", "heading", "list"))
    return language.detect(text)


def body_acronyms(blocks: list[Block]) -> frozenset[str]:
    """Words the body writes in capitals (ISO, NSG), so a capitals headline keeps them."""
    words: set[str] = set()
    for block in blocks:
        if not is_shouting(block.text):
            words.update(re.findall(r"\b[A-Z][A-Z0-9]{1,}\b", block.text))
    return frozenset(words)


def unlinked(text: str) -> str:
    """Link markup reduced to its words."""
    return LINK.sub(lambda match: match.group("text"), text)


def strip_marks(text: str) -> str:
    """Text without emphasis markers."""
    return EMPHASIS.sub("", text).strip()
