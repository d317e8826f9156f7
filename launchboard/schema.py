"""The five extract tables of the contract (spec section 2): columns, types, keys.

These names are the allow-list for every identifier the engine puts into SQL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

TEXT, TS, BOOL, ENUM = "text", "timestamp", "boolean", "enum"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = False
    values: tuple[str, ...] = ()  # allowed values of an enum


@dataclass(frozen=True)
class Table:
    name: str
    key: str
    columns: tuple[Column, ...]
    has_order_id: bool = True

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, kind: str = TEXT, required: bool = False, values: tuple[str, ...] = ()) -> Column:
    return Column(name, kind, required, values)


SHIPMENT_EVENTS = ("packed", "picked_up", "at_hub", "out_for_delivery", "failed_attempt", "delivered", "returned")
STAGES = (
    "reserved", "allocated", "packed", "in_transit", "delivered", "returned",
    "activation_pending", "activation_failed", "activated", "cancelled",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("orders", "order_id", (
            _c("order_id", required=True), _c("customer_id", required=True),
            _c("channel", required=True), _c("sku", required=True), _c("region", required=True),
            _c("ordered_at", TS, True), _c("model"), _c("phone"), _c("priority", BOOL),
            _c("allocated_at", TS), _c("cancelled_at", TS),
            _c("promised_delivery_by", TS), _c("promised_activation_by", TS), _c("updated_at", TS),
        ), has_order_id=False),
        Table("shipments", "event_id", (
            _c("event_id", required=True), _c("order_id", required=True), _c("courier", required=True),
            _c("event", ENUM, True, SHIPMENT_EVENTS), _c("event_at", TS, True),
            _c("hub"), _c("tracking_no"), _c("updated_at", TS),
        )),
        Table("activations", "attempt_id", (
            _c("attempt_id", required=True), _c("order_id", required=True),
            _c("requested_via", ENUM, True, ("auto", "ars", "agent", "store", "online")),
            _c("requested_at", TS, True), _c("result", ENUM, True, ("success", "failed", "pending")),
            _c("finished_at", TS), _c("error_code"), _c("updated_at", TS),
        )),
        Table("messages", "message_id", (
            _c("message_id", required=True), _c("customer_id", required=True),
            _c("template", required=True), _c("sent_at", TS, True),
            _c("status", ENUM, True, ("delivered", "failed", "pending")),
            _c("order_id"), _c("batch_id"), _c("corrects_batch_id"), _c("error_code"), _c("updated_at", TS),
        )),
        Table("calls", "call_id", (
            _c("call_id", required=True), _c("queue", required=True),
            _c("arrived_at", TS, True), _c("ended_at", TS, True),
            _c("outcome", ENUM, True, ("answered", "abandoned", "rejected")),
            _c("customer_id"), _c("answered_at", TS), _c("agent_id"), _c("reason"),
            _c("resolution", ENUM, False, ("resolved", "no_info", "transferred", "callback")),
            _c("updated_at", TS),
        ), has_order_id=False),
    )
}

# Columns the engine adds to every loaded row; an extract's extra column may not take these names.
INTERNAL = ("_file", "_line")

_SAFE = re.compile(r"[^\w]+")  # letters of any script (Korean headers), digits, '_'
_IDENT = re.compile(r"[^\W\d]\w*")


def normalise_header(name: str) -> str:
    """A header cell as a column name: trimmed, lower case, other characters folded to '_'."""
    cleaned = _SAFE.sub("_", name.strip().lower()).strip("_")
    if not cleaned or cleaned[0].isdigit() or cleaned in INTERNAL:
        cleaned = "x_" + cleaned
    return cleaned


def ident(name: str) -> str:
    """Quote an identifier that has passed the allow-list or normalise_header."""
    if not _IDENT.fullmatch(name):
        raise ValueError(f"not an allowed identifier: {name!r}")
    return '"' + name + '"'
