"""The HTML reader: saved web pages become the article alone, as Markdown, with their metadata."""

from functools import cache
from pathlib import Path

import pytest
import trafilatura

from publish.errors import PublishError
from publish.sources import Draft
from publish.sources.html import read

SAMPLES = Path("/work/shared/samples")
WEB = SAMPLES / "web"

STRIKE_REPORT_BODY = """\
Workers at the Northside industrial bakery voted on Thursday to ratify a three-year contract, \
ending a nine-day strike that had emptied supermarket bread shelves across the region.

The agreement raises base pay by 14 percent over three years and, for the first time, limits \
mandatory overtime to eight hours a week. "We didn't go out for the money alone," said Ruth \
Adeyemi, a mixer operator with eleven years at the plant. "We went out because people were \
working sixteen-hour days and falling asleep at the wheel on the way home."

## How the strike was won

Strikers kept picket lines at both gates around the clock. Delivery drivers from a \
[neighbouring union](https://example.org/drivers-union) refused to cross them, and by the fifth \
day the company was buying bread from competitors to meet its contracts.

> The drivers made the difference. Once the trucks stopped, the company had to talk.

A full copy of the tentative agreement was posted by the union \
[on its website](https://example.org/local-12/ta-2024.pdf) before the vote.

## What comes next

Union officers said they would use the overtime language as a model in negotiations at two \
other plants owned by the same company later this year.
"""

# file, language, title, article text that must come through, boilerplate that must not
WEB_PAGES = [
    (
        "wikimediafoundation.org.turkey.html",
        "en-US",
        "Access to Wikipedia restored in Turkey after more than two and a half years",
        [
            "Today, on Wikipedia’s 19th birthday, the Wikimedia Foundation has received reports",
            "More than 85 percent of the articles on Wikipedia are in languages other than English",
            "[full text of that ruling](https://www.anayasa.gov.tr/media/6426/2017-22355.pdf)",
        ],
        ["Toggle search", "This mailing list is powered by MailChimp", "Read more"],
    ),
    (
        "pagesix.com.myers.html",
        "en",
        "Former WH press secretary Dee Dee Myers exits Warner Bros. role",
        [
            "is exiting her role as communications head at studio",
            "Her last day is April 1, and Warners has not named a replacement.",
            "[told Variety](https://variety.com/2020/film/news/",
        ],
        ["Comment(required)", "Post was not sent", "Email Newsletters", "Click to share on"],
    ),
    (
        "womencantalksports.com.top10.html",
        "en-US",
        "Top 10 Women Talking Sports",
        [
            "A generally accepted myth: Men talk about sports, women don’t.",
            "**Truth:** 45% of NFL fans are female",
            "[Outkick The Coverage](http://outkickthecoverage.com/)",
        ],
        ["Submit your sports question below", "Please leave this field empty", "Popular Posts"],
    ),
    (
        "reporternewspapers.net-Brookhaven.html",
        "en-US",
        "Brookhaven Village closed due to gas leak",
        [
            "Dresden Drive is closed between Ellijay Drive and Apple Valley Road due to a gas leak",
            "BPD said there are no current evacuations",
        ],
        ["Privacy Policy", "Loading Comments", "Support Local News", "Click to share on"],
    ),
    (
        "greenpeace.de.nachhaltigleben.html",
        "de",
        "Nachhaltiger leben",
        [
            "Jede:r Deutsche kauft im Schnitt rund 60 neue Kleidungsstücke pro Jahr.",
            "\n\n## Ressourcenwende politisch einleiten\n\n",
            "(https://www.greenpeace.de/biodiversitaet/landwirtschaft/anbau/gesunde-ernaehrung",
        ],
        ["Jetzt abonnieren", "Spendenkonto", "Datenschutzeinstellungen", "Kontrast ändern"],
    ),
    (
        "bondyblog.fr.paris-8.html",
        "fr-FR",
        "A Paris-8, un peu de tension, beaucoup d'actions",
        [
            "En apparence, la lutte est festive.",
            "\n\n### Une grève reconductible à partir du 5 mars\n\n",
            "\n\n> Je suis obligé de donner des cours au black pour vivre dignement\n\n",
        ],
        ["Articles liés", "Qui sommes-nous", "Contre les E3C", "Soutenez-nous"],
    ),
]


@cache
def draft(path: Path) -> Draft:
    """Read a sample page once for all the tests that look at it."""
    return read(path, path.read_text(encoding="utf-8"))


def read_page(html: str, path: Path = Path("page.html")) -> Draft:
    """Read a page given inline."""
    return read(path, html)


def article(paragraphs: str, head: str = "", lang: str = "en") -> str:
    """A small page: `head` in <head>, the paragraphs in an <article> long enough to extract."""
    filler = (
        "<p>Tenants in the Elm Street buildings ended a three-month rent strike on Friday after "
        "the landlord agreed to fix heating, replace broken locks and return deposits.</p>"
    )
    return (
        f'<html lang="{lang}"><head><title>Rent strike wins repairs</title>{head}</head>'
        f"<body><nav><a href='/'>Home</a></nav><article>{filler}{paragraphs}{filler}</article>"
        "<footer>Copyright Tenant News</footer></body></html>"
    )


def test_strike_report_metadata() -> None:
    assert draft(SAMPLES / "strike-report.html").meta == {
        "title": "Bakery workers end 9-day strike with new contract",
        "authors": ["Priya Natarajan"],
        "date": "2024-05-17",
        "language": "en",
        "source": {"name": "Example Labor News"},
    }


def test_strike_report_body_is_the_article_alone() -> None:
    result = draft(SAMPLES / "strike-report.html")
    assert result.kind == "html"
    assert result.body == STRIKE_REPORT_BODY
    for boilerplate in ("Sign up for our newsletter", "Share:", "Privacy", "Home", "Donate"):
        assert boilerplate not in result.body


@pytest.mark.parametrize(("name", "language", "title", "present", "absent"), WEB_PAGES)
def test_web_page(
    name: str, language: str, title: str, present: list[str], absent: list[str]
) -> None:
    result = draft(WEB / name)
    page = trafilatura.load_html(result.path.read_text(encoding="utf-8"))
    page_text = " ".join("".join(page.itertext()).split())
    assert result.meta["language"] == language
    assert result.meta["title"] == title
    for text in present:
        assert text in result.body
    for boilerplate in absent:
        assert boilerplate in page_text  # the page has it, so its absence below means something
        assert boilerplate not in result.body
    for unsafe in ("<script", "<iframe", "javascript:"):
        assert unsafe not in result.body.lower()


@pytest.mark.parametrize("path", [SAMPLES / "strike-report.html", *(WEB / p[0] for p in WEB_PAGES)])
def test_body_shape(path: Path) -> None:
    body = draft(path).body
    assert body.endswith("\n") and not body.endswith("\n\n")
    assert "\n\n\n" not in body
    assert all(line == line.rstrip() for line in body.split("\n"))
    assert not any(line.startswith("# ") for line in body.split("\n"))


def test_title_heading_and_byline_go_to_meta() -> None:
    head = (
        '<meta name="author" content="Priya Natarajan">'
        '<meta property="article:published_time" content="2024-05-17">'
    )
    page = article("<p>By Priya Natarajan · May 17, 2024</p>", head).replace(
        "<article>", "<article><h1>Rent strike wins repairs</h1>"
    )
    result = read_page(page)
    assert result.meta["authors"] == ["Priya Natarajan"]
    assert result.meta["date"] == "2024-05-17"
    assert "Rent strike wins repairs" not in result.body
    assert "By Priya" not in result.body


def test_byline_naming_someone_else_stays() -> None:
    head = '<meta name="author" content="Priya Natarajan">'
    result = read_page(article("<p>By Priya Natarajan and Tom Lee</p>", head))
    assert "By Priya Natarajan and Tom Lee" in result.body


def test_title_suffix_and_authors() -> None:
    head = (
        '<meta property="og:title" content="Rent strike wins repairs | Tenant News">'
        '<meta name="author" content="Ann Lee, Bo Ray &amp; Cy Dee and Di Fox">'
    )
    result = read_page(article("", head))
    assert result.meta["title"] == "Rent strike wins repairs"
    assert result.meta["authors"] == ["Ann Lee", "Bo Ray", "Cy Dee", "Di Fox"]


def test_links_resolve_against_the_canonical_url() -> None:
    head = '<link rel="canonical" href="https://news.example.org/2024/05/strike.html">'
    links = (
        '<p>Read <a href="../docs/deal.pdf">the deal</a>, <a href="javascript:void(0)">share</a>, '
        '<a href="#top">go up</a> or <a href="mailto:union@example.org">write to us</a>.</p>'
    )
    result = read_page(article(links, head))
    assert result.meta["source"] == {
        "name": "news.example.org",
        "url": "https://news.example.org/2024/05/strike.html",
    }
    assert (
        "Read [the deal](https://news.example.org/2024/docs/deal.pdf), share, go up or "
        "[write to us](mailto:union@example.org)." in result.body
    )


def test_relative_links_without_a_page_url_become_text() -> None:
    result = read_page(article('<p>See <a href="/docs/deal.pdf">the deal</a> now.</p>'))
    assert "See the deal now." in result.body


def test_text_is_escaped() -> None:
    paragraphs = (
        "<p>5 * 3 = 15, snake_case, [1], `x`, &lt;b&gt; &amp; <b>bold</b> <i>it</i>.</p>"
        "<p># not a heading</p><p>&gt; not a quote</p><p>- not an item</p>"
        "<p>+ not either</p><p>1. not a list</p><p>1984 was a year.</p>"
    )
    body = read_page(article(paragraphs)).body
    assert r"5 \* 3 = 15, snake\_case, \[1\], \`x\`, &lt;b> &amp; **bold** *it*." in body
    for escaped in (r"\# not a heading", r"\> not a quote", r"\- not an item", r"\+ not either"):
        assert f"\n\n{escaped}\n\n" in body
    assert "\n\n1\\. not a list\n\n" in body
    assert "\n\n1984 was a year.\n\n" in body


def test_lists_and_quotes() -> None:
    content = (
        "<ul><li>heat in <em>all</em> flats</li><li>locks<ul><li>front doors</li>"
        "<li>mail boxes</li></ul></li></ul><ol><li>First demand</li><li>Second demand</li></ol>"
        "<blockquote><p>We won.</p><p>Together.</p></blockquote>"
    )
    body = read_page(article(content)).body
    assert "- heat in *all* flats\n- locks\n    - front doors\n    - mail boxes\n\n" in body
    assert "1. First demand\n2. Second demand\n\n" in body
    assert "> We won.\n>\n> Together.\n\n" in body


def test_language_tag_is_cased() -> None:
    assert read_page(article("", lang="en_us")).meta["language"] == "en-US"


@pytest.mark.parametrize(
    "html", ["<html><body><nav>Home</nav></body></html>", "", "<html><body></body></html>"]
)
def test_page_without_an_article_is_refused(html: str) -> None:
    path = Path("saved/empty-page.html")
    with pytest.raises(PublishError, match="empty-page.html"):
        read(path, html)


def test_code_and_tables() -> None:
    content = (
        "<ul><li>one step</li></ul><pre><code>#!/bin/sh\necho *done*</code></pre>"
        "<table><tr><th>Building</th><th>Rent</th></tr><tr><td>Elm</td><td>a|b</td></tr></table>"
    )
    body = read_page(article(content)).body
    assert "- one step\n\n```\n#!/bin/sh\necho *done*\n```\n\n" in body
    assert "| Building | Rent |\n| --- | --- |\n| Elm | a\\|b |\n\n" in body
