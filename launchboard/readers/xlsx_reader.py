"""Excel workbooks (``format = "xlsx"``), read with fastexcel (calamine's parser, straight into
Arrow: no Python object per cell).

The first sheet, or the source's ``sheet``. The header row is the first of the first
``HEADER_ROWS`` rows that holds the most of the headers the source maps (every required contract
column when it maps none), so merged title rows above the header are skipped. A row's line is its
sheet row number (Excel's numbering); fully empty rows are not records. Every cell is read as
text: a whole number without ".0", a date or time as ``YYYY-MM-DD HH:MM:SS[.fff]`` (a date alone
is midnight: Excel keeps dates as midnight instants; a time alone is ``HH:MM:SS``, the parser's
epoch date ``1899-12-31`` taken off, which a text cell holding exactly that date and a time
loses too), read in the source's time zone, booleans as true/false.

The parser reads an error cell (#N/A, #DIV/0! …) as empty, so when the sheet's XML holds any
error cell, openpyxl (read-only) finds them: a row with one is an unreadable record with its
raw cells. A workbook that cannot be opened, or a missing sheet, rejects the file whole.
"""
from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import fastexcel
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import ident, normalise_header
from .base import FileRejected, Format, Staged, StageJob, column_names, header_key

HEADER_ROWS = 30  # the header row is looked for among the first rows of the sheet
# Excel keeps a time of day alone as a fraction of the day after its epoch: the parser's text of
# it carries the epoch's date, which is taken off.
_TIME_ALONE = "1899-12-31 "


def _letter(index: int) -> str:
    """Excel's column letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_text(value: str | None) -> str | None:
    """One cell's text, None when empty."""
    return value or None


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


def _first(exc: Exception) -> str:
    return str(exc).splitlines()[0]


def _open_sheet(path: Path, wanted: str | None) -> tuple[str, pa.RecordBatch, int]:
    """The sheet's name, its cells as text from the sheet's row 1 (absolute rows), and the
    0-based column of its used range's first column."""
    try:
        reader = fastexcel.read_excel(str(path))
    except (fastexcel.FastExcelError, OSError, ValueError) as exc:
        raise FileRejected("cannot read workbook: " + _first(exc)) from exc
    names = reader.sheet_names
    if not names:
        raise FileRejected("cannot read workbook: it has no sheet")
    name = wanted if wanted is not None else names[0]
    if name not in names:
        raise FileRejected(f"sheet '{name}' not found; the workbook has: " + ", ".join(f"'{n}'" for n in names))
    try:
        sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        columns = sheet.available_columns()
        cells = sheet.to_arrow()
    except fastexcel.FastExcelError as exc:
        raise FileRejected(f"cannot read sheet '{name}': " + _first(exc)) from exc
    if not columns:
        raise FileRejected(f"sheet '{name}' is empty: no header row")
    return name, cells, columns[0].absolute_index


def _text(column: pa.Array) -> pa.Array:
    """A column of the parser's text, with a time of day alone as ``HH:MM:SS``."""
    if not pc.any(pc.starts_with(column, _TIME_ALONE)).as_py():  # the usual case: no regex per cell
        return column
    return pc.replace_substring_regex(column, "^" + _TIME_ALONE, "", max_replacements=1)


@contextmanager
def stage(job: StageJob) -> Iterator[Staged]:
    source = job.source
    name, sheet, first_col = _open_sheet(job.path, source.sheet if source is not None else None)
    sheet = pa.Table.from_arrays([_text(c) for c in sheet.columns], names=[f"c{i}" for i in range(sheet.num_columns)])
    head = [list(row.values()) for row in sheet.slice(0, HEADER_ROWS).to_pylist()]
    if source is not None and source.columns:
        wanted, key = {header_key(h) for h in source.columns.values()}, header_key
    else:
        wanted, key = set(job.table.required), normalise_header
    h = _header_row(head, wanted, key)
    headers = [cell_text(v) or f"column {_letter(first_col + j)}" for j, v in enumerate(head[h])]
    names = column_names(headers)
    width = len(headers)
    data = sheet.slice(h + 1)
    lines = pa.array(range(h + 2, h + 2 + data.num_rows), pa.int64())  # sheet row numbers
    errors = _error_cells(job.path, name) if _has_error_cells(job.path) else {}
    bad = []
    if errors:
        flagged = [n for n in sorted(errors) if h + 2 <= n < h + 2 + data.num_rows]
        for n, row in zip(flagged, data.take(pa.array([n - h - 2 for n in flagged], pa.int64())).to_pylist()):
            bad.append(_unreadable(n, list(row.values()), headers, errors[n], first_col))
        keep_rows = pc.invert(pc.is_in(lines, pa.array(flagged, pa.int64())))
        data, lines = data.filter(keep_rows), lines.filter(keep_rows)
    cells = data.append_column("_line", lines)
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
