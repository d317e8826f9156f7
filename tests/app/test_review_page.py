"""Incident review page: runs on every kind of folder; the replay moves every figure.

The hand-written launch is the one of tests/unit/test_review.py, cut to what the replay needs:
M1 sent in quiet hours 10-20 22:30 (quiet_hours_messages for 24 h), M3 corrects batch B2 at
10-21 11:00 (retracted_batch), O1 past its delivery promise from 10-21 12:00 until delivered at
14:30 (delivery_promise_breach). Live T = 10-21 23:30 (K1 ends).
"""
from __future__ import annotations

from datetime import date, time

import pytest
from launch_files import make_launch


FILES = {
    "orders/o.csv": (
        "order_id,customer_id,channel,sku,region,ordered_at,allocated_at,promised_delivery_by\n"
        "O1,C1,web,IP7-128-JBK,Seoul,2016-10-20 20:10,2016-10-20 21:00,2016-10-21 12:00\n"
    ),
    "shipments/s.csv": "event_id,order_id,courier,event,event_at,hub\nE1,O1,CJ,delivered,2016-10-21 14:30,Seoul HUB\n",
    "messages/m.csv": (
        "message_id,customer_id,template,sent_at,status,order_id,batch_id,corrects_batch_id\n"
        "M1,C1,DELIVERY_DELAYED,2016-10-20 22:30,delivered,O1,B1,\n"
        "M2,C1,SHIP_NOTICE,2016-10-21 10:00,delivered,O1,B2,\n"
        "M3,C1,SHIP_CORRECTION,2016-10-21 11:00,delivered,O1,B3,B2\n"
    ),
    "calls/c.csv": "call_id,queue,arrived_at,ended_at,outcome\nK1,iphone,2016-10-21 23:00,2016-10-21 23:30,abandoned\n",
}


@pytest.fixture(scope="module")
def launch_dir(tmp_path_factory):
    return make_launch(tmp_path_factory.mktemp("review_page"), FILES)


def alert_kinds(at) -> set[str]:
    tables = [d.value for d in at.dataframe if "message" in d.value.columns]
    return set(tables[0]["kind"]) if tables else set()


def test_sample_runs(app_at, sample_dir):
    at = app_at("review", sample_dir)
    assert not at.exception
    assert at.select_slider(key="review_hour").value == at.select_slider(key="review_hour").options[-1]


def test_empty_folder(app_at, tmp_path):
    at = app_at("review", tmp_path)
    assert not at.exception
    assert any("No data yet" in i.value for i in at.info)


def test_replay_moves_the_alerts_and_the_history(app_at, launch_dir):
    at = app_at("review", launch_dir)
    assert not at.exception
    hour = at.select_slider(key="review_hour")
    assert hour.value == "2016-10-21 23:30"  # live T
    assert alert_kinds(at) == {"retracted_batch"}

    at.select_slider(key="review_hour").set_value("2016-10-21 08:00").run()
    assert not at.exception
    assert alert_kinds(at) == {"quiet_hours_messages"}
    assert {m.label: m.value for m in at.metric}["Alerts raised"] == "1"

    at.select_slider(key="review_hour").set_value("2016-10-21 13:00").run()
    assert alert_kinds(at) == {"quiet_hours_messages", "retracted_batch", "delivery_promise_breach"}
    history = next(d.value for d in at.dataframe if "first_raised" in d.value.columns)
    assert dict(zip(history["kind"], history["first_raised"])) == {
        "quiet_hours_messages": "2016-10-20 23:00", "retracted_batch": "2016-10-21 11:00",
        "delivery_promise_breach": "2016-10-21 12:00"}
    assert set(history["cleared"]) == {""}  # nothing has cleared by 13:00

    at.button(key="review_prev").click().run()
    assert at.select_slider(key="review_hour").value == "2016-10-21 12:00"
    at.button(key="review_next").click().run()
    at.button(key="review_next").click().run()
    assert at.select_slider(key="review_hour").value == "2016-10-21 14:00"


def test_share_sets_the_sidebar_moment(app_at, launch_dir):
    at = app_at("review", launch_dir)
    at.select_slider(key="review_hour").set_value("2016-10-21 13:00").run()
    at.button(key="review_share").click().run()
    assert not at.exception
    assert at.session_state["as_of_mode"] == "Moment"
    assert (at.session_state["as_of_date"], at.session_state["as_of_time"]) == (date(2016, 10, 21), time(13, 0))
    assert at.select_slider(key="review_hour").value == "2016-10-21 13:00"
    assert alert_kinds(at) == {"quiet_hours_messages", "retracted_batch", "delivery_promise_breach"}


def test_a_sidebar_moment_starts_the_replay_there(app_at, launch_dir):
    at = app_at("review", launch_dir, query={"as_of": "2016-10-21T08:30"})
    assert not at.exception
    assert at.select_slider(key="review_hour").value == "2016-10-21 08:00"  # the last hour before it
    assert alert_kinds(at) == {"quiet_hours_messages"}
