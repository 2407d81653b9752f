"""The document model: notes, headings, sanitizing, typesetting marks."""

import re

from hypothesis import given
from hypothesis import strategies as st
from lxml import html as lxml_html

from publish.document import parse, plain_words, slugify, url_pieces

FRONT = "---\ntitle: T\nlanguage: en\n---\n\n"


def doc(body: str):
    return parse(FRONT + body)


def test_links_and_author_notes_share_one_numbering():
    d = doc(
        "A [link](https://a.org/x) and a note.[^n] Then [another](https://b.org).\n\n[^n]: Mine.\n"
    )
    assert [(n.number, n.kind) for n in d.notes] == [(1, "link"), (2, "author"), (3, "link")]
    assert d.notes[0].url == "https://a.org/x" and d.notes[1].html == "Mine."
    assert (
        '<a href="https://a.org/x">link</a><span class="note-call" data-note="1">1</span>' in d.body
    )
    assert "footnote" not in d.body  # the definitions left the body


def test_body_with_calls_swaps_markers():
    d = doc("See [x](https://a.org).\n")
    out = d.body_with_calls(lambda note: f"<sup>{note.number}:{note.kind}</sup>")
    assert out == '<p>See <a href="https://a.org">x</a><sup>1:link</sup>.</p>'


def test_link_inside_an_author_note_prints_its_url():
    d = doc("Text.[^n]\n\n[^n]: From the [clinic](https://example.net/a-b).\n")
    assert d.notes[0].html.startswith(
        'From the <a href="https://example.net/a-b">clinic</a> (<span class="url">'
    )
    assert d.notes[0].html.endswith("</span>).")


def test_url_notes_break_after_slashes_and_before_dots():
    d = doc("[x](https://example.org/a/b-c.pdf)\n")
    pieces = ["https://", "example", ".org/", "a/", "b", "-c", ".pdf"]
    assert d.notes[0].html == (
        '<span class="url">'
        + "<wbr/>".join(f'<span class="url-piece">{piece}</span>' for piece in pieces)
        + "</span>"
    )


@given(st.text(alphabet="ab-./?=&_#:", max_size=80))
def test_url_pieces_rejoin_and_no_piece_ends_in_a_hyphen(url: str) -> None:
    pieces = url_pieces(url)
    assert "".join(pieces) == url
    assert all(pieces)
    for piece, following in zip(pieces, pieces[1:], strict=False):
        # a line may end after a slash or before . - ? = &, or inside an overlong run
        assert piece.endswith("/") or following[0] in ".-?=&" or len(piece) == 24
        assert not (piece.endswith("-") and len(piece) < 24)


def test_closing_credits_and_datelines_are_marked_not_paragraphs():
    d = doc("Text one.\n\nText two, ending: 2024.\n\n*Eastside Study Group, September 2024*\n")
    assert d.body.endswith('<p class="credit"><em>Eastside Study Group, September 2024</em></p>')
    assert d.body.count('class="credit"') == 1
    d = doc("Text.\n\nIn solidarity,\n\nToronto, 14 March 2019\n")
    assert d.body.count('class="credit"') == 2
    assert doc("*A wholly italic opening.*\n\nThe text ends here.\n").body.count("credit") == 0


def test_authors_names_are_marked_wherever_they_appear():
    d = parse(
        "---\ntitle: T\nauthors: [David Camfield]\nsignature:\n  names: [Todd Gordon, Toronto]\n"
        "---\n\nBy David Camfield, with Gordon; not Davidson.\n"
    )
    assert d.body == (
        '<p>By <span class="name">David Camfield</span>, with <span class="name">Gordon</span>;'
        " not Davidson.</p>"
    )


def test_headings_get_ids_and_start_at_level_two():
    d = doc("# One\n\ntext\n\n## Two\n\n# One\n")
    assert [(h.level, h.id, h.text) for h in d.headings] == [
        (2, "h-one", "One"),
        (3, "h-two", "Two"),
        (2, "h-one-2", "One"),
    ]
    assert '<h2 id="h-one">One</h2>' in d.body


def test_active_content_never_survives():
    d = doc(
        '<script>alert(1)</script>\n\n<iframe src="http://127.0.0.1/"></iframe>\n\n'
        '<p onclick="x()">Hi <a href="javascript:alert(1)">js</a> '
        '<a href="file:///etc/passwd" rel="attachment">file</a> '
        '<img src="http://127.0.0.1/a.png" alt="remote"> <img src="data:image/png;base64,AA" alt="d">'
        "<form><input></form><style>p{}</style></p>\n"
    )
    for bad in ("<script", "alert", "<iframe", "onclick", "javascript:", "file:", "attachment",
                "127.0.0.1", "data:", "<form", "<input", "<style"):  # fmt: skip
        assert bad not in d.body
    assert "js" in d.body and "file" in d.body and "remote" in d.body and d.notes == ()


def test_local_images_keep_their_source():
    d = doc("![A picket](images/picket.jpg) ![up](../secret.png)\n")
    assert 'src="images/picket.jpg"' in d.body and "secret" not in d.body


def test_acronyms_are_marked_and_dashes_never_start_a_line():
    d = doc("The ISO’s view in the U.S. — and NSG.\n")
    assert '<abbr class="ac">ISO</abbr>’s' in d.body
    assert '<abbr class="ac">U.S.</abbr>\u00a0— and' in d.body


def test_quotation_marks_at_the_edges_of_italics_are_set_in_roman():
    d = doc(
        "Elle affirme *« J’ai tout fait ».* Puis : « *c’est solide. »* Et *« ceci* reste.\n\n"
        "She said *‘Hello,’* to *the students’* hall, *“a [call](https://a.org)”*; and „*Wort“*.\n"
    )
    assert "affirme « <em>J’ai tout fait</em> ». Puis" in d.body
    assert "« <em>c’est solide.</em> » Et « <em>ceci</em> reste" in d.body
    assert "said ‘<em>Hello,</em>’ to <em>the students’</em> hall" in d.body
    assert re.search(
        r"“<em>a <a [^>]+>call</a><span [^>]+>1</span></em>”; and „<em>Wort</em>“", d.body
    )
    assert doc("*»*\n").body.count("<em>»</em>") == 1  # a mark alone keeps its style


@given(st.text(alphabet="«»“”‘’„ \u00a0ab.,*", max_size=30))
def test_moving_quotation_marks_out_of_italics_keeps_every_character(text: str) -> None:
    body = doc(text + "\n").body
    assert sorted(re.sub(r"<[^>]+>|\s", "", body)) == sorted(
        re.sub(r"<[^>]+>|\s", "", doc_text(text))
    )


def doc_text(text: str) -> str:
    """The body the same text gets with the quotation rule undone: its characters only."""
    from publish import document

    saved, document.quotes_outside = document.quotes_outside, lambda emphasis: None
    try:
        return doc(text + "\n").body
    finally:
        document.quotes_outside = saved


def test_empty_elements_are_written_open_and_closed():
    d = doc("a\n\n<p></p>\n\nb  \nc\n")
    assert "<p/>" not in d.body and "<br/>" in d.body


def test_meta_fields():
    d = parse(
        "---\ntitle: A Title\nlanguage: fr\nauthors: [A B]\nnote: Dek with [a link](https://a.org)\n"
        "published: [First published on *Facebook*]\nsignature: {closing: 'Yours,', names: [A B, Paris]}\n---\n\nText.\n"
    )
    assert d.meta.note_html == 'Dek with <a href="https://a.org">a link</a>'
    assert d.meta.published_html == ("First published on <em>Facebook</em>",)
    assert d.meta.closing == "Yours," and d.meta.signature == ("A B", "Paris")
    assert d.slug == "a-title" and d.meta.language == "fr"


def test_slugify_and_words():
    assert slugify("A Letter from Canadian Comrades") == "a-letter-from-canadian-comrades"
    assert slugify("Ça va — très bien!") == "ca-va-tres-bien"
    assert plain_words(FRONT + "Hello *big* [world](https://x.org).[^a]\n\n[^a]: Note.\n") == [
        "Hello", "big", "world", "1", "Note",
    ]  # fmt: skip


def test_lead_ins_are_marked_to_stay_with_what_they_introduce():
    d = doc("She continues:\n\n> Quoted.\n\nWe agreed on:\n\n- one\n\nNo colon here\n\n> Quoted.\n")
    assert d.body.count('<p class="lead-in">') == 2
    assert "<p>No colon here</p>" in d.body


def test_an_unclosed_comment_or_script_does_not_swallow_the_words_after_it():
    body = "kept <!-- hidden --> too\n\nunion <script> rent\n\n<!-- march ballot\n\nstrike struggle"
    document = parse(f"---\ntitle: T\nlanguage: en\n---\n\n{body}\n")
    text = re.sub(r"<[^>]+>", " ", document.body)
    for word in ("union", "rent", "march", "ballot", "strike", "struggle", "kept", "too"):
        assert word in text
    assert "hidden" not in text and "<script" not in document.body


def test_words_a_stray_closing_tag_leaves_between_list_items_join_an_item():
    d = doc("- one </li> two [link](https://a.org) three </li> four\n- five\n")
    root = lxml_html.fragment_fromstring(d.body, create_parent="div")
    listing = root.find("ul")
    assert [child.tag for child in listing] == ["li", "li"]
    assert not (listing.text or "").strip()
    assert all(not (item.tail or "").strip() for item in listing)
    words = [word for word in " ".join(listing.itertext()).split() if word.isalpha()]
    assert words == ["one", "two", "link", "three", "four", "five"]
