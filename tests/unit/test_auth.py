"""Sign-in rules: roles and pages, the users file (hashes only), its command, the lockout fold,
launch.toml [auth], and mapping an OpenID Connect identity to a role."""
from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta, timezone

import pytest

from launchboard import accesslog, auth, cli
from launchboard.config import ConfigError, LaunchConfig, load_config

PASSWORD = "correct-horse-9"


def test_pages_of_each_role():
    assert auth.pages_for("manager") == ("status", "pipeline", "activations", "messages", "calls", "review", "quality")
    assert auth.pages_for("agent") == ("lookup",)
    assert auth.pages_for("analyst") == ("status", "pipeline", "activations", "messages", "calls", "lookup",
                                         "review", "quality", "explore")
    assert auth.pages_for("admin") == ("access_log", "users")
    # sign-in off: every page as before, none of the admin's
    assert auth.pages_for(None) == ("status", "pipeline", "activations", "messages", "calls", "lookup", "review",
                                    "quality", "explore")
    assert [auth.home(r) for r in (None, "manager", "agent", "analyst", "admin")] == [
        "status", "status", "lookup", "status", "access_log"]
    assert not auth.may_open("manager", "explore") and not auth.may_open("manager", "lookup")
    assert not auth.may_open("agent", "status") and not auth.may_open("analyst", "access_log")


def _add(argv, monkeypatch, capsys, passwords=(PASSWORD, PASSWORD)):
    """Run ``python -m launchboard users …`` with getpass answering ``passwords`` in turn."""
    answers = iter(passwords)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code = cli.main(["users", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_users_add_keeps_only_an_argon2_hash(tmp_path, monkeypatch, capsys):
    path = tmp_path / "state" / "users.toml"
    code, out, _ = _add(["add", "Mina", "--role", "agent", "--file", str(path)], monkeypatch, capsys)
    assert code == 0 and out.startswith("added Mina (agent) in ")
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    assert 'name = "Mina"' in text and 'role = "agent"' in text
    assert 'password_hash = "$argon2id$v=19$m=65536,t=3,p=4$' in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # readable by its owner only
    users = auth.load_users(path)
    assert list(users) == ["mina"]
    assert auth.verify(users, "mina", PASSWORD) == users["mina"]
    assert auth.verify(users, " MINA ", PASSWORD) == users["mina"]  # names are case-insensitive
    assert auth.verify(users, "mina", PASSWORD + "x") is None
    assert auth.verify(users, "nobody", PASSWORD) is None


def test_users_add_refuses_differing_passwords_and_short_ones(tmp_path, monkeypatch, capsys):
    path = tmp_path / "users.toml"
    code, _, err = _add(["add", "jun", "--role", "manager", "--file", str(path)], monkeypatch, capsys,
                        (PASSWORD, PASSWORD + "!"))
    assert code == 2 and "the two passwords differ; nothing was written" in err
    assert not path.exists()
    code, _, err = _add(["add", "jun", "--role", "manager", "--file", str(path)], monkeypatch, capsys,
                        ("short", "short"))
    assert code == 2 and "at least 8 characters" in err and not path.exists()


def test_users_add_list_replace_remove(tmp_path, monkeypatch, capsys):
    path = tmp_path / "users.toml"
    assert _add(["add", "jun", "--role", "manager", "--file", str(path)], monkeypatch, capsys)[0] == 0
    code, _, err = _add(["add", "JUN", "--role", "admin", "--file", str(path)], monkeypatch, capsys)
    assert code == 2 and "already in" in err and "--replace" in err
    assert _add(["add", "jun", "--role", "admin", "--replace", "--file", str(path)], monkeypatch, capsys)[0] == 0
    assert _add(["add", "sso.user@example.com", "--role", "analyst", "--no-password", "--email",
                 "SSO.User@Example.com", "--file", str(path)], monkeypatch, capsys, ())[0] == 0
    code, out, _ = _add(["list", "--file", str(path)], monkeypatch, capsys, ())
    assert out.splitlines() == ["jun\tadmin\t-\tpassword",
                                "sso.user@example.com\tanalyst\tSSO.User@Example.com\tOpenID Connect only"]
    users = auth.load_users(path)
    assert auth.verify(users, "sso.user@example.com", "") is None  # no password: identity provider only
    code, out, _ = _add(["remove", "Jun", "--file", str(path)], monkeypatch, capsys, ())
    assert code == 0 and list(auth.load_users(path)) == ["sso.user@example.com"]


def test_users_command_logs_changes_in_the_launchs_access_log(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("LAUNCHBOARD_STATE", str(tmp_path / "state"))
    monkeypatch.delenv("LAUNCHBOARD_USERS", raising=False)
    code, out, _ = _add(["add", "mina", "--role", "agent", "--data", str(data)], monkeypatch, capsys)
    assert code == 0 and out.endswith(f"in {tmp_path / 'state' / 'users.toml'}\n")  # default: the state folder
    _add(["remove", "mina", "--data", str(data)], monkeypatch, capsys, ())
    log = accesslog.AccessLog.in_folder(tmp_path / "state").frame()
    assert log["event"].tolist() == ["user_removed", "user_added"]
    assert log["target"].tolist() == ["mina", "mina"]
    assert log["detail"].isna().tolist() == [True, False] and log["detail"].iloc[1] == "role agent"
    assert all(u.startswith("cli:") for u in log["user"])


def test_password_from_stdin(tmp_path, monkeypatch, capsys):
    import io

    path = tmp_path / "users.toml"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["users", "add", "sora", "--role", "analyst", "--password-stdin", "--file", str(path)]) == 0
    assert auth.verify(auth.load_users(path), "sora", PASSWORD) is not None


@pytest.mark.parametrize("text, says", [
    ('[[users]]\nname = "a"\nrole = "boss"\n', "user 1 (a): role must be one of manager, agent, analyst, admin"),
    ('[[users]]\nname = "a"\nrole = "agent"\npassword = "hunter22"\n', "user 1: an entry has name, role"),
    ('[[users]]\nname = "a"\nrole = "agent"\npassword_hash = "hunter22"\n', "password_hash is not an argon2 hash"),
    ('[[users]]\nname = "a b"\nrole = "agent"\n', "invalid name 'a b'"),
    ('[[users]]\nname = "a"\nrole = "agent"\n[[users]]\nname = "A"\nrole = "admin"\n', "user 2: A appears twice"),
    ('users = 3\n', "expected only [[users]] entries"),
    ('[[users]\n', "users.toml: "),
])
def test_invalid_users_file_names_the_entry(tmp_path, text, says):
    path = tmp_path / "users.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(auth.UsersFileError) as err:
        auth.load_users(path)
    assert says in str(err.value)


def test_where_the_users_file_is(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("LAUNCHBOARD_STATE", str(tmp_path / "state"))
    monkeypatch.delenv("LAUNCHBOARD_USERS", raising=False)
    config = LaunchConfig()
    # nothing set: users.toml in the state folder, and sign-in is off while it does not exist
    assert auth.users_file(data, config) == ((tmp_path / "state" / "users.toml").resolve(), False)
    assert auth.active_users_file(data, config) is None
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "users.toml").write_text("", encoding="utf-8")
    assert auth.active_users_file(data, config) == (tmp_path / "state" / "users.toml").resolve()
    # launch.toml [auth] users_file, relative to the data folder: set but missing is an error
    (data / "launch.toml").write_text('[auth]\nusers_file = "../secure/users.toml"\n', encoding="utf-8")
    config = load_config(data)
    with pytest.raises(auth.UsersFileError, match="does not exist"):
        auth.active_users_file(data, config)
    assert auth.users_file(data, config) == ((tmp_path / "secure" / "users.toml").resolve(), True)
    # the environment wins
    monkeypatch.setenv("LAUNCHBOARD_USERS", str(tmp_path / "env.toml"))
    assert auth.users_file(data, config) == ((tmp_path / "env.toml").resolve(), True)
    # never inside the data folder: whoever drops extracts must not grant roles
    monkeypatch.setenv("LAUNCHBOARD_USERS", str(data / "users.toml"))
    with pytest.raises(auth.UsersFileError, match="inside the data folder"):
        auth.users_file(data, config)


def test_auth_settings_in_launch_toml(tmp_path):
    (tmp_path / "launch.toml").write_text("[auth]\nidle_minutes = 15\nlockout_minutes = 2.5\nmax_failures = 3\n",
                                          encoding="utf-8")
    settings = load_config(tmp_path).auth
    assert (settings.users_file, settings.idle_minutes, settings.lockout_minutes, settings.max_failures) == (
        None, 15.0, 2.5, 3)
    assert LaunchConfig().auth.idle_minutes == 30 and LaunchConfig().auth.max_failures == 5
    for bad, says in (("idle = 3", "unknown setting auth.idle"), ("max_failures = 2.5", "whole number"),
                      ("idle_minutes = 0", "must be more than 0"), ('users_file = ""', "must be a path")):
        (tmp_path / "launch.toml").write_text(f"[auth]\n{bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=says):
            load_config(tmp_path)


T0 = datetime(2016, 10, 21, 9, 0, tzinfo=timezone.utc)


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_five_failures_in_a_row_lock_the_name_for_five_minutes():
    rule = {"max_failures": 5, "minutes": 5}
    fails = [(_at(m), False) for m in (0, 1, 2, 3, 4)]
    # four failures: not locked yet
    assert auth.lockout(fails[:4], _at(3.5), **rule) == auth.Lockout(4, None)
    # the fifth at 09:04 locks until 09:09
    assert auth.lockout(fails, _at(4), **rule) == auth.Lockout(5, _at(9))
    assert auth.lockout(fails, _at(8.99), **rule) == auth.Lockout(5, _at(9))
    assert auth.lockout(fails, _at(9), **rule) == auth.Lockout(0, None)
    # after the lockout the count starts again: one more failure does not lock
    assert auth.lockout(fails + [(_at(10), False)], _at(10), **rule) == auth.Lockout(1, None)
    # a success resets the count
    mixed = [(_at(0), False), (_at(1), False), (_at(2), False), (_at(3), False), (_at(3.5), True), (_at(4), False)]
    assert auth.lockout(mixed, _at(4), **rule) == auth.Lockout(1, None)


def test_access_log_gives_the_attempts_since_the_last_success(tmp_path):
    log = accesslog.AccessLog(tmp_path / "log.sqlite3")
    log.append("sign_in_failed", user="mina", at=_at(0))
    log.append("sign_in", user="mina", role="agent", at=_at(1))
    log.append("sign_in_failed", user="mina", at=_at(2))
    log.append("sign_in_refused", user="mina", at=_at(3))  # refused: not an attempt
    log.append("sign_in_failed", user="jun", at=_at(4))
    assert log.attempts("mina") == [(_at(1), True), (_at(2), False)]
    assert log.attempts("jun") == [(_at(4), False)]
    assert log.attempts("nobody") == []


def test_an_identity_maps_to_a_role_by_e_mail():
    users = {"sso.user@example.com": auth.User("sso.user@example.com", "analyst"),
             "mina": auth.User("mina", "agent", "Mina.Kim@Example.com")}
    assert auth.by_email(users, "mina.kim@example.com").name == "mina"
    assert auth.by_email(users, "SSO.User@example.com").role == "analyst"
    assert auth.by_email(users, "stranger@example.com") is None
    assert auth.by_email(users, None) is None


def test_which_openid_connect_provider():
    assert auth.oidc_provider(None) == (False, None)
    assert auth.oidc_provider({"redirect_uri": "x", "cookie_secret": "y"}) == (False, None)
    assert auth.oidc_provider({"client_id": "a", "client_secret": "b", "server_metadata_url": "u"}) == (True, None)
    assert auth.oidc_provider({"redirect_uri": "x", "google": {"client_id": "a"}, "okta": {"client_id": "b"}}) == (
        True, "google")
