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
from launchboard.accesslog import AccessLogError
from launchboard.text import plain

from .auth import JUST, NOTICE, PAGE, SESSION, UNKNOWN, Session, Setup, append, end, start, users

SIGNIN_AT = "_lb_signin_at"  # the address the sign-in screen was shown at ("" = the root)
_TITLES: dict[str, str] = {}  # page key -> title, as the navigation declares them
_ICONS: dict[str, str] = {}


def pages(session: Session | None, sections: dict[str, list[tuple[str, str, str]]]) -> dict[str, list]:
    """``st.navigation`` sections from ``(page key, title, icon)``: the pages the role may open
    are shown, the others hidden (nobody signed in: all hidden). The role's first page is the
    default (the root address)."""
    role = session.role if session else None
    allowed = rules.pages_for(role) if session else ()
    out = {}
    for section, specs in sections.items():
        built = []
        for key, title, icon in specs:
            _TITLES[key], _ICONS[key] = title, icon
            built.append(st.Page(f"app_pages/{key}.py", title=title, icon=icon, default=key == rules.home(role),
                                 visibility="visible" if key in allowed else "hidden"))
        out[section] = built
    return out


def position(session: Session | None) -> str:
    """Where the navigation goes: the sidebar, or nowhere while nobody is signed in."""
    return "sidebar" if session else "hidden"


def _key(page) -> str:
    return next((k for k, t in _TITLES.items() if t == page.title), page.url_path)


def guard(s: Setup, session: Session | None, page) -> None:
    """Before ``page.run()``: the sign-in screen or "not allowed" stop the run; otherwise the
    sidebar says who is signed in (or that sign-in is off)."""
    key = _key(page)
    st.session_state[PAGE] = key
    if not s.on:
        st.sidebar.caption(":material/lock_open: **Sign-in is off**: anyone who can open this address sees every "
                           "page but the admin's. To require sign-in, add users with `python -m launchboard users "
                           "add NAME --role ROLE` (README: Sign-in and roles).")
    elif session is None:
        st.session_state[SIGNIN_AT] = page.url_path
        _sign_in_screen(s)
        st.stop()
    else:
        _user_box(s, session)
    just = st.session_state.pop(JUST, False)
    if not rules.may_open(session.role, key):
        if just and st.session_state.get(SIGNIN_AT) == "":  # signed in at the root address: go home
            st.switch_page(f"app_pages/{rules.home(session.role)}.py", query_params={k: st.query_params.get_all(k) for k in st.query_params})
        _not_allowed(s, session, key)
        st.stop()


def _user_box(s: Setup, session: Session) -> None:
    box = st.sidebar.container(border=True)
    box.markdown(f":material/account_circle: **{plain(session.user)}** · {session.role}")
    box.button("Sign out", key="auth_sign_out", icon=":material/logout:", on_click=_sign_out, args=(s,))


def _sign_out(s: Setup) -> None:
    session = st.session_state.get(SESSION)
    if session is not None:
        end(s, session, "by the user", "Signed out.")


def _not_allowed(s: Setup, session: Session, key: str) -> None:
    refused = st.session_state.setdefault("_lb_refused_pages", set())
    if key not in refused:
        refused.add(key)
        append(s, "not_allowed", user=session.user, role=session.role, session=session.id, page=key,
               detail="a page the role may not open")
    st.title("Not allowed")
    title = _TITLES.get(key, key)
    if session.role is None:
        st.error(f"Sign-in is off, and **{title}** is for a signed-in admin: nothing of it is shown.",
                 icon=":material/block:")
    else:
        st.error(f"**{plain(session.user)}** ({session.role}) may not open **{title}**: nothing of it is shown.",
                 icon=":material/block:")
    allowed = [k for k in rules.pages_for(session.role) if k in _TITLES]
    st.caption("Pages you may open:")
    for k in allowed:
        st.page_link(f"app_pages/{k}.py", label=_TITLES[k], icon=_ICONS.get(k))


# -- the sign-in screen ---------------------------------------------------------------------------
def _notice() -> None:
    """What the last action said (a failed sign-in, a sign-out): shown once."""
    kind, text = st.session_state.pop(NOTICE, ("info", None))
    if text:
        {"error": st.error, "warning": st.warning}.get(kind, st.info)(text)


def _sign_in_screen(s: Setup) -> None:
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Launchboard")
        st.caption(f"{plain(s.config.name)}: sign in to see the launch.")
        _notice()
        if s.oidc:
            _oidc_screen(s)
            return
        with st.form("signin", border=True):
            st.text_input("User name", key="signin_name", max_chars=100, autocomplete="username")
            st.text_input("Password", key="signin_password", type="password", max_chars=200,
                          autocomplete="current-password")
            st.form_submit_button("Sign in", key="signin_submit", type="primary", icon=":material/login:",
                                  on_click=_attempt, args=(s,))
        settings = s.config.auth
        st.caption(f"After {settings.max_failures:g} failed sign-ins in a row a user name is refused for "
                   f"{settings.lockout_minutes:g} minutes. A session ends when you sign out, after "
                   f"{settings.idle_minutes:g} minutes without activity, or when this tab is reloaded or closed. "
                   "Every sign-in is recorded in the access log.")


def _oidc_screen(s: Setup) -> None:
    unknown = st.session_state.get(UNKNOWN)
    if st.user.is_logged_in and unknown is not None:
        st.error(f"**{plain(unknown)}** is signed in with the identity provider but has no role in Launchboard: "
                 "not allowed. An admin can add it on the server:", icon=":material/block:")
        st.code(f"python -m launchboard users add {unknown} --role ROLE --no-password", language="sh")
        if st.button("Sign out", key="auth_oidc_logout", icon=":material/logout:"):
            st.logout()
        return
    label = f"Sign in with {s.provider}" if s.provider else "Sign in"
    if st.button(label, key="auth_oidc_login", type="primary", icon=":material/login:"):
        if s.provider:
            st.login(s.provider)
        else:
            st.login()


def _attempt(s: Setup) -> None:
    """The sign-in form was sent: refused while the name is locked out, else checked."""
    ss = st.session_state
    name = rules.normal_name(ss.get("signin_name") or "")
    password = ss.get("signin_password") or ""
    ss["signin_password"] = ""
    if not name or not password:
        ss[NOTICE] = ("warning", "Type your user name and your password.")
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
                          "Wrong user name or password.")
            return
        session = start(s, name, user.role, "password")
        log.append("sign_in", user=name, role=user.role, session=session.id, detail="password")
    except AccessLogError as exc:
        ss.pop(SESSION, None)
        ss[NOTICE] = ("error", f"The access log cannot be written, so sign-in is refused: {plain(exc)}")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _locked_text(name: str, until, s: Setup) -> str:
    local = until.astimezone(s.config.tz)
    return (f"Too many failed sign-ins in a row for **{plain(name)}**: sign-in is refused until "
            f"{local:%H:%M:%S} ({s.config.timezone}), {s.config.auth.lockout_minutes:g} minutes after the last "
            "failure. Ask an admin if this was not you.")
