"""Korean and English: the catalogs match the code, the language is per run (never shared), and
numbers and dates follow the locale."""
from __future__ import annotations

import ast
import io
import string
import threading
import tokenize
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from launchboard import i18n, i18n_catalog
from launchboard.i18n import _, ngettext, num, pct, when

ROOT = Path(__file__).resolve().parents[2]
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture(scope="module")
def code():
    """Every message the code marks, extracted with Babel's extractor (the make messages one)."""
    return i18n_catalog.extract()


@pytest.fixture(scope="module")
def korean():
    with i18n.po_path("ko").open("rb") as f:
        return read_po(f, locale="ko", domain=i18n.DOMAIN)


def _key(m):
    return (m.id if isinstance(m.id, str) else tuple(m.id), m.context)


def _label(m) -> str:
    return repr((m.context, m.id))


def test_the_extraction_finds_the_interface(code):
    ids = {_key(m) for m in code}
    # a page title, a sidebar label, an engine alert, a chart axis, a plural, a stage word
    for expected in [("Launch status", None), ("As of", None), ("Launch time", None),
                     ("{orders} orders are past their delivery promise and not delivered", None),
                     (("{n} order", "{n} orders"), None), ("in_transit", "stage"), ("median_hours", "column")]:
        assert expected in ids
    assert len(ids) > 700


def test_every_message_in_the_code_has_a_korean_translation(code, korean):
    missing = []
    for m in code:
        if not m.id:
            continue
        have = korean.get(m.id, m.context)
        forms = have.string if have is not None and isinstance(have.string, tuple) else (have and (have.string,))
        if have is None or have.fuzzy or not forms or not all(forms):
            missing.append(_label(m))
    assert missing == [], f"{len(missing)} messages without Korean (make messages, then translate): {missing[:10]}"


def test_the_catalog_holds_no_message_the_code_no_longer_uses(code, korean):
    used = {_key(m) for m in code if m.id}
    stale = [_label(m) for m in korean if m.id and _key(m) not in used]
    assert stale == [], f"catalog entries the code does not use (make messages drops them): {stale[:10]}"
    assert not korean.obsolete


def _names(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_translations_keep_every_placeholder(code, korean):
    """A Korean text that drops or invents a {name} would show the wrong figure or raise."""
    wrong = []
    for m in code:
        have = korean.get(m.id, m.context)
        if have is None:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        forms = have.string if isinstance(have.string, tuple) else (have.string,)
        for form in forms:
            if _names(form) != _names(ids[-1]):
                wrong.append(_label(m))
    assert wrong == []


def test_korean_has_one_plural_form(korean):
    assert korean.num_plurals == 1 and korean.plural_expr == "0"


def _sources() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in ("app_pages", "ui", "launchboard"):
        files += [p for p in (ROOT / folder).rglob("*.py") if "generator" not in p.parts]
    return files


def test_no_message_hides_inside_an_f_string():
    """Babel cannot read a call inside an f-string: such a message would never be translated."""
    hidden = []
    for path in _sources():
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            if tok.type == tokenize.STRING and tok.string.lstrip("rRbB")[:1] in "fF" and \
                    any(k + '("' in tok.string or k + "('" in tok.string for k in ("_", "ngettext", "pgettext")):
                hidden.append(f"{path.relative_to(ROOT)}:{tok.start[0]}")
    assert hidden == []


def test_no_function_shadows_the_translation_function():
    """``_, x = ...`` inside a function that also calls ``_("...")`` makes ``_`` a local variable
    there (UnboundLocalError, or the wrong object called)."""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
              ast.GeneratorExp, ast.ClassDef)

    def own_nodes(scope):  # the nodes of one scope, not of the scopes inside it
        for child in ast.iter_child_nodes(scope):
            yield child
            if not isinstance(child, scopes):
                yield from own_nodes(child)

    bad = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            own = list(own_nodes(fn))
            stores = any(isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store) for n in own)
            calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_"
                        for n in ast.walk(fn))
            if stores and calls:
                bad.append(f"{path.relative_to(ROOT)}:{fn.lineno}")
    assert bad == []


# -- the language of a run --------------------------------------------------------------------------
def test_english_is_the_code_and_korean_the_catalog():
    with i18n.use("en"):
        assert _("Launch status") == "Launch status"
        assert ngettext("{n} order", "{n} orders", 1).format(n=1) == "1 order"
        assert ngettext("{n} order", "{n} orders", 3).format(n=3) == "3 orders"
        assert i18n.stage("in_transit") == "in_transit"  # English shows the identifier as it is
    with i18n.use("ko"):
        assert _("Launch status") == "출시 현황"
        assert ngettext("{n} order", "{n} orders", 1).format(n=1) == "주문 1건"
        assert ngettext("{n} order", "{n} orders", 3).format(n=3) == "주문 3건"
        assert i18n.stage("in_transit") == "배송 중" and i18n.stage("activated") == "개통 완료"
        assert i18n.transition("picked_up → delivered") == "집하 → 배송 완료"
        assert i18n.severity("critical") == "심각" and i18n.role("agent") == "상담원"
    assert i18n.current() == "en"  # the language before comes back


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.set_language("fr")


def test_the_language_belongs_to_the_thread_that_set_it():
    """Two script runs (two threads) in different languages never see each other's: the runs are
    interleaved step by step with a barrier."""
    barrier = threading.Barrier(2)
    seen: dict[str, list[str]] = {}

    def run(lang: str) -> None:
        i18n.set_language(lang)
        barrier.wait()  # both have set theirs
        seen[lang] = [_("Launch status"), i18n.current()]
        barrier.wait()
        seen[lang].append(_("Orders"))

    threads = [threading.Thread(target=run, args=(lang,)) for lang in ("ko", "en")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"ko": ["출시 현황", "ko", "주문"], "en": ["Launch status", "en", "Orders"]}
    assert i18n.current() == "en"  # this thread never set one


# -- numbers and dates --------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_numbers_and_percentages(lang):
    with i18n.use(lang):
        assert num(1234567) == "1,234,567"
        assert num(2.675, 2) == "2.67"  # the float's exact value, as an f-string rounds it
        assert num(-5, sign=True) == "-5" and num(1200, sign=True) == "+1,200"
        assert pct(0.1234) == "12.3%" and pct(0.5, 0) == "50%"
        assert num(None) == ("n/a" if lang == "en" else "해당 없음")


def test_moments_in_sentences_follow_the_locale():
    moment = datetime(2016, 10, 8, 5, 30, tzinfo=ZoneInfo("UTC"))  # 14:30 in Seoul
    with i18n.use("en"):
        assert when(moment, SEOUL) == "Oct 08 14:30"
    with i18n.use("ko"):
        assert when(moment, SEOUL) == "10월 8일 14:30"
    assert when(None, SEOUL) == "—"


def test_a_fuzzy_translation_is_not_used(tmp_path, monkeypatch):
    """A changed message arrives fuzzy (make messages): it shows in English until reviewed."""
    po = tmp_path / "ko" / "LC_MESSAGES" / "launchboard.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Language: ko\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n'
                  '"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "Orders"\nmsgstr "주문"\n\n#, fuzzy\nmsgid "Launch status"\nmsgstr "출시"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES", tmp_path)
    i18n.translations.cache_clear()
    try:
        with i18n.use("ko"):
            assert (_("Orders"), _("Launch status")) == ("주문", "Launch status")
    finally:
        monkeypatch.undo()
        i18n.translations.cache_clear()


def test_charts_name_the_korean_font_first_and_keep_their_settings():
    import altair as alt
    import pandas as pd

    from launchboard.charts.common import with_fonts

    chart = alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q").configure_legend(orient="top")
    config = with_fonts(chart).to_dict()["config"]
    assert config["font"].startswith('"Noto Sans CJK KR", "Noto Sans KR"') and config["legend"] == {"orient": "top"}
    assert "font" not in chart.to_dict()["config"]  # the chart given is left as it was
