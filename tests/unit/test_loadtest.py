"""bench/loadtest.py: refreshes timed from websocket frames, and the figures it writes."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lt():
    spec = importlib.util.spec_from_file_location("loadtest", ROOT / "bench" / "loadtest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakePage:
    def __init__(self):
        self.handlers = {}

    def on(self, event, handler):
        self.handlers[event] = handler


class FakeWebSocket(FakePage):
    pass


def _rerun(auto: bool) -> bytes:
    msg = BackMsg()
    msg.rerun_script.is_auto_rerun = auto
    return msg.SerializeToString()


def _finished() -> bytes:
    msg = ForwardMsg()
    msg.script_finished = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    return msg.SerializeToString()


def _exception() -> bytes:
    msg = ForwardMsg()
    msg.delta.new_element.exception.message = "boom"
    return msg.SerializeToString()


def test_refresh_is_timed_from_the_auto_rerun_request_to_finished(lt, monkeypatch):
    clock = iter([100.0, 100.25, 200.0, 200.5])
    monkeypatch.setattr(lt.time, "monotonic", lambda: next(clock))
    page = FakePage()
    w = lt.Watch(0, page)
    ws = FakeWebSocket()
    page.handlers["websocket"](ws)
    ws.handlers["framesent"](_rerun(auto=True))        # before the window: not timed
    ws.handlers["framereceived"](_finished())
    assert w.refreshes == []
    w.counting = True
    ws.handlers["framesent"](_rerun(auto=False))       # a user's rerun is not a refresh
    ws.handlers["framesent"](_rerun(auto=True))        # t = 100.0
    ws.handlers["framereceived"]("text frame")         # ignored
    ws.handlers["framereceived"](_finished())          # t = 100.25
    ws.handlers["framesent"](_rerun(auto=True))        # t = 200.0
    ws.handlers["framereceived"](_exception())
    ws.handlers["framereceived"](_finished())          # t = 200.5
    assert w.refreshes == [0.25, 0.5]
    assert w.exceptions == 1


def test_summary_and_markdown(lt):
    raw = {
        "ramp_s": 40.0,
        "samples": [(0.0, 100.0, 0.0), (2.0, 110.0, 0.5), (4.0, 120.0, 1.0)],
        "sessions": {
            0: {"first": [3.0], "renders": [], "refreshes": [0.2, 0.4], "errors": [], "offline": []},
            1: {"first": [5.0], "renders": [], "refreshes": [0.3], "errors": ["session 1: console: x"],
                "offline": ["https://example.org/a"]},
        },
    }
    args = SimpleNamespace(sessions=2, every=10.0, duration=120.0, data="sample_data", page="/")
    s = lt.summarise(raw, "live", args)
    assert (s["opened"], s["first_s"][0], s["first_s"][2]) == (2, 4.0, 5.0)
    assert (s["refreshes"], s["refresh_s"][0], s["refresh_s"][2]) == (3, 0.3, 0.4)
    assert s["errors"] == 1
    assert (s["rss_start_mb"], s["rss_max_mb"]) == (100.0, 120.0)
    assert s["server_cpu_share"] == 0.25  # 1 CPU second over 4 s
    text = lt.markdown([s])
    assert text.startswith(lt.BEGIN) and text.endswith(lt.END)
    assert "| refreshes answered | 3 |" in text
    assert "| server CPU (share of one core) | 25% |" in text
    assert "- `session 1: console: x`" in text
    assert "`https://example.org/a`" in text
