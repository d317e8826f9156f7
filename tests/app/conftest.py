"""Shared AppTest helpers: run one page of the app against a chosen data folder."""
from __future__ import annotations

from pathlib import Path

import pytest
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
    """``app_at(page, data_dir, state=None, query=None)``: a run AppTest showing ``pages/<page>.py``.

    ``state`` presets session state (widget values by key, e.g. ``{"as_of_mode": "Moment"}``)
    and ``query`` the URL query parameters (e.g. ``{"as_of": "2016-10-21T22:00"}``) before the
    first run; auto-refresh is off unless ``state`` says otherwise.
    """
    def make(page: str, data_dir, *, state: dict | None = None, query: dict | None = None,
             timeout: float = 120) -> AppTest:
        monkeypatch.setenv("LAUNCHBOARD_DATA", str(data_dir))
        at = AppTest.from_file(str(APP), default_timeout=timeout)
        at.session_state["auto_refresh"] = False
        for key, value in (state or {}).items():
            at.session_state[key] = value
        at.query_params.update(query or {})
        at.switch_page(f"pages/{page}.py").run()
        return at

    return make
