"""Spec 4: launch.toml, its defaults, and every way it can be invalid (ConfigError)."""
from __future__ import annotations

from datetime import time

import pytest

from launchboard.config import ALERT_DEFAULTS, STATE_ENV, ConfigError, LaunchConfig, load_config, state_dir
from launchboard.loader import DataDirError, Store

SPEC_EXAMPLE = '''
[launch]
name = "iPhone 7 launch"
timezone = "Asia/Seoul"
quiet_hours = ["21:00", "08:00"]

[calls]
service_level_seconds = 20

[messages]
conflict_window_hours = 48

[alerts]                          # the defaults
window_minutes = 60
activation_failure_rate = 0.10
min_attempts = 20
call_loss_rate = 0.20
min_calls = 20
stall_minutes = 120
stall_min_orders = 50
hub_stall_min_orders = 20
stale_feed_minutes = 120          # live freshness warning

[templates.DELIVERY_DELAYED]      # one table per template the data uses
claims = "not_delivered"          # not_delivered | delivered | not_activated | activated | allocated
[templates.ACTIVATION_AUTO_BY_DEADLINE]
conflicts_with = ["ACTIVATION_CALL_ARS"]
'''


def config_of(tmp_path, text: str | bytes) -> LaunchConfig:
    path = tmp_path / "launch.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return load_config(tmp_path)


def test_defaults_without_launch_toml(tmp_path):
    c = load_config(tmp_path)
    assert c.timezone == "Asia/Seoul"
    assert (c.quiet_start, c.quiet_end) == (time(21, 0), time(8, 0))
    assert c.service_level_seconds == 20 and c.conflict_window_hours == 48
    assert c.alerts == {"window_minutes": 60, "activation_failure_rate": 0.10, "min_attempts": 20,
                        "call_loss_rate": 0.20, "min_calls": 20, "stall_minutes": 120, "stall_min_orders": 50,
                        "hub_stall_min_orders": 20, "stale_feed_minutes": 120,
                        "call_surge_ratio": 3.0, "min_surge_calls": 20}
    assert c.call_window_hours == 2
    assert c.templates == {}
    assert c.locale == "en"


def test_spec_example_parses(tmp_path):
    c = config_of(tmp_path, SPEC_EXAMPLE)
    assert c.name == "iPhone 7 launch"
    assert c.alerts == ALERT_DEFAULTS
    assert c.templates["DELIVERY_DELAYED"].claims == "not_delivered"
    assert c.templates["ACTIVATION_AUTO_BY_DEADLINE"].claims is None
    # declared on one side, the conflict holds both ways
    assert c.conflict_pairs() == [("ACTIVATION_AUTO_BY_DEADLINE", "ACTIVATION_CALL_ARS"),
                                  ("ACTIVATION_CALL_ARS", "ACTIVATION_AUTO_BY_DEADLINE")]


def test_partial_settings_keep_other_defaults_and_bom_is_fine(tmp_path):
    c = config_of(tmp_path, '\ufeff[launch]\ntimezone = "UTC"\nquiet_hours = ["22:30", "06:00"]\n'
                            '[alerts]\nmin_calls = 5\ncall_loss_rate = 0.5\n'.encode("utf-8"))
    assert c.timezone == "UTC" and (c.quiet_start, c.quiet_end) == (time(22, 30), time(6, 0))
    assert c.alerts["min_calls"] == 5 and c.alerts["call_loss_rate"] == 0.5
    assert c.alerts["min_attempts"] == 20


def test_locale_korean_or_english(tmp_path):
    assert config_of(tmp_path, '[launch]\nlocale = "ko"\n').locale == "ko"
    assert config_of(tmp_path, '[launch]\nlocale = "en"\n').locale == "en"
    assert config_of(tmp_path, '[launch]\nname = "x"\n').locale == "en"


def test_call_surge_settings(tmp_path):
    c = config_of(tmp_path, "[messages]\ncall_window_hours = 1.5\n[alerts]\ncall_surge_ratio = 2\nmin_surge_calls = 5\n")
    assert (c.call_window_hours, c.alerts["call_surge_ratio"], c.alerts["min_surge_calls"]) == (1.5, 2.0, 5)


@pytest.mark.parametrize("text, words", [
    ("[launch\nname = 1\n", "launch.toml"),                                   # TOML syntax
    ('[launch]\ntimezone = "Mars/Olympus"\n', "unknown timezone"),
    ('[launch]\ntimezone = "Asia/Seol"\n', "unknown timezone"),
    ('[launch]\nlocale = "fr"\n', "launch.locale must be one of 'ko', 'en', got 'fr'"),
    ('[launch]\nlocale = "ko-KR"\n', "launch.locale must be one of"),
    ('[launch]\nquiet_hours = ["21:00"]\n', "quiet_hours"),
    ('[launch]\nquiet_hours = ["9pm", "08:00"]\n', "quiet_hours[0]"),
    ('[launch]\nquiet_hours = ["21:00", "24:00"]\n', "quiet_hours[1]"),
    ('[templates.X]\nclaims = "shipped"\n', "claims must be one of"),
    ('[templates.X]\nclaims = 1\n', "claims must be one of"),
    ('[templates.X]\nconflicts_with = "Y"\n', "conflicts_with"),
    ('[templates.X]\nconflicts_with = [1]\n', "conflicts_with"),
    ('templates = 3\n', "[templates] must be a table"),
    ('[templates]\nX = "not_delivered"\n', "[templates.X] must be a table"),
    ('[alerts]\nmin_calls = -1\n', "non-negative"),
    ('[alerts]\nmin_calls = 2.5\n', "whole number"),
    ('[alerts]\nmin_calls = "20"\n', "non-negative number"),
    ('[alerts]\nmin_calls = true\n', "non-negative number"),
    ('[alerts]\ncall_loss_rate = 20\n', "fraction"),
    ('[alerts]\nactivation_failure_rate = 1.5\n', "fraction"),
    ('[alerts]\nmin_call = 20\n', "unknown setting alerts.min_call"),
    ('[calls]\nservice_level_seconds = "20s"\n', "service_level_seconds"),
    ('[messages]\nconflict_window_hours = -48\n', "conflict_window_hours"),
    ('alerts = [1, 2]\n', "[alerts] must be a table"),
    ('[alerts]\ncall_surge_ratio = 0.5\n', "call_surge_ratio is a multiple of the normal rate, at least 1"),
    ('[alerts]\nmin_surge_calls = 2.5\n', "alerts.min_surge_calls must be a whole number"),
    ('[messages]\ncall_window_hours = 0\n', "call_window_hours must be more than 0 and at most 24"),
    ('[messages]\ncall_window_hours = 25\n', "call_window_hours must be more than 0 and at most 24"),
    ('[messages]\ncall_window_hours = "2h"\n', "messages.call_window_hours must be a non-negative number"),
    (b'[launch]\nname = "\xff\xfe"\n', "launch.toml"),                       # not UTF-8
])
def test_invalid_launch_toml_raises_config_error(tmp_path, text, words):
    with pytest.raises(ConfigError) as info:
        config_of(tmp_path, text)
    assert words in str(info.value)


def test_store_refuses_invalid_toml_and_missing_folder(tmp_path):
    (tmp_path / "launch.toml").write_text('[launch]\ntimezone = "Nowhere/City"\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        Store(tmp_path)
    with pytest.raises(DataDirError):
        Store(tmp_path / "missing")


def test_state_folder_from_env_then_launch_toml_then_per_data_folder_default(tmp_path, monkeypatch):
    data = tmp_path / "launch"
    data.mkdir()
    monkeypatch.delenv(STATE_ENV, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    default = state_dir(data, load_config(data))
    assert default.parent == tmp_path / "xdg" / "launchboard"
    assert default.name.startswith("launch-") and len(default.name) == len("launch-") + 8
    # another folder of the same name elsewhere gets a state folder of its own
    other = tmp_path / "elsewhere" / "launch"
    other.mkdir(parents=True)
    assert state_dir(other, load_config(other)) != default

    (data / "launch.toml").write_text('[state]\nfolder = "../launch-state"\n')
    assert state_dir(data, load_config(data)) == tmp_path / "launch-state"
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "from-env"))
    assert state_dir(data, load_config(data)) == tmp_path / "from-env"


def test_a_state_folder_inside_the_data_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(STATE_ENV, raising=False)
    data = tmp_path / "launch"
    data.mkdir()
    (data / "launch.toml").write_text('[state]\nfolder = "state"\n')
    with pytest.raises(ConfigError, match="inside the data folder"):
        state_dir(data, load_config(data))
    (data / "launch.toml").write_text("[state]\nfolder = 3\n")
    with pytest.raises(ConfigError, match="state.folder must be a path"):
        load_config(data)
