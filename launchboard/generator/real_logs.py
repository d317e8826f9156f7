"""The real-shaped sample's two logs: the SMS gateway's Twilio-style export and the contact
centre's Asterisk queue_log, re-shaped from the contract sample's messages and calls (see
``launchboard.generator.real``)."""
from __future__ import annotations

import gzip
import io
import pathlib
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .real_shapes import BODIES, KST_S, OTHER_BODY, TWILIO_ERRORS, read_contract_csv, drop_of
from .story import CUTOFF, DROPS, _t

TWILIO_HEADER = ["From", "To", "Body", "Status", "SentDate", "ApiVersion", "NumSegments", "ErrorCode",
                 "AccountSid", "Sid", "Direction", "Price", "PriceUnit"]
SENDER = "+8215880010"
ACCOUNT = "AC" + "7f3c9a1e5b2d4068" * 2
STATUS = {"delivered": "delivered", "failed": "undelivered", "pending": "sent"}  # else an unknown word
UNKNOWN_STATUS = "bounced"  # the contract sample's unknown status "sent" (Twilio's sent is pending)


def _e164(phone: str | None, customer: str) -> str:
    """010-1234-5678 -> +821012345678; a customer no order carries gets an 011 number."""
    if phone:
        return "+82" + phone.replace("-", "")[1:]
    return "+8211" + "".join(ch for ch in customer if ch.isdigit()).rjust(8, "0")[-8:]


# -------------------------------------------------------------------------------- Twilio
def write_messages(src: pathlib.Path, dst: pathlib.Path, phones: dict[str, str]) -> tuple[list[str], dict]:
    """One Twilio export per contract messages file, plus two inbound replies and a cancelled
    scheduled message (not notifications: counted by the source, never rows)."""
    dst.mkdir(parents=True)
    written, counts = [], {"rows": 0, "inbound": 0, "canceled": 0}
    for path in sorted(src.iterdir()):
        t = read_contract_csv(path)
        j = drop_of(path.name)
        n = t.num_rows
        tpl = t.column("template")
        names = list(BODIES)
        idx = pc.index_in(tpl, value_set=pa.array(names))
        head = pc.coalesce(pc.take(pa.array([BODIES[k][0] for k in names]), idx), pa.scalar(OTHER_BODY))
        tail = pc.if_else(pc.is_null(idx), pa.scalar(""),
                          pc.take(pa.array([BODIES[k][1] for k in names]), idx))
        order = pc.if_else(pc.is_null(idx), pa.scalar(""), t.column("order_id"))
        body = pc.binary_join_element_wise(head, order, tail, "")
        sent = pc.strptime(pc.replace_substring(t.column("sent_at"), "T", " "), format="%Y-%m-%d %H:%M:%S",
                           unit="s", error_is_null=True)
        utc = pc.subtract(sent.cast(pa.int64()), KST_S).cast(pa.timestamp("s"))
        status = t.column("status")
        st_idx = pc.index_in(status, value_set=pa.array(list(STATUS)))
        tw_status = pc.coalesce(pc.take(pa.array(list(STATUS.values())), st_idx), pa.scalar(UNKNOWN_STATUS))
        failed_final = pc.equal(status, "failed")
        nums = [int(m[1:]) for m in t.column("message_id").to_pylist()]
        cust = t.column("customer_id").to_pylist()
        cols = {
            "From": pa.array([SENDER] * n),
            "To": pa.array([_e164(phones.get(c), c) for c in cust]),
            "Body": body,
            "Status": tw_status,
            "SentDate": pc.strftime(utc, format="%a, %d %b %Y %H:%M:%S +0000", locale="C"),
            "ApiVersion": pa.array(["2010-04-01"] * n),
            "NumSegments": pc.cast(pc.add(pc.divide(pc.utf8_length(body), 67), 1), pa.string()),
            "ErrorCode": _codes(t.column("error_code")),
            "AccountSid": pa.array([ACCOUNT] * n),
            "Sid": pa.array([f"SM{k:032x}" for k in nums]),
            "Direction": pa.array(["outbound-api"] * n),
            "Price": pc.if_else(pc.equal(status, "pending"), pa.scalar(""),
                                pc.if_else(failed_final, pa.scalar("0.00000"), pa.scalar("-0.04500"))),
            "PriceUnit": pa.array(["USD"] * n),
        }
        extra = _not_notifications(j, phones) if j in (12, 15) else []
        counts["rows"] += n
        counts["inbound"] += sum(1 for r in extra if r[10] == "inbound")
        counts["canceled"] += sum(1 for r in extra if r[3] == "canceled")
        name = f"messages_{j:03d}.csv.gz"  # gzip keeps the committed sample small
        buf = io.BytesIO()
        pacsv.write_csv(pa.table(cols), buf, pacsv.WriteOptions(quoting_style="needed"))
        text = buf.getvalue().decode("utf-8")
        for row in extra:
            text += ",".join(f'"{v}"' if "," in v else v for v in row) + "\n"
        text = text.replace(",".join(f'"{h}"' for h in TWILIO_HEADER), ",".join(TWILIO_HEADER), 1)
        (dst / name).write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
        written.append("twilio/" + name)
    return written, counts


def _codes(codes: pa.Array) -> pa.Array:
    idx = pc.index_in(codes, value_set=pa.array(list(TWILIO_ERRORS)))
    return pc.coalesce(pc.take(pa.array(list(TWILIO_ERRORS.values())), idx), codes)


def _not_notifications(j: int, phones: dict[str, str]) -> list[list[str]]:
    """Rows of the export that are not outbound notifications: customers' replies (inbound,
    received) and a scheduled message cancelled before it went out."""
    some = sorted(phones)[:2]
    when = "Thu, 20 Oct 2016 13:20:00 +0000" if j == 12 else "Fri, 21 Oct 2016 13:30:00 +0000"
    rows = [[_e164(phones[c], c), SENDER, "배송 언제 되나요?", "received", when, "2010-04-01", "1", "",
             ACCOUNT, f"SMf{j:02d}{k:029x}", "inbound", "-0.00750", "USD"] for k, c in enumerate(some)]
    if j == 15:
        rows.append([SENDER, _e164(phones[some[0]], some[0]), "[KT] 예약 발송 테스트", "canceled", when,
                     "2010-04-01", "1", "", ACCOUNT, "SMe" + "0" * 31, "outbound-api", "", "USD"])
    return rows


# ----------------------------------------------------------------------------- queue_log
def _epoch(text: str) -> int | None:
    """Contract local 'YYYY-MM-DD HH:MM:SS' -> UTC epoch seconds."""
    try:
        return int((datetime.strptime(text, "%Y-%m-%d %H:%M:%S") - timedelta(hours=9)
                    - datetime(1970, 1, 1)).total_seconds())
    except ValueError:
        return None


def _valid(r: dict, arr, ans, end) -> bool:
    """A contract row that passes the contract's checks (the sample's bad rows do not)."""
    if arr is None or end is None or end < arr or r["outcome"] not in ("answered", "abandoned", "rejected"):
        return False
    return r["outcome"] != "answered" or (ans is not None and ans >= arr)


def write_calls(src: pathlib.Path, dst: pathlib.Path, phones: dict[str, str]) -> tuple[list[str], dict]:
    """The queue_log of every valid contract call (each once), rotated at the sample's drops."""
    dst.mkdir(parents=True)
    calls: dict[str, dict] = {}
    skipped = 0
    for path in sorted(src.iterdir()):
        for r in read_contract_csv(path).to_pylist():
            arr, ans, end = _epoch(r["arrived_at"]), _epoch(r["answered_at"]), _epoch(r["ended_at"])
            if not _valid(r, arr, ans, end):
                skipped += 1
                continue
            calls[r["call_id"]] = dict(r, arr=arr, ans=ans, end=end)
    lines: list[tuple[int, int, str]] = [(_t("2016-10-14T07:00:00") - KST_S, 0, "NONE|NONE|NONE|QUEUESTART|")]
    cutoff = CUTOFF - KST_S
    agents_seen: set[str] = set()
    for seq, (call_id, c) in enumerate(sorted(calls.items(), key=lambda kv: (kv[1]["arr"], kv[0]))):
        lines += _call_lines(seq, call_id, c, phones, agents_seen, cutoff)
    lines += _open_calls(cutoff)
    lines += _bad_lines()
    lines.sort()
    drops = DROPS - KST_S
    written = []
    bounds = np.searchsorted(drops, np.array([e for e, _, _ in lines]), side="left")
    for k in range(len(drops)):
        mine = [f"{e}|{text}" for (e, _, text), b in zip(lines, bounds) if b == k]
        if not mine:
            continue
        stamp = (datetime(1970, 1, 1) + timedelta(seconds=int(DROPS[k]))).strftime("%Y%m%d%H")
        name = f"queue_log-{stamp}"
        (dst / name).write_text("\n".join(mine) + "\n", encoding="utf-8")
        written.append("asterisk/" + name)
    return written, {"calls": len(calls), "lines": len(lines), "skipped_contract_rows": skipped}


def _call_lines(seq: int, call_id: str, c: dict, phones: dict[str, str], agents_seen: set[str],
                cutoff: int) -> list[tuple[int, int, str]]:
    """One call's lines (epoch, order within the call, text after the epoch)."""
    uid = f"{c['arr']}.{int(call_id[2:])}"
    q, arr, ans, end = c["queue"], c["arr"], c["ans"], c["end"]
    cust = c["customer_id"]
    caller = phones.get(cust, "").replace("-", "") if cust else ("anonymous" if seq % 2 else f"070{seq:08d}")
    pos = seq % 7 + 1
    out = [(arr, 1, f"{uid}|{q}|NONE|WRAPUP|{c['reason']}|")]  # the IVR's menu choice
    if c["outcome"] == "rejected" and not cust and end == arr:
        out.append((end, 2, f"{uid}|{q}|NONE|FULL|||"))  # refused on arrival: no ENTERQUEUE
        return out
    out.append((arr, 2, f"{uid}|{q}|NONE|ENTERQUEUE||{caller}|{pos}"))
    wait = end - arr
    if c["outcome"] == "rejected":
        out.append((end, 5, f"{uid}|{q}|NONE|EXITEMPTY|{pos}|{pos}|{wait}"))
    elif c["outcome"] == "abandoned":
        event = f"EXITWITHKEY|1|{pos}|{pos}|{wait}" if seq % 10 == 3 else f"ABANDON|{pos}|{pos}|{wait}"
        out.append((end, 5, f"{uid}|{q}|NONE|{event}"))
    else:
        agent = c["agent_id"]
        if agent not in agents_seen:
            agents_seen.add(agent)
            out.append((arr - 60, 0, f"NONE|NONE|{agent}|AGENTLOGIN|SIP/{agent}"))
            out.append((arr - 59, 0, f"NONE|{q}|{agent}|ADDMEMBER|"))
        hold, talk = ans - arr, end - ans
        if seq % 9 == 4 and hold >= 20:  # first rung an agent who did not pick up
            out.append((ans - 5, 3, f"{uid}|{q}|AG9{seq % 100:03d}|RINGNOANSWER|15000"))
        out.append((ans, 4, f"{uid}|{q}|{agent}|CONNECT|{hold}|{uid}.9|3"))
        if c["resolution"] == "transferred":
            out.append((end, 5, f"{uid}|{q}|{agent}|TRANSFER|2000|from-internal|{hold}|{talk}|{pos}"))
            wrap = f"{c['reason']}|"  # the transfer gives the resolution
        else:
            ender = "COMPLETEAGENT" if seq % 3 == 0 else "COMPLETECALLER"
            out.append((end, 5, f"{uid}|{q}|{agent}|{ender}|{hold}|{talk}|{pos}"))
            wrap = f"{c['reason']}|{c['resolution']}"
        # the agent's wrap-up, a little after the call (the next file when a drop falls between)
        out.append((min(end + 5 + seq % 50, cutoff), 6, f"{uid}|{q}|{agent}|WRAPUP|{wrap}"))
        if seq % 40 == 7:
            out.append((end + 1, 7, f"NONE|{q}|{agent}|PAUSE|break"))
            out.append((end + 301, 7, f"NONE|{q}|{agent}|UNPAUSE|"))
    return out


def _open_calls(cutoff: int) -> list[tuple[int, int, str]]:
    """Callers still waiting when the extract ends: open calls, never rows."""
    return [(cutoff - 30 + k, 2, f"{cutoff - 30 + k}.{900000 + k}|iphone|NONE|ENTERQUEUE||07012340{k:03d}|{k + 1}")
            for k in range(3)]


def _bad_lines() -> list[tuple[int, int, str]]:
    """A misspelt custom event and a line cut short while being written (Fri 10:00-10:30)."""
    at = _t("2016-10-21T10:00:00") - KST_S
    return [(at, 9, f"{at}.800001|iphone|AG0001|WRAP-UP|delivery|no_info"),
            (at + 600, 9, f"{at + 600}.800002|ars|NO")]
