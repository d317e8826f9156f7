"""Explore (SQL) page: example queries give a table, escapes give an error, never a traceback."""
from __future__ import annotations

import pytest
from launch_files import make_launch


FILES = {
    "orders/o.csv": (
        "order_id,customer_id,channel,sku,region,ordered_at,phone,allocated_at\n"
        "O1,C1,web,IP7-128-JBK,Seoul,2016-10-20 20:10,010-1234-5678,2016-10-20 21:00\n"
        "O2,C2,store,IP7-32-BLK,Busan,2016-10-20 20:40,010-9876-5432,\n"
        "O3,C3,app,IP7-32-BLK,Seoul,2016-10-21 09:00,,\n"
    ),
    "shipments/s.csv": "event_id,order_id,courier,event,event_at,hub\nE1,O1,CJ,delivered,2016-10-21 14:30,Seoul HUB\n",
}


@pytest.fixture(scope="module")
def launch_dir(tmp_path_factory):
    return make_launch(tmp_path_factory.mktemp("explore_page"), FILES)


def run_query(at, sql: str):
    at.text_area(key="explore_sql").set_value(sql).run()
    at.button(key="explore_run").click().run()
    return at


def result(at):
    return next(d.value for d in at.dataframe if "type" not in d.value.columns)


def test_sample_runs(app_at, sample_dir):
    at = app_at("explore", sample_dir)
    assert not at.exception
    at.button(key="explore_run").click().run()
    assert not at.exception and not at.error


def test_empty_folder(app_at, tmp_path):
    at = app_at("explore", tmp_path)
    assert not at.exception
    assert any("No data yet" in i.value for i in at.info)


def test_an_example_query_shows_a_result_table(app_at, launch_dir):
    at = app_at("explore", launch_dir)
    assert not at.exception
    at.selectbox(key="explore_example").set_value("Orders by stage (at the moment)").run()
    assert "FROM order_stages" in at.text_area(key="explore_sql").value
    at.button(key="explore_run").click().run()
    assert not at.exception and not at.error
    # Live T = 14:30: O1 delivered, O2 and O3 reserved (O2 never allocated).
    assert result(at).to_dict("records") == [{"stage": "reserved", "orders": 2}, {"stage": "delivered", "orders": 1}]


def test_phones_are_masked(app_at, launch_dir):
    at = run_query(app_at("explore", launch_dir), "SELECT order_id, phone FROM orders ORDER BY order_id")
    assert list(result(at)["phone"].fillna("-")) == ["010-****-5678", "010-****-5432", "-"]


def test_attach_is_refused_with_an_error(app_at, launch_dir):
    at = run_query(app_at("explore", launch_dir), "ATTACH '/tmp/pagesd_other.duckdb' AS other")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Only SELECT (or WITH … SELECT) queries run here; this is an ATTACH statement."]


def test_bad_sql_shows_duckdb_message(app_at, launch_dir):
    at = run_query(app_at("explore", launch_dir), "SELECT no_such_column FROM orders")
    assert not at.exception
    assert "no_such_column" in at.error[0].value


def test_the_first_query_on_a_table_says_it_copied_the_table(app_at, launch_dir):
    at = run_query(app_at("explore", launch_dir), "SELECT count(*) AS n FROM activations")
    assert not at.exception and result(at).to_dict("records") == [{"n": 0}]
    first = [c.value for c in at.caption if c.value.startswith("1 row in ")]  # one row: the singular
    assert len(first) == 1 and "; first query on `activations`: copied into the sandbox in " in first[0]
    at = run_query(at, "SELECT count(*) AS m FROM activations")
    again = [c.value for c in at.caption if c.value.startswith("1 row in ")]
    assert result(at).to_dict("records") == [{"m": 0}] and len(again) == 1 and "copied" not in again[0]
