"""What an editor reads, in a real browser: relations in plain words (codes in
tooltips), untitled articles headed by their first line, one "review is off" notice
a page, make-up colours apart from highlight colours, a bad id refused in a
sentence, long unbroken names wrapped, "share copied" explained where it is shown."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.helpers import ApiClient, Browser, LiveServer, sign_in

# An undated story and an undated copy of it: which ran first is unknown.
SHARED_PARAGRAPH = (
    "The harbour authority said on Friday that dredging of the northern channel would "
    "begin in the spring and last about six weeks, closing the marina to boats longer "
    "than twelve metres while the work went on."
)
MONDAY_PARAGRAPH = SHARED_PARAGRAPH.replace("Friday", "Monday")
LONG_OUTLET = "Outlet" + "x" * 194  # 200 characters, no break opportunity
LONG_TITLE = "Title" + "y" * 195
EXTRA_ARTICLES: list[dict[str, object]] = [
    {
        "id": "undated-first-line",
        "outlet": "Quay Gazette",
        "text": "Dredging to close the marina for six weeks\n\n" + SHARED_PARAGRAPH,
    },
    {
        "id": "undated-copy",
        "outlet": "Marina Notes",
        "text": "Boat owners have been told to plan ahead.\n\n" + SHARED_PARAGRAPH,
    },
    {
        "id": "long-names-source",
        "outlet": LONG_OUTLET,
        "title": LONG_TITLE,
        "published_at": "2026-04-01T08:00:00Z",
        "text": "Opening paragraph of the original.\n\n" + MONDAY_PARAGRAPH,
    },
    {
        "id": "long-names-copy",
        "outlet": LONG_OUTLET[::-1],
        "title": LONG_TITLE[::-1],
        "published_at": "2026-04-01T12:00:00Z",
        "text": "A lead of its own.\n\n" + MONDAY_PARAGRAPH,
    },
]
CODES = ("copied-from", "copied-by", "common-source")
# The highlights' palette and the make-up bar's parts, with every colour they paint.
COLOURS_OF = """selector => [...document.querySelectorAll(selector)].flatMap(el => {
  const style = getComputedStyle(el);
  return (style.backgroundColor + ' ' + style.backgroundImage).match(/rgba?\\([^)]*\\)/g) || [];
})"""


@pytest.fixture(scope="module")
def words_index(
    review_server: LiveServer, newsroom_index: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The newsroom, plus undated articles and articles with very long names."""
    origins = dict(newsroom_index)
    with requests.Session() as session:
        client = ApiClient(review_server.url, session)
        for article in EXTRA_ARTICLES:
            response = client.post_article(article)
            assert response.status_code == 200, response.text
            origins[str(article["id"])] = response.json()
    return origins


@pytest.fixture()
def review_off(browser_context: Any, live_server: LiveServer) -> Iterator[Browser]:
    """A page of the service with review off, on the same store."""
    browser_context.clear_cookies()
    tab = Browser(browser_context, live_server.url)
    yield tab
    tab.page.close()


def visible_text(browser: Browser) -> str:
    return browser.page.locator("main").inner_text()


def test_relations_read_as_words_with_the_codes_in_tooltips(
    browser: Browser, words_index: dict[str, Any]
) -> None:
    page = browser.page
    expected = {
        "/articles/museum-digest": {
            "copied from Harbour Times": "copied-from",
            "copied by Aggregator Hub": "copied-by",
        },
        "/articles/ferry-coast": {"Wire Daily: both ran AP copy": "common-source"},
        "/articles/undated-copy": {"Quay Gazette: order unknown": "common-source, low"},
    }
    for path, relations in expected.items():
        browser.open(path)
        legend = [" ".join(t.split()) for t in page.locator("ul.legend li").all_inner_texts()]
        for words, code in relations.items():
            assert any(t.startswith(words) for t in legend), (path, words, legend)
            entry = page.locator("ul.legend li", has_text=words)
            title = entry.locator(".relation").get_attribute("title") or ""
            assert title.startswith(code), (path, title)
        text = visible_text(browser)
        assert not any(code in text for code in CODES), (path, text)
    browser.screenshot("article-relations")

    browser.open("/compare/ferry-coast/ferry-wire")
    sentence = page.locator("p.relation .relation-sentence")
    assert "both ran AP copy" in (sentence.text_content() or "")
    assert (sentence.get_attribute("title") or "").startswith("common-source")
    browser.open("/compare/undated-copy/undated-first-line")
    assert "the order is unknown" in (sentence.text_content() or "")
    assert not any(code in visible_text(browser) for code in CODES)


def test_an_untitled_article_is_headed_by_its_first_line(
    browser: Browser, words_index: dict[str, Any]
) -> None:
    page = browser.page
    first_line = "Dredging to close the marina for six weeks"
    browser.open("/articles/undated-first-line")
    assert page.locator("main h1").inner_text() == first_line
    assert page.locator("main h1 .untitled").count() == 1
    assert page.title().startswith(first_line)
    browser.open("/compare/undated-copy/undated-first-line")
    headings = page.locator(".compare h2").all_inner_texts()
    assert headings == ["Boat owners have been told to plan ahead.", first_line]
    assert "undated-first-line" not in " ".join(headings)


def test_with_review_off_a_page_says_so_once(
    review_off: Browser, words_index: dict[str, Any]
) -> None:
    for path in ("/articles/museum-digest", "/compare/museum-digest/museum-times"):
        review_off.open(path)
        text = visible_text(review_off)
        assert text.count("Review is off") == 1, (path, text)
        assert "WIRETRACE_EDITOR_TOKEN" in text
        assert review_off.page.locator(".notice.review-off").count() == 1
    review_off.screenshot("compare-review-off")


def test_make_up_colours_are_never_highlight_colours(
    browser: Browser, words_index: dict[str, Any]
) -> None:
    page = browser.page
    bar: set[str] = set()
    highlights: set[str] = set()
    for path in ("/articles/museum-digest", "/articles/ferry-coast", "/articles/bridge-herald"):
        browser.open(path)
        bar.update(page.evaluate(COLOURS_OF, ".makeup .bar span, .makeup-legend .swatch"))
        highlights.update(page.evaluate(COLOURS_OF, "#article-text a.hl, aside .swatch"))
    parts = page.locator(".makeup-legend li").all_inner_texts()
    assert any("shared quotes" in p for p in parts), parts  # bridge-herald's quote
    see_through = {c for c in bar | highlights if re.match(r"rgba\(.*, 0(\.\d+)?\)$", c)}
    white = {c for c in bar | highlights if c.startswith("rgba(255, 255, 255")}
    assert len(bar - see_through - white) >= 3 and len(highlights - see_through) >= 3
    assert (bar - see_through - white) & (highlights - see_through - white) == set()


def test_a_bad_id_is_refused_in_a_sentence(
    review_server: LiveServer, words_index: dict[str, Any]
) -> None:
    with requests.Session() as session:
        client = ApiClient(review_server.url, session)
        csrf = sign_in(client)
        page = client.post_form(
            "/check", {"csrf": csrf, "id": "my story/1", "text": "Some text to check here."}
        )
        assert page.status_code == 422
        assert "<code>id</code>: must not contain whitespace" in page.text
        assert "Value error" not in page.text
        assert "pattern" not in page.text and "{1,200}" not in page.text
        refused = client.post_article({"id": "a#b", "text": "Some text."})
        assert refused.status_code == 422
        [problem] = refused.json()["problems"]
        assert problem["field"] == "id"
        assert problem["problem"].startswith("must not contain whitespace, '/', '?', '#'")


def test_long_unbroken_names_and_titles_wrap_instead_of_widening_pages(
    browser: Browser, words_index: dict[str, Any]
) -> None:
    page = browser.page
    copy = words_index["long-names-copy"]
    assert "long-names-source" in {s["id"] for s in copy["sources"]}
    browser.open("/articles/long-names-copy")
    cluster = page.locator("aside a[href^='/clusters/']").first.get_attribute("href")
    for path in [
        "/compare/long-names-copy/long-names-source",
        "/articles/long-names-copy",
        cluster,
        "/?q=dredging",
        f"/outlets/{LONG_OUTLET}",
    ]:
        assert path is not None
        for width in (800, 1360):
            page.set_viewport_size({"width": width, "height": 900})
            browser.open(path)
            overflow = page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert overflow[0] <= overflow[1], (path, width, overflow)
        if path.startswith("/compare/"):
            assert LONG_OUTLET in visible_text(browser) and LONG_TITLE in visible_text(browser)
            browser.screenshot("compare-long-names")
    page.set_viewport_size({"width": 1360, "height": 900})


def test_share_copied_is_explained_where_it_is_shown(
    browser: Browser, words_index: dict[str, Any]
) -> None:
    page = browser.page
    browser.open("/")
    notes = page.locator("#column-notes")
    assert notes.is_visible()
    assert "Share copied" in notes.inner_text() and "largest part" in notes.inner_text()
    header = page.locator("th", has_text="Share copied")
    assert header.get_attribute("aria-describedby") == "column-notes"
    assert "largest part" in (header.get_attribute("title") or "")
    browser.screenshot("near-duplicates-long-names")
