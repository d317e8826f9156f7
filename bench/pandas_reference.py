"""A straightforward pandas implementation of the report's orders / activations / messages /
calls figures (spec 3 and 3b), for the speed comparison in bench/run.py and as an independent
check of the engine's numbers.

    .venv/bin/python bench/pandas_reference.py DATA [--as-of TS]

It reads every finished file of each table with ``pandas.read_csv`` (or ``read_parquet``),
rejects the rows spec 3 rejects, keeps the winning version of each key, and computes the
figures as of T (default: the newest event time) with ordinary DataFrame operations. Only the
contract (table columns, launch.toml) is shared with the engine; every rule is written again
here in pandas.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from launchboard.config import LaunchConfig, load_config  # noqa: E402 - contract: settings
from launchboard.schema import BOOL, ENUM, TABLES, TS, normalise_header  # noqa: E402 - contract: columns
from launchboard.timeutil import iso, parse_moment  # noqa: E402

TS_RE = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)?"
OFFSET_RE = r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)$"
HAS_OFFSET_RE = r"\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"
EVENT_RANK = {e: i for i, e in enumerate(
    ["packed", "picked_up", "at_hub", "out_for_delivery", "failed_attempt", "delivered", "returned"])}
STAGES = ["reserved", "allocated", "packed", "in_transit", "delivered", "returned",
          "activation_pending", "activation_failed", "activated", "cancelled"]
NO_CODE = "(none)"


# ---------------------------------------------------------------------------------------------
# Loading: spec 3
# ---------------------------------------------------------------------------------------------
def _encoding(path: Path) -> str | None:
    import gzip
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    for enc in ("utf-8-sig", "cp949"):
        try:
            with opener(path, "rb") as fh:
                fh.read().decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    return None


def _read_file(path: Path) -> pd.DataFrame | None:
    """All cells as stripped text ('' = empty); None when the file is rejected whole."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        raw = pd.read_parquet(path)
        df = pd.DataFrame({c: raw[c].astype("string").fillna("") for c in raw.columns})
    elif name.endswith((".csv", ".csv.gz")):
        enc = _encoding(path)
        if enc is None:
            return None
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc, on_bad_lines="skip")
        except pd.errors.EmptyDataError:
            return None
        # A line with too few fields is malformed (the loader rejects it): pandas pads it with NaN.
        df = df[~df.isna().any(axis=1)]
    else:
        return None
    df.columns = [normalise_header(str(c)) for c in df.columns]
    df["_file"] = path.name
    df["_line"] = np.arange(len(df))
    return df


def parse_ts(raw: pd.Series, tz: str) -> pd.Series:
    """Spec 1 timestamps; without an offset a time is launch-local. Unparseable -> NaT."""
    out = pd.Series(pd.NaT, index=raw.index, dtype=f"datetime64[us, {tz}]")
    valid = raw.str.fullmatch(TS_RE)
    if not valid.any():
        return out
    has_off = raw.str.contains(HAS_OFFSET_RE) & valid
    naive = valid & ~has_off
    if naive.any():
        out[naive] = pd.to_datetime(raw[naive].str.replace("T", " ", n=1), format="ISO8601",
                                    errors="coerce").dt.tz_localize(tz)
    if has_off.any():
        text = raw[has_off].str.replace("T", " ", n=1).str.replace(OFFSET_RE, r"\1", regex=True)
        text = text.str.replace("z", "Z")
        out[has_off] = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce").dt.tz_convert(tz)
    return out


def load_table(data: Path, name: str, tz: str) -> pd.DataFrame:
    """Accepted rows (typed) of every finished file, winning version per key."""
    table = TABLES[name]
    folder = data / name
    frames = []
    if folder.is_dir():
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            if not path.is_file() or path.name.startswith(".") or path.name.endswith((".part", ".tmp")):
                continue
            df = _read_file(path)
            if df is None or any(c not in df.columns for c in table.required):
                continue
            frames.append(df)
    cols = {}
    if frames:
        df = pd.concat(frames, ignore_index=True)
    else:
        df = pd.DataFrame({c: pd.Series(dtype=str) for c in table.names + ["_file"]} | {"_line": []})
    ok = pd.Series(True, index=df.index)
    for col in table.columns:
        raw = df[col.name].str.strip() if col.name in df.columns else pd.Series("", index=df.index)
        empty = raw == ""
        if col.required:
            ok &= ~empty
        if col.kind == TS:
            value = parse_ts(raw, tz)
            ok &= empty | value.notna()
        elif col.kind == BOOL:
            low = raw.str.lower()
            value = low.map({"true": True, "1": True, "y": True, "yes": True,
                             "false": False, "0": False, "n": False, "no": False})
            ok &= empty | value.notna()
        elif col.kind == ENUM:
            value = raw.str.lower().where(~empty, None)
            ok &= empty | value.isin(col.values)
        else:
            value = raw.where(~empty, None)
        cols[col.name] = value
    out = pd.DataFrame(cols)
    out["_file"], out["_line"] = df["_file"], df["_line"]
    if name == "activations":
        ok &= ~(out.finished_at < out.requested_at)
        ok &= ~(out.result.isin(["success", "failed"]) & out.finished_at.isna())
        ok &= ~((out.result == "failed") & out.error_code.isna())
    if name == "calls":
        ok &= ~(out.answered_at < out.arrived_at)
        ok &= ~(out.ended_at < out.arrived_at)
        ok &= ~((out.outcome == "answered") & out.answered_at.isna())
    out = out[ok]
    # Winner: greatest updated_at (none = lowest), then the file that sorts last, then the last row.
    out = out.sort_values(["updated_at", "_file", "_line"], na_position="first", kind="stable")
    return out.drop_duplicates(table.key, keep="last").reset_index(drop=True)


def load(data: Path, config: LaunchConfig) -> dict[str, pd.DataFrame]:
    return {name: load_table(data, name, config.timezone) for name in TABLES}


# ---------------------------------------------------------------------------------------------
# Figures: spec 3b
# ---------------------------------------------------------------------------------------------
def default_as_of(t: dict[str, pd.DataFrame]):
    cols = {"orders": ["ordered_at", "allocated_at", "cancelled_at"], "shipments": ["event_at"],
            "activations": ["requested_at", "finished_at"], "messages": ["sent_at"],
            "calls": ["arrived_at", "answered_at", "ended_at"]}
    values = [t[n][c].max() for n, cs in cols.items() for c in cs]
    values = [v for v in values if not pd.isna(v)]
    return max(values) if values else None


def order_facts(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    o = t["orders"].set_index("order_id")
    s, a = t["shipments"], t["activations"]
    f = o[["cancelled_at", "allocated_at", "promised_delivery_by", "promised_activation_by", "ordered_at"]].copy()
    f["first_success_at"] = a[a.result == "success"].groupby("order_id").finished_at.min()
    f["first_failed_at"] = a[a.result == "failed"].groupby("order_id").finished_at.min()
    f["first_delivered_at"] = s[s.event == "delivered"].groupby("order_id").event_at.min()
    transit = s.event.isin(["picked_up", "at_hub", "out_for_delivery", "failed_attempt"])
    f["first_transit_at"] = s[transit].groupby("order_id").event_at.min()
    f["first_packed_at"] = s[s.event == "packed"].groupby("order_id").event_at.min()
    return f


def _sorted_events(s: pd.DataFrame) -> pd.DataFrame:
    e = s[["order_id", "event_id", "event", "event_at"]].copy()
    e["rank"] = e.event.map(EVENT_RANK)
    return e.sort_values(["event_at", "rank", "event_id"], kind="stable")


def stage(f: pd.DataFrame, when, pending: pd.Series, latest: pd.Series) -> np.ndarray:
    """Spec 3b order stage at ``when`` (a moment or one per row): the first rule that holds."""
    conds = [
        f.cancelled_at <= when,
        f.first_success_at <= when,
        pending,
        f.first_failed_at <= when,
        latest == "returned",
        f.first_delivered_at <= when,
        f.first_transit_at <= when,
        f.first_packed_at <= when,
        f.allocated_at <= when,
    ]
    names = ["cancelled", "activated", "activation_pending", "activation_failed", "returned",
             "delivered", "in_transit", "packed", "allocated"]
    return np.select([c.fillna(False).to_numpy(dtype=bool) for c in conds], names, default="reserved")


def orders_figures(t, facts, events, T) -> dict:
    f = facts[facts.ordered_at <= T]
    a = t["activations"]
    pend_ids = a[(a.requested_at <= T) & (a.finished_at.isna() | (a.finished_at > T))].order_id.unique()
    pending = pd.Series(f.index.isin(pend_ids), index=f.index)
    latest = events[events.event_at <= T].groupby("order_id").event.last().reindex(f.index)
    st = pd.Series(stage(f, T, pending, latest), index=f.index)
    live = st != "cancelled"
    counts = st.value_counts()
    miss_d = live & (f.promised_delivery_by <= T) & ~(f.first_delivered_at <= f.promised_delivery_by)
    miss_a = live & (f.promised_activation_by <= T) & ~(f.first_success_at <= f.promised_activation_by)
    return {"total": len(f), "by_stage": {s: int(counts.get(s, 0)) for s in STAGES},
            "missed_delivery_promise": int(miss_d.sum()), "missed_activation_promise": int(miss_a.sum())}


def _rate(n, d):
    return None if not d else n / d


def _by_code(codes: pd.Series) -> dict:
    counts = codes.fillna(NO_CODE).value_counts()
    # Same order as the engine: most failures first, then by code.
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == NO_CODE, kv[0]))
    return {k: int(v) for k, v in items}


def activations_figures(t, T) -> dict:
    a = t["activations"]
    done = a.finished_at <= T
    succeeded = int(((a.result == "success") & done).sum())
    failed_rows = a[(a.result == "failed") & done]
    return {
        "attempts": int((a.requested_at <= T).sum()),
        "succeeded": succeeded,
        "failed": len(failed_rows),
        "pending": int(((a.requested_at <= T) & ~done.fillna(False)).sum()),
        "failure_rate": _rate(len(failed_rows), succeeded + len(failed_rows)),
        "failed_by_code": _by_code(failed_rows.error_code),
    }


def _in_quiet(ts: pd.Series, start, end) -> pd.Series:
    tod = ts.dt.hour * 60 + ts.dt.minute + ts.dt.second / 60 + ts.dt.microsecond / 60e6
    s, e = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    return (tod >= s) & (tod < e) if s <= e else (tod >= s) | (tod < e)


CLAIM_FALSE = {
    "not_delivered": {"delivered", "returned", "activation_pending", "activation_failed", "activated"},
    "delivered": set(STAGES) - {"delivered", "activation_pending", "activation_failed", "activated"},
    "not_activated": {"activated"},
    "activated": set(STAGES) - {"activated"},
    "allocated": {"reserved"},
}


def messages_figures(t, facts, events, T, config: LaunchConfig, tz) -> dict:
    m = t["messages"]
    m = m[m.sent_at <= T]
    failed = m[m.status == "failed"]
    quiet = _in_quiet(m.sent_at, config.quiet_start, config.quiet_end)

    # contradicting_state: the claim is false for the order's stage at sent_at.
    claims = {n: tp.claims for n, tp in config.templates.items() if tp.claims}
    c = m[m.order_id.isin(facts.index) & m.template.isin(claims.keys())][["message_id", "order_id", "sent_at", "template"]]
    a = t["activations"][["order_id", "requested_at", "finished_at"]]
    ca = c.merge(a, on="order_id")
    ca = ca[(ca.requested_at <= ca.sent_at) & (ca.finished_at.isna() | (ca.finished_at > ca.sent_at))]
    pending = c.message_id.isin(ca.message_id)
    ce = c[["message_id", "order_id", "sent_at"]].merge(events, on="order_id")
    ce = ce[ce.event_at <= ce.sent_at].sort_values(["message_id", "event_at", "rank", "event_id"], kind="stable")
    latest = ce.groupby("message_id").event.last()
    f = facts.loc[c.order_id].set_index(c.index)
    st = stage(f, c.sent_at, pending, c.message_id.map(latest))
    claim = c.template.map(claims)
    contradicting = sum(stg in CLAIM_FALSE[cl] for stg, cl in zip(st, claim))

    # conflicting_customers: two messages of conflicting templates within the window.
    pairs = pd.DataFrame(config.conflict_pairs(), columns=["template", "other"])
    cm = m[m.template.isin(pairs.template)][["customer_id", "message_id", "template", "sent_at"]]
    j = cm.merge(pairs, on="template").merge(cm, left_on=["customer_id", "other"],
                                             right_on=["customer_id", "template"], suffixes=("", "_b"))
    j = j[(j.message_id != j.message_id_b)
          & ((j.sent_at - j.sent_at_b).abs() <= pd.Timedelta(hours=config.conflict_window_hours))]

    corr = m[m.corrects_batch_id.notna()].groupby("corrects_batch_id").sent_at.min().rename("corrected_at")
    batches = m[m.batch_id.notna()].groupby("batch_id").agg(recipients=("message_id", "size"),
                                                             sent_at=("sent_at", "min"))
    rb = corr.to_frame().join(batches, how="left").reset_index(names="batch_id")
    rb = rb.sort_values(["corrected_at", "batch_id"])
    retracted = [
        {"batch_id": r.batch_id, "recipients": 0 if pd.isna(r.recipients) else int(r.recipients),
         "sent_at": None if pd.isna(r.sent_at) else iso(r.sent_at.to_pydatetime(), tz),
         "corrected_at": iso(r.corrected_at.to_pydatetime(), tz),
         "hours_to_correction": None if pd.isna(r.sent_at) else (r.corrected_at - r.sent_at).total_seconds() / 3600}
        for r in rb.itertuples()
    ]
    return {
        "sent": len(m), "failed": len(failed), "failed_by_code": _by_code(failed.error_code),
        "quiet_hours": int(quiet.sum()), "contradicting_state": int(contradicting),
        "conflicting_customers": int(j.customer_id.nunique()), "retracted_batches": retracted,
        "call_impact": call_impact(t, T, config, tz),
    }


def call_impact(t, T, config: LaunchConfig, tz) -> list[dict]:
    """Calls traced to each message batch and correction (README "Calls traced to messages")."""
    W = pd.Timedelta(hours=config.call_window_hours)
    day = pd.Timedelta(hours=24)
    m = t["messages"]
    m = m[(m.sent_at <= T) & (m.batch_id.notna() | m.corrects_batch_id.notna())].copy()
    if m.empty:
        return []
    m["batch"] = m.batch_id.where(m.batch_id.notna(), "corrects " + m.corrects_batch_id)
    c = t["calls"]
    c = c[c.ended_at <= T]
    # each customer a batch reached: their first message of it that did not fail
    reach = m[m.status != "failed"].groupby(["batch", "customer_id"], as_index=False).sent_at.min()
    reach["until"] = (reach.sent_at + W).where(reach.sent_at + W <= T, T)
    # a call belongs to the most recent batch message before it, within the window
    j = c[c.customer_id.notna()][["call_id", "customer_id", "arrived_at", "reason"]].merge(
        reach[["batch", "customer_id", "sent_at"]], on="customer_id")
    j = j[(j.arrived_at > j.sent_at) & (j.arrived_at <= j.sent_at + W)]
    j = j.sort_values(["call_id", "sent_at", "batch"]).groupby("call_id").tail(1)
    first_call = c.arrived_at.min()
    known = set(t["orders"][t["orders"].ordered_at <= T].customer_id)
    hours = None if pd.isna(first_call) else (T - first_call).total_seconds() / 3600
    rate = None if not known or not hours else int(c.customer_id.isin(known).sum()) / len(known) / hours
    out = []
    for batch, g in m.groupby("batch"):
        r = reach[reach.batch == batch]
        caused = j[j.batch == batch]
        row = {"batch_id": batch, "template": ", ".join(sorted(g.template.unique())),
               "corrects": ", ".join(sorted(g.corrects_batch_id.dropna().unique())) or None,
               "messages": len(g), "customers_reached": len(r), "calls": len(caused),
               "first_sent": None, "baseline": 0.0, "baseline_method": None, "window_calls": 0, "load_share": None}
        if len(r):
            first, last = r.sent_at.min(), r.sent_at.max()
            row["first_sent"] = iso(first.to_pydatetime(), tz)
            if not pd.isna(first_call) and first_call <= first - day:
                row["baseline_method"] = "day before"
                b = c[["customer_id", "arrived_at"]].merge(r, on="customer_id")
                row["baseline"] = float(((b.arrived_at > b.sent_at - day) & (b.arrived_at <= b.until - day)).sum())
            else:
                row["baseline_method"] = "launch rate"
                watched = (r.until - r.sent_at).dt.total_seconds().sum() / 3600
                row["baseline"] = None if rate is None else rate * watched
            end = min(last + W, T)
            row["window_calls"] = int(((c.arrived_at > first) & (c.arrived_at <= end)).sum())
            row["load_share"] = _rate(len(caused), row["window_calls"])
        row["excess"] = None if row["baseline"] is None else len(caused) - row["baseline"]
        row["rate_ratio"] = _rate(len(caused), row["baseline"])
        counts = caused.reason.fillna(NO_CODE).value_counts()
        row["reasons"] = {k: int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}
        out.append(row)
    return sorted(out, key=lambda r: (r["excess"] is None, -(r["excess"] or 0), -r["calls"], r["batch_id"]))


def calls_figures(t, T, config: LaunchConfig) -> dict:
    c = t["calls"]
    c = c[c.ended_at <= T]
    answered = c[c.outcome == "answered"]
    wait = (answered.answered_at - answered.arrived_at).dt.total_seconds()
    offered = len(c)
    abandoned = int((c.outcome == "abandoned").sum())
    rejected = int((c.outcome == "rejected").sum())
    per_customer = c[c.customer_id.notna()].customer_id.value_counts()
    return {
        "offered": offered, "answered": len(answered), "abandoned": abandoned, "rejected": rejected,
        "service_level": _rate(int((wait <= config.service_level_seconds).sum()), offered),
        "abandon_rate": _rate(abandoned, offered), "rejected_rate": _rate(rejected, offered),
        "asa_seconds": float(wait.mean()) if len(wait) else None,
        "no_info": int((answered.resolution == "no_info").sum()),
        "repeat_callers": int((per_customer >= 2).sum()),
    }


def figures(t: dict[str, pd.DataFrame], config: LaunchConfig, as_of: datetime | None = None) -> dict:
    tz = config.tz
    T = pd.Timestamp(as_of) if as_of is not None else default_as_of(t)
    facts = order_facts(t)
    events = _sorted_events(t["shipments"])
    return {
        "as_of": None if T is None else iso(T.to_pydatetime(), tz),
        "orders": orders_figures(t, facts, events, T),
        "activations": activations_figures(t, T),
        "messages": messages_figures(t, facts, events, T, config, tz),
        "calls": calls_figures(t, T, config),
    }


def run(data: Path, as_of: datetime | None = None) -> tuple[dict, float, float]:
    """(figures, seconds to load, seconds to compute)."""
    config = load_config(data)
    t0 = time.perf_counter()
    tables = load(data, config)
    t1 = time.perf_counter()
    out = figures(tables, config, as_of)
    return out, t1 - t0, time.perf_counter() - t1


def main() -> int:
    ap = argparse.ArgumentParser(description="the report's figures in plain pandas")
    ap.add_argument("data")
    ap.add_argument("--as-of")
    args = ap.parse_args()
    data = Path(args.data)
    as_of = parse_moment(args.as_of, load_config(data).tz) if args.as_of else None
    out, load_s, compute_s = run(data, as_of)
    print(json.dumps({**out, "seconds": {"load": load_s, "compute": compute_s}}, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
