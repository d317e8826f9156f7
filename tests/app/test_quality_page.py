"""Data quality page (AppTest): runs on every kind of folder; shows the report's ingest figures,
the rejected rows and files, and a reconciliation that adds up."""
from pathlib import Path

import pytest

from launchboard import report
from launchboard.loader import open_store
from launchboard.schema import TABLES
from launch_files import make_launch as write

FIGURES = ["files", "files_rejected", "rows_read", "rows_accepted", "rows_rejected", "superseded", "orphans"]

# orders: 4 rows read in o1 (O1 twice: 1 superseded; one bad timestamp on line 5), 1 in o2 (O2 again);
# o3.csv lacks sku: rejected whole. shipments: 2 rows, one orphan (O9), one unknown event (line 3).
ORDERS_1 = """\
order_id,customer_id,channel,sku,region,ordered_at
O1,C1,web,IP7-128-JBK,Seoul,2016-10-07 09:00
O2,C2,web,IP7-128-JBK,Seoul,2016-10-07 09:10
O1,C1,web,IP7-128-JBK,Busan,2016-10-07 09:00
O3,C3,web,IP7-128-JBK,Seoul,2016-10-32 09:00
"""
ORDERS_2 = "order_id,customer_id,channel,sku,region,ordered_at\nO2,C2,app,IP7-128-JBK,Seoul,2016-10-07 09:10\n"
ORDERS_3 = "order_id,customer_id,channel,region,ordered_at\nO4,C4,web,Seoul,2016-10-07 09:20\n"
SHIPMENTS = """\
event_id,order_id,courier,event,event_at
E1,O9,CJ,packed,2016-10-20 15:00
E2,O1,CJ,teleported,2016-10-20 16:00
"""


def ingest_of(data: Path) -> dict:
    store = open_store(data)
    try:
        return report.build(store)["ingest"]
    finally:
        store.close()


def overview(at):
    frame = next(df.value for df in at.dataframe if "rows_accepted" in df.value.columns)
    return frame.set_index("table")


def reconciliation(at) -> str:
    return next(m.value for m in at.markdown if "rows read" in m.value)


def check_page_matches_report(at, ingest: dict) -> None:
    shown = overview(at)
    for t in TABLES:
        assert {k: int(shown.loc[t, k]) for k in FIGURES} == ingest[t]
        assert shown.loc[t, "adds up"] == "✓"
        if ingest[t]["files"]:
            assert f"**Rejected rows: {ingest[t]['rows_rejected']:,}**" in [m.value for m in at.markdown]
        else:
            assert f"No {t} file has arrived yet." in [i.value for i in at.info]
    assert "✗" not in reconciliation(at)


@pytest.mark.parametrize("files", [{}, {"orders/o1.csv": ORDERS_1}], ids=["empty", "only_orders"])
def test_runs_and_matches_report(app_at, tmp_path, files):
    data = write(tmp_path / "data", files)
    at = app_at("quality", data)
    assert not at.exception
    assert at.title[0].value == "Data quality"
    if files:  # an empty folder has no as-of moment: the page says it waits for the first drop
        check_page_matches_report(at, ingest_of(data))


def test_sample_data(app_at, sample_dir):
    at = app_at("quality", sample_dir)
    assert not at.exception
    ingest = ingest_of(sample_dir)
    check_page_matches_report(at, ingest)
    rejected = sum(i["rows_rejected"] for i in ingest.values())
    assert sum(int(x) for x in overview(at)["rows_rejected"]) == rejected


def test_rejects_files_and_reconciliation(app_at, tmp_path):
    data = write(tmp_path / "data", {"orders/o1.csv": ORDERS_1, "orders/o2.csv": ORDERS_2,
                                     "orders/o3.csv": ORDERS_3, "shipments/s1.csv": SHIPMENTS})
    at = app_at("quality", data)
    assert not at.exception
    ingest = ingest_of(data)
    assert ingest["orders"] == {"files": 3, "files_rejected": 1, "rows_read": 5, "rows_accepted": 4,
                                "rows_rejected": 1, "superseded": 2, "orphans": 0}
    assert ingest["shipments"] == {"files": 1, "files_rejected": 0, "rows_read": 2, "rows_accepted": 1,
                                   "rows_rejected": 1, "superseded": 0, "orphans": 1}
    check_page_matches_report(at, ingest)
    text = reconciliation(at)
    assert "**orders** — rows read 5 = accepted 4 + rejected 1 :green[✓] · accepted 4 = distinct keys 2 + superseded 2 :green[✓]" in text
    assert "**shipments** — rows read 2 = accepted 1 + rejected 1 :green[✓]" in text
    assert any("o3.csv" in e.value and "missing required column(s): sku" in e.value for e in at.error)
    rejects = [df.value for df in at.dataframe if list(df.value.columns) == ["file", "line", "reason", "content"]]
    assert [(r.file, r.line) for r in rejects[0].itertuples()] == [("o1.csv", 5)]
    assert rejects[0].reason[0].startswith("ordered_at is not a timestamp")
    assert [(r.file, r.line) for r in rejects[1].itertuples()] == [("s1.csv", 3)]
    assert "Orphans: 1" in "\n".join(m.value for m in at.markdown)


# A courier export read through a source: S1-S3 and S5 are built-in courier words; S4 and S6 carry
# 집하대기, which no map knows; S7 택배분실, also unknown (and no time). 7 rows read, 4 accepted,
# 3 rejected, all 3 for an unknown value: 집하대기 in 2 rows, 택배분실 in 1.
CJ_TOML = """\
[[sources]]
name = "CJ scans"
table = "shipments"
files = "cj_*.csv"
format = "csv"
[sources.columns]
event_id = "스캔번호"
order_id = "주문번호"
event = "배송상태"
event_at = "처리일시"
hub = "처리점소"
[sources.constants]
courier = "CJ"
"""
CJ_SCANS = """\
스캔번호,주문번호,배송상태,처리일시,처리점소
S1,O1,집화처리,2016-10-20 10:00,곤지암 Hub
S2,O1,간선상차,2016-10-20 12:00,곤지암 Hub
S3,O1,간선하차,2016-10-20 13:00,대전 Hub
S4,O1,집하대기,2016-10-20 14:00,대전 Hub
S5,O1,배송완료,2016-10-21 09:00,서울
S6,O2,집하대기,2016-10-20 15:00,
S7,O2,택배분실,,
"""


def frame_with(at, column: str):
    """The first table shown with this column (AppTest does not expose a dataframe's key)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_sources_with_unknown_values_and_the_fix(app_at, tmp_path):
    data = write(tmp_path / "data", {"orders/o1.csv": ORDERS_1, "shipments/cj_1.csv": CJ_SCANS})
    (data / "launch.toml").write_text(CJ_TOML, encoding="utf-8")
    at = app_at("quality", data)
    assert not at.exception
    assert "Sources (launch.toml)" in [h.value for h in at.subheader]
    per = frame_with(at, "matches")
    assert per.to_dict("records") == [{
        "source": "CJ scans", "table_name": "shipments", "format": "csv", "matches": "shipments/cj_*.csv",
        "files": 1, "files_rejected": 0, "rows_read": 7, "rows_accepted": 4, "rows_rejected": 3, "rows_unmapped": 3,
        "adds up": "✓"}]
    unmapped = frame_with(at, "column_name")
    assert unmapped[["source", "column_name", "value", "rows", "files"]].values.tolist() == [
        ["CJ scans", "event", "집하대기", 2, 1], ["CJ scans", "event", "택배분실", 1, 1]]
    assert "**Values no map knows: 2** (3 rows rejected)" in [m.value for m in at.markdown]
    assert [c.value for c in at.code] == [
        '# under [[sources]] name = "CJ scans": fill in each contract value\n'
        '[sources.values.event]\n"집하대기" = ""  # 2 row(s)\n"택배분실" = ""  # 1 row(s)']
    # The page agrees with the report's per-source figures.
    assert report.build(open_store(data))["sources"][0]["unmapped"] == [
        {"column": "event", "value": "집하대기", "rows": 2}, {"column": "event", "value": "택배분실", "rows": 1}]

    # The fix, pasted under the source: the same session's next run reads cj_1.csv again.
    (data / "launch.toml").write_text(CJ_TOML + '[sources.values.event]\n"집하대기" = "packed"\n'
                                      '"택배분실" = "failed_attempt"\n', encoding="utf-8")
    at.run()
    assert not at.exception
    per = frame_with(at, "matches")
    assert per[["rows_read", "rows_accepted", "rows_rejected", "rows_unmapped", "adds up"]].values.tolist() == [
        [7, 6, 1, 0, "✓"]]
    assert "Every value in the sources' mapped columns is known." in [s.value for s in at.success]
    shown = overview(at)
    assert [int(shown.loc["shipments", k]) for k in ("files", "rows_read", "rows_accepted", "rows_rejected")] == [
        1, 7, 6, 1]
    assert "✗" not in reconciliation(at)


def test_an_invalid_launch_toml_while_running_is_named_on_the_page(app_at, tmp_path):
    data = write(tmp_path / "data", {"shipments/cj_1.csv": CJ_SCANS})
    (data / "launch.toml").write_text(CJ_TOML, encoding="utf-8")
    at = app_at("quality", data)
    (data / "launch.toml").write_text(CJ_TOML.replace('format = "csv"', 'format = "xls"'), encoding="utf-8")
    at.run()
    assert not at.exception
    assert any("format must be one of csv, xlsx, parquet, asterisk_queue_log, twilio_messages, got 'xls'" in w.value and "kept until it is fixed" in w.value
               for w in at.warning)
    assert frame_with(at, "matches")["rows_read"].tolist() == [7]
