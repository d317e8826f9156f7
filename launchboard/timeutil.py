"""Reading and writing moments in the launch time zone."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)?$"
)


def parse_moment(text: str, tz: ZoneInfo) -> datetime:
    """Spec 1 timestamp text as an aware datetime; without an offset it is launch-local."""
    value = text.strip()
    if not _ISO.match(value):
        raise ValueError(f"not a timestamp (YYYY-MM-DD HH:MM[:SS][+09:00]): {text!r}")
    value = value.replace(" ", "T", 1).replace("z", "Z").replace(" ", "")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def iso(moment: datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 with the launch time zone's offset, e.g. 2016-10-21T22:00:00+09:00."""
    if moment is None:
        return None
    local = moment.astimezone(tz)
    return local.isoformat(timespec="microseconds" if local.microsecond else "seconds")


def local_text(moment: datetime | None, tz: ZoneInfo) -> str:
    """A short human form, e.g. 2016-10-21 22:00 (the launch zone is implied on screen)."""
    if moment is None:
        return "—"
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
