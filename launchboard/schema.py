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
    # An id with about one value per row or per order (not a category): stored without string
    # compression (``column_defs``).
    identifier: bool = False


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


def _id(name: str, required: bool = False) -> Column:
    return Column(name, TEXT, required, identifier=True)


SHIPMENT_EVENTS = ("packed", "picked_up", "at_hub", "out_for_delivery", "failed_attempt", "delivered", "returned")
STAGES = (
    "reserved", "allocated", "packed", "in_transit", "delivered", "returned",
    "activation_pending", "activation_failed", "activated", "cancelled",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("orders", "order_id", (
            _id("order_id", True), _id("customer_id", True),
            _c("channel", required=True), _c("sku", required=True), _c("region", required=True),
            _c("ordered_at", TS, True), _c("model"), _id("phone"), _c("priority", BOOL),
            _c("allocated_at", TS), _c("cancelled_at", TS),
            _c("promised_delivery_by", TS), _c("promised_activation_by", TS), _c("updated_at", TS),
        ), has_order_id=False),
        Table("shipments", "event_id", (
            _id("event_id", True), _id("order_id", True), _c("courier", required=True),
            _c("event", ENUM, True, SHIPMENT_EVENTS), _c("event_at", TS, True),
            _c("hub"), _id("tracking_no"), _c("updated_at", TS),
        )),
        Table("activations", "attempt_id", (
            _id("attempt_id", True), _id("order_id", True),
            _c("requested_via", ENUM, True, ("auto", "ars", "agent", "store", "online")),
            _c("requested_at", TS, True), _c("result", ENUM, True, ("success", "failed", "pending")),
            _c("finished_at", TS), _c("error_code"), _c("updated_at", TS),
        )),
        Table("messages", "message_id", (
            _id("message_id", True), _id("customer_id", True),
            _c("template", required=True), _c("sent_at", TS, True),
            _c("status", ENUM, True, ("delivered", "failed", "pending")),
            _id("order_id"), _c("batch_id"), _c("corrects_batch_id"), _c("error_code"), _c("updated_at", TS),
        )),
        Table("calls", "call_id", (
            _id("call_id", True), _c("queue", required=True),
            _c("arrived_at", TS, True), _c("ended_at", TS, True),
            _c("outcome", ENUM, True, ("answered", "abandoned", "rejected")),
            _id("customer_id"), _c("answered_at", TS), _c("agent_id"), _c("reason"),
            _c("resolution", ENUM, False, ("resolved", "no_info", "transferred", "callback")),
            _c("updated_at", TS),
        ), has_order_id=False),
    )
}

# Columns the engine adds to every loaded row; an extract's extra column may not take these names.
INTERNAL = ("_file", "_line")
# The columns of ``acc_<table>`` that mark each key's current version (spec 3; the current table
# is the view of the rows marked, ``current_view``) and the rows of a file taken out (read again,
# or no source reads it). Both take effect when a rebuild decides the versions, in its
# transaction: rows a load appends stay out of the current tables until then, and rows taken
# out stay in (derive.rebuild deletes them), so readers never see a launch half changed.
CURRENT = "_current"
WITHDRAWN = "_withdrawn"
# The tables an agent's lookup reads one order's rows of: ``acc_<table>`` keeps the order's
# 32-bit key (lb_order_key, queries/macros.sql) beside its id, since it is stored in the order
# the files came in, not by order (queries/table_macros.sql: lb_order_row, lb_order_scans,
# lb_order_attempts).
ORDER_KEY = "_order_key"
ORDER_KEYED = ("orders", "shipments", "activations")


def column_defs(table: Table, extras: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The column definitions of ``acc_<table>`` (and so of its current table, a view of it):
    the contract's columns typed, then INTERNAL, then the extra columns (text).

    Ids are stored as they are (``USING COMPRESSION uncompressed``): every row read is written to
    acc_<table>, and DuckDB's string compression of near-unique values (DICT_FSST) was the
    largest cost of writing them (at 1M orders, the cold load ~84 -> ~77 s for acc_<table> alone;
    8M current messages copied 5.8 -> 3.5 s, when the current tables were copies).
    So are those of message_facts and stage_timeline (queries/load/order_facts.sql). Categories
    stay compressed, and so do the other derived tables."""
    types = {TS: "TIMESTAMPTZ", BOOL: "BOOLEAN"}
    cols = [ident(c.name) + " " + types.get(c.kind, "VARCHAR")
            + (" USING COMPRESSION uncompressed" if c.identifier else "") for c in table.columns]
    return cols + ['"_file" VARCHAR', '"_line" BIGINT'] + [ident(e) + " VARCHAR" for e in extras]


def current_view(table: Table, extras: list[str] | tuple[str, ...] = ()) -> str:
    """The current table: a view of the rows of ``acc_<table>`` marked ``CURRENT``, with the
    columns of ``column_defs`` in its order (the extras in the Store's order, whatever order the
    files that brought them were appended in)."""
    columns = ", ".join(ident(c) for c in [*table.names, *INTERNAL, *extras])
    return ("CREATE OR REPLACE VIEW " + ident(table.name) + " AS SELECT " + columns + " FROM "
            + ident("acc_" + table.name) + " WHERE " + ident(CURRENT))


# Personal columns an export may carry that Launchboard never stores, by normalised header (a
# repeated one, "name_2", too): names, e-mail, addresses, birth dates, resident registration
# numbers. They are not loaded (nor kept in a rejected row's content); Data quality lists them.
PERSONAL_COLUMNS = frozenset({
    "name", "names", "full_name", "fullname", "first_name", "firstname", "last_name", "lastname",
    "given_name", "family_name", "surname", "customer_name", "cust_name", "client_name",
    "subscriber_name", "buyer_name", "orderer", "orderer_name", "recipient", "recipient_name",
    "receiver", "receiver_name", "consignee", "consignee_name", "contact_name", "account_holder",
    "holder_name", "email", "e_mail", "email_address", "mail", "address", "addr", "street",
    "street_address", "home_address", "delivery_address", "shipping_address", "birth", "birthday",
    "birth_date", "birthdate", "date_of_birth", "dob", "rrn", "resident_registration_number", "ssn",
    "이름", "성명", "성함", "고객명", "고객_명", "고객이름", "고객_이름", "가입자", "가입자명", "가입자_명",
    "명의자", "명의자명", "수령인", "수령인명", "수령자", "수취인", "수취인명", "받는분", "받는_분", "받는사람",
    "주문자", "주문자명", "구매자", "구매자명", "예금주", "주소", "배송지", "배송지주소", "배송_주소", "배송주소",
    "도로명주소", "이메일", "메일", "전자우편", "생년월일", "생일", "주민등록번호", "주민번호",
})
_REPEAT = re.compile(r"_\d+$")


def is_personal(name: str) -> bool:
    """A normalised column name Launchboard never stores (see PERSONAL_COLUMNS)."""
    return name in PERSONAL_COLUMNS or _REPEAT.sub("", name) in PERSONAL_COLUMNS


def stored_extras(table: Table, names: list[str]) -> list[str]:
    """The extra (non-contract) columns of a file that are stored: all but the personal ones."""
    known = set(table.names)
    return [n for n in names if n not in known and not is_personal(n)]


def withheld(table: Table, names: list[str]) -> list[str]:
    """The personal extra columns of a file: not stored."""
    known = set(table.names)
    return [n for n in names if n not in known and is_personal(n)]

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
