"""Serve the app with `streamlit run` on the sample launch and drive it with Chromium.

The server is started once per session; we wait for Streamlit's own start-up line and then
for the health check, never with a sleep.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from e2e_support import CHROMIUM, CHROMIUM_ARGS, PORT, ROOT, served

@pytest.fixture(scope="session")
def server_url():
    with served(ROOT / "sample_data", port=PORT) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (.ci/run does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    pg = context.new_page()
    yield pg
    context.close()

