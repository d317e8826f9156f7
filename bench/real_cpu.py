"""CPU seconds of a cold load per source (issue 13's per-format figures): one file at a time
(``LOAD_WORKERS = 1``), the process's CPU time around each file's ``ingest.load_file`` summed by
source (contract files by table), and the build (``derive.rebuild``, ``resolve.customers``
inside it). CPU seconds, not wall time, because the shared machine's load makes wall times vary.

    .venv/bin/python bench/real_cpu.py FOLDER   # e.g. a launch from `launchboard generate`
"""
from __future__ import annotations

import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import launchboard.loader as loader  # noqa: E402
from launchboard import derive, ingest, resolve  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(folder: Path) -> None:
    per: dict[str, float] = defaultdict(float)
    load_file, rebuild, customers = ingest.load_file, derive.rebuild, resolve.customers

    def timed(key, fn):
        def run(*a, **k):
            c0 = cpu()
            try:
                return fn(*a, **k)
            finally:
                per[key(*a) if callable(key) else key] += cpu() - c0
        return run

    loader.LOAD_WORKERS = 1
    loader.ingest.load_file = timed(lambda cur, found, *a: found.source.name if found.source is not None
                                    else "(contract) " + found.table, load_file)
    loader.derive.rebuild = timed("build", rebuild)
    resolve.customers = timed("build: of which resolve.customers", customers)
    c0, t0 = cpu(), time.perf_counter()
    store = loader.Store(folder)
    store.refresh()
    total, wall = cpu() - c0, time.perf_counter() - t0
    cur = store.cursor()
    rows = cur.execute("SELECT sum(rows_read) FROM files").fetchone()[0]
    cur.close()
    store.close()
    print(f"total {total:.1f} s CPU, {wall:.1f} s wall, {rows:,} rows read, load {os.getloadavg()[0]:.1f}")
    for name, seconds in sorted(per.items()):
        print(f"  {name:40s} {seconds:6.1f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
