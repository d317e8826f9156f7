"""Korean and English in the app (AppTest): the sample launch speaks Korean (launch.toml locale
"ko"), ?lang=en speaks English, the sidebar switch keeps the choice in the URL and across pages,
a garbage ?lang= is named, and every page, table header and number reads as the language says."""
from __future__ import annotations

import json
from datetime import date, time

import pytest
from app_support import tiles
from signin_support import new_app, sign_in, signin_env

from launchboard import i18n
from ui.widgets import csv_text

TITLES = {"status": "출시 현황", "pipeline": "처리 흐름 · 병목", "activations": "개통", "messages": "문자 발송",
          "calls": "콜센터", "lookup": "주문 조회", "review": "사후 검토", "quality": "데이터 품질",
          "explore": "데이터 탐색 (SQL)"}
ENGLISH = {"status": "Launch status", "pipeline": "Pipeline & bottlenecks", "activations": "Activations",
           "messages": "Messages", "calls": "Call centre", "lookup": "Order lookup", "review": "Incident review",
           "quality": "Data quality", "explore": "Explore (SQL)"}
# 2016-10-21 11:00 Seoul: the seed story's morning (the promise of 22:00 still ahead)
AT_11 = {"as_of_mode": "Moment", "as_of_date": date(2016, 10, 21), "as_of_time": time(11, 0)}


def labels(at, index: int = 0) -> dict[str, str]:
    """The headers a table shows (its column_config labels), by column name."""
    config = json.loads(at.dataframe[index].proto.columns)
    return {k: v["label"] for k, v in config.items() if "label" in v}


@pytest.mark.parametrize("page", list(TITLES))
def test_every_page_speaks_korean_on_the_sample(app_at, sample_dir, page):
    at = app_at(page, sample_dir, lang=None)  # no ?lang=: the launch's locale
    assert not at.exception
    assert at.title[0].value == TITLES[page]
    assert at.segmented_control(key="lang").value == "ko"
    assert at.query_params["lang"] in ("ko", ["ko"])
    # the sidebar, by key
    assert at.radio(key="as_of_mode").label == "기준 시점"
    assert at.radio(key="as_of_mode").options == ["실시간", "특정 시점"]
    assert at.toggle(key="auto_refresh").label == "자동 새로 고침"
    assert at.multiselect(key="f_region").label == "지역"
    assert at.multiselect(key="f_courier").label == "택배사"
    # the moment the page describes
    assert any(c.value.startswith("기준 시점 **2016-10-22 17:59** (Asia/Seoul) · 실시간") for c in at.caption)


@pytest.mark.parametrize("page", list(ENGLISH))
def test_lang_en_in_the_link_speaks_english(app_at, sample_dir, page):
    at = app_at(page, sample_dir, lang="en")
    assert not at.exception
    assert at.title[0].value == ENGLISH[page]
    assert at.segmented_control(key="lang").value == "en"
    assert at.radio(key="as_of_mode").label == "As of"
    assert at.radio(key="as_of_mode").options == ["Live", "Moment"]


def test_korean_widgets_tiles_and_tables_by_key(app_at, sample_dir):
    at = app_at("status", sample_dir, lang=None, state=AT_11)
    assert list(tiles(at)) == ["주문", "배송 완료", "개통 완료", "개통 실패율", "포기 + 거부율", "문자 전달 오류"]
    assert [s.value for s in at.subheader][:4] == ["경보", "단계별 주문", "시간에 따른 단계별 주문", "데이터 수신 상태"]
    # the table keeps its column names; its headers are Korean
    fresh = next(i for i, d in enumerate(at.dataframe) if "newest event" in d.value.columns)
    assert labels(at, fresh) == {"table": "테이블", "files": "파일 수", "newest file arrived": "최근 파일 도착",
                                 "newest event": "최근 이벤트", "status": "상태"}

    at = app_at("activations", sample_dir, lang=None, state=AT_11)
    span = at.selectbox(key="activations_span")
    assert span.label == "차트 기간" and span.options == ["최근 24시간", "최근 3일", "최근 7일"]
    assert list(tiles(at))[:6] == ["개통 시도", "성공", "실패", "처리 중", "실패율", "개통 약속 미준수"]

    at = app_at("calls", sample_dir, lang=None, state=AT_11)
    assert at.slider(key="calls_sl_target").label == "서비스 수준 목표"
    assert at.selectbox(key="calls_erlang_minutes").label == "구간 (기준 시점 이전, 분)"

    at = app_at("pipeline", sample_dir, lang=None, state=AT_11)
    assert at.number_input(key="pipeline_aging_hours").label == "한 단계에 머문 시간이 다음보다 긴 주문 (시간)"
    aging = next(d for d in at.dataframe if "hours" in d.value.columns and "order_id" in d.value.columns)
    # stage values in words, the order ids as they are
    assert set(aging.value["stage"]) <= {"재고 대기", "재고 배정", "포장 완료", "배송 중", "배송 완료", "반송",
                                         "개통 처리 중", "개통 실패"}
    assert aging.value["order_id"].str.match(r"^O\d{7}$").all()

    at = app_at("lookup", sample_dir, lang=None)
    kind = at.selectbox(key="lookup_kind")
    assert kind.label == "검색 기준" and kind.options == ["주문번호", "고객번호", "전화번호 뒤 4자리"]


def test_numbers_and_moments_follow_the_locale(app_at, sample_dir):
    """O0000007 (C0001472): delivered Oct 20 15:25, promised by 18:00; activated Oct 21 09:41."""
    state = {"lookup_kind": "order", "lookup_query": "O0000007"}
    ko = app_at("lookup", sample_dir, lang=None, state=state)
    en = app_at("lookup", sample_dir, lang="en", state=state)
    ko_text = "\n".join(m.value for m in ko.markdown)
    en_text = "\n".join(m.value for m in en.markdown)
    assert "약속 준수: 10월 20일 15:25 배송 완료 (약속 10월 20일 18:00까지)" in ko_text
    assert "On time: delivered Oct 20 15:25, promised by Oct 20 18:00" in en_text
    assert "고객님의 단말은 10월 21일 09:41에 개통되었습니다." in ko.info[-1].value
    assert en.info[-1].value.startswith("Your phone was activated on Oct 21 09:41.")
    # the call centre's speed of answer: seconds in each language's words, the same number
    ko_calls, en_calls = app_at("calls", sample_dir, lang=None), app_at("calls", sample_dir, lang="en")
    asa_ko, asa_en = tiles(ko_calls)["평균 응답 시간"], tiles(en_calls)["ASA"]
    assert asa_ko.endswith("초") and asa_en.endswith(" s") and asa_ko[:-1] == asa_en[:-2]
    assert tiles(ko_calls)["인입"] == tiles(en_calls)["Offered"] == "2,763"


def test_a_garbage_lang_is_named_and_the_launch_locale_used(app_at, sample_dir):
    at = app_at("status", sample_dir, lang="fr")
    assert not at.exception
    assert at.title[0].value == "출시 현황"
    assert "링크에서 무시한 값: lang=fr: ko (한국어) 또는 en (English)을 쓰세요." in [w.value for w in at.warning]
    assert at.query_params["lang"] in ("ko", ["ko"])


def test_the_switch_changes_the_language_keeps_it_in_the_url_and_across_pages(app_at, sample_dir):
    at = app_at("status", sample_dir, lang=None)
    assert at.title[0].value == "출시 현황"
    at.segmented_control(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Launch status"
    assert at.query_params["lang"] in ("en", ["en"])
    at.switch_page("app_pages/calls.py").run()
    assert at.title[0].value == "Call centre" and at.segmented_control(key="lang").value == "en"
    at.segmented_control(key="lang").set_value("ko").run()
    assert at.title[0].value == "콜센터" and at.query_params["lang"] in ("ko", ["ko"])


def test_cached_figures_are_kept_per_language(app_at, sample_dir):
    """The report dict holds the alerts' messages as text: Korean and English runs of the same
    moment get their own (state._report is keyed by language)."""
    ko = app_at("status", sample_dir, lang=None, state=AT_11)
    en = app_at("status", sample_dir, lang="en", state=AT_11)
    again = app_at("status", sample_dir, lang=None, state=AT_11)
    ko_alerts = [m.value for m in ko.markdown if "`delivery_promise_breach`" in m.value]
    en_alerts = [m.value for m in en.markdown if "`delivery_promise_breach`" in m.value]
    assert len(ko_alerts) == len(en_alerts) == 1
    assert ko_alerts[0].startswith(":material/error: **심각** · `delivery_promise_breach` · ")
    assert "주문" in ko_alerts[0] and "배송 약속 시각이 지났는데 배송되지 않은 주문" in ko_alerts[0]
    assert en_alerts[0].startswith(":material/error: **critical** · `delivery_promise_breach` · since ")
    assert "orders are past their delivery promise and not delivered" in en_alerts[0]
    assert [m.value for m in again.markdown if "`delivery_promise_breach`" in m.value] == ko_alerts


def test_a_korean_csv_carries_korean_headers_and_a_byte_order_mark():
    import pandas as pd

    frame = pd.DataFrame({"order_id": ["O1"], "stage": ["in_transit"], "hours": [30.5]})
    with i18n.use("ko"):
        assert csv_text(frame) == "\ufeff주문번호,단계,체류 시간(h)\nO1,배송 중,30.5\n"
        assert csv_text(frame, translate=False) == "\ufefforder_id,stage,hours\nO1,in_transit,30.5\n"
    with i18n.use("en"):
        assert csv_text(frame) == "order_id,stage,hours\nO1,in_transit,30.5\n"


def test_the_sign_in_screen_speaks_the_launch_language(monkeypatch, tmp_path, sample_dir):
    signin_env(monkeypatch, tmp_path, sample_dir)
    at = new_app(lang=None).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Launchboard"]
    assert at.text_input(key="signin_name").label == "사용자 이름"
    assert at.text_input(key="signin_password").label == "비밀번호"
    assert at.segmented_control(key="lang").value == "ko"
    sign_in(at, "jun", "wrong-password")  # the callback speaks the session's language too
    assert [e.value for e in at.error] == ["사용자 이름 또는 비밀번호가 틀렸습니다."]
    at.segmented_control(key="lang").set_value("en").run()
    assert at.text_input(key="signin_name").label == "User name"
    sign_in(at, "jun")
    assert at.title[0].value == "Launch status"
    assert "**jun** · manager" in at.sidebar.markdown[0].value
    at.segmented_control(key="lang").set_value("ko").run()
    assert at.title[0].value == "출시 현황" and "**jun** · 운영 관리자" in at.sidebar.markdown[0].value
