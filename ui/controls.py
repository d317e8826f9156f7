"""Controls shared by every page (as-of, filters, auto-refresh), mirrored in the URL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

import streamlit as st

from launchboard import metrics
from launchboard.i18n import N_, _
from launchboard.loader import Store
from launchboard.metrics import Params, Scope
from launchboard.text import plain
from launchboard.timeutil import local_text, parse_moment

FILTERS = {"channel": "channels", "region": "regions", "sku": "skus", "courier": "couriers"}
FILTER_LABELS = {"channel": N_("Channel"), "region": N_("Region"), "sku": N_("Sku"), "courier": N_("Courier")}
MODES = {"Live": N_("Live"), "Moment": N_("Moment")}  # the as-of radio's values (in links and tests) and words
REFRESH_CHOICES = (10, 30, 60, 300)
MIN_YEAR, MAX_YEAR = 1970, 2100  # a moment in a link outside these years is ignored
# The sidebar widgets are rendered by every page, but Streamlit gives a widget on another page a
# fresh value. So each run saves the view under "_view_<key>" and a page switch restores it.
SHARED_KEYS = ("as_of_mode", "as_of_date", "as_of_time", "f_channel", "f_region", "f_sku", "f_courier",
               "auto_refresh", "refresh_every")


def _carry_view(page: str) -> None:
    """On the first run of a page after a switch, put the saved view back into the widgets."""
    if st.session_state.get("_view_page", page) != page:
        for key in SHARED_KEYS:
            if "_view_" + key in st.session_state:
                st.session_state[key] = st.session_state["_view_" + key]


def _save_view(page: str) -> None:
    st.session_state["_view_page"] = page
    for key in SHARED_KEYS:
        if key in st.session_state:
            st.session_state["_view_" + key] = st.session_state[key]


@dataclass(frozen=True)
class View:
    live: bool
    moment: datetime | None  # the chosen moment when not live
    scope: Scope
    refresh_seconds: int | None  # auto-refresh interval, None when paused
    query: tuple[tuple[str, str], ...] = ()  # the view's URL query parameters (as_of, filters, refresh)

    def link(self, url_path: str, **params: str) -> str:
        """A relative link to another page showing this view, with the page's own ``params``
        (e.g. ``view.link("messages", batch="B1")``): it reproduces the view in a new tab too."""
        return url_path + "?" + urlencode([*self.query, *params.items()])

    def as_of(self, s: Store) -> datetime | None:
        """The moment the figures describe: the chosen one, or the newest event when live."""
        if not self.live:
            return self.moment
        cur = s.cursor()
        try:
            return metrics.default_as_of(cur)
        finally:
            cur.close()

    def params(self, s: Store, as_of: datetime) -> dict:
        return Params(as_of, s.config, self.scope).values()


@st.cache_data(ttl=300, show_spinner=False)
def _options(path: str, version: int, _s: Store) -> dict[str, list[str]]:
    cur = _s.cursor()
    try:
        return {
            "channel": [r[0] for r in cur.execute("SELECT DISTINCT channel FROM orders ORDER BY 1").fetchall()],
            "region": [r[0] for r in cur.execute("SELECT DISTINCT region FROM orders ORDER BY 1").fetchall()],
            "sku": [r[0] for r in cur.execute("SELECT DISTINCT sku FROM orders ORDER BY 1").fetchall()],
            "courier": [r[0] for r in cur.execute("SELECT DISTINCT courier FROM shipments ORDER BY 1").fetchall()],
        }
    finally:
        cur.close()


def _seed_from_url(s: Store, opts: dict[str, list[str]]) -> None:
    """On a session's first run, take the view from the URL (a copied link reproduces it). A
    value that is not a moment, a known filter value or a refresh choice is ignored, and the
    sidebar says so."""
    if st.session_state.get("_seeded"):
        return
    qp = st.query_params
    tz = s.config.tz
    st.session_state["_seeded"] = True
    ignored = []
    if "as_of" in qp:
        try:
            local = parse_moment(qp["as_of"], tz).astimezone(tz)
            if not MIN_YEAR <= local.year < MAX_YEAR:
                raise ValueError(local.year)
        except (ValueError, OverflowError):
            ignored.append(("as_of", qp["as_of"], _("not a moment (YYYY-MM-DDTHH:MM, years {first} to {last})").format(
                first=MIN_YEAR, last=MAX_YEAR - 1)))
        else:
            st.session_state["as_of_mode"] = "Moment"
            st.session_state["as_of_date"] = local.date()
            st.session_state["as_of_time"] = local.time().replace(second=0, microsecond=0)
    for name in FILTERS:
        if name in qp:
            values = [v for v in qp.get_all(name) if v]
            unknown = [v for v in values if v not in opts[name]]
            if unknown:
                ignored.append((name, ", ".join(unknown), _("no such {name} in this launch").format(name=name)))
            st.session_state["f_" + name] = [v for v in dict.fromkeys(values) if v in opts[name]]
    refresh = qp.get("refresh")
    if refresh == "off":
        st.session_state["auto_refresh"] = False
    elif refresh is not None and refresh.isdigit() and int(refresh) in REFRESH_CHOICES:
        st.session_state["auto_refresh"] = True
        st.session_state["refresh_every"] = int(refresh)
    elif refresh is not None:
        ignored.append(("refresh", refresh, _("use off or one of {choices} (seconds)").format(
            choices=", ".join(map(str, REFRESH_CHOICES)))))
    if ignored:
        st.sidebar.warning(_("Ignored in the link:") + "\n" + "\n".join(f"- {name}={plain(value)}: {why}"
                                                                       for name, value, why in ignored),
                           icon=":material/link_off:")


def controls(s: Store, page: str, url_keys: tuple[str, ...] = ()) -> View:
    """Render the sidebar controls of ``page`` and return the chosen view; keeps the URL in step.
    ``url_keys`` are the page's own query parameters (e.g. ``batch``): kept in the URL as they are."""
    _carry_view(page)
    opts = _options(str(s.data_dir), s.version, s)
    _seed_from_url(s, opts)
    tz = s.config.tz
    cur = s.cursor()
    try:
        live_t = metrics.default_as_of(cur)
    finally:
        cur.close()
    sb = st.sidebar
    sb.subheader(plain(s.config.name))
    st.session_state.setdefault("as_of_mode", "Live")
    mode = sb.radio(_("As of"), list(MODES), key="as_of_mode", horizontal=True,
                    format_func={m: _(w) for m, w in MODES.items()}.get,
                    help=_("Live follows the newest event; Moment replays the launch as it stood then."))
    moment = None
    if mode == "Moment":
        default = (live_t or datetime.now(tz)).astimezone(tz)
        st.session_state.setdefault("as_of_date", default.date())
        st.session_state.setdefault("as_of_time", default.time().replace(second=0, microsecond=0))
        d: date = sb.date_input(_("Date"), key="as_of_date")
        t: time = sb.time_input(_("Time"), key="as_of_time", step=timedelta(minutes=15))
        moment = datetime.combine(d, t, tzinfo=tz)
        sb.caption(_("Times in {zone}.").format(zone=s.config.timezone))
    else:
        sb.caption(_("Newest event: {moment} ({zone})").format(moment=local_text(live_t, tz), zone=s.config.timezone))
    chosen = {}
    for name, values in opts.items():
        chosen[name] = tuple(sb.multiselect(_(FILTER_LABELS[name]), values, key="f_" + name,
                                            placeholder=_("Choose options")))
    st.session_state.setdefault("auto_refresh", True)
    st.session_state.setdefault("refresh_every", 30)
    auto = sb.toggle(_("Auto-refresh"), key="auto_refresh")
    every = sb.selectbox(_("Every (seconds)"), REFRESH_CHOICES, key="refresh_every", disabled=not auto)

    qp = {"lang": st.session_state.get("lang") or st.query_params.get("lang", "")}
    if moment is not None:
        qp["as_of"] = moment.strftime("%Y-%m-%dT%H:%M")
    for name, values in chosen.items():
        if values:
            qp[name] = list(values)
    qp["refresh"] = str(every) if auto else "off"
    for key in url_keys:
        if key in st.query_params:
            qp[key] = st.query_params[key]
    if dict(st.query_params.to_dict()) != {k: (v[-1] if isinstance(v, list) else v) for k, v in qp.items()}:
        st.query_params.from_dict(qp)

    _save_view(page)
    scope = Scope(chosen["channel"], chosen["region"], chosen["sku"], chosen["courier"])
    query = tuple((k, v) for k, vs in qp.items() if k not in url_keys for v in (vs if isinstance(vs, list) else [vs]))
    return View(live=moment is None, moment=moment, scope=scope,
                refresh_seconds=every if (auto and moment is None) else None, query=query)
