"""Deterministic sample launch: KT's iPhone 7 pre-order launch, Korea, October 2016.

Timeline (Asia/Seoul wall time; exact moments in ``STORY``). Pre-orders open Fri
2016-10-14 09:00: the SMS channel (40% of the priority stock) sells out by 09:00:10,
the web form stays open until 09:14:40, and non-priority store/app orders trickle in
until Wed 10-19 20:00. Stock is allocated Mon 10-17 09:00 to Wed 10-19 18:00 (a few
orders stay ``reserved``); the warehouse packs Wed 20:00 to Thu 10-20 10:00 and
couriers collect within two hours of packing, except Korea Post (Epost) in Daejeon,
which never comes: those orders sit ``packed`` until Fri 09:00 (``stalled_stage``
packed holds on [Thu 14:00, Fri 09:00)). From Thu 08:00 to 14:00 nothing leaves the
Daejeon HUB (``stalled_hub`` "Daejeon HUB" holds on [Thu 10:00, 14:00)). Delivery was
promised for Thu 18:00; about 70% of parcels arrive later (Thu evening, Fri, Sat).
The contact centre is overloaded (calls rejected or abandoned) Thu 18:00-21:00 and
Fri 07:00-12:00. Thu 22:00 a DELIVERY_DELAYED batch (B-DELAY-1020) reaches customers
who partly already have their phone, at 22:15 "we activate it by Friday 22:00"
(ACTIVATION_AUTO_BY_DEADLINE) and Fri 07:00 the contradicting "call the ARS"
(ACTIVATION_CALL_ARS). Activation opens Fri 08:00; attempts finishing Fri
14:00-16:00 fail ~45% (mostly E-ACT-201). About a fifth of the orders miss the
Friday 22:00 activation promise, and at Fri 22:00 batch B-CORR-1021 retracts the
previous night's delay notice. The extract ends Sat 10-22 18:00. Outside these
windows every monitored stage keeps moving (steady cancellations keep `allocated`
and, at night, `in_transit` from looking stalled), so the spec's alerts fire only
where documented; the stall windows hold for any size >= 200 orders, the call
overload and activation spike for >= 1,000 (the bundled sample uses 4,000).
"""

from __future__ import annotations

import gzip
import io
import pathlib
import shutil
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = ["generate", "STORY", "TEMPLATES", "UNCATALOGUED_TEMPLATE", "TABLES"]

MIN, HOUR, DAY = 60, 3600, 86400
NONE = -1  # "no timestamp" sentinel (all real times are > 0)
NEVER = np.int64(2**62)  # an event that never happens


def _t(s: str) -> int:
    """Local wall-clock time (Asia/Seoul, no DST in 2016) -> int seconds."""
    return int(np.datetime64(s, "s").astype(np.int64))


def _iso(t: int) -> str:
    return str(np.datetime64(int(t), "s")) + "+09:00"


# --------------------------------------------------------------------------- timeline
OPEN = _t("2016-10-14T09:00:00")
SMS_SOLD_OUT = OPEN + 10  # every sms order is in [09:00:00, 09:00:09]
WEB_SOLD_OUT = OPEN + 880  # every web order is in [09:00:00, 09:14:38]
ALLOC_WINDOWS = [
    (_t("2016-10-17T09:00:00"), _t("2016-10-17T20:00:00")),
    (_t("2016-10-18T09:00:00"), _t("2016-10-18T20:00:00")),
    (_t("2016-10-19T09:00:00"), _t("2016-10-19T18:00:00")),
]
ALLOC_START, ALLOC_END = ALLOC_WINDOWS[0][0], ALLOC_WINDOWS[-1][1]
PACK_START = _t("2016-10-19T20:00:00")
PACK_END = _t("2016-10-20T10:00:00")
PICKUP_LAST = _t("2016-10-20T12:00:00")  # last pickup of a non-stuck order (exactly)
HUB_FREEZE = (_t("2016-10-20T08:00:00"), _t("2016-10-20T14:00:00"))  # Daejeon HUB
DELIVERY_PROMISE = _t("2016-10-20T18:00:00")
DELAY_SNAPSHOT = _t("2016-10-20T15:00:00")  # stale data the delay batch was built from
DELAY_BATCH = _t("2016-10-20T22:00:00")
AUTO_BATCH = _t("2016-10-20T22:15:00")
ARS_BATCH = _t("2016-10-21T07:00:00")
ACT_OPEN = _t("2016-10-21T08:00:00")
EPOST_PICKUP = _t("2016-10-21T09:00:00")
SPIKE = (_t("2016-10-21T14:00:00"), _t("2016-10-21T16:00:00"))
ACTIVATION_PROMISE = _t("2016-10-21T22:00:00")
CORRECTION_BATCH = _t("2016-10-21T22:00:00")
ACT_OPEN2 = _t("2016-10-22T09:00:00")
SURVEY_BATCH = _t("2016-10-22T10:00:00")
CUTOFF = _t("2016-10-22T18:00:00")
CALL_SURGES = [
    (_t("2016-10-20T18:00:00"), _t("2016-10-20T21:00:00")),
    (_t("2016-10-21T07:00:00"), _t("2016-10-21T12:00:00")),
]

STORY: dict[str, str] = {
    # pre-orders
    "preorder_open": _iso(OPEN),
    "sold_out": _iso(SMS_SOLD_OUT),  # all sms orders before this
    "web_sold_out": _iso(WEB_SOLD_OUT),  # all web orders before this
    # stock and warehouse
    "allocation_start": _iso(ALLOC_START),
    "allocation_end": _iso(ALLOC_END),
    "packing_start": _iso(PACK_START),
    "packing_end": _iso(PACK_END),
    "last_normal_pickup": _iso(PICKUP_LAST),
    # stalled_hub "Daejeon HUB" holds exactly on [hub_stall_start, hub_stall_end)
    "hub_freeze_start": _iso(HUB_FREEZE[0]),
    "hub_stall_start": _iso(HUB_FREEZE[0] + 2 * HOUR),
    "hub_stall_check": _iso(_t("2016-10-20T12:00:00")),
    "hub_stall_end": _iso(HUB_FREEZE[1]),
    # stalled_stage "packed" (Epost Daejeon never picked up) holds on [start, end)
    "packed_stall_start": _iso(PICKUP_LAST + 2 * HOUR),
    "packed_stall_check": _iso(_t("2016-10-20T20:00:00")),
    "packed_stall_end": _iso(EPOST_PICKUP),
    "epost_pickup": _iso(EPOST_PICKUP),
    # promises
    "delivery_promise": _iso(DELIVERY_PROMISE),
    "activation_promise": _iso(ACTIVATION_PROMISE),
    # contact centre overload: calls arriving in these windows are 50%+ lost
    "call_surge_1_start": _iso(CALL_SURGES[0][0]),
    "call_surge_1_end": _iso(CALL_SURGES[0][1]),
    "call_overload_check_1": _iso(_t("2016-10-20T20:00:00")),
    "call_surge_2_start": _iso(CALL_SURGES[1][0]),
    "call_surge_2_end": _iso(CALL_SURGES[1][1]),
    "call_overload_check_2": _iso(_t("2016-10-21T10:00:00")),
    # messages
    "delay_batch": _iso(DELAY_BATCH),  # B-DELAY-1020, first quiet-hours send
    "auto_activation_batch": _iso(AUTO_BATCH),  # B-AUTO-1020
    "ars_batch": _iso(ARS_BATCH),  # B-ARS-1021 (conflicts with B-AUTO-1020)
    "retraction": _iso(CORRECTION_BATCH),  # B-CORR-1021 corrects B-DELAY-1020
    "survey_batch": _iso(SURVEY_BATCH),  # SURVEY_INVITE: not in the catalog
    # activation failure spike: attempts finishing in [start, end) fail ~45%
    "activation_open": _iso(ACT_OPEN),
    "activation_spike_start": _iso(SPIKE[0]),
    "activation_spike_check": _iso(_t("2016-10-21T15:00:00")),
    "activation_spike_end": _iso(SPIKE[1]),
    # moments with no alert at all (everything flowing, no promise due yet)
    "calm_check": _iso(_t("2016-10-19T15:00:00")),
    "calm_check_2": _iso(_t("2016-10-20T09:00:00")),
    "cutoff": _iso(CUTOFF),  # newest event in the data is just before this
}

# successive extract drops: file NNN of every table holds what changed in
# (DROPS[NNN-2], DROPS[NNN-1]]
DROPS = np.array(
    [
        _t(s)
        for s in [
            "2016-10-14T12:00", "2016-10-15T00:00", "2016-10-17T00:00", "2016-10-18T00:00",
            "2016-10-19T00:00", "2016-10-19T18:00", "2016-10-20T00:00", "2016-10-20T06:00",
            "2016-10-20T12:00", "2016-10-20T18:00", "2016-10-21T00:00", "2016-10-21T06:00",
            "2016-10-21T12:00", "2016-10-21T18:00", "2016-10-22T00:00", "2016-10-22T06:00",
            "2016-10-22T12:00", "2016-10-22T18:00",
        ]
    ],
    dtype=np.int64,
)
assert DROPS[-1] == CUTOFF

# ------------------------------------------------------------------------ dimensions
CHANNELS = ["sms", "web", "store", "app"]
SKUS = [
    ("IP7-32-BLK", "iPhone 7 32GB Black", 0.12),
    ("IP7-128-JBK", "iPhone 7 128GB Jet Black", 0.20),
    ("IP7-128-RGD", "iPhone 7 128GB Rose Gold", 0.08),
    ("IP7-256-SLV", "iPhone 7 256GB Silver", 0.05),
    ("IP7P-32-GLD", "iPhone 7 Plus 32GB Gold", 0.08),
    ("IP7P-128-JBK", "iPhone 7 Plus 128GB Jet Black", 0.25),
    ("IP7P-128-BLK", "iPhone 7 Plus 128GB Black", 0.12),
    ("IP7P-256-RGD", "iPhone 7 Plus 256GB Rose Gold", 0.10),
]
REGIONS = ["Seoul", "Gyeonggi", "Incheon", "Busan", "Daegu", "Daejeon", "Gwangju", "Ulsan", "Jeju"]
REGION_W = [0.30, 0.19, 0.07, 0.10, 0.07, 0.10, 0.08, 0.05, 0.04]
HUBS = ["Seoul HUB", "Gunpo HUB", "Incheon HUB", "Busan HUB", "Daegu HUB", "Daejeon HUB", "Gwangju HUB", "Jeju HUB"]
REGION_HUB = np.array([0, 1, 2, 3, 4, 5, 6, 3, 7])
DAEJEON = REGIONS.index("Daejeon")
COURIERS = ["CJ", "Hanjin", "Epost"]
CJ, HANJIN, EPOST = 0, 1, 2
TRACKING_PREFIX = ["63", "41", "60"]
EVENTS = ["packed", "picked_up", "at_hub", "out_for_delivery", "failed_attempt", "delivered", "returned"]
EV = {e: i for i, e in enumerate(EVENTS)}
VIAS = ["auto", "ars", "online", "agent", "store"]
RESULTS = ["success", "failed", "pending"]
ACT_CODES = ["E-ACT-201", "E-USIM-02", "E-NET-500"]
MSG_CODES = ["E-SMS-UNREACHABLE", "E-SMS-BLOCKED", "E-SMS-INVALID-NUMBER"]
MSG_STATUS = ["delivered", "failed", "pending"]
QUEUES = ["iphone", "ars", "general"]
OUTCOMES = ["answered", "abandoned", "rejected"]
REASONS = ["delivery", "activation", "stock", "cancel", "other"]
RESOLUTIONS = ["resolved", "no_info", "transferred", "callback"]
MEMO = {  # Korean call notes, only in the CP949 calls file
    "delivery": "배송 일정 문의",
    "activation": "개통 요청 문의 - ARS 연결 안됨",
    "stock": "물량 확보 여부 문의",
    "cancel": "예약 취소 요청",
    "other": "기타 문의",
}

TEMPLATES: dict[str, dict] = {
    "PREORDER_CONFIRMED": {},
    "ALLOCATED": {"claims": "allocated"},
    "SHIPPED": {},
    "DELIVERY_DELAYED": {"claims": "not_delivered"},
    "DELAY_NOTICE_CORRECTION": {},
    "ACTIVATION_AUTO_BY_DEADLINE": {"conflicts_with": ["ACTIVATION_CALL_ARS"]},
    "ACTIVATION_CALL_ARS": {"claims": "not_activated", "conflicts_with": ["ACTIVATION_AUTO_BY_DEADLINE"]},
    "ACTIVATION_FAILED": {"claims": "not_activated"},
    "ACTIVATED": {"claims": "activated"},
}
UNCATALOGUED_TEMPLATE = "SURVEY_INVITE"
TEMPLATE_NAMES = list(TEMPLATES) + [UNCATALOGUED_TEMPLATE]
TPL = {name: i for i, name in enumerate(TEMPLATE_NAMES)}
BATCHES = ["B-DELAY-1020", "B-AUTO-1020", "B-ARS-1021", "B-CORR-1021", "B-SURVEY-1022"]

TABLES = ["orders", "shipments", "activations", "messages", "calls"]
KEYS = {"orders": "order_id", "shipments": "event_id", "activations": "attempt_id",
        "messages": "message_id", "calls": "call_id"}

K_STUCK_MIN = 60  # Epost Daejeon orders left packed (stalled_stage needs 50)
K_HUB = 25  # orders forced into the Daejeon HUB freeze (stalled_hub needs 20)
N_STUCK_ATTEMPTS = 12  # ARS requests lost Friday evening, processed Saturday 09:00


def _round(x: float) -> int:
    return int(np.floor(x + 0.5))


def _u(rng, lo, hi, n):
    """Uniform integer seconds in [lo, hi)."""
    return rng.integers(int(lo), int(hi), n, dtype=np.int64) if n else np.zeros(0, np.int64)


def _cat(rng, probs_by_row: np.ndarray) -> np.ndarray:
    """Sample one category per row from a (rows, k) probability matrix."""
    cum = np.cumsum(probs_by_row, axis=1)
    u = rng.random(len(probs_by_row))[:, None] * cum[:, -1:]
    return (u >= cum).sum(axis=1).astype(np.int8)


def _choice(rng, n, p):
    p = np.asarray(p, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int8)


def _drop_of(t: np.ndarray) -> np.ndarray:
    return np.searchsorted(DROPS, t, side="left").astype(np.int16)


# ============================================================================ model
class _Launch:
    def __init__(self, orders: int, seed: int):
        if orders < 200:
            raise ValueError("orders must be >= 200 for the story's incidents to exist")
        self.N = int(orders)
        self.seed = int(seed)
        self.rng = np.random.default_rng([self.seed, self.N])

    # ----------------------------------------------------------------- orders
    def build_orders(self):
        rng, N = self.rng, self.N
        n_sms = (4 * N + 5) // 10
        n_web = N - n_sms
        n_extra = (N + 5) // 10
        n_store = (6 * n_extra + 5) // 10
        n_app = n_extra - n_store
        T = N + n_extra
        self.counts = dict(priority=N, sms=n_sms, web=n_web, store=n_store, app=n_app, total=T)
        chan = np.concatenate([np.full(n_sms, 0), np.full(n_web, 1), np.full(n_store, 2),
                               np.full(n_app, 3)]).astype(np.int8)
        t = np.empty(T, np.int64)
        t[:n_sms] = OPEN + np.floor(rng.beta(1.0, 2.5, n_sms) * 10).astype(np.int64)
        web = OPEN + np.floor(rng.beta(0.8, 2.0, n_web) * 879).astype(np.int64)
        web[np.argmax(web)] = OPEN + 878  # the web form stays open > 14 minutes
        t[n_sms:N] = web
        day0 = _t("2016-10-14T00:00:00")
        t[N:] = day0 + rng.integers(0, 6, n_extra) * DAY + _u(rng, 10 * HOUR, 20 * HOUR, n_extra)
        order = np.lexsort((rng.random(T), t))
        self.T = T
        self.chan = chan[order]
        self.ordered = t[order]
        self.prio = self.chan < 2
        self.sku = _choice(rng, T, [s[2] for s in SKUS])
        self.region = _choice(rng, T, REGION_W)
        # customers: a few % order twice
        n_dup = _round(0.03 * T)
        perm = rng.permutation(T)
        first, second = perm[: T - n_dup], perm[T - n_dup:]
        cust = np.empty(T, np.int64)
        cust[first] = rng.permutation(T - n_dup)
        cust[second] = cust[rng.choice(first, n_dup, replace=False)]
        self.cust = cust
        self.n_customers = T - n_dup
        self.phone = (np.arange(self.n_customers, dtype=np.int64) * 7919393 + 12345678) % 10**8
        # promises
        self.prom_deliv = np.where(self.prio, DELIVERY_PROMISE, DELIVERY_PROMISE + DAY)
        self.prom_deliv[self.region == REGIONS.index("Jeju")] = DELIVERY_PROMISE + DAY
        self.prom_act = np.where(self.prio, ACTIVATION_PROMISE, NONE)

    # ------------------------------------------------------------- allocation
    def build_allocation(self):
        rng, T, N = self.rng, self.T, self.N
        ok = np.ones(T, bool)
        prio_idx = np.flatnonzero(self.prio)
        ok[rng.choice(prio_idx[1:], _round(0.005 * N), replace=False)] = False  # oversold
        extra = np.flatnonzero(~self.prio)
        ok[extra] = rng.random(len(extra)) < 0.8
        idx = np.flatnonzero(ok)  # FIFO: index order == ordered_at order
        n = len(idx)
        lens = np.array([e - s for s, e in ALLOC_WINDOWS], np.int64)
        cum = np.concatenate([[0], np.cumsum(lens)])
        w = np.floor((np.arange(n) + rng.random(n)) / n * cum[-1]).astype(np.int64)
        w[0] = 0
        k = np.searchsorted(cum, w, side="right") - 1
        starts = np.array([s for s, _ in ALLOC_WINDOWS], np.int64)
        at = starts[k] + (w - cum[k])
        late = at < self.ordered[idx] + 30 * MIN  # store/app orders placed too late
        alloc = np.full(T, NONE, np.int64)
        alloc[idx[~late]] = at[~late]
        self.alloc = alloc
        self.first_alloc = int(idx[0])
        # couriers (Daejeon leans on Korea Post)
        p = np.tile([0.5, 0.3, 0.2], (T, 1))
        p[self.region == DAEJEON] = [0.3, 0.2, 0.5]
        self.courier = _cat(rng, p)
        if self.courier[self.first_alloc] == EPOST:
            self.courier[self.first_alloc] = CJ
        stuck = (alloc != NONE) & self.prio & (self.region == DAEJEON) & (self.courier == EPOST)
        need = K_STUCK_MIN - int(stuck.sum())
        if need > 0:
            cand = np.flatnonzero((alloc != NONE) & self.prio & ~stuck)
            cand = cand[cand != self.first_alloc]
            pick = rng.choice(cand, need, replace=False)
            self.region[pick] = DAEJEON
            self.courier[pick] = EPOST
            stuck[pick] = True
        self.stuck = stuck
        self.cancel = np.full(T, NONE, np.int64)

    def _grid(self, start, end, first_target, candidates_at):
        """Cancellations spaced < 2 h apart: keeps a long-dwell stage moving."""
        rng = self.rng
        c = int(start)
        targets, times = [], []
        if first_target is not None:
            self.cancel[first_target] = c
            targets.append(first_target)
            times.append(c)
            c += int(rng.integers(85 * MIN, 106 * MIN))
        while c <= end:
            cand = np.flatnonzero(candidates_at(c))
            if len(cand):
                i = int(cand[rng.integers(len(cand))])
                self.cancel[i] = c
                targets.append(i)
                times.append(c)
            c += int(rng.integers(85 * MIN, 106 * MIN))
        return np.array(targets, np.int64), np.array(times, np.int64)

    def build_cancellations_a(self):
        """Before packing the `allocated` stage only drains through cancellations."""
        alloc = self.alloc
        e_min = alloc[self.first_alloc]

        def cand(c):
            return ((alloc != NONE) & (alloc <= c - 2 * HOUR) & (self.cancel == NONE)
                    & ~self.stuck)

        self.grid_a, _ = self._grid(e_min + 100 * MIN, PACK_START, self.first_alloc, cand)
        # ordinary cancellations (before packing), ~2% overall with the grids
        rng = self.rng
        n_rand = max(0, _round(0.02 * self.T) - len(self.grid_a) - 23)
        cand = np.flatnonzero((self.cancel == NONE) & ~self.stuck)
        cand = cand[cand != self.first_alloc]
        pick = np.sort(rng.choice(cand, min(n_rand, len(cand)), replace=False))
        lo = self.ordered[pick] + HOUR
        hi = PACK_START - HOUR
        ct = lo + np.floor(rng.random(len(pick)) * np.maximum(hi - lo, 0)).astype(np.int64)
        self.cancel[pick] = ct
        before = (self.alloc[pick] != NONE) & (ct < self.alloc[pick])
        self.alloc[pick[before]] = NONE  # cancelled while still waiting for stock

    # --------------------------------------------------------------- shipping
    def build_shipping(self):
        rng, T = self.rng, self.T
        ship = (self.alloc != NONE) & (self.cancel == NONE)
        idx = np.flatnonzero(ship)
        idx = idx[np.argsort(self.alloc[idx], kind="stable")]
        n = len(idx)
        pack = np.full(T, NONE, np.int64)
        pack[idx] = PACK_START + np.floor((np.arange(n) + rng.random(n)) / n
                                          * (PACK_END - PACK_START)).astype(np.int64)
        pick = np.full(T, NONE, np.int64)
        pick[idx] = pack[idx] + _u(rng, 5 * MIN, 110 * MIN, n)
        normal = idx[~self.stuck[idx]]
        last = normal[np.argmax(pack[normal])]
        pick[last] = PICKUP_LAST  # the last non-stuck pickup, exactly
        st = np.flatnonzero(self.stuck)
        pick[st] = EPOST_PICKUP + np.sort(_u(rng, 0, 90 * MIN, len(st)))
        pick[st[0]] = EPOST_PICKUP
        self.ship, self.pack, self.pick = ship, pack, pick
        self.first_pick = int(normal[np.argmin(pick[normal])])
        hub = REGION_HUB[self.region]
        self.hub = hub

        # hub-stall group: Daejeon orders via CJ/Hanjin collected early
        dj = HUBS.index("Daejeon HUB")
        cand = np.flatnonzero(ship & (hub == dj) & ~self.stuck
                              & (pick <= HUB_FREEZE[0] - 30 * MIN))
        cand = cand[cand != self.first_pick]
        if len(cand) < K_HUB:  # tiny launches: move a few orders to Daejeon
            more = np.flatnonzero(ship & ~self.stuck & (hub != dj) & (self.region != DAEJEON)
                                  & (pick <= HUB_FREEZE[0] - 30 * MIN))
            more = more[more != self.first_pick]
            more = rng.choice(more, K_HUB - len(cand), replace=False)
            self.region[more] = DAEJEON
            self.courier[more] = CJ
            hub[more] = dj
            cand = np.concatenate([cand, more])
        hubgrp = np.zeros(T, bool)
        hubgrp[rng.choice(cand, K_HUB, replace=False)] = True
        self.hubgrp = hubgrp

        # planned delivery time by category
        P = np.array([[.45, .15, .30, .08, .02], [.32, .16, .38, .11, .03], [.32, .16, .38, .11, .03],
                      [.22, .15, .45, .14, .04], [.22, .15, .45, .14, .04], [.22, .15, .45, .14, .04],
                      [.22, .15, .45, .14, .04], [.22, .15, .45, .14, .04], [.00, .05, .55, .30, .10]])
        win = np.array([[_t("2016-10-20T08:00"), _t("2016-10-20T18:00")],
                        [_t("2016-10-20T18:00"), _t("2016-10-20T21:00")],
                        [_t("2016-10-21T08:00"), _t("2016-10-21T21:00")],
                        [_t("2016-10-22T08:00"), _t("2016-10-22T19:00")],
                        [CUTOFF + HOUR, CUTOFF + 30 * HOUR]], np.int64)
        cat = _cat(rng, P[self.region[idx]])
        st_mask = self.stuck[idx]
        cat[st_mask] = _cat(rng, np.tile([0, 0, .5, .4, .1], (int(st_mask.sum()), 1)))
        w0, w1 = win[cat, 0], win[cat, 1]
        w0 = np.where(st_mask & (cat == 2), _t("2016-10-21T14:00"), w0)
        d = w0 + np.floor(rng.random(n) * (w1 - w0)).astype(np.int64)
        d = np.maximum(d, pick[idx] + 150 * MIN + _u(rng, 0, 60 * MIN, n))
        deliv = np.full(T, NONE, np.int64)
        deliv[idx] = d
        # out_for_delivery and the destination hub scan (always < 2 h before leaving)
        p_ = pick[idx]
        o = d - (15 * MIN + np.floor(rng.random(n) * (np.minimum(3 * HOUR, 0.4 * (d - p_)) - 15 * MIN))
                 ).astype(np.int64)
        a = o - (10 * MIN + np.floor(rng.random(n) * (np.minimum(110 * MIN, 0.5 * (o - p_)) - 10 * MIN))
                 ).astype(np.int64)
        ofd = np.full(T, NONE, np.int64)
        athub = np.full(T, NONE, np.int64)
        ofd[idx], athub[idx] = o, a

        # the Daejeon HUB freeze
        f0, f1 = HUB_FREEZE
        g = np.flatnonzero(hubgrp)
        athub[g] = f0 + np.sort(_u(rng, 0, 90 * MIN, len(g)))
        athub[g[0]] = f0
        ofd[g] = f1 + np.sort(_u(rng, 0, 40 * MIN, len(g)))
        ofd[g[0]] = f1
        deliv[g] = ofd[g] + _u(rng, 30 * MIN, 4 * HOUR, len(g))
        nat = np.flatnonzero(ship & (hub == dj) & ~hubgrp)
        # arrived before the freeze but due to leave during it: leave just before it
        early = nat[(athub[nat] < f0) & (ofd[nat] >= f0)]
        ok = athub[early] + 10 * MIN < f0 - MIN
        e_ok, e_no = early[ok], early[~ok]
        lo = athub[e_ok] + 10 * MIN
        ofd[e_ok] = lo + np.floor(rng.random(len(e_ok)) * (f0 - MIN - lo)).astype(np.int64)
        athub[e_no] = f0 + _u(rng, 0, 30 * MIN, len(e_no))  # arrives into the freeze
        frozen = nat[(athub[nat] >= f0) & (athub[nat] < f1) & (ofd[nat] < f1)]
        ofd[frozen] = f1 + _u(rng, 0, 40 * MIN, len(frozen))
        deliv[frozen] = np.maximum(deliv[frozen], ofd[frozen] + _u(rng, 30 * MIN, 4 * HOUR, len(frozen)))

        # a failed first attempt the day before (and a few returned parcels)
        day_start = (deliv // DAY) * DAY
        ff = (ship & ~self.stuck & ~hubgrp & (self.region != DAEJEON) & (deliv >= _t("2016-10-21T08:00"))
              & (rng.random(T) < 0.12))
        fa = day_start - DAY + 13 * HOUR + _u(rng, 0, 450 * MIN, T)
        ff &= fa >= pick + 3 * HOUR
        fi = np.flatnonzero(ff)
        fail1 = np.full(T, NONE, np.int64)
        fail1[fi] = fa[fi]
        ofd1 = np.full(T, NONE, np.int64)
        span = np.minimum(3 * HOUR, fa[fi] - pick[fi] - 80 * MIN)
        ofd1[fi] = fa[fi] - 40 * MIN - np.floor(rng.random(len(fi)) * (span - 40 * MIN)).astype(np.int64)
        athub[fi] = ofd1[fi] - (10 * MIN + np.floor(
            rng.random(len(fi)) * (np.minimum(110 * MIN, 0.5 * (ofd1[fi] - pick[fi])) - 10 * MIN))).astype(np.int64)
        gap = deliv[fi] - fa[fi]
        ofd[fi] = deliv[fi] - (15 * MIN + np.floor(rng.random(len(fi)) * (np.minimum(3 * HOUR, 0.4 * gap) - 15 * MIN))
                               ).astype(np.int64)
        ret = np.zeros(T, bool)
        ret[fi[rng.random(len(fi)) < 0.05]] = True
        returned = np.full(T, NONE, np.int64)
        returned[ret] = deliv[ret] + _u(rng, 30 * MIN, 100 * MIN, int(ret.sum()))
        self.deliv, self.ofd, self.athub = deliv, ofd, athub
        self.fail1, self.ofd1, self.ret, self.returned = fail1, ofd1, ret, returned
        self.ff = ff

    def build_cancellations_b(self):
        """At night the `in_transit` stage drains only through cancellations."""
        pick, athub = self.pick, self.athub
        base = (self.ship & ~self.stuck & ~self.hubgrp & (self.region != DAEJEON) & ~self.ff)

        def cand(c):
            return base & (self.cancel == NONE) & (pick <= c - 2 * HOUR) & (athub > c)

        parts = []
        fp = self.first_pick
        parts.append(self._grid(pick[fp] + 100 * MIN, _t("2016-10-20T08:30"), fp, cand))
        parts.append(self._grid(_t("2016-10-20T20:00"), _t("2016-10-21T08:30"), None, cand))
        parts.append(self._grid(_t("2016-10-21T20:00"), _t("2016-10-22T08:30"), None, cand))
        tg = np.concatenate([p[0] for p in parts])
        tm = np.concatenate([p[1] for p in parts])
        self.grid_b = tg
        # the parcel is pulled back: nothing after the cancellation but `returned`
        for arr in (self.athub, self.ofd, self.deliv):
            arr[tg] = NONE
        self.returned[tg] = tm + self.rng.integers(30 * MIN, 100 * MIN, len(tg))
        self.ret[tg] = True

    def shipment_events(self):
        """Long format: (order, event, time, hub) for every event <= CUTOFF."""
        o, e, t, h = [], [], [], []
        T = self.T
        ar = np.arange(T)
        dj_none = np.full(T, -1, np.int16)

        def add(times, ev, hub=None, mask=None):
            m = (times != NONE) & (times <= CUTOFF)
            if mask is not None:
                m &= mask
            o.append(ar[m])
            e.append(np.full(int(m.sum()), EV[ev], np.int8))
            t.append(times[m])
            h.append((hub if hub is not None else dj_none)[m].astype(np.int16))

        hub = self.hub.astype(np.int16)
        add(self.pack, "packed")
        add(self.pick, "picked_up")
        add(self.athub, "at_hub", hub)
        add(self.ofd1, "out_for_delivery")
        add(self.fail1, "failed_attempt")
        add(self.ofd, "out_for_delivery")
        add(self.deliv, "failed_attempt", mask=self.ret & (self.cancel == NONE))
        add(self.deliv, "delivered", mask=~self.ret)
        add(self.returned, "returned", hub)
        ev = dict(order=np.concatenate(o), event=np.concatenate(e), time=np.concatenate(t),
                  hub=np.concatenate(h))
        # delivered set used downstream
        self.delivered = np.where(~self.ret & (self.deliv != NONE) & (self.deliv <= CUTOFF), self.deliv, NONE)
        return ev

    # ------------------------------------------------------------ activations
    def build_activations(self):
        rng = self.rng
        d_all = self.delivered
        idx = np.flatnonzero(d_all != NONE)
        n = len(idx)
        d = d_all[idx]
        via = _choice(rng, n, [.5, .25, .12, .08, .05])
        early = d < ACT_OPEN
        r = np.empty(n, np.int64)
        # delivered Thursday: wait for activation to open on Friday 08:00
        e_auto = ACT_OPEN + np.floor(rng.beta(1.2, 1.6, n) * 13.5 * HOUR).astype(np.int64)
        e_ars = ACT_OPEN + np.floor(rng.exponential(2.5 * HOUR, n)).astype(np.int64)
        e_onl = ACT_OPEN + np.floor(rng.exponential(1.5 * HOUR, n)).astype(np.int64)
        e_agt = ACT_OPEN + HOUR + np.floor(rng.exponential(3 * HOUR, n)).astype(np.int64)
        e_sto = ACT_OPEN + 2 * HOUR + _u(rng, 0, 10 * HOUR, n)
        r_early = np.choose(via, [e_auto, e_ars, e_onl, e_agt, e_sto])
        l_auto = d + _u(rng, 10 * MIN, 3 * HOUR, n)
        l_fast = d + 5 * MIN + np.floor(rng.exponential(HOUR, n)).astype(np.int64)
        l_agt = d + _u(rng, 30 * MIN, 4 * HOUR, n)
        l_sto = d + _u(rng, HOUR, 6 * HOUR, n)
        r_late = np.choose(via, [l_auto, l_fast, l_fast, l_agt, l_sto])
        r = np.where(early, r_early, r_late)
        r = self._open_hours(r)
        f = r + self._duration(via)
        # failures: a spike on Friday afternoon, otherwise every 40th attempt
        fail = self._spike(f)
        ns = np.flatnonzero(~((f >= SPIKE[0]) & (f < SPIKE[1])))
        ns = ns[np.argsort(f[ns], kind="stable")]
        fail[ns[np.arange(len(ns)) % 40 == 17]] = True
        att_order, att_via, att_r, att_f, att_fail, att_n = [idx], [via], [r], [f], [fail], [np.zeros(n, np.int8)]
        # retries
        cur_i, cur_f, cur_fail, cur_via = idx, f, fail, via
        for k in (1, 2):
            m = cur_fail & (rng.random(len(cur_fail)) < 0.9)
            oi = cur_i[m]
            rr = self._open_hours(cur_f[m] + _u(rng, 10 * MIN, 120 * MIN, len(oi)))
            other = np.where(rng.random(len(oi)) < 0.62, 3, 1)  # agent, else ARS
            vv = np.where(rng.random(len(oi)) < 0.6, cur_via[m], other).astype(np.int8)
            ff = rr + self._duration(vv)
            fl = self._spike(ff) if k == 1 else np.zeros(len(oi), bool)
            att_order.append(oi); att_via.append(vv); att_r.append(rr); att_f.append(ff)
            att_fail.append(fl); att_n.append(np.full(len(oi), k, np.int8))
            cur_i, cur_f, cur_fail, cur_via = oi, ff, fl, vv
        order = np.concatenate(att_order)
        via = np.concatenate(att_via)
        r = np.concatenate(att_r)
        f = np.concatenate(att_f)
        fail = np.concatenate(att_fail)
        nth = np.concatenate(att_n)
        # ARS requests lost on Friday evening ...
        single = np.bincount(order, minlength=self.T) == 1
        cand = np.flatnonzero((nth == 0) & ~fail & (via == 1) & single[order]
                              & (r >= _t("2016-10-21T19:00")) & (r < _t("2016-10-21T21:00")))
        lost = np.sort(rng.choice(cand, min(N_STUCK_ATTEMPTS, len(cand)), replace=False))
        # ... and only processed when activation reopens on Saturday 09:00
        f[lost] = ACT_OPEN2 + np.sort(_u(rng, 0, 40 * MIN, len(lost)))
        if len(lost):
            f[lost[0]] = ACT_OPEN2
        spike_fail = fail & (f >= SPIKE[0]) & (f < SPIKE[1])
        code = np.where(spike_fail, _choice(rng, len(f), [.85, .05, .10]), _choice(rng, len(f), [.2, .55, .25]))
        code = np.where(fail, code, -1).astype(np.int8)
        keep = r <= CUTOFF
        self.act = dict(order=order[keep], via=via[keep], req=r[keep], fin=f[keep], fail=fail[keep],
                        code=code[keep])
        a = self.act
        done = a["fin"] <= CUTOFF
        ok = done & ~a["fail"]
        act = np.full(self.T, NEVER, np.int64)
        np.minimum.at(act, a["order"][ok], a["fin"][ok])
        self.activated = np.where(act == NEVER, NONE, act)

    @staticmethod
    def _open_hours(r):
        closed = (r >= ACTIVATION_PROMISE) & (r < ACT_OPEN2)
        # deterministic spread of the Friday-night backlog over Saturday morning
        r = np.where(closed, ACT_OPEN2 + ((r - ACTIVATION_PROMISE) * 4 * HOUR) // (ACT_OPEN2 - ACTIVATION_PROMISE), r)
        return r

    def _duration(self, via):
        rng, n = self.rng, len(via)
        lo = np.array([60, 120, 60, 300, 600])[via]
        hi = np.array([1200, 1800, 900, 3600, 2700])[via]
        return (lo + np.floor(rng.random(n) * (hi - lo))).astype(np.int64)

    def _spike(self, f):
        return (f >= SPIKE[0]) & (f < SPIKE[1]) & (self.rng.random(len(f)) < 0.45)

    # --------------------------------------------------------------- messages
    def build_messages(self):
        rng, T = self.rng, self.T
        parts = []  # (order, template, batch, corrects, sent)

        def add(orders, tpl, sent, batch=-1, corrects=-1):
            parts.append((orders.astype(np.int64), np.full(len(orders), TPL[tpl], np.int8),
                          np.full(len(orders), batch, np.int8), np.full(len(orders), corrects, np.int8),
                          sent.astype(np.int64)))

        def batch_times(start, n, span):
            return start + (np.arange(n, dtype=np.int64) * span) // max(n, 1)

        ar = np.arange(T)
        add(ar, "PREORDER_CONFIRMED", self.ordered + np.where(self.prio, _u(rng, 3, 60, T), _u(rng, 10, 300, T)))
        al = np.flatnonzero(self.alloc != NONE)
        add(al, "ALLOCATED", self.alloc[al] + _u(rng, 30, 600, len(al)))
        sh = np.flatnonzero((self.pick != NONE) & (self.pick <= CUTOFF) & (self.cancel == NONE))
        s = self.pick[sh] + _u(rng, 60, 900, len(sh))
        tod = s % DAY
        next8 = (s // DAY) * DAY + 8 * HOUR + np.where(tod >= 21 * HOUR, DAY, 0)
        quiet = (tod >= 21 * HOUR) | (tod < 8 * HOUR)  # held back until 08:00
        add(sh, "SHIPPED", np.where(quiet, next8 + _u(rng, 0, 20 * MIN, len(sh)), s))
        # B-DELAY-1020, built from a stale 15:00 snapshot: some already have the phone
        live = self.prio & (self.alloc != NONE) & ((self.cancel == NONE) | (self.cancel > DELAY_BATCH))
        delayed = live & ((self.delivered == NONE) | (self.delivered > DELAY_SNAPSHOT))
        rec = rng.permutation(np.flatnonzero(delayed))
        wrong = np.flatnonzero(self.delivered[rec] != NONE)
        wrong = wrong[self.delivered[rec[wrong]] <= DELAY_BATCH]
        if len(wrong):  # the very first message already contradicts the order
            rec[[0, wrong[0]]] = rec[[wrong[0], 0]]
        add(rec, "DELIVERY_DELAYED", batch_times(DELAY_BATCH, len(rec), 15 * MIN), 0)
        self.delay_recipients = rec
        auto = rng.permutation(np.flatnonzero(live))
        add(auto, "ACTIVATION_AUTO_BY_DEADLINE", batch_times(AUTO_BATCH, len(auto), 15 * MIN), 1)
        ars = rng.permutation(auto[rng.random(len(auto)) < 0.75])
        add(ars, "ACTIVATION_CALL_ARS", batch_times(ARS_BATCH, len(ars), 20 * MIN), 2)
        corr = rng.permutation(rec)
        add(corr, "DELAY_NOTICE_CORRECTION", batch_times(CORRECTION_BATCH, len(corr), 15 * MIN), 3, 0)
        a = self.act
        done = a["fin"] <= CUTOFF
        fl = done & a["fail"]
        add(a["order"][fl], "ACTIVATION_FAILED", a["fin"][fl] + _u(rng, 5, 120, int(fl.sum())))
        ok = done & ~a["fail"]
        add(a["order"][ok], "ACTIVATED", a["fin"][ok] + _u(rng, 5, 180, int(ok.sum())))
        act_by = np.flatnonzero((self.activated != NONE) & (self.activated < SURVEY_BATCH))
        sv = rng.permutation(act_by[rng.random(len(act_by)) < 0.25])
        add(sv, "SURVEY_INVITE", batch_times(SURVEY_BATCH, len(sv), 30 * MIN), 4)
        order, tpl, batch, corrects, sent = (np.concatenate(x) for x in zip(*parts))
        n = len(order)
        # carrier delivery reports: batches are throttled, a few never report
        rep = sent + _u(rng, 2, 90, n)
        isb = batch >= 0
        thr = isb & (rng.random(n) < 0.35)
        rep[thr] = sent[thr] + _u(rng, 60, 9000, int(thr.sum()))
        bi = np.flatnonzero(isb)
        stuck = rng.choice(bi, max(3, _round(0.001 * len(bi))), replace=False)
        rep[stuck] = NEVER
        status = np.where(rng.random(n) < 0.022, 1, 0).astype(np.int8)
        code = np.where(status == 1, _choice(rng, n, [.5, .3, .2]), -1).astype(np.int8)
        keep = sent <= CUTOFF
        self.msg = dict(order=order[keep], tpl=tpl[keep], batch=batch[keep], corrects=corrects[keep],
                        sent=sent[keep], rep=rep[keep], status=status[keep], code=code[keep])

    # ------------------------------------------------------------------ calls
    def build_calls(self):
        rng, T = self.rng, self.T
        start = _t("2016-10-14T08:00")
        hours = np.arange(start, CUTOFF, HOUR, dtype=np.int64)
        h = (hours % DAY) // HOUR
        day = (hours - _t("2016-10-14T00:00")) // DAY  # 0 = Fri 10-14
        w = np.where((h >= 9) & (h < 21), 1.0, 0.12)
        w = np.where((day == 0) & (h >= 9) & (h < 12), 6.0, w)
        w = np.where((day >= 3) & (day <= 5) & (h >= 9) & (h < 21), 1.3, w)
        w = np.where((day == 6) & (h >= 8) & (h < 12), 2.0, w)
        w = np.where((day == 6) & (h >= 12) & (h < 18), 4.0, w)
        w = np.where((day == 6) & (h >= 18) & (h < 21), 12.0, w)
        w = np.where((day == 6) & (h >= 21), 2.5, w)
        w = np.where((day == 7) & (h < 7), 0.6, w)
        w = np.where((day == 7) & (h >= 7) & (h < 12), 14.0, w)
        w = np.where((day == 7) & (h >= 12) & (h < 22), 6.0, w)
        w = np.where((day == 7) & (h >= 22), 2.0, w)
        w = np.where((day == 8) & (h >= 8), 3.0, w)
        C = _round(0.5 * T)
        per_hour = rng.multinomial(C, w / w.sum())
        surge_hour = np.zeros(len(hours), bool)
        for s, e in CALL_SURGES:
            surge_hour |= (hours >= s) & (hours < e)
        per_hour = np.where(surge_hour, np.maximum(per_hour, 45), per_hour)  # small launches too
        C = int(per_hour.sum())
        arr = np.repeat(hours, per_hour) + _u(rng, 0, HOUR, C)
        arr.sort()
        surge = np.zeros(C, bool)
        for s, e in CALL_SURGES:
            surge |= (arr >= s) & (arr < e)
        outcome = np.zeros(C, np.int8)
        si = np.flatnonzero(surge)
        outcome[si] = _choice(rng, len(si), [.46, .24, .30])
        ni = np.flatnonzero(~surge)
        k = np.arange(len(ni))
        outcome[ni[k % 50 == 17]] = 2
        outcome[ni[k % 12 == 5]] = 1
        wait = np.where(surge, 5 + rng.exponential(240, C), 2 + rng.exponential(25, C)).astype(np.int64)
        answered = np.where(outcome == 0, arr + wait, NONE)
        talk = (60 + rng.exponential(200, C)).astype(np.int64)
        aband = np.where(surge, 20 + rng.exponential(200, C), 10 + rng.exponential(90, C)).astype(np.int64)
        ended = np.where(outcome == 0, answered + talk, np.where(outcome == 1, arr + aband, arr + _u(rng, 0, 9, C)))
        cday = np.clip((arr - _t("2016-10-14T00:00")) // DAY, 0, 8)
        period = np.select([cday <= 5, cday == 6, cday == 7], [0, 1, 2], 3)
        PR = np.array([[.20, .05, .45, .15, .15], [.65, .10, .10, .05, .10],
                       [.30, .55, .00, .05, .10], [.40, .40, .00, .10, .10]])
        reason = _cat(rng, PR[period])
        queue = np.where(reason == 1, np.where(rng.random(C) < 0.55, 1, 0),
                         np.where(rng.random(C) < 0.7, 0, 2)).astype(np.int8)
        busy = (period == 1) | (period == 2)
        res = np.where(busy, _choice(rng, C, [.30, .45, .15, .10]), _choice(rng, C, [.70, .10, .12, .08]))
        res = np.where(outcome == 0, res, -1).astype(np.int8)
        pool = rng.choice(self.n_customers, max(1, _round(0.6 * C)), replace=C > 0.6 * self.n_customers)
        cust = pool[rng.integers(0, len(pool), C)]
        cust = np.where(rng.random(C) < 0.08, -1, cust)
        n_agents = max(20, C // 100)
        agent = np.where(outcome == 0, rng.integers(1, n_agents + 1, C), -1)
        keep = ended <= CUTOFF
        self.calls = dict(arr=arr[keep], ans=answered[keep], end=ended[keep], outcome=outcome[keep],
                          reason=reason[keep], queue=queue[keep], res=res[keep], cust=cust[keep],
                          agent=agent[keep])


# ============================================================================ output
def _fixed(chars: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """(n, w) uint8 ASCII matrix -> Arrow string array (zero-copy buffers)."""
    n, w = chars.shape
    offsets = np.arange(n + 1, dtype=np.int64) * w
    data = pa.py_buffer(np.ascontiguousarray(chars).reshape(-1))
    bitmap, nulls = None, 0
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        nulls = int(n - valid.sum())
    if n * w < 2**31 - 1:
        return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.astype(np.int32)), data, bitmap, nulls)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), data, bitmap, nulls)


_PAIRS = np.array([[48 + i // 10, 48 + i % 10] for i in range(100)], np.uint8)
_TOD = None  # 'HH:MM:SS' for every second of a day, built on first use


def _put_digits(out: np.ndarray, col: int, v: np.ndarray, width: int) -> None:
    """Zero-padded decimal digits of v into out[:, col:col+width] (two digits per lookup)."""
    v = np.asarray(v, np.int64)
    k = width
    while k >= 2:
        out[:, col + k - 2:col + k] = _PAIRS[v % 100]
        v = v // 100
        k -= 2
    if k == 1:
        out[:, col] = v % 10 + 48


def _ts(v: np.ndarray, style: str = "space") -> pa.Array:
    """Local seconds -> 'YYYY-MM-DD HH:MM:SS' ('T', '+09:00' or UTC 'Z' variants); NONE -> null."""
    global _TOD
    if _TOD is None:
        sec = np.arange(DAY, dtype=np.int64)
        tod = np.empty((DAY, 8), np.uint8)
        _put_digits(tod, 0, sec // HOUR, 2)
        _put_digits(tod, 3, sec // MIN % 60, 2)
        _put_digits(tod, 6, sec % 60, 2)
        tod[:, 2] = tod[:, 5] = ord(":")
        _TOD = tod
    v = np.asarray(v, np.int64)
    valid = (v != NONE) & (v < NEVER)
    if style == "Z":
        v = v - 9 * HOUR
    suffix = {"offset": b"+09:00", "Z": b"Z"}.get(style, b"")
    n = len(v)
    out = np.empty((n, 19 + len(suffix)), np.uint8)
    day = v // DAY
    if n:
        lo = int(day[valid].min()) if valid.any() else 0
        hi = int(day[valid].max()) if valid.any() else 0
        day = np.where(valid, day - lo, 0)
        dates = np.array([str(np.datetime64(d, "D")).encode() for d in range(lo, hi + 1)], "S10")
        out[:, 0:10] = dates.view(np.uint8).reshape(-1, 10)[day]
        out[:, 11:19] = _TOD[np.where(valid, v % DAY, 0)]
    out[:, 10] = ord(" ") if style == "space" else ord("T")
    for k, ch in enumerate(suffix):
        out[:, 19 + k] = ch
    return _fixed(out, valid)


def _ids(prefix: str, num: np.ndarray, width: int) -> pa.Array:
    num = np.asarray(num, np.int64)
    width = max(width, len(str(int(num.max())))) if len(num) else width
    p = prefix.encode()
    out = np.empty((len(num), len(p) + width), np.uint8)
    out[:, : len(p)] = np.frombuffer(p, np.uint8)
    _put_digits(out, len(p), num, width)
    return _fixed(out)


def _labels(names, codes: np.ndarray) -> pa.Array:
    """Categorical column (dictionary-encoded; the CSV writer decodes it); code < 0 -> null."""
    codes = np.asarray(codes)
    mask = codes < 0
    idx = pa.array(np.where(mask, 0, codes).astype(np.int8), mask=mask if mask.any() else None)
    return pa.DictionaryArray.from_arrays(idx, pa.array(list(names), pa.string()))


def _groups(drop: np.ndarray):
    """(drop, row indices) for every drop present, rows in their original order."""
    order = np.argsort(drop, kind="stable")
    counts = np.bincount(drop[order].astype(np.int64))
    pos = 0
    for j, c in enumerate(counts):
        if c:
            yield j, order[pos:pos + c]
        pos += c


def _csv_bytes(columns: dict[str, pa.Array], extra_lines: list[str] = ()) -> bytes:
    names = list(columns)
    head = (",".join(names) + "\n").encode()
    buf = io.BytesIO()
    buf.write(head)
    if columns and len(next(iter(columns.values()))):
        tab = pa.table(columns)
        pacsv.write_csv(tab, buf, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    for line in extra_lines:
        buf.write((line + "\n").encode())
    return buf.getvalue()


class _Writer:
    """Builds, encodes, compresses and writes files on two worker threads.

    Column building (numpy / Arrow kernels), the CSV writer and zlib all release the
    GIL, so two files are produced in parallel while the main thread prepares the next.
    """

    def __init__(self, out: pathlib.Path):
        self.out = out
        self.files: list[str] = []
        self.stats = {t: dict(files=0, rows=0, bad=0, key_count=0) for t in TABLES}
        self.bad_rows: list[dict] = []
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.pending: list = []

    @staticmethod
    def _store(path, build, extra, encoding, bom, gz) -> None:
        data = _csv_bytes(build(), extra)
        if encoding != "utf-8":
            data = data.decode("utf-8").encode(encoding)
        if bom:
            data = b"\xef\xbb\xbf" + data
        if gz:
            data = gzip.compress(data, compresslevel=6 if len(data) < 8 * 2**20 else 1, mtime=0)
        path.write_bytes(data)

    def write(self, table: str, name: str, build, *, rows: int, extra: list[str] = (),
              bad: list[tuple[int, str]] = (), encoding: str = "utf-8", bom: bool = False, gz: bool = False):
        path = self.out / table / name
        path.parent.mkdir(parents=True, exist_ok=True)
        while sum(not f.done() for f in self.pending) >= 3:  # bound the memory held by queued files
            next(f for f in self.pending if not f.done()).result()
        self.pending.append(self.pool.submit(self._store, path, build, list(extra), encoding, bom, gz))
        self.count(table, name, rows, bad)

    def count(self, table, name, rows, bad=()):
        self.files.append(f"{table}/{name}")
        st = self.stats[table]
        st["files"] += 1
        st["rows"] += rows
        st["bad"] += len(bad)
        for line, reason in bad:
            self.bad_rows.append(dict(table=table, file=f"{table}/{name}", line=line, reason=reason))

    def close(self) -> None:
        try:
            for f in self.pending:
                f.result()
        finally:
            self.pool.shutdown(wait=True)


def _launch_toml() -> str:
    lines = [
        "# Sample launch settings (see the data contract, section 4)",
        "[launch]",
        'name = "iPhone 7 launch"',
        'timezone = "Asia/Seoul"',
        'quiet_hours = ["21:00", "08:00"]',
        "",
        "[calls]",
        "service_level_seconds = 20",
        "",
        "[messages]",
        "conflict_window_hours = 48",
        "",
        "[alerts]",
        "window_minutes = 60",
        "activation_failure_rate = 0.10",
        "min_attempts = 20",
        "call_loss_rate = 0.20",
        "min_calls = 20",
        "stall_minutes = 120",
        "stall_min_orders = 50",
        "hub_stall_min_orders = 20",
        "stale_feed_minutes = 120",
        "",
        f"# every template the data uses, except {UNCATALOGUED_TEMPLATE} (left out on purpose)",
    ]
    for name, spec in TEMPLATES.items():
        lines.append(f"[templates.{name}]")
        if "claims" in spec:
            lines.append(f'claims = "{spec["claims"]}"')
        if "conflicts_with" in spec:
            lines.append("conflicts_with = [" + ", ".join(f'"{c}"' for c in spec["conflicts_with"]) + "]")
    return "\n".join(lines) + "\n"


class _Ids:
    """Shared id/phone columns, built once and gathered per file."""

    def __init__(self, L: "_Launch"):
        self.ow = L.ow = max(7, len(str(L.T + 1000)))
        self.order = _ids("O", np.arange(1, L.T + 3), self.ow)  # + 2 phantom orders (orphans)
        self.cust = _ids("C", np.arange(1, L.n_customers + 3), self.ow)
        self.phone = _phone(L.phone)

    def orders(self, i):
        return self.order.take(pa.array(np.asarray(i, np.int64)))

    def customers(self, c):
        c = np.asarray(c, np.int64)
        mask = c < 0
        return self.cust.take(pa.array(np.where(mask, 0, c), mask=mask if mask.any() else None))


def generate(out: pathlib.Path, orders: int = 50_000, seed: int = 7) -> dict:
    """Write a deterministic sample launch into `out` (created if missing); return a small summary
    dict (row counts per table, files written).

    `orders` is the number of priority pre-orders (40% sms, 60% web); 10% more
    non-priority store/app orders come on top. Same (orders, seed) -> the same
    bytes. Existing table folders in `out` are replaced. Bad-row line numbers in
    the summary are physical line numbers (the header is line 1).
    """
    out = pathlib.Path(out)
    L = _Launch(orders, seed)
    L.build_orders()
    L.build_allocation()
    L.build_cancellations_a()
    L.build_shipping()
    L.build_cancellations_b()
    ev = L.shipment_events()
    L.build_activations()
    L.build_messages()
    L.build_calls()

    out.mkdir(parents=True, exist_ok=True)
    for t in TABLES:
        if (out / t).exists():
            shutil.rmtree(out / t)
    (out / "launch.toml").write_text(_launch_toml(), encoding="utf-8")
    W = _Writer(out)
    W.files.append("launch.toml")
    rng = np.random.default_rng([L.seed, L.N, 99])
    ids = _Ids(L)
    phantom = [L.T, L.T + 1]  # order indexes the orders extract never carried (orphans)
    orphans = dict(orders=0, calls=0)
    try:
        _write_orders(L, W, rng, ids)
        orphans["shipments"] = _write_shipments(L, W, rng, ids, ev, phantom)
        orphans["activations"] = _write_activations(L, W, rng, ids, phantom)
        orphans["messages"] = _write_messages(L, W, rng, ids, phantom)
        _write_calls(L, W, rng, ids)
    finally:
        W.close()

    tables = {}
    for t in TABLES:
        st = W.stats[t]
        accepted = st["rows"] - st["bad"]
        tables[t] = dict(files=st["files"], rows_read=st["rows"], rows_rejected=st["bad"],
                         rows_accepted=accepted, superseded=accepted - st["key_count"],
                         keys=st["key_count"], orphans=orphans[t])
    return dict(
        out=str(out), orders=L.N, seed=L.seed,
        files=sorted(W.files + ["shipments/shipments_099.csv.part"]),
        rows={t: tables[t]["rows_read"] for t in TABLES},
        tables=tables,
        bad_rows=W.bad_rows,
        counts=dict(L.counts, customers=L.n_customers, cancelled=int((L.cancel != NONE).sum()),
                    reserved=int(((L.alloc == NONE) & (L.cancel == NONE)).sum()),
                    stuck_epost_daejeon=int(L.stuck.sum()), hub_stall_forced=K_HUB),
        special_files=dict(
            bom="orders/orders_001.csv",
            cp949="calls/calls_011.csv",
            parquet="shipments/shipments_009.parquet",
            utc_z=sorted(f for f in W.files if "_hanjin." in f),
            offset="activations/activations_013.csv",
            t_separator="messages/messages_013.csv.gz",
            part="shipments/shipments_099.csv.part",
        ),
        story=dict(STORY),
    )


def _bad_lines(n_rows: int, specs) -> tuple[list[str], list[tuple[int, str]]]:
    """Append deliberately invalid rows after n_rows good ones: (lines, [(line number, reason)])."""
    return [line for line, _ in specs], [(n_rows + 2 + k, reason) for k, (_, reason) in enumerate(specs)]


def _versions(n, t_first, t_final, key_bits):
    """Snapshot drops of a two-state row (pending -> final): index, is_final, drop, updated_at."""
    d_first = _drop_of(t_first).astype(np.int64)
    done = t_final <= CUTOFF
    d_final = np.where(done, _drop_of(np.minimum(t_final, CUTOFF)), 99).astype(np.int64)
    pend = d_final != d_first  # also written while still pending
    v_i = np.concatenate([np.flatnonzero(pend), np.flatnonzero(done)])
    v_final = np.concatenate([np.zeros(int(pend.sum()), bool), np.ones(int(done.sum()), bool)])
    v_drop = np.concatenate([d_first[pend], d_final[done]])
    v_upd = np.where(v_final, t_final[v_i], t_first[v_i])
    key = (v_drop << (21 + key_bits)) | ((v_upd - OPEN) << key_bits) | v_i
    srt = np.argsort(key)
    return v_i[srt], v_final[srt], v_drop[srt], v_upd[srt]


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


def _phone(num):
    num = np.asarray(num, np.int64)
    out = np.empty((len(num), 13), np.uint8)
    out[:, 0:4] = np.frombuffer(b"010-", np.uint8)
    _put_digits(out, 4, num // 10**4, 4)
    out[:, 8] = ord("-")
    _put_digits(out, 9, num % 10**4, 4)
    return _fixed(out)


def _tracking(courier, order):
    out = np.empty((len(order), 12), np.uint8)
    out[:, 0:2] = np.array([list(p.encode()) for p in TRACKING_PREFIX], np.uint8)[courier]
    _put_digits(out, 2, (np.asarray(order, np.int64) * 7919 + 104729) % 10**10, 10)
    return _fixed(out)


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
