"""Load test: N browser sessions reloading the dashboard every few seconds against one server.

    .venv/bin/python bench/loadtest.py [--sessions 10] [--every 10] [--duration 120]
                                       [--port 8651] [--data sample_data] [--page /]

Starts ``streamlit run app.py`` on ``--port`` with LAUNCHBOARD_DATA=``--data``, opens
``--sessions`` headless Chromium pages (Playwright, /usr/bin/chromium) that each reload every
``--every`` seconds for ``--duration`` seconds, and records

- each render time: from the reload until the page title is on screen and the script has
  finished (no running indicator, no skeleton);
- errors: a failed or timed-out render, a Streamlit exception box, or a page console error;
- the server's resident memory (RSS, from /proc) every 2 s.

Results go to the "Load test" section of bench/RESULTS.md (between its markers) and to stdout.
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

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- loadtest:begin -->", "<!-- loadtest:end -->"
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


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        status = Path(f"/proc/{p}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


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


async def render(page, timeout_ms: int) -> None:
    await page.wait_for_function(RENDERED_JS, timeout=timeout_ms, polling=100)


async def session(i: int, browser, url: str, every: float, duration: float, t_end: float, out: dict) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    console_errors: list[str] = []
    offline: list[str] = []
    # This machine has no internet: requests to outside hosts fail; they are counted, not errors.
    # A reload cancels the previous page's pending requests (net::ERR_ABORTED): not an error either.
    page.on("requestfailed", lambda req: offline.append(req.url) if "localhost" not in req.url
            else None if "ERR_ABORTED" in (req.failure or "")
            else console_errors.append(f"request failed: {req.url} ({req.failure})"))
    page.on("console", lambda msg: console_errors.append(msg.text)
            if msg.type == "error" and "ERR_NAME_NOT_RESOLVED" not in msg.text else None)
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    renders: list[float] = []
    errors: list[str] = []
    first = True
    while True:
        started = time.monotonic()
        if started >= t_end:
            break
        try:
            if first:
                await page.goto(url, wait_until="domcontentloaded")
            else:
                await page.reload(wait_until="domcontentloaded")
            await render(page, timeout_ms=30_000)
            renders.append(time.monotonic() - started)
            if await page.locator('[data-testid="stException"]').count():
                errors.append(f"session {i}: exception box on screen")
        except Exception as exc:  # noqa: BLE001 - a failed render is counted as an error, not hidden
            errors.append(f"session {i}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        first = False
        await asyncio.sleep(max(0.0, started + every - time.monotonic()))
    errors += [f"session {i}: console: {e}" for e in console_errors]
    out[i] = {"renders": renders, "errors": errors, "offline": sorted(set(offline))}
    await context.close()


async def drive(url: str, sessions: int, every: float, duration: float, pid: int) -> dict:
    samples: list[tuple[float, float]] = []
    out: dict = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        t0 = time.monotonic()
        t_end = t0 + duration
        tasks = [asyncio.create_task(session(i, browser, url, every, duration, t_end, out))
                 for i in range(sessions)]
        while not all(t.done() for t in tasks):
            samples.append((time.monotonic() - t0, rss_mb(pid)))
            await asyncio.sleep(2)
        for t in tasks:
            t.result()
        await browser.close()
    return {"sessions": out, "rss": samples}


def summarise(raw: dict, args) -> dict:
    renders = [r for s in raw["sessions"].values() for r in s["renders"]]
    errors = [e for s in raw["sessions"].values() for e in s["errors"]]
    rss = [m for _, m in raw["rss"]]
    third = max(1, len(rss) // 3)
    q = statistics.quantiles(renders, n=20, method="inclusive") if len(renders) >= 2 else [None] * 19
    return {
        "sessions": args.sessions, "every_s": args.every, "duration_s": args.duration, "data": args.data,
        "page": args.page,
        "renders": len(renders), "errors": len(errors), "error_samples": errors[:10],
        "offline_requests": sorted({u for s in raw["sessions"].values() for u in s["offline"]}),
        "render_median_s": statistics.median(renders) if renders else None,
        "render_p95_s": q[18], "render_max_s": max(renders) if renders else None,
        "rss_start_mb": rss[0] if rss else None,
        "rss_first_third_mb": statistics.mean(rss[:third]) if rss else None,
        "rss_last_third_mb": statistics.mean(rss[-third:]) if rss else None,
        "rss_max_mb": max(rss) if rss else None,
        "rss_series": [(round(t), round(m)) for t, m in raw["rss"]],
        "load": os.getloadavg(),
    }


def markdown(s: dict) -> str:
    def f(v, fmt="{:.2f}"):
        return "n/a" if v is None else fmt.format(v)

    series = ", ".join(f"{t}s {m}" for t, m in s["rss_series"][:: max(1, len(s["rss_series"]) // 12)])
    lines = [
        BEGIN,
        "## Load test",
        "",
        f"`.venv/bin/python bench/loadtest.py` · {s['sessions']} headless Chromium sessions, each reloading "
        f"`{s['page']}` every {s['every_s']:g} s for {s['duration_s']:g} s against one `streamlit run app.py` "
        f"(LAUNCHBOARD_DATA={s['data']}); load average at the end {', '.join(f'{x:.1f}' for x in s['load'])}.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| page renders | {s['renders']} |",
        f"| errors (failed/timed-out render, exception box, console error) | {s['errors']} |",
        f"| render time median / p95 / max | {f(s['render_median_s'])} s / {f(s['render_p95_s'])} s / "
        f"{f(s['render_max_s'])} s |",
        f"| server RSS at start / mean of first third / mean of last third / max | {f(s['rss_start_mb'], '{:.0f}')} / "
        f"{f(s['rss_first_third_mb'], '{:.0f}')} / {f(s['rss_last_third_mb'], '{:.0f}')} / "
        f"{f(s['rss_max_mb'], '{:.0f}')} MB |",
        "",
        f"Server RSS over time (MB): {series}.",
    ]
    if s["offline_requests"]:
        lines += ["", "Requests to outside hosts failed (this machine is offline; not counted as errors): "
                  + ", ".join(f"`{u}`" for u in s["offline_requests"][:5]) + "."]
    if s["error_samples"]:
        lines += ["", "First errors:", ""] + [f"- `{e}`" for e in s["error_samples"]]
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--every", type=float, default=10)
    ap.add_argument("--duration", type=float, default=120)
    ap.add_argument("--port", type=int, default=8651)
    ap.add_argument("--data", default="sample_data")
    ap.add_argument("--page", default="/", help="URL path of the page to load, e.g. / or /calls")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = ap.parse_args()

    env = {**os.environ, "LAUNCHBOARD_DATA": args.data}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "streamlit"), "run", "app.py", "--server.port", str(args.port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        wait_healthy(args.port, 60)
        url = f"http://localhost:{args.port}{args.page}"
        raw = asyncio.run(drive(url, args.sessions, args.every, args.duration, server.pid))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    result = summarise(raw, args)
    print(json.dumps({k: v for k, v in result.items() if k != "rss_series"}, indent=2))
    if not args.no_write:
        write_section(markdown(result))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
