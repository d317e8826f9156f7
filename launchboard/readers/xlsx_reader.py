"""Excel workbooks (``format = "xlsx"``), read with python-calamine.

The first sheet, or the source's ``sheet``. The header row is the first of the first
``HEADER_ROWS`` rows that holds the most of the headers the source maps (every required contract
column when it maps none), so merged title rows above the header are skipped. A row's line is its
sheet row number (Excel's numbering); fully empty rows are not records. Cells become text in
Arrow columns, a column at a time: a whole number without ".0", a date or time as
``YYYY-MM-DD HH:MM:SS[.ffffff]`` (a date alone is midnight: Excel keeps dates as midnight
instants), read in the source's time zone, booleans as true/false.

calamine reads an error cell (#N/A, #DIV/0! …) as empty, so when the sheet's XML holds any
error cell, openpyxl (read-only) finds them: a row with one is an unreadable record with its
raw cells. A workbook that cannot be opened, or a missing sheet, rejects the file whole.
"""
from __future__ import annotations

import itertools
import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineError, CalamineWorkbook

from ..schema import ident, normalise_header
from .base import FileRejected, Format, Staged, StageJob, column_names, header_key

HEADER_ROWS = 30  # the header row is looked for among the first rows of the sheet
# Rows converted to Arrow at a time: few enough that a chunk's row lists are freed before the
# cyclic GC promotes them to its oldest generation and walks them again in full collections.
CHUNK = 4096


def _letter(index: int) -> str:
    """Excel's column letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_text(value) -> str | None:
    """One cell as text (None when empty), the same as the column-wise conversion."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat() + " 00:00:00"
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def _column(values: tuple) -> pa.Array:
    """A column of cells as an Arrow string array; whole columns of text or of date-times are
    converted without a Python step per cell, mixed ones cell by cell."""
    try:
        return pa.array(values, pa.string())  # text only ('' is made null in SQL)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        pass
    kinds = set(map(type, values))
    if kinds <= {datetime, date, str}:  # a date cell is midnight (calamine's reading of a whole day)
        try:
            stamps = pa.array([None if v == "" else datetime(v.year, v.month, v.day) if type(v) is date else v
                               for v in values], pa.timestamp("us"))
            try:  # whole seconds (the usual case) print without ".000000"
                return pc.cast(pc.cast(stamps, pa.timestamp("s")), pa.string())
            except pa.ArrowInvalid:
                return pc.replace_substring_regex(pc.cast(stamps, pa.string()), r"\.000000$", "")
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # a non-empty text among them
            pass
    return pa.array([cell_text(v) for v in values], pa.string())


def _header_row(head: list[list], wanted: set[str], key) -> int:
    """The index in ``head`` of the row holding the most of ``wanted`` (the first such row);
    with none, the first non-empty row."""
    best, best_hits = None, 0
    for i, row in enumerate(head):
        hits = len(wanted & {key(cell_text(v) or "") for v in row})
        if hits > best_hits:
            best, best_hits = i, hits
            if hits == len(wanted):
                break
    if best is None:
        best = next((i for i, row in enumerate(head) if any(cell_text(v) for v in row)), None)
    if best is None:
        raise FileRejected(f"no header row: the first {HEADER_ROWS} rows are empty")
    return best


_ERROR_CELL = re.compile(rb"""t=["']e["']""")  # one pass over the XML for t="e" or t='e'


def _has_error_cells(path: Path) -> bool:
    """Whether any worksheet of an .xlsx holds an error cell (``t="e"``): a byte search, so
    the slow cell-by-cell pass of openpyxl runs only when there is one to find."""
    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with zf.open(name) as fh:
                    tail = b""
                    while chunk := fh.read(1 << 22):
                        block = tail + chunk
                        if _ERROR_CELL.search(block):
                            return True
                        tail = block[-8:]
    except zipfile.BadZipFile:  # not an .xlsx (.xls, .ods): calamine read it, errors read as empty
        return False
    return False


def _error_cells(path: Path, sheet: str) -> dict[int, dict[int, str]]:
    """Error cells of a sheet: {sheet row number: {0-based column: '#N/A'}} (openpyxl)."""
    import openpyxl  # only for workbooks that have error cells

    errors: dict[int, dict[int, str]] = {}
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for row in wb[sheet].iter_rows():
            for cell in row:
                if getattr(cell, "data_type", None) == "e":
                    errors.setdefault(cell.row, {})[cell.column - 1] = str(cell.value)
    finally:
        wb.close()
    return errors


def _open_sheet(path: Path, wanted: str | None):
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise FileRejected("cannot read workbook: " + str(exc).splitlines()[0]) from exc
    names = wb.sheet_names
    if not names:
        raise FileRejected("cannot read workbook: it has no sheet")
    name = wanted if wanted is not None else names[0]
    if name not in names:
        raise FileRejected(f"sheet '{name}' not found; the workbook has: " + ", ".join(f"'{n}'" for n in names))
    try:
        return name, wb.get_sheet_by_name(name)
    except CalamineError as exc:
        raise FileRejected(f"cannot read sheet '{name}': " + str(exc).splitlines()[0]) from exc


@contextmanager
def stage(job: StageJob) -> Iterator[Staged]:
    source = job.source
    name, sheet = _open_sheet(job.path, source.sheet if source is not None else None)
    if sheet.start is None:
        raise FileRejected(f"sheet '{name}' is empty: no header row")
    first_col = sheet.start[1]
    try:
        rows = sheet.iter_rows()
        head = list(itertools.islice(rows, HEADER_ROWS))
    except CalamineError as exc:
        raise FileRejected(f"cannot read sheet '{name}': " + str(exc).splitlines()[0]) from exc
    # calamine starts the rows at the sheet's first row, or at its used range's first row
    # (which always holds a value): Excel's number of head[0].
    first_row = sheet.start[0] + 1 if sheet.start[0] and any(v != "" for v in head[0]) else 1
    if source is not None and source.columns:
        wanted, key = {header_key(h) for h in source.columns.values()}, header_key
    else:
        wanted, key = set(job.table.required), normalise_header
    h = _header_row(head, wanted, key)
    headers = [cell_text(v) or f"column {_letter(first_col + j)}" for j, v in enumerate(head[h])]
    names = column_names(headers)
    errors = _error_cells(job.path, name) if _has_error_cells(job.path) else {}

    width = len(headers)
    batches, bad = [], []
    line = first_row + h + 1  # the sheet row number of the next data row
    data = itertools.chain(head[h + 1:], rows)
    try:
        while chunk := list(itertools.islice(data, CHUNK)):
            lines = range(line, line + len(chunk))
            line += len(chunk)
            if errors:
                kept = []
                for n, row in zip(lines, chunk):
                    if n in errors:
                        bad.append(_unreadable(n, row, headers, errors[n], first_col))
                    else:
                        kept.append((n, row))
                numbers, chunk = [n for n, _ in kept], [row for _, row in kept]
            else:
                numbers = lines
            if not chunk:
                continue
            columns = list(zip(*chunk))[:width]
            arrays = [_column(c) for c in columns] + [pa.nulls(len(chunk), pa.string())] * (width - len(columns))
            arrays.append(pa.array(numbers, pa.int64()))
            batches.append(pa.RecordBatch.from_arrays(arrays, names=[f"c{i}" for i in range(width)] + ["_line"]))
    except CalamineError as exc:
        raise FileRejected(f"cannot read sheet '{name}': " + str(exc).splitlines()[0]) from exc
    schema = pa.schema([(f"c{i}", pa.string()) for i in range(width)] + [("_line", pa.int64())])
    cells = pa.Table.from_batches(batches, schema)
    # A column with no header and no value (formatting beyond the data) is not a column.
    keep = [j for j in range(width) if cell_text(head[h][j]) or (pc.max(pc.utf8_length(cells[f"c{j}"])).as_py() or 0)]
    rows_view, bad_view = f"lb_xlsx_{id(job)}", f"lb_xlsx_bad_{id(job)}"
    job.cur.register(rows_view, cells)
    job.cur.register(bad_view, pa.table({"line": pa.array([b[0] for b in bad], pa.int64()),
                                         "reason": pa.array([b[1] for b in bad], pa.string()),
                                         "content": pa.array([b[2] for b in bad], pa.string())}))
    not_empty = "coalesce(" + ", ".join(f"nullif(c{j}, '')" for j in keep) + ") IS NOT NULL"
    try:
        yield Staged(
            select="SELECT " + ", ".join(f"c{j} AS {ident(names[j])}" for j in keep) + ", _line FROM "
                   + ident(rows_view) + " WHERE " + not_empty,
            names=[names[j] for j in keep], headers=[headers[j] for j in keep], encoding="xlsx",
            line="checked._line", carry=("_line",),
            read_error="cannot read workbook", unreadable="SELECT line, reason, content FROM " + ident(bad_view))
    finally:
        job.cur.unregister(rows_view)
        job.cur.unregister(bad_view)


def _unreadable(line: int, row: list, headers: list[str], errors: dict[int, str], first_col: int) -> tuple:
    """A row with error cells: (line, reason, its cells as JSON with the errors in place)."""
    cells = {j - first_col: text for j, text in errors.items()}
    where = ", ".join(f"{headers[j] if 0 <= j < len(headers) else 'column ' + _letter(j + first_col)} "
                      f"({_letter(j + first_col)}{line}): {text}" for j, text in sorted(cells.items()))
    content = {headers[j]: cells.get(j, cell_text(v)) for j, v in enumerate(row[:len(headers)])}
    return line, "cell error: " + where, json.dumps(content, ensure_ascii=False, separators=(",", ":"))


FORMAT = Format("xlsx", stage, sheets=True)
