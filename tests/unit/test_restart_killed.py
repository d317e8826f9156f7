"""A load killed mid-way (SIGKILL, at a known point: tests/killed_load.py) and started again
gives the same launch as a clean load of the sample: no row lost or counted twice."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from launchboard.config import STATE_ENV
from launchboard.readers import discover

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data"


def report(state: Path, kill_after: int | None = None) -> subprocess.CompletedProcess:
    """``launchboard report`` on the sample with its state in ``state``; with ``kill_after``, killed
    (SIGKILL) right after that many files are committed."""
    env = {**os.environ, STATE_ENV: str(state), "PYTHONPATH": str(ROOT)}
    start = ([sys.executable, "-m", "launchboard"] if kill_after is None else
             [sys.executable, str(ROOT / "tests" / "killed_load.py"), str(kill_after)])
    return subprocess.run([*start, "report", "--data", str(SAMPLE), "--format", "json", "--lang", "en"],
                          cwd=ROOT, env=env, capture_output=True, text=True)


def test_killed_twice_then_started_again_equals_a_clean_load(tmp_path):
    files = len(discover(SAMPLE))
    clean = report(tmp_path / "clean")
    assert clean.returncode == 0, clean.stderr
    state = tmp_path / "killed"
    # 1st start: killed right after its 5th file was committed (the other file being read is lost)
    assert report(state, kill_after=5).returncode == -signal.SIGKILL
    # 2nd start: reads the rest and is killed after the last one, before the tables are built
    assert report(state, kill_after=files - 5).returncode == -signal.SIGKILL
    # 3rd start: no file left to read; builds the tables the stopped load left
    last = report(state)
    assert last.returncode == 0, last.stderr
    got, want = json.loads(last.stdout), json.loads(clean.stdout)
    assert got == want
    for table, figures in got["ingest"].items():
        assert figures["rows_read"] == figures["rows_accepted"] + figures["rows_rejected"], table
    assert sum(t["files"] for t in got["ingest"].values()) == files
