"""Packing, pickups, hub scans and deliveries (the Epost and Daejeon HUB stalls), the night
cancellations in transit, and the shipment events in long format."""

from __future__ import annotations

import numpy as np

from .story import (
    CJ, CUTOFF, DAEJEON, DAY, EPOST_PICKUP, EV, HOUR, HUB_FREEZE, HUBS, K_HUB, MIN, NONE, PACK_END,
    PACK_START, PICKUP_LAST, REGION_HUB, _cat, _t, _u
)


class _ShippingModel:
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
