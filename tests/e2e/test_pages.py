"""Every page in real Chromium against `streamlit run` on the sample launch: no exception."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pyarrow.parquet as pq
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from e2e_support import ROOT, SHOTS, wait_for_render, wait_for_run

PAGES = {
    "": "Launch status",
    "pipeline": "Pipeline & bottlenecks",
    "activations": "Activations",
    "messages": "Messages",
    "calls": "Call centre",
    "lookup": "Order lookup",
    "review": "Incident review",
    "quality": "Data quality",
    "explore": "Explore (SQL)",
}


@pytest.mark.parametrize("path,title", list(PAGES.items()), ids=[p or "status" for p in PAGES])
def test_page_renders_without_exception(server_url, page, path, title):
    page.goto(f"{server_url}/{path}?lang=en&refresh=off")
    wait_for_run(page)
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
    wait_for_render(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{path or 'status'}.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0


def test_status_page_shows_report_numbers(server_url, page):
    """The browser shows the same order count as `python -m launchboard report`."""
    out = subprocess.run([sys.executable, "-m", "launchboard", "report", "--data", str(ROOT / "sample_data")],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    total = json.loads(out.stdout)["orders"]["total"]
    page.goto(f"{server_url}/?lang=en&refresh=off")
    wait_for_run(page)
    orders_tile = page.locator("[data-testid='stMetric']").filter(has_text="Orders").first
    assert f"{total:,}" in orders_tile.inner_text()


def test_link_with_as_of_reproduces_the_view(server_url, page):
    """as_of in the URL switches the sidebar to that moment (a copied link reproduces the view)."""
    page.goto(f"{server_url}/?lang=en&as_of=2016-10-20T12:00&refresh=off")
    wait_for_run(page)
    assert "2016-10-20 12:00" in page.locator("[data-testid='stMain']").inner_text()


def test_direct_link_to_a_page_runs_through_the_router(server_url, browser):
    """A copied link to a sub-page opens it in the app's own navigation, as the first request."""
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    pg = context.new_page()
    try:
        pg.goto(f"{server_url}/calls?lang=en&refresh=off")
        wait_for_run(pg)
        pg.get_by_role("heading", name="Call centre").first.wait_for(timeout=30_000)
        nav = pg.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Launch status" in nav and "Explore (SQL)" in nav
    finally:
        context.close()


def test_moment_survives_switching_pages(server_url, page):
    """The chosen moment stays when the manager moves to another page through the sidebar."""
    page.goto(f"{server_url}/?lang=en&as_of=2016-10-21T15:00&refresh=off")
    wait_for_run(page)
    page.locator("[data-testid='stSidebarNav'] a", has_text="Activations").click()
    page.get_by_role("heading", name="Activations").first.wait_for(timeout=30_000)
    wait_for_run(page)
    assert "2016-10-21 15:00" in page.locator("[data-testid='stMain']").inner_text()
    assert "as_of=2016-10-21T15%3A00" in page.url or "as_of=2016-10-21T15:00" in page.url


def test_agent_finds_an_order_and_reads_its_card(server_url, page):
    """An agent types an order id and sees the order's card with its stage and answer line."""
    page.goto(f"{server_url}/lookup?lang=en&refresh=off")
    wait_for_run(page)
    box = page.locator("[data-testid='stTextInput'] input").first
    box.fill("O0000001")
    box.press("Enter")
    wait_for_run(page)
    page.get_by_text("O0000001").first.wait_for(timeout=30_000)
    wait_for_render(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "lookup_card.png"), full_page=True)
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "Customer C0002496 · 010-****-1213 · 1 order" in main
    assert "Cancelled" in main
    assert "010-7123-1213" not in main
    assert page.locator("[data-testid='stException']").count() == 0


def _fragment_run_finished(payload) -> bool:
    """A websocket frame from the server saying an auto-refresh (fragment run) has finished."""
    if isinstance(payload, str):
        return False
    msg = ForwardMsg()
    msg.ParseFromString(payload)
    return (msg.WhichOneof("type") == "script_finished"
            and msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


def test_downloads_still_work_after_a_live_refresh(server_url, page):
    """Live, the page refreshes itself; afterwards a table's download still gives its CSV and the
    browser logged no error. The files are made on click: made on every run, each refresh of each
    viewer stored them and the browser fetched them again, and could ask for a replaced one (404)."""
    errors, fetched = [], []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "ERR_NAME_NOT_RESOLVED" not in m.text else None)
    page.on("request", lambda r: fetched.append(r.url) if urlparse(r.url).path.startswith("/media/") else None)
    with page.expect_websocket() as ws_info:
        page.goto(f"{server_url}/?lang=en&refresh=10")
    ws = ws_info.value
    wait_for_run(page)
    ws.wait_for_event("framereceived", predicate=_fragment_run_finished, timeout=40_000)
    wait_for_run(page)
    assert fetched == []
    with page.expect_download() as dl:
        page.locator(".st-key-status_freshness_csv button").click()
    lines = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",")[0] == "table"
    assert [line.split(",")[0] for line in lines[1:]] == ["orders", "shipments", "activations", "messages", "calls"]
    assert errors == []


def test_explore_downloads_the_result_as_parquet(server_url, page):
    """An analyst runs the example query and downloads its result as Parquet: the 4,400 sample
    orders by stage (the file is written on click)."""
    page.goto(f"{server_url}/explore?lang=en&refresh=off")
    wait_for_run(page)
    page.locator(".st-key-explore_run button").click()
    page.locator(".st-key-explore_dl_parquet button").wait_for(timeout=30_000)
    wait_for_run(page)
    with page.expect_download() as dl:
        page.locator(".st-key-explore_dl_parquet button").click()
    table = pq.read_table(dl.value.path())
    assert table.column_names == ["stage", "orders"]
    assert sum(table.column("orders").to_pylist()) == 4400


def _report(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "launchboard", "report", "--data", str(ROOT / "sample_data"), *args],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def test_a_ranked_batch_opens_on_the_messages_page(server_url, page):
    """On the Call centre page a manager selects B-DELAY-1020 (second by excess calls) in the
    ranking: the Messages page opens on that batch, with the same moment, showing its calls."""
    impact = _report("--as-of", "2016-10-22T12:00")["messages"]["call_impact"]
    assert [b["batch_id"] for b in impact[:2]] == ["B-ARS-1021", "B-DELAY-1020"]
    page.goto(f"{server_url}/calls?lang=en&as_of=2016-10-22T12:00&refresh=off")
    wait_for_run(page)
    wait_for_render(page)
    grid = page.locator(".st-key-calls_batches_table [data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "calls_batches.png"), full_page=True)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 35 * 1 + 17)  # the selection box of the second row
    page.wait_for_url("**/messages?**batch=B-DELAY-1020*", timeout=30_000)
    wait_for_run(page)
    wait_for_render(page)
    assert "as_of=2016-10-22T12" in page.url
    main = page.locator("[data-testid='stMain']").inner_text()
    delay = impact[1]
    assert f"Calls within 2 h\n\n{delay['calls']:,}" in main
    assert f"Excess calls\n\n{delay['excess']:,.1f}" in main
    page.screenshot(path=str(SHOTS / "messages_batch.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0


def test_a_surge_alert_opens_its_batch(server_url, page):
    """At Thu 23:00 the status page raises message_call_surge for B-DELAY-1020; its link opens
    the Messages page on that batch."""
    rep = _report("--as-of", "2016-10-20T23:00")
    assert ("message_call_surge", "B-DELAY-1020") in {(a["kind"], a["subject"]) for a in rep["alerts"]}
    calls = next(b["calls"] for b in rep["messages"]["call_impact"] if b["batch_id"] == "B-DELAY-1020")
    page.goto(f"{server_url}/?lang=en&as_of=2016-10-20T23:00&refresh=off")
    wait_for_run(page)
    assert "message_call_surge" in page.locator("[data-testid='stMain']").inner_text()
    page.locator("a[href*='batch=B-DELAY-1020']").first.click()
    page.wait_for_url("**/messages?**batch=B-DELAY-1020*", timeout=30_000)
    wait_for_run(page)
    assert "as_of=2016-10-20T23" in page.url
    assert f"Calls within 2 h\n\n{calls:,}" in page.locator("[data-testid='stMain']").inner_text()
