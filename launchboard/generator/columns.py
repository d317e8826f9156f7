"""Arrow columns built from numpy without Python loops: fixed-width text (ids, phones, tracking
numbers, timestamps), categorical labels, and the per-drop grouping of rows."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .story import DAY, HOUR, MIN, NEVER, NONE, TRACKING_PREFIX


def _fixed(chars: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """(n, w) uint8 ASCII matrix -> Arrow string array (zero-copy buffers)."""
    n, w = chars.shape
    offsets = np.arange(n + 1, dtype=np.int64) * w
    data = pa.py_buffer(np.ascontiguousarray(chars).reshape(-1))
    bitmap, nulls = None, 0
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        nulls = int(n - valid.sum())
    if n * w < 2**31 - 1:
        return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.astype(np.int32)), data, bitmap, nulls)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), data, bitmap, nulls)


_PAIRS = np.array([[48 + i // 10, 48 + i % 10] for i in range(100)], np.uint8)
_TOD = None  # 'HH:MM:SS' for every second of a day, built on first use


def _put_digits(out: np.ndarray, col: int, v: np.ndarray, width: int) -> None:
    """Zero-padded decimal digits of v into out[:, col:col+width] (two digits per lookup)."""
    v = np.asarray(v, np.int64)
    k = width
    while k >= 2:
        out[:, col + k - 2:col + k] = _PAIRS[v % 100]
        v = v // 100
        k -= 2
    if k == 1:
        out[:, col] = v % 10 + 48


def _ts(v: np.ndarray, style: str = "space") -> pa.Array:
    """Local seconds -> 'YYYY-MM-DD HH:MM:SS' ('T', '+09:00' or UTC 'Z' variants); NONE -> null."""
    global _TOD
    if _TOD is None:
        sec = np.arange(DAY, dtype=np.int64)
        tod = np.empty((DAY, 8), np.uint8)
        _put_digits(tod, 0, sec // HOUR, 2)
        _put_digits(tod, 3, sec // MIN % 60, 2)
        _put_digits(tod, 6, sec % 60, 2)
        tod[:, 2] = tod[:, 5] = ord(":")
        _TOD = tod
    v = np.asarray(v, np.int64)
    valid = (v != NONE) & (v < NEVER)
    if style == "Z":
        v = v - 9 * HOUR
    suffix = {"offset": b"+09:00", "Z": b"Z"}.get(style, b"")
    n = len(v)
    out = np.empty((n, 19 + len(suffix)), np.uint8)
    day = v // DAY
    if n:
        lo = int(day[valid].min()) if valid.any() else 0
        hi = int(day[valid].max()) if valid.any() else 0
        day = np.where(valid, day - lo, 0)
        dates = np.array([str(np.datetime64(d, "D")).encode() for d in range(lo, hi + 1)], "S10")
        out[:, 0:10] = dates.view(np.uint8).reshape(-1, 10)[day]
        out[:, 11:19] = _TOD[np.where(valid, v % DAY, 0)]
    out[:, 10] = ord(" ") if style == "space" else ord("T")
    for k, ch in enumerate(suffix):
        out[:, 19 + k] = ch
    return _fixed(out, valid)


def _ids(prefix: str, num: np.ndarray, width: int) -> pa.Array:
    num = np.asarray(num, np.int64)
    width = max(width, len(str(int(num.max())))) if len(num) else width
    p = prefix.encode()
    out = np.empty((len(num), len(p) + width), np.uint8)
    out[:, : len(p)] = np.frombuffer(p, np.uint8)
    _put_digits(out, len(p), num, width)
    return _fixed(out)


def _labels(names, codes: np.ndarray) -> pa.Array:
    """Categorical column (dictionary-encoded; the CSV writer decodes it); code < 0 -> null."""
    codes = np.asarray(codes)
    mask = codes < 0
    idx = pa.array(np.where(mask, 0, codes).astype(np.int8), mask=mask if mask.any() else None)
    return pa.DictionaryArray.from_arrays(idx, pa.array(list(names), pa.string()))


def _groups(drop: np.ndarray):
    """(drop, row indices) for every drop present, rows in their original order."""
    order = np.argsort(drop, kind="stable")
    counts = np.bincount(drop[order].astype(np.int64))
    pos = 0
    for j, c in enumerate(counts):
        if c:
            yield j, order[pos:pos + c]
        pos += c


def _phone(num):
    num = np.asarray(num, np.int64)
    out = np.empty((len(num), 13), np.uint8)
    out[:, 0:4] = np.frombuffer(b"010-", np.uint8)
    _put_digits(out, 4, num // 10**4, 4)
    out[:, 8] = ord("-")
    _put_digits(out, 9, num % 10**4, 4)
    return _fixed(out)


def _tracking(courier, order):
    out = np.empty((len(order), 12), np.uint8)
    out[:, 0:2] = np.array([list(p.encode()) for p in TRACKING_PREFIX], np.uint8)[courier]
    _put_digits(out, 2, (np.asarray(order, np.int64) * 7919 + 104729) % 10**10, 10)
    return _fixed(out)


class _Ids:
    """Shared id/phone columns, built once and gathered per file."""

    def __init__(self, L: "_Launch"):
        self.ow = L.ow = max(7, len(str(L.T + 1000)))
        self.order = _ids("O", np.arange(1, L.T + 3), self.ow)  # + 2 phantom orders (orphans)
        self.cust = _ids("C", np.arange(1, L.n_customers + 3), self.ow)
        self.phone = _phone(L.phone)

    def orders(self, i):
        return self.order.take(pa.array(np.asarray(i, np.int64)))

    def customers(self, c):
        c = np.asarray(c, np.int64)
        mask = c < 0
        return self.cust.take(pa.array(np.where(mask, 0, c), mask=mask if mask.any() else None))
