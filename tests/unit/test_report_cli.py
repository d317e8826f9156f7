"""Spec 3b default as-of and spec 5: the report and `python -m launchboard report`."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from launchboard import cli, report
from launchboard.schema import STAGES, TABLES
from launchboard.timeutil import iso

ROOT = Path(__file__).resolve().parents[2]

ORDERS = "order_id,customer_id,channel,sku,region,ordered_at,allocated_at,cancelled_at,promised_delivery_by,updated_at\n"
ACT = "attempt_id,order_id,requested_via,requested_at,result,finished_at,error_code\n"


def test_default_as_of_is_the_newest_listed_time_of_current_accepted_rows(open_launch):
    store = open_launch({"orders/o1.csv": ORDERS
                         + "O1,C1,web,IP7,Seoul,2016-10-07 10:00,2016-10-08 09:00,,2016-10-30 18:00,2016-10-31 00:00\n"})

    def live(files: dict[str, str]) -> str:
        for rel, text in files.items():
            (store.data_dir / rel).parent.mkdir(exist_ok=True)
            (store.data_dir / rel).write_text(text, encoding="utf-8")
        store.refresh()
        return iso(report.resolve_as_of(store, None), store.config.tz)

    # allocated_at; promised_delivery_by (10-30) and updated_at (10-31) are not event times
    assert report.build(store)["as_of"] == "2016-10-08T09:00:00+09:00"
    assert live({"orders/o2.csv": ORDERS + "O1,C1,web,IP7,Seoul,2016-10-07 10:00,2016-10-08 09:00,"
                                           "2016-10-09 12:00,,2016-11-01 00:00\n"}) == "2016-10-09T12:00:00+09:00"
    assert live({"shipments/s.csv": "event_id,order_id,courier,event,event_at\nE1,O1,CJ,packed,2016-10-10 08:00\n"}) \
        == "2016-10-10T08:00:00+09:00"
    assert live({"activations/a1.csv": ACT + "A1,O1,auto,2016-10-11 10:00,success,2016-10-11 10:05,\n"}) \
        == "2016-10-11T10:05:00+09:00"
    # a later drop puts A1 back to pending: the superseded finished_at no longer counts
    assert live({"activations/a2.csv": ACT + "A1,O1,auto,2016-10-11 10:00,pending,,\n"}) == "2016-10-11T10:00:00+09:00"
    # a rejected row (unknown status) does not count either
    assert live({"messages/m.csv": "message_id,customer_id,template,sent_at,status\n"
                                   "M1,C1,T,2016-10-12 09:00,delivered\nM2,C1,T,2016-10-29 09:00,lost\n"}) \
        == "2016-10-12T09:00:00+09:00"
    assert live({"calls/c.csv": "call_id,queue,arrived_at,ended_at,outcome,answered_at\n"
                                "K1,iphone,2016-10-13 10:00,2016-10-13 10:05,answered,2016-10-13 10:01\n"}) \
        == "2016-10-13T10:05:00+09:00"
    assert live({"orders/o3.csv": ORDERS + "O2,C2,web,IP7,Seoul,2016-10-14 10:00,,,,\n"}) == "2016-10-14T10:00:00+09:00"


# -- the CLI -----------------------------------------------------------------------------------

REPORT_FILES = {
    "launch.toml": '[launch]\nname = "Test launch"\n[templates.DELIVERY_DELAYED]\nclaims = "not_delivered"\n',
    "orders/o.csv": "order_id,customer_id,channel,sku,region,ordered_at,allocated_at\n"
                    "O1,C1,web,IP7,Seoul,2016-10-07 10:00,2016-10-08 09:00\n"
                    "O2,C2,web,IP7,Seoul,2016-10-07 11:00,\n"
                    "O3,,web,IP7,Seoul,2016-10-07 11:00,\n",   # rejected: the report is still made
    "shipments/s.csv": "event_id,order_id,courier,event,event_at\nE1,O1,CJ,delivered,2016-10-21 10:00\n",
    "messages/m.csv": "message_id,customer_id,template,sent_at,status,order_id,batch_id,corrects_batch_id\n"
                      "M1,C1,DELIVERY_DELAYED,2016-10-21 21:30,delivered,O1,B1,\n"
                      "M2,C1,SORRY,2016-10-21 21:45,delivered,O1,,B1\n",
    "calls/c.csv": "call_id,queue,arrived_at,ended_at,outcome,answered_at\n"
                   "K1,iphone,2016-10-21 21:00,2016-10-21 21:05,answered,2016-10-21 21:00:20\n",
}


def write(tmp_path: Path, files: dict[str, str]) -> Path:
    data = tmp_path / "data"
    for rel, text in files.items():
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_text(text, encoding="utf-8")
    return data


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "launchboard", "report", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_report_json_has_every_key_of_spec_5(tmp_path):
    data = write(tmp_path, REPORT_FILES)
    done = run("--data", str(data), "--as-of", "2016-10-21T13:00:00Z", "--format", "json")
    assert done.returncode == 0, done.stderr
    r = json.loads(done.stdout)
    assert r["as_of"] == "2016-10-21T22:00:00+09:00"
    assert {"as_of", "ingest", "orders", "activations", "messages", "calls", "alerts"} <= set(r)
    assert list(r["ingest"]) == list(TABLES)
    for figures in r["ingest"].values():
        assert set(figures) == {"files", "files_rejected", "rows_read", "rows_accepted", "rows_rejected",
                                "superseded", "orphans"}
    assert r["ingest"]["orders"] == {"files": 1, "files_rejected": 0, "rows_read": 3, "rows_accepted": 2,
                                     "rows_rejected": 1, "superseded": 0, "orphans": 0}
    assert r["orders"] == {"total": 2, "by_stage": {s: {"delivered": 1, "reserved": 1}.get(s, 0) for s in STAGES},
                           "missed_delivery_promise": 0, "missed_activation_promise": 0}
    assert list(r["orders"]["by_stage"]) == list(STAGES)
    assert r["activations"] == {"attempts": 0, "succeeded": 0, "failed": 0, "pending": 0,
                                "failure_rate": None, "failed_by_code": {}}
    assert r["messages"] == {
        "sent": 2, "failed": 0, "failed_by_code": {}, "quiet_hours": 2, "contradicting_state": 1,
        "conflicting_customers": 0,
        "retracted_batches": [{"batch_id": "B1", "recipients": 1, "sent_at": "2016-10-21T21:30:00+09:00",
                               "corrected_at": "2016-10-21T21:45:00+09:00", "hours_to_correction": 0.25}],
        # Calls traced to the batch and to its correction (no batch_id: 'corrects B1'): C1's only
        # call (K1 21:00, no customer_id) came before both. The calls extract starts at 21:00, so
        # there is no day before: the launch rate, 0 calls by known customers, is 0.
        "call_impact": [
            {"batch_id": "B1", "template": "DELIVERY_DELAYED", "corrects": None, "messages": 1,
             "customers_reached": 1, "first_sent": "2016-10-21T21:30:00+09:00", "calls": 0, "baseline": 0.0,
             "baseline_method": "launch rate", "excess": 0.0, "rate_ratio": None, "window_calls": 0,
             "load_share": None, "reasons": {}},
            {"batch_id": "corrects B1", "template": "SORRY", "corrects": "B1", "messages": 1,
             "customers_reached": 1, "first_sent": "2016-10-21T21:45:00+09:00", "calls": 0, "baseline": 0.0,
             "baseline_method": "launch rate", "excess": 0.0, "rate_ratio": None, "window_calls": 0,
             "load_share": None, "reasons": {}}]}
    assert r["calls"] == {"offered": 1, "answered": 1, "abandoned": 0, "rejected": 0, "service_level": 1.0,
                          "abandon_rate": 0.0, "rejected_rate": 0.0, "asa_seconds": 20.0, "no_info": 0,
                          "repeat_callers": 0}
    assert sorted((a["kind"], a["subject"], a["severity"]) for a in r["alerts"]) == [
        ("contradicting_messages", None, "warning"), ("quiet_hours_messages", None, "warning"),
        ("retracted_batch", None, "warning")]
    assert all(isinstance(a["message"], str) and a["message"] for a in r["alerts"])


def test_report_default_as_of_and_markdown(tmp_path):
    data = write(tmp_path, REPORT_FILES)
    done = run("--data", str(data), "--format", "md")
    assert done.returncode == 0, done.stderr
    md = done.stdout
    assert md.startswith("# Test launch: launch report")
    assert "As of **2016-10-21T21:45:00+09:00**." in md     # the newest event time: M2 sent 21:45
    for heading in ("## Alerts", "## Orders", "## Activations", "## Messages", "## Call centre", "## Data received"):
        assert heading in md
    assert "| orders | 1 | 0 | 3 | 2 | 1 | 0 | 0 |" in md
    assert "| delivered | 1 |" in md
    assert "| B1 | 1 | 2016-10-21T21:30:00+09:00 | 2016-10-21T21:45:00+09:00 |" in md


def test_report_exit_2_on_missing_folder(tmp_path):
    done = run("--data", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "not found" in done.stderr


def test_report_exit_2_on_invalid_launch_toml(tmp_path):
    data = write(tmp_path, {**REPORT_FILES, "launch.toml": '[launch]\ntimezone = "Mars/Olympus"\n'})
    done = run("--data", str(data))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "invalid launch.toml" in lines[0] and "Mars/Olympus" in lines[0]


def test_report_exit_2_on_toml_syntax_error_is_one_line(tmp_path, capsys):
    data = write(tmp_path, {"launch.toml": "[launch\nname = \n"})
    assert cli.main(["report", "--data", str(data)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "invalid launch.toml" in err


def test_report_bad_as_of_exits_2(tmp_path, capsys):
    data = write(tmp_path, REPORT_FILES)
    assert cli.main(["report", "--data", str(data), "--as-of", "yesterday"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--as-of" in err


def test_report_as_of_without_offset_is_launch_local(tmp_path, capsys):
    data = write(tmp_path, {**REPORT_FILES, "launch.toml": '[launch]\ntimezone = "UTC"\n'})
    assert cli.main(["report", "--data", str(data), "--as-of", "2016-10-21 22:00"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["as_of"] == "2016-10-21T22:00:00+00:00"
    # in UTC the CSV times (no offset) are UTC too: every message and call is still <= T
    assert r["messages"]["sent"] == 2 and r["calls"]["offered"] == 1
