"""The same launch in the shapes a carrier's systems really export (``sample_data_real/``).

``write_real`` re-shapes the contract-shaped files ``generate`` has just written, drop by drop,
so both folders hold the same rows, versions, re-sent duplicates and orphans:

- ``orders/orders_NNN.xlsx``: the shop's export, one workbook per drop, Korean headers under a
  merged title row, Korean channel/region/priority words, date-time cells;
- ``shipments/{cj,hanjin,epost}_NNN.csv``: one CP949 export per courier and drop, Korean statuses
  and hub names; CJ writes local time, Hanjin UTC, Korea Post ``YYYY.MM.DD HH:MM:SS``;
- ``activations/``: the contract-shaped files as they are (matched by no source: read as today);
- ``twilio/messages_NNN.csv``: the SMS gateway's Twilio-style export (``real_logs``);
- ``asterisk/queue_log-YYYYMMDDHH``: the contact centre's queue_log, rotated per drop (``real_logs``);
- ``launch.toml``: the contract sample's settings and the ``[[sources]]`` that read all this.

The deliberately bad rows of the contract sample are re-shaped too, into the same kind of
mistake in the new shape where there is one (an unmapped word, an unreadable date, an empty
required cell). What cannot be compared between the two folders is listed in the README
("The real-shaped sample").
"""
from __future__ import annotations

import io
import pathlib
import shutil
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .real_logs import write_calls, write_messages
from .real_shapes import (
    CHANNEL_KO, EPOST_HEADERS, EVENT_KO, HUB_KO, KST_S, ORDER_HEADERS, ORDER_TIMES, PRIORITY_KO, REGION_KO, SHEET_ROWS,
    SHIPMENT_HEADERS, UNKNOWN_WORD, UNMAPPED_EVENT, drop_of, read_contract_csv,
)
from .real_toml import real_launch_toml
from .story import DROPS

def write_real(contract: pathlib.Path, out: pathlib.Path) -> dict:
    """Write the real-shaped launch into ``out`` from the contract-shaped one in ``contract``;
    returns the files written and the counts of the re-shaping (a summary for the CLI)."""
    contract, out = pathlib.Path(contract), pathlib.Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "launch.toml").write_text(real_launch_toml((contract / "launch.toml").read_text(encoding="utf-8")),
                                     encoding="utf-8")
    files = ["launch.toml"]
    files += _write_orders(contract / "orders", out / "orders")
    files += _write_shipments(contract / "shipments", out / "shipments")
    shutil.copytree(contract / "activations", out / "activations")
    files += sorted("activations/" + p.name for p in (out / "activations").iterdir())
    phones = _phones(contract / "orders")
    msg_files, msg_counts = write_messages(contract / "messages", out / "twilio", phones)
    call_files, call_counts = write_calls(contract / "calls", out / "asterisk", phones)
    return dict(out=str(out), files=sorted(files + msg_files + call_files), messages=msg_counts, calls=call_counts)


def _phones(folder: pathlib.Path) -> dict[str, str]:
    """customer_id -> the phone its orders carry."""
    out: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        t = read_contract_csv(path)
        out.update(zip(t.column("customer_id").to_pylist(), t.column("phone").to_pylist()))
    return out


# ---------------------------------------------------------------------------------- orders
def _serials(raw: pa.Array) -> list:
    """Timestamp texts as Excel date-time serial numbers (days since 1899-12-30, local wall time);
    an unreadable text stays text (the contract sample's bad date), an empty one None."""
    ts = pc.strptime(raw, format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True).cast(pa.int64())
    serial = pc.add(pc.divide(ts.cast(pa.float64()), 86400.0), 25569.0).to_pylist()
    return [s if s is not None else (v or None) for s, v in zip(serial, raw.to_pylist())]


def _write_orders(src: pathlib.Path, dst: pathlib.Path) -> list[str]:
    import xlsxwriter

    dst.mkdir(parents=True)
    written = []
    for path in sorted(src.iterdir()):
        t = read_contract_csv(path)
        j = drop_of(path.name)
        cols = {c: t.column(c).to_pylist() for c in ORDER_HEADERS if c not in ORDER_TIMES}
        cols["channel"] = [CHANNEL_KO.get(v, v) for v in cols["channel"]]
        cols["region"] = [REGION_KO.get(v, v) for v in cols["region"]]
        cols["priority"] = [PRIORITY_KO.get(v.lower(), UNKNOWN_WORD) if v else v for v in cols["priority"]]
        for c in ORDER_TIMES:
            cols[c] = _serials(t.column(c).combine_chunks())
        rows = list(zip(*(cols[c] for c in ORDER_HEADERS)))
        parts = [rows[i:i + SHEET_ROWS] for i in range(0, len(rows), SHEET_ROWS)] or [[]]
        for k, part in enumerate(parts, 1):
            name = f"orders_{j:03d}.xlsx" if len(parts) == 1 else f"orders_{j:03d}_p{k}.xlsx"
            _workbook(xlsxwriter, dst / name, part, DROPS[j - 1])
            written.append("orders/" + name)
    return written


def _workbook(xlsxwriter, path: pathlib.Path, rows: list[tuple], drop_at: int) -> None:
    """One sheet: a merged title row, the extraction time, a blank row, the header, the rows."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "default_date_format": "yyyy-mm-dd hh:mm:ss"})
    extracted_at = datetime(1970, 1, 1) + timedelta(seconds=int(drop_at))
    wb.set_properties({"title": "주문 내역", "created": extracted_at})  # the same bytes every run
    ws = wb.add_worksheet("주문내역")
    bold = wb.add_format({"bold": True, "align": "center"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    width = len(ORDER_HEADERS)
    ws.merge_range(0, 0, 0, width - 1, "KT 아이폰7 사전예약 주문 내역", bold)
    ws.merge_range(1, 0, 1, width - 1, f"추출일시: {extracted_at:%Y-%m-%d %H:%M} (KST)")
    ws.write_row(3, 0, list(ORDER_HEADERS.values()), bold)
    for r, row in enumerate(rows, 4):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, float):  # a date-time serial, shown as one
                ws.write_number(r, c, value, stamp)
            else:
                ws.write_string(r, c, value)
    wb.close()


# ------------------------------------------------------------------------------- shipments
def _instants(raw: pa.Array, fmt: str, offset_s: int) -> pa.Array:
    """Text -> int64 UTC seconds (null where it does not parse), for text written ``offset_s``
    ahead of UTC."""
    ts = pc.strptime(raw, format=fmt, unit="s", error_is_null=True)
    return pc.subtract(ts.cast(pa.int64()), offset_s)


def _write_shipments(src: pathlib.Path, dst: pathlib.Path) -> list[str]:
    dst.mkdir(parents=True)
    by_drop: dict[int, list[pa.Table]] = {}
    for path in sorted(src.iterdir()):
        if path.name.endswith(".part"):
            continue
        if path.suffix == ".parquet":
            t = pq.read_table(path)
            at = t.column("event_at").cast(pa.timestamp("s", "UTC")).cast(pa.int64())
            t = pa.table({c: t.column(c).cast(pa.string()).fill_null("") for c in t.column_names})
        else:
            t = read_contract_csv(path)
            hanjin = "_hanjin" in path.name  # 2016-10-20T03:00:51Z
            at = _instants(t.column("event_at"), "%Y-%m-%dT%H:%M:%SZ" if hanjin else "%Y-%m-%d %H:%M:%S",
                           0 if hanjin else KST_S)
        by_drop.setdefault(drop_of(path.name), []).append(t.append_column("_at", at))
    written = []
    for j, parts in sorted(by_drop.items()):
        t = pa.concat_tables(parts)
        for courier, prefix in (("CJ", "cj"), ("Hanjin", "hanjin"), ("Epost", "epost")):
            mine = t.filter(pc.equal(t.column("courier"), courier))
            if mine.num_rows:
                name = f"{prefix}_{j:03d}.csv"
                _courier_csv(dst / name, courier, mine)
                written.append("shipments/" + name)
    # a drop still being written, as in the contract sample: ignored until renamed
    (dst / "cj_099.csv.part").write_bytes((",".join(SHIPMENT_HEADERS.values()) + "\n").encode("cp949"))
    return written


def _lookup(values: pa.Array, mapping: dict[str, str], default: str | None) -> pa.Array:
    """Each value through ``mapping``; one it lacks -> ``default`` (None: the value itself)."""
    keys = list(mapping)
    idx = pc.index_in(values, value_set=pa.array(keys, pa.string()))
    mapped = pc.take(pa.array(list(mapping.values()), pa.string()), idx)
    return pc.coalesce(mapped, values if default is None else pa.scalar(default))


def _courier_csv(path: pathlib.Path, courier: str, t: pa.Table) -> None:
    """One courier's export: its headers, words, hub names and time format; CP949."""
    headers = EPOST_HEADERS if courier == "Epost" else SHIPMENT_HEADERS
    at = t.column("_at")
    shift = 0 if courier == "Hanjin" else KST_S  # Hanjin writes UTC (its source says so)
    fmt = "%Y.%m.%d %H:%M:%S" if courier == "Epost" else "%Y-%m-%d %H:%M:%S"
    text = pc.strftime(pc.add(at, shift).cast(pa.timestamp("s")), format=fmt)
    cols = {
        "event_id": t.column("event_id"), "order_id": t.column("order_id"), "tracking_no": t.column("tracking_no"),
        "event": _lookup(t.column("event"), EVENT_KO[courier], UNMAPPED_EVENT),
        "event_at": pc.coalesce(text, t.column("event_at")),  # an unreadable time as it was
        "hub": _lookup(t.column("hub"), HUB_KO, None),
    }
    out = pa.table({headers[c]: cols[c].combine_chunks() if hasattr(cols[c], "combine_chunks") else cols[c]
                    for c in headers})
    buf = io.BytesIO()
    pacsv.write_csv(out, buf, pacsv.WriteOptions(quoting_style="none"))
    path.write_bytes(buf.getvalue().decode("utf-8").encode("cp949"))
