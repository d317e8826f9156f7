"""launch.toml [[sources]]: column mapping with Korean headers, value maps and the values they do
not know, constants, timestamp formats and time zones, file rejections, which source reads a
file, and reading files again after the mapping is fixed.

Every expected figure was worked out by hand from the files written in the test.
"""
from __future__ import annotations

from datetime import datetime, timezone

from launchboard import report, sql
from launchboard.loader import Store

UTC = timezone.utc

CJ_TOML = """\
[launch]
timezone = "Asia/Seoul"

[[sources]]
name = "cj"
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
[sources.values.event]
"상차완료" = "at_hub"
"""
# line 2 집화처리: built-in -> picked_up; line 3 "간선 상차": built-in, spaces do not count -> at_hub;
# line 4 상차완료: the source's own word -> at_hub; line 5 집하대기: no map knows it -> rejected;
# line 6 Delivered: already a contract event (any case) -> delivered; line 7 집하대기 again;
# line 8 택배분실 unknown and no 처리일시 -> rejected with both reasons.
CJ_SCANS = """\
스캔번호,주문번호,배송상태,처리일시,처리점소,운송장번호
S1,O1,집화처리,2016-10-20 10:00,곤지암 Hub,6001
S2,O1,간선 상차,2016-10-20 12:00,곤지암 Hub,6001
S3,O1,상차완료,2016-10-20 13:00,대전 Hub,6001
S4,O1,집하대기,2016-10-20 14:00,대전 Hub,6001
S5,O1,Delivered,2016-10-21 09:00,서울,6001
S6,O2,집하대기,2016-10-20 15:00,,6002
S7,O2,택배분실,,,6002
"""


def test_korean_headers_constants_value_maps_and_unmapped_values(open_launch, sql_rows):
    store = open_launch({"shipments/cj_1.csv": CJ_SCANS}, CJ_TOML)
    assert sql_rows(store, "SELECT event_id, order_id, courier, event, hub, 운송장번호, _line FROM shipments "
                           "ORDER BY event_id") == [
        ("S1", "O1", "CJ", "picked_up", "곤지암 Hub", "6001", 2),
        ("S2", "O1", "CJ", "at_hub", "곤지암 Hub", "6001", 3),
        ("S3", "O1", "CJ", "at_hub", "대전 Hub", "6001", 4),
        ("S5", "O1", "CJ", "delivered", "서울", "6001", 6),
    ]
    assert sql_rows(store, "SELECT line, reason FROM rejected_rows ORDER BY line") == [
        (5, "event: no mapping for '집하대기'"),
        (7, "event: no mapping for '집하대기'"),
        (8, "event: no mapping for '택배분실'; event_at is empty"),
    ]
    # The rejected row's content is the file's own record, by its own headers.
    (content,) = sql_rows(store, "SELECT content FROM rejected_rows WHERE line = 5")[0]
    assert content == ('{"스캔번호":"S4","주문번호":"O1","배송상태":"집하대기","처리일시":"2016-10-20 14:00",'
                       '"처리점소":"대전 Hub","운송장번호":"6001"}')
    assert sorted(sql_rows(store, "SELECT source, column_name, value, rows FROM unmapped_values")) == [
        ("cj", "event", "집하대기", 2), ("cj", "event", "택배분실", 1)]
    assert sql_rows(store, "SELECT file, status, source, rows_read, rows_rejected FROM files") == [
        ("cj_1.csv", "loaded", "cj", 7, 3)]
    built = report.build(store)
    ingest = built["ingest"]["shipments"]
    assert (ingest["rows_read"], ingest["rows_accepted"], ingest["rows_rejected"]) == (7, 4, 3)
    # The report adds the per-source figures (the contract's ingest keys stay as they are).
    assert built["sources"] == [{
        "source": "cj", "table_name": "shipments", "format": "csv", "matches": "shipments/cj_*.csv", "files": 1,
        "files_rejected": 0, "rows_read": 7, "rows_accepted": 4, "rows_rejected": 3, "rows_unmapped": 3,
        "unmapped": [{"column": "event", "value": "집하대기", "rows": 2}, {"column": "event", "value": "택배분실", "rows": 1}]}]
    assert ("| cj | shipments | csv | 1 | 0 | 7 | 4 | 3 | event '집하대기' (2), event '택배분실' (1) |"
            in report.to_markdown(built))
    assert report.build(open_launch({"orders/o.csv": ORDERS_HEAD}))["sources"] == []


SHOP_TOML = """\
[[sources]]
name = "shop"
table = "orders"
files = "shop_*.csv"
format = "csv"
[sources.columns]
order_id = "주문번호"
customer_id = "고객번호"
channel = "주문경로"
sku = "상품코드"
region = "배송지역"
ordered_at = "주문일시"
model = "모델명"
[sources.values.channel]
"온라인" = "web"
"매장" = "store"
"""


def test_cp949_csv_with_korean_headers(open_launch, sql_rows):
    # A back-office export in CP949: headers and values are Korean. Line 4's 전화 is a channel
    # the map does not know (channel is an open set, but a mapped column takes only mapped values).
    text = ("주문번호,고객번호,주문경로,상품코드,배송지역,주문일시,모델명\n"
            "A1,K1,온라인,IP7-128-JBK,서울,2016-10-07 10:00,아이폰 7\n"
            "A2,K2,매장,IP7-256-SLV,부산,2016-10-07 10:05,아이폰 7 플러스\n"
            "A3,K3,전화,IP7-128-JBK,대전,2016-10-07 10:10,아이폰 7\n")
    store = open_launch({"orders/shop_1.csv": text.encode("cp949")}, SHOP_TOML)
    assert sql_rows(store, "SELECT order_id, customer_id, channel, region, model FROM orders ORDER BY 1") == [
        ("A1", "K1", "web", "서울", "아이폰 7"), ("A2", "K2", "store", "부산", "아이폰 7 플러스")]
    assert sql_rows(store, "SELECT line, reason FROM rejected_rows") == [(4, "channel: no mapping for '전화'")]
    assert sql_rows(store, "SELECT encoding, source, rows_read, rows_rejected FROM files") == [("cp949", "shop", 3, 1)]


def test_a_mapped_header_the_file_lacks_rejects_the_file_whole(open_launch, sql_rows):
    text = "주문번호,고객번호,주문경로,상품코드,배송지역,모델명\nA1,K1,온라인,IP7,서울,아이폰 7\n"
    store = open_launch({"orders/shop_1.csv": text}, SHOP_TOML)
    assert sql_rows(store, "SELECT status, reason, rows_read, source FROM files") == [
        ("rejected", "mapped header(s) not in the file: '주문일시' (for ordered_at)", 0, "shop")]
    ingest = report.build(store)["ingest"]["orders"]
    assert (ingest["files"], ingest["files_rejected"], ingest["rows_read"]) == (1, 1, 0)


ORDERS_HEAD = "order_id,customer_id,channel,sku,region,ordered_at\n"


def test_timestamp_formats_and_a_source_time_zone(open_launch, sql_rows):
    # "utc" writes its own spellings, in UTC; the launch is Asia/Seoul (+09:00).
    toml = """\
[[sources]]
name = "utc"
table = "orders"
files = "utc_*.csv"
format = "csv"
timezone = "UTC"
timestamp_format = ["%Y.%m.%d %H:%M %z", "%Y.%m.%d %H:%M", "%Y%m%d%H%M%S"]

[[sources]]
name = "dotted"
table = "orders"
files = "dot_*.csv"
format = "csv"
timestamp_format = "%Y.%m.%d %H:%M"
"""
    utc = ORDERS_HEAD + "".join(f"T{i},C{i},web,IP7,Seoul,{ts}\n" for i, ts in enumerate([
        "2016.10.07 01:00",          # T0: naive, UTC -> 10:00 KST
        "20161007013000",            # T1: second format -> 01:30 UTC
        "2016-10-07 02:00",          # T2: the contract's spelling, still in the source's zone -> 02:00 UTC
        "2016-10-07 12:00+09:00",    # T3: an offset wins over the zone -> 03:00 UTC
        "2016.10.07 13:00 +0900",    # T4: the format with %z -> 04:00 UTC
        "07/10/2016 01:00",          # T5: no format reads it -> rejected (line 7)
    ]))
    dotted = ORDERS_HEAD + "D1,C9,web,IP7,Seoul,2016.10.07 10:00\n"  # launch zone: 10:00 KST = 01:00 UTC
    store = open_launch({"orders/utc_1.csv": utc, "orders/dot_1.csv": dotted}, toml)
    got = {o: t.astimezone(UTC) for o, t in sql_rows(store, "SELECT order_id, ordered_at FROM orders")}
    assert got == {
        "T0": datetime(2016, 10, 7, 1, 0, tzinfo=UTC), "T1": datetime(2016, 10, 7, 1, 30, tzinfo=UTC),
        "T2": datetime(2016, 10, 7, 2, 0, tzinfo=UTC), "T3": datetime(2016, 10, 7, 3, 0, tzinfo=UTC),
        "T4": datetime(2016, 10, 7, 4, 0, tzinfo=UTC), "D1": datetime(2016, 10, 7, 1, 0, tzinfo=UTC)}
    assert sql_rows(store, "SELECT file, line, reason FROM rejected_rows") == [
        ("utc_1.csv", 7, "ordered_at is not a timestamp: 07/10/2016 01:00")]


def test_the_first_matching_source_reads_a_file_and_other_files_read_as_the_contract_says(open_launch, sql_rows):
    # o_app.csv matches both "app" (listed first) and "any_csv": "app" reads it. x.csv matches
    # only "any_csv". plain.parquet-less contract file p.tsv matches neither: read as today
    # (not an extract file). Both sources leave channel to a constant; the header "channel" of
    # x.csv is then kept as the extra column channel_2 (the constant fills channel).
    toml = """\
[[sources]]
name = "app"
table = "orders"
files = "o_*.csv"
format = "csv"
[sources.constants]
channel = "app"

[[sources]]
name = "any_csv"
table = "orders"
files = "*.CSV"
format = "csv"
[sources.constants]
channel = "store"
"""
    head = "order_id,customer_id,sku,region,ordered_at\n"
    store = open_launch({
        "orders/o_app.csv": head + "A1,C1,IP7,Seoul,2016-10-07 10:00\n",
        "orders/x.csv": head.replace("order_id,", "order_id,channel,") + "X1,web,C2,IP7,Seoul,2016-10-07 10:00\n",
        "orders/p.tsv": "order_id\tcustomer_id\n",
    }, toml)
    assert sql_rows(store, "SELECT order_id, channel, channel_2 FROM orders ORDER BY 1") == [
        ("A1", "app", None), ("X1", "store", "web")]
    assert sql_rows(store, "SELECT file, source, status, reason FROM files ORDER BY file") == [
        ("o_app.csv", "app", "loaded", None), ("p.tsv", None, "rejected",
                                                 "not an extract file: expected .csv, .csv.gz or .parquet"),
        ("x.csv", "any_csv", "loaded", None)]


def test_a_file_no_source_matches_is_read_exactly_as_without_sources(open_launch, sql_rows):
    plain = ORDERS_HEAD.rstrip("\n") + ",store_code\n" + (
        "P1,C1,web,IP7,Seoul,2016-10-07 10:00,GN\n"
        "P2,C2,web,IP7,Seoul,2016-13-07 10:00,GN\n"     # line 3: bad timestamp
        "broken\n")                                      # line 4: malformed
    with_sources = open_launch({"orders/plain.csv": plain}, SHOP_TOML)
    without = open_launch({"orders/plain.csv": plain})
    for query in ("SELECT * EXCLUDE (_file) FROM acc_orders", "SELECT * FROM rejected_rows ORDER BY line",
                  "SELECT file, encoding, status, rows_read, rows_rejected, source, fingerprint FROM files"):
        assert sql_rows(with_sources, query) == sql_rows(without, query)
    assert sql_rows(without, "SELECT line, content FROM rejected_rows ORDER BY line")[0] == (
        3, '{"order_id":"P2","customer_id":"C2","channel":"web","sku":"IP7","region":"Seoul",'
           '"ordered_at":"2016-13-07 10:00","model":null,"phone":null,"priority":null,"allocated_at":null,'
           '"cancelled_at":null,"promised_delivery_by":null,"promised_activation_by":null,"updated_at":null,'
           '"store_code":"GN"}')


def test_a_source_in_a_folder_of_its_own(open_launch, sql_rows):
    # DATA/cj/ is not a table folder: only the source's glob decides what is read there
    # (notes.txt is not matched); names carry the folder, and file order is by that name.
    toml = CJ_TOML.replace('files = "cj_*.csv"', 'folder = "cj"\nfiles = "*.csv"')
    store = open_launch({"cj/1020.csv": CJ_SCANS.splitlines(True)[0] + "S1,O1,집화처리,2016-10-20 10:00,H,1\n",
                         "cj/1021.csv": CJ_SCANS.splitlines(True)[0] + "S1,O1,배달완료,2016-10-21 10:00,H,1\n",
                         "cj/notes.txt": "not an export\n"}, toml)
    assert sql_rows(store, "SELECT file, source FROM files ORDER BY file") == [("cj/1020.csv", "cj"), ("cj/1021.csv", "cj")]
    # S1 twice, no updated_at: the file whose name sorts last wins
    assert sql_rows(store, "SELECT event_id, event, _file FROM shipments") == [("S1", "delivered", "cj/1021.csv")]


def test_fixing_the_mapping_reads_the_files_again_and_counts_nothing_twice(tmp_path, sql_rows):
    from launch_files import make_launch

    data = make_launch(tmp_path, {"shipments/cj_1.csv": CJ_SCANS, "orders/o.csv": ORDERS_HEAD
                                  + "O1,C1,web,IP7,Seoul,2016-10-07 10:00\n"}, CJ_TOML)
    store = Store(data)
    try:
        assert store.refresh() == 2
        before = report.build(store)["ingest"]["shipments"]
        assert (before["files"], before["rows_read"], before["rows_accepted"], before["rows_rejected"]) == (1, 7, 4, 3)
        assert store.unseen() == 0 and store.refresh() == 0
        # The fix: say what 집하대기 and 택배분실 are. Only cj_1.csv is read again (not o.csv).
        (data / "launch.toml").write_text(CJ_TOML + '"집하대기" = "packed"\n"택배분실" = "failed_attempt"\n',
                                          encoding="utf-8")
        assert store.unseen() == 1
        assert store.refresh() == 1
        after = report.build(store)["ingest"]["shipments"]
        # S4, S6 now load (packed); S7 is still rejected, for its empty event_at alone.
        assert (after["files"], after["rows_read"], after["rows_accepted"], after["rows_rejected"],
                after["superseded"]) == (1, 7, 6, 1, 0)
        assert sql_rows(store, "SELECT line, reason FROM rejected_rows") == [(8, "event_at is empty")]
        assert sql_rows(store, "SELECT count(*) FROM unmapped_values") == [(0,)]
        assert sql_rows(store, "SELECT event_id, event FROM shipments WHERE event_id IN ('S4', 'S6', 'S7') "
                               "ORDER BY 1") == [("S4", "packed"), ("S6", "packed")]
        assert sql_rows(store, "SELECT table_name, count(*) FROM files GROUP BY 1 ORDER BY 1") == [
            ("orders", 1), ("shipments", 1)]
        assert sql_rows(store, "SELECT distinct_keys FROM key_counts WHERE table_name = 'shipments'") == [(6,)]
        assert store.refresh() == 0  # read once per fix
    finally:
        store.close()


def test_readers_see_the_launch_as_it_was_until_the_file_read_again_is_built(tmp_path, sql_rows):
    """The file's old rows stay current while it is read again (schema.WITHDRAWN), and its new
    ones are not yet: the readers' launch changes at the rebuild's commit, not before."""
    from launch_files import make_launch

    data = make_launch(tmp_path, {"shipments/cj_1.csv": CJ_SCANS, "orders/o.csv": ORDERS_HEAD
                                  + "O1,C1,web,IP7,Seoul,2016-10-07 10:00\n"}, CJ_TOML)
    store = Store(data)
    try:
        assert store.refresh() == 2
        scans = "SELECT event_id, event FROM shipments ORDER BY 1"
        old = [("S1", "picked_up"), ("S2", "at_hub"), ("S3", "at_hub"), ("S5", "delivered")]
        assert sql_rows(store, scans) == old
        (data / "launch.toml").write_text(CJ_TOML + '"집하대기" = "packed"\n"택배분실" = "failed_attempt"\n',
                                          encoding="utf-8")
        # the quality counts, read as the files table and acc_shipments stand (queries/quality_reconcile.sql)
        reconcile = ("SELECT file_rows_read, rejected_listed, accepted_stored FROM ("
                     + sql.load("quality_reconcile") + ") WHERE table_name = 'shipments'")
        seen = []  # as the file read again is in, before the rebuild
        assert store.refresh(lambda done, total: seen.append(
            (sql_rows(store, scans), sql_rows(store, "SELECT count(*) FROM acc_shipments"),
             sql_rows(store, reconcile)))) == 1
        # the 4 rows taken out and the 6 read again are stored; the counts are the new reading's:
        # 7 read = 6 accepted + 1 rejected (the rows taken out are not counted twice)
        assert seen == [(old, [(4 + 6,)], [(7, 1, 6)])]
        assert sql_rows(store, scans) == [*old[:3], ("S4", "packed"), old[3], ("S6", "packed")]
        assert sql_rows(store, "SELECT count(*) FROM acc_shipments") == [(6,)]
    finally:
        store.close()


def test_an_extra_column_only_the_file_read_again_had_leaves_with_the_rebuild(tmp_path, sql_rows):
    """o_1.csv's memo is an extra column until a source maps it to model. While the file is read
    again its old rows are still current, memo with them; the column leaves at the rebuild's
    commit, from the current table and from acc_orders."""
    from launch_files import make_launch

    head = ORDERS_HEAD.rstrip("\n") + ",memo\n"
    data = make_launch(tmp_path, {"orders/o_1.csv": head + "O1,C1,web,IP7,Seoul,2016-10-07 10:00,gift\n",
                                  "orders/p.csv": ORDERS_HEAD + "O2,C2,web,IP7,Busan,2016-10-07 11:00\n"})
    store = Store(data)
    try:
        assert store.refresh() == 2
        assert store.extras("orders") == ["memo"]
        memo = "SELECT order_id, memo, model FROM orders ORDER BY 1"
        assert sql_rows(store, memo) == [("O1", "gift", None), ("O2", None, None)]
        (data / "launch.toml").write_text('[[sources]]\nname = "o"\ntable = "orders"\nfiles = "o_*.csv"\n'
                                          'format = "csv"\n[sources.columns]\nmodel = "memo"\n', encoding="utf-8")
        seen = []  # as the file read again is in, before the rebuild
        assert store.refresh(lambda done, total: seen.append(sql_rows(store, memo))) == 1
        assert seen == [[("O1", "gift", None), ("O2", None, None)]]
        assert store.extras("orders") == []
        assert sql_rows(store, "SELECT order_id, model FROM orders ORDER BY 1") == [("O1", "gift"), ("O2", None)]
        columns = "SELECT column_name FROM duckdb_columns() WHERE table_name = $t AND column_name = 'memo'"
        assert sql_rows(store, columns, {"t": "orders"}) == [] and sql_rows(store, columns, {"t": "acc_orders"}) == []
    finally:
        store.close()


def test_a_new_source_reads_a_file_the_contract_rejected_and_a_broken_launch_toml_keeps_the_sources(
        tmp_path, sql_rows):
    from launch_files import make_launch

    text = "주문번호,고객번호,주문경로,상품코드,배송지역,주문일시,모델명\nA1,K1,온라인,IP7,서울,2016-10-07 10:00,아이폰 7\n"
    data = make_launch(tmp_path, {"orders/shop_1.csv": text})
    store = Store(data)
    try:
        store.refresh()
        assert sql_rows(store, "SELECT status, source FROM files") == [("rejected", None)]
        (data / "launch.toml").write_text(SHOP_TOML, encoding="utf-8")
        assert store.refresh() == 1
        assert sql_rows(store, "SELECT status, source, rows_read FROM files") == [("loaded", "shop", 1)]
        assert sql_rows(store, "SELECT order_id, channel FROM orders") == [("A1", "web")]
        # A launch.toml being edited is invalid for a moment: the sources in force stay, and say why.
        (data / "launch.toml").write_text(SHOP_TOML + "[sources.bogus]\n", encoding="utf-8")
        assert store.refresh() == 0
        assert "unknown key(s) bogus" in store.sources_error and "kept until it is fixed" in store.sources_error
        assert [s.name for s in store.sources] == ["shop"]
        (data / "launch.toml").write_text(SHOP_TOML, encoding="utf-8")
        assert store.refresh() == 0 and store.sources_error is None
    finally:
        store.close()


def test_a_source_removed_takes_its_folders_files_out_and_a_new_source_is_listed_at_once(tmp_path, sql_rows):
    from launch_files import make_launch

    folder_toml = CJ_TOML.replace('files = "cj_*.csv"', 'folder = "cj"\nfiles = "*.csv"')
    data = make_launch(tmp_path, {"cj/1020.csv": CJ_SCANS, "orders/o.csv": ORDERS_HEAD
                                  + "O1,C1,web,IP7,Seoul,2016-10-07 10:00\n"}, folder_toml)
    store = Store(data)
    try:
        store.refresh()
        assert sql_rows(store, "SELECT count(*) FROM shipments") == [(4,)]
        # A second source that matches no file yet: listed (0 files) in a new version, nothing read.
        version = store.version
        (data / "launch.toml").write_text(folder_toml + SHOP_TOML, encoding="utf-8")
        assert store.unseen() == 0 and store.refresh() == 0
        assert store.version == version + 1
        assert [(s["source"], s["files"], s["rows_read"]) for s in report.build(store)["sources"]] == [
            ("cj", 1, 7), ("shop", 0, 0)]
        # The cj source removed: nothing reads DATA/cj/ any more, so its rows leave the launch.
        (data / "launch.toml").write_text(SHOP_TOML, encoding="utf-8")
        assert store.unseen() == 1 and store.refresh() == 0
        ingest = report.build(store)["ingest"]["shipments"]
        assert (ingest["files"], ingest["rows_read"], ingest["rows_accepted"]) == (0, 0, 0)
        assert sql_rows(store, "SELECT count(*) FROM shipments UNION ALL SELECT count(*) FROM rejected_rows "
                               "UNION ALL SELECT count(*) FROM unmapped_values") == [(0,), (0,), (0,)]
        assert "운송장번호" not in [c for (c,) in sql_rows(store, "SELECT column_name FROM duckdb_columns() "
                                                            "WHERE table_name = 'shipments'")]
        assert [s["source"] for s in report.build(store)["sources"]] == ["shop"]
        # and comes back when the source does
        (data / "launch.toml").write_text(folder_toml, encoding="utf-8")
        assert store.refresh() == 1 and sql_rows(store, "SELECT count(*) FROM shipments") == [(4,)]
    finally:
        store.close()


def test_only_formats_with_an_offset_in_the_launch_zone(open_launch, sql_rows):
    # No naive format and the launch's own zone: the query needs no zone at all.
    toml = '[[sources]]\nname = "z"\ntable = "orders"\nformat = "csv"\ntimestamp_format = "%d/%m/%Y %H:%M %z"\n'
    store = open_launch({"orders/o.csv": ORDERS_HEAD + "Z1,C1,web,IP7,Seoul,07/10/2016 01:00 +0000\n"
                                                      "Z2,C2,web,IP7,Seoul,2016-10-07 10:00\n"}, toml)
    got = {o: t.astimezone(UTC) for o, t in sql_rows(store, "SELECT order_id, ordered_at FROM orders")}
    assert got == {"Z1": datetime(2016, 10, 7, 1, 0, tzinfo=UTC), "Z2": datetime(2016, 10, 7, 1, 0, tzinfo=UTC)}


def test_a_csv_source_with_its_own_delimiter(open_launch, sql_rows):
    toml = '[[sources]]\nname = "semi"\ntable = "orders"\nfiles = "*.txt"\nformat = "csv"\n' \
           '[sources.options]\ndelimiter = ";"\n'
    text = "order_id;customer_id;channel;sku;region;ordered_at;memo\nD1;C1;web;IP7;Seoul;2016-10-07 10:00;a,b\n" \
           "D2;C2;web\n"  # line 3: 3 fields of 7
    store = open_launch({"orders/export.txt": text}, toml)
    assert sql_rows(store, "SELECT order_id, memo FROM orders") == [("D1", "a,b")]
    assert sql_rows(store, "SELECT line, reason FROM rejected_rows") == [
        (3, "malformed CSV line: Expected Number of Columns: 7 Found: 3")]
