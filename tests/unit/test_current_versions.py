"""The current version of each key (spec 3: latest updated_at, nulls last; then the latest file,
then the latest line) is the same whichever form derive._mark_current picks: a window over every row,
or, when most keys have one row, a window over the keys with several only; the current table
(schema.current_view) shows the rows it marks. Worked by hand on 23 rows of 20 keys."""
from __future__ import annotations

import duckdb
import pytest

from launchboard import derive

ROWS = [
    # key, updated_at, file, line, value
    ("K1", "2016-10-20 10:00", "a.csv", 2, "old"),
    ("K1", "2016-10-20 11:00", "a.csv", 3, "new"),         # later updated_at wins
    ("K2", "2016-10-20 10:00", "a.csv", 4, "first file"),
    ("K2", "2016-10-20 10:00", "b.csv", 2, "later file"),  # same time: the later file wins
    ("K3", None, "b.csv", 3, "no time"),
    ("K3", "2016-10-20 09:00", "a.csv", 5, "timed"),        # a time beats none (nulls last)
    *[(f"U{i:02}", None, "a.csv", 10 + i, f"only {i}") for i in range(17)],
]
WANT = {"K1": "new", "K2": "later file", "K3": "timed", **{f"U{i:02}": f"only {i}" for i in range(17)}}


@pytest.fixture
def cur():
    con = duckdb.connect()
    con.execute("CREATE TABLE acc_t (k VARCHAR, updated_at TIMESTAMP, _file VARCHAR, _line BIGINT, v VARCHAR,"
                " _current BOOLEAN DEFAULT false)")
    con.executemany("INSERT INTO acc_t (k, updated_at, _file, _line, v) VALUES (?, ?, ?, ?, ?)", ROWS)
    con.execute("CREATE VIEW t AS SELECT * EXCLUDE (_current) FROM acc_t WHERE _current")  # as schema.current_view
    yield con
    con.close()


def test_several_counts_keys_as_count_distinct_does(cur):
    """A key with three versions counts once; a row without a key is a row, not a key."""
    cur.execute("INSERT INTO acc_t (k, updated_at, _file, _line, v)"
                " VALUES ('K1', NULL, 'c.csv', 2, 'third'), (NULL, NULL, 'c.csv', 3, 'no key')")
    assert derive._several(cur, "t", "k") == (25, 20)
    assert cur.execute("SELECT count(*), count(DISTINCT k) FROM acc_t").fetchone() == (25, 20)
    assert cur.execute("SELECT k, n FROM lb_several ORDER BY k").fetchall() == [("K1", 3), ("K2", 2), ("K3", 2)]


def test_both_forms_pick_the_same_current_rows(cur):
    rows, keys = derive._several(cur, "t", "k")  # and lb_several: K1, K2, K3 with 2 rows each
    assert (rows, keys) == (23, 20) and keys / rows < derive.SPLIT_SHARE  # 0.87: the window form
    assert cur.execute("SELECT k, n FROM lb_several ORDER BY k").fetchall() == [("K1", 2), ("K2", 2), ("K3", 2)]
    assert cur.execute("SELECT count(*) FROM t").fetchone() == (0,)  # nothing is current before a rebuild
    for as_if in (keys, rows):  # the window form, then the split form (as if 100% single)
        cur.execute("UPDATE acc_t SET _current = k = 'K1'")  # marks left by an earlier rebuild
        derive._mark_current(cur, "t", "k", rows, as_if)
        assert dict(cur.execute("SELECT k, v FROM t").fetchall()) == WANT
        assert cur.execute("SELECT count(*) FILTER (WHERE NOT _current) FROM acc_t").fetchone() == (3,)
