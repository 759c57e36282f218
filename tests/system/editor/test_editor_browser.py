"""The editor's pages in a real browser (Debian's Chromium through Playwright),
against the real app, Redis and RQ worker, after ingesting the test newsroom."""

from __future__ import annotations

import re
from typing import Any

import requests

from tests.helpers import EDITOR_TOKEN, ApiClient, Browser
from tests.newsroom import MUSEUM_DIGEST, MUSEUM_TIMES


def listed_clusters(browser: Browser) -> list[str]:
    return browser.page.locator("tr.cluster").evaluate_all(
        "rows => rows.map(row => row.querySelector('.snippet').textContent)"
    )


def test_every_page_loads_cleanly_and_is_screenshotted(
    browser: Browser, newsroom_index: dict[str, Any]
) -> None:
    browser.open("/")
    cluster = browser.page.locator("tr.cluster a.snippet").first.get_attribute("href")
    pages = {
        "near-duplicates": "/",
        "article": "/articles/museum-digest",
        "compare": "/compare/museum-digest/museum-times",
        "cluster": cluster,
        "outlet": "/outlets/Harbour%20Times",
        "check": "/check",
        "signin": "/signin",
    }
    for name, path in pages.items():
        assert path is not None
        browser.open(path)
        assert browser.page.locator("main h1").count() == 1, name
        assert browser.screenshot(name).stat().st_size > 10_000


def test_filters_change_what_is_listed(browser: Browser, newsroom_index: dict[str, Any]) -> None:
    page = browser.page
    browser.open("/")
    copies = listed_clusters(browser)
    assert len(copies) == 2  # quotes and boilerplate are hidden by default
    assert any(s.startswith("Curators spent the closure") for s in copies)
    assert any(s.startswith("HALIFAX, Nova Scotia (AP)") for s in copies)

    page.check("input[name=kind][value=quote]")
    page.check("input[name=kind][value=boilerplate]")
    page.click("form#filters button[type=submit]")
    page.wait_for_load_state("load")
    browser.assert_clean("all kinds")
    every_kind = listed_clusters(browser)
    assert len(every_kind) == 4
    assert any(s.startswith("Sign up for the Metro Digest newsletter") for s in every_kind)
    assert any(s.startswith("We cannot keep asking people") for s in every_kind)

    page.select_option("select[name=outlet]", "Metro Digest")
    page.click("form#filters button[type=submit]")
    page.wait_for_load_state("load")
    by_outlet = listed_clusters(browser)
    assert len(by_outlet) == 2 and not any("HALIFAX" in s for s in by_outlet)

    browser.open("/?wire=AP")
    assert [s[:7] for s in listed_clusters(browser)] == ["HALIFAX"]

    page.fill("input[name=q]", "telescope")
    page.click("form#filters button[type=submit]")
    page.wait_for_load_state("load")
    assert len(listed_clusters(browser)) == 0  # the wire filter is still on
    browser.open("/?q=telescope")
    assert [s[:8] for s in listed_clusters(browser)] == ["Curators"]
    browser.open("/?q=https://coastnews.example/islands/ferry")
    assert [s[:7] for s in listed_clusters(browser)] == ["HALIFAX"]

    browser.open("/?from=2026-03-06")
    assert [s[:8] for s in listed_clusters(browser)] == ["Curators"]
    browser.open("/?to=2026-03-06")
    assert [s[:7] for s in listed_clusters(browser)] == ["HALIFAX"]

    browser.open("/?min_sim=0.999&kind=copy&kind=quote")
    assert len(listed_clusters(browser)) == 3  # every one has a verbatim copy

    browser.open("/?sort=outlets")
    page.click("th a.sort:has-text('Outlets')")  # flips the order
    page.wait_for_load_state("load")
    assert "order=asc" in page.url
    outlets = [int(t) for t in page.locator("td.outlets").all_text_contents()]
    assert outlets == sorted(outlets) and outlets[0] < outlets[-1]


def test_a_highlight_links_to_its_source(browser: Browser, newsroom_index: dict[str, Any]) -> None:
    page = browser.page
    browser.open("/articles/museum-digest")
    curators = page.locator("#article-text a.hl", has_text="Curators spent the closure").first
    assert "Harbour Times" in (curators.get_attribute("title") or "")
    curators.click()
    popover = page.locator("#popover")
    assert popover.is_visible()
    assert popover.locator("strong").first.text_content() == "Harbour Times"
    source = popover.locator("a.source-link")
    assert source.get_attribute("href") == "/articles/museum-times"
    browser.screenshot("article-popover")
    popover.locator("a.compare-link").click()
    page.wait_for_load_state("load")
    browser.assert_clean("compare from the pop-up")
    assert re.search(r"/compare/museum-digest/museum-times#l-\d+-\d+$", page.url)
    # The newsletter blurb is boilerplate shared with the outlet's own articles.
    browser.open("/articles/museum-digest")
    blurb = page.locator("#article-text a.hl.k-boilerplate").first
    blurb.click()
    assert page.locator("#popover a.source-link").get_attribute("href", timeout=2000) in {
        "/articles/digest-rates",
        "/articles/digest-parks",
    }


def test_compare_pairs_the_right_passages(browser: Browser, newsroom_index: dict[str, Any]) -> None:
    page = browser.page
    browser.open("/compare/museum-digest/museum-times")
    passages = [
        p for p in newsroom_index["museum-digest"]["passages"] if p["source_id"] == "museum-times"
    ]
    assert passages
    for p in passages:
        left = page.locator(f"#l-{p['start']}-{p['end']}")
        right_id = f"r-{p['source_start']}-{p['source_end']}"
        assert left.get_attribute("data-twin") == right_id
        twin = page.locator(f"#{right_id}")
        assert twin.get_attribute("data-twin") == f"l-{p['start']}-{p['end']}"
        # Each side's passage, read back from the page, is the text at its offsets.
        pair = left.get_attribute("data-pair")
        left_text = "".join(
            page.locator(f"#left-text a.hl[data-pair='{pair}']").all_text_contents()
        )
        right_text = "".join(
            page.locator(f"#right-text a.hl[data-pair='{pair}']").all_text_contents()
        )
        assert left_text == MUSEUM_DIGEST[p["start"] : p["end"]]
        assert right_text == MUSEUM_TIMES[p["source_start"] : p["source_end"]]

    # The word changed in the copy is marked on both sides, and only there.
    assert "once" in page.locator("#left-text a.hl.changed").all_text_contents()
    assert "mapped" in " ".join(page.locator("#left-text a.hl.changed").all_text_contents())
    assert "charted" in " ".join(page.locator("#right-text a.hl.changed").all_text_contents())
    assert "Volunteers" not in " ".join(page.locator("a.hl.changed").all_text_contents())

    # Clicking a passage brings its twin into view in the other column.
    last = passages[-1]
    column = page.locator("#right-text")
    column.evaluate("el => el.scrollTo(0, 0)")
    page.locator(f"#l-{last['start']}-{last['end']}").click()
    twin = page.locator(f"#r-{last['source_start']}-{last['source_end']}")
    page.wait_for_function(
        "id => document.getElementById(id).classList.contains('flash')",
        arg=f"r-{last['source_start']}-{last['source_end']}",
    )
    box, frame = twin.bounding_box(), column.bounding_box()
    assert box is not None and frame is not None
    assert frame["y"] <= box["y"] <= frame["y"] + frame["height"]
    browser.assert_clean("twin scrolling")


def test_a_review_mark_persists_after_reload(
    browser: Browser, newsroom_index: dict[str, Any]
) -> None:
    page = browser.page
    base = browser.base
    before = requests.get(f"{base}/api/articles/museum-digest/origins", timeout=10).json()
    browser.open("/signin?next=/articles/museum-digest")
    page.fill("input[name=name]", "Alice")
    page.fill("input[name=token]", EDITOR_TOKEN)
    page.click("form.signin button[type=submit]")
    page.wait_for_url(re.compile(r"/articles/museum-digest$"))
    browser.assert_clean("signed in")
    assert "Alice" in page.locator("header.top .who").text_content()

    card = page.locator(
        "section.card", has=page.locator("a.source-link[href='/articles/museum-times']")
    )
    card.first.locator("input[name=note]").fill("checked against the print edition")
    card.first.locator("button[value=false_positive]").click()
    page.wait_for_load_state("load")
    page.reload()
    browser.assert_clean("after the review")
    mark = page.locator("section.card.r-false_positive .review.false_positive")
    assert mark.count() >= 1
    text = mark.first.text_content() or ""
    assert "False positive" in text and "Alice" in text and "print edition" in text
    assert page.locator("#article-text a.hl.r-false_positive").count() >= 1
    browser.screenshot("article-reviewed")

    after = requests.get(f"{base}/api/articles/museum-digest/origins", timeout=10).json()
    marked = [p for p in after["passages"] if p.get("review")]
    assert {p["source_id"] for p in marked} == {"museum-times"}
    assert all(p["review"]["status"] == "false_positive" for p in marked)
    assert after["reused_fraction"] < before["reused_fraction"]
    # The other side of the match carries the mark too.
    other = requests.get(f"{base}/api/articles/museum-times/origins", timeout=10).json()
    assert [p["review"]["by"] for p in other["passages"] if p.get("review")] == ["Alice"] * len(
        marked
    )

    # Signing out keeps the mark; it is still there for a reader.
    page.click("header.top button:has-text('Sign out')")
    page.wait_for_load_state("load")
    browser.open("/articles/museum-digest")
    assert page.locator(".review.false_positive").count() >= 1
    assert page.locator("form.review-form").count() == 0

    # Cleared through the API, the passage counts again.
    with requests.Session() as session:
        client = ApiClient(base, session)
        for p in marked:
            mark = {k: p[k] for k in ("source_id", "start", "end")} | {"status": None}
            assert client.post_review("museum-digest", mark).status_code == 200
    cleared = requests.get(f"{base}/api/articles/museum-digest/origins", timeout=10).json()
    assert cleared["reused_fraction"] == before["reused_fraction"]
    assert not any(p.get("review") for p in cleared["passages"])


def test_script_in_article_text_never_runs(
    browser: Browser, newsroom_index: dict[str, Any]
) -> None:
    page = browser.page
    for path in [
        "/articles/museum-scraper",
        "/compare/museum-scraper/museum-times",
        "/?q=museum",
        "/outlets/Aggregator%20Hub",
    ]:
        browser.open(path)
        assert page.evaluate("() => window.__wiretrace_pwned") is None, path
        assert page.locator("main script, main img, main b").count() == 0, path
    browser.open("/articles/museum-scraper")
    text = page.locator("#article-text").text_content() or ""
    assert "<script>window.__wiretrace_pwned = true;</script>" in text
    assert '<img src="x" onerror=' in text
    assert "<script>" in (page.locator("main h1").text_content() or "")
    browser.screenshot("article-with-markup-in-text")
    cluster = page.locator("aside a[href^='/clusters/']").first.get_attribute("href")
    assert cluster
    browser.open(cluster)
    assert page.evaluate("() => window.__wiretrace_pwned") is None


def test_paste_an_article_to_see_its_origins(
    browser: Browser, newsroom_index: dict[str, Any]
) -> None:
    page = browser.page
    browser.open("/signin?next=/check")
    page.fill("input[name=token]", EDITOR_TOKEN)
    page.click("form.signin button[type=submit]")
    page.wait_for_url(re.compile(r"/check$"))
    page.fill("input[name=id]", "ferry-pasted")
    page.fill("input[name=outlet]", "Island Weekly")
    page.fill("input[name=published_at]", "2026-03-03T08:00")
    text = (
        "Our reporter spoke to islanders.\n\n"
        "The company told passengers in a letter that it had lost money on every sailing "
        "for three winters in a row and that talks with the provincial government over a "
        "subsidy had ended without an agreement."
    )
    page.fill("textarea[name=text]", text)
    browser.screenshot("check-filled")
    page.click("form.check-form button[type=submit]")
    page.wait_for_url(re.compile(r"/articles/ferry-pasted$"))
    browser.assert_clean("pasted article")
    sources = page.locator("ul.legend a").all_text_contents()
    assert "Wire Daily" in sources and "Coast News" in sources
    assert page.locator("#article-text a.hl").count() >= 1
