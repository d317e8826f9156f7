"""Shared test helpers: write a launch data folder from hand-written extracts.

    def test_x(launch):
        store, rep = launch({"orders/o1.csv": ORDERS + "O1,C1,web,IP7,Seoul,2016-10-07 10:00\\n"},
                            toml='[launch]\\ntimezone = "UTC"\\n', as_of="2016-10-08 00:00")

``make_launch(tmp_path, files, toml=None)`` writes the folder; values of ``files`` are text
(written as UTF-8) or bytes (written as is, for BOMs, CP949 and gzip). Stores opened through the
``launch``/``open_launch`` fixtures are closed at teardown.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from launchboard import report
from launchboard.config import STATE_ENV
from launchboard.loader import Store, open_store
from launchboard.timeutil import parse_moment
from launch_files import make_launch  # noqa: F401  (re-exported for fixtures)


@pytest.fixture(scope="session", autouse=True)
def state_home(tmp_path_factory):
    """Launch state (the Store's database, the access log) goes under a folder of this test run,
    one subfolder per data folder (launchboard.config.state_dir), never into the user's home.
    Set in os.environ, so servers the end-to-end tests start inherit it."""
    folder = tmp_path_factory.mktemp("state-home")
    saved = {k: os.environ.get(k) for k in ("XDG_STATE_HOME", STATE_ENV)}
    os.environ["XDG_STATE_HOME"] = str(folder)
    os.environ.pop(STATE_ENV, None)
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _opener(root: Path):
    opened: list[Store] = []
    counter = iter(range(1_000))

    def _open(files: dict[str, str | bytes], toml: str | None = None) -> Store:
        store = open_store(make_launch(root / f"launch{next(counter)}", files, toml))
        opened.append(store)
        return store

    return _open, opened


@pytest.fixture
def open_launch(tmp_path):
    """``open_launch(files, toml=None) -> Store`` with every file loaded; closed at teardown."""
    _open, opened = _opener(tmp_path)
    yield _open
    for store in opened:
        store.close()


@pytest.fixture(scope="module")
def open_module_launch(tmp_path_factory):
    """Like ``open_launch`` but the stores live for the whole test module (load once, ask many times)."""
    _open, opened = _opener(tmp_path_factory.mktemp("module"))
    yield _open
    for store in opened:
        store.close()


@pytest.fixture
def launch(open_launch):
    """``launch(files, toml=None, as_of=None) -> (store, report dict)``; as_of is spec text."""

    def _launch(files: dict[str, str | bytes], toml: str | None = None, as_of: str | datetime | None = None):
        store = open_launch(files, toml)
        moment = parse_moment(as_of, store.config.tz) if isinstance(as_of, str) else as_of
        return store, report.build(store, moment)

    return _launch


def rows(store: Store, query: str, params: dict | None = None) -> list[tuple]:
    """Helper for assertions: every row of a SQL query on the store."""
    cur = store.cursor()
    try:
        return cur.execute(query, params or {}).fetchall()
    finally:
        cur.close()


@pytest.fixture
def sql_rows():
    return rows
