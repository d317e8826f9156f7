"""The sample launch in Korean, in Chromium: every page opens in Korean (launch.toml locale "ko"),
with Korean text on screen and in the charts (set in Noto Sans CJK KR, from fonts-noto-cjk); the
switch changes the language, which stays in the URL and across pages; the exported HTML report
reads Korean in a Korean font. Screenshots: artifacts/screenshots/ko_*.png."""
from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import expect

from e2e_support import SHOTS, wait_for_render, wait_for_run

PAGES = {  # path -> the Korean title
    "": "출시 현황",
    "pipeline": "처리 흐름 · 병목",
    "activations": "개통",
    "messages": "문자 발송",
    "calls": "콜센터",
    "lookup": "주문 조회",
    "review": "사후 검토",
    "quality": "데이터 품질",
    "explore": "데이터 탐색 (SQL)",
}
NAV = ["출시 현황", "처리 흐름 · 병목", "개통", "문자 발송", "콜센터", "주문 조회", "사후 검토", "데이터 품질",
       "데이터 탐색 (SQL)"]


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"ko_{name}.png"), full_page=True)


def test_chromium_has_a_korean_font():
    """The charts and the report name Noto Sans CJK KR first: it must be there to be used."""
    fonts = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True, check=True).stdout
    assert "Noto Sans CJK KR" in fonts


@pytest.mark.parametrize("path,title", list(PAGES.items()), ids=[p or "status" for p in PAGES])
def test_every_page_in_korean(server_url, page, path, title):
    page.goto(f"{server_url}/{path}?refresh=off")  # no lang: the launch's locale
    wait_for_run(page)
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
    wait_for_render(page)
    shot(page, path or "status")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert "lang=ko" in page.url
    nav = [t.strip().split("\n")[-1] for t in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]
    assert nav == NAV
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "언어 · Language" in sidebar and "기준 시점" in sidebar and "자동 새로 고침" in sidebar
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "기준 시점 2016-10-22 17:59 (Asia/Seoul) · 실시간" in main


def test_the_agent_reads_the_korean_card(server_url, page):
    page.goto(f"{server_url}/lookup?refresh=off")
    wait_for_run(page)
    box = page.get_by_role("textbox", name="주문번호")
    box.fill("O0000001")
    box.press("Enter")
    wait_for_run(page)
    page.get_by_text("O0000001").first.wait_for(timeout=30_000)
    wait_for_render(page)
    # the card renders in parts: wait for its last part (the timeline, the words to say) before reading it
    expect(page.locator("[data-testid='stMain']")).to_contain_text("에 취소되었습니다.", timeout=30_000)
    shot(page, "lookup_card")
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "고객 C0002496 · 010-****-1213 · 주문 1건" in main
    assert "취소됨" in main and "주문 취소" in main
    assert "고객님의 주문(O0000001)은" in main and "에 취소되었습니다." in main


def test_the_switch_speaks_english_and_keeps_it(server_url, page):
    page.goto(f"{server_url}/?refresh=off")
    wait_for_run(page)
    page.get_by_role("heading", name="출시 현황").first.wait_for(timeout=30_000)
    page.locator(".st-key-lang button", has_text="English").click()
    page.get_by_role("heading", name="Launch status").first.wait_for(timeout=30_000)
    wait_for_run(page)
    assert "lang=en" in page.url
    page.locator("[data-testid='stSidebarNav'] a", has_text="Call centre").click()
    page.get_by_role("heading", name="Call centre").first.wait_for(timeout=30_000)
    wait_for_run(page)
    assert "lang=en" in page.url and "Service level" in page.locator("[data-testid='stMain']").inner_text()
    page.locator(".st-key-lang button", has_text="한국어").click()
    page.get_by_role("heading", name="콜센터").first.wait_for(timeout=30_000)
    wait_for_run(page)
    assert "lang=ko" in page.url


def test_the_korean_html_report_uses_a_korean_font(server_url, page, browser, tmp_path):
    page.goto(f"{server_url}/review?refresh=off")
    wait_for_run(page)
    page.locator(".st-key-review_dl_html button").wait_for(timeout=60_000)
    with page.expect_download(timeout=120_000) as dl:
        page.locator(".st-key-review_dl_html button").click()
    saved = tmp_path / dl.value.suggested_filename
    dl.value.save_as(saved)
    html = saved.read_text(encoding="utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="ko">') and "<h2>경보 이력, " in html
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    report = context.new_page()
    try:
        report.goto(saved.as_uri())
        report.wait_for_load_state("load")
        assert report.evaluate("() => getComputedStyle(document.body).fontFamily").startswith('"Noto Sans CJK KR"')
        svg_font = report.evaluate("() => document.querySelector('svg text').getAttribute('font-family')")
        assert svg_font.startswith('"Noto Sans CJK KR"')
        body = report.locator("body").inner_text()
        assert "출시 보고서" in body and "시간대별 배송 완료 주문, 개통 완료 주문, 실패한 개통 시도" in html
        report.screenshot(path=str(SHOTS / "ko_incident_report.png"), full_page=True)
    finally:
        context.close()
