"""Asterisk ``queue_log`` lines -> calls (the assembly; ``readers/queue_log_reader.py`` stages it).

A line is ``epoch|uniqueid|queue|agent|event|data1|data2|...``. One call row is one *visit* of a
caller to a queue: from its ENTERQUEUE (data2 = caller id, data3 = position) to the line that ends
it. The first visit of a uniqueid is call ``<uniqueid>``; a later one of the same channel (say,
moved to another queue after EXITWITHTIMEOUT) is ``<uniqueid>#2``, ``#3``…

- **answered**: CONNECT (data1 = hold time; its agent answered), ended by COMPLETECALLER or
  COMPLETEAGENT (data1 hold, data2 talk time) or a transfer (TRANSFER, BLINDTRANSFER,
  ATTENDEDTRANSFER: data3 hold, data4 talk), which ends the call with resolution ``transferred``.
- **abandoned** (the caller left): ABANDON (data3 = wait), EXITWITHKEY (data4 = wait).
- **rejected** (the system cut or refused the call): EXITWITHTIMEOUT, EXITEMPTY (data3 = wait),
  FULL, JOINEMPTY, JOINUNAVAIL (refused on arrival: arrived = ended).

Times are the lines' epochs. The waits and talk times in the data are cross-checked against them
(a difference over one second is counted as ``times_disagree``) and used only when a line is
missing: a call whose ENTERQUEUE was never logged arrives at its end minus the wait (or minus
hold + talk, or its CONNECT minus the hold); an answered call without CONNECT was answered at its
end minus the talk time. Such calls are counted (``start_missing``, ``connect_missing``); a
refusal (FULL, JOINEMPTY, JOINUNAVAIL) is logged without ENTERQUEUE and is not one of them.

reason and resolution are not in a stock queue_log: the agent desktop writes them with the
``QueueLog()`` dialplan application as a custom event (``wrapup_event``, default ``WRAPUP``:
data1 = reason, data2 = resolution). A wrap-up written before the call's end, or after it in
the same file, is part of the call; one that arrives in a later file makes a new version of the
row (``updated_at`` = the wrap-up's time, which wins over the version without it, spec 3). A
later wrap-up replaces the reason and resolution it gives; a wrap-up's resolution wins over
``transferred``.

A call whose end has not arrived yet is *open*: its lines wait (``Assembly.open``) and it becomes
a row when a later line, or file, brings its end. Lines of other known events (agent log-ins,
pauses, RINGNOANSWER, …) are counted per event and are not calls. Unknown events and lines that
cannot be read are rejected rows with their line and raw text.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .phones import normalise_phone

WRAPUP_EVENT = "WRAPUP"
START = "ENTERQUEUE"
CONNECT = "CONNECT"
# end event -> (outcome, data index of the wait, of the hold, of the talk time), 0-based
ENDS: dict[str, tuple[str, int | None, int | None, int | None]] = {
    "COMPLETECALLER": ("answered", None, 0, 1),
    "COMPLETEAGENT": ("answered", None, 0, 1),
    "TRANSFER": ("answered", None, 2, 3),
    "BLINDTRANSFER": ("answered", None, 2, 3),
    "ATTENDEDTRANSFER": ("answered", None, 2, 3),
    "ABANDON": ("abandoned", 2, None, None),
    "EXITWITHKEY": ("abandoned", 3, None, None),
    "EXITWITHTIMEOUT": ("rejected", 2, None, None),
    "EXITEMPTY": ("rejected", 2, None, None),
    "FULL": ("rejected", None, None, None),
    "JOINEMPTY": ("rejected", None, None, None),
    "JOINUNAVAIL": ("rejected", None, None, None),
}
TRANSFERS = {"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"}
REFUSALS = {"FULL", "JOINEMPTY", "JOINUNAVAIL"}
# Known events that are not part of a call's row: counted per event.
OTHER_EVENTS = frozenset({
    "ADDMEMBER", "REMOVEMEMBER", "AGENTLOGIN", "AGENTLOGOFF", "AGENTCALLBACKLOGIN", "AGENTCALLBACKLOGOFF",
    "PAUSE", "UNPAUSE", "PAUSEALL", "UNPAUSEALL", "PAUSECUSTOM", "RINGNOANSWER", "RINGCANCELED",
    "AGENTDUMP", "QUEUESTART", "CONFIGRELOAD", "SYSCOMPAT", "DID", "INFO", "PENALTY",
})
TOLERANCE_S = 1  # the data's whole seconds against the epochs' whole seconds


@dataclass(slots=True)
class Visit:
    """An open call: the lines of one uniqueid's visit seen so far."""
    uid: str
    n: int  # visit number of the uniqueid (1 = the first)
    start: tuple[int, str, str | None] | None = None  # (epoch, queue, caller id)
    connect: tuple[int, str, int | None] | None = None  # (epoch, agent, hold seconds)
    wrap: tuple[int, str | None, str | None] | None = None  # (epoch, reason, resolution)
    raw: list[str] = field(default_factory=list)  # its lines, for a rejected row's content

    def to_json(self) -> dict:
        return {"uid": self.uid, "n": self.n, "start": self.start, "connect": self.connect,
                "wrap": self.wrap, "raw": self.raw}

    @classmethod
    def from_json(cls, d: dict) -> Visit:
        tup = (lambda x: tuple(x) if x is not None else None)
        return cls(d["uid"], d["n"], tup(d["start"]), tup(d["connect"]), tup(d["wrap"]), list(d["raw"]))


@dataclass(slots=True)
class Done:
    """A uniqueid whose latest visit became a row: how many visits it had, and that row."""
    visits: int
    row: dict


@dataclass
class Assembly:
    """What one file's lines made: call rows (each with ``_line``, the line that completed it, and
    ``_raw``, its lines), rejected lines ``(line, reason, raw)``, the counts, the calls still open
    and the uniqueids whose latest visit is now a row."""
    rows: list[dict] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    other_events: Counter = field(default_factory=Counter)
    open: dict[str, Visit] = field(default_factory=dict)
    done: dict[str, Done] = field(default_factory=dict)


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if text.isdigit() else None


def _at(data: list[str] | tuple[()], i: int) -> int | None:
    if i >= len(data):
        return None
    text = data[i]
    return int(text) if text.isdigit() else _int(text)  # the common case without strip()


def parse_line(text: str) -> tuple[int, str, str, str, str, list[str]] | str:
    """``(epoch, uniqueid, queue, agent, EVENT, data)`` or the reason the line cannot be read."""
    parts = text.split("|")
    if len(parts) < 5:
        return f"unreadable queue_log line: {len(parts)} field(s), expected at least 5 (epoch|uniqueid|queue|agent|event)"
    epoch = parts[0].strip()
    whole = epoch.split(".", 1)[0]
    if not whole.isdigit() or (len(epoch) > len(whole) and not epoch[len(whole) + 1:].isdigit()):
        return f"unreadable queue_log line: epoch is not a number: {epoch}"
    event = parts[4].strip().upper()
    if not event:
        return "unreadable queue_log line: no event"
    return int(whole), parts[1].strip(), parts[2].strip(), parts[3].strip(), event, parts[5:]


# The lines of calls, parsed, one after the other in one flat list: per line its number, text, epoch,
# uniqueid, queue, agent, EVENT and its data fields as written (the text after the fifth "|", None
# when there is none). Flat and of plain values, the garbage collector has nothing in it to watch.
Parsed = list
PARSED = 8  # values per line


def parse(lines: list[str], wrapup_event: str = WRAPUP_EVENT) -> tuple[Parsed, Assembly, set[str]]:
    """One pass over a file's lines: the lines of calls (parsed), an Assembly holding the
    rejected lines and the counts so far, and the uniqueids the calls' lines name."""
    out = Assembly()
    calls: Parsed = []
    wrapup_event = wrapup_event.upper()
    kinds = {START: 0, CONNECT: 0, wrapup_event: 0, **{e: 0 for e in ENDS}, **{e: 1 for e in OTHER_EVENTS}}
    # the events as written (already stripped, upper case); anything else goes through strip().upper()
    exact = {e: k for e, k in kinds.items() if e == e.strip().upper()}
    add = calls.extend
    blank = 0
    for number, text in enumerate(lines, 1):
        text = text.rstrip("\r\n")
        parts = text.split("|", 5)
        if len(parts) >= 5 and parts[0].isdigit():  # the common case, without the checks below
            epoch, event = int(parts[0]), parts[4]
            kind = exact.get(event)
            if kind is None:
                event = event.strip().upper()
                kind = kinds.get(event)
        elif not text.strip():
            blank += 1
            continue
        else:
            parsed = parse_line(text)
            if isinstance(parsed, str):
                out.rejected.append((number, parsed, text))
                continue
            epoch, event = parsed[0], parsed[4]
            kind = kinds.get(event)
        if kind == 1:
            out.other_events[event] += 1
            continue
        if kind is None:
            out.rejected.append((number, f"unknown queue_log event: {event}" if event else
                                 "unreadable queue_log line: no event", text))
            continue
        uid = parts[1].strip()
        if not uid or uid.upper() == "NONE":
            out.rejected.append((number, f"queue_log {event} line without a uniqueid", text))
            continue
        add((number, text, epoch, uid, parts[2].strip(), parts[3].strip(), event, parts[5] if len(parts) > 5 else None))
    out.counts["lines"] = len(lines) - blank
    if blank:
        out.counts["blank_lines"] = blank
    out.counts["call_lines"] = len(calls) // PARSED
    return calls, out, set(calls[3::PARSED])


def assemble(lines: list[str], open_calls: dict[str, Visit], done: dict[str, Done],
             wrapup_event: str = WRAPUP_EVENT, prefix: str = "") -> Assembly:
    """Read one file's lines (in order, line 1 first) on top of the calls still open and the
    uniqueids already made into rows (``done``: only those this file names are needed). Returns
    the rows this file completes; ``open_calls`` and ``done`` are not changed (the result holds
    the new state)."""
    calls, out, _ = parse(lines, wrapup_event)
    return assemble_parsed(calls, out, open_calls, done, wrapup_event, prefix)


def assemble_parsed(calls: Parsed, out: Assembly, open_calls: dict[str, Visit], done: dict[str, Done],
                    wrapup_event: str = WRAPUP_EVENT, prefix: str = "") -> Assembly:
    """``assemble`` on lines ``parse`` has read (``out`` holds what it found)."""
    out.open = opened = dict(open_calls)
    known_done = dict(done)
    made_here: dict[str, dict] = {}  # rows this file made, by uniqueid: its later wrap-ups join them
    wrapup_event = wrapup_event.upper()
    counts, rows, done_now, get = out.counts, out.rows, out.done, opened.get

    def new_visit(uid: str, text: str) -> Visit:
        prior = known_done.get(uid)
        visit = opened[uid] = Visit(uid, prior.visits + 1 if prior else 1, None, None, None, [text])
        return visit

    for number, text, epoch, uid, queue, agent, event, data in zip(*[iter(calls)] * PARSED):
        data = data.split("|") if data is not None else ()
        visit = get(uid)
        if event == START:
            if visit is not None and (visit.start is not None or visit.connect is not None):
                counts["restarted_open"] += 1  # an open visit never ended: a new one begins
                visit = None
            if visit is None:
                visit = new_visit(uid, text)
            else:
                visit.raw.append(text)
            visit.start = (epoch, queue, data[1].strip() if len(data) > 1 else None)
            continue
        if event == wrapup_event:
            reason = (data[0].strip() or None) if data else None
            resolution = (data[1].strip() or None) if len(data) > 1 else None
            if visit is None:
                row = made_here.get(uid)
                if row is not None:  # after the end, in the same file: part of the row
                    row["reason"], row["resolution"] = reason or row["reason"], resolution or row["resolution"]
                    row["updated_at"] = epoch
                    row["_raw"] += "\n" + text
                    continue
                prior = known_done.get(uid)
                if prior is not None:  # after the row, in a later file: a new version
                    row = dict(prior.row)
                    row["reason"], row["resolution"] = reason or row["reason"], resolution or row["resolution"]
                    row["updated_at"] = epoch
                    row["_line"], row["_raw"] = number, text
                    known_done[uid] = done_now[uid] = Done(prior.visits, row)
                    made_here[uid] = row
                    rows.append(row)
                    counts["wrapup_versions"] += 1
                    continue
                visit = new_visit(uid, text)
            else:
                visit.raw.append(text)
            wrap = visit.wrap
            if wrap is not None:  # a later wrap-up replaces what it gives
                reason, resolution = reason or wrap[1], resolution or wrap[2]
            visit.wrap = (epoch, reason, resolution)
            continue
        if visit is None:  # CONNECT or an end without its ENTERQUEUE
            visit = new_visit(uid, text)
        else:
            visit.raw.append(text)
        if event == CONNECT:
            visit.connect = (epoch, agent, _at(data, 0))
            continue
        row = _row(visit, epoch, queue, agent, event, data, counts, prefix)
        row["_line"], row["_raw"] = number, "\n".join(visit.raw)
        rows.append(row)
        made_here[uid] = row
        del opened[uid]
        known_done[uid] = done_now[uid] = Done(visit.n, row)
    counts["open_calls"] = sum(1 for v in opened.values() if v.start or v.connect)
    counts["wrapups_waiting"] = sum(1 for v in opened.values() if not (v.start or v.connect))
    return out


def _row(visit: Visit, end_at: int, end_queue: str, end_agent: str, event: str, data: list[str] | tuple[()],
         counts: Counter, prefix: str) -> dict:
    """The call row of a visit ended by ``event`` at ``end_at`` (epochs in seconds)."""
    outcome, wait_i, hold_i, talk_i = ENDS[event]
    start, connect = visit.start, visit.connect
    arrived = start[0] if start else None
    if outcome == "answered":  # its data has a hold and a talk time, no wait
        hold, talk = _at(data, hold_i), _at(data, talk_i)
        if connect is not None and hold is None:
            hold = connect[2]
        answered = connect[0] if connect else None
        if answered is None and talk is not None:
            answered = end_at - talk
            counts["connect_missing"] += 1
        if arrived is None:
            if answered is not None and hold is not None:
                arrived = answered - hold
        elif answered is not None and hold is not None and abs((answered - arrived) - hold) > TOLERANCE_S:
            counts["times_disagree"] += 1
        if answered is not None and talk is not None and connect is not None \
                and abs((end_at - answered) - talk) > TOLERANCE_S:
            counts["times_disagree"] += 1
    else:
        answered = None  # a CONNECT before an abandon or a refusal is not an answer
        wait = _at(data, wait_i) if wait_i is not None else None
        if arrived is None:
            arrived = end_at if event in REFUSALS else (end_at - wait if wait is not None else None)
        elif wait is not None and abs((end_at - arrived) - wait) > TOLERANCE_S:
            counts["times_disagree"] += 1
    if start is None and event not in REFUSALS:  # a refusal is logged without ENTERQUEUE
        counts["start_missing"] += 1
    caller = start[2] if start else None
    wrap = visit.wrap
    resolution = wrap[2] if wrap and wrap[2] else ("transferred" if event in TRANSFERS else None)
    agent = (connect[1] if connect else None) or (end_agent if outcome == "answered" else None)
    counts["calls"] += 1
    return {
        "call_id": prefix + visit.uid + ("" if visit.n == 1 else f"#{visit.n}"),
        "queue": (start[1] if start else None) or end_queue or None,
        "arrived_at": arrived,
        "answered_at": answered,
        "ended_at": end_at,
        "outcome": outcome,
        "agent_id": None if not agent or agent.upper() == "NONE" else agent,
        "reason": wrap[1] if wrap else None,
        "resolution": resolution,
        "updated_at": wrap[0] if wrap else None,
        "customer_phone": normalise_phone(caller),
    }
