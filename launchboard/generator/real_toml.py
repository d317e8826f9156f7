"""The real-shaped sample's launch.toml: the contract sample's settings and the ``[[sources]]``
that read the real shapes (see ``launchboard.generator.real``)."""
from __future__ import annotations

import re

from .real_shapes import (
    BATCH_OF, BODIES, CHANNEL_KO, COURIER_SOURCES, HUB_KO, ORDER_HEADERS, REGEX_RULES, REGION_KO, TWILIO_ERRORS,
)
_BARE = re.compile(r"[A-Za-z0-9_-]+")  # a TOML bare key


def _q(text: str) -> str:
    """A TOML basic string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _table(header: str, pairs: dict[str, str]) -> list[str]:
    return [header] + [f"{k if _BARE.fullmatch(k) else _q(k)} = {_q(v)}" for k, v in pairs.items()]


def real_launch_toml(contract_toml: str) -> str:
    """The contract sample's launch.toml with the sources of the real shapes appended."""
    out = [contract_toml.rstrip("\n"), "", "# ---- how the real exports are read (README: \"Real extracts: sources\") ----",
           "", "# the online shop's order export: one workbook per drop, Korean headers under a merged title",
           "[[sources]]", 'name = "shop orders (Excel)"', 'table = "orders"', 'files = "*.xlsx"', 'format = "xlsx"']
    out += _table("[sources.columns]", ORDER_HEADERS)
    out += _table("[sources.values.channel]", {v: k for k, v in CHANNEL_KO.items()})
    out += _table("[sources.values.region]", {v: k for k, v in REGION_KO.items()})
    out += _table("[sources.values.priority]", {"예": "true", "아니오": "false"})
    for name, files, courier, headers, tz, fmt in COURIER_SOURCES:
        out += ["", f"# {courier}'s scan export: CP949, Korean statuses (the built-in courier words)", "[[sources]]",
                f"name = {_q(name)}", 'table = "shipments"', f"files = {_q(files)}", 'format = "csv"']
        if tz:
            out.append(f"timezone = {_q(tz)}")
        if fmt:
            out.append(f"timestamp_format = {_q(fmt)}")
        out += _table("[sources.columns]", headers)
        out += ["[sources.constants]", f"courier = {_q(courier)}"]
        out += _table("[sources.values.hub]", {v: k for k, v in HUB_KO.items()})
    out += ["", "# the SMS gateway's message log (Twilio's CSV export), in a folder of its own", "[[sources]]",
            'name = "SMS gateway (Twilio)"', 'table = "messages"', 'folder = "twilio"', 'files = "*.csv.gz"',
            'format = "twilio_messages"', 'timestamp_format = "%a, %d %b %Y %H:%M:%S %z"']
    out += _table("[sources.values.error_code]", {v: k for k, v in TWILIO_ERRORS.items()})
    out += ["[sources.options]", "# order ids in any text; a rule's own named groups come first",
            "body_groups = '주문번호 (?P<order_id>O\\d+)'"]
    for template, (head, _) in BODIES.items():
        out += ["[[sources.options.templates]]", f"template = {_q(template)}"]
        if template in REGEX_RULES:
            out.append(f"regex = '{REGEX_RULES[template]}'")
        else:
            out.append(f"prefix = {_q(head.split(' 주문번호')[0].rstrip(':'))}")
        if template in BATCH_OF:
            out.append(f"batch_id = {_q(BATCH_OF[template])}")
        if template == "DELAY_NOTICE_CORRECTION":
            out.append('corrects_batch_id = "B-DELAY-1020"')
    out += ["", "# the contact centre's Asterisk queue_log, rotated at every drop", "[[sources]]",
            'name = "contact centre (Asterisk)"', 'table = "calls"', 'folder = "asterisk"', 'files = "queue_log*"',
            'format = "asterisk_queue_log"', "[sources.options]", 'wrapup_event = "WRAPUP"']
    return "\n".join(out) + "\n"
