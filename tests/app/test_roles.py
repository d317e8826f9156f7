"""Roles (AppTest): each role opens its pages and gets "not allowed", with nothing of the page and
no query run, on every other; which columns and personal data each role sees; the agent's
lookup and phone reveal are in the access log, which no page can change."""
from __future__ import annotations

import threading

import pytest
from app_support import as_read
from launch_files import make_launch
from signin_support import TITLES, USERS, signed_in, signin_env, table, texts

from launchboard import auth, sql
from launchboard.history import WARM_THREAD

# Orders with phones and a personal column (고객명, never loaded). C1 has two orders.
ORDERS = ("order_id,customer_id,channel,sku,region,ordered_at,model,phone,고객명,allocated_at\n"
          "O1,C1,web,IP7-128-JBK,Seoul,2016-10-07 09:00,iPhone 7,010-1111-2222,김철수,2016-10-20 10:00\n"
          "O2,C1,app,IP7-32-BLK,Busan,2016-10-07 09:30,iPhone 7,010-1111-2222,김철수,\n"
          "O3,C2,web,IP7-128-JBK,Seoul,2016-10-07 09:10,iPhone 7,010-3333-2222,이영희,\n")
SHIPMENTS = "event_id,order_id,courier,event,event_at,hub\nE1,O1,CJ,packed,2016-10-20 15:00,Seoul HUB\n"
MOMENT = {"as_of": "2016-10-21T12:00"}


@pytest.fixture
def log(monkeypatch, tmp_path):
    data = make_launch(tmp_path / "launch", {"orders/o.csv": ORDERS, "shipments/s.csv": SHIPMENTS})
    return signin_env(monkeypatch, tmp_path, data)


@pytest.fixture
def count_queries(monkeypatch):
    """How many queries/*.sql the pages ran since the fixture was made (every page query goes
    through sql.run); the server's background evaluation of the alert history (HistoryCache.warm,
    started by an earlier run on its own thread) is not a page's."""
    calls = []
    real = sql.run

    def run(*a, **k):
        if not threading.current_thread().name.startswith(WARM_THREAD):  # its pool's threads too
            calls.append(a[1])
        return real(*a, **k)

    monkeypatch.setattr(sql, "run", run)
    return calls


@pytest.mark.parametrize("name", list(USERS))
def test_each_role_opens_its_pages_and_nothing_else(log, name):
    role = USERS[name]
    at = signed_in(name, MOMENT)
    assert not at.exception
    assert at.title[0].value == TITLES[auth.home(role)]  # where the role lands
    for page, title in TITLES.items():
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, page
        if auth.may_open(role, page):
            assert at.title[0].value == title, page
        else:
            assert [t.value for t in at.title] == ["Not allowed"], page
            assert at.error[0].value == f"**{name}** ({role}) may not open **{title}**: nothing of it is shown."
            assert [link.label for link in at.get("page_link")] == [TITLES[p] for p in auth.pages_for(role)]
            assert not at.dataframe and not at.metric and not at.get("arrow_vega_lite_chart")
    refused = log.frame(events=["not_allowed"])
    assert sorted(refused["page"]) == sorted(p for p in TITLES if not auth.may_open(role, p))


def test_a_direct_link_to_a_forbidden_page_runs_no_query(log, count_queries):
    at = signed_in("mina", MOMENT)
    assert at.title[0].value == "Order lookup"
    count_queries.clear()
    at.switch_page("app_pages/explore.py").run()
    assert at.title[0].value == "Not allowed" and count_queries == []
    at.switch_page("app_pages/status.py").run()
    assert at.title[0].value == "Not allowed" and count_queries == []
    at.switch_page("app_pages/lookup.py").run()
    assert at.title[0].value == "Order lookup" and count_queries  # its own page does query


def test_an_agent_lookup_and_phone_reveal_are_logged(log):
    at = signed_in("mina", MOMENT)
    assert [m.label for m in at.metric] == ["Orders", "Delivered", "Activated", "Activation failure rate",
                                            "Abandon + reject rate", "Message errors"]  # the status tiles
    at.selectbox(key="lookup_kind").set_value("order")
    at.text_input(key="lookup_query").input("O1").run()
    assert not at.exception
    shown = as_read(texts(at) + "\n".join(e.label for e in at.expander))
    assert "Customer C1 · 010-****-2222 · 2 orders" in shown and "010-1111-2222" not in shown
    entry = log.frame(events=["lookup"]).iloc[0]
    assert (entry["user"], entry["role"], entry["page"], entry["target"], entry["detail"]) == (
        "mina", "agent", "lookup", "customer C1; orders O1, O2", "order id: O1")
    at.run()  # a refresh of the same search is not a new entry
    assert len(log.frame(events=["lookup"])) == 1

    at.text_input(key="lookup_confirm_digits_O1").input("9999")
    at.button(key="lookup_confirm_button_O1").click().run()
    assert "Those are not the last four digits of this order's phone" in at.warning[0].value
    assert "010-1111-2222" not in as_read(texts(at))
    at.text_input(key="lookup_confirm_digits_O1").input("2222")
    at.button(key="lookup_confirm_button_O1").click().run()
    assert "phone **010-1111-2222** (caller confirmed)" in as_read(texts(at))
    events = log.frame()
    assert events["event"].tolist()[:2] == ["phone_reveal", "phone_confirm_failed"]
    assert events.iloc[0][["target", "detail"]].tolist() == ["order O1; customer C1", "last four confirmed"]
    # a new search masks the number again
    at.text_input(key="lookup_query").input("O3").run()
    assert "010-1111-2222" not in as_read(texts(at))


def test_an_analyst_sees_masked_phones_and_no_personal_column(log):
    at = signed_in("sora", MOMENT)
    at.switch_page("app_pages/lookup.py").run()
    at.selectbox(key="lookup_kind").set_value("phone")
    at.text_input(key="lookup_query").input("2222").run()
    matches = table(at, "customer_id", "phone", "order_id")
    assert matches.columns.tolist() == ["customer_id", "phone", "order_id", "sku", "region", "ordered_at"]
    assert matches["phone"].tolist() == ["010-****-2222"] * 3
    assert "lookup_confirm_digits_O1" not in [t.key for t in at.text_input]  # only an agent may reveal

    at.switch_page("app_pages/explore.py").run()
    at.text_area(key="explore_sql").input("SELECT * FROM orders ORDER BY order_id")
    at.button(key="explore_run").click().run()
    result = table(at, "order_id", "customer_id", "phone")
    assert "고객명" not in result.columns and "phone" in result.columns
    assert result["phone"].tolist() == ["010-****-2222", "010-****-2222", "010-****-2222"]
    entry = log.frame(events=["explore_query"]).iloc[0]
    assert (entry["user"], entry["detail"]) == ("sora", "SELECT * FROM orders ORDER BY order_id")


def test_a_manager_sees_which_personal_columns_were_left_out(log):
    at = signed_in("jun", MOMENT)
    at.switch_page("app_pages/quality.py").run()
    left_out = table(at, "table", "column", "file names")
    assert left_out[["table", "column", "files"]].values.tolist() == [["orders", "고객명", 1]]


def test_the_admin_reads_the_log_and_no_page_can_change_it(log):
    signed_in("mina", MOMENT)
    at = signed_in("root")
    assert at.title[0].value == "Access log"
    assert at.success[0].value.startswith("2 entries; the hash chain is intact")
    entries = table(at, "event", "user", "detail")
    # newest first: root's sign-in, mina's (who landed on lookup from the root address), and
    # mina's not_allowed for the status page she was on when she signed in is not logged: she
    # was sent to her own page
    assert entries[["event", "user"]].values.tolist() == [["sign_in", "root"], ["sign_in", "mina"]]
    # the page's only controls: two filters and the download (no button changes or deletes an entry)
    assert [w.key for w in at.button] == ["auth_sign_out"]
    assert [w.key for w in at.multiselect] == ["access_users", "access_events"]
    at.multiselect(key="access_events").set_value(["sign_in"]).run()
    assert table(at, "event", "user")["user"].tolist() == ["root", "mina"]
    at.switch_page("app_pages/users.py").run()
    users = table(at, "name", "role", "signs in with")
    assert users[["name", "role", "signs in with"]].values.tolist() == [
        ["jun", "manager", "password"], ["mina", "agent", "password"], ["root", "admin", "password"],
        ["sora", "analyst", "password"]]
    assert log.count() == 2 and log.verify().intact
