"""The words an agent reads on an order card (``launchboard.lookup``): stages, scans, calls,
timeline sources, durations, moments and the promise status of a milestone, in the language
of the work at hand (``launchboard.i18n``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .i18n import N_, NP_, _, pgettext, when

# Words for the agent (translated where shown: stage_text, scan_text, call_text).
STAGE_WORDS = {
    "reserved": N_("Waiting for stock"),
    "allocated": N_("Phone assigned, waiting to be packed"),
    "packed": N_("Packed, waiting for the courier"),
    "in_transit": N_("On its way with the courier"),
    "delivered": N_("Delivered, not activated yet"),
    "returned": N_("Returned by the courier"),
    "activation_pending": N_("Activation in progress"),
    "activation_failed": N_("Activation failed"),
    "activated": N_("Activated"),
    "cancelled": N_("Cancelled"),
}
SCAN_WORDS = {
    "packed": NP_("scan", "Packed"),
    "picked_up": NP_("scan", "Picked up by the courier"),
    "at_hub": NP_("scan", "Scanned at a hub"),
    "out_for_delivery": NP_("scan", "Out for delivery"),
    "failed_attempt": NP_("scan", "Delivery attempt failed"),
    "delivered": NP_("scan", "Delivered"),
    "returned": NP_("scan", "Returned to sender"),
}
CALL_WORDS = {
    "answered": NP_("call", "answered"),
    "abandoned": NP_("call", "abandoned (caller hung up while waiting)"),
    "rejected": NP_("call", "rejected by the system"),
    "in_progress": NP_("call", "in progress"),
}

SOURCE_WORDS = {"order": NP_("timeline", "order"), "courier": NP_("timeline", "courier"),
                "activation": NP_("timeline", "activation"), "message": NP_("timeline", "message"),
                "call": NP_("timeline", "call")}


def source_text(source: str) -> str:
    """Where a timeline event comes from, as the card shows it ("courier")."""
    return pgettext("timeline", SOURCE_WORDS[source]) if source in SOURCE_WORDS else source


def stage_text(stage: str) -> str:
    return _(STAGE_WORDS[stage])


def scan_text(event: str) -> str:
    return pgettext("scan", SCAN_WORDS[event]) if event in SCAN_WORDS else event


def call_text(outcome: str) -> str:
    return pgettext("call", CALL_WORDS[outcome]) if outcome in CALL_WORDS else outcome


@dataclass(frozen=True)
class Promise:
    status: str  # none | cancelled | on_time | late | due
    text: str
    late_by: timedelta | None = None


def duration_text(delta: timedelta) -> str:
    """A span in agent words: '35 min', '16 h 5 min', '2 d 3 h'."""
    minutes = max(0, round(delta.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("{days} d {hours} h").format(days=days, hours=hours)
    if hours:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=mins)
    return _("{minutes} min").format(minutes=mins)


def when_text(moment: datetime | None, tz) -> str:
    """A moment in launch-local words, e.g. 'Oct 21 14:30' ('10월 21일 14:30')."""
    return when(moment, tz)


def promise(promised: datetime | None, done_at: datetime | None, as_of: datetime, cancelled: bool,
            what: str, tz) -> Promise:
    """Spec 3b promise status of one milestone, ``what`` "delivered" or "activated" (``done_at``
    is its time, when reached by as_of)."""
    delivery = what == "delivered"
    if promised is None:
        return Promise("none", _("No delivery promise") if delivery else _("No activation promise"))
    if cancelled:
        return Promise("cancelled", _("Order cancelled"))
    words = {"done": when_text(done_at, tz), "promised": when_text(promised, tz)}
    if done_at is not None and done_at <= promised:
        return Promise("on_time", (_("On time: delivered {done}, promised by {promised}") if delivery else
                                   _("On time: activated {done}, promised by {promised}")).format(**words))
    if done_at is not None:
        late = done_at - promised
        return Promise("late", (_("Late by {late}: delivered {done}, promised by {promised}") if delivery else
                                _("Late by {late}: activated {done}, promised by {promised}")).format(
            late=duration_text(late), **words), late)
    if promised <= as_of:
        late = as_of - promised
        return Promise("late", _("Late by {late} so far: promised by {promised}").format(
            late=duration_text(late), promised=words["promised"]), late)
    return Promise("due", _("Due by {promised} (in {left})").format(promised=words["promised"],
                                                                  left=duration_text(promised - as_of)))
