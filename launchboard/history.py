"""The alert history: the alerts of ``alerts.alerts`` at many moments (the incident review).

Evaluating every alert query at each of ~120 replay moments re-read the launch ~120 times (49 s
at 1M orders). Instead each ``alerts.AlertRule`` with a set-based form (``history``, a
``queries/history_*.sql`` file) gets the rows of its query at every moment in one query: each
instant is bucketed among the moments (and the moments minus the alert windows), rows are
counted per bucket, and a moment sums the buckets it covers. The rule's own ``raise_alerts``
then turns each moment's rows into alerts, so the thresholds and wording are the dashboard's.
A rule without a set-based form is evaluated moment by moment, alone, and only at the moments
its ``possible`` query keeps (if it has one).

``HistoryCache`` keeps the history per scope across data versions: after a refresh only the
moments it may have changed are evaluated again. ``HistoryCache.warm`` evaluates the whole
launch's history in the background as soon as a version is loaded, so that the incident review
opens on it instead of waiting for it.
"""
from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from . import sql
from .config import LaunchConfig
from .loader import Store
from .alerts import ALERT_RULES, AlertRule, possible_moments
from .metrics import Params, Scope, query_rows

WARM_THREAD = "launchboard-alert-history"  # the name of HistoryCache.warm's thread
# history_bounds.sql gives up to four bounds per moment and the bucket search handles 511.
CHUNK = 120


def alerts_at_moments(cur, config: LaunchConfig, moments: list[datetime], scope: Scope = Scope(),
                      rules: Iterable[AlertRule] = ALERT_RULES) -> dict[datetime, list[dict]]:
    """``alerts.alerts(cur, Params(m, config, scope))`` for every moment m, rule by rule: one
    query per rule with a set-based form, the rule's own query at each moment otherwise."""
    out: dict[datetime, list[dict]] = {m: [] for m in moments}
    for rule in rules:
        for m, raised in _rule_at_moments(cur, rule, config, moments, scope).items():
            out[m] += raised
    return out


def _rule_at_moments(cur, rule: AlertRule, config: LaunchConfig, moments: list[datetime],
                     scope: Scope) -> dict[datetime, list[dict]]:
    if not moments:
        return {}
    if rule.history is None:
        run = set(moments)
        if rule.possible is not None:
            run = possible_moments(cur, rule.possible, Params(moments[0], config, scope), moments)
        return {m: rule.raise_alerts(query_rows(cur, rule.query, p) if m in run else [], p)
                for m in moments for p in [Params(m, config, scope)]}
    out: dict[datetime, list[dict]] = {}
    for i in range(0, len(moments), CHUNK):
        chunk = moments[i:i + CHUNK]
        values = {**Params(chunk[0], config, scope).values(), "moments": chunk}
        bounds, bounds_us = sql.run(cur, "history_bounds", values).fetchone()
        res = sql.run(cur, rule.history, {**values, "bounds": bounds, "bounds_us": bounds_us})
        cols = [d[0] for d in res.description]
        rows: dict[datetime, list[dict]] = {m: [] for m in chunk}
        for row in res.fetchall():
            rec = dict(zip(cols, row))
            rows[rec.pop("moment")].append(rec)
        out.update({m: rule.raise_alerts(rows[m], Params(m, config, scope)) for m in chunk})
    return out


def alert_history(store: Store, moments: list[datetime], scope: Scope = Scope(), *, workers: int = 1) -> list[dict]:
    """The alerts raised at each moment (``alerts.alerts``): rows of at, kind, subject,
    severity, count, in moment order. The rules are split between ``workers`` cursors.

    One by default: each query already uses every core. On 2 cores two workers took as long
    (2.0-2.2 s at 1M orders either way) and doubled each query's time beside a page run meanwhile
    (the review opened first: its slowest query 0.83-1.14 s against 0.46-0.58 s with one)."""
    def evaluate(rules: list[AlertRule]) -> dict[datetime, list[dict]]:
        cur = store.cursor()
        try:
            return alerts_at_moments(cur, store.config, moments, scope, rules)
        finally:
            cur.close()

    parts = [list(ALERT_RULES[i::workers]) for i in range(workers) if ALERT_RULES[i::workers]]
    if len(parts) == 1:  # on the calling thread (the background evaluation's own, or the page's)
        results = [evaluate(parts[0])]
    else:  # threads named after the caller's
        with ThreadPoolExecutor(len(parts), thread_name_prefix=threading.current_thread().name) as pool:
            results = list(pool.map(evaluate, parts))
    order = {m: i for i, m in enumerate(moments)}
    rows = [{"at": m, "kind": a["kind"], "subject": a["subject"], "severity": a["severity"], "count": a["count"]}
            for part in results for m, raised in part.items() for a in raised]
    return sorted(rows, key=lambda r: (order[r["at"]], r["kind"], r["subject"] or ""))


class HistoryCache:
    """The alert history per scope, kept across data versions. After a refresh only the moments
    it may have changed are evaluated again: those at or after ``Store.stable_before`` (the
    earliest timestamp of the rows it added or replaced). With page filters a refresh means
    everything again (a later row can change an order's filter fields). One per process,
    shared by every session; at most ``MAX_SCOPES`` scopes are kept."""

    MAX_SCOPES = 8

    # A live launch brings drops every few seconds: the background evaluation (seconds of CPU at
    # 1M orders, most of it whatever the drop) starts at most this often; a review opened between
    # two evaluates what it lacks itself.
    WARM_EVERY_S = 60.0

    def __init__(self, evaluate: Callable[[Store, list[datetime], Scope], list[dict]] | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self._evaluate = evaluate or alert_history
        self._clock = clock
        self._lock = threading.Lock()  # guards _kept and _scope_locks
        # One lock per scope: an evaluation for one scope does not hold up viewers of another.
        self._scope_locks: dict[Scope, threading.Lock] = {}
        # scope -> (the Store, its version, the rows per moment)
        self._kept: OrderedDict[Scope, tuple[weakref.ref, int, dict[datetime, list[dict]]]] = OrderedDict()
        # Store -> (the version last warmed, when its evaluation started)
        self._warmed: weakref.WeakKeyDictionary[Store, tuple[int, float]] = weakref.WeakKeyDictionary()

    def warm(self, store: Store, moments: Callable[[Store], list[datetime]]) -> threading.Thread | None:
        """Evaluate the whole launch's history (no filters) at ``moments(store)`` on a background
        thread (``Store.background``), once per data version and at most every ``WARM_EVERY_S``;
        None when this version's is evaluated or under way, or the last one started too recently.
        A page asking meanwhile waits for it (the scope's lock)."""
        version, now = store.version, self._clock()
        with self._lock:
            last = self._warmed.get(store)
            if last is not None and (last[0] == version or now - last[1] < self.WARM_EVERY_S):
                return None
            self._warmed[store] = (version, now)
        return store.background(lambda: self.history(store, moments(store)), WARM_THREAD)

    def history(self, store: Store, moments: list[datetime], scope: Scope = Scope()) -> list[dict]:
        """``alert_history(store, moments, scope)``, evaluating only what may have changed."""
        with self._lock:
            scope_lock = self._scope_locks.setdefault(scope, threading.Lock())
        with scope_lock:
            version = store.version  # read first: rows of a refresh during the evaluation are re-checked next time
            with self._lock:
                kept = self._kept.get(scope)
            reuse: dict[datetime, list[dict]] = {}
            if kept is not None and kept[0]() is store:
                _, was, by_moment = kept
                cutoff = store.stable_before(was) if (was == version or not scope.active) else None
                if cutoff is not None:
                    reuse = {m: by_moment[m] for m in moments if m in by_moment and m < cutoff}
            missing = [m for m in moments if m not in reuse]
            fresh: dict[datetime, list[dict]] = {m: [] for m in missing}
            if missing:
                for row in self._evaluate(store, missing, scope):
                    fresh[row["at"]].append(row)
            by_moment = {**reuse, **fresh}
            with self._lock:
                self._kept[scope] = (weakref.ref(store), version, by_moment)
                self._kept.move_to_end(scope)
                while len(self._kept) > self.MAX_SCOPES:
                    dropped, _ = self._kept.popitem(last=False)
                    self._scope_locks.pop(dropped, None)
            return [row for m in moments for row in by_moment[m]]
