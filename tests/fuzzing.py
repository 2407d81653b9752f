"""Structure-aware hypothesis strategies for hostile sources, front matter and manifests.

Each strategy builds inputs the way real damage looks: scraped text with split paragraphs,
stray emphasis, dead and nested links, malformed hosts, quotation markers, deep nesting,
over-long words, raw HTML, characters XML forbids and private-use characters; YAML front
matter with wrong types, bad timestamps and aliases; any common encoding, with byte damage;
reader manifests with wrong types and paths that leave the project.

Body words come from WORDS only, and nothing else in a generated source is made of those
words, so "no word lost" can be checked as: every WORDS member in the input is in the output.
"""

import string

from hypothesis import strategies as st

from publish.frontmatter import KEY_ORDER

WORDS = (
    "union rent strike tenant landlord organize meeting solidarity wages picket members "
    "ballot bargaining pamphlet reader housing council worker branch delegate struggle "
    "Draper McNally March café naïve Ça Straße"
).split()
WORD = st.sampled_from(WORDS)
# Hosts and paths are made of letters that are not words of WORDS.
URL_PART = st.text(alphabet="xyzqk", min_size=1, max_size=6)

GOOD_URL = st.builds(lambda host, path: f"https://{host}.org/{path}", URL_PART, URL_PART)
BAD_URL = st.sampled_from(
    [
        "http://[^^]/x",
        "https://ex..ample.org/x",
        "http://[::1/x",
        "http://[fe80::zz]/",
        "https://.org",
        "http://-x-.org/",
        "https://xx:99999/",
        "http://%zz/",
        "mailto:",
        "javascript:alert(1)",
        "#",
        "",
    ]
)
ODD_CHARS = st.sampled_from(
    [
        "\ue000",
        "\ue001",
        "\uf8ff",
        "\ufffe",
        "\uffff",
        "\U0010fffe",
        "\x0b",
        "\x0c",
        "\x00",
        "\x1b",
        "\u200b",
        "\u00a0",
        "\u00ad",
        "\u2028",
        "\ufeff",
        "\U0001f600",
    ]
)
PUNCT = st.sampled_from(
    ["", ",", ".", ":", "...", "--", " - ", " -- ", '"', "'", "*", "**", "_", "?", ";", "—*'"]
)


def _link(words: str, url: str) -> str:
    return f"[{words}]({url})"


PHRASE = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
TOKEN = st.one_of(
    WORD,
    WORD,
    WORD,
    st.tuples(WORD, PUNCT).map("".join),
    st.tuples(PUNCT, WORD).map("".join),
    st.tuples(PUNCT, WORD, PUNCT).map("".join),
    st.builds(_link, PHRASE, GOOD_URL),
    st.builds(_link, PHRASE, BAD_URL),
    PHRASE.map(lambda words: f"[[{words}]()](#)"),
    PHRASE.map(lambda words: f"[{words}]()"),
    st.just("[]()"),
    PHRASE.map(lambda words: f"*{words}*"),
    PHRASE.map(lambda words: f"**{words}**"),
    PHRASE.map(lambda words: f"`{words}`"),
    st.tuples(WORD, ODD_CHARS, WORD).map(lambda t: t[0] + t[1] + " " + t[2]),
    ODD_CHARS,
    st.integers(1, 9).map(lambda n: f"[^{n}]"),
    GOOD_URL,
    st.integers(60, 400).map(lambda n: "kq" * n),  # a pasted blob
    st.sampled_from(["<li>", "</li>", "<b>", "<script>", "<div>", "<br>", "&amp;", "&#0;", "<!--"]),
)
SENTENCE = st.lists(TOKEN, min_size=1, max_size=18).map(" ".join)
PREFIX = st.one_of(
    st.sampled_from(["", "", "", "", "> ", ">> ", "> > ", "## ", "# ", "- ", "1. ", "   "]),
    st.integers(2, 60).map(lambda n: "> " * n),
    st.integers(2, 60).map(lambda n: ">" * n + " "),
)
BLOCK = st.one_of(
    st.tuples(PREFIX, SENTENCE).map("".join),
    st.sampled_from(["#", "##", "# ", "- ", ">", "***", "---", "[^1]: ", "<li>item</li>"]),
    st.builds(lambda n, words: f"[^{n}]: {words}", st.integers(1, 9), PHRASE),
    # a paragraph split in two by a stray blank line
    st.builds(lambda a, b: f"{a}\n\n{b.lower()}", SENTENCE, SENTENCE),
    # short paragraphs, as a scrape of a list of one-liners gives
    st.lists(WORD, min_size=2, max_size=30).map("\n\n".join),
    # bylines, datelines and publication lines
    st.builds(lambda a, b: f"By {a} and {b}", WORD, WORD),
    st.sampled_from(["March 21, 2019", "2019-03-21", "21/03/2019", "First published on"]),
)
SEPARATOR = st.sampled_from(["\n\n", "\n\n", "\n", "\n\n\n", "\n \n", "\r\n\r\n"])
BODY = st.builds(
    lambda blocks, seps: "".join(b + s for b, s in zip(blocks, seps * len(blocks), strict=False)),
    st.lists(BLOCK, min_size=1, max_size=12),
    st.lists(SEPARATOR, min_size=1, max_size=3),
)

# YAML front matter: the canonical keys with values of every type, good and bad.
SCALAR = st.one_of(
    PHRASE.map(repr),
    PHRASE,
    st.integers(-5, 5000).map(str),
    st.sampled_from(["true", "no", "null", "~", "1.5", "''", "[]", "{}", "!!binary aGk="]),
    st.sampled_from(["2019-03-21", "2019-13-45", "0000-01-01", "2019-02-30", "2019-03"]),
    st.sampled_from(["12/10/2024", "October 2024", "2019-03-21T25:00:00"]),
)
VALUE = st.one_of(
    SCALAR,
    st.lists(SCALAR, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
    st.lists(SCALAR, max_size=2).map(lambda items: "[[" + ", ".join(items) + "]]"),
    st.builds(lambda k, v: f"{{{k}: {v}}}", st.sampled_from(["name", "url", "names", "x"]), SCALAR),
    st.just("&a [1, 2]"),
    st.just("*a"),
    st.just("&b [*b]"),
)
KEY = st.sampled_from([*KEY_ORDER, "rights", "running_head", "extra"])
FRONT_MATTER = st.one_of(
    st.just(""),
    st.lists(st.tuples(KEY, VALUE), max_size=6).map(
        lambda pairs: "---\n" + "".join(f"{k}: {v}\n" for k, v in pairs) + "---\n"
    ),
    st.just("---\na: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n---\n"),
    st.just("---\n- not\n- a mapping\n---\n"),
    st.just("---\ntitle: [unclosed\n---\n"),
)

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1")
DAMAGE = st.sampled_from(
    [
        None,
        None,
        None,
        "truncate-odd",
        "lone-surrogate",
        "nul-bytes",
        "random-byte",
    ]
)


def encode(text: str, encoding: str, damage: str | None, where: int) -> bytes:
    """The text in an encoding (unencodable characters replaced), then damaged."""
    data = text.encode(
        encoding, errors="replace" if encoding in ("cp1252", "latin-1") else "surrogatepass"
    )
    at = where % (len(data) + 1)
    if damage == "truncate-odd":
        return data[: len(data) - 1] if len(data) % 2 == 0 else data
    if damage == "lone-surrogate":
        return data[:at] + ("\ud800".encode("utf-16-le", "surrogatepass")) + data[at:]
    if damage == "nul-bytes":
        return data[:at] + b"\x00\x00" + data[at:]
    if damage == "random-byte":
        return data[:at] + bytes([where % 256]) + data[at:]
    return data


# Reader manifests: good structure with wrong types, odd paths and odd keys.
TOML_STRING = st.one_of(
    PHRASE.map(lambda s: f'"{s}"'),
    st.sampled_from(['""', '"\\u0000"', "true", "5", "[]", "{}", '"2024-09-01"', "2024-09-01"]),
    st.sampled_from(['"October 2024"', '"12/10/2024"', '"no"', '"yes"']),
)
TEXT_PATH = st.one_of(
    st.sampled_from(
        [
            '"a.md"',
            '"b.txt"',
            '"./a.md"',
            '"missing.md"',
            '"/etc/passwd"',
            '"../../etc/hostname"',
            '"sub/../a.md"',
            '"a.md\\u0000x"',
            '""',
            "5",
            "true",
            '"."',
        ]
    ),
    st.integers(200, 320).map(lambda n: '"' + "n" * n + '.md"'),
)
PART = st.builds(
    lambda title, texts, questions, extra: (
        "[[parts]]\n"
        + (f"title = {title}\n" if title else "")
        + (f"texts = [{', '.join(texts)}]\n" if texts is not None else "")
        + (f"questions = [{', '.join(questions)}]\n" if questions else "")
        + extra
    ),
    st.one_of(st.none(), TOML_STRING),
    st.one_of(st.none(), st.lists(TEXT_PATH, max_size=3)),
    st.lists(TOML_STRING, max_size=2),
    st.sampled_from(["", "", "colour = 1\n", "texts = 5\n"]),
)
MANIFEST = st.builds(
    lambda title, top, parts: (f"title = {title}\n" if title else "") + "".join(top + parts),
    st.one_of(st.none(), TOML_STRING),
    st.lists(
        st.builds(
            lambda key, value: f"{key} = {value}\n",
            st.sampled_from(
                [
                    "subtitle",
                    "editor",
                    "date",
                    "intro",
                    "language",
                    "number_paragraphs",
                    "parts",
                    "x",
                ]
            ),
            st.one_of(TOML_STRING, TEXT_PATH),
        ),
        max_size=3,
        unique_by=lambda line: line.split(" ")[0],
    ),
    st.lists(PART, min_size=0, max_size=3),
)

SAFE_NAME = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8)
