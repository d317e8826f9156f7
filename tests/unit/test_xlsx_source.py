"""format = "xlsx": header row detection under merged title rows, sheet row numbers, cell values
as text (whole numbers, dates in the source's time zone), named and missing sheets, corrupt
workbooks and cell errors. Workbooks are written with openpyxl; answers worked out by hand."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timezone

import openpyxl

UTC = timezone.utc

SHOP_XLSX = """\
[launch]
timezone = "Asia/Seoul"

[[sources]]
name = "shop"
table = "orders"
files = "*.xlsx"
format = "xlsx"
{extra}
[sources.columns]
order_id = "주문번호"
customer_id = "고객번호"
channel = "주문경로"
sku = "상품코드"
region = "배송지역"
ordered_at = "주문일시"
phone = "휴대폰번호"
priority = "우선순위"
[sources.values.priority]
"Y" = "true"
"N" = "false"
"""
HEADER = ["주문번호", "고객번호", "주문경로", "상품코드", "배송지역", "주문일시", "휴대폰번호", "우선순위", "금액"]


def workbook(sheets: dict[str, list[list]], title: str | None = None, first_row: int = 1, first_col: int = 1,
             errors: dict[str, str] | None = None) -> bytes:
    """An .xlsx with one sheet per entry (rows from ``first_row``/``first_col``); ``title`` goes
    in a merged row 1 spanning the header, above an empty row 2; ``errors`` puts error values
    (``{"C5": "#N/A"}``) in the first sheet."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        if title is not None:
            ws.cell(1, first_col, title)
            ws.merge_cells(start_row=1, start_column=first_col, end_row=1, end_column=first_col + len(rows[0]) - 1)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.cell(first_row + r, first_col + c, value)
    for ref, text in (errors or {}).items():
        cell = wb.worksheets[0][ref]
        cell.value, cell.data_type = text, "e"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_merged_title_rows_above_the_header_and_cell_values(open_launch, sql_rows):
    rows = [
        HEADER,                                                                                  # sheet row 3
        ["A1", "K1", "web", "IP7-128-JBK", "서울", datetime(2016, 10, 7, 10, 0, 5), 1012345678.0, "Y", 990000.0],
        [None] * 9,                                                                              # row 5: empty, not a record
        ["A2", "K2", "app", "IP7-128-JBK", "부산", datetime(2016, 10, 7, 0, 0), "010-2222-3333", "N", 0.5],
        ["A3", "K3", "web", "IP7-128-JBK", "대전", date(2016, 10, 8), None, "예", None],           # row 7: 예 unmapped
        ["A4", None, "web", "IP7-128-JBK", "대전", "2016-10-07 11:00", None, None, None],        # row 8: no customer
    ]
    store = open_launch({"orders/주문.xlsx": workbook({"주문내역": rows}, title="2016년 10월 사전예약 주문", first_row=3)},
                        SHOP_XLSX.format(extra=""))
    got = sql_rows(store, "SELECT order_id, ordered_at, phone, priority, 금액, _line FROM orders ORDER BY 1")
    # Cells: a whole number has no ".0" (1012345678, 990000, 0); a date-time cell is launch time
    # (10:00:05 KST = 01:00:05 UTC); a midnight date-time comes back from calamine as a date: midnight.
    assert [(o, t.astimezone(UTC), p, pr, amount, line) for o, t, p, pr, amount, line in got] == [
        ("A1", datetime(2016, 10, 7, 1, 0, 5, tzinfo=UTC), "1012345678", True, "990000", 4),
        ("A2", datetime(2016, 10, 6, 15, 0, tzinfo=UTC), "010-2222-3333", False, "0.5", 6),
    ]
    assert sql_rows(store, "SELECT line, reason FROM rejected_rows ORDER BY line") == [
        (7, "priority: no mapping for '예'"), (8, "customer_id is empty")]
    (content,) = sql_rows(store, "SELECT content FROM rejected_rows WHERE line = 7")[0]
    assert content == ('{"주문번호":"A3","고객번호":"K3","주문경로":"web","상품코드":"IP7-128-JBK","배송지역":"대전",'
                       '"주문일시":"2016-10-08 00:00:00","휴대폰번호":null,"우선순위":"예","금액":null}')
    assert sql_rows(store, "SELECT file, encoding, status, source, rows_read, rows_rejected FROM files") == [
        ("주문.xlsx", "xlsx", "loaded", "shop", 4, 2)]


def test_the_named_sheet_is_read_and_a_missing_one_rejects_the_file(open_launch, sql_rows):
    book = workbook({"요약": [["합계", 3]], "주문": [HEADER, ["A1", "K1", "web", "IP7", "서울",
                                                           datetime(2016, 10, 7, 10, 0), None, None, None]]})
    store = open_launch({"orders/a.xlsx": book}, SHOP_XLSX.format(extra='sheet = "주문"'))
    assert sql_rows(store, "SELECT order_id, _line FROM orders") == [("A1", 2)]
    store = open_launch({"orders/a.xlsx": book}, SHOP_XLSX.format(extra='sheet = "Orders"'))
    assert sql_rows(store, "SELECT status, reason, rows_read FROM files") == [
        ("rejected", "sheet 'Orders' not found; the workbook has: '요약', '주문'", 0)]
    # Without sheet: the first sheet, 요약, has no header row with the mapped headers.
    store = open_launch({"orders/a.xlsx": book}, SHOP_XLSX.format(extra=""))
    assert sql_rows(store, "SELECT status, reason FROM files") == [
        ("rejected", "mapped header(s) not in the file: '주문번호' (for order_id), '고객번호' (for customer_id), "
                     "'주문경로' (for channel), '상품코드' (for sku), '배송지역' (for region), '주문일시' (for ordered_at), "
                     "'휴대폰번호' (for phone), '우선순위' (for priority)")]


def test_a_corrupt_workbook_is_rejected_whole(open_launch, sql_rows):
    store = open_launch({"orders/broken.xlsx": b"PK\x03\x04 this is not a workbook",
                         "orders/text.xlsx": "주문번호,고객번호\nA1,K1\n"}, SHOP_XLSX.format(extra=""))
    got = sql_rows(store, "SELECT file, status, reason, rows_read FROM files ORDER BY file")
    assert [(f, s, r.split(":")[0], n) for f, s, r, n in got] == [
        ("broken.xlsx", "rejected", "cannot read workbook", 0), ("text.xlsx", "rejected", "cannot read workbook", 0)]


def test_a_row_with_a_cell_error_is_rejected_with_its_raw_cells(open_launch, sql_rows):
    rows = [HEADER,
            ["A1", "K1", "web", "IP7", "서울", datetime(2016, 10, 7, 10, 0), "010-1111-2222", "Y", 1.0],   # row 2
            ["A2", "K2", "web", "IP7", "서울", datetime(2016, 10, 7, 10, 5), None, "Y", None],             # row 3: G3 #N/A
            ["A3", "K3", "web", "IP7", "서울", datetime(2016, 10, 7, 10, 9), "010-3333-4444", "N", None]]   # row 4: I4 #DIV/0!
    store = open_launch({"orders/e.xlsx": workbook({"Sheet1": rows}, errors={"G3": "#N/A", "I4": "#DIV/0!"})},
                        SHOP_XLSX.format(extra=""))
    assert sql_rows(store, "SELECT order_id FROM orders") == [("A1",)]
    assert sql_rows(store, "SELECT line, reason, content FROM rejected_rows ORDER BY line") == [
        (3, "cell error: 휴대폰번호 (G3): #N/A",
         '{"주문번호":"A2","고객번호":"K2","주문경로":"web","상품코드":"IP7","배송지역":"서울",'
         '"주문일시":"2016-10-07 10:05:00","휴대폰번호":"#N/A","우선순위":"Y","금액":null}'),
        (4, "cell error: 금액 (I4): #DIV/0!",
         '{"주문번호":"A3","고객번호":"K3","주문경로":"web","상품코드":"IP7","배송지역":"서울",'
         '"주문일시":"2016-10-07 10:09:00","휴대폰번호":"010-3333-4444","우선순위":"N","금액":"#DIV/0!"}')]
    assert sql_rows(store, "SELECT rows_read, rows_rejected FROM files") == [(3, 2)]


def test_a_sheet_that_starts_at_c3_without_a_mapping_finds_the_contract_header(open_launch, sql_rows):
    # No [sources.columns]: the header row is the one holding every required column. The data
    # starts at C3 (sheet row 3); B2 holds a note above it.
    rows = [["order_id", "customer_id", "channel", "sku", "region", "ordered_at"],
            ["O1", "C1", "web", "IP7", "Seoul", datetime(2016, 10, 7, 10, 0)],
            ["O2", "C2", "web", "IP7", "Seoul", "yesterday"]]
    book = workbook({"s": rows}, first_row=3, first_col=3)
    wb = openpyxl.load_workbook(io.BytesIO(book))
    wb["s"]["B2"] = "exported 2016-10-07"
    out = io.BytesIO()
    wb.save(out)
    toml = '[[sources]]\nname = "plain"\ntable = "orders"\nfiles = "*.xlsx"\nformat = "xlsx"\n'
    store = open_launch({"orders/o.xlsx": out.getvalue()}, toml)
    assert sql_rows(store, "SELECT order_id, _line FROM orders") == [("O1", 4)]
    assert sql_rows(store, "SELECT line, reason FROM rejected_rows") == [(5, "ordered_at is not a timestamp: yesterday")]


def test_fractional_seconds_and_a_source_time_zone(open_launch, sql_rows):
    # The source's clock is UTC: 01:00:05.25 UTC in a date-time cell (Excel keeps milliseconds).
    rows = [HEADER, ["A1", "K1", "web", "IP7", "서울", datetime(2016, 10, 7, 1, 0, 5, 250000), None, "Y", None],
            ["A2", "K2", "web", "IP7", "서울", datetime(2016, 10, 7, 1, 0, 6), None, "Y", None]]
    store = open_launch({"orders/f.xlsx": workbook({"s": rows})}, SHOP_XLSX.format(extra='timezone = "UTC"'))
    got = [(o, t.astimezone(UTC)) for o, t in sql_rows(store, "SELECT order_id, ordered_at FROM orders ORDER BY 1")]
    assert got == [("A1", datetime(2016, 10, 7, 1, 0, 5, 250000, tzinfo=UTC)),
                   ("A2", datetime(2016, 10, 7, 1, 0, 6, tzinfo=UTC))]


def test_a_column_without_header_is_kept_when_it_has_values_and_dropped_when_empty(open_launch, sql_rows):
    # Row 1: a title in A1 and a note in K1 (so the sheet's range reaches column K); row 2: the
    # header (A-I), nothing in J2 or K2; row 3: a value in J3 under no header, nothing in K.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["K1"] = "주문 내역", "작성: 운영팀"
    for c, header in enumerate(HEADER, 1):
        ws.cell(2, c, header)
    for c, value in enumerate(["A1", "K1", "web", "IP7", "서울", datetime(2016, 10, 7, 10, 0), None, "Y", None, "메모"], 1):
        if value is not None:
            ws.cell(3, c, value)
    out = io.BytesIO()
    wb.save(out)
    store = open_launch({"orders/n.xlsx": out.getvalue()}, SHOP_XLSX.format(extra=""))
    assert sql_rows(store, "SELECT order_id, column_j, _line FROM orders") == [("A1", "메모", 3)]
    columns = [c for (c,) in sql_rows(store, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'orders'")]
    assert "column_k" not in columns and "금액" in columns


def test_every_kind_of_cell_is_read_as_its_text(open_launch, sql_rows):
    # The extra column 금액 (kept as text) holds one kind of cell per row: a time of day alone
    # (Excel keeps it as a fraction of a day: read as HH:MM:SS, without the epoch's date), a
    # boolean, a fraction, whole numbers (one past 10^15, written out in full), a date-time with
    # milliseconds, and text.
    cells = [time(9, 30), True, 2.5, 42.0, 1e16, datetime(2016, 10, 7, 10, 0, 5, 250000), "3만원"]
    rows = [HEADER] + [[f"A{i}", "K1", "web", "IP7", "서울", datetime(2016, 10, 7, 10, 0), None, "Y", value]
                       for i, value in enumerate(cells, 1)]
    store = open_launch({"orders/k.xlsx": workbook({"Sheet1": rows})}, SHOP_XLSX.format(extra=""))
    assert sql_rows(store, "SELECT order_id, 금액, _line FROM orders ORDER BY _line") == [
        ("A1", "09:30:00", 2), ("A2", "true", 3), ("A3", "2.5", 4), ("A4", "42", 5),
        ("A5", "10000000000000000", 6), ("A6", "2016-10-07 10:00:05.250", 7), ("A7", "3만원", 8)]
