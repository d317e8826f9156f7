"""Order lookup for contact-centre agents: find a caller's orders, and one card per order
telling everything the launch knows about it as of a moment T.

Every fact comes from ``queries/lookup_*.sql``; this module only binds the values, turns
the rows into plain words and builds the answer line an agent can read to the customer.
Phone numbers leave the database masked (``lb_mask_phone``); only ``reveal_phone`` returns one
unmasked, and only for the digits the caller confirmed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import sql
from .config import LaunchConfig
from .metrics import Params

KINDS = ("order", "customer", "phone")
PACE_HOURS = 3  # the throughput behind the estimates: the last 3 hours
MAX_MATCHES = 200  # phone searches return at most this many orders

STAGE_WORDS = {
    "reserved": "Waiting for stock",
    "allocated": "Phone assigned, waiting to be packed",
    "packed": "Packed, waiting for the courier",
    "in_transit": "On its way with the courier",
    "delivered": "Delivered, not activated yet",
    "returned": "Returned by the courier",
    "activation_pending": "Activation in progress",
    "activation_failed": "Activation failed",
    "activated": "Activated",
    "cancelled": "Cancelled",
}
SCAN_WORDS = {
    "packed": "Packed",
    "picked_up": "Picked up by the courier",
    "at_hub": "Scanned at a hub",
    "out_for_delivery": "Out for delivery",
    "failed_attempt": "Delivery attempt failed",
    "delivered": "Delivered",
    "returned": "Returned to sender",
}
CALL_WORDS = {
    "answered": "answered",
    "abandoned": "abandoned (caller hung up while waiting)",
    "rejected": "rejected by the system",
    "in_progress": "in progress",
}
_LAST4 = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Promise:
    status: str  # none | cancelled | on_time | late | due
    text: str
    late_by: timedelta | None = None


def _rows(cur, name: str, values: dict) -> list[dict]:
    res = sql.run(cur, name, values)
    cols = [d[0] for d in res.description]
    return [dict(zip(cols, row)) for row in res.fetchall()]


# -- words -------------------------------------------------------------------------------------
def duration_text(delta: timedelta) -> str:
    """A span in agent words: '35 min', '16 h 5 min', '2 d 3 h'."""
    minutes = max(0, round(delta.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


def when_text(moment: datetime | None, tz) -> str:
    """A moment in launch-local words, e.g. 'Oct 21 14:30'."""
    if moment is None:
        return "—"
    return moment.astimezone(tz).strftime("%b %d %H:%M")


def promise(promised: datetime | None, done_at: datetime | None, as_of: datetime, cancelled: bool,
            what: str, tz) -> Promise:
    """Spec 3b promise status of one milestone (``done_at`` is its time, when reached by as_of)."""
    if promised is None:
        return Promise("none", f"No {what} promise")
    if cancelled:
        return Promise("cancelled", "Order cancelled")
    if done_at is not None and done_at <= promised:
        return Promise("on_time", f"On time: {what} {when_text(done_at, tz)}, promised by {when_text(promised, tz)}")
    if done_at is not None:
        late = done_at - promised
        return Promise("late", f"Late by {duration_text(late)}: {what} {when_text(done_at, tz)}, "
                               f"promised by {when_text(promised, tz)}", late)
    if promised <= as_of:
        late = as_of - promised
        return Promise("late", f"Late by {duration_text(late)} so far: promised by {when_text(promised, tz)}", late)
    return Promise("due", f"Due by {when_text(promised, tz)} (in {duration_text(promised - as_of)})")


# -- search ------------------------------------------------------------------------------------
def find(cur, kind: str, query: str, as_of: datetime, *, region: str | None = None,
         sku: str | None = None) -> list[dict]:
    """Orders that exist at ``as_of`` matching an order id, a customer id, or the last four
    digits of the phone (narrowed by region / sku). Raises ValueError on a malformed query."""
    q = (query or "").strip()
    if kind not in KINDS:
        raise ValueError(f"unknown lookup kind {kind!r}: one of {', '.join(KINDS)}")
    if not q:
        return []
    if kind == "order":
        return _rows(cur, "lookup_find_order", {"order_id": q, "as_of": as_of})
    if kind == "customer":
        return _rows(cur, "lookup_find_customer", {"customer_id": q, "as_of": as_of})
    if not _LAST4.match(q):
        raise ValueError("type the last four digits of the phone number, e.g. 5678")
    return _rows(cur, "lookup_find_phone", {"last4": q, "region": region or None, "sku": sku or None,
                                            "as_of": as_of, "max_rows": MAX_MATCHES})


def reveal_phone(cur, order_id: str, last4: str) -> str | None:
    """The order's phone number unmasked when ``last4`` are its last four digits (the caller
    confirmed them to the agent); None otherwise. Raises ValueError when ``last4`` is not four
    digits."""
    digits = (last4 or "").strip()
    if not _LAST4.match(digits):
        raise ValueError("type the four digits the caller says, e.g. 5678")
    rows = _rows(cur, "lookup_phone", {"order_id": order_id, "last4": digits})
    return rows[0]["phone"] if rows else None


# -- the card ----------------------------------------------------------------------------------
def _timeline_item(r: dict, tz) -> dict:
    src, ev = r["source"], r["event"]
    flags: list[str] = []
    if src == "order":
        what = {"ordered": f"Order placed ({r['via']})", "allocated": "Phone assigned (stock allocated)",
                "cancelled": "Order cancelled"}[ev]
        detail = ""
    elif src == "courier":
        what = SCAN_WORDS.get(ev, ev)
        detail = " · ".join(x for x in (r["courier"], r["hub"]) if x)
    elif src == "activation":
        if ev == "requested":
            what = f"Activation requested ({r['via']})"
            detail = "still pending at this moment" if r["pending"] else ""
        else:
            what = "Activation succeeded" if ev == "success" else "Activation failed"
            detail = f"error {r['code']}" if r["code"] else ""
    elif src == "message":
        what = f"Message {ev}"
        parts = [f"delivery report: {r['status']}" + (f" ({r['code']})" if r["code"] else "")]
        if r["batch_id"]:
            parts.append(f"batch {r['batch_id']}")
        if r["corrects_batch_id"]:
            parts.append(f"corrects batch {r['corrects_batch_id']}")
        if r["to_customer"]:
            parts.append("to the customer, names no order")
        detail = " · ".join(parts)
        if r["contradicting"]:
            flags.append(f"contradicted the order: said '{r['claims']}' while it was {r['order_stage']}")
        if r["retracted"]:
            flags.append(f"retracted by a correction at {when_text(r['retracted_at'], tz)}")
        if r["quiet"]:
            flags.append("sent in quiet hours")
    else:  # call
        what = f"Call ({r['queue']}): {CALL_WORDS.get(ev, ev)}"
        parts = []
        if r["wait_seconds"] is not None:
            parts.append(f"answered after {duration_text(timedelta(seconds=r['wait_seconds']))} wait"
                         if r["wait_seconds"] >= 60 else f"answered after {round(r['wait_seconds'])} s wait")
        if r["reason"]:
            parts.append(f"reason: {r['reason']}")
        if r["resolution"]:
            parts.append(f"resolution: {r['resolution']}")
        detail = " · ".join(parts)
        if r["resolution"] == "no_info":
            flags.append("agent could not tell the status")
    return {
        "at": r["at"], "source": src, "what": what, "detail": detail, "flags": "; ".join(flags),
        "ref": r["ref"], "event": ev,
        "contradicting": r["contradicting"] if src == "message" else None,
        "retracted": r["retracted"] if src == "message" else None,
        "template": ev if src == "message" else None,
        "courier": r["courier"] if src == "courier" else None,
        "code": r["code"],
        "pending": bool(r["pending"]) if src == "activation" and ev == "requested" else None,
    }


def _eta(start: datetime, position: int, done: int, hours: float) -> tuple[datetime | None, float | None]:
    """When position ``position`` comes up at the pace of ``done`` per ``hours``."""
    if done <= 0:
        return None, None
    per_hour = done / hours
    return start + timedelta(hours=position / per_hour), per_hour


def pace(cur, as_of: datetime) -> list[dict]:
    """The launch's queues and pace at ``as_of`` (``queries/lookup_pace.sql``): the same for
    every card at that moment, so a page computes it once and passes it to ``card``."""
    return _rows(cur, "lookup_pace", {"as_of": as_of, "since": as_of - timedelta(hours=PACE_HOURS)})


def _rank(cur, name: str, values: dict) -> int:
    return _rows(cur, name, values)[0]["position"]


def outlook(cur, o: dict, as_of: datetime, tz, pace_rows: list[dict]) -> dict:
    """Queue position and the expected allocation / delivery / activation at the current pace
    (first come, first served: each step's line moves at its rate over the last PACE_HOURS)."""
    stage = o["stage"]
    by = {(r["field"], r["key"]): r for r in pace_rows}
    zero = {"waiting": 0, "allocations": 0, "in_pipeline": 0, "deliveries": 0, "awaiting_activation": 0,
            "activations": 0}
    overall = next((r for r in pace_rows if r["field"] == "all"), zero)  # its key is null (NaN in a frame)
    sku, region = by.get(("sku", o["sku"]), zero), by.get(("region", o["region"]), zero)
    out: dict = {"queue_position": None, "queue_waiting": sku["waiting"], "allocation": None,
                 "delivery": None, "activation": None}
    if stage == "cancelled":
        return out
    h = PACE_HOURS
    alloc_eta = None
    if o["allocated_at"] is None:
        position = _rank(cur, "lookup_queue_rank", {"order_id": o["order_id"], "sku": o["sku"],
                                                    "ordered_at": o["ordered_at"], "as_of": as_of})
        out["queue_position"] = position
        alloc_eta, rate = _eta(as_of, position, sku["allocations"], h)
        out["allocation"] = {
            "eta": alloc_eta, "rate": rate,
            "text": (f"#{position:,} of {sku['waiting']:,} waiting for {o['sku']}; "
                     + (f"{rate:.1f} allocated/h over the last {h} h → around {when_text(alloc_eta, tz)}"
                        if alloc_eta else f"none of this sku allocated in the last {h} h: no estimate")),
        }
    deliver_eta = None
    if o["delivered_at"] is None and stage not in ("returned", "activation_pending", "activation_failed", "activated"):
        if o["allocated_at"] is None:
            position = region["in_pipeline"] + 1
        else:
            position = _rank(cur, "lookup_delivery_rank", {"order_id": o["order_id"], "region": o["region"],
                                                           "allocated_at": o["allocated_at"], "as_of": as_of})
        deliver_eta, rate = _eta(as_of, position, region["deliveries"], h)
        if deliver_eta is not None and alloc_eta is not None:
            deliver_eta = max(deliver_eta, alloc_eta)
        unknown_alloc = o["allocated_at"] is None and alloc_eta is None
        out["delivery"] = {
            "eta": None if unknown_alloc else deliver_eta, "rate": rate,
            "text": (f"{position:,} in line for delivery in {o['region']}; "
                     + (f"{rate:.1f} delivered/h over the last {h} h → around {when_text(deliver_eta, tz)}"
                        if deliver_eta and not unknown_alloc
                        else "no estimate until stock is allocated" if unknown_alloc
                        else f"no delivery in {o['region']} in the last {h} h: no estimate")),
        }
    if o["activated_at"] is None and stage not in ("returned", "activation_pending"):
        if o["delivered_at"] is None:
            position = overall["awaiting_activation"] + 1
        else:
            position = _rank(cur, "lookup_activation_rank", {"order_id": o["order_id"],
                                                             "delivered_at": o["delivered_at"], "as_of": as_of})
        act_eta, rate = _eta(as_of, position, overall["activations"], h)
        blocked = o["delivered_at"] is None and deliver_eta is None
        if act_eta is not None and deliver_eta is not None:
            act_eta = max(act_eta, deliver_eta)
        out["activation"] = {
            "eta": None if blocked else act_eta, "rate": rate,
            "text": (f"{position:,} in line for activation; "
                     + (f"{rate:.1f} activated/h over the last {h} h → around {when_text(act_eta, tz)}"
                        if act_eta and not blocked
                        else "no estimate until delivery can be estimated" if blocked
                        else f"no activation in the last {h} h: no estimate")),
        }
    return out


def answer(o: dict, timeline: list[dict], outl: dict, delivery: Promise, activation: Promise, tz) -> str:
    """A line the agent can read to the customer, built only from the card's facts."""
    stage = o["stage"]
    oid, model = o["order_id"], o["model"] or o["sku"]
    scans = [t for t in timeline if t["source"] == "courier"]
    attempts = [t for t in timeline if t["source"] == "activation"]
    if stage == "cancelled":
        line = f"Your order {oid} was cancelled on {when_text(o['cancelled_at'], tz)}."
    elif stage == "reserved":
        line = (f"Your {model} order {oid} is waiting for stock: you are number {outl['queue_position']:,} "
                f"of {outl['queue_waiting']:,} in the queue for this model.")
        eta = outl["allocation"] and outl["allocation"]["eta"]
        line += (f" At the current pace a phone should be assigned to you around {when_text(eta, tz)}."
                 if eta else f" No phone of this model was assigned in the last {PACE_HOURS} hours,"
                             " so I cannot give you a time yet.")
    elif stage == "allocated":
        line = f"A phone was assigned to your order {oid} on {when_text(o['allocated_at'], tz)}; it is waiting to be packed."
    elif stage == "packed":
        line = f"Your phone was packed on {when_text(o['last_scan_at'], tz)} and is waiting for the courier."
    elif stage == "in_transit":
        last = scans[-1]
        where = f" at {o['last_scan_hub']}" if o["last_scan_hub"] else ""
        line = (f"Your phone is with the courier {last['courier']}: the last scan was "
                f"'{SCAN_WORDS[o['last_scan']].lower()}'{where} on {when_text(o['last_scan_at'], tz)}.")
    elif stage == "delivered":
        line = f"Your phone was delivered on {when_text(o['delivered_at'], tz)}. It is not activated yet."
    elif stage == "returned":
        line = f"The courier returned your phone to us on {when_text(o['last_scan_at'], tz)}."
    elif stage == "activation_pending":
        req = [t for t in attempts if t["pending"]][-1]
        line = f"Your activation request of {when_text(req['at'], tz)} is still being processed."
    elif stage == "activation_failed":
        fail = [t for t in attempts if t["event"] == "failed"][-1]
        code = f" (error {fail['code']})" if fail["code"] else ""
        line = f"Your activation on {when_text(fail['at'], tz)} did not go through{code}."
    else:  # activated
        line = f"Your phone was activated on {when_text(o['activated_at'], tz)}."

    if stage in ("allocated", "packed", "in_transit"):
        eta = outl["delivery"] and outl["delivery"]["eta"]
        if eta:
            line += f" At the current pace we expect to deliver it around {when_text(eta, tz)}."
    if delivery.status == "late" and o["delivered_at"] is None and stage not in ("cancelled", "returned"):
        line += (f" We promised delivery by {when_text(o['promised_delivery_by'], tz)}; it is "
                 f"{duration_text(delivery.late_by)} late, and I apologise.")
    elif (activation.status == "late" and o["activated_at"] is None
          and stage in ("delivered", "activation_pending", "activation_failed")):
        line += (f" We promised activation by {when_text(o['promised_activation_by'], tz)}; it is "
                 f"{duration_text(activation.late_by)} late, and I apologise.")
    for t in timeline:
        if t["source"] != "message":
            continue
        if t["retracted"]:
            line += f" Please disregard our message of {when_text(t['at'], tz)}: we withdrew it."
        elif t["contradicting"]:
            line += f" Our message of {when_text(t['at'], tz)} did not match your order's status; please disregard it."
    return line


def card(cur, order_id: str, as_of: datetime, config: LaunchConfig, pace_rows: list[dict] | None = None) -> dict | None:
    """Everything about one order at ``as_of``; None when it does not exist at that moment.
    ``pace_rows`` is ``pace(cur, as_of)``, computed here when not given."""
    tz = config.tz
    found = _rows(cur, "lookup_card", {"order_id": order_id, "as_of": as_of})
    if not found:
        return None
    o = found[0]
    p = Params(as_of, config).values()
    rows = _rows(cur, "lookup_timeline", {"order_id": order_id, "as_of": as_of,
                                          "quiet_start": p["quiet_start"], "quiet_end": p["quiet_end"]})
    timeline = [_timeline_item(r, tz) for r in rows]
    cancelled = o["stage"] == "cancelled"
    delivery = promise(o["promised_delivery_by"], o["delivered_at"], as_of, cancelled, "delivered", tz)
    activation = promise(o["promised_activation_by"], o["activated_at"], as_of, cancelled, "activated", tz)
    outl = outlook(cur, o, as_of, tz, pace(cur, as_of) if pace_rows is None else pace_rows)
    return {
        "order": o,
        "stage": o["stage"],
        "stage_text": STAGE_WORDS[o["stage"]],
        "phone": o["phone"],
        "timeline": timeline,
        "delivery_promise": delivery,
        "activation_promise": activation,
        "outlook": outl,
        "answer": answer(o, timeline, outl, delivery, activation, tz),
    }
