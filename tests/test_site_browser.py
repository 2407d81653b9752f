"""The catalogue in a real browser (Debian's chromium through Playwright), from file:// and HTTP.

Skipped only when no chromium executable can be found; Playwright never downloads a browser.
"""

import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import sync_playwright
from sitetools import Site, shared_site, start_server, wait_for_exit

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return shared_site(tmp_path_factory)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = find_chromium()
    if executable is None:
        pytest.skip("no chromium executable found")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module", params=["file", "http"])
def base(request: pytest.FixtureRequest, site: Site) -> Iterator[str]:
    """The site's address: a file:// folder, or `publish serve` over HTTP."""
    if request.param == "file":
        yield site.root.as_uri() + "/"
        return
    running = start_server(site.root)
    yield running.url
    running.process.send_signal(signal.SIGINT)
    wait_for_exit(running.process)


class Visit:
    """A page with every console error, page error, failed request and error status kept."""

    def __init__(self, browser: object, viewport: dict) -> None:
        self.page = browser.new_page(viewport=viewport)
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda message: message.type == "error" and self.problems.append(message.text),
        )
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.page.on(
            "requestfailed",
            lambda request: self.problems.append(f"failed: {request.url} {request.failure}"),
        )
        self.page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.problems.append(f"{response.status}: {response.url}")
            ),
        )

    def open(self, url: str) -> None:
        self.page.goto(url, wait_until="load")

    def close(self) -> None:
        self.page.close()


def page_urls(base: str, site: Site) -> list[str]:
    pages = ["index.html", *sorted(f"books/{p.name}" for p in (site.root / "books").iterdir())]
    return [base + name for name in pages]


def visible_books(visit: Visit) -> list[str]:
    return visit.page.eval_on_selector_all(
        "#books > li", "items => items.filter(i => !i.hidden).map(i => i.dataset.book)"
    )


def test_pages_load_without_errors_or_horizontal_scroll(browser, base, site):
    for viewport in (PHONE, DESKTOP):
        visit = Visit(browser, viewport)
        for url in page_urls(base, site):
            visit.open(url)
            width = visit.page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (url, width)
            fonts = visit.page.evaluate(
                "document.fonts.ready.then(set => [...set].filter(f => f.status === 'loaded')"
                ".map(f => f.family))"
            )
            assert "EB Garamond" in " ".join(fonts), url
        visit.close()
        assert visit.problems == []


def test_search_and_filters_find_the_right_books(browser, base):
    visit = Visit(browser, PHONE)
    visit.open(base + "index.html")
    page = visit.page
    assert page.is_visible("#find")
    everything = ["mill-and-river", "le-bulletin-des-rives", "the-strike-at-the-mill"]
    assert visible_books(visit) == everything
    page.fill("#q", "spinners")
    assert visible_books(visit) == ["the-strike-at-the-mill"]
    page.fill("#q", "ÉLISE")
    assert visible_books(visit) == ["mill-and-river", "le-bulletin-des-rives"]
    page.fill("#q", "")
    page.select_option("#language", "fr")
    assert visible_books(visit) == ["le-bulletin-des-rives"]
    page.select_option("#language", "")
    page.select_option("#kind", "reader")
    assert visible_books(visit) == ["mill-and-river"]
    page.select_option("#kind", "")
    page.select_option("#author", "Ben Loom")
    assert visible_books(visit) == ["mill-and-river", "the-strike-at-the-mill"]
    assert page.text_content("#count") == "2 of 3 books"
    page.fill("#q", "no such words")
    assert visible_books(visit) == []
    assert page.is_visible("#none")
    visit.close()
    assert visit.problems == []


def test_every_link_on_every_page_resolves(browser, base, site):
    visit = Visit(browser, DESKTOP)
    checked: set[str] = set()
    for url in page_urls(base, site):
        visit.open(url)
        targets = visit.page.eval_on_selector_all(
            "a[href], link[href], img[src], script[src]", "els => els.map(e => e.href || e.src)"
        )
        ids = set(visit.page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        for target in targets:
            parts = urlsplit(target)
            if parts.fragment and target.split("#")[0] == url:
                assert parts.fragment in ids, (url, target)
            address = target.split("#")[0]
            if address in checked:
                continue
            checked.add(address)
            if parts.scheme == "file":
                assert Path(unquote(parts.path)).is_file(), (url, target)
            else:
                response = visit.page.request.get(address)
                assert response.status == 200, (url, target, response.status)
    visit.close()
    assert len(checked) > 20
    assert visit.problems == []


def test_accessibility_check_finds_no_serious_violation(browser, base, site):
    visit = Visit(browser, PHONE)
    for url in page_urls(base, site):
        visit.open(url)
        visit.page.add_script_tag(path=str(AXE))
        results = visit.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [
            (v["id"], [node["target"] for node in v["nodes"]])
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], url
    visit.close()
