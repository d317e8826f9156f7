"""Serve the app with `streamlit run` on the sample launch and drive it with Chromium.

The server is started once per session; we wait for Streamlit's own start-up line and then
for the health check, never with a sleep.
"""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from e2e_support import CHROMIUM, CHROMIUM_ARGS, PORT, ROOT

@pytest.fixture(scope="session")
def server_url():
    env = {**os.environ, "LAUNCHBOARD_DATA": str(ROOT / "sample_data"), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(PORT),
           "--server.headless", "true", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []
    try:
        for line in proc.stdout:  # blocks until Streamlit reports it is serving
            seen.append(line)
            if "You can now view your Streamlit app" in line or f":{PORT}" in line:
                break
        else:
            pytest.fail("streamlit exited before serving:\n" + "".join(seen))
        url = f"http://localhost:{PORT}"
        with urllib.request.urlopen(url + "/_stcore/health", timeout=30) as resp:
            assert resp.read().decode().strip() == "ok"
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


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

