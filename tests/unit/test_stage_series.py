"""Orders per stage over time is counted from each order's change points; it must equal the
stage looked up directly at every bucket, on the whole sample launch and under a filter."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from launchboard import sql
from launchboard.loader import open_store
from launchboard.metrics import Params, Scope

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"

# The plain definition: the stage (timeline row) of every existing order at every bucket of the query.
DIRECT = """
SELECT lb_local(b.t) AS at, s.stage, count(*) AS orders
FROM buckets b
JOIN lb_orders_at($as_of, $channels, $regions, $skus, $couriers) o ON o.ordered_at <= b.t
JOIN stage_timeline s ON s.order_id = o.order_id AND s.from_at <= b.t AND b.t < s.to_at
GROUP BY ALL ORDER BY 1, 2
"""


@pytest.fixture(scope="module")
def store():
    s = open_store(SAMPLE)
    yield s
    s.close()


@pytest.mark.parametrize("as_of,scope", [
    ("2016-10-20T12:00:00+09:00", Scope()),
    ("2016-10-22T17:59:47+09:00", Scope()),
    ("2016-10-21T15:30:00+09:00", Scope(regions=("Daejeon",), couriers=("Epost",))),
])
def test_change_point_counts_equal_the_stage_rules_at_each_bucket(store, as_of, scope):
    p = Params(datetime.fromisoformat(as_of), store.config, scope).values()
    cur = store.cursor()
    series = sql.run(cur, "status_stages_over_time", p).df()
    assert len(series) > 20
    cur.register("series_local", series)
    # bucket times come back launch-local: turn them into instants again for the direct evaluation
    cur.execute("CREATE TEMP TABLE buckets AS SELECT DISTINCT timezone(current_setting('TimeZone'), \"at\") AS t "
                "FROM series_local")
    direct = cur.execute(DIRECT, {k: p[k] for k in ("as_of", "channels", "regions", "skus", "couriers")}).df()
    assert series.reset_index(drop=True).equals(direct.reset_index(drop=True))


def test_activation_backlog_equals_the_stage_rules_at_each_mark(store):
    """The backlog query reads two milestones; the full stage rules give the same counts."""
    p = {**Params(datetime.fromisoformat("2016-10-21T23:00:00+09:00"), store.config).values(), "span_hours": 48}
    cur = store.cursor()
    backlog = sql.run(cur, "activations_backlog_hourly", p).df()
    assert len(backlog) == 48 and backlog["backlog"].max() > 0  # hourly marks; T is itself a mark
    cur.register("backlog_local", backlog)
    direct = cur.execute(
        "SELECT b.\"at\", count(o.order_id) AS backlog FROM backlog_local b "
        "LEFT JOIN (lb_orders_at($as_of, [], [], [], []) o JOIN stage_timeline s USING (order_id)) "
        "ON o.ordered_at <= timezone(current_setting('TimeZone'), b.\"at\") "
        "AND s.from_at <= timezone(current_setting('TimeZone'), b.\"at\") "
        "AND timezone(current_setting('TimeZone'), b.\"at\") < s.to_at "
        "AND s.stage NOT IN ('activated', 'cancelled') "
        "GROUP BY 1 ORDER BY 1", {"as_of": p["as_of"]}).df()
    assert backlog["backlog"].tolist() == direct["backlog"].tolist()
