"""launch.toml [[sources]]: a valid entry as the loader sees it, and every way one can be invalid
(ConfigError naming launch.toml, the source and the key)."""
from __future__ import annotations

import pytest

from launchboard.config import ConfigError, load_config

VALID = '''
[launch]
timezone = "Asia/Seoul"

[[sources]]
name = "CJ 스캔"
table = "shipments"
folder = "couriers/cj"
files = "*.xlsx"
format = "xlsx"
sheet = "배송조회"
timestamp_format = "%Y.%m.%d %H:%M"
timezone = "UTC"
[sources.columns]
event_id = "스캔번호"
order_id = " 주문번호 "
[sources.constants]
courier = "CJ"
priority_hub = 3
[sources.values.event]
"집하대기" = "packed"

[[sources]]
name = "shop"
table = "orders"
format = "csv"
[sources.options]
delimiter = ";"
'''


def config_of(tmp_path, text: str):
    (tmp_path / "launch.toml").write_text(text, encoding="utf-8")
    return load_config(tmp_path)


def test_a_valid_source_list(tmp_path):
    with pytest.raises(ConfigError, match="constants.priority_hub: 'priority_hub' is not a column of shipments"):
        config_of(tmp_path, VALID)
    cj, shop = config_of(tmp_path, VALID.replace("priority_hub = 3\n", "")).sources
    assert (cj.name, cj.table, cj.format, cj.folder, cj.files, cj.sheet, cj.timezone) == (
        "CJ 스캔", "shipments", "xlsx", "couriers/cj", "*.xlsx", "배송조회", "UTC")
    assert cj.columns == {"event_id": "스캔번호", "order_id": "주문번호"}  # trimmed
    assert cj.constants == {"courier": "CJ"} and cj.timestamp_format == ("%Y.%m.%d %H:%M",)
    assert cj.values == {"event": {"집하대기": "packed"}}
    # shop: every file of orders/, the launch's time zone, its own delimiter
    assert (shop.folder, shop.files, shop.timezone, shop.options) == (None, "*", "Asia/Seoul", {"delimiter": ";"})
    assert cj.matches("1020.XLSX") and not cj.matches("1020.csv")
    # the fingerprint follows what decides the reading, not the glob
    moved = config_of(tmp_path, VALID.replace("priority_hub = 3\n", "").replace('files = "*.xlsx"', 'files = "*"'))
    remapped = config_of(tmp_path, VALID.replace("priority_hub = 3\n", "").replace('"packed"', '"picked_up"'))
    assert moved.sources[0].fingerprint() == cj.fingerprint() != remapped.sources[0].fingerprint()


SOURCE = '[[sources]]\nname = "s"\ntable = "orders"\nformat = "csv"\n'


@pytest.mark.parametrize("text, words", [
    ('sources = 1\n', "[[sources]] must be an array of tables"),
    ('[sources]\nname = "s"\n', "[[sources]] must be an array of tables"),
    ('[[sources]]\ntable = "orders"\nformat = "csv"\n', "source #1: name must be a non-empty string"),
    (SOURCE + SOURCE, "source 's': the name is used by another source"),
    (SOURCE.replace('"orders"', '"order"'), "source 's': table must be one of orders, shipments"),
    (SOURCE.replace('"csv"', '"xls"'), "source 's': format must be one of csv, xlsx, parquet"),
    (SOURCE + 'colums = {}\n', "source 's': unknown key(s) colums"),
    (SOURCE + '[sources.columns]\norder_no = "주문번호"\n', "columns.order_no: 'order_no' is not a column of orders"),
    (SOURCE + '[sources.columns]\norder_id = ""\n', "columns.order_id must be a non-empty string"),
    (SOURCE + 'columns = ["주문번호"]\n', "[sources.columns] must be a table"),
    (SOURCE + '[sources.values.ordered_at]\n"어제" = "2016-10-07 10:00"\n', "a timestamp column takes timestamp_format"),
    (SOURCE + '[sources.values.priority]\n"예" = "maybe"\n', "'maybe' is not a boolean"),
    (SOURCE.replace('"orders"', '"shipments"') + '[sources.values.event]\n"배송완료" = "done"\n',
     "'done' is not a shipments.event value (packed, picked_up"),
    (SOURCE + '[sources.values.channel]\n"온라인" = "web"\n" 온 라 인" = "app"\n',
     "'온라인' and ' 온 라 인' are the same word"),
    (SOURCE + '[sources.columns]\nchannel = "경로"\n[sources.constants]\nchannel = "web"\n',
     "constants.channel: channel is also mapped"),
    (SOURCE.replace('"orders"', '"activations"') + '[sources.constants]\nrequested_via = "phone"\n',
     "'phone' is not a activations.requested_via value"),
    (SOURCE + '[sources.constants]\nordered_at = "today"\n', "constants.ordered_at: not a timestamp"),
    (SOURCE + 'timestamp_format = "YYYY-MM-DD"\n', "timestamp_format must be a strptime format"),
    (SOURCE + 'timestamp_format = "%Y-%Q"\n', "timestamp_format '%Y-%Q': Invalid Input Error"),
    (SOURCE + 'timestamp_format = []\n', "timestamp_format must be a strptime format"),
    (SOURCE + 'timezone = "Seoul"\n', "unknown timezone 'Seoul'"),
    (SOURCE + 'sheet = "주문"\n', "sheet applies to workbooks only, not to format csv"),
    (SOURCE.replace('"csv"', '"parquet"') + '[sources.options]\nx = 1\n', "format parquet takes no options"),
    (SOURCE + '[sources.options]\ndelimiter = ";;"\n', "options: delimiter must be one character"),
    (SOURCE + '[sources.options]\nencoding = "cp949"\n', "options: unknown option(s) for format csv: encoding"),
    (SOURCE + 'folder = "../share"\n', "folder must be a relative path inside the data folder"),
    (SOURCE + 'folder = "/srv/share"\n', "folder must be a relative path inside the data folder"),
    (SOURCE + 'folder = "orders/x"\n', "folder 'orders/x' is a table folder"),
    (SOURCE + 'files = ""\n', "files must be a non-empty string"),
])
def test_invalid_sources_raise_config_error(tmp_path, text, words):
    with pytest.raises(ConfigError) as info:
        config_of(tmp_path, text)
    assert words in str(info.value)
    assert str(info.value).startswith(str(tmp_path / "launch.toml"))


def test_the_lines_that_would_map_unknown_values():
    from launchboard.readers import READERS
    from launchboard.sources import value_map_snippet

    # status takes a value map; the Twilio reader decides template by its rules, so the page says
    # what to do instead of offering a map that would not apply.
    text = value_map_snippet("SMS", [("status", "bounced", 1), ("status", "보류", 3), ("template", "안녕하세요", 2)],
                             READERS["twilio_messages"].fixes)
    assert text == ('# under [[sources]] name = "SMS": fill in each contract value\n'
                    '[sources.values.status]\n"bounced" = ""  # 1 row(s)\n"보류" = ""  # 3 row(s)\n'
                    '# template: no [[sources.options.templates]] rule matches these bodies: add a rule '
                    '(template, prefix or regex) under the source\n#   "안녕하세요"  (2 row(s))')
