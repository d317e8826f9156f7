"""Sign-in, roles and the access log inside the app (the rules live in ``launchboard.auth`` and
``launchboard.accesslog``; this is the session glue).

Every run of ``app.py``: ``current()`` finds who is signed in (and ends a session idle too long
or whose user left the users file); ``ui.gate`` then builds the navigation the role may see and
shows the sign-in screen or "not allowed" before any page code runs. Pages append to the access
log through ``record()`` (or ``who()`` for a download made later, off the page).

A session lives in this browser tab's Streamlit session (server memory): a reload or a new tab
signs in again. With an OpenID Connect provider in ``.streamlit/secrets.toml`` ``[auth]``,
Streamlit's ``st.login`` identifies the user (its cookie survives reloads) and the users file
gives the role by e-mail.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from launchboard import accesslog, auth
from launchboard.accesslog import AccessLogError
from launchboard.config import ConfigError, LaunchConfig, load_config
from launchboard.i18n import _
from launchboard.text import plain

from . import state

SESSION, NOTICE, PAGE, JUST, UNKNOWN = ("_lb_session", "_lb_notice", "_lb_page", "_lb_just_signed_in",
                                        "_lb_unknown_identity")


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Setup:
    data_dir: str
    config: LaunchConfig
    users_path: Path | None  # None: no users file
    oidc: bool  # an OpenID Connect provider is set up in .streamlit/secrets.toml [auth]
    provider: str | None  # its name for st.login (None: the unnamed one)

    @property
    def on(self) -> bool:
        return self.oidc or self.users_path is not None

    @property
    def log(self) -> accesslog.AccessLog:
        return accesslog.for_launch(self.data_dir, self.config)


@dataclass
class Session:
    user: str  # user name (lower case) or e-mail; "-" when sign-in is off
    role: str | None  # None: sign-in is off
    via: str  # "password", "oidc" or "off"
    id: str  # this browser session, in the access log
    idle: timedelta
    last_active: datetime = field(default_factory=_now)
    fingerprint: str = ""


def _secrets_auth() -> dict | None:
    def to_dict(value):
        return {k: to_dict(v) for k, v in value.items()} if isinstance(value, Mapping) else value

    try:
        section = st.secrets.get("auth")
    except StreamlitSecretNotFoundError:
        return None
    return to_dict(section) if section else None


def setup() -> Setup:
    """This run's sign-in settings; stops the run with the reason when they are broken (a users
    file that is set but missing or invalid never turns sign-in off)."""
    data = state.data_dir()
    try:
        config = _config(data)
        users_path = auth.active_users_file(data, config)
        if users_path is not None:
            _users(str(users_path), *_stamp(users_path))  # invalid: refuse now, not at sign-in
    except ConfigError as exc:
        st.error(_("Launchboard cannot start sign-in: {error}").format(error=plain(exc)), icon=":material/lock:")
        st.stop()
    oidc, provider = auth.oidc_provider(_secrets_auth())
    found = Setup(data, config, users_path, oidc, provider)
    if found.on and not st.get_option("client.disableDataExport"):
        # Tables lose their own (unlogged) CSV button: every download is a logged one.
        st.set_option("client.disableDataExport", True)
    return found


@st.cache_resource(show_spinner=False)
def _last_configs() -> dict[str, LaunchConfig]:
    return {}


def _config(data: str) -> LaunchConfig:
    """launch.toml as it is, or, when it was made invalid while running, as it last was (the
    pages name the error; sign-in goes on with the settings it started with). Invalid from the
    start: ConfigError."""
    try:
        config = load_config(Path(data)) if Path(data).is_dir() else LaunchConfig()
    except ConfigError:
        if data in _last_configs():
            return _last_configs()[data]
        raise
    _last_configs()[data] = config
    return config


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@st.cache_resource(max_entries=4, show_spinner=False)
def _users(path: str, mtime_ns: int, size: int) -> dict[str, auth.User]:
    return auth.load_users(Path(path))


def users(s: Setup) -> dict[str, auth.User]:
    """The users file as it is now (read again when it changes)."""
    if s.users_path is None:
        return {}
    try:
        return _users(str(s.users_path), *_stamp(s.users_path))
    except (OSError, ConfigError) as exc:
        st.error(_("Launchboard cannot read the users file: {error}").format(error=plain(exc)), icon=":material/lock:")
        st.stop()


# -- who is signed in ---------------------------------------------------------------------------
def _fingerprint() -> str:
    """The widgets' values: a change between two runs is the user doing something."""
    items = sorted((str(k), repr(v)) for k, v in st.session_state.items()
                   if not str(k).startswith(("_", "signin_")))
    return hashlib.sha256(repr(items).encode()).hexdigest()


def start(s: Setup, user: str, role: str, via: str) -> Session:
    session = Session(user, role, via, secrets.token_hex(8), timedelta(minutes=s.config.auth.idle_minutes))
    session.fingerprint = _fingerprint()
    st.session_state[SESSION] = session
    st.session_state[JUST] = True
    return session


def end(s: Setup, session: Session, why: str, notice: str) -> None:
    """Sign out: log it, forget everything this tab held (a next user sees none of it)."""
    try:
        s.log.append("sign_out", user=session.user, role=session.role, session=session.id, detail=why)
    except AccessLogError:
        pass  # signing out never fails
    for key in list(st.session_state):
        del st.session_state[key]
    st.session_state[NOTICE] = ("info", notice)
    if session.via == "oidc":
        st.logout()


def _oidc_session(s: Setup, session: Session | None) -> Session | None:
    if not st.user.is_logged_in:
        st.session_state.pop(SESSION, None)
        return None
    email = auth.normal_name(str(st.user.get("email") or ""))
    if session is not None and session.via == "oidc" and session.user == email:
        return session
    user = auth.by_email(users(s), email)
    if user is None:
        if st.session_state.get(UNKNOWN) != email:
            st.session_state[UNKNOWN] = email
            append(s, "not_allowed", user=email or "-", detail="OpenID Connect identity without a role")
        return None
    st.session_state.pop(UNKNOWN, None)
    session = start(s, email, user.role, "oidc")
    append(s, "sign_in", user=email, role=user.role, session=session.id, detail="OpenID Connect")
    return session


def current(s: Setup) -> Session | None:
    """Who this run is for; None: nobody is signed in (and sign-in is on)."""
    ss = st.session_state
    session = ss.get(SESSION)
    if not s.on:
        if session is None or session.via != "off":
            session = Session("-", None, "off", secrets.token_hex(8), timedelta(0))
            ss[SESSION] = session
        return session
    if session is not None and session.via == "off":
        session = None
    if s.oidc:
        session = _oidc_session(s, session)
    if session is None:
        return None
    now = _now()
    if now - session.last_active > session.idle:
        minutes = session.idle.total_seconds() / 60
        end(s, session, f"idle {minutes:g} min",
            _("Signed out after {minutes} minutes without activity.").format(minutes=f"{minutes:g}"))
        return None
    user = users(s).get(session.user) if session.via == "password" else auth.by_email(users(s), session.user)
    if user is None:
        end(s, session, "no longer in the users file", _("Signed out: your user was removed."))
        return None
    session.role = user.role
    session.last_active, session.fingerprint = now, _fingerprint()
    return session


def keep_alive() -> None:
    """For a page's auto-refreshing fragment: an idle session is signed out (the whole app runs
    again); a widget changed since the last run counts as activity, a timed refresh does not."""
    session = st.session_state.get(SESSION)
    if session is None or session.via == "off":
        return
    now = _now()
    if now - session.last_active > session.idle:
        st.rerun(scope="app")
    fp = _fingerprint()
    if fp != session.fingerprint:
        session.last_active, session.fingerprint = now, fp


def role() -> str | None:
    session = st.session_state.get(SESSION)
    return None if session is None else session.role


# -- the access log -----------------------------------------------------------------------------
def append(s: Setup, event: str, **fields) -> None:
    try:
        s.log.append(event, **fields)
    except AccessLogError as exc:
        st.error(_("The access log cannot be written, so this is refused: {error}").format(error=plain(exc)),
                 icon=":material/lock:")
        st.stop()


@dataclass(frozen=True)
class Who:
    """Who did something, captured when a page is drawn (a download runs later, off the page)."""
    user: str
    role: str | None
    session: str | None
    page: str | None
    log: accesslog.AccessLog

    def record(self, event: str, *, target: str | None = None, detail: str | None = None) -> None:
        self.log.append(event, user=self.user, role=self.role, session=self.session, page=self.page,
                        target=target, detail=detail)


def who() -> Who:
    session = st.session_state.get(SESSION)
    data = state.data_dir()
    config = _config(data)
    return Who(session.user if session else "-", session.role if session else None,
               session.id if session else None, st.session_state.get(PAGE), accesslog.for_launch(data, config))


def record(event: str, *, target: str | None = None, detail: str | None = None) -> None:
    """Append to the access log for this session's user; when it cannot be written, the page
    says so and stops (nothing is shown unlogged)."""
    try:
        who().record(event, target=target, detail=detail)
    except (AccessLogError, ConfigError) as exc:
        st.error(_("The access log cannot be written, so this is not shown: {error}").format(error=plain(exc)),
                 icon=":material/lock:")
        st.stop()
