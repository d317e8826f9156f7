"""The customers behind phone numbers (issue 13: calls and messages read from logs).

A queue_log names the caller's number and a Twilio export the recipient's, not a customer: their
readers keep the number, in national form, as the extra column ``customer_phone``. The customer
is decided here, each time the current tables are built, from the *current* orders, so an
orders extract that lags behind the logs is caught up with by its next drop:

- a call's customer is the one customer whose orders carry the number (``orders.phone`` in the
  same national form, ``lb_phone``); none, or several customers (a shared family number), leave
  it unknown (null), as the contract allows;
- a message's customer is the customer of the order its text names, when the orders carry that
  order; else the one customer whose orders carry the number; else a stand-in for the number
  (``lb_phone_standin``), since the contract requires one: the message is counted (sent,
  failed, quiet hours …) and a later drop replaces the stand-in.

``phone_directory`` holds every current order's number. A drop re-decides only the rows it
brings and those whose number or order it touched; their facts are rebuilt with the drop's.
"""
from __future__ import annotations

from datetime import datetime

from . import sql

PHONE = "customer_phone"
KEYS = {"calls": "call_id", "messages": "message_id"}


def customers(cur, tables: list[str], delta: set[str], extras: dict[str, list[str]]) -> list[datetime]:
    """Decide ``customer_id`` for the rows with a number (inside derive.rebuild's transaction,
    after the current tables are built). Rows whose customer changed join ``lb_touched_<table>``
    (their facts are rebuilt); returns the earliest timestamp among them (``stable_before``)."""
    phoned = [t for t in KEYS if PHONE in extras[t]]
    if not phoned:
        return []
    (exists,) = cur.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'phone_directory'"
                            " AND schema_name = current_schema()").fetchone()
    everything = ("orders" in tables and "orders" not in delta) or not exists
    cur.execute("CREATE OR REPLACE TEMP TABLE lb_resolve_phones (phone VARCHAR)")
    if everything:
        cur.execute(sql.load("load/phone_directory"))
    elif "orders" in delta:  # the touched orders' numbers, before and after
        touched = "order_id IN (SELECT order_id FROM lb_touched_orders)"
        cur.execute("INSERT INTO lb_resolve_phones SELECT phone FROM phone_directory WHERE " + touched)
        cur.execute("DELETE FROM phone_directory WHERE " + touched)
        cur.execute("INSERT INTO phone_directory SELECT order_id, customer_id, lb_phone(phone) FROM orders"
                    " WHERE lb_phone(phone) IS NOT NULL AND " + touched)
        cur.execute("INSERT INTO lb_resolve_phones SELECT phone FROM phone_directory WHERE " + touched)
    earliest: list[datetime] = []
    for table in phoned:
        key = KEYS[table]
        whole = everything or (table in tables and table not in delta)
        if whole:
            scope = f"SELECT {key} FROM {table} LIMIT 0"  # every row with a number ($whole)
        else:
            scope = (f"SELECT {key} FROM lb_touched_{table} UNION SELECT {key} FROM {table}"
                     f" WHERE {PHONE} IN (SELECT phone FROM lb_resolve_phones)")
            if table == "messages":
                scope += (" UNION SELECT message_id FROM messages WHERE customer_phone IS NOT NULL"
                          " AND order_id IN (SELECT order_id FROM lb_touched_orders)")
        cur.execute(f"CREATE OR REPLACE TEMP TABLE lb_resolve_{table} AS {scope}")
        sql.run(cur, f"load/resolve_{table}", {"whole": whole})
        if whole:  # most rows change: writing the table again is much faster than updating them
            order = " ORDER BY customer_id" if table == "calls" else ""  # derive.CLUSTER_BY
            cur.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT t.* REPLACE (coalesce(r.customer_id, t.customer_id)"
                        f" AS customer_id) FROM {table} t LEFT JOIN lb_resolved_{table} r USING ({key}){order}")
        else:
            cur.execute(f"UPDATE {table} SET customer_id = r.customer_id FROM lb_resolved_{table} r"
                        f" WHERE {table}.{key} = r.{key}")
        cur.execute(f"INSERT INTO lb_touched_{table} SELECT {key} FROM lb_resolved_{table}")
        (first,) = cur.execute(f"SELECT min(first_at) FROM lb_resolved_{table}").fetchone()
        if first is not None:
            earliest.append(first)
    return earliest
