"""The sample launch's story: KT's iPhone 7 pre-order launch, Korea, October 2016.

Timeline (Asia/Seoul wall time; exact moments in ``STORY``). Pre-orders open Fri
2016-10-14 09:00: the SMS channel (40% of the priority stock) sells out by 09:00:10,
the web form stays open until 09:14:40, and non-priority store/app orders trickle in
until Wed 10-19 20:00. Stock is allocated Mon 10-17 09:00 to Wed 10-19 18:00 (a few
orders stay ``reserved``); the warehouse packs Wed 20:00 to Thu 10-20 10:00 and
couriers collect within two hours of packing, except Korea Post (Epost) in Daejeon,
which never comes: those orders sit ``packed`` until Fri 09:00 (``stalled_stage``
packed holds on [Thu 14:00, Fri 09:00)). From Thu 08:00 to 14:00 nothing leaves the
Daejeon HUB (``stalled_hub`` "Daejeon HUB" holds on [Thu 10:00, 14:00)). Delivery was
promised for Thu 18:00; about 70% of parcels arrive later (Thu evening, Fri, Sat): the
contact centre is busy Thursday evening, but copes. Thu 21:40 "we activate it by Friday
22:00" (ACTIVATION_AUTO_BY_DEADLINE) goes to every priority customer, and at 22:00 a
DELIVERY_DELAYED batch (B-DELAY-1020) reaches customers who partly already have their phone;
Fri 07:00 the contradicting "call the ARS" (ACTIVATION_CALL_ARS, B-ARS-1021). Each of the
last two makes its recipients call back within two hours, and the contact centre is
overloaded (calls rejected or abandoned) Thu 22:00 to Fri 00:30 and Fri 07:00 to 09:30:
traced to their messages, they are the top two batches by excess calls
(``message_call_surge`` is raised for each while its calls come in). Activation opens Fri
08:00; attempts finishing Fri 14:00-16:00 fail ~45% (mostly E-ACT-201). About a fifth of the
orders miss the Friday 22:00 activation promise, and at Fri 22:00 batch B-CORR-1021 retracts the
previous night's delay notice. The extract ends Sat 10-22 18:00. Outside these
windows every monitored stage keeps moving (steady cancellations keep `allocated`
and, at night, `in_transit` from looking stalled), so the spec's alerts fire only
where documented; the stall windows hold for any size >= 200 orders, the call
overload and activation spike for >= 1,000 (the bundled sample uses 4,000).

This module holds the story's moments (``STORY``), the extract drops, the dimensions
(channels, skus, regions, hubs, couriers, templates) and the random helpers the builders share.
"""

from __future__ import annotations

import numpy as np

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
AUTO_BATCH = _t("2016-10-20T21:40:00")
ARS_BATCH = _t("2016-10-21T07:00:00")
ACT_OPEN = _t("2016-10-21T08:00:00")
EPOST_PICKUP = _t("2016-10-21T09:00:00")
SPIKE = (_t("2016-10-21T14:00:00"), _t("2016-10-21T16:00:00"))
ACTIVATION_PROMISE = _t("2016-10-21T22:00:00")
CORRECTION_BATCH = _t("2016-10-21T22:00:00")
ACT_OPEN2 = _t("2016-10-22T09:00:00")
SURVEY_BATCH = _t("2016-10-22T10:00:00")
CUTOFF = _t("2016-10-22T18:00:00")
# the contact centre is overloaded while the two batches' recipients call back (model_calls)
CALL_SURGES = [
    (DELAY_BATCH, _t("2016-10-21T00:30:00")),
    (ARS_BATCH, _t("2016-10-21T09:30:00")),
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
    # contact centre overload: calls arriving in these windows are 50%+ lost. The first is
    # B-DELAY-1020's recipients calling back, the second B-ARS-1021's: at each check the
    # call_center_overload and that batch's message_call_surge are raised
    "call_surge_1_start": _iso(CALL_SURGES[0][0]),
    "call_surge_1_end": _iso(CALL_SURGES[0][1]),
    "call_overload_check_1": _iso(_t("2016-10-20T23:00:00")),
    "call_surge_2_start": _iso(CALL_SURGES[1][0]),
    "call_surge_2_end": _iso(CALL_SURGES[1][1]),
    "call_overload_check_2": _iso(_t("2016-10-21T08:30:00")),
    # messages
    "delay_batch": _iso(DELAY_BATCH),  # B-DELAY-1020: the first surge follows it
    "auto_activation_batch": _iso(AUTO_BATCH),  # B-AUTO-1020, first quiet-hours send
    "ars_batch": _iso(ARS_BATCH),  # B-ARS-1021 (conflicts with B-AUTO-1020): the second surge follows it
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
