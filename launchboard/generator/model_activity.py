"""Activation attempts (the Friday spike, retries, lost ARS requests) and customer messages
(the batches, the retraction, delivery reports)."""

from __future__ import annotations

import numpy as np

from .story import (
    ACT_OPEN, ACT_OPEN2, ACTIVATION_PROMISE, ARS_BATCH, AUTO_BATCH, CORRECTION_BATCH, CUTOFF, DAY,
    DELAY_BATCH, DELAY_SNAPSHOT, HOUR, MIN, N_STUCK_ATTEMPTS, NEVER, NONE, SPIKE, SURVEY_BATCH, TPL,
    _choice, _round, _t, _u
)


class _ActivityModel:
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
