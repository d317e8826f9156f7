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

from ..queue_log import WRAPUP_EVENT, Assembly, Done, Visit, assemble_parsed, parse
from ..schema import ident
from .base import FileRejected, Format, Staged, StageJob

TIMES = ("arrived_at", "answered_at", "ended_at", "updated_at")
NAMES = ["call_id", "queue", "arrived_at", "answered_at", "ended_at", "outcome", "customer_id", "agent_id",
         "reason", "resolution", "updated_at", "customer_phone"]
# A call row as Arrow reads it (times as epochs), in the staged columns' order.
ROW = pa.struct([(c, pa.int64() if c in (*TIMES, "_line") else pa.string()) for c in [*NAMES, "_line", "_raw"]])
# The last epoch (32767-12-31 23:59:59) whose text a cast to string and strftime give alike; only an
# absurd epoch is beyond it, and strftime keeps its text the same as it was.
LAST_CAST = 971890963199


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


DONE = ("call_id", "queue", "arrived_at", "answered_at", "ended_at", "outcome", "agent_id", "reason", "resolution",
        "updated_at", "customer_phone")  # a done uniqueid's row, as queue_log_done keeps it


def _state(cur, key: dict, uids: set[str]) -> tuple[dict[str, Visit], dict[str, Done]]:
    """The source's open calls, and the done uniqueids among ``uids`` (those the file names)."""
    open_calls = {uid: Visit.from_json(json.loads(v)) for uid, v in cur.execute(
        "SELECT uniqueid, visit FROM queue_log_open WHERE source = $s AND fingerprint = $p", key).fetchall()}
    done: dict[str, Done] = {}
    if uids:
        view = f"lb_ql_uids_{id(key)}"
        cur.register(view, pa.table({"uniqueid": pa.array(list(uids), pa.string())}))
        try:
            res = cur.execute("SELECT d.uniqueid, d.visits, " + ", ".join("d." + ident(c) for c in DONE)
                              + " FROM queue_log_done d SEMI JOIN " + ident(view) + " u USING (uniqueid)"
                              " WHERE d.source = $s AND d.fingerprint = $p", key).fetchall()
        finally:
            cur.unregister(view)
        done = {r[0]: Done(r[1], dict(zip(DONE, r[2:]))) for r in res}
    return open_calls, done


def _save(cur, key: dict, result: Assembly, known: set[str]) -> None:
    """The state this file leaves: every open call, and the uniqueids it made into rows
    (replacing those ``known`` from earlier files)."""
    cur.execute("DELETE FROM queue_log_open WHERE source = $s AND fingerprint = $p", key)
    views = []
    try:
        if result.open:
            views.append(f"lb_ql_open_{id(result)}")
            cur.register(views[-1], pa.table({
                "uniqueid": pa.array(list(result.open), pa.string()),
                "visit": pa.array([json.dumps(v.to_json()) for v in result.open.values()], pa.string())}))
            cur.execute("INSERT INTO queue_log_open SELECT $s, $p, uniqueid, visit FROM " + ident(views[-1]), key)
        if result.done:
            again = [uid for uid in result.done if uid in known]
            if again:
                views.append(f"lb_ql_again_{id(result)}")
                cur.register(views[-1], pa.table({"uniqueid": pa.array(again, pa.string())}))
                cur.execute("DELETE FROM queue_log_done WHERE source = $s AND fingerprint = $p AND uniqueid IN"
                            " (SELECT uniqueid FROM " + ident(views[-1]) + ")", key)
            rows = [d.row for d in result.done.values()]
            cols = {"uniqueid": pa.array(list(result.done), pa.string()),
                    "visits": pa.array([d.visits for d in result.done.values()], pa.int32())}
            for c in DONE:
                cols[c] = pa.array([r[c] for r in rows], pa.int64() if c in TIMES else pa.string())
            views.append(f"lb_ql_done_{id(result)}")
            cur.register(views[-1], pa.table(cols))
            cur.execute("INSERT INTO queue_log_done BY NAME SELECT $s AS source, $p AS fingerprint, * FROM "
                        + ident(views[-1]), key)
    finally:
        for view in views:
            cur.unregister(view)


def _rows_table(rows: list[dict]) -> pa.Table:
    """The call rows as text columns (times as UTC instants), with ``_line`` and ``_raw``."""
    # customer_id, in no row, is null: from the number, when the launch is built
    table = pa.Table.from_struct_array(pa.array(rows, ROW))
    for c in TIMES:
        epochs = table[c]
        stamps = epochs.cast(pa.timestamp("s"))
        if (pc.max(epochs).as_py() or 0) > LAST_CAST:
            text = pc.strftime(stamps, format="%Y-%m-%d %H:%M:%SZ")
        else:
            text = pc.binary_join_element_wise(stamps.cast(pa.string()), "Z", "")
        table = table.set_column(table.schema.get_field_index(c), c, text)
    return table


@contextmanager
def stage(job: StageJob) -> Iterator[Staged]:
    lines, encoding = _lines(job)
    options = job.options
    wrapup = options.get("wrapup_event", WRAPUP_EVENT)
    key = {"s": job.source.name, "p": job.source.fingerprint()}
    calls, found, uids = parse(lines, wrapup)
    open_calls, done = _state(job.cur, key, uids)
    result = assemble_parsed(calls, found, open_calls, done, wrapup, options.get("call_id_prefix", ""))
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
            finish=lambda cur, staged: _save(cur, key, result, set(done)))
    finally:
        job.cur.unregister(rows_view)
        job.cur.unregister(bad_view)


FORMAT = Format("asterisk_queue_log", stage, contract_names=True, check_options=check_options, in_order=True)
