"""Launch settings from ``launch.toml`` (spec section 4), with the spec's defaults."""
from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .i18n import DEFAULT as DEFAULT_LOCALE, LANGS
from .sources import Source, SourceError, parse_sources

CLAIMS = ("not_delivered", "delivered", "not_activated", "activated", "allocated")

ALERT_DEFAULTS: dict[str, float | int] = {
    "window_minutes": 60,
    "activation_failure_rate": 0.10,
    "min_attempts": 20,
    "call_loss_rate": 0.20,
    "min_calls": 20,
    "stall_minutes": 120,
    "stall_min_orders": 50,
    "hub_stall_min_orders": 20,
    "stale_feed_minutes": 120,
    # message_call_surge: a batch's recipients call more than this many times their normal rate
    # (the baseline) within the call window, with at least min_surge_calls calls
    "call_surge_ratio": 3.0,
    "min_surge_calls": 20,
}
# [messages] call_window_hours: the calls a message batch may have caused arrive within this
# many hours after the recipient's message (at most 24: the baseline is the day before).
CALL_WINDOW_HOURS = 2.0

# Where Launchboard keeps what it knows about a launch outside the data folder (the Store's
# database, the access log): this variable, else launch.toml [state] folder, else a folder per
# data folder under $XDG_STATE_HOME (default ~/.local/state).
STATE_ENV = "LAUNCHBOARD_STATE"

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class ConfigError(ValueError):
    """launch.toml is present but invalid."""


@dataclass(frozen=True)
class Template:
    name: str
    claims: str | None = None
    conflicts_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthSettings:
    """launch.toml [auth]: the users file (None: not set here) and the session rules."""
    users_file: str | None = None  # as written; relative to the data folder
    idle_minutes: float = 30  # a session with no interaction for this long is signed out
    lockout_minutes: float = 5  # sign-in refused for this long after max_failures failures in a row
    max_failures: int = 5


@dataclass(frozen=True)
class LaunchConfig:
    name: str = "Launch"
    timezone: str = "Asia/Seoul"
    locale: str = DEFAULT_LOCALE  # the interface's language until someone switches it ("ko" or "en")
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    service_level_seconds: float = 20
    conflict_window_hours: float = 48
    call_window_hours: float = CALL_WINDOW_HOURS
    alerts: dict[str, float | int] = field(default_factory=lambda: dict(ALERT_DEFAULTS))
    templates: dict[str, Template] = field(default_factory=dict)
    state_folder: str | None = None  # [state] folder, as written (relative to the data folder)
    sources: tuple[Source, ...] = ()  # [[sources]], in launch.toml order (the first match wins)
    auth: AuthSettings = field(default_factory=AuthSettings)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def conflict_pairs(self) -> list[tuple[str, str]]:
        """Every declared conflict, in both directions (the relation is symmetric)."""
        pairs = set()
        for t in self.templates.values():
            for other in t.conflicts_with:
                pairs.add((t.name, other))
                pairs.add((other, t.name))
        return sorted(pairs)


def _hhmm(value: object, where: str) -> time:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ConfigError(f"{where} must be a time \"HH:MM\", got {value!r}")
    h, m = value.split(":")
    return time(int(h), int(m))


def _number(value: object, where: str, *, integer: bool = False) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{where} must be a non-negative number, got {value!r}")
    if integer and not float(value).is_integer():
        raise ConfigError(f"{where} must be a whole number, got {value!r}")
    return int(value) if integer else float(value)


def _table(doc: dict, key: str, path: Path) -> dict:
    value = doc.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{key}] must be a table")
    return value


def _document(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _sources(doc: dict, path: Path, timezone: str) -> tuple[Source, ...]:
    try:
        return parse_sources(doc.get("sources"), timezone)
    except SourceError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def read_sources(data_dir: Path, timezone: str) -> tuple[Source, ...]:
    """Only the ``[[sources]]`` of ``DATA/launch.toml`` (none without it), for a launch whose
    time zone is ``timezone``: a running Store reads them again on every refresh. Raises
    ConfigError when launch.toml or a source is invalid."""
    path = Path(data_dir) / "launch.toml"
    doc = _document(path)
    return () if doc is None else _sources(doc, path, timezone)


def load_config(data_dir: Path) -> LaunchConfig:
    """Read ``DATA/launch.toml``; defaults apply without it. Raises ConfigError when invalid."""
    path = Path(data_dir) / "launch.toml"
    doc = _document(path)
    if doc is None:
        return LaunchConfig()

    launch = _table(doc, "launch", path)
    tz = launch.get("timezone", "Asia/Seoul")
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{path}: unknown timezone {tz!r}") from exc
    locale = launch.get("locale", DEFAULT_LOCALE)
    if locale not in LANGS:
        raise ConfigError(f"{path}: launch.locale must be one of {', '.join(map(repr, LANGS))}, got {locale!r}")
    quiet = launch.get("quiet_hours", ["21:00", "08:00"])
    if not isinstance(quiet, list) or len(quiet) != 2:
        raise ConfigError(f"{path}: launch.quiet_hours must be two times [\"HH:MM\", \"HH:MM\"]")

    state = _table(doc, "state", path)
    folder = state.get("folder")
    if folder is not None and not isinstance(folder, str):
        raise ConfigError(f"{path}: state.folder must be a path, got {folder!r}")

    auth = _auth(_table(doc, "auth", path), path)
    calls = _table(doc, "calls", path)
    messages = _table(doc, "messages", path)
    alerts = dict(ALERT_DEFAULTS)
    for key, value in _table(doc, "alerts", path).items():
        if key not in ALERT_DEFAULTS:
            raise ConfigError(f"{path}: unknown setting alerts.{key}")
        integer = key.startswith(("min_", "stall_", "hub_", "window_", "stale_"))
        alerts[key] = _number(value, f"{path}: alerts.{key}", integer=integer)
    for key in ("activation_failure_rate", "call_loss_rate"):
        if alerts[key] > 1:
            raise ConfigError(f"{path}: alerts.{key} is a fraction in [0, 1], got {alerts[key]}")
    if alerts["call_surge_ratio"] < 1:
        raise ConfigError(f"{path}: alerts.call_surge_ratio is a multiple of the normal rate, at least 1, "
                          f"got {alerts['call_surge_ratio']}")
    call_window = _number(messages.get("call_window_hours", CALL_WINDOW_HOURS), f"{path}: messages.call_window_hours")
    if not 0 < call_window <= 24:
        raise ConfigError(f"{path}: messages.call_window_hours must be more than 0 and at most 24 "
                          f"(the baseline is the same window the day before), got {call_window:g}")

    templates: dict[str, Template] = {}
    for name, spec in _table(doc, "templates", path).items():
        if not isinstance(spec, dict):
            raise ConfigError(f"{path}: [templates.{name}] must be a table")
        claims = spec.get("claims")
        if claims is not None and claims not in CLAIMS:
            raise ConfigError(
                f"{path}: templates.{name}.claims must be one of {', '.join(CLAIMS)}, got {claims!r}"
            )
        conflicts = spec.get("conflicts_with", [])
        if not isinstance(conflicts, list) or not all(isinstance(c, str) for c in conflicts):
            raise ConfigError(f"{path}: templates.{name}.conflicts_with must be a list of names")
        templates[name] = Template(name, claims, tuple(conflicts))

    return LaunchConfig(
        name=str(launch.get("name", "Launch")),
        timezone=str(tz),
        locale=locale,
        quiet_start=_hhmm(quiet[0], f"{path}: launch.quiet_hours[0]"),
        quiet_end=_hhmm(quiet[1], f"{path}: launch.quiet_hours[1]"),
        service_level_seconds=_number(
            calls.get("service_level_seconds", 20), f"{path}: calls.service_level_seconds"
        ),
        conflict_window_hours=_number(
            messages.get("conflict_window_hours", 48), f"{path}: messages.conflict_window_hours"
        ),
        call_window_hours=call_window,
        alerts=alerts,
        templates=templates,
        state_folder=folder,
        sources=_sources(doc, path, str(tz)),
        auth=auth,
    )


def _auth(section: dict, path: Path) -> AuthSettings:
    known = ("users_file", "idle_minutes", "lockout_minutes", "max_failures")
    for key in section:
        if key not in known:
            raise ConfigError(f"{path}: unknown setting auth.{key} (known: {', '.join(known)})")
    users = section.get("users_file")
    if users is not None and (not isinstance(users, str) or not users.strip()):
        raise ConfigError(f"{path}: auth.users_file must be a path, got {users!r}")
    values = {k: _number(section[k], f"{path}: auth.{k}", integer=k == "max_failures")
              for k in known[1:] if k in section}
    for key, value in values.items():
        if value <= 0:
            raise ConfigError(f"{path}: auth.{key} must be more than 0, got {value}")
    return AuthSettings(users_file=users, **values)


def state_dir(data_dir: Path | str, config: LaunchConfig) -> Path:
    """The launch's state folder (not created here): ``$LAUNCHBOARD_STATE``, else launch.toml's
    ``[state] folder`` (relative to the data folder), else
    ``$XDG_STATE_HOME/launchboard/<data folder name>-<8 hex digits of its absolute path>``.
    Raises ConfigError when it would lie inside the data folder (a drop must never hold state)."""
    data = Path(data_dir).resolve()
    if os.environ.get(STATE_ENV):
        folder = Path(os.environ[STATE_ENV]).expanduser()
    elif config.state_folder:
        folder = data / Path(config.state_folder).expanduser()
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
        digest = hashlib.sha256(str(data).encode()).hexdigest()[:8]
        folder = base / "launchboard" / f"{data.name}-{digest}"
    folder = folder.resolve()
    if folder == data or data in folder.parents:
        raise ConfigError(f"the state folder {folder} is inside the data folder {data}: choose one outside it")
    return folder
