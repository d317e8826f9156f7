"""The sample-data generator: determinism, exact counts, file formats, story guarantees."""

import gzip
import hashlib
import io
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from launchboard.generate import STORY, TEMPLATES, UNCATALOGUED_TEMPLATE, generate

KST = timezone(timedelta(hours=9))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "data"
    return out, generate(out, orders=2000, seed=7)


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp949")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _local(ts: str) -> datetime:
    """Any timestamp the generator writes -> naive Asia/Seoul wall time."""
    dt = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return dt.astimezone(KST).replace(tzinfo=None) if dt.tzinfo else dt


def _shipments(folder: Path) -> pd.DataFrame:
    frames = []
    for p in sorted((folder / "shipments").iterdir()):
        if p.name.endswith(".part"):
            continue
        if p.suffix == ".parquet":
            df = pq.read_table(p).to_pandas()
            df["event_at"] = df["event_at"].dt.tz_convert("Asia/Seoul").dt.tz_localize(None)
        else:
            df = _read_csv(p)
            df = df[df["event"].isin(["packed", "picked_up", "at_hub", "out_for_delivery", "failed_attempt",
                                      "delivered", "returned"]) & (df["order_id"] != "")]
            df = df[~df["event_at"].str.contains("pm")]
            df["event_at"] = pd.to_datetime(df["event_at"].map(_local))
        frames.append(df[["event_id", "order_id", "event", "event_at", "hub"]])
    df = pd.concat(frames).drop_duplicates("event_id")
    return df.sort_values(["order_id", "event_at"]).reset_index(drop=True)


def _latest(ev: pd.DataFrame, t: datetime) -> pd.DataFrame:
    return ev[ev["event_at"] <= t].groupby("order_id").tail(1).set_index("order_id")


def test_same_inputs_same_bytes(tmp_path):
    generate(tmp_path / "a", orders=600, seed=3)
    generate(tmp_path / "b", orders=600, seed=3)
    generate(tmp_path / "c", orders=600, seed=4)
    a, b, c = (_digest(tmp_path / x) for x in "abc")
    assert a == b
    assert a != c


def test_exact_channel_counts(sample):
    out, summary = sample
    assert summary["counts"]["priority"] == 2000
    assert summary["counts"]["sms"] == 800
    orders = pd.concat(_read_csv(p) for p in sorted((out / "orders").glob("orders_*.csv")))
    orders = orders[orders["order_id"].str[1:].astype(int) <= summary["counts"]["total"]]  # drop bad rows
    orders = orders.drop_duplicates("order_id", keep="last")
    assert len(orders) == 2200
    prio = orders[orders["priority"].str.lower().isin(["true", "y", "1", "yes"])]
    assert len(prio) == 2000
    assert (prio["channel"] == "sms").sum() == 800
    assert set(orders.loc[~orders.index.isin(prio.index), "channel"]) <= {"store", "app"}
    sms_times = prio.loc[prio["channel"] == "sms", "ordered_at"].map(_local)
    web_times = prio.loc[prio["channel"] == "web", "ordered_at"].map(_local)
    opening = _local(STORY["preorder_open"])
    assert sms_times.min() >= opening and sms_times.max() < _local(STORY["sold_out"])
    assert web_times.max() - web_times.min() > timedelta(minutes=10)


def test_special_files(sample):
    out, summary = sample
    part = out / "shipments" / "shipments_099.csv.part"
    assert part.exists() and not part.read_bytes().endswith(b"\n")
    cp = (out / summary["special_files"]["cp949"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        cp.decode("utf-8")
    assert "memo" in cp.decode("cp949").splitlines()[0]
    assert "배송" in cp.decode("cp949")
    assert (out / "orders" / "orders_001.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    table = pq.read_table(out / summary["special_files"]["parquet"])
    assert str(table.schema.field("event_at").type.tz) == "Asia/Seoul"
    assert list((out / "messages").glob("*.csv.gz"))
    hanjin = _read_csv(out / summary["special_files"]["utc_z"][0])
    assert hanjin["event_at"].str.endswith("Z").all() and (hanjin["courier"] == "Hanjin").all()
    offs = _read_csv(out / summary["special_files"]["offset"])
    assert offs["requested_at"].str.endswith("+09:00").all()
    assert sorted(summary["files"]) == summary["files"]


def test_launch_toml_catalog(sample):
    out, _ = sample
    cfg = tomllib.loads((out / "launch.toml").read_text(encoding="utf-8"))
    assert cfg["launch"]["timezone"] == "Asia/Seoul"
    assert cfg["launch"]["quiet_hours"] == ["21:00", "08:00"]
    assert cfg["alerts"]["hub_stall_min_orders"] == 20
    assert set(cfg["templates"]) == set(TEMPLATES)
    assert UNCATALOGUED_TEMPLATE not in cfg["templates"]
    assert cfg["templates"]["DELIVERY_DELAYED"]["claims"] == "not_delivered"
    msgs = pd.concat(_read_csv(p) for p in sorted((out / "messages").glob("*.csv.gz")))
    used = set(msgs["template"]) - {""}
    assert UNCATALOGUED_TEMPLATE in used
    assert used - {UNCATALOGUED_TEMPLATE} == set(TEMPLATES)


def test_bad_rows_and_orphans_are_exactly_the_planted_ones(sample):
    _, summary = sample
    by_table = {t: v["rows_rejected"] for t, v in summary["tables"].items()}
    assert by_table == {"orders": 3, "shipments": 3, "activations": 4, "messages": 2, "calls": 4}
    assert len(summary["bad_rows"]) == 16
    assert {t: v["orphans"] for t, v in summary["tables"].items()} == {
        "orders": 0, "shipments": 4, "activations": 2, "messages": 3, "calls": 0}
    for t, v in summary["tables"].items():
        assert v["rows_read"] == v["rows_accepted"] + v["rows_rejected"]
        assert v["rows_accepted"] == v["keys"] + v["superseded"]


def test_retraction_and_conflicting_batches(sample):
    out, _ = sample
    msgs = pd.concat(_read_csv(p) for p in sorted((out / "messages").glob("*.csv.gz")))
    msgs = msgs[msgs["template"] != ""]
    corr = msgs[msgs["corrects_batch_id"] == "B-DELAY-1020"]
    delay = msgs[msgs["batch_id"] == "B-DELAY-1020"]
    assert len(corr) and len(delay)
    assert delay["sent_at"].map(_local).min() == _local(STORY["delay_batch"])
    assert corr["sent_at"].map(_local).min() == _local(STORY["retraction"])
    auto = set(msgs.loc[msgs["template"] == "ACTIVATION_AUTO_BY_DEADLINE", "customer_id"])
    ars = set(msgs.loc[msgs["template"] == "ACTIVATION_CALL_ARS", "customer_id"])
    assert len(auto & ars) > 0.5 * len(auto)


def test_hub_stall_window(sample):
    out, _ = sample
    ev = _shipments(out)
    start, check, end = (_local(STORY[k]) for k in ("hub_stall_start", "hub_stall_check", "hub_stall_end"))

    def stalled(t):
        now, before = _latest(ev, t), _latest(ev, t - timedelta(hours=2))
        at_hub = now[(now["event"] == "at_hub") & (now["hub"] == "Daejeon HUB")]
        was = before[(before["event"] == "at_hub") & (before["hub"] == "Daejeon HUB")]
        unmoved = (now.loc[was.index, "event_id"] == was["event_id"]).all()
        return len(at_hub) >= 20 and len(was) > 0 and unmoved

    assert stalled(start) and stalled(check) and stalled(end - timedelta(seconds=1))
    assert not stalled(start - timedelta(minutes=1))
    assert not stalled(end)


def test_packed_stall_window(sample):
    out, _ = sample
    ev = _shipments(out)

    def stalled(t):
        now, before = _latest(ev, t), _latest(ev, t - timedelta(hours=2))
        was = before[before["event"] == "packed"]
        unmoved = (now.loc[was.index, "event"] == "packed").all()
        return (now["event"] == "packed").sum() >= 50 and len(was) > 0 and unmoved

    assert stalled(_local(STORY["packed_stall_check"]))
    assert stalled(_local(STORY["packed_stall_start"]))
    assert not stalled(_local(STORY["packed_stall_start"]) - timedelta(minutes=1))
    assert not stalled(_local(STORY["packed_stall_end"]) + timedelta(hours=1))
    assert not stalled(_local(STORY["calm_check_2"]))


def test_sample_size_fits_in_the_repo(tmp_path):
    summary = generate(tmp_path / "s", orders=4000, seed=7)
    size = sum(p.stat().st_size for p in (tmp_path / "s").rglob("*") if p.is_file())
    assert size < 5 * 2**20
    assert summary["counts"]["sms"] == 1600


def test_story_moments_are_local_iso():
    for key, value in STORY.items():
        dt = datetime.fromisoformat(value)
        assert dt.utcoffset() == timedelta(hours=9), key
    assert STORY["delivery_promise"] == "2016-10-20T18:00:00+09:00"
    assert STORY["activation_promise"] == "2016-10-21T22:00:00+09:00"
