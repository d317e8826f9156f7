"""Order lookup for contact-centre agents: find a caller's orders, and one card per order
telling everything the launch knows about it as of a moment T.

Every fact comes from ``queries/lookup_*.sql``; this module only binds the values, turns
the rows into plain words (``launchboard.lookup_words``) and builds the answer line an agent
can read to the customer.
Phone numbers leave the database masked (``lb_mask_phone``); only ``reveal_phone`` returns one
unmasked, and only for the digits the caller confirmed.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from . import sql
from .config import LaunchConfig
from .i18n import _, num
from .i18n import stage as stage_name
from .lookup_words import Promise, call_text, duration_text, promise, scan_text, stage_text, when_text
from .metrics import Params

KINDS = ("order", "customer", "phone")
PACE_HOURS = 3  # the throughput behind the estimates: the last 3 hours
MAX_MATCHES = 200  # phone searches return at most this many orders
_LAST4 = re.compile(r"^\d{4}$")


def _rows(cur, name: str, values: dict) -> list[dict]:
    res = sql.run(cur, name, values)
    cols = [d[0] for d in res.description]
    return [dict(zip(cols, row)) for row in res.fetchall()]


# -- search ------------------------------------------------------------------------------------
def find(cur, kind: str, query: str, as_of: datetime, *, region: str | None = None,
         sku: str | None = None) -> list[dict]:
    """Orders that exist at ``as_of`` matching an order id, a customer id, or the last four
    digits of the phone (narrowed by region / sku). Raises ValueError on a malformed query."""
    q = (query or "").strip()
    if kind not in KINDS:
        raise ValueError(f"unknown lookup kind {kind!r}: one of {', '.join(KINDS)}")  # a programming error
    if not q:
        return []
    if kind == "order":
        return _rows(cur, "lookup_find_order", {"order_id": q, "as_of": as_of})
    if kind == "customer":
        return _rows(cur, "lookup_find_customer", {"customer_id": q, "as_of": as_of})
    if not _LAST4.match(q):
        raise ValueError(_("type the last four digits of the phone number, e.g. 5678"))
    return _rows(cur, "lookup_find_phone", {"last4": q, "region": region or None, "sku": sku or None,
                                            "as_of": as_of, "max_rows": MAX_MATCHES})


def reveal_phone(cur, order_id: str, last4: str) -> str | None:
    """The order's phone number unmasked when ``last4`` are its last four digits (the caller
    confirmed them to the agent); None otherwise. Raises ValueError when ``last4`` is not four
    digits."""
    digits = (last4 or "").strip()
    if not _LAST4.match(digits):
        raise ValueError(_("type the four digits the caller says, e.g. 5678"))
    rows = _rows(cur, "lookup_phone", {"order_id": order_id, "last4": digits})
    return rows[0]["phone"] if rows else None


# -- the card ----------------------------------------------------------------------------------
def _timeline_item(r: dict, tz) -> dict:
    src, ev = r["source"], r["event"]
    flags: list[str] = []
    if src == "order":
        what = {"ordered": _("Order placed ({via})").format(via=r["via"]),
                "allocated": _("Phone assigned (stock allocated)"), "cancelled": _("Order cancelled")}[ev]
        detail = ""
    elif src == "courier":
        what = scan_text(ev)
        detail = " · ".join(x for x in (r["courier"], r["hub"]) if x)
    elif src == "activation":
        if ev == "requested":
            what = _("Activation requested ({via})").format(via=r["via"])
            detail = _("still pending at this moment") if r["pending"] else ""
        else:
            what = _("Activation succeeded") if ev == "success" else _("Activation failed")
            detail = _("error {code}").format(code=r["code"]) if r["code"] else ""
    elif src == "message":
        what = _("Message {template}").format(template=ev)
        parts = [_("delivery report: {status}").format(status=r["status"]) + (f" ({r['code']})" if r["code"] else "")]
        if r["batch_id"]:
            parts.append(_("batch {batch}").format(batch=r["batch_id"]))
        if r["corrects_batch_id"]:
            parts.append(_("corrects batch {batch}").format(batch=r["corrects_batch_id"]))
        if r["to_customer"]:
            parts.append(_("to the customer, names no order"))
        detail = " · ".join(parts)
        if r["contradicting"]:
            flags.append(_("contradicted the order: said '{claims}' while it was {stage}").format(
                claims=r["claims"], stage=stage_name(r["order_stage"])))
        if r["retracted"]:
            flags.append(_("retracted by a correction at {moment}").format(moment=when_text(r["retracted_at"], tz)))
        if r["quiet"]:
            flags.append(_("sent in quiet hours"))
    else:  # call
        what = _("Call ({queue}): {outcome}").format(queue=r["queue"], outcome=call_text(ev))
        parts = []
        if r["wait_seconds"] is not None:
            parts.append(_("answered after {wait} wait").format(
                wait=duration_text(timedelta(seconds=r["wait_seconds"])))
                         if r["wait_seconds"] >= 60 else
                         _("answered after {seconds} s wait").format(seconds=round(r["wait_seconds"])))
        if r["reason"]:
            parts.append(_("reason: {reason}").format(reason=r["reason"]))
        if r["resolution"]:
            parts.append(_("resolution: {resolution}").format(resolution=r["resolution"]))
        detail = " · ".join(parts)
        if r["resolution"] == "no_info":
            flags.append(_("agent could not tell the status"))
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
            "text": (_("#{position} of {waiting} waiting for {sku}; ").format(
                position=num(position), waiting=num(sku["waiting"]), sku=o["sku"])
                + (_("{rate} allocated/h over the last {hours} h → around {moment}").format(
                    rate=num(rate, 1), hours=h, moment=when_text(alloc_eta, tz))
                   if alloc_eta else
                   _("none of this sku allocated in the last {hours} h: no estimate").format(hours=h))),
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
            "text": (_("{position} in line for delivery in {region}; ").format(position=num(position),
                                                                               region=o["region"])
                     + (_("{rate} delivered/h over the last {hours} h → around {moment}").format(
                         rate=num(rate, 1), hours=h, moment=when_text(deliver_eta, tz))
                        if deliver_eta and not unknown_alloc
                        else _("no estimate until stock is allocated") if unknown_alloc
                        else _("no delivery in {region} in the last {hours} h: no estimate").format(
                            region=o["region"], hours=h))),
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
            "text": (_("{position} in line for activation; ").format(position=num(position))
                     + (_("{rate} activated/h over the last {hours} h → around {moment}").format(
                         rate=num(rate, 1), hours=h, moment=when_text(act_eta, tz))
                        if act_eta and not blocked
                        else _("no estimate until delivery can be estimated") if blocked
                        else _("no activation in the last {hours} h: no estimate").format(hours=h))),
        }
    return out


def answer(o: dict, timeline: list[dict], outl: dict, delivery: Promise, activation: Promise, tz) -> str:
    """A line the agent can read to the customer, built only from the card's facts."""
    stage = o["stage"]
    oid, model = o["order_id"], o["model"] or o["sku"]
    scans = [t for t in timeline if t["source"] == "courier"]
    attempts = [t for t in timeline if t["source"] == "activation"]
    # The sentences are joined by a space (Korean too).
    if stage == "cancelled":
        line = _("Your order {order} was cancelled on {moment}.").format(order=oid,
                                                                          moment=when_text(o["cancelled_at"], tz))
    elif stage == "reserved":
        line = _("Your {model} order {order} is waiting for stock: you are number {position} of {waiting} in the "
                 "queue for this model.").format(model=model, order=oid, position=num(outl["queue_position"]),
                                                 waiting=num(outl["queue_waiting"]))
        eta = outl["allocation"] and outl["allocation"]["eta"]
        line += " " + (_("At the current pace a phone should be assigned to you around {moment}.").format(
                           moment=when_text(eta, tz))
                       if eta else _("No phone of this model was assigned in the last {hours} hours, so I cannot "
                                     "give you a time yet.").format(hours=PACE_HOURS))
    elif stage == "allocated":
        line = _("A phone was assigned to your order {order} on {moment}; it is waiting to be packed.").format(
            order=oid, moment=when_text(o["allocated_at"], tz))
    elif stage == "packed":
        line = _("Your phone was packed on {moment} and is waiting for the courier.").format(
            moment=when_text(o["last_scan_at"], tz))
    elif stage == "in_transit":
        last = scans[-1]
        words = {"courier": last["courier"], "scan": _lower(scan_text(o["last_scan"])),
                 "hub": o["last_scan_hub"], "moment": when_text(o["last_scan_at"], tz)}
        line = (_("Your phone is with the courier {courier}: the last scan was '{scan}' at {hub} on {moment}.")
                if o["last_scan_hub"] else
                _("Your phone is with the courier {courier}: the last scan was '{scan}' on {moment}.")).format(**words)
    elif stage == "delivered":
        line = _("Your phone was delivered on {moment}. It is not activated yet.").format(
            moment=when_text(o["delivered_at"], tz))
    elif stage == "returned":
        line = _("The courier returned your phone to us on {moment}.").format(moment=when_text(o["last_scan_at"], tz))
    elif stage == "activation_pending":
        req = [t for t in attempts if t["pending"]][-1]
        line = _("Your activation request of {moment} is still being processed.").format(
            moment=when_text(req["at"], tz))
    elif stage == "activation_failed":
        fail = [t for t in attempts if t["event"] == "failed"][-1]
        line = (_("Your activation on {moment} did not go through (error {code}).") if fail["code"] else
                _("Your activation on {moment} did not go through.")).format(moment=when_text(fail["at"], tz),
                                                                            code=fail["code"])
    else:  # activated
        line = _("Your phone was activated on {moment}.").format(moment=when_text(o["activated_at"], tz))

    if stage in ("allocated", "packed", "in_transit"):
        eta = outl["delivery"] and outl["delivery"]["eta"]
        if eta:
            line += " " + _("At the current pace we expect to deliver it around {moment}.").format(
                moment=when_text(eta, tz))
    if delivery.status == "late" and o["delivered_at"] is None and stage not in ("cancelled", "returned"):
        line += " " + _("We promised delivery by {moment}; it is {late} late, and I apologise.").format(
            moment=when_text(o["promised_delivery_by"], tz), late=duration_text(delivery.late_by))
    elif (activation.status == "late" and o["activated_at"] is None
          and stage in ("delivered", "activation_pending", "activation_failed")):
        line += " " + _("We promised activation by {moment}; it is {late} late, and I apologise.").format(
            moment=when_text(o["promised_activation_by"], tz), late=duration_text(activation.late_by))
    for t in timeline:
        if t["source"] != "message":
            continue
        if t["retracted"]:
            line += " " + _("Please disregard our message of {moment}: we withdrew it.").format(
                moment=when_text(t["at"], tz))
        elif t["contradicting"]:
            line += " " + _("Our message of {moment} did not match your order's status; please disregard it.").format(
                moment=when_text(t["at"], tz))
    return line


def _lower(text: str) -> str:
    """A scan's words inside a sentence ("picked up by the courier"; Korean has no case)."""
    return text[:1].lower() + text[1:]


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
        "stage_text": stage_text(o["stage"]),
        "phone": o["phone"],
        "timeline": timeline,
        "delivery_promise": delivery,
        "activation_promise": activation,
        "outlook": outl,
        "answer": answer(o, timeline, outl, delivery, activation, tz),
    }
