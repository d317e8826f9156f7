"""``[[sources]]`` in launch.toml: how files that do not follow the contract are read.

Each source names the table it feeds, the files it reads (a glob on file names in
``DATA/<table>/``, or a folder of its own under DATA), their format, and how their columns
and values become the contract's. The README ("Real extracts: sources") documents every key
and rule; ``parse_sources`` checks them all and says what is wrong, where.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from .courier_words import courier_map
from .readers import READERS
from .schema import BOOL, ENUM, TABLES, TS
from .timeutil import parse_moment

KEYS = ("name", "table", "files", "folder", "format", "columns", "values", "constants", "timestamp_format",
        "timezone", "sheet", "options")
BOOL_WORDS = ("true", "false", "1", "0", "y", "n", "yes", "no")


def value_key(word: str) -> str:
    """How a value is looked up in a value map: trimmed, lower case, without spaces
    ("배송 완료" and "배송완료" are one word). The SQL side is ``mapping.KEY_SQL``."""
    return word.strip().lower().replace(" ", "")


@dataclass(frozen=True)
class Source:
    name: str
    table: str
    format: str
    timezone: str  # for this source's timestamps without an offset: its own, else the launch's
    files: str = "*"
    folder: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # contract column -> the file's header
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> {word: contract value}
    constants: dict[str, str] = field(default_factory=dict)
    timestamp_format: tuple[str, ...] = ()
    sheet: str | None = None
    options: dict = field(default_factory=dict)

    def matches(self, file_name: str) -> bool:
        """Whether ``files`` matches a file name (case-insensitive glob)."""
        return fnmatchcase(file_name.lower(), self.files.lower())

    def value_maps(self) -> dict[str, dict[str, str]]:
        """Per column, every value key -> the value it becomes: the source's own words, over the
        built-in courier words (shipments' ``event``), over the values that already are a
        target (the map's targets; every allowed value of an enum, every boolean spelling)."""
        table = TABLES[self.table]
        own = dict(self.values)
        if self.table == "shipments":
            own.setdefault("event", {})
        maps = {}
        for column, words in own.items():
            builtin = courier_map() if (self.table, column) == ("shipments", "event") else {}
            col = table.column(column)
            allowed = col.values if col.kind == ENUM else BOOL_WORDS if col.kind == BOOL else ()
            targets = set(words.values()) | set(builtin.values()) | set(allowed)
            lookup = {value_key(t): t for t in sorted(targets)}
            lookup.update({value_key(w): t for w, t in builtin.items()})
            lookup.update({value_key(w): t for w, t in words.items()})
            maps[column] = lookup
        return maps

    def fingerprint(self) -> str:
        """A digest of everything that decides how this source reads a file (not which files it
        matches): a file read with another fingerprint is read again."""
        settings = {"table": self.table, "format": self.format, "timezone": self.timezone,
                    "columns": self.columns, "values": self.value_maps(), "constants": self.constants,
                    "timestamp_format": self.timestamp_format, "sheet": self.sheet, "options": self.options}
        text = json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class SourceError(ValueError):
    """One source's settings are invalid (the message says which key and why)."""


def _text(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SourceError(f"{key} must be a non-empty string, got {value!r}")
    return value


def _str_table(value: object, key: str) -> dict:
    if not isinstance(value, dict):
        raise SourceError(f"[sources.{key}] must be a table")
    return value


def _allowed(table: str, column: str, value: str, key: str) -> None:
    """A value a column can hold: an enum's values, a boolean's spellings, a timestamp."""
    col = TABLES[table].column(column)
    if col.kind == ENUM and value not in col.values:
        raise SourceError(f"{key}: {value!r} is not a {table}.{column} value ({', '.join(col.values)})")
    if col.kind == BOOL and value.lower() not in BOOL_WORDS:
        raise SourceError(f"{key}: {value!r} is not a boolean ({', '.join(BOOL_WORDS)})")
    if col.kind == TS:
        try:
            parse_moment(value, ZoneInfo("UTC"))
        except ValueError as exc:
            raise SourceError(f"{key}: {exc}") from exc


def _column(table: str, column: object, key: str) -> str:
    if column not in TABLES[table].names:
        raise SourceError(f"{key}: {column!r} is not a column of {table} ({', '.join(TABLES[table].names)})")
    return str(column)


def _timestamp_formats(value: object) -> tuple[str, ...]:
    formats = [value] if isinstance(value, str) else value
    if not isinstance(formats, list) or not formats or not all(isinstance(f, str) and "%" in f for f in formats):
        raise SourceError(f"timestamp_format must be a strptime format (e.g. \"%Y.%m.%d %H:%M\") or a list of them, "
                          f"got {value!r}")
    con = duckdb.connect()
    try:
        for f in formats:
            try:
                con.execute("SELECT try_strptime('', $f)", {"f": f})
            except duckdb.Error as exc:
                raise SourceError(f"timestamp_format {f!r}: " + str(exc).splitlines()[0]) from exc
    finally:
        con.close()
    return tuple(formats)


def _folder(value: object) -> str:
    text = _text(value, "folder")
    path = PurePosixPath(text.replace("\\", "/"))
    if path.is_absolute() or any(p in ("..", ".") or p.startswith(".") for p in path.parts):
        raise SourceError(f"folder must be a relative path inside the data folder, got {value!r}")
    if path.parts[0] in TABLES:
        raise SourceError(f"folder {value!r} is a table folder: use files = \"<glob>\" for files in {path.parts[0]}/")
    return path.as_posix()


def _source(entry: dict, launch_tz: str) -> Source:
    unknown = sorted(set(entry) - set(KEYS))
    if unknown:
        raise SourceError("unknown key(s) " + ", ".join(unknown) + " (known: " + ", ".join(KEYS) + ")")
    table = entry.get("table")
    if table not in TABLES:
        raise SourceError(f"table must be one of {', '.join(TABLES)}, got {table!r}")
    fmt_name = entry.get("format")
    if fmt_name not in READERS:
        raise SourceError(f"format must be one of {', '.join(READERS)}, got {fmt_name!r}")
    fmt = READERS[fmt_name]

    columns = {}
    for column, header in _str_table(entry.get("columns", {}), "columns").items():
        _column(table, column, f"columns.{column}")
        columns[column] = _text(header, f"columns.{column}").strip()
    if columns and fmt.contract_names:
        raise SourceError(f"format {fmt_name} gives the contract's columns itself: [sources.columns] does not apply")

    values: dict[str, dict[str, str]] = {}
    for column, words in _str_table(entry.get("values", {}), "values").items():
        key = f"values.{column}"
        _column(table, column, key)
        if TABLES[table].column(column).kind == TS:
            raise SourceError(f"{key}: a timestamp column takes timestamp_format, not a value map")
        seen: dict[str, tuple[str, str]] = {}
        for word, target in _str_table(words, key).items():
            target = _text(target, f"{key}.{word!r}")
            _allowed(table, column, target, f"{key}.{word!r}")
            earlier = seen.setdefault(value_key(word), (word, target))
            if earlier[1] != target:
                raise SourceError(f"{key}: {earlier[0]!r} and {word!r} are the same word "
                                  f"(compared without case and spaces) with different values")
        values[column] = {word: target for word, target in words.items()}

    constants = {}
    for column, value in _str_table(entry.get("constants", {}), "constants").items():
        key = f"constants.{column}"
        _column(table, column, key)
        if column in columns:
            raise SourceError(f"{key}: {column} is also mapped in [sources.columns]; keep one of them")
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (int, float)):
            value = str(value)
        constants[column] = _text(value, key).strip()
        _allowed(table, column, constants[column], key)

    tz = entry.get("timezone", launch_tz)
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SourceError(f"unknown timezone {tz!r}") from exc

    sheet = entry.get("sheet")
    if sheet is not None:
        if not fmt.sheets:
            raise SourceError(f"sheet applies to workbooks only, not to format {fmt_name}")
        sheet = _text(sheet, "sheet")

    options = _str_table(entry.get("options", {}), "options")
    if fmt.check_options is not None:
        try:
            options = fmt.check_options(dict(options))
        except ValueError as exc:
            raise SourceError(f"options: {exc}") from exc
    elif options:
        raise SourceError(f"format {fmt_name} takes no options")

    return Source(
        name=_text(entry.get("name"), "name").strip(), table=table, format=fmt_name, timezone=str(tz),
        files=_text(entry.get("files", "*"), "files").strip(),
        folder=_folder(entry["folder"]) if "folder" in entry else None,
        columns=columns, values=values, constants=constants,
        timestamp_format=_timestamp_formats(entry["timestamp_format"]) if "timestamp_format" in entry else (),
        sheet=sheet, options=options,
    )


def parse_sources(raw: object, launch_tz: str) -> tuple[Source, ...]:
    """The ``[[sources]]`` of a parsed launch.toml, checked; raises SourceError naming the
    source (by name, else by position) and the key."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        raise SourceError("[[sources]] must be an array of tables (write each source as [[sources]])")
    out: list[Source] = []
    for i, entry in enumerate(raw, 1):
        label = f"source {entry['name']!r}" if isinstance(entry.get("name"), str) else f"source #{i}"
        try:
            source = _source(entry, launch_tz)
        except SourceError as exc:
            raise SourceError(f"{label}: {exc}") from exc
        if any(s.name == source.name for s in out):
            raise SourceError(f"{label}: the name is used by another source (names are unique)")
        out.append(source)
    return tuple(out)


def value_map_snippet(source: str, unmapped: list[tuple[str, str, int]], fixes: dict[str, str] | None = None) -> str:
    """launch.toml lines that would map a source's unknown values ``(column, value, rows)``:
    one ``[sources.values.<column>]`` table per column, each value with an empty target to fill
    in, to paste under that source's ``[[sources]]`` entry. A column in ``fixes`` (its format
    decides its values by other settings, ``Format.fixes``) gets that advice as a comment, its
    values listed as comments."""
    fixes = fixes or {}
    lines = [f"# under [[sources]] name = {json.dumps(source, ensure_ascii=False)}: fill in each contract value"]
    for column in dict.fromkeys(c for c, _, _ in unmapped):
        mine = [(value, rows) for c, value, rows in unmapped if c == column]
        if column in fixes:
            lines.append(f"# {column}: {fixes[column]}")
            lines += [f"#   {json.dumps(value, ensure_ascii=False)}  ({rows:,} row(s))" for value, rows in mine]
            continue
        lines.append(f"[sources.values.{column}]")
        lines += [f'{json.dumps(value, ensure_ascii=False)} = ""  # {rows:,} row(s)' for value, rows in mine]
    return "\n".join(lines)
