"""Phone numbers as the logs and the orders write them, reduced to one national form so that a
caller id or an SMS recipient can be matched with an order's ``phone``.

The rule (the same as the SQL macro ``lb_phone`` in ``queries/macros.sql``; a test checks that
both agree): keep the digits only; a number written internationally for Korea (``+82 10-1234-5678``,
``0082…``, or ``82…`` with at least nine digits after the 82) becomes national: ``0`` + the rest,
a trunk ``0`` already there kept once (``+82 010 …`` is ``010…``). Another country's ``+…`` number
keeps its ``+`` (it matches no Korean order). Text without a digit (``anonymous``, a withheld
caller id) is no number.
"""
from __future__ import annotations

import re

COUNTRY_CODE = "82"  # Korea; the launch's country (one place to change, with lb_phone)
_NOT_DIGIT = re.compile(r"[^0-9]+")  # ASCII digits, as the SQL macro


def normalise_phone(text: str | None) -> str | None:
    """``+82 10-1234-5678`` -> ``01012345678``; None when the text has no digit."""
    if text is None:
        return None
    digits = text.replace("-", "")
    if digits.isdigit() and digits.isascii() and not digits.startswith(("00", COUNTRY_CODE)):
        return digits  # the common national forms (01012345678, 010-1234-5678): no regex needed
    digits = _NOT_DIGIT.sub("", text)
    if not digits:
        return None
    plus = text.strip().startswith("+")
    cc = COUNTRY_CODE
    if digits.startswith("00" + cc):
        digits, plus = digits[2:], True
    if digits.startswith(cc) and (plus or len(digits) >= len(cc) + 9):
        rest = digits[len(cc):]
        return rest if rest.startswith("0") else "0" + rest
    return "+" + digits if plus else digits
