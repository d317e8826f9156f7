"""Hardening (AppTest), sign-in off: extract values carrying HTML or Markdown are shown as text on
every page, and every link parameter with a garbage value gives a clear message, never a
traceback."""
from __future__ import annotations

import re

import pytest
from launch_files import injected_launch
from signin_support import new_app

from launchboard.text import plain

PAGES = ("status", "pipeline", "activations", "messages", "calls", "lookup", "review", "quality", "explore")
P = "<img src=x onerror=alert(1)>**PWN**[l](http://e.vil):red[PWN]$x$"
MARKERS = ("<img", "**PWN", "[l]", "](", ":red[", "$x$")


def _rendered(at) -> list[str]:
    """Every string of the run that Streamlit renders as Markdown."""
    out = [e.value for e in (*at.title, *at.header, *at.subheader, *at.markdown, *at.caption, *at.info,
                             *at.warning, *at.error, *at.success, *at.toast)]
    out += [e.label for e in (*at.expander, *at.metric, *at.tabs, *at.button, *at.selectbox, *at.text_input)]
    out += [e.proto.label for e in at.get("page_link")]
    return [str(x) for x in out]


@pytest.mark.parametrize("page", PAGES)
def test_injected_markup_is_shown_as_text(app_at, tmp_path, page):
    data = injected_launch(tmp_path, P)
    state = {"lookup_kind": "order", "lookup_query": f"O01{P}"} if page == "lookup" else {}
    at = app_at(page, data, state=state, query={"as_of": "2016-10-08T12:00"})
    assert not at.exception
    texts = _rendered(at) + [e.value for e in at.sidebar.subheader]
    carrying = [t for t in texts if "PWN" in t]
    assert carrying, "the page shows none of the injected values"
    for text in carrying:
        unescaped = re.sub(r"\\.", "", text)  # what is left outside backslash escapes
        assert not [m for m in MARKERS if m in unescaped], text


def test_the_pages_show_the_injected_values(app_at, tmp_path):
    """The values are there, escaped: the stalled hub, the batch, the card."""
    data = injected_launch(tmp_path, P)
    at = app_at("pipeline", data, query={"as_of": "2016-10-08T12:00"})
    assert any(e.value.startswith("Stalled hub **HUB\\<img src=x onerror=alert(1)\\>\\*\\*PWN\\*\\*\\[l\\](http:")
               for e in at.error)
    at = app_at("lookup", data, state={"lookup_kind": "order", "lookup_query": f"O01{P}"},
                query={"as_of": "2016-10-08T12:00"})
    assert at.expander[0].label.startswith("O01\\<img src=x onerror=alert(1)\\>\\*\\*PWN\\*\\*")
    at = app_at("quality", data)
    assert any(e.value.startswith("File **\\*\\*bold\\*\\*\\<img src=x onerror=alert(1)\\>\\*\\*PWN") for e in at.error)


GARBAGE = {"as_of": "2016-13-45T99:99", "region": ["Mars", "Seoul"], "sku": "<script>x</script>",
           "courier": "", "refresh": "abc"}


@pytest.mark.parametrize("page", PAGES)
def test_garbage_link_parameters_give_a_clear_message(app_at, hub_launch, tmp_path, page):
    at = app_at(page, hub_launch(tmp_path), query=GARBAGE)
    assert not at.exception
    warning = at.sidebar.warning[0].value
    assert warning.splitlines() == [
        "Ignored in the link:",
        f"- as_of={plain('2016-13-45T99:99')}: not a moment (YYYY-MM-DDTHH:MM, years 1970 to 2099)",
        "- region=Mars: no such region in this launch",
        "- sku=\\<script\\>x\\</script\\>: no such sku in this launch",
        "- refresh=abc: use off or one of 10, 30, 60, 300 (seconds)",
    ]
    assert at.session_state["f_region"] == ["Seoul"]  # the known value is kept


@pytest.mark.parametrize("as_of", ["0001-01-01T00:00", "9999-12-31T23:59", "' OR 1=1 --", "2016-10-08T10:00+99:00",
                                   "1e309", "２０１６-10-08"])
def test_garbage_moments(app_at, hub_launch, tmp_path, as_of):
    at = app_at("status", hub_launch(tmp_path), query={"as_of": as_of})
    assert not at.exception
    assert at.sidebar.warning[0].value.startswith("Ignored in the link:\n- as_of=")
    assert at.session_state["as_of_mode"] == "Live"


def test_garbage_parameters_with_sign_in_on(monkeypatch, tmp_path, hub_launch):
    from signin_support import sign_in, signin_env

    signin_env(monkeypatch, tmp_path, hub_launch(tmp_path / "launch"))
    at = sign_in(new_app(GARBAGE).run(), "jun")
    assert not at.exception and at.title[0].value == "Launch status"
    assert at.sidebar.warning[0].value.startswith("Ignored in the link:")
