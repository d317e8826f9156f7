"""Pipeline & bottlenecks page: runs on every kind of folder; the stalled hub shows at the
right moment; aging follows its threshold. Hand-written launch: ``hub_launch`` (conftest.py)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def moment_state(hour: int, minute: int) -> dict:
    moment = datetime(2016, 10, 8, hour, minute, tzinfo=SEOUL)
    return {"as_of_mode": "Moment", "as_of_date": moment.date(), "as_of_time": moment.time()}


def stalled_hubs(at) -> list[str]:
    return [e.value for e in at.error if e.value.startswith("Stalled hub")]


def test_stalled_hub_appears_when_it_has_held_for_two_hours(app_at, tmp_path, hub_launch):
    data = hub_launch(tmp_path)
    # 09:45: the 20 orders have sat at Daejeon HUB since 08:00, but at 07:45 (T - 120 min)
    # none was there yet: not stalled
    at = app_at("pipeline", data, state=moment_state(9, 45))
    assert not at.exception
    assert stalled_hubs(at) == []
    assert any(s.value == "No hub is stalled." for s in at.success)
    # 10:00: at 08:00 all 20 were there and none has moved since: stalled, since the 08:00 scans
    at.time_input(key="as_of_time").set_value(datetime(2016, 10, 8, 10, 0).time()).run()
    assert not at.exception
    [msg] = stalled_hubs(at)
    assert msg.startswith("Stalled hub **Daejeon HUB** since 2016-10-08 08:00: 20 orders held at Daejeon HUB")
    # within the Busan filter only 10 orders sit there: below hub_stall_min_orders (20)
    at.multiselect(key="f_region").set_value(["Busan"]).run()
    assert stalled_hubs(at) == []


def test_aging_threshold_and_list(app_at, tmp_path, hub_launch):
    data = hub_launch(tmp_path)
    at = app_at("pipeline", data)  # live T = 10:30
    assert not at.exception
    # O01..O20 were picked up 06:40; O02 is activated (10:00), O01 and O12 activation_failed
    # since 09:05 / 10:10 (1.4 h / 0.3 h), so 17 are in_transit for 3.8 h; O21 reserved 0 h
    assert any(s.value == "No order has been in its stage longer than 24 h." for s in at.success)
    at.number_input(key="pipeline_aging_hours").set_value(1.0).run()
    aging = at.dataframe[1].value  # after the dwell table
    assert list(aging.columns) == ["order_id", "stage", "since", "hours", "region", "sku", "courier"]
    assert len(aging) == 17 + 1  # 17 in transit (3.8 h) and O01 activation_failed (1.4 h)
    assert set(aging[aging["stage"] == "in_transit"]["hours"]) == {3.8}
    assert aging.set_index("order_id").loc["O01", ["stage", "hours"]].tolist() == ["activation_failed", 1.4]
    assert set(aging["courier"]) == {"CJ"}


def test_runs_on_sample_data(app_at, sample_dir):
    at = app_at("pipeline", sample_dir)
    assert not at.exception
    assert at.title[0].value == "Pipeline & bottlenecks"


def test_empty_folder(app_at, tmp_path):
    at = app_at("pipeline", tmp_path)
    assert not at.exception
    assert "No data yet" in at.info[0].value


def test_only_orders(app_at, orders_only_launch):
    only = orders_only_launch
    at = app_at("pipeline", only)
    assert not at.exception
    infos = [i.value for i in at.info]
    assert "No pickup scan by this moment." in infos
    assert "No order has been scanned at a hub by this moment." in infos
