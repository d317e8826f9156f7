"""The router's gate: the navigation a role may see, the sign-in screen, "not allowed".

``app.py`` calls ``pages()`` (pages the role may open are shown; the others stay registered but
hidden, so a direct link to one reaches the router) and then ``guard()``, which stops the run
with the sign-in screen or a "not allowed" message before any page code runs: a forbidden page's
file is never executed, so none of its queries run.
"""
from __future__ import annotations

from datetime import datetime, timezone

import streamlit as st

from launchboard import auth as rules
from launchboard import i18n
from launchboard.accesslog import AccessLogError
from launchboard.i18n import _, num
from launchboard.text import plain

from . import lang
from .auth import JUST, NOTICE, PAGE, SESSION, UNKNOWN, Session, Setup, append, end, start, users

SIGNIN_AT = "_lb_signin_at"  # the address the sign-in screen was shown at ("" = the root)
# page key -> title per language, as the navigation declares them (a session in the other
# language builds its own titles: the lookup by title never mixes the two)
_TITLES: dict[str, dict[str, str]] = {}
_ICONS: dict[str, str] = {}


def pages(session: Session | None, sections: dict[str, list[tuple[str, str, str]]]) -> dict[str, list]:
    """``st.navigation`` sections from ``(page key, title, icon)``: the pages the role may open
    are shown, the others hidden (nobody signed in: all hidden). The role's first page is the
    default (the root address)."""
    role = session.role if session else None
    allowed = rules.pages_for(role) if session else ()
    titles = _TITLES.setdefault(i18n.current(), {})
    out = {}
    for section, specs in sections.items():
        built = []
        for key, title, icon in specs:
            titles[key], _ICONS[key] = _(title), icon
            built.append(st.Page(f"app_pages/{key}.py", title=_(title), icon=icon, default=key == rules.home(role),
                                 visibility="visible" if key in allowed else "hidden"))
        out[_(section)] = built
    return out


def position(session: Session | None) -> str:
    """Where the navigation goes: the sidebar, or nowhere while nobody is signed in."""
    return "sidebar" if session else "hidden"


def _titles() -> dict[str, str]:
    return _TITLES.get(i18n.current(), {})


def _key(page) -> str:
    return next((k for k, t in _titles().items() if t == page.title), page.url_path)


def guard(s: Setup, session: Session | None, page) -> None:
    """Before ``page.run()``: the sign-in screen or "not allowed" stop the run; otherwise the
    sidebar says who is signed in (or that sign-in is off)."""
    key = _key(page)
    st.session_state[PAGE] = key
    if not s.on:
        lang.switch()
        st.sidebar.caption(_(":material/lock_open: **Sign-in is off**: anyone who can open this address sees every "
                             "page but the admin's. To require sign-in, add users with `python -m launchboard users "
                             "add NAME --role ROLE` (README: Sign-in and roles)."))
    elif session is None:
        st.session_state[SIGNIN_AT] = page.url_path
        _sign_in_screen(s)
        st.stop()
    else:
        lang.switch()
        _user_box(s, session)
    just = st.session_state.pop(JUST, False)
    if not rules.may_open(session.role, key):
        if just and st.session_state.get(SIGNIN_AT) == "":  # signed in at the root address: go home
            st.switch_page(f"app_pages/{rules.home(session.role)}.py", query_params={k: st.query_params.get_all(k) for k in st.query_params})
        _not_allowed(s, session, key)
        st.stop()


def _user_box(s: Setup, session: Session) -> None:
    box = st.sidebar.container(border=True)
    box.markdown(f":material/account_circle: **{plain(session.user)}** · {i18n.role(session.role)}")
    box.button(_("Sign out"), key="auth_sign_out", icon=":material/logout:", on_click=_sign_out, args=(s,))


def _sign_out(s: Setup) -> None:
    lang.apply()  # a callback runs before app.py sets the run's language
    session = st.session_state.get(SESSION)
    if session is not None:
        end(s, session, "by the user", _("Signed out."))


def _not_allowed(s: Setup, session: Session, key: str) -> None:
    refused = st.session_state.setdefault("_lb_refused_pages", set())
    if key not in refused:
        refused.add(key)
        append(s, "not_allowed", user=session.user, role=session.role, session=session.id, page=key,
               detail="a page the role may not open")
    st.title(_("Not allowed"))
    titles = _titles()
    title = titles.get(key, key)
    if session.role is None:
        st.error(_("Sign-in is off, and **{page}** is for a signed-in admin: nothing of it is shown.").format(
            page=title), icon=":material/block:")
    else:
        st.error(_("**{user}** ({role}) may not open **{page}**: nothing of it is shown.").format(
            user=plain(session.user), role=i18n.role(session.role), page=title), icon=":material/block:")
    allowed = [k for k in rules.pages_for(session.role) if k in titles]
    st.caption(_("Pages you may open:"))
    for k in allowed:
        st.page_link(f"app_pages/{k}.py", label=titles[k], icon=_ICONS.get(k))


# -- the sign-in screen ---------------------------------------------------------------------------
def _notice() -> None:
    """What the last action said (a failed sign-in, a sign-out): shown once."""
    kind, text = st.session_state.pop(NOTICE, ("info", None))
    if text:
        {"error": st.error, "warning": st.warning}.get(kind, st.info)(text)


def _sign_in_screen(s: Setup) -> None:
    middle = st.columns([1, 2, 1])[1]
    with middle:
        lang.switch(st)
        st.title("Launchboard")
        st.caption(_("{launch}: sign in to see the launch.").format(launch=plain(s.config.name)))
        _notice()
        if s.oidc:
            _oidc_screen(s)
            return
        with st.form("signin", border=True):
            st.text_input(_("User name"), key="signin_name", max_chars=100, autocomplete="username")
            st.text_input(_("Password"), key="signin_password", type="password", max_chars=200,
                          autocomplete="current-password")
            st.form_submit_button(_("Sign in"), key="signin_submit", type="primary", icon=":material/login:",
                                  on_click=_attempt, args=(s,))
        settings = s.config.auth
        st.caption(_("After {failures} failed sign-ins in a row a user name is refused for {lockout} minutes. A "
                     "session ends when you sign out, after {idle} minutes without activity, or when this tab is "
                     "reloaded or closed. Every sign-in is recorded in the access log.").format(
            failures=num(settings.max_failures), lockout=f"{settings.lockout_minutes:g}",
            idle=f"{settings.idle_minutes:g}"))


def _oidc_screen(s: Setup) -> None:
    unknown = st.session_state.get(UNKNOWN)
    if st.user.is_logged_in and unknown is not None:
        st.error(_("**{user}** is signed in with the identity provider but has no role in Launchboard: "
                   "not allowed. An admin can add it on the server:").format(user=plain(unknown)),
                 icon=":material/block:")
        st.code(f"python -m launchboard users add {unknown} --role ROLE --no-password", language="sh")
        if st.button(_("Sign out"), key="auth_oidc_logout", icon=":material/logout:"):
            st.logout()
        return
    label = _("Sign in with {provider}").format(provider=s.provider) if s.provider else _("Sign in")
    if st.button(label, key="auth_oidc_login", type="primary", icon=":material/login:"):
        if s.provider:
            st.login(s.provider)
        else:
            st.login()


def _attempt(s: Setup) -> None:
    """The sign-in form was sent: refused while the name is locked out, else checked."""
    lang.apply()  # a callback runs before app.py sets the run's language
    ss = st.session_state
    name = rules.normal_name(ss.get("signin_name") or "")
    password = ss.get("signin_password") or ""
    ss["signin_password"] = ""
    if not name or not password:
        ss[NOTICE] = ("warning", _("Type your user name and your password."))
        return
    settings = s.config.auth
    log = s.log
    try:
        before = rules.lockout(log.attempts(name), _utcnow(), max_failures=settings.max_failures,
                               minutes=settings.lockout_minutes)
        if before.until is not None:
            log.append("sign_in_refused", user=name, detail=f"locked until {before.until.isoformat()}")
            ss[NOTICE] = ("error", _locked_text(name, before.until, s))
            return
        known = users(s)
        user = rules.verify(known, name, password)
        if user is None:
            log.append("sign_in_failed", user=name, detail="wrong password" if name in known else "unknown name")
            after = rules.lockout(log.attempts(name), _utcnow(), max_failures=settings.max_failures,
                                  minutes=settings.lockout_minutes)
            ss[NOTICE] = ("error", _locked_text(name, after.until, s) if after.until else
                          _("Wrong user name or password."))
            return
        session = start(s, name, user.role, "password")
        log.append("sign_in", user=name, role=user.role, session=session.id, detail="password")
    except AccessLogError as exc:
        ss.pop(SESSION, None)
        ss[NOTICE] = ("error", _("The access log cannot be written, so sign-in is refused: {error}").format(
            error=plain(exc)))


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _locked_text(name: str, until, s: Setup) -> str:
    local = until.astimezone(s.config.tz)
    return _("Too many failed sign-ins in a row for **{user}**: sign-in is refused until {time} ({zone}), "
             "{minutes} minutes after the last failure. Ask an admin if this was not you.").format(
        user=plain(name), time=f"{local:%H:%M:%S}", zone=s.config.timezone,
        minutes=f"{s.config.auth.lockout_minutes:g}")
