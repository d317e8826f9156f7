"""Injected HTML and Markdown in every extract field, in Chromium: no page runs a script, shows an
injected element or loads an injected image, and neither does the exported incident report."""
from __future__ import annotations

import pytest

from e2e_support import SHOTS, served, wait_for_render, wait_for_run
from launch_files import injected_launch

# No double quote (the CSV fields are quoted with it) and no '/' in the HTML parts.
P = ("<img src=x onerror=window.pwned=1><script>window.pwned=2</script><b id=pwn>B</b>"
     "**PWN**[l](http://e.vil)![i](http://127.0.0.1:9/i.png):red[PWN]$x^2$")
PAGES = ("", "pipeline", "activations", "messages", "calls", "lookup", "review", "quality", "explore")
INJECTED = ("img[src='x'], script:not([src]):not([type]), #pwn, a[href*='e.vil'], img[src*='127.0.0.1:9'], "
            ".katex, .stMarkdownColoredText:has-text('PWN')")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = injected_launch(tmp_path_factory.mktemp("injected"), P)
    with served(data) as url:
        yield url


def _untouched(page) -> None:
    assert page.evaluate("() => window.pwned") is None
    found = page.locator("[data-testid='stMain'], [data-testid='stSidebar']").locator(INJECTED)
    assert found.count() == 0, [found.nth(i).evaluate("e => e.outerHTML") for i in range(found.count())]
    assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.parametrize("path", PAGES, ids=[p or "status" for p in PAGES])
def test_no_page_renders_injected_markup(site, page, path):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{site}/{path}?as_of=2016-10-08T12:00&refresh=off")
    wait_for_run(page)
    if path == "lookup":
        box = page.get_by_role("textbox", name="Order id")
        box.fill("O01" + P)
        box.press("Enter")
        wait_for_run(page)
        page.get_by_text("Customer C01").first.wait_for(timeout=30_000)
    wait_for_render(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"injected_{path or 'status'}.png"), full_page=True)
    _untouched(page)
    assert not [u for u in requests if "e.vil" in u or "127.0.0.1:9" in u]


def test_the_values_are_shown_as_text(site, page):
    page.goto(f"{site}/pipeline?as_of=2016-10-08T12:00&refresh=off")
    wait_for_run(page)
    page.get_by_text("Stalled hub").first.wait_for(timeout=30_000)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "Stalled hub HUB<img src=x onerror=window.pwned=1><script>window.pwned=2</script><b id=pwn>B</b>**PWN**" in main


def test_the_exported_html_report_runs_nothing_injected(site, page, browser, tmp_path):
    page.goto(f"{site}/review?as_of=2016-10-08T12:00&refresh=off")
    wait_for_run(page)
    page.locator(".st-key-review_dl_html button").wait_for(timeout=60_000)
    with page.expect_download() as dl:
        page.locator(".st-key-review_dl_html button").click()
    saved = tmp_path / dl.value.suggested_filename  # incident-report-….html: opened as HTML
    dl.value.save_as(saved)
    assert saved.suffix == ".html"
    html = saved.read_text(encoding="utf-8")
    # the review replays up to live T (09:30): the retracted batch's alert names the batch
    assert "batch B&lt;img src=x onerror=window.pwned=1&gt;&lt;script&gt;" in html
    context = browser.new_context()
    report = context.new_page()
    requests, dialogs = [], []
    report.on("request", lambda r: requests.append(r.url))
    report.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        report.goto(saved.as_uri())
        report.wait_for_load_state("load")
        assert report.evaluate("() => window.pwned") is None
        assert report.locator("h1, table, svg").count() >= 3  # rendered as HTML: headings, tables, charts
        assert report.locator("img, script, #pwn, a, .katex").count() == 0
        assert "Launch <img src=x onerror=window.pwned=1>" in report.title()
        body = report.locator("body").inner_text()
        assert "batch B<img src=x onerror=window.pwned=1><script>window.pwned=2</script><b id=pwn>B</b>**PWN**" in body
        assert dialogs == [] and [u for u in requests if not u.startswith("file://")] == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        report.screenshot(path=str(SHOTS / "injected_report.png"), full_page=True)
    finally:
        context.close()


def test_chart_tooltips_show_injected_values_as_text(site, page):
    """Vega's tooltips are HTML: the courier's name in the pickups chart's tooltip stays text."""
    page.goto(f"{site}/pipeline?as_of=2016-10-08T12:00&refresh=off")
    wait_for_run(page)
    wait_for_render(page)
    chart = (page.locator("[data-testid='stColumn']", has_text="Pickups per courier")
             .locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first)
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    tips = []
    for fx in [k / 10 for k in range(1, 10)]:
        for fy in [k / 6 for k in range(1, 6)]:
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            tip = page.locator("#vg-tooltip-element")
            if tip.count() and "PWN" in tip.inner_html():
                tips.append(tip.inner_html())
        if tips:
            break
    assert tips, "no tooltip with the courier's name"
    assert "CJ&lt;img src=x onerror=window.pwned=1&gt;&lt;script&gt;" in tips[0]
    assert page.locator("#vg-tooltip-element img, #vg-tooltip-element #pwn").count() == 0
    _untouched(page)
