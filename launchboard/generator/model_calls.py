"""The contact centre: calls per hour, the two surges, outcomes, waits, reasons and resolutions.

Background calls come from random customers at a rate that follows the launch's days. The two
surges are the customers of two message batches calling back: B-DELAY-1020 (Thu 22:00, mostly
about delivery) and B-ARS-1021 (Fri 07:00, which told them to call: mostly about activation).
Each calling recipient calls within two hours of their message, some of them again after being
cut off or giving up. Every call arriving in a ``CALL_SURGES`` window meets an overloaded centre.
"""

from __future__ import annotations

import numpy as np

from .story import BATCHES, CALL_SURGES, CUTOFF, DAY, HOUR, MIN, NONE, _cat, _choice, _round, _t, _u

# The recipients who call back (share of the customers a batch reached, at least CALLERS_MIN
# callers so that small launches show the surge too) and why: delivery, activation, stock,
# cancel, other.
SURGE_BATCHES = {
    "B-DELAY-1020": dict(share=0.06, mean_minutes=30, reasons=[.75, .10, .00, .10, .05]),
    "B-ARS-1021": dict(share=0.08, mean_minutes=35, reasons=[.15, .75, .00, .03, .07]),
}
CALLERS_MIN = 60


class _CallsModel:
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
        w = np.where((day == 6) & (h >= 18) & (h < 21), 4.0, w)  # the delivery promise missed: busy, not overloaded
        w = np.where((day == 6) & (h >= 21), 1.0, w)
        w = np.where((day == 7) & (h < 7), 0.6, w)
        w = np.where((day == 7) & (h >= 7) & (h < 12), 4.0, w)
        w = np.where((day == 7) & (h >= 12) & (h < 22), 6.0, w)
        w = np.where((day == 7) & (h >= 22), 2.0, w)
        w = np.where((day == 8) & (h >= 8), 3.0, w)
        C = _round(0.5 * T)
        per_hour = rng.multinomial(C, w / w.sum())
        arr = np.repeat(hours, per_hour) + _u(rng, 0, HOUR, C)
        cust = self._background_callers(C)
        reason = np.full(C, -1, np.int8)  # drawn below from the day's mix
        for batch, spec in SURGE_BATCHES.items():
            s_arr, s_cust, s_reason = self._recipients_calling(BATCHES.index(batch), **spec)
            arr, cust, reason = (np.concatenate(x) for x in ((arr, s_arr), (cust, s_cust), (reason, s_reason)))
        srt = np.argsort(arr, kind="stable")
        arr, cust, reason = arr[srt], cust[srt], reason[srt]
        C = len(arr)
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
        reason = np.where(reason >= 0, reason, _cat(rng, PR[period])).astype(np.int8)
        queue = np.where(reason == 1, np.where(rng.random(C) < 0.55, 1, 0),
                         np.where(rng.random(C) < 0.7, 0, 2)).astype(np.int8)
        busy = (period == 1) | (period == 2)
        res = np.where(busy, _choice(rng, C, [.30, .45, .15, .10]), _choice(rng, C, [.70, .10, .12, .08]))
        res = np.where(outcome == 0, res, -1).astype(np.int8)
        n_agents = max(20, C // 100)
        agent = np.where(outcome == 0, rng.integers(1, n_agents + 1, C), -1)
        keep = ended <= CUTOFF
        self.calls = dict(arr=arr[keep], ans=answered[keep], end=ended[keep], outcome=outcome[keep],
                          reason=reason[keep], queue=queue[keep], res=res[keep], cust=cust[keep],
                          agent=agent[keep])

    def _background_callers(self, n: int) -> np.ndarray:
        """Customers of ``n`` background calls: a pool of 60% as many customers as calls (some
        call more than once), 8% unknown (-1)."""
        rng = self.rng
        pool = rng.choice(self.n_customers, max(1, _round(0.6 * n)), replace=n > 0.6 * self.n_customers)
        cust = pool[rng.integers(0, len(pool), n)]
        return np.where(rng.random(n) < 0.08, -1, cust)

    def _recipients_calling(self, batch: int, share: float, mean_minutes: float, reasons: list[float]):
        """Calls (arrival, customer, reason) by the customers batch ``batch`` reached (a message
        not reported failed): ``share`` of them (at least CALLERS_MIN) call after their first
        message, ``mean_minutes`` later on average (at most 100); a third call again 3-9 minutes
        later, and a tenth of those once more. Every call arrives within 118 minutes of the message."""
        rng, m = self.rng, self.msg
        sel = (m["batch"] == batch) & (m["status"] != 1)
        cust, sent = self.cust[m["order"][sel]], m["sent"][sel]
        first = np.lexsort((sent, cust))
        cust, sent = cust[first], sent[first]
        keep = np.r_[True, cust[1:] != cust[:-1]]  # each customer at their first message
        cust, sent = cust[keep], sent[keep]
        share = min(1.0, max(share, CALLERS_MIN / max(len(cust), 1)))
        callers = np.flatnonzero(rng.random(len(cust)) < share)
        first_at = sent[callers] + np.minimum(rng.exponential(mean_minutes * MIN, len(callers)), 100 * MIN).astype(
            np.int64) + 20
        again = rng.random(len(callers)) < 1 / 3
        third = again & (rng.random(len(callers)) < 0.1)
        second_at = first_at + _u(rng, 3 * MIN, 9 * MIN, len(callers))
        third_at = second_at + _u(rng, 3 * MIN, 9 * MIN, len(callers))
        arr = np.concatenate([first_at, second_at[again], third_at[third]])
        who = np.concatenate([cust[callers], cust[callers][again], cust[callers][third]])
        why = _choice(rng, len(callers), reasons)
        reason = np.concatenate([why, why[again], why[third]])
        return arr, who, reason
