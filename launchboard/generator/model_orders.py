"""The orders: channels, customers, promises, stock allocation and the cancellations before packing."""

from __future__ import annotations

import numpy as np

from .story import (
    ACTIVATION_PROMISE, ALLOC_WINDOWS, CJ, DAEJEON, DAY, DELIVERY_PROMISE, EPOST, HOUR, K_STUCK_MIN, MIN,
    NONE, OPEN, PACK_START, REGION_W, REGIONS, SKUS, _cat, _choice, _round, _t, _u
)


class _OrdersModel:
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
