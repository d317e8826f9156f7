"""Who may sign in and what each role may open (the engine side of sign-in; no streamlit).

- **Roles and pages.** ``PAGES_BY_ROLE`` says which pages (by URL path, the page file's stem)
  each role may open; ``role=None`` means sign-in is off (every page but the admin's).
- **The users file** (TOML, ``[[users]]`` entries of name, role, optional e-mail and an argon2id
  password hash, never a password). Its path: ``$LAUNCHBOARD_USERS``, else launch.toml
  ``[auth] users_file`` (relative to the data folder), else ``users.toml`` in the launch's state
  folder when it exists. A path that is set but missing is an error (sign-in never turns itself
  off); without any users file, sign-in is off.
- **Rate limit.** ``lockout`` folds a user name's sign-in attempts (from the access log) into
  "refused until": after ``max_failures`` failures in a row, refused for ``lockout_minutes``.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import tomllib
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .config import ConfigError, LaunchConfig, state_dir
from .i18n import N_

USERS_ENV = "LAUNCHBOARD_USERS"
DEFAULT_USERS_FILE = "users.toml"  # in the launch's state folder
MIN_PASSWORD = 8

ROLES = ("manager", "agent", "analyst", "admin")
LAUNCH_PAGES = ("status", "pipeline", "activations", "messages", "calls")
ADMIN_PAGES = ("access_log", "users")
# The first page of each role is where it lands.
PAGES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "manager": LAUNCH_PAGES + ("review", "quality"),
    "agent": ("lookup",),
    "analyst": LAUNCH_PAGES + ("lookup", "review", "quality", "explore"),
    "admin": ADMIN_PAGES,
}
OPEN_PAGES = LAUNCH_PAGES + ("lookup", "review", "quality", "explore")  # sign-in off
ROLE_WORDS = {  # translated where shown
    "manager": N_("every launch page, the incident review and data quality"),
    "agent": N_("order lookup, with the launch status tiles"),
    "analyst": N_("every launch page, order lookup, the incident review, data quality and Explore (SQL)"),
    "admin": N_("users and the access log"),
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")

_hasher = PasswordHasher()  # argon2id, the library's current defaults (t=3, m=64 MiB, p=4)
# Verified against when a name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("launchboard: no such user")


class UsersFileError(ConfigError):
    """The users file is missing (when set) or invalid; the message names the file and entry."""


def pages_for(role: str | None) -> tuple[str, ...]:
    """The pages a role may open, in navigation order; ``None``: sign-in is off."""
    return OPEN_PAGES if role is None else PAGES_BY_ROLE[role]


def may_open(role: str | None, page: str) -> bool:
    return page in pages_for(role)


def home(role: str | None) -> str:
    return pages_for(role)[0]


def normal_name(name: str) -> str:
    """A user name as matched and logged: trimmed, lower case (names are case-insensitive)."""
    return name.strip().lower()


@dataclass(frozen=True)
class User:
    name: str
    role: str
    email: str | None = None
    password_hash: str | None = None  # None: signs in only through the OpenID Connect provider


# -- the users file --------------------------------------------------------------------------
def users_file(data_dir: Path | str, config: LaunchConfig) -> tuple[Path, bool]:
    """The users file's path and whether it was set (``$LAUNCHBOARD_USERS`` or launch.toml)
    rather than the default in the state folder. Refused inside the data folder: whoever can
    drop extracts must not be able to grant themselves a role."""
    data = Path(data_dir).resolve()
    if os.environ.get(USERS_ENV):
        path, configured = Path(os.environ[USERS_ENV]).expanduser(), True
    elif config.auth.users_file:
        path, configured = data / Path(config.auth.users_file).expanduser(), True
    else:
        path, configured = state_dir(data_dir, config) / DEFAULT_USERS_FILE, False
    path = path.resolve()
    if data in path.parents:
        raise UsersFileError(f"the users file {path} is inside the data folder {data}: keep it outside, "
                             "e.g. in the launch's state folder")
    return path, configured


def active_users_file(data_dir: Path | str, config: LaunchConfig) -> Path | None:
    """The users file sign-in uses, or None when sign-in is off (no users file anywhere).
    Raises UsersFileError when a file was set but is missing."""
    path, configured = users_file(data_dir, config)
    if path.is_file():
        return path
    if configured:
        raise UsersFileError(f"the users file {path} does not exist (set by ${USERS_ENV} or launch.toml "
                             "[auth] users_file): create it with `python -m launchboard users add`")
    return None


def load_users(path: Path) -> dict[str, User]:
    """Every user of the file by normalised name. Raises UsersFileError, naming the entry."""
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsersFileError(f"the users file {path} does not exist") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsersFileError(f"{path}: {exc}") from exc
    entries = doc.get("users", [])
    if not isinstance(entries, list) or set(doc) - {"users"}:
        raise UsersFileError(f"{path}: expected only [[users]] entries")
    out: dict[str, User] = {}
    for i, entry in enumerate(entries, 1):
        where = f"{path}: user {i}"
        if not isinstance(entry, dict) or set(entry) - {"name", "role", "email", "password_hash"}:
            raise UsersFileError(f"{where}: an entry has name, role, email and password_hash only")
        name, role = entry.get("name"), entry.get("role")
        if not isinstance(name, str) or not _NAME.match(name):
            raise UsersFileError(f"{where}: invalid name {name!r}")
        if role not in ROLES:
            raise UsersFileError(f"{where} ({name}): role must be one of {', '.join(ROLES)}, got {role!r}")
        hashed, email = entry.get("password_hash"), entry.get("email")
        if hashed is not None and not (isinstance(hashed, str) and hashed.startswith("$argon2")):
            raise UsersFileError(f"{where} ({name}): password_hash is not an argon2 hash")
        if email is not None and not (isinstance(email, str) and "@" in email):
            raise UsersFileError(f"{where} ({name}): email is not an e-mail address: {email!r}")
        key = normal_name(name)
        if key in out:
            raise UsersFileError(f"{where}: {name} appears twice")
        out[key] = User(name, role, email, hashed)
    return out


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)  # JSON's escapes are TOML basic-string escapes


def save_users(path: Path, users: dict[str, User]) -> None:
    """Write the users file atomically, readable by its owner only (0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Launchboard users: written by `python -m launchboard users`. Passwords are kept only as",
             "# argon2id hashes; an entry without password_hash signs in through the OpenID Connect provider.", ""]
    for user in sorted(users.values(), key=lambda u: normal_name(u.name)):
        lines += ["[[users]]", f"name = {_toml_str(user.name)}", f"role = {_toml_str(user.role)}"]
        if user.email:
            lines.append(f"email = {_toml_str(user.email)}")
        if user.password_hash:
            lines.append(f"password_hash = {_toml_str(user.password_hash)}")
        lines.append("")
    fd, tmp = tempfile.mkstemp(prefix=".users-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("\n".join(lines))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"invalid user name {name!r}: letters, digits and . _ @ + - only, "
                         "starting with a letter or digit, at most 100 characters")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password must have at least {MIN_PASSWORD} characters")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


def verify(users: dict[str, User], name: str, password: str) -> User | None:
    """The user when ``password`` is theirs; None otherwise (an unknown name costs the same)."""
    user = users.get(normal_name(name))
    hashed = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return user if user is not None and user.password_hash else None


def by_email(users: dict[str, User], email: str | None) -> User | None:
    """The user an OpenID Connect identity maps to: by e-mail, or by a name equal to it."""
    if not email:
        return None
    wanted = normal_name(email)
    for user in users.values():
        if wanted in (normal_name(user.email or ""), normal_name(user.name)):
            return user
    return None


# -- rate limit ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lockout:
    failures: int  # failed sign-ins in a row (since the last success or the last lockout's end)
    until: datetime | None  # refused until then; None: not locked


def lockout(attempts: list[tuple[datetime, bool]], now: datetime, *, max_failures: int,
            minutes: float) -> Lockout:
    """Fold one name's checked sign-in attempts (oldest first: when, succeeded) into its state
    at ``now``: ``max_failures`` failures in a row lock it for ``minutes``; a success resets the
    count, and so does the end of a lockout (attempts refused while locked are not attempts)."""
    failures, until = 0, None
    span = timedelta(minutes=minutes)
    for at, ok in attempts:
        if until is not None and at >= until:
            failures, until = 0, None
        if ok:
            failures, until = 0, None
            continue
        failures += 1
        if failures >= max_failures:
            until = at + span
    if until is not None and now >= until:
        return Lockout(0, None)
    return Lockout(failures, until)


# -- OpenID Connect ----------------------------------------------------------------------------
def oidc_provider(auth_section: dict | None) -> tuple[bool, str | None]:
    """From the ``[auth]`` section of ``.streamlit/secrets.toml``: whether an OpenID Connect
    provider is set up, and the name to pass to ``st.login`` (None: the unnamed one)."""
    if not auth_section:
        return False, None
    if "client_id" in auth_section:
        return True, None
    named = sorted(k for k, v in auth_section.items() if isinstance(v, dict) and "client_id" in v)
    return (True, named[0]) if named else (False, None)
