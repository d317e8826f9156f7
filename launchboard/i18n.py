"""The interface's two languages, Korean and English: gettext message catalogs read through
Babel, and numbers, percentages and dates written the way the reader's locale writes them.

Messages are written in English in the code (``_("Orders")``, ``ngettext(...)``) and translated
from ``locales/<lang>/LC_MESSAGES/launchboard.po`` (README: Languages). English needs no
catalog: a message is its own English text.

The language of the work at hand is a context variable, not a global: the app sets it at the
start of every script run from the browser session's choice (``ui/lang.py``), the CLI with
``with use("ko"):``. Each Streamlit script run has its own thread, and a new thread starts with
the variable's default, so two browser sessions never see each other's language. Work handed to
another thread (a download made on click, a thread pool) carries the language explicitly.
"""
from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

LANGS = ("ko", "en")
NAMES = {"ko": "한국어", "en": "English"}  # each language in its own words (the switch's options)
DEFAULT = "en"  # launch.toml [launch] locale, when it says nothing
DOMAIN = "launchboard"
LOCALES = Path(__file__).resolve().parent.parent / "locales"
# A moment inside a sentence ("delivered on Oct 21 14:30"): Babel formats it with the locale's
# month names. Timestamps in tables, axes and the URL stay 2016-10-21 22:00 in both languages
# (timeutil.local_text): sortable, and the same as a link's as_of.
WHEN = {"en": "MMM dd HH:mm", "ko": "M월 d일 HH:mm"}

_lang: ContextVar[str] = ContextVar("launchboard_lang", default=DEFAULT)


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(lang: str) -> NullTranslations:
    """The catalog of ``lang``, compiled in memory from its .po file once per process (no .mo
    files to keep in step). Fuzzy entries are left out: they show in English until reviewed."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGS)}")
    path = po_path(lang)
    if lang == "en" and not path.exists():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def current() -> str:
    """The language of the work at hand ("ko" or "en")."""
    return _lang.get()


def set_language(lang: str) -> Token:
    """Make ``lang`` the language of this thread's work from now on (a script run sets it first)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGS)}")
    return _lang.set(lang)


@contextmanager
def use(lang: str) -> Iterator[str]:
    """``with use("ko"):`` everything inside speaks Korean; the language before comes back after."""
    token = set_language(lang)
    try:
        yield lang
    finally:
        _lang.reset(token)


def bound(fn):
    """``fn`` speaking the language of now whenever it is called (a widget's format_func may be
    called outside the run that drew it)."""
    lang = current()

    def run(*args, **kwargs):
        with use(lang):
            return fn(*args, **kwargs)
    return run


# -- messages (the extraction keywords: see launchboard/i18n_catalog.py) ---------------------------
def gettext(message: str) -> str:
    return translations(current()).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` (Korean has one form; English two)."""
    return translations(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on what it names, e.g. ("stage", "delivered")."""
    return translations(current()).pgettext(context, message)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined (a module constant); translate it
    where it is shown with ``_(name)``."""
    return message


def NP_(context: str, message: str) -> str:
    """``N_`` with a context: translated where shown with ``pgettext(context, name)``."""
    return message


# -- words for identifiers shown to people ----------------------------------------------------------
STAGES = {  # pipeline stages: the data's identifiers, in English as they are
    "reserved": NP_("stage", "reserved"), "allocated": NP_("stage", "allocated"),
    "packed": NP_("stage", "packed"), "in_transit": NP_("stage", "in_transit"),
    "delivered": NP_("stage", "delivered"), "returned": NP_("stage", "returned"),
    "activation_pending": NP_("stage", "activation_pending"),
    "activation_failed": NP_("stage", "activation_failed"), "activated": NP_("stage", "activated"),
    "cancelled": NP_("stage", "cancelled"), "unknown": NP_("stage", "unknown"),
}
SEVERITIES = {"critical": NP_("severity", "critical"), "warning": NP_("severity", "warning")}
MILESTONES = {  # the dwell times' transitions ("picked_up → delivered")
    "ordered": NP_("milestone", "ordered"), "allocated": NP_("milestone", "allocated"),
    "packed": NP_("milestone", "packed"), "picked_up": NP_("milestone", "picked_up"),
    "delivered": NP_("milestone", "delivered"), "activated": NP_("milestone", "activated"),
}
BASELINES = {  # how a batch's baseline was found (queries/table_macros.sql, lb_batch_impact)
    "day before": NP_("baseline", "day before"), "launch rate": NP_("baseline", "launch rate")}
ROLES = {"manager": NP_("role", "manager"), "agent": NP_("role", "agent"), "analyst": NP_("role", "analyst"),
         "admin": NP_("role", "admin")}


def stage(name: str | None) -> str:
    """A stage as people read it: the identifier in English (``in_transit``), words in Korean."""
    if name is None:
        return ""
    return pgettext("stage", STAGES[name]) if name in STAGES else name


FILE_STATUS = {"loaded": NP_("file status", "loaded"), "rejected": NP_("file status", "rejected")}


def file_status(status: str) -> str:
    """An extract file's status (loaded, rejected) in words."""
    return pgettext("file status", FILE_STATUS[status]) if status in FILE_STATUS else status


def alert_subject(kind: str, subject: str | None) -> str | None:
    """An alert's subject as shown: a stalled stage in words; hubs and batches as they are."""
    return stage(subject) if kind == "stalled_stage" and subject else subject


def severity(name: str) -> str:
    return pgettext("severity", SEVERITIES[name]) if name in SEVERITIES else name


def transition(text: str) -> str:
    """A stage transition "picked_up → delivered" in the reader's words."""
    return " → ".join(pgettext("milestone", MILESTONES[p]) if p in MILESTONES else p for p in text.split(" → "))


def baseline_words(method: str | None) -> str:
    """A baseline method ("day before", "launch rate") in the reader's words."""
    return pgettext("baseline", BASELINES[method]) if method in BASELINES else (method or "")


def role(name: str | None) -> str:
    return pgettext("role", ROLES[name]) if name in ROLES else (name or "")


# -- numbers and dates ---------------------------------------------------------------------------------
def _exact(value: float | int) -> Decimal | int:
    # A float's exact binary value, as Python's own format() rounds it (Babel would round
    # str(value), so 2.675 would give 2.68 here and 2.67 in an f-string).
    return Decimal(value) if isinstance(value, float) else value


def num(value: float | int | None, digits: int = 0, *, sign: bool = False) -> str:
    """A number with the locale's grouping and decimal marks, ``digits`` decimals; "n/a" for None.
    ``sign``: always with + or -."""
    if value is None:
        return _("n/a")
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if sign:
        pattern = f"+{pattern};-{pattern}"
    return format_decimal(_exact(value), format=pattern, locale=current())


def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage (0.123 -> 12.3%); "n/a" for None."""
    if value is None:
        return _("n/a")
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(_exact(value), format=pattern, locale=current())


def when(moment: datetime | None, tz) -> str:
    """A moment inside a sentence, launch-local: "Oct 21 14:30" / "10월 21일 14:30"; "—" for None."""
    if moment is None:
        return "—"
    return format_datetime(moment.astimezone(tz), WHEN[current()], locale=current())


# Charts and the exported HTML: Noto Sans CJK KR (fonts-noto-cjk) first when the browser has it,
# then the other usual Korean fonts, then sans-serif. In both languages: extract values (hubs,
# regions, templates) may be Korean whatever the interface's language.
FONTS = ('"Noto Sans CJK KR", "Noto Sans KR", "Source Han Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", '
         '"Source Sans Pro", "Source Sans 3", sans-serif')
