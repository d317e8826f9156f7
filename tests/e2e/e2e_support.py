"""Constants and waits shared by the end-to-end tests (importable by name from tests/e2e)."""
from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    """A port nobody listens on now (so a left-over server cannot break the run)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = int(os.environ.get("LAUNCHBOARD_E2E_PORT") or _free_port())
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def wait_for_run(page, timeout_ms: int = 60_000) -> None:
    """Wait until the app is connected and its script has finished running."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)


def wait_for_render(page, timeout_ms: int = 30_000) -> None:
    """After the run: wait until lazily loaded tables and charts have replaced their skeletons."""
    page.wait_for_function(
        "() => document.querySelectorAll(\"[data-testid='stSkeleton'], [data-testid='stSkeletonElement']\").length === 0",
        timeout=timeout_ms,
    )


@contextmanager
def served(data_dir: Path, env: dict[str, str] | None = None, port: int | None = None) -> Iterator[str]:
    """``streamlit run app.py`` on ``data_dir`` (with ``env`` added) on a free port; yields its URL
    once Streamlit says it is serving and the health check answers (never a sleep)."""
    port = port or _free_port()
    # Each server keeps its launch in a state folder of its own (unless env names one): this test
    # process may hold the data folder's saved launch (launchboard.persist) through an AppTest's Store.
    state = tempfile.TemporaryDirectory(prefix="launchboard-e2e-state-")
    full_env = {**os.environ, "LAUNCHBOARD_DATA": str(data_dir), "PYTHONUNBUFFERED": "1",
                "LAUNCHBOARD_STATE": state.name, **(env or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
           "--server.headless", "true", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []
    try:
        for line in proc.stdout:  # blocks until Streamlit reports it is serving
            seen.append(line)
            if "You can now view your Streamlit app" in line or f":{port}" in line:
                break
        else:
            raise RuntimeError("streamlit exited before serving:\n" + "".join(seen))
        url = f"http://localhost:{port}"
        with urllib.request.urlopen(url + "/_stcore/health", timeout=30) as resp:
            assert resp.read().decode().strip() == "ok"
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        state.cleanup()
