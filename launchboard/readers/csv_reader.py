"""CSV extracts (spec 1): UTF-8 with or without BOM, or CP949/EUC-KR transcoded in Python (DuckDB
reads only UTF-8); plain or gzip. DuckDB reads every column as text with an explicit column list,
never sniffing; malformed lines are kept as rejected rows with their raw text."""
from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from ..checks import literal
from ..schema import ident
from .base import FileRejected, Format, NotUtf8, Staged, StageJob, column_names

_CHUNK = 1 << 22


def _gz(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def open_bytes(path: Path):
    """A file's bytes, decompressed when its name ends in ``.gz``."""
    if _gz(path):
        return gzip.open(path, "rb")
    return open(path, "rb")

def detect_encoding(path: Path, copy: Path | None = None, encodings: tuple[str, ...] = ("utf-8", "cp949")) -> str:
    """The first of ``encodings`` (``utf-8``, BOM or not, or ``cp949``) that decodes the whole
    file; raises FileRejected when none does.

    With ``copy``, a CP949 file's text is also written there as UTF-8 (decompressed, transcoded)
    while it is checked; a UTF-8 file is only checked.
    """
    for encoding in encodings:
        decoder = codecs.getincrementaldecoder(encoding)()
        write = copy is not None and encoding != "utf-8"
        try:
            with open_bytes(path) as fh, (open(copy, "wb") if write else nullcontext()) as out:
                while chunk := fh.read(_CHUNK):
                    text = decoder.decode(chunk)
                    if out is not None:
                        out.write(text.encode("utf-8"))
                text = decoder.decode(b"", final=True)
                if out is not None:
                    out.write(text.encode("utf-8"))
            return encoding
        except UnicodeDecodeError:
            continue
        except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            raise FileRejected(f"cannot read file: {exc}") from exc
    raise FileRejected("cannot decode file as UTF-8 or CP949/EUC-KR")


def _starts_utf8(path: Path) -> bool:
    """Whether the file's first block decodes as UTF-8 (a character cut at its end is fine)."""
    try:
        with open_bytes(path) as fh:
            codecs.getincrementaldecoder("utf-8")().decode(fh.read(_CHUNK))
        return True
    except UnicodeDecodeError:
        return False
    except (OSError, EOFError, zlib.error) as exc:
        raise FileRejected(f"cannot read file: {exc}") from exc


def read_header(path: Path, encoding: str, delimiter: str = ",") -> list[str]:
    """The header row's cells; raises FileRejected when the file has none."""
    with open_bytes(path) as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="")
        try:
            first = text.readline()
        except UnicodeDecodeError as exc:  # a header line longer than the block checked
            raise NotUtf8 from exc
    cells = next(csv.reader([first], delimiter=delimiter), [])
    if not first.strip() or not any(c.strip() for c in cells):
        raise FileRejected("file is empty: no header row")
    return cells


def plain_utf8(path: Path, text: Path, encoding: str | None = None) -> tuple[str, Path]:
    """A CSV's encoding, and the file DuckDB reads: ``path`` itself when it is UTF-8 (DuckDB
    decompresses a ``.gz`` as it reads), else ``text``, written here while the encoding is found
    (transcoded from CP949 in Python: DuckDB reads only UTF-8). A file whose first block is UTF-8
    is taken as UTF-8 unread: DuckDB checks every byte as it reads it (``_not_utf8``), cheaper than
    a pass in Python over a big export. ``encoding="cp949"``: that check failed."""
    if encoding is None and _starts_utf8(path):
        return "utf-8", path
    return detect_encoding(path, text, ("cp949",)), text  # not UTF-8: its start or DuckDB said so


def check_options(options: dict) -> dict:
    """``[sources.options]`` of a CSV source: ``delimiter``, one character (default ",")."""
    unknown = sorted(set(options) - {"delimiter"})
    if unknown:
        raise ValueError("unknown option(s) for format csv: " + ", ".join(unknown) + " (known: delimiter)")
    delimiter = options.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\"\r\n":
        raise ValueError(f"delimiter must be one character other than a quote or a line break, got {delimiter!r}")
    return {"delimiter": delimiter}


@contextmanager
def stage(job: StageJob) -> Iterator[Staged]:
    """A CSV as text columns (DuckDB's reader, explicit column list, no sniffing). Its plain
    UTF-8 text is the file itself (gzip or not), or a copy in the scratch folder (CP949) removed
    when the loader is done. Malformed lines are its unreadable records, with their raw text."""
    delimiter = job.options.get("delimiter", ",")
    fd, name = tempfile.mkstemp(suffix=".utf8.csv", dir=job.scratch)
    os.close(fd)
    text = Path(name)
    try:
        encoding, source = plain_utf8(job.path, text, job.encoding)
        cells = read_header(job.path, encoding, delimiter)
        names = column_names(cells)
        columns = "{" + ", ".join(literal("c" + str(i)) + ": 'VARCHAR'" for i in range(len(names))) + "}"
        select = ", ".join("c" + str(i) + " AS " + ident(n) for i, n in enumerate(names))
        job.cur.execute("DROP TABLE IF EXISTS lb_rejects")
        job.cur.execute("DROP TABLE IF EXISTS lb_scan")
        yield Staged(
            select="SELECT " + select + " FROM read_csv($path, columns = " + columns + ", header = true,"
                   " auto_detect = false, compression = $compression, delim = $delim, quote = '\"',"
                   " escape = '\"', strict_mode = true, null_padding = false, store_rejects = true,"
                   " rejects_table = 'lb_rejects', rejects_scan = 'lb_scan')",
            names=names, headers=cells, encoding=encoding,
            params={"path": str(source), "delim": delimiter,
                    "compression": "gzip" if source == job.path and _gz(source) else "none"},
            line="checked.rowid + 2", read_error="cannot read CSV",
            unreadable="SELECT line, 'malformed CSV line: ' || error_message, csv_line FROM lb_bad_lines",
            finish=_malformed_lines, check=_not_utf8 if encoding == "utf-8" else None)
    finally:
        text.unlink(missing_ok=True)


def _not_utf8(cur) -> None:
    """Raise NotUtf8 when DuckDB met bytes that are not UTF-8 (past the block read in Python)."""
    (bad,) = cur.execute("SELECT count(*) FROM lb_rejects WHERE error_type = 'INVALID ENCODING'").fetchone()
    if bad:
        raise NotUtf8


def _malformed_lines(cur, staged: Staged) -> None:
    """Keep one row per malformed line (DuckDB may log several errors for one) in
    ``lb_bad_lines``, and number the parsed rows around them."""
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE lb_bad_lines AS SELECT line, any_value(csv_line) AS csv_line,"
        " min(error_message) AS error_message FROM lb_rejects GROUP BY line"
    )
    # The k-th parsed row (rowid k - 1) is on line k + 1 (after the header), plus one for
    # every malformed line before it.
    if cur.execute("SELECT count(*) FROM lb_bad_lines").fetchone()[0]:
        staged.line += (" + (SELECT count(*) FROM (SELECT line - row_number() OVER (ORDER BY line) AS adj"
                        " FROM lb_bad_lines) AS r WHERE r.adj <= checked.rowid + 1)")


FORMAT = Format("csv", stage, check_options=check_options)
