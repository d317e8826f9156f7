"""The report and the incident export in Korean and English: `report --lang`, the launch's
locale as the default, JSON keys in English, the exported HTML set in a Korean font."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from launchboard import i18n, report, review
from launchboard.loader import open_store

ROOT = Path(__file__).resolve().parents[2]
SEOUL = ZoneInfo("Asia/Seoul")
# O1 promised delivery 10-21 12:00, not delivered by 13:00: one delivery_promise_breach.
# M1 sent 10-20 22:30 (quiet hours, 21:00-08:00): one quiet_hours_messages alert.
FILES = {
    "orders/o.csv": "order_id,customer_id,channel,sku,region,ordered_at,allocated_at,promised_delivery_by\n"
                    "O1,C1,web,IP7,Seoul,2016-10-20 20:10,2016-10-20 21:00,2016-10-21 12:00\n",
    "messages/m.csv": "message_id,customer_id,template,sent_at,status,order_id\n"
                      "M1,C1,DELIVERY_DELAYED,2016-10-20 22:30,delivered,O1\n",
}


def write(root: Path, locale: str | None) -> Path:
    data = root / "data"
    for rel, text in FILES.items():
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_text(text, encoding="utf-8")
    toml = '[launch]\nname = "테스트 출시"\n' + (f'locale = "{locale}"\n' if locale else "")
    (data / "launch.toml").write_text(toml, encoding="utf-8")
    return data


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "launchboard", "report", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_markdown_in_korean_with_lang_ko(tmp_path):
    data = write(tmp_path, None)  # launch.toml says nothing: English unless --lang says otherwise
    en = run("--data", str(data), "--as-of", "2016-10-21 13:00", "--format", "md")
    ko = run("--data", str(data), "--as-of", "2016-10-21 13:00", "--format", "md", "--lang", "ko")
    assert en.returncode == ko.returncode == 0, en.stderr + ko.stderr
    assert en.stdout.startswith("# 테스트 출시: launch report\n") and "## Alerts" in en.stdout
    assert ko.stdout.startswith("# 테스트 출시: 출시 보고서\n\n기준 시점 **2016-10-21T13:00:00+09:00**.")
    for heading in ("## 경보", "## 주문", "## 개통", "## 문자 발송", "## 콜센터", "## 수신 데이터"):
        assert heading in ko.stdout
    # severity and stages in words; the alert kind stays the identifier
    assert "| 심각 | delivery_promise_breach |  | 2016-10-21T12:00:00+09:00 | 배송 약속 시각이 지났는데 배송되지 않은 주문 1건 |" \
        in ko.stdout
    assert "| 재고 배정 | 1 |" in ko.stdout and "| allocated | 1 |" in en.stdout
    assert "- 주문: **1**건" in ko.stdout


def test_the_launch_locale_is_the_default_and_lang_overrides_it(tmp_path):
    data = write(tmp_path, "ko")
    ko = run("--data", str(data), "--as-of", "2016-10-21 13:00", "--format", "md")
    en = run("--data", str(data), "--as-of", "2016-10-21 13:00", "--format", "md", "--lang", "en")
    assert ko.stdout.startswith("# 테스트 출시: 출시 보고서")
    assert en.stdout.startswith("# 테스트 출시: launch report")


def test_json_keys_stay_english_and_messages_follow_the_language(tmp_path):
    data = write(tmp_path, "ko")
    ko = json.loads(run("--data", str(data), "--as-of", "2016-10-21 13:00").stdout)
    en = json.loads(run("--data", str(data), "--as-of", "2016-10-21 13:00", "--lang", "en").stdout)
    assert list(ko) == list(en) and ko["orders"] == en["orders"] and ko["messages"] == en["messages"]
    assert [(a["kind"], a["severity"], a["page"], a["count"]) for a in ko["alerts"]] == \
        [(a["kind"], a["severity"], a["page"], a["count"]) for a in en["alerts"]] == [
            ("delivery_promise_breach", "critical", "pipeline", 1), ("quiet_hours_messages", "warning", "messages", 1)]
    assert [a["message"] for a in en["alerts"]] == [
        "1 orders are past their delivery promise and not delivered",
        "1 messages sent in quiet hours in the last 24 h"]
    assert [a["message"] for a in ko["alerts"]] == [
        "배송 약속 시각이 지났는데 배송되지 않은 주문 1건",
        "최근 24시간 동안 발송 제한 시간대에 보낸 문자 1건"]


def test_an_unknown_language_is_refused(tmp_path):
    done = run("--data", str(write(tmp_path, None)), "--lang", "fr")
    assert done.returncode == 2 and "invalid choice: 'fr'" in done.stderr


def test_the_korean_export_reads_korean_and_names_a_korean_font(tmp_path):
    store = open_store(write(tmp_path, "ko"))
    try:
        start, end = datetime(2016, 10, 20, 20, tzinfo=SEOUL), datetime(2016, 10, 21, 13, tzinfo=SEOUL)
        moments = review.replay_moments(store)
        with i18n.use("ko"):
            inc = review.incident(store, start, end, moments=moments)
            md = review.to_markdown(inc, SEOUL)
            page = review.incident_html(store, inc)
            assert md.startswith(report.to_markdown(inc.report))
        assert "## 경보 이력, 2016-10-20T20:00:00+09:00 ~ 2016-10-21T13:00:00+09:00" in md
        # moments: 20:00, 21:00, 22:00, live T 22:30 (M1, the newest event), then the window's end 13:00:
        # the breach (promise 12:00) holds at 13:00 only
        assert ("| 심각 | delivery_promise_breach |  | 2016-10-21T13:00:00+09:00 | 기간이 끝날 때까지 발생 중 | 1 | "
                "2016-10-21T13:00:00+09:00 |") in md
        assert page.startswith('<!DOCTYPE html>\n<html lang="ko">')
        assert "<h1>테스트 출시: 출시 보고서</h1>" in page and "<h2>차트</h2>" in page
        # the page's text and the charts' SVG text both name Noto Sans CJK KR first
        assert re.search(r'body \{ font-family: "Noto Sans CJK KR", "Noto Sans KR"', page)
        fonts = set(re.findall(r'font-family="([^"]*)"', page))
        assert fonts and all(f.startswith("&quot;Noto Sans CJK KR&quot;") or f.startswith('"Noto Sans CJK KR"')
                             for f in fonts), fonts
        assert "시간대별 배송 완료 주문, 개통 완료 주문, 실패한 개통 시도" in page  # the chart's title
    finally:
        store.close()

