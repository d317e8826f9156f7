"""Helpers for AppTest runs with sign-in on (importable by name from tests/app)."""
from __future__ import annotations

from pathlib import Path

from signin_users import PASSWORD, TITLES, USERS, write_users  # noqa: F401  (re-exported)
from streamlit.testing.v1 import AppTest

from launchboard.accesslog import AccessLog

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"


def signin_env(monkeypatch, tmp_path: Path, data_dir: Path) -> AccessLog:
    """Sign-in on for ``data_dir`` (users file and state folder under ``tmp_path``); the log."""
    users = write_users(tmp_path / "state" / "users.toml")
    monkeypatch.setenv("LAUNCHBOARD_DATA", str(data_dir))
    monkeypatch.setenv("LAUNCHBOARD_USERS", str(users))
    monkeypatch.setenv("LAUNCHBOARD_STATE", str(tmp_path / "state"))
    return AccessLog.in_folder(tmp_path / "state")


def new_app(query: dict | None = None, timeout: float = 120, lang: str | None = "en") -> AppTest:
    """The app in English (the tests read its English words) unless ``lang`` says otherwise."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    at.session_state["auto_refresh"] = False
    at.query_params.update({"lang": lang} if lang else {})
    at.query_params.update(query or {})
    return at


def sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    """Fill the sign-in form and send it (the app must show it)."""
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    at.button(key="signin_submit").click().run()
    return at


def signed_in(name: str, query: dict | None = None) -> AppTest:
    at = new_app(query).run()
    return sign_in(at, name)


def texts(at: AppTest) -> str:
    """The Markdown-rendered texts of a run: titles, headers, markdown, captions, alerts."""
    parts = [e.value for e in (*at.title, *at.subheader, *at.markdown, *at.caption, *at.info, *at.warning,
                               *at.error, *at.success)]
    return "\n".join(str(p) for p in parts)


def table(at: AppTest, *columns: str):
    """The first table (st.dataframe) of the run that has all of ``columns``."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))
