"""The contact centre: calls per hour, the two surges, outcomes, waits, reasons and resolutions."""

from __future__ import annotations

import numpy as np

from .story import CALL_SURGES, CUTOFF, DAY, HOUR, NONE, _cat, _choice, _round, _t, _u


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
