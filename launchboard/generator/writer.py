"""Writing extract files: CSV bytes (UTF-8, BOM, CP949, gzip) on two worker threads, the counts the
summary reports, deliberately bad lines, pending -> final versions, and the sample's launch.toml."""

from __future__ import annotations

import gzip
import io
import pathlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from .story import CUTOFF, OPEN, TABLES, TEMPLATES, UNCATALOGUED_TEMPLATE, _drop_of


def _csv_bytes(columns: dict[str, pa.Array], extra_lines: list[str] = ()) -> bytes:
    names = list(columns)
    head = (",".join(names) + "\n").encode()
    buf = io.BytesIO()
    buf.write(head)
    if columns and len(next(iter(columns.values()))):
        tab = pa.table(columns)
        pacsv.write_csv(tab, buf, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    for line in extra_lines:
        buf.write((line + "\n").encode())
    return buf.getvalue()


class _Writer:
    """Builds, encodes, compresses and writes files on two worker threads.

    Column building (numpy / Arrow kernels), the CSV writer and zlib all release the
    GIL, so two files are produced in parallel while the main thread prepares the next.
    """

    def __init__(self, out: pathlib.Path):
        self.out = out
        self.files: list[str] = []
        self.stats = {t: dict(files=0, rows=0, bad=0, key_count=0) for t in TABLES}
        self.bad_rows: list[dict] = []
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.pending: list = []

    @staticmethod
    def _store(path, build, extra, encoding, bom, gz) -> None:
        data = _csv_bytes(build(), extra)
        if encoding != "utf-8":
            data = data.decode("utf-8").encode(encoding)
        if bom:
            data = b"\xef\xbb\xbf" + data
        if gz:
            data = gzip.compress(data, compresslevel=6 if len(data) < 8 * 2**20 else 1, mtime=0)
        path.write_bytes(data)

    def write(self, table: str, name: str, build, *, rows: int, extra: list[str] = (),
              bad: list[tuple[int, str]] = (), encoding: str = "utf-8", bom: bool = False, gz: bool = False):
        path = self.out / table / name
        path.parent.mkdir(parents=True, exist_ok=True)
        while sum(not f.done() for f in self.pending) >= 3:  # bound the memory held by queued files
            next(f for f in self.pending if not f.done()).result()
        self.pending.append(self.pool.submit(self._store, path, build, list(extra), encoding, bom, gz))
        self.count(table, name, rows, bad)

    def count(self, table, name, rows, bad=()):
        self.files.append(f"{table}/{name}")
        st = self.stats[table]
        st["files"] += 1
        st["rows"] += rows
        st["bad"] += len(bad)
        for line, reason in bad:
            self.bad_rows.append(dict(table=table, file=f"{table}/{name}", line=line, reason=reason))

    def close(self) -> None:
        try:
            for f in self.pending:
                f.result()
        finally:
            self.pool.shutdown(wait=True)


def _launch_toml() -> str:
    lines = [
        "# Sample launch settings (see the data contract, section 4)",
        "[launch]",
        'name = "iPhone 7 launch"',
        'timezone = "Asia/Seoul"',
        'locale = "ko"  # the interface speaks Korean; anyone can switch to English (?lang=en)',
        'quiet_hours = ["21:00", "08:00"]',
        "",
        "[calls]",
        "service_level_seconds = 20",
        "",
        "[messages]",
        "conflict_window_hours = 48",
        "call_window_hours = 2             # calls traced to a batch arrive within this after the message",
        "",
        "[alerts]",
        "window_minutes = 60",
        "activation_failure_rate = 0.10",
        "min_attempts = 20",
        "call_loss_rate = 0.20",
        "min_calls = 20",
        "stall_minutes = 120",
        "stall_min_orders = 50",
        "hub_stall_min_orders = 20",
        "stale_feed_minutes = 120",
        "call_surge_ratio = 3.0            # message_call_surge: calls > 3x the batch's baseline",
        "min_surge_calls = 20",
        "",
        f"# every template the data uses, except {UNCATALOGUED_TEMPLATE} (left out on purpose)",
    ]
    for name, spec in TEMPLATES.items():
        lines.append(f"[templates.{name}]")
        if "claims" in spec:
            lines.append(f'claims = "{spec["claims"]}"')
        if "conflicts_with" in spec:
            lines.append("conflicts_with = [" + ", ".join(f'"{c}"' for c in spec["conflicts_with"]) + "]")
    return "\n".join(lines) + "\n"


def _bad_lines(n_rows: int, specs) -> tuple[list[str], list[tuple[int, str]]]:
    """Append deliberately invalid rows after n_rows good ones: (lines, [(line number, reason)])."""
    return [line for line, _ in specs], [(n_rows + 2 + k, reason) for k, (_, reason) in enumerate(specs)]


def _versions(n, t_first, t_final, key_bits):
    """Snapshot drops of a two-state row (pending -> final): index, is_final, drop, updated_at."""
    d_first = _drop_of(t_first).astype(np.int64)
    done = t_final <= CUTOFF
    d_final = np.where(done, _drop_of(np.minimum(t_final, CUTOFF)), 99).astype(np.int64)
    pend = d_final != d_first  # also written while still pending
    v_i = np.concatenate([np.flatnonzero(pend), np.flatnonzero(done)])
    v_final = np.concatenate([np.zeros(int(pend.sum()), bool), np.ones(int(done.sum()), bool)])
    v_drop = np.concatenate([d_first[pend], d_final[done]])
    v_upd = np.where(v_final, t_final[v_i], t_first[v_i])
    key = (v_drop << (21 + key_bits)) | ((v_upd - OPEN) << key_bits) | v_i
    srt = np.argsort(key)
    return v_i[srt], v_final[srt], v_drop[srt], v_upd[srt]
