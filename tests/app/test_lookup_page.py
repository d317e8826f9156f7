"""Order lookup page (AppTest): runs on every kind of folder; the key widgets find the right orders."""

import pytest
from app_support import as_read
from launch_files import make_launch as write

LAUNCH = '[launch]\nname = "lookup page test"\ntimezone = "Asia/Seoul"\n'
ORDERS = """\
order_id,customer_id,channel,sku,region,ordered_at,model,phone,allocated_at,promised_delivery_by
O1,C1,web,IP7-128-JBK,Seoul,2016-10-07 09:00,iPhone 7 128GB Jet Black,010-1111-2222,2016-10-20 10:00,2016-10-21 18:00
O2,C1,app,IP7-32-BLK,Busan,2016-10-07 09:30,iPhone 7 32GB Black,010-1111-2222,,2016-10-21 11:00
O3,C2,web,IP7-128-JBK,Seoul,2016-10-07 09:10,iPhone 7 128GB Jet Black,010-3333-2222,,
O4,C3,store,IP7-128-JBK,Busan,2016-10-07 09:05,iPhone 7 128GB Jet Black,010-4444-2222,,
O5,C4,web,IP7-32-BLK,Seoul,2016-10-07 08:00,iPhone 7 32GB Black,010-5555-1111,2016-10-19 10:00,
"""
SHIPMENTS = """\
event_id,order_id,courier,event,event_at,hub
E1,O1,CJ,packed,2016-10-20 15:00,Seoul HUB
E2,O1,CJ,at_hub,2016-10-21 08:00,Daejeon HUB
E3,O5,CJ,delivered,2016-10-20 10:00,Seoul HUB
"""
CALLS = """\
call_id,queue,arrived_at,ended_at,outcome,customer_id,answered_at,reason,resolution
K1,iphone,2016-10-21 10:00,2016-10-21 10:05,answered,C1,2016-10-21 10:02,delivery,no_info
"""
MOMENT = {"as_of": "2016-10-21T12:00"}
RAW_PHONES = ("010-1111-2222", "010-3333-2222", "010-4444-2222", "01011112222")


@pytest.fixture
def small(tmp_path):
    return write(tmp_path, {"orders/o.csv": ORDERS, "shipments/s.csv": SHIPMENTS, "calls/c.csv": CALLS})


def shown_text(at) -> str:
    """Every text the page shows: markdown, captions, alerts, expander labels and table cells."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.subheader)]
    parts += [e.label for e in at.expander]
    parts += [df.value.to_csv() for df in at.dataframe]
    return as_read("\n".join(str(p) for p in parts))


@pytest.mark.parametrize("files", [{}, {"orders/o.csv": ORDERS}], ids=["empty", "only_orders"])
def test_runs_without_a_query(app_at, tmp_path, files):
    at = app_at("lookup", write(tmp_path, files))
    assert not at.exception
    assert at.title[0].value == "Order lookup"


def test_runs_on_sample_data(app_at, sample_dir):
    at = app_at("lookup", sample_dir)
    assert not at.exception
    assert any("Type an order id" in i.value for i in at.info)


def test_only_orders_folder_finds_an_order(app_at, tmp_path):
    data = write(tmp_path / "only_orders", {"orders/o.csv": ORDERS})
    at = app_at("lookup", data, state={"lookup_kind": "order", "lookup_query": "O3"}, query=MOMENT)
    assert not at.exception
    assert "Waiting for stock" in shown_text(at)
    assert "#2 of 2 waiting for IP7-128-JBK" in shown_text(at)  # O4 (09:05) then O3 (09:10); O1 allocated


def test_order_id_widgets_show_the_stage(app_at, small):
    at = app_at("lookup", small, query=MOMENT)
    at.selectbox(key="lookup_kind").set_value("order")
    at.text_input(key="lookup_query").input("O1").run()
    assert not at.exception
    text = shown_text(at)
    assert "**Stage:** :blue-background[On its way with the courier] · `in_transit`" in text
    assert "Scanned at a hub" in text and "Daejeon HUB" in text
    assert "Call (iphone): answered" in text
    # O1's customer has another order: it is shown too, after O1.
    assert [e.label.split(" · ")[0] for e in at.expander] == ["O1", "O2"]
    assert "010-****-2222" in text
    assert not any(p in text for p in RAW_PHONES)


def test_reserved_order_card_uses_the_launch_pace(app_at, small):
    at = app_at("lookup", small, state={"lookup_kind": "order", "lookup_query": "O3"}, query=MOMENT)
    assert not at.exception
    text = shown_text(at)
    assert "#2 of 2 waiting for IP7-128-JBK" in text  # O4 (09:05) then O3 (09:10); O1 allocated
    assert "2 in line for delivery in Seoul" in text  # O1 allocated and not delivered, then O3
    assert "2 in line for activation" in text  # O5 delivered and not activated, then O3


def test_customer_id_lists_every_order(app_at, small):
    at = app_at("lookup", small, state={"lookup_kind": "customer", "lookup_query": "C1"}, query=MOMENT)
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert labels == ["O1 · iPhone 7 128GB Jet Black · Seoul — On its way with the courier",
                      "O2 · iPhone 7 32GB Black · Busan — Waiting for stock"]
    assert "Late by 1 h 0 min so far" in shown_text(at)  # O2 was promised by 11:00


def test_phone_last4_narrowed_to_one_customer(app_at, small):
    at = app_at("lookup", small, state={"lookup_kind": "phone", "lookup_query": "2222"}, query=MOMENT)
    assert not at.exception
    assert at.selectbox(key="lookup_pick").value is None  # three customers share the digits
    assert "3 customers match" in shown_text(at)
    assert not at.expander
    at.selectbox(key="lookup_sku").set_value("IP7-32-BLK").run()  # only C1 has that sku
    assert not at.exception
    assert [e.label.split(" · ")[0] for e in at.expander] == ["O1", "O2"]
    text = shown_text(at)
    assert not any(p in text for p in RAW_PHONES)


def test_phone_pick_the_caller(app_at, small):
    at = app_at("lookup", small, state={"lookup_kind": "phone", "lookup_query": "2222", "lookup_region": "Busan"},
                query=MOMENT)
    assert "2 customers match" in shown_text(at)  # C1 (O2) and C3 (O4) in Busan
    at.selectbox(key="lookup_pick").set_value("C3").run()
    assert not at.exception
    assert [e.label for e in at.expander] == ["O4 · iPhone 7 128GB Jet Black · Busan — Waiting for stock"]


def test_unknown_order_and_bad_phone_are_told(app_at, small):
    at = app_at("lookup", small, state={"lookup_kind": "order", "lookup_query": "O404"}, query=MOMENT)
    assert not at.exception
    assert "No order with order id “O404”" in at.warning[0].value
    at.selectbox(key="lookup_kind").set_value("phone")
    at.text_input(key="lookup_query").input("22").run()
    assert not at.exception
    assert "last four digits" in at.warning[0].value
