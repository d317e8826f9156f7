"""Sign-in (AppTest): the screen before every page, wrong passwords and the lockout, sign-out,
the idle time, a removed user, sign-in off, and OpenID Connect through st.login / st.user."""
from __future__ import annotations

from datetime import timedelta

import pytest
import streamlit
from launchboard.text import plain
from signin_support import PASSWORD, new_app, sign_in, signed_in, signin_env, texts, write_users


@pytest.fixture
def log(monkeypatch, tmp_path, hub_launch):
    return signin_env(monkeypatch, tmp_path, hub_launch(tmp_path / "launch"))


def test_every_page_asks_for_sign_in_first(log):
    for page in ("status", "explore", "lookup", "access_log"):
        at = new_app()
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception
        assert [t.value for t in at.title] == ["Launchboard"]
        assert at.text_input(key="signin_name").label == "User name"
        assert at.text_input(key="signin_password").proto.type == at.text_input(key="signin_password").proto.PASSWORD
        assert not at.dataframe and not at.metric and not at.sidebar.children.get(0, None)
    assert log.count() == 0


def test_a_manager_signs_in_and_out(log):
    at = signed_in("Jun")
    assert not at.exception
    assert at.title[0].value == "Launch status"
    assert "**jun** · manager" in at.sidebar.markdown[0].value
    entry = log.frame().iloc[0]
    assert (entry["event"], entry["user"], entry["role"], entry["detail"]) == ("sign_in", "jun", "manager", "password")
    at.button(key="auth_sign_out").click().run()
    assert [t.value for t in at.title] == ["Launchboard"]
    assert [i.value for i in at.info] == ["Signed out."]
    assert log.frame()["event"].tolist()[:2] == ["sign_out", "sign_in"]
    assert log.frame().iloc[0]["detail"] == "by the user"


def test_five_wrong_passwords_lock_the_name(log):
    at = new_app().run()
    for attempt in range(1, 5):
        sign_in(at, "mina", "wrong-password")
        assert [e.value for e in at.error] == ["Wrong user name or password."], attempt
    sign_in(at, "mina", "wrong-password")
    locked = at.error[0].value
    assert locked.startswith("Too many failed sign-ins in a row for **mina**: sign-in is refused until ")
    assert locked.endswith("(Asia/Seoul), 5 minutes after the last failure. Ask an admin if this was not you.")
    sign_in(at, "mina", PASSWORD)  # the right password is refused too, for now
    assert at.error[0].value.startswith("Too many failed sign-ins in a row for **mina**")
    assert [t.value for t in at.title] == ["Launchboard"]
    assert log.frame()["event"].tolist() == ["sign_in_refused"] + ["sign_in_failed"] * 5
    # another name is not locked
    sign_in(at, "jun", PASSWORD)
    assert at.title[0].value == "Launch status"


def test_an_unknown_name_fails_like_a_wrong_password(log):
    at = sign_in(new_app().run(), "nobody", PASSWORD)
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    entry = log.frame().iloc[0]
    assert (entry["event"], entry["user"], entry["detail"]) == ("sign_in_failed", "nobody", "unknown name")


def test_an_idle_session_is_signed_out(log):
    at = signed_in("jun")
    session = at.session_state["_lb_session"]
    session.last_active -= timedelta(minutes=31)  # 30 minutes is the default idle time
    at.session_state["_lb_session"] = session
    at.run()
    assert [t.value for t in at.title] == ["Launchboard"]
    assert [i.value for i in at.info] == ["Signed out after 30 minutes without activity."]
    entry = log.frame().iloc[0]
    assert (entry["event"], entry["user"], entry["detail"]) == ("sign_out", "jun", "idle 30 min")


def test_a_removed_user_is_signed_out(log, monkeypatch, tmp_path):
    at = signed_in("jun")
    write_users(tmp_path / "state" / "users.toml", {"mina": "agent"})
    at.run()
    assert [i.value for i in at.info] == ["Signed out: your user was removed."]


def test_a_users_file_that_is_set_but_missing_refuses(monkeypatch, tmp_path, hub_launch):
    signin_env(monkeypatch, tmp_path, hub_launch(tmp_path / "launch"))
    monkeypatch.setenv("LAUNCHBOARD_USERS", str(tmp_path / "gone.toml"))
    at = new_app().run()
    assert not at.exception
    assert at.error[0].value.startswith("Launchboard cannot start sign-in: the users file ")
    assert "does not exist" in at.error[0].value
    assert not at.title and not at.metric


def test_sign_in_off_says_so_and_keeps_every_page_but_the_admins(monkeypatch, tmp_path, hub_launch):
    monkeypatch.setenv("LAUNCHBOARD_DATA", str(hub_launch(tmp_path / "launch")))
    monkeypatch.delenv("LAUNCHBOARD_USERS", raising=False)
    monkeypatch.setenv("LAUNCHBOARD_STATE", str(tmp_path / "state"))
    at = new_app().run()
    assert at.title[0].value == "Launch status"
    assert at.sidebar.caption[0].value.startswith(":material/lock_open: **Sign-in is off**: anyone who can open")
    at.switch_page("app_pages/access_log.py").run()
    assert at.title[0].value == "Not allowed"
    assert at.error[0].value == ("Sign-in is off, and **Access log** is for a signed-in admin: nothing of it is "
                                 "shown.")


def test_openid_connect_uses_st_login_and_maps_the_e_mail(log, monkeypatch, tmp_path):
    write_users(tmp_path / "state" / "users.toml", {"mina@example.com": "agent"})
    calls = []
    monkeypatch.setattr(streamlit, "login", lambda *args: calls.append(args))
    secrets = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s",
                        "google": {"client_id": "id", "client_secret": "secret",
                                   "server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration"}}}
    at = new_app()
    at.secrets = secrets
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception and not at.text_input  # no password form
    at.button(key="auth_oidc_login").click().run()
    assert calls == [("google",)]

    at = new_app()
    at.secrets = secrets
    at.user = {"is_logged_in": True, "email": "Mina@Example.com", "name": "Mina"}
    at.run()
    assert at.title[0].value == "Order lookup"  # the agent's page, by e-mail
    entry = log.frame().iloc[0]
    assert (entry["event"], entry["user"], entry["role"], entry["detail"]) == (
        "sign_in", "mina@example.com", "agent", "OpenID Connect")

    at = new_app()
    at.secrets = secrets
    at.user = {"is_logged_in": True, "email": "stranger@example.com"}
    at.run()
    assert [t.value for t in at.title] == ["Launchboard"]
    assert at.error[0].value == (f"**{plain('stranger@example.com')}** is signed in with the identity provider but "
                                 "has no role in Launchboard: not allowed. An admin can add it on the server:")
    assert at.code[0].value == "python -m launchboard users add stranger@example.com --role ROLE --no-password"
    assert log.frame().iloc[0]["event"] == "not_allowed"


def test_launch_toml_made_invalid_while_running_keeps_sign_in(log, tmp_path):
    """The pages name the error and go on; sign-in goes on with the settings it started with."""
    at = signed_in("jun")
    (tmp_path / "launch" / "launch.toml").write_text("[auth]\nidle = 3\n", encoding="utf-8")
    at.run()
    assert not at.exception and at.title[0].value == "Launch status"
    assert "**jun** · manager" in at.sidebar.markdown[0].value
