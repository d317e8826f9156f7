"""Load test: N browser sessions following the dashboard for a fixed time against one server.

    .venv/bin/python bench/loadtest.py [--sessions 10] [--every 10] [--duration 120]
                                       [--port 8651] [--data sample_data] [--page /]
                                       [--modes live,reload]

Starts ``streamlit run app.py`` on ``--port`` with LAUNCHBOARD_DATA=``--data`` and opens
``--sessions`` headless Chromium pages (Playwright, /usr/bin/chromium) one after another
(ramp-up: each waits for the previous one's first render; those first renders are recorded).
Then all of them are measured for ``--duration`` seconds, in each mode:

- ``live``: each session opens the page with ``?refresh=EVERY``, the dashboard's own
  auto-refresh, and stays on it, as a manager's screen does. Recorded: the first render, and
  every refresh from the browser's rerun request to the server's "finished" message (read
  from the websocket with Streamlit's protobufs).
- ``reload``: each session reloads the whole page every ``--every`` seconds, out of step (a
  full browser reload: the JavaScript, a new session, every chart drawn again). Recorded: each render,
  from the reload until the title is on screen and the script has finished.

Both record errors (a failed or timed-out render, a refresh not answered within 30 s, an
exception element sent or on screen, a page console error) and the server's resident memory
and CPU time (from /proc) every 2 s. Results go to the "Load test" section of
bench/RESULTS.md (between its markers) and to stdout.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.async_api import async_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- loadtest:begin -->", "<!-- loadtest:end -->"
MODES = ("live", "reload")
TIMEOUT_S = 30
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
# The script has finished when the title is there and nothing is running or still a skeleton.
RENDERED_JS = """() => {
    const h1 = document.querySelector('h1');
    if (!h1 || !h1.innerText.trim()) return false;
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    return true;
}"""
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _pids(pid: int) -> list[int]:
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    return pids


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    for p in _pids(pid):
        status = Path(f"/proc/{p}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its children (all threads)."""
    total = 0
    for p in _pids(pid):
        stat = Path(f"/proc/{p}/stat")
        if stat.exists():
            fields = stat.read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def wait_healthy(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://localhost:{port}/_stcore/health"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"streamlit did not become healthy on port {port} within {timeout:.0f} s")


class Watch:
    """One session's page: console errors, outside requests, and (live mode) the refreshes seen
    on its websocket: each auto-rerun request and the "finished" message that answers it."""

    def __init__(self, i: int, page) -> None:
        self.i = i
        self.console_errors: list[str] = []
        self.offline: list[str] = []
        self.refreshes: list[float] = []
        self.exceptions = 0
        self.counting = False  # refreshes are timed only inside the measured window
        self._asked: float | None = None
        # This machine has no internet: requests to outside hosts fail; they are counted, not errors.
        # A reload cancels the previous page's pending requests (net::ERR_ABORTED): not an error either.
        page.on("requestfailed", self._request_failed)
        page.on("console", lambda msg: self.console_errors.append(msg.text)
                if msg.type == "error" and "ERR_NAME_NOT_RESOLVED" not in msg.text else None)
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        page.on("websocket", self._websocket)

    def _request_failed(self, req) -> None:
        if "localhost" not in req.url:
            self.offline.append(req.url)
        elif "ERR_ABORTED" not in (req.failure or ""):
            self.console_errors.append(f"request failed: {req.url} ({req.failure})")

    def _websocket(self, ws) -> None:
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        if isinstance(payload, str):
            return
        msg = BackMsg()
        msg.ParseFromString(payload)
        if self.counting and msg.WhichOneof("type") == "rerun_script" and msg.rerun_script.is_auto_rerun:
            self._asked = time.monotonic()

    def _received(self, payload) -> None:
        if isinstance(payload, str):
            return
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element" \
                and msg.delta.new_element.WhichOneof("type") == "exception":
            self.exceptions += 1
        elif kind == "script_finished" and self._asked is not None:
            self.refreshes.append(time.monotonic() - self._asked)
            self._asked = None

    def pending_for(self) -> float:
        """Seconds the current refresh request has waited (0 when none is pending)."""
        return 0.0 if self._asked is None else time.monotonic() - self._asked


async def session(i: int, browser, url: str, mode: str, every: float, turn: asyncio.Event, opened: asyncio.Event,
                  window: dict, out: dict) -> None:
    """Open the page when it is this session's turn (ramp-up), then follow it until the window ends."""
    await turn.wait()
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    w = Watch(i, page)
    errors: list[str] = []
    first: list[float] = []
    renders: list[float] = []

    async def load(reload: bool, into: list[float]) -> None:
        started = time.monotonic()
        try:
            if reload:
                await page.reload(wait_until="domcontentloaded")
            else:
                await page.goto(url, wait_until="domcontentloaded")
            await page.wait_for_function(RENDERED_JS, timeout=TIMEOUT_S * 1000, polling=100)
            into.append(time.monotonic() - started)
            if await page.locator('[data-testid="stException"]').count():
                errors.append(f"session {i}: exception box on screen")
        except Exception as exc:  # noqa: BLE001 - a failed render is counted as an error, not hidden
            errors.append(f"session {i}: {type(exc).__name__}: {str(exc).splitlines()[0]}")

    await load(False, first)
    opened.set()
    await window["open"].wait()
    w.counting = True
    if mode == "live":
        # Stay on the page: the dashboard refreshes itself every `every` seconds.
        while time.monotonic() < window["end"]:
            if w.pending_for() > TIMEOUT_S:
                errors.append(f"session {i}: a refresh was not answered within {TIMEOUT_S} s")
                break
            await asyncio.sleep(0.5)
        if await page.locator('[data-testid="stException"]').count():
            errors.append(f"session {i}: exception box on screen")
    else:
        # Sessions reload out of step: each starts its first reload at its own offset.
        await asyncio.sleep(i * every / window["sessions"])
        while (started := time.monotonic()) < window["end"]:
            await load(True, renders)
            await asyncio.sleep(max(0.0, started + every - time.monotonic()))
    if w.exceptions:
        errors.append(f"session {i}: {w.exceptions} exception element(s) sent by the server")
    errors += [f"session {i}: console: {e}" for e in w.console_errors]
    out[i] = {"first": first, "renders": renders, "refreshes": w.refreshes, "errors": errors,
              "offline": sorted(set(w.offline))}
    await context.close()


async def drive(url: str, mode: str, sessions: int, every: float, duration: float, pid: int) -> dict:
    """Ramp up (the sessions open one after another), then measure for `duration` seconds."""
    samples: list[tuple[float, float, float]] = []
    out: dict = {}
    turns = [asyncio.Event() for _ in range(sessions)]
    opened = [asyncio.Event() for _ in range(sessions)]
    window = {"open": asyncio.Event(), "sessions": sessions}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        tasks = [asyncio.create_task(session(i, browser, url, mode, every, turns[i], opened[i], window, out))
                 for i in range(sessions)]
        ramp0 = time.monotonic()
        for turn, done in zip(turns, opened):
            turn.set()
            await done.wait()
        t0 = time.monotonic()
        window["end"] = t0 + duration
        window["open"].set()
        cpu0 = cpu_s(pid)
        while not all(t.done() for t in tasks):
            samples.append((time.monotonic() - t0, rss_mb(pid), cpu_s(pid) - cpu0))
            await asyncio.sleep(2)
        for t in tasks:
            t.result()
        await browser.close()
    return {"sessions": out, "samples": samples, "ramp_s": t0 - ramp0}


def _q(values: list[float]) -> tuple:
    if not values:
        return None, None, None
    p95 = statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) >= 2 else values[0]
    return statistics.median(values), p95, max(values)


def summarise(raw: dict, mode: str, args) -> dict:
    sess = raw["sessions"].values()
    first = [r for s in sess for r in s["first"]]
    renders = [r for s in sess for r in s["renders"]]
    refreshes = [r for s in sess for r in s["refreshes"]]
    errors = [e for s in sess for e in s["errors"]]
    rss = [m for _, m, _ in raw["samples"]]
    third = max(1, len(rss) // 3)
    elapsed, cpu = (raw["samples"][-1][0], raw["samples"][-1][2]) if raw["samples"] else (0, 0)
    return {
        "mode": mode, "sessions": args.sessions, "every_s": args.every, "duration_s": args.duration,
        "data": args.data, "page": args.page,
        "ramp_s": raw["ramp_s"], "opened": len(first), "first_s": _q(first),
        "renders": len(renders), "render_s": _q(renders),
        "refreshes": len(refreshes), "refresh_s": _q(refreshes),
        "errors": len(errors), "error_samples": errors[:10],
        "offline_requests": sorted({u for s in sess for u in s["offline"]}),
        "rss_start_mb": rss[0] if rss else None,
        "rss_first_third_mb": statistics.mean(rss[:third]) if rss else None,
        "rss_last_third_mb": statistics.mean(rss[-third:]) if rss else None,
        "rss_max_mb": max(rss) if rss else None,
        "rss_series": [(round(t), round(m)) for t, m, _ in raw["samples"]],
        "server_cpu_share": cpu / elapsed if elapsed else None,
        "load": os.getloadavg(),
    }


def _f(v, fmt="{:.2f}"):
    return "n/a" if v is None else fmt.format(v)


def markdown(results: list[dict]) -> str:
    s0 = results[0]

    def row(label: str, cell) -> str:
        return f"| {label} | " + " | ".join(cell(s) for s in results) + " |"

    def q(key: str):
        return lambda s: " / ".join(_f(v) for v in s[key]) + " s"

    lines = [
        BEGIN,
        "## Load test",
        "",
        f"`.venv/bin/python bench/loadtest.py` · {s0['sessions']} headless Chromium sessions (one browser, a "
        f"context each) on `{s0['page']}` against one `streamlit run app.py` (LAUNCHBOARD_DATA={s0['data']}), "
        "browsers and server on the same machine. The sessions first open one after another (ramp-up); then "
        f"all {s0['sessions']} are measured for {s0['duration_s']:g} s:",
        "",
        f"- **live**: each session keeps the page open with `?refresh={s0['every_s']:g}`, the dashboard's own "
        "auto-refresh. A refresh is timed from the browser's rerun request to the server's finished message.",
        f"- **reload**: each session reloads the whole page every {s0['every_s']:g} s (out of step). A render "
        "is timed from the reload until the title is on screen and the script has finished.",
        "",
        "| measure | " + " | ".join(s["mode"] for s in results) + " |",
        "|---|" + "---|" * len(results),
        row("ramp-up: sessions opened / seconds", lambda s: f"{s['opened']} / {s['ramp_s']:.0f} s"),
        row("ramp-up: first render median / p95 / max", q("first_s")),
        row("refreshes answered", lambda s: str(s["refreshes"]) if s["mode"] == "live" else "–"),
        row("refresh time median / p95 / max", lambda s: q("refresh_s")(s) if s["mode"] == "live" else "–"),
        row("reloads rendered", lambda s: str(s["renders"]) if s["mode"] == "reload" else "–"),
        row("reload render time median / p95 / max", lambda s: q("render_s")(s) if s["mode"] == "reload" else "–"),
        row("errors (failed/timed-out render or refresh, exception, console error)", lambda s: str(s["errors"])),
        row("server RSS at start / mean of first third / mean of last third / max (MB)", lambda s: " / ".join(
            _f(s[k], "{:.0f}") for k in ("rss_start_mb", "rss_first_third_mb", "rss_last_third_mb", "rss_max_mb"))),
        row("server CPU (share of one core)", lambda s: _f(s["server_cpu_share"], "{:.0%}")),
        row("load average at the end (1/5/15 min)", lambda s: ", ".join(f"{x:.1f}" for x in s["load"])),
        "",
        "The browsers share the server's CPUs. When the server's CPU share is low but renders are slow, "
        "the browsers are what is saturated (a full reload downloads and runs Streamlit's JavaScript and "
        "draws every chart again), not the server.",
    ]
    for s in results:
        series = ", ".join(f"{t}s {m}" for t, m in s["rss_series"][:: max(1, len(s["rss_series"]) // 12)])
        lines += ["", f"Server RSS over the measured window, {s['mode']} (MB): {series}."]
        if s["offline_requests"]:
            lines += ["", "Requests to outside hosts failed (this machine is offline; not counted as errors): "
                      + ", ".join(f"`{u}`" for u in s["offline_requests"][:5]) + "."]
        if s["error_samples"]:
            lines += ["", f"First errors, {s['mode']}:", ""] + [f"- `{e}`" for e in s["error_samples"]]
    lines.append(END)
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Replace the load-test section of RESULTS.md (or append it)."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        current = head + text + tail
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    RESULTS.write_text(current, encoding="utf-8")


def run_mode(mode: str, args) -> dict:
    env = {**os.environ, "LAUNCHBOARD_DATA": args.data}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "streamlit"), "run", "app.py", "--server.port", str(args.port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        wait_healthy(args.port, 60)
        sep = "&" if "?" in args.page else "?"
        url = f"http://localhost:{args.port}{args.page}" + (f"{sep}refresh={args.every:g}" if mode == "live" else "")
        raw = asyncio.run(drive(url, mode, args.sessions, args.every, args.duration, server.pid))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return summarise(raw, mode, args)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--every", type=float, default=10)
    ap.add_argument("--duration", type=float, default=120)
    ap.add_argument("--port", type=int, default=8651)
    ap.add_argument("--data", default="sample_data")
    ap.add_argument("--page", default="/", help="URL path of the page to load, e.g. / or /calls")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated: live, reload")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = ap.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    if not modes or set(modes) - set(MODES):
        ap.error(f"--modes takes {', '.join(MODES)}")
    results = [run_mode(mode, args) for mode in modes]
    for r in results:
        print(json.dumps({k: v for k, v in r.items() if k != "rss_series"}, indent=2))
    if not args.no_write:
        write_section(markdown(results))
    return 0 if all(r["errors"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
