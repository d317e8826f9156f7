"""Shared AppTest helpers: run one page of the app against a chosen data folder."""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
SAMPLE_DATA = ROOT / "sample_data"


@pytest.fixture
def sample_dir() -> Path:
    """The generated sample launch (sample_data/); skips when it has not been generated."""
    if not (SAMPLE_DATA / "orders").is_dir():
        pytest.skip("sample_data/ has not been generated (make sample)")
    return SAMPLE_DATA


@pytest.fixture
def app_at(monkeypatch):
    """``app_at(page, data_dir, state=None, query=None)``: a run AppTest showing ``app_pages/<page>.py``.

    ``state`` presets session state (widget values by key, e.g. ``{"as_of_mode": "Moment"}``)
    and ``query`` the URL query parameters (e.g. ``{"as_of": "2016-10-21T22:00"}``) before the
    first run; auto-refresh is off unless ``state`` says otherwise. The page speaks English
    (``?lang=en``: the tests read its English words) unless ``lang`` says otherwise; ``lang=None``:
    the launch's own locale.
    """
    def make(page: str, data_dir, *, state: dict | None = None, query: dict | None = None,
             timeout: float = 120, lang: str | None = "en") -> AppTest:
        monkeypatch.setenv("LAUNCHBOARD_DATA", str(data_dir))
        at = AppTest.from_file(str(APP), default_timeout=timeout)
        at.session_state["auto_refresh"] = False
        for key, value in (state or {}).items():
            at.session_state[key] = value
        at.query_params.update({"lang": lang} if lang else {})
        at.query_params.update(query or {})
        at.switch_page(f"app_pages/{page}.py").run()
        return at

    return make


class ProgressBar:
    """Stands in for st.progress: records what the viewer would read, in order."""

    def __init__(self, shown: list):
        self.shown = shown

    def progress(self, value: float, text: str) -> None:
        self.shown.append((round(value, 2), text))

    def empty(self) -> None:
        self.shown.append("removed")


@pytest.fixture
def progress_shown(monkeypatch) -> list:
    """What the page's progress bars show, in order: (value, text) as each bar starts and
    updates, "removed" when it goes (st.progress stands in as ``ProgressBar``)."""
    shown: list = []
    monkeypatch.setattr(st, "progress", lambda value, text: shown.append((value, text)) or ProgressBar(shown))
    return shown


def write_hub_launch(root: Path) -> Path:
    """Write a small hand-written launch into ``root`` (Asia/Seoul, default launch.toml):

    - O01..O10 (Seoul) and O11..O20 (Busan), sku IP7-128-JBK, ordered 2016-10-08 06:00,
      allocated 06:10, packed 06:20, picked up 06:40 (CJ), scanned at "Daejeon HUB" 08:00 and
      nothing since: from 10:00 on, a stalled_hub alert (20 orders, none moved in 120 min);
    - O21 (Seoul, IP7-32-BLK) ordered 10:30: the newest event, so live T = 10:30;
    - attempts A1 O01 failed 09:05, A2 O02 success 10:00, A3 O12 failed 10:10;
    - messages M1 (C01, 09:00) and M2 (C12, 10:00), both failed;
    - calls K1 answered (ended 09:05, C01) and K2 abandoned (ended 10:01, C12).
    """
    orders = ["order_id,customer_id,channel,sku,region,ordered_at,allocated_at"]
    ships = ["event_id,order_id,courier,event,event_at,hub"]
    for i in range(1, 21):
        region = "Seoul" if i <= 10 else "Busan"
        orders.append(f"O{i:02d},C{i:02d},web,IP7-128-JBK,{region},2016-10-08 06:00,2016-10-08 06:10")
        ships.append(f"P{i},O{i:02d},CJ,packed,2016-10-08 06:20,")
        ships.append(f"U{i},O{i:02d},CJ,picked_up,2016-10-08 06:40,")
        ships.append(f"H{i},O{i:02d},CJ,at_hub,2016-10-08 08:00,Daejeon HUB")
    orders.append("O21,C21,web,IP7-32-BLK,Seoul,2016-10-08 10:30,")
    files = {
        "orders/orders.csv": orders,
        "shipments/shipments.csv": ships,
        "activations/activations.csv": [
            "attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code",
            "A1,O01,auto,2016-10-08 09:00,failed,2016-10-08 09:05,E-1",
            "A2,O02,auto,2016-10-08 09:50,success,2016-10-08 10:00,",
            "A3,O12,auto,2016-10-08 10:00,failed,2016-10-08 10:10,E-1",
        ],
        "messages/messages.csv": [
            "message_id,customer_id,template,sent_at,status,order_id",
            "M1,C01,DELIVERY_DELAYED,2016-10-08 09:00,failed,O01",
            "M2,C12,DELIVERY_DELAYED,2016-10-08 10:00,failed,O12",
        ],
        "calls/calls.csv": [
            "call_id,queue,arrived_at,answered_at,ended_at,outcome,customer_id",
            "K1,iphone,2016-10-08 09:00,2016-10-08 09:00:10,2016-10-08 09:05,answered,C01",
            "K2,iphone,2016-10-08 10:00,,2016-10-08 10:01,abandoned,C12",
        ],
    }
    for rel, lines in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.fixture
def hub_launch():
    """``hub_launch(root)`` writes the launch of ``write_hub_launch`` and returns ``root``."""
    return write_hub_launch


@pytest.fixture
def orders_only_launch(tmp_path):
    """A half-loaded launch: only the orders file of ``write_hub_launch`` has arrived."""
    full = write_hub_launch(tmp_path / "full")
    only = tmp_path / "only"
    (only / "orders").mkdir(parents=True)
    (only / "orders" / "orders.csv").write_bytes((full / "orders" / "orders.csv").read_bytes())
    return only
