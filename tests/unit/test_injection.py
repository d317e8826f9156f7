"""Extract values with Markdown or HTML in them: escaped for Streamlit's Markdown (``plain``),
for the Markdown report (``md_cell``), and never a tag in the exported HTML."""
from __future__ import annotations

import re

import pytest

from launchboard import report, review
from launchboard.text import WORD_JOINER as WJ
from launchboard.text import md_cell, plain

IMG = '<img src=x onerror="window.pwned=1">'


@pytest.mark.parametrize("value, escaped", [
    (IMG, '\\<img src=x onerror="window.pwned=1"\\>'),
    ("**bold** `code` ~~gone~~", "\\*\\*bold\\*\\* \\`code\\` \\~\\~gone\\~\\~"),
    ("_it_ DELIVERY_DELAYED", "\\_it\\_ DELIVERY_DELAYED"),  # '_' inside a word is no emphasis
    ("[click](javascript:alert(1))", "\\[click\\](javascript:" + WJ + "alert(1))"),
    ("![x](http://evil.example/t.png)", "\\!\\[x\\](http:" + WJ + "//evil.example/t.png)"),
    (":red[RED] :material/home: :smile:", ":" + WJ + "red\\[RED\\] :" + WJ + "material/home: :" + WJ + "smile:"),
    ("$x^2$ &lt; a|b", "\\$x^2\\$ \\&lt; a\\|b"),
    ("www.evil.example a@b.example", "www" + WJ + ".evil.example a@" + WJ + "b.example"),
    ("# heading", "\\# heading"),
    ("- item", "\\- item"),
    ("1. first", "1\\. first"),
    ("  line one\nline two\r\n# three", "line one line two # three"),  # one line: '#' starts nothing
    ("Seoul HUB", "Seoul HUB"),
    ("2016-10-21 22:00", "2016-10-21 22:00"),
])
def test_plain(value, escaped):
    assert plain(value) == escaped


@pytest.mark.parametrize("value, escaped", [
    (IMG, '\\<img src=x onerror="window.pwned=1"\\>'),
    ("a | b", "a \\| b"),
    ("**b** [l](u) `c` # x ~ !", "\\*\\*b\\*\\* \\[l\\](u) \\`c\\` \\# x \\~ \\!"),
    ("_x_ SIM_NOT_FOUND", "\\_x\\_ SIM_NOT_FOUND"),
    ("two\nlines", "two lines"),
    (None, ""),
])
def test_md_cell(value, escaped):
    assert md_cell(value) == escaped


def test_markdown_html_keeps_escaped_text_as_text():
    text = "\n".join([
        "# " + md_cell(IMG) + ": launch report", "",
        "| kind | subject |", "|---|---|",
        "| stalled_hub | " + md_cell("Daejeon | HUB **x** <script>window.pwned=1</script>") + " |", "",
        "- **Orders**: " + md_cell("`code` *em*"),
    ])
    html = review.markdown_html(text)
    assert html.splitlines() == [
        '<h1>&lt;img src=x onerror="window.pwned=1"&gt;: launch report</h1>',
        "<table><thead><tr><th>kind</th><th>subject</th></tr></thead><tbody><tr><td>stalled_hub</td>"
        "<td>Daejeon | HUB **x** &lt;script&gt;window.pwned=1&lt;/script&gt;</td></tr></tbody></table>",
        "<ul><li><strong>Orders</strong>: `code` *em*</li></ul>",
    ]
    assert not re.search(r"<(img|script)", html)


def test_report_markdown_escapes_extract_values():
    """The CLI's Markdown report carries hub names, codes, batch ids and templates escaped."""
    r = {
        "launch": "Launch <b>", "as_of": "2016-10-21T22:00:00+09:00",
        "alerts": [{"severity": "critical", "kind": "stalled_hub", "subject": "HUB|<img src=x>",
                    "since": None, "message": "20 orders held at HUB|<img src=x>"}],
        "orders": {"total": 0, "missed_delivery_promise": 0, "missed_activation_promise": 0,
                   "by_stage": {s: 0 for s in report.STAGES}},
        "activations": {"attempts": 1, "succeeded": 0, "failed": 1, "pending": 0, "failure_rate": 1.0,
                        "failed_by_code": {"E*1*": 1}},
        "messages": {"sent": 0, "failed": 0, "quiet_hours": 0, "contradicting_state": 0, "conflicting_customers": 0,
                     "failed_by_code": {}, "retracted_batches": [
                         {"batch_id": "[B](http://e.vil)", "recipients": 3, "sent_at": None, "corrected_at": "x",
                          "hours_to_correction": 1.0}]},
        "calls": {"offered": 0, "answered": 0, "abandoned": 0, "rejected": 0, "service_level": None,
                  "abandon_rate": None, "rejected_rate": None, "asa_seconds": None, "no_info": 0, "repeat_callers": 0},
        "templates_missing_from_catalog": ["`T`"],
        "ingest": {t: {k: 0 for k in ("files", "files_rejected", "rows_read", "rows_accepted", "rows_rejected",
                                      "superseded", "orphans")} for t in report.TABLES},
    }
    lines = report.to_markdown(r).splitlines()
    assert lines[0] == "# Launch \\<b\\>: launch report"
    assert "| critical | stalled_hub | HUB\\|\\<img src=x\\> |  | 20 orders held at HUB\\|\\<img src=x\\> |" in lines
    assert "| E\\*1\\* | 1 |" in lines
    assert "| \\[B\\](http://e.vil) | 3 |  | x | 1.0 |" in lines
    assert "Templates missing from the catalog: \\`T\\`" in lines
