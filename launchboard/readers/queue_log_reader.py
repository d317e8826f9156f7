"""Asterisk ``queue_log`` files (``format = "asterisk_queue_log"``) -> calls.

The lines are assembled into calls by ``launchboard.queue_log`` (one row per queue visit, open
calls carried to the next file). A source's files are read one after the other in name order
(``Format.in_order``: a rotated log goes on in the next file), each on top of the state the
previous file left: the calls still open and the uniqueids already made into rows, kept in the
Store's database (``queue_log_open``, ``queue_log_done``) per source and source settings, so a
change of settings reads every file again from a clean state.

A call row's line is the line that completed it (its end, or a later wrap-up for a new version);
its content, when rejected, is the call's raw lines. Unreadable lines and unknown events are the
file's unreadable records. What is not a row is counted per file (``Staged.counts``): lines,
lines of other events (``event:RINGNOANSWER`` …), calls still open after the file, calls without
their ENTERQUEUE or CONNECT (times from the event data), times that disagree with the data, and
wrap-ups that made a new version or wait for their call. Epochs are UTC instants.

Options (``[sources.options]``): ``wrapup_event`` (default ``WRAPUP``), the custom event the
agent desktop writes with ``QueueLog()`` (data1 = reason, data2 = resolution); ``call_id_prefix``
(default empty), put before every call id (two PBXes whose uniqueids could meet).
"""
from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
import pyarrow.compute as pc

from ..queue_log import WRAPUP_EVENT, Assembly, Done, Visit, assemble
from ..schema import ident
from .base import FileRejected, Format, Staged, StageJob

TEXT = ("call_id", "queue", "outcome", "agent_id", "reason", "resolution", "customer_phone")
TIMES = ("arrived_at", "answered_at", "ended_at", "updated_at")
NAMES = ["call_id", "queue", "arrived_at", "answered_at", "ended_at", "outcome", "customer_id", "agent_id",
         "reason", "resolution", "updated_at", "customer_phone"]


def check_options(options: dict) -> dict:
    known = {"wrapup_event", "call_id_prefix"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError("unknown option(s) for format asterisk_queue_log: " + ", ".join(unknown)
                         + " (known: " + ", ".join(sorted(known)) + ")")
    wrapup = options.get("wrapup_event", WRAPUP_EVENT)
    if not isinstance(wrapup, str) or not wrapup.strip() or "|" in wrapup:
        raise ValueError(f"wrapup_event must be an event name (no '|'), got {wrapup!r}")
    prefix = options.get("call_id_prefix", "")
    if not isinstance(prefix, str) or "|" in prefix:
        raise ValueError(f"call_id_prefix must be text, got {prefix!r}")
    return {"wrapup_event": wrapup.strip().upper(), "call_id_prefix": prefix}


def _lines(job: StageJob) -> tuple[list[str], str]:
    """The file's lines (gzip by name) and its encoding: UTF-8, else CP949; else rejected."""
    try:
        raw = job.path.read_bytes()
        if job.path.name.lower().endswith(".gz"):
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise FileRejected(f"cannot read file: {exc}") from exc
    for encoding in ("utf-8", "cp949"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRejected("cannot decode file as UTF-8 or CP949/EUC-KR")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    return lines, encoding


def _state(cur, key: dict, lines: list[str]) -> tuple[dict[str, Visit], dict[str, Done]]:
    """The source's open calls, and the done uniqueids among those the lines name."""
    open_calls = {uid: Visit.from_json(json.loads(v)) for uid, v in cur.execute(
        "SELECT uniqueid, visit FROM queue_log_open WHERE source = $s AND fingerprint = $p", key).fetchall()}
    uids = {parts[1].strip() for parts in (line.split("|", 2) for line in lines) if len(parts) > 2}
    done: dict[str, Done] = {}
    if uids:
        view = f"lb_ql_uids_{id(key)}"
        cur.register(view, pa.table({"uniqueid": pa.array(sorted(uids), pa.string())}))
        try:
            rows = cur.execute(
                "SELECT d.uniqueid, d.visits, d.row FROM queue_log_done d JOIN " + ident(view)
                + " u USING (uniqueid) WHERE d.source = $s AND d.fingerprint = $p", key).fetchall()
        finally:
            cur.unregister(view)
        done = {uid: Done(visits, json.loads(row)) for uid, visits, row in rows}
    return open_calls, done


def _save(cur, key: dict, result: Assembly) -> None:
    """The state this file leaves: every open call, and the uniqueids it made into rows."""
    cur.execute("DELETE FROM queue_log_open WHERE source = $s AND fingerprint = $p", key)
    if result.open:
        cur.executemany("INSERT INTO queue_log_open VALUES (?, ?, ?, ?)",
                        [(key["s"], key["p"], uid, json.dumps(v.to_json())) for uid, v in result.open.items()])
    if result.done:
        view = f"lb_ql_done_{id(result)}"
        keep = ("call_id", "queue", "arrived_at", "answered_at", "ended_at", "outcome", "agent_id", "reason",
                "resolution", "updated_at", "customer_phone")
        cur.register(view, pa.table({
            "uniqueid": pa.array(list(result.done), pa.string()),
            "visits": pa.array([d.visits for d in result.done.values()], pa.int32()),
            "row": pa.array([json.dumps({k: d.row[k] for k in keep}) for d in result.done.values()], pa.string()),
        }))
        try:
            cur.execute("DELETE FROM queue_log_done WHERE source = $s AND fingerprint = $p AND uniqueid IN"
                        " (SELECT uniqueid FROM " + ident(view) + ")", key)
            cur.execute("INSERT INTO queue_log_done SELECT $s, $p, uniqueid, visits, row FROM " + ident(view), key)
        finally:
            cur.unregister(view)


def _rows_table(rows: list[dict]) -> pa.Table:
    """The call rows as text columns (times as UTC instants), with ``_line`` and ``_raw``."""
    cols = {c: pa.array([r[c] for r in rows], pa.string()) for c in TEXT}
    for c in TIMES:
        epochs = pa.array([r[c] for r in rows], pa.int64())
        cols[c] = pc.strftime(epochs.cast(pa.timestamp("s")), format="%Y-%m-%d %H:%M:%SZ")
    cols["customer_id"] = pa.nulls(len(rows), pa.string())  # from the number, when the launch is built
    cols["_line"] = pa.array([r["_line"] for r in rows], pa.int64())
    cols["_raw"] = pa.array([r["_raw"] for r in rows], pa.string())
    return pa.table({c: cols[c] for c in [*NAMES, "_line", "_raw"]})


@contextmanager
def stage(job: StageJob) -> Iterator[Staged]:
    lines, encoding = _lines(job)
    options = job.options
    key = {"s": job.source.name, "p": job.source.fingerprint()}
    open_calls, done = _state(job.cur, key, lines)
    result = assemble(lines, open_calls, done, options.get("wrapup_event", WRAPUP_EVENT),
                      options.get("call_id_prefix", ""))
    rows_view, bad_view = f"lb_ql_rows_{id(job)}", f"lb_ql_bad_{id(job)}"
    job.cur.register(rows_view, _rows_table(result.rows))
    job.cur.register(bad_view, pa.table({
        "line": pa.array([b[0] for b in result.rejected], pa.int64()),
        "reason": pa.array([b[1] for b in result.rejected], pa.string()),
        "content": pa.array([b[2] for b in result.rejected], pa.string())}))
    counts = {k: v for k, v in result.counts.items() if k != "calls"}
    counts.update({f"event:{event}": n for event, n in result.other_events.items()})
    try:
        yield Staged(
            select="SELECT " + ", ".join(ident(c) for c in [*NAMES, "_line", "_raw"]) + " FROM " + ident(rows_view),
            names=list(NAMES), headers=list(NAMES), encoding=encoding, line="checked._line", carry=("_line",),
            hidden=("_raw",), content="_raw", read_error="cannot read queue_log",
            unreadable="SELECT line, reason, content FROM " + ident(bad_view), counts=counts,
            finish=lambda cur, staged: _save(cur, key, result))
    finally:
        job.cur.unregister(rows_view)
        job.cur.unregister(bad_view)


FORMAT = Format("asterisk_queue_log", stage, contract_names=True, check_options=check_options, in_order=True)
