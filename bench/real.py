"""The real-shaped launch in ``make bench`` (issue 13): the same launch as bench/data, written as
a carrier's systems export it (``launchboard.generator.real``: an orders workbook per drop, CP949
courier exports, the Twilio export, the rotated Asterisk queue_log) into bench/data_real, and
its cold load, run in a fresh process right after each cold load of the contract-shaped launch,
so both see the same machine. Compared per row read: the target is at most 1.5x slower.

bench/run.py calls ``ensure_data`` once, ``worker`` in the subprocess (``--worker real``) and
``section`` when it writes RESULTS.md; nothing else of the bench changes.
"""
from __future__ import annotations

import os
import shutil
import statistics
import time
from pathlib import Path

TARGET_RATIO = 1.5  # real-shaped seconds per row / contract-shaped seconds per row


def folder(data: Path) -> Path:
    """bench/data_real beside bench/data (or ``<data>_real`` for another --data)."""
    return data.parent / (data.name + "_real")


def ensure_data(data: Path) -> float | None:
    """Write the real-shaped launch from ``data`` unless it is there; seconds spent (None: reused)."""
    from launchboard.generator.real import write_real

    real = folder(data)
    if (real / "launch.toml").exists():
        return None
    tmp = real.parent / (real.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.perf_counter()
    write_real(data, tmp)
    os.replace(tmp, real)
    return time.perf_counter() - t0


def _live(real: Path, tag: str) -> Path:
    """A folder of symlinks to every file of the real-shaped launch (its own folders included)."""
    live = real.parent / (real.name + "_live_" + tag)
    shutil.rmtree(live, ignore_errors=True)
    live.mkdir()
    for entry in real.iterdir():
        if entry.is_file():
            shutil.copyfile(entry, live / entry.name)
        elif entry.is_dir():
            (live / entry.name).mkdir()
            for f in entry.iterdir():
                (live / entry.name / f.name).symlink_to(f.resolve())
    return live


def worker(data: Path, tag: str) -> dict:
    """Cold load of the real-shaped launch in this (fresh) process: seconds, rows read per table,
    per-source rows and peak memory."""

    from launchboard.loader import Store

    live = _live(folder(data), tag)
    load = os.getloadavg()
    t0 = time.perf_counter()
    store = Store(live)
    store.refresh()
    seconds = time.perf_counter() - t0
    cur = store.cursor()
    by_table = dict(cur.execute("SELECT table_name, CAST(sum(rows_read) AS BIGINT) FROM files GROUP BY 1").fetchall())
    by_source = cur.execute("SELECT coalesce(source, '(contract files)'), count(*), CAST(sum(rows_read) AS BIGINT)"
                            " FROM files GROUP BY 1 ORDER BY 1").fetchall()
    rejected = cur.execute("SELECT count(*) FROM files WHERE status = 'rejected'").fetchone()[0]
    cur.close()
    store.close()
    shutil.rmtree(live, ignore_errors=True)
    rows = sum(by_table.values())
    return {"cold_s": seconds, "rows_read": rows, "rows_per_s": rows / seconds, "by_table": by_table,
            "by_source": by_source, "files_rejected": rejected, "load_before": load, "load_after": os.getloadavg()}


def section(info: dict) -> list[str]:
    """The RESULTS.md section: each real-shaped cold load beside the contract-shaped one before it."""
    real = info.get("real")
    if not real:
        return []
    contract = info["runs"]
    c_rate = statistics.median(r["cold_rows_per_s"] for r in contract)
    r_rate = statistics.median(r["rows_per_s"] for r in real["runs"])
    ratio = c_rate / r_rate
    lines = [
        "## The real-shaped launch (issue 13)",
        "",
        "The same launch written as a carrier's systems export it (`launchboard/generator/real.py`: an orders "
        "workbook per drop, CP949 courier exports with Korean statuses, the Twilio export, the rotated Asterisk "
        f"queue_log) into `bench/data_real`" + (f", in {real['generate_s']:.0f} s" if real.get("generate_s") else
                                                " (reused)") + ". Each cold load ran in a fresh process right after "
        "the contract-shaped cold load of the same run, on the same busy machine (load averages below).",
        "",
        "| run | contract-shaped | real-shaped | seconds per row, real / contract | load (1 min) before, after |",
        "|---:|---|---|---:|---|",
    ]
    for i, (c, r) in enumerate(zip(contract, real["runs"]), 1):
        lines.append(f"| {i} | {c['cold_s']:.1f} s, {c['rows_read']:,} rows ({c['cold_rows_per_s']:,.0f}/s) | "
                     f"{r['cold_s']:.1f} s, {r['rows_read']:,} rows ({r['rows_per_s']:,.0f}/s) | "
                     f"{c['cold_rows_per_s'] / r['rows_per_s']:.2f}x | "
                     f"{r['load_before'][0]:.1f}, {r['load_after'][0]:.1f} |")
    verdict = "met" if ratio <= TARGET_RATIO else "**missed**"
    lines += [
        "",
        f"Target: the real-shaped cold load at most {TARGET_RATIO}x slower per row than the contract-shaped one. "
        f"Measured (medians): {ratio:.2f}x ({r_rate:,.0f} against {c_rate:,.0f} rows/s): {verdict}.",
        "",
        "| source (files) | files | rows read |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {files:,} | {rows:,} |" for name, files, rows in real["runs"][0]["by_source"]]
    lines += ["", f"Peak memory of the real-shaped load: {max(r['peak_mb'] for r in real['runs']):,.0f} MB.", ""]
    return lines
