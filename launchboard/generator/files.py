"""The contract-shaped extract files of each table, drop by drop, with the sample's deliberate
quirks: re-sent rows, versions, orphans, bad lines, a BOM, CP949, Parquet, UTC and offset
timestamps, and a file still being written."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .story import (
    ACT_CODES, BATCHES, CHANNELS, CJ, COURIERS, DROPS, EV, EVENTS, HANJIN, HOUR, HUBS, MEMO, MSG_CODES,
    MSG_STATUS, NONE, OPEN, OUTCOMES, QUEUES, REASONS, REGIONS, RESOLUTIONS, RESULTS, SKUS, TEMPLATE_NAMES,
    TPL, TRACKING_PREFIX, VIAS, _drop_of, _round, _t
)
from .columns import _groups, _ids, _labels, _tracking, _ts
from .writer import _bad_lines, _csv_bytes, _versions


# --------------------------------------------------------------------- orders file
def _write_orders(L, W, rng, ids):
    T = L.T
    ar = np.arange(T)
    a = L.alloc != NONE
    c = L.cancel != NONE
    o = np.concatenate([ar, ar[a], ar[c]])
    d = _drop_of(np.concatenate([L.ordered, L.alloc[a], L.cancel[c]])).astype(np.int64)
    key = np.sort(o * 64 + d)
    key = key[np.r_[True, key[1:] != key[:-1]]]
    o, d = key // 64, key % 64
    D = DROPS[d]
    al = np.where(L.alloc[o] <= D, L.alloc[o], NONE)  # NONE (-1) is always <= D
    ca = np.where(L.cancel[o] <= D, L.cancel[o], NONE)
    upd = np.maximum(L.ordered[o], np.maximum(al, ca))
    srt = np.argsort((d << 46) | ((upd - OPEN) << 25) | o)
    o, d, al, ca, upd = o[srt], d[srt], al[srt], ca[srt], upd[srt]
    W.stats["orders"]["key_count"] = T
    first_drop = np.flatnonzero(d == 0)[:3]
    skus, models = [s_[0] for s_ in SKUS], [s_[1] for s_ in SKUS]
    for j, m in _groups(d):
        if j == 1:  # a few rows of drop 1 re-sent verbatim in drop 2
            m = np.concatenate([first_drop, m])
        boolstyle = {3: ("Y", "N"), 4: ("1", "0")}.get(int(j), ("true", "false"))

        def build(m=m, boolstyle=boolstyle):
            oo = o[m]
            cu = L.cust[oo]
            return {
                "order_id": ids.orders(oo),
                "customer_id": ids.customers(cu),
                "channel": _labels(CHANNELS, L.chan[oo]),
                "sku": _labels(skus, L.sku[oo]),
                "model": _labels(models, L.sku[oo]),
                "region": _labels(REGIONS, L.region[oo]),
                "phone": ids.phone.take(pa.array(cu)),
                "priority": _labels(boolstyle, np.where(L.prio[oo], 0, 1)),
                "ordered_at": _ts(L.ordered[oo]),
                "allocated_at": _ts(al[m]),
                "cancelled_at": _ts(ca[m]),
                "promised_delivery_by": _ts(L.prom_deliv[oo]),
                "promised_activation_by": _ts(L.prom_act[oo]),
                "updated_at": _ts(upd[m]),
            }

        extra, bad = [], []
        if j == 5:
            ow = ids.ow
            row = ("O{oid},{cid},web,IP7-128-JBK,iPhone 7 128GB Jet Black,Seoul,010-5555-0101,{prio},{ord},,,"
                   "2016-10-20 18:00:00,2016-10-21 22:00:00,2016-10-19 12:00:00")
            cx = "C" + "9" * ow
            extra, bad = _bad_lines(len(m), [
                (row.format(oid=f"{T + 101:0{ow}d}", cid="", prio="true", ord="2016-10-14 09:03:00"),
                 "required column empty: customer_id"),
                (row.format(oid=f"{T + 102:0{ow}d}", cid=cx, prio="true", ord="2016-10-32 09:03:00"),
                 "unparsable timestamp: ordered_at"),
                (row.format(oid=f"{T + 103:0{ow}d}", cid=cx, prio="maybe", ord="2016-10-14 09:03:00"),
                 "bad boolean: priority"),
            ])
        W.write("orders", f"orders_{j + 1:03d}.csv", build, rows=len(m) + len(extra), extra=extra, bad=bad,
                bom=(j == 0))


# ------------------------------------------------------------------ shipments file
def _write_shipments(L, W, rng, ids, ev, phantom):
    # orphans: two orders the orders extract never carried
    ph_o = np.array([phantom[0], phantom[0], phantom[1], phantom[1]], np.int64)
    ph_e = np.array([EV["picked_up"], EV["delivered"], EV["picked_up"], EV["delivered"]], np.int8)
    ph_t = np.array([_t("2016-10-20T07:10:00"), _t("2016-10-20T15:40:00"),
                     _t("2016-10-20T07:25:00"), _t("2016-10-20T16:05:00")], np.int64)
    order = np.concatenate([ev["order"], ph_o])
    event = np.concatenate([ev["event"], ph_e])
    time = np.concatenate([ev["time"], ph_t])
    hub = np.concatenate([ev["hub"], np.full(4, -1, np.int16)])
    courier = np.concatenate([L.courier[ev["order"]], np.full(4, CJ, np.int8)])
    srt = np.argsort(((time - OPEN) << 28) | (order << 3) | event)
    order, event, time, hub, courier = order[srt], event[srt], time[srt], hub[srt], courier[srt]
    n = len(order)
    width = max(9, len(str(n)))
    drop = _drop_of(time)
    W.stats["shipments"]["key_count"] = n
    # exact duplicates: a few events re-sent in the next drop
    dup = np.sort(rng.choice(np.flatnonzero((courier != HANJIN) & (drop < 17) & (drop != 7)),
                             max(5, _round(0.003 * n)), replace=False))
    dup_drop = drop[dup] + 1
    dup_drop[dup_drop == 8] = 9  # never into the parquet drop

    def cols(ix, style):
        return {
            "event_id": _ids("E", ix + 1, width),
            "order_id": ids.orders(order[ix]),
            "courier": _labels(COURIERS, courier[ix]),
            "tracking_no": _tracking(courier[ix], order[ix]),
            "event": _labels(EVENTS, event[ix]),
            "event_at": _ts(time[ix], style),
            "hub": _labels(HUBS, hub[ix]),
        }

    last_main = None
    for j, ix in _groups(drop):
        if j == 8:  # one drop arrives as Parquet: all couriers, native timestamps
            c = cols(ix, "space")
            c["event_at"] = pa.array(time[ix] - 9 * HOUR, type=pa.timestamp("s", tz="UTC")).cast(
                pa.timestamp("s", tz="Asia/Seoul"))
            c = {k: (v.dictionary_decode() if pa.types.is_dictionary(v.type) else v) for k, v in c.items()}
            name = f"shipments_{j + 1:03d}.parquet"
            (W.out / "shipments").mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.table(c), W.out / "shipments" / name, compression="zstd")
            W.count("shipments", name, len(ix))
            continue
        main = np.concatenate([dup[dup_drop == j], ix[courier[ix] != HANJIN]])  # re-sent rows first
        hj = ix[courier[ix] == HANJIN]
        extra, bad = [], []
        if j == 9:
            e9, oid, tn = "E" + "9" * (width - 1), f"O{1:0{ids.ow}d}", TRACKING_PREFIX[CJ] + "0" * 10
            extra, bad = _bad_lines(len(main), [
                (f"{e9}1,{oid},CJ,{tn},lost,2016-10-20 16:00:00,", "unknown enum: event"),
                (f"{e9}2,{oid},CJ,{tn},delivered,2016-10-20 7pm,", "unparsable timestamp: event_at"),
                (f"{e9}3,,CJ,{tn},delivered,2016-10-20 16:30:00,", "required column empty: order_id"),
            ])
        W.write("shipments", f"shipments_{j + 1:03d}.csv.gz", lambda main=main: cols(main, "space"),
                rows=len(main) + len(extra), extra=extra, bad=bad, gz=True)
        last_main = main
        if len(hj):  # Hanjin's own feed: UTC with Z
            W.write("shipments", f"shipments_{j + 1:03d}_hanjin.csv.gz", lambda hj=hj: cols(hj, "Z"),
                    rows=len(hj), gz=True)
    # the next drop, still being written: must be ignored
    head = _csv_bytes(cols(last_main[:40], "space"))
    (W.out / "shipments" / "shipments_099.csv.part").write_bytes(head + head.split(b"\n")[1][:17])
    return len(ph_o)


# ---------------------------------------------------------------- activations file
def _write_activations(L, W, rng, ids, phantom):
    a = L.act
    ph_o = np.array(phantom, np.int64)
    order = np.concatenate([a["order"], ph_o])
    via = np.concatenate([a["via"], np.array([0, 2], np.int8)])
    req = np.concatenate([a["req"], np.array([_t("2016-10-21T11:02:00"), _t("2016-10-21T11:40:00")])])
    fin = np.concatenate([a["fin"], np.array([_t("2016-10-21T11:09:30"), _t("2016-10-21T11:44:10")])])
    fail = np.concatenate([a["fail"], np.zeros(2, bool)])
    code = np.concatenate([a["code"], np.full(2, -1, np.int8)])
    srt = np.argsort(((req - OPEN) << 26) | order)
    order, via, req, fin, fail, code = order[srt], via[srt], req[srt], fin[srt], fail[srt], code[srt]
    n = len(order)
    width = max(8, len(str(n)))
    W.stats["activations"]["key_count"] = n
    v_i, v_final, v_drop, v_upd = _versions(n, req, fin, 26)
    early = np.flatnonzero(v_drop == 11)[:3]
    for j, m in _groups(v_drop):
        if j == 13:  # exact duplicates of a few rows of an earlier drop
            m = np.concatenate([early, m])
        style = "offset" if j == 12 else "space"

        def build(m=m, style=style):
            i, fnl = v_i[m], v_final[m]
            return {
                "attempt_id": _ids("AT", i + 1, width),
                "order_id": ids.orders(order[i]),
                "requested_via": _labels(VIAS, via[i]),
                "requested_at": _ts(req[i], style),
                "result": _labels(RESULTS, np.where(fnl, np.where(fail[i], 1, 0), 2)),
                "finished_at": _ts(np.where(fnl, fin[i], NONE), style),
                "error_code": _labels(ACT_CODES, np.where(fnl, code[i], -1)),
                "updated_at": _ts(v_upd[m], style),
            }

        extra, bad = [], []
        if j == 13:
            b, o1 = "AT" + "9" * (width - 1), f"O{1:0{ids.ow}d}"
            extra, bad = _bad_lines(len(m), [
                (f"{b}1,{o1},auto,2016-10-21 15:10:00,success,2016-10-21 15:05:00,,2016-10-21 15:10:00",
                 "finished_at < requested_at"),
                (f"{b}2,{o1},auto,2016-10-21 15:12:00,failed,2016-10-21 15:20:00,,2016-10-21 15:20:00",
                 "failed without error_code"),
                (f"{b}3,{o1},ars,2016-10-21 15:14:00,success,,,2016-10-21 15:14:00",
                 "success without finished_at"),
                (f"{b}4,{o1},kiosk,2016-10-21 15:16:00,success,2016-10-21 15:21:00,,2016-10-21 15:21:00",
                 "unknown enum: requested_via"),
            ])
        W.write("activations", f"activations_{j + 1:03d}.csv", build, rows=len(m) + len(extra), extra=extra,
                bad=bad)
    return len(ph_o)


# ------------------------------------------------------------------- messages file
def _write_messages(L, W, rng, ids, phantom):
    m_ = L.msg
    ph_o = np.array([phantom[0], phantom[0], phantom[1]], np.int64)
    order = np.concatenate([m_["order"], ph_o])
    cust = np.concatenate([L.cust[m_["order"]], np.array([L.n_customers, L.n_customers, L.n_customers + 1])])
    tpl = np.concatenate([m_["tpl"], np.array([TPL["SHIPPED"], TPL["ACTIVATED"], TPL["SHIPPED"]], np.int8)])
    batch = np.concatenate([m_["batch"], np.full(3, -1, np.int8)])
    corrects = np.concatenate([m_["corrects"], np.full(3, -1, np.int8)])
    ph_s = np.array([_t("2016-10-20T08:05:00"), _t("2016-10-21T11:10:00"), _t("2016-10-20T08:07:00")])
    sent = np.concatenate([m_["sent"], ph_s])
    rep = np.concatenate([m_["rep"], ph_s + 20])
    status = np.concatenate([m_["status"], np.zeros(3, np.int8)])
    code = np.concatenate([m_["code"], np.full(3, -1, np.int8)])
    srt = np.argsort(((sent - OPEN) << 30) | (order << 4) | tpl)
    order, cust, tpl, batch, corrects, sent, rep, status, code = (
        x[srt] for x in (order, cust, tpl, batch, corrects, sent, rep, status, code))
    n = len(order)
    width = max(9, len(str(n)))
    W.stats["messages"]["key_count"] = n
    v_i, v_final, v_drop, v_upd = _versions(n, sent, rep, 28)
    # exact duplicates: a few final rows of drop 11 re-sent in drop 12
    dup = np.flatnonzero((v_drop == 10) & v_final)
    dup = np.sort(rng.choice(dup, min(len(dup), max(5, _round(0.001 * len(dup)))), replace=False))
    for j, m in _groups(v_drop):
        if j == 11:
            m = np.concatenate([dup, m])
        style = "T" if j == 12 else "space"

        def build(m=m, style=style):
            i, fnl = v_i[m], v_final[m]
            return {
                "message_id": _ids("M", i + 1, width),
                "customer_id": ids.customers(cust[i]),
                "order_id": ids.orders(order[i]),
                "template": _labels(TEMPLATE_NAMES, tpl[i]),
                "batch_id": _labels(BATCHES, batch[i]),
                "corrects_batch_id": _labels(BATCHES, corrects[i]),
                "sent_at": _ts(sent[i], style),
                "status": _labels(MSG_STATUS, np.where(fnl, status[i], 2)),
                "error_code": _labels(MSG_CODES, np.where(fnl, code[i], -1)),
                "updated_at": _ts(v_upd[m], style),
            }

        extra, bad = [], []
        if j == 15:
            b, o1, c1 = "M" + "9" * (width - 1), f"O{1:0{ids.ow}d}", f"C{1:0{ids.ow}d}"
            extra, bad = _bad_lines(len(m), [
                (f"{b}1,{c1},{o1},SHIPPED,,,2016-10-22 05:10:00,sent,,2016-10-22 05:10:00", "unknown enum: status"),
                (f"{b}2,{c1},{o1},,,,2016-10-22 05:20:00,delivered,,2016-10-22 05:20:05",
                 "required column empty: template"),
            ])
        W.write("messages", f"messages_{j + 1:03d}.csv.gz", build, rows=len(m) + len(extra), extra=extra, bad=bad,
                gz=True)
    return len(ph_o)


# ---------------------------------------------------------------------- calls file
def _write_calls(L, W, rng, ids):
    c = L.calls
    srt = np.argsort(c["arr"], kind="stable")
    c = {k: v[srt] for k, v in c.items()}
    n = len(c["arr"])
    width = max(8, len(str(n)))
    W.stats["calls"]["key_count"] = n
    drop = _drop_of(c["end"]).astype(np.int64)
    memo_ko = np.array([MEMO[r] for r in REASONS] + [MEMO[r] + " - 확인 불가" for r in REASONS])
    for j, m in _groups(drop):
        if j == 11:  # the same rows twice in one file
            m = np.concatenate([m, m[:3]])
        m = m[np.lexsort((m, c["end"][m]))]

        def build(m=m, cp949=(j == 10)):
            cols = {
                "call_id": _ids("CL", m + 1, width),
                "queue": _labels(QUEUES, c["queue"][m]),
                "customer_id": ids.customers(c["cust"][m]),
                "arrived_at": _ts(c["arr"][m]),
                "answered_at": _ts(c["ans"][m]),
                "ended_at": _ts(c["end"][m]),
                "outcome": _labels(OUTCOMES, c["outcome"][m]),
                "agent_id": pc.if_else(pa.array(c["agent"][m] < 0), pa.nulls(len(m), pa.string()),
                                       _ids("AG", np.maximum(c["agent"][m], 0), 4)),
                "reason": _labels(REASONS, c["reason"][m]),
                "resolution": _labels(RESOLUTIONS, c["res"][m]),
            }
            if cp949:  # a back-office export: CP949 with a Korean memo column
                cols["memo"] = pa.array(memo_ko[c["reason"][m] + np.where(c["res"][m] == 1, len(REASONS), 0)])
            return cols

        extra, bad = [], []
        if j == 12:
            b = "CL" + "9" * (width - 1)
            extra, bad = _bad_lines(len(m), [
                (f"{b}1,iphone,,2016-10-21 10:00:00,,2016-10-21 10:05:00,answered,AG0001,delivery,no_info",
                 "answered without answered_at"),
                (f"{b}2,iphone,,2016-10-21 10:10:00,,2016-10-21 10:09:00,abandoned,,delivery,",
                 "ended_at < arrived_at"),
                (f"{b}3,ars,,2016-10-21 10:20:00,,2016-10-21 10:21:00,dropped,,activation,",
                 "unknown enum: outcome"),
                (f"{b}4,iphone,,2016-10-21 10:30:00,2016-10-21 10:29:00,2016-10-21 10:35:00,answered,AG0002,"
                 "activation,resolved", "answered_at < arrived_at"),
            ])
        W.write("calls", f"calls_{j + 1:03d}.csv", build, rows=len(m) + len(extra), extra=extra, bad=bad,
                encoding="cp949" if j == 10 else "utf-8")
