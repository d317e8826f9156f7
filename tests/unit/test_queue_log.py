"""Asterisk queue_log -> calls, the assembly (launchboard.queue_log) on hand-written lines.

Times: T = 1476921600 is 2016-10-20 00:00:00 UTC (09:00 in Seoul); every answer below is worked
out from the lines' epochs by hand.
"""
from launchboard.queue_log import Done, Visit, assemble, parse_line

T = 1476921600


def lines(*rows: str) -> list[str]:
    return [r + "\n" for r in rows]


def by_id(result):
    return {r["call_id"]: r for r in result.rows}


def test_every_end_event_makes_one_call_with_its_outcome():
    log = lines(
        # c1 answered, the caller hangs up: waited 30 s (T+30 - T), talked 120 s
        f"{T}|c1|iphone|NONE|ENTERQUEUE||01012345678|1",
        f"{T + 30}|c1|iphone|Agent/7|CONNECT|30|c1.9|4",
        f"{T + 150}|c1|iphone|Agent/7|COMPLETECALLER|30|120|1",
        # c2 answered, the agent hangs up
        f"{T + 1}|c2|general|NONE|ENTERQUEUE||01022223333|2",
        f"{T + 11}|c2|general|Agent/8|CONNECT|10|c2.9|2",
        f"{T + 71}|c2|general|Agent/8|COMPLETEAGENT|10|60|2",
        # c3 transferred after 40 s of talk
        f"{T + 2}|c3|iphone|NONE|ENTERQUEUE||01033334444|3",
        f"{T + 7}|c3|iphone|Agent/9|CONNECT|5|c3.9|1",
        f"{T + 47}|c3|iphone|Agent/9|TRANSFER|200|from-internal|5|40|3",
        # c4 abandoned after 90 s; c5 left with a key after 12 s (abandoned)
        f"{T + 3}|c4|ars|NONE|ENTERQUEUE||01044445555|4",
        f"{T + 93}|c4|ars|NONE|ABANDON|4|4|90",
        f"{T + 4}|c5|ars|NONE|ENTERQUEUE||01055556666|5",
        f"{T + 16}|c5|ars|NONE|EXITWITHKEY|1|5|5|12",
        # c6 timed out after 300 s, c7 put out of an empty queue (both rejected)
        f"{T + 5}|c6|iphone|NONE|ENTERQUEUE||01066667777|6",
        f"{T + 305}|c6|iphone|NONE|EXITWITHTIMEOUT|6|6|300",
        f"{T + 6}|c7|general|NONE|ENTERQUEUE||01077778888|7",
        f"{T + 8}|c7|general|NONE|EXITEMPTY|1|7|2",
        # c8 refused on arrival: a queue FULL line alone (no ENTERQUEUE is written)
        f"{T + 9}|c8|iphone|NONE|FULL|||",
    )
    a = assemble(log, {}, {})
    calls = by_id(a)
    assert sorted(calls) == ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"]
    c1 = calls["c1"]
    assert (c1["arrived_at"], c1["answered_at"], c1["ended_at"]) == (T, T + 30, T + 150)
    assert (c1["outcome"], c1["agent_id"], c1["queue"], c1["resolution"]) == ("answered", "Agent/7", "iphone", None)
    assert c1["customer_phone"] == "01012345678"
    assert c1["_line"] == 3  # the line that ended it
    assert c1["_raw"].splitlines()[0] == f"{T}|c1|iphone|NONE|ENTERQUEUE||01012345678|1"
    assert calls["c2"]["outcome"] == "answered" and calls["c2"]["ended_at"] == T + 71
    assert (calls["c3"]["outcome"], calls["c3"]["resolution"], calls["c3"]["ended_at"]) == ("answered", "transferred", T + 47)
    assert [calls[c]["outcome"] for c in ("c4", "c5", "c6", "c7", "c8")] == ["abandoned"] * 2 + ["rejected"] * 3
    assert calls["c4"]["answered_at"] is None and calls["c4"]["agent_id"] is None
    # the refusal: arrived = ended = its line, caller unknown
    assert (calls["c8"]["arrived_at"], calls["c8"]["ended_at"], calls["c8"]["customer_phone"]) == (T + 9, T + 9, None)
    assert a.counts["calls"] == 8 and a.counts["start_missing"] == 0  # c8's refusal has no ENTERQUEUE by design
    assert a.counts["times_disagree"] == 0 and a.counts["open_calls"] == 0
    assert a.rejected == []


def test_an_open_call_waits_and_a_later_file_completes_it():
    first = lines(
        f"{T}|c1|iphone|NONE|ENTERQUEUE||+82 10-1234-5678|1",
        f"{T + 20}|c1|iphone|Agent/7|CONNECT|20|c1.9|3",
        f"{T + 25}|c2|iphone|NONE|ENTERQUEUE||anonymous|2",
    )
    a = assemble(first, {}, {})
    assert a.rows == [] and a.counts["open_calls"] == 2
    assert sorted(a.open) == ["c1", "c2"]
    # the queue_log rotates: the ends arrive in the next file (state kept as JSON in between)
    carried = {uid: Visit.from_json(v.to_json()) for uid, v in a.open.items()}
    second = lines(f"{T + 80}|c1|iphone|Agent/7|COMPLETEAGENT|20|60|1", f"{T + 85}|c2|iphone|NONE|ABANDON|1|2|60")
    b = assemble(second, carried, {})
    calls = by_id(b)
    # c1: arrived T (first file), answered T+20, ended T+80 (second file, line 1)
    assert (calls["c1"]["arrived_at"], calls["c1"]["answered_at"], calls["c1"]["ended_at"]) == (T, T + 20, T + 80)
    assert calls["c1"]["_line"] == 1 and calls["c1"]["customer_phone"] == "01012345678"
    assert len(calls["c1"]["_raw"].splitlines()) == 3
    # c2 abandoned after 60 s; "anonymous" has no number
    assert (calls["c2"]["outcome"], calls["c2"]["customer_phone"]) == ("abandoned", None)
    assert b.open == {} and b.counts["open_calls"] == 0
    assert set(b.done) == {"c1", "c2"} and b.done["c1"].visits == 1


def test_other_events_are_counted_not_calls():
    log = lines(
        f"{T}|NONE|NONE|Agent/7|AGENTLOGIN|SIP/7001",
        f"{T}|NONE|iphone|Agent/7|ADDMEMBER|",
        f"{T + 1}|NONE|iphone|Agent/7|PAUSE|lunch",
        f"{T + 2}|NONE|iphone|Agent/7|UNPAUSE|",
        f"{T + 3}|c1|iphone|NONE|ENTERQUEUE||01012345678|1",
        f"{T + 9}|c1|iphone|Agent/8|RINGNOANSWER|6000",
        f"{T + 10}|c1|iphone|Agent/7|RINGCANCELED|500",
        f"{T + 11}|NONE|NONE|NONE|QUEUESTART|",
        f"{T + 12}|NONE|NONE|NONE|CONFIGRELOAD|",
        f"{T + 13}|NONE|NONE|Agent/7|PAUSEALL|",
        f"{T + 14}|NONE|NONE|Agent/7|UNPAUSEALL|",
        f"{T + 15}|NONE|iphone|Agent/7|REMOVEMEMBER|",
        f"{T + 16}|NONE|NONE|Agent/7|AGENTLOGOFF|SIP/7001|16",
    )
    a = assemble(log, {}, {})
    assert a.rows == [] and a.rejected == []
    assert sum(a.other_events.values()) == 12
    assert a.other_events["RINGNOANSWER"] == 1 and a.other_events["AGENTLOGIN"] == 1
    assert a.counts["lines"] == 13 and a.counts["call_lines"] == 1 and a.counts["open_calls"] == 1


def test_unknown_events_and_unreadable_lines_are_rejected_with_line_and_content():
    log = lines(
        f"{T}|c1|iphone|NONE|ENTERQUEUE||01012345678|1",
        f"{T + 1}|c1|iphone|NONE|HOLDMUSIC|jazz",  # line 2: unknown event
        "garbage without pipes",  # line 3
        f"yesterday|c1|iphone|NONE|ABANDON|1|1|5",  # line 4: epoch is not a number
        "",  # line 5: blank, skipped
        f"{T + 2}|c1|iphone|NONE||1|1|5",  # line 6: no event
        f"{T + 3}||iphone|NONE|ABANDON|1|1|3",  # line 7: a call event without uniqueid
        f"{T + 4}|c1|iphone|NONE|ABANDON|1|1|4",  # line 8: ends c1
    )
    a = assemble(log, {}, {})
    assert [(line, reason.split(":")[0]) for line, reason, _ in a.rejected] == [
        (2, "unknown queue_log event"), (3, "unreadable queue_log line"), (4, "unreadable queue_log line"),
        (6, "unreadable queue_log line"), (7, "queue_log ABANDON line without a uniqueid"),
    ]
    assert a.rejected[0] == (2, "unknown queue_log event: HOLDMUSIC", f"{T + 1}|c1|iphone|NONE|HOLDMUSIC|jazz")
    assert a.rejected[1][2] == "garbage without pipes"
    assert a.rejected[2][1] == "unreadable queue_log line: epoch is not a number: yesterday"
    assert [r["call_id"] for r in a.rows] == ["c1"] and a.rows[0]["_line"] == 8
    assert a.counts["lines"] == 7 and a.counts["blank_lines"] == 1


def test_wrapup_before_the_end_is_part_of_the_call_and_after_it_a_new_version():
    log = lines(
        f"{T}|c1|iphone|NONE|ENTERQUEUE||01012345678|1",
        f"{T + 10}|c1|iphone|Agent/7|CONNECT|10|c1.9|2",
        f"{T + 40}|c1|iphone|Agent/7|WRAPUP|delivery|no_info",  # written during the call
        f"{T + 60}|c1|iphone|Agent/7|COMPLETECALLER|10|50|1",
        f"{T + 100}|c2|iphone|NONE|ENTERQUEUE||01022223333|1",
        f"{T + 105}|c2|iphone|Agent/8|CONNECT|5|c2.9|2",
        f"{T + 205}|c2|iphone|Agent/8|TRANSFER|300|ctx|5|100|1",
    )
    a = assemble(log, {}, {})
    calls = by_id(a)
    assert (calls["c1"]["reason"], calls["c1"]["resolution"], calls["c1"]["updated_at"]) == ("delivery", "no_info", T + 40)
    assert (calls["c2"]["reason"], calls["c2"]["resolution"], calls["c2"]["updated_at"]) == (None, "transferred", None)
    # the next file: c2's wrap-up after its end (a new version), and a correction of c1's reason
    later = lines(f"{T + 230}|c2|iphone|Agent/8|WRAPUP|activation|", f"{T + 240}|c1|iphone|Agent/7|WRAPUP|stock|")
    b = assemble(later, {}, a.done)
    assert [(r["call_id"], r["_line"]) for r in b.rows] == [("c2", 1), ("c1", 2)]
    c2, c1 = b.rows
    # c2 keeps "transferred" (the wrap-up gives no resolution), gains its reason, updated T+230
    assert (c2["reason"], c2["resolution"], c2["updated_at"], c2["ended_at"]) == ("activation", "transferred", T + 230, T + 205)
    assert (c1["reason"], c1["resolution"], c1["updated_at"]) == ("stock", "no_info", T + 240)
    assert b.counts["wrapup_versions"] == 2 and b.counts["calls"] == 0
    # a wrap-up after the end but in the same file is part of the row (no second version)
    same = assemble(lines(f"{T}|c5|q|NONE|ENTERQUEUE||010|1", f"{T + 5}|c5|q|A|CONNECT|5|x|1",
                          f"{T + 50}|c5|q|A|COMPLETEAGENT|5|45|1", f"{T + 70}|c5|q|A|WRAPUP|cancel|callback"), {}, {})
    assert len(same.rows) == 1 and same.counts["wrapup_versions"] == 0
    assert (same.rows[0]["reason"], same.rows[0]["resolution"], same.rows[0]["updated_at"]) == ("cancel", "callback", T + 70)
    assert same.rows[0]["_line"] == 3 and len(same.rows[0]["_raw"].splitlines()) == 4
    assert same.done["c5"].row["resolution"] == "callback"
    # a wrap-up for a call not seen yet waits for it
    c = assemble(lines(f"{T}|c9|iphone|Agent/7|WRAPUP|other|resolved"), {}, {})
    assert c.rows == [] and c.counts["wrapups_waiting"] == 1 and c.counts["open_calls"] == 0
    d = assemble(lines(f"{T - 50}|c9|iphone|NONE|ENTERQUEUE||010|1", f"{T + 5}|c9|iphone|NONE|ABANDON|1|1|55"),
                 c.open, {})
    assert (d.rows[0]["reason"], d.rows[0]["resolution"], d.rows[0]["arrived_at"]) == ("other", "resolved", T - 50)


def test_the_wrapup_event_name_is_configurable():
    log = lines(f"{T}|c1|q|NONE|ENTERQUEUE||010|1", f"{T + 1}|c1|q|A|DISPO|cancel|callback",
                f"{T + 2}|c1|q|NONE|ABANDON|1|1|2")
    assert by_id(assemble(log, {}, {}, wrapup_event="DISPO"))["c1"]["reason"] == "cancel"
    default = assemble(log, {}, {})
    assert default.rejected[0][:2] == (2, "unknown queue_log event: DISPO")


def test_missing_lines_use_the_event_data_and_disagreements_are_counted():
    log = lines(
        # c1: no ENTERQUEUE, no CONNECT: ended T+200 after 50 s hold and 100 s talk
        #     -> answered T+100 (200 - 100), arrived T+50 (100 - 50)
        f"{T + 200}|c1|iphone|Agent/7|COMPLETECALLER|50|100|1",
        # c2: no ENTERQUEUE, abandoned at T+90 after waiting 40 s -> arrived T+50
        f"{T + 90}|c2|iphone|NONE|ABANDON|3|3|40",
        # c3: the data says 10 s hold but the lines say 25 s (T -> T+25): lines win, counted
        f"{T}|c3|iphone|NONE|ENTERQUEUE||010|1",
        f"{T + 25}|c3|iphone|Agent/7|CONNECT|10|x|1",
        f"{T + 85}|c3|iphone|Agent/7|COMPLETEAGENT|10|60|1",
    )
    a = assemble(log, {}, {})
    calls = by_id(a)
    assert (calls["c1"]["arrived_at"], calls["c1"]["answered_at"], calls["c1"]["ended_at"]) == (T + 50, T + 100, T + 200)
    assert calls["c1"]["agent_id"] == "Agent/7"
    assert calls["c2"]["arrived_at"] == T + 50
    assert (calls["c3"]["arrived_at"], calls["c3"]["answered_at"]) == (T, T + 25)
    assert a.counts["start_missing"] == 2 and a.counts["connect_missing"] == 1 and a.counts["times_disagree"] == 1


def test_a_later_visit_of_the_same_channel_is_its_own_call():
    log = lines(
        f"{T}|c1|iphone|NONE|ENTERQUEUE||010|1",
        f"{T + 60}|c1|iphone|NONE|EXITWITHTIMEOUT|1|1|60",  # refused by iphone after 60 s
        f"{T + 61}|c1|general|NONE|ENTERQUEUE||010|1",  # sent on to general
        f"{T + 70}|c1|general|Agent/3|CONNECT|9|x|1",
        f"{T + 130}|c1|general|Agent/3|COMPLETECALLER|9|60|1",
    )
    a = assemble(log, {}, {})
    assert [(r["call_id"], r["queue"], r["outcome"]) for r in a.rows] == [
        ("c1", "iphone", "rejected"), ("c1#2", "general", "answered")]
    # a third visit in a later file continues the numbering
    b = assemble(lines(f"{T + 200}|c1|ars|NONE|ENTERQUEUE||010|1", f"{T + 210}|c1|ars|NONE|ABANDON|1|1|10"),
                 {}, {"c1": Done(2, a.rows[1])}, prefix="pbx1-")
    assert b.rows[0]["call_id"] == "pbx1-c1#3"


def test_parse_line():
    assert parse_line(f"{T}|u|q|NONE|enterqueue||010|1") == (T, "u", "q", "NONE", "ENTERQUEUE", ["", "010", "1"])
    assert parse_line(f"{T}.25|u|q|NONE|ABANDON") == (T, "u", "q", "NONE", "ABANDON", [])
    assert parse_line("1|2|3|4").startswith("unreadable queue_log line: 4 field(s)")


def test_the_other_transfer_and_refusal_events():
    log = lines(
        # t1: a blind transfer after 30 s of talk (hold 4 = 4 - 0): answered, transferred
        f"{T}|t1|q|NONE|ENTERQUEUE||010|1",
        f"{T + 4}|t1|q|A|CONNECT|4|x|1",
        f"{T + 34}|t1|q|A|BLINDTRANSFER|300|ctx|4|30|1",
        # t2: an attended transfer (Asterisk 12+: BRIDGE|id|hold|talk|pos)
        f"{T + 1}|t2|q|NONE|ENTERQUEUE||010|2",
        f"{T + 3}|t2|q|B|CONNECT|2|x|1",
        f"{T + 13}|t2|q|B|ATTENDEDTRANSFER|BRIDGE|b-1|2|10|2",
        # t3, t4: refused on arrival because no member could take calls
        f"{T + 5}|t3|q|NONE|JOINEMPTY|||",
        f"{T + 6}|t4|q|NONE|JOINUNAVAIL|||",
    )
    calls = by_id(assemble(log, {}, {}))
    assert [(c, calls[c]["outcome"], calls[c]["resolution"]) for c in sorted(calls)] == [
        ("t1", "answered", "transferred"), ("t2", "answered", "transferred"),
        ("t3", "rejected", None), ("t4", "rejected", None)]
    assert (calls["t1"]["answered_at"], calls["t1"]["ended_at"], calls["t2"]["agent_id"]) == (T + 4, T + 34, "B")
    assert (calls["t3"]["arrived_at"], calls["t3"]["ended_at"]) == (T + 5, T + 5)
