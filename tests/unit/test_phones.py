"""Phone numbers reduced to one national form (launchboard.phones and the SQL macro lb_phone)."""
import duckdb
import pytest

from launchboard import sql
from launchboard.phones import normalise_phone

# (as written, national form): worked out by the rule in launchboard/phones.py
CASES = [
    ("010-1234-5678", "01012345678"),
    ("01012345678", "01012345678"),
    ("+82 10-1234-5678", "01012345678"),  # international: 0 + the rest
    ("+82 010 1234 5678", "01012345678"),  # a trunk 0 written after +82 is kept once
    ("+821012345678", "01012345678"),
    ("821012345678", "01012345678"),  # 82 and ten more digits, no +: international
    ("0082-10-1234-5678", "01012345678"),  # 00 is the international prefix
    ("(02) 555-0101", "025550101"),  # a Seoul landline
    ("+1 415 555 0100", "+14155550100"),  # another country keeps its +
    ("8210", "8210"),  # too short to be +82: just digits
    ("1588-0010", "15880010"),
    ("anonymous", None),
    ("", None),
    ("  ", None),
    # lb_phone's fast paths (digits and dashes from 0[1-9]; +82 and digits) and their edges
    ("02-555-0101", "025550101"),
    ("010--1234", "0101234"),
    ("0-10-1234", "0101234"),  # 0 then a dash: the general rule, the same answer
    ("00821012345678", "01012345678"),  # 00: never the fast path
    ("+82", "0"),
    ("+820", "0"),
    ("+8201012345678", "01012345678"),
    ("+821012345678 ", "01012345678"),
    (" +821012345678", "01012345678"),
    ("+8200821012345678", "00821012345678"),
    ("+82a", "0"),
    ("+", None),
]


@pytest.mark.parametrize("text, national", CASES)
def test_normalise_phone(text, national):
    assert normalise_phone(text) == national


def test_the_sql_macro_agrees():
    con = duckdb.connect()
    con.execute(sql.load("macros"))
    got = con.execute("SELECT t, lb_phone(t) FROM unnest($t) AS u(t)", {"t": [t for t, _ in CASES]}).fetchall()
    assert dict(got) == {t: n for t, n in CASES}
    assert con.execute("SELECT lb_phone(NULL)").fetchone() == (None,)
    # the fast paths give what the general rule (lb_phone_any) gives, and lb_has_phone says
    # whether there is a number without computing it
    got = con.execute("SELECT lb_phone(t) IS NOT DISTINCT FROM lb_phone_any(t), lb_has_phone(t) = (lb_phone(t) IS NOT NULL)"
                      " FROM unnest($t) AS u(t)", {"t": [t for t, _ in CASES]}).fetchall()
    assert got == [(True, True)] * len(CASES)
    assert normalise_phone(None) is None
