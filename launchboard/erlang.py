"""Erlang C: how many agents a queue needs for a service-level target.

Traffic ``A`` (erlangs) = arrival rate x mean handle time. With ``N`` agents (N > A) a caller
waits with probability C(N, A) (Erlang C) and

    service level = P(wait <= t) = 1 - C(N, A) * exp(-(N - A) * t / handle_time).

C is computed from Erlang B by the stable recurrence B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)),
then C = N B / (N - A (1 - B)); no factorials, so it works for thousands of erlangs.
"""
from __future__ import annotations

import math


def _check(traffic: float, agents: int) -> None:
    if traffic < 0 or math.isnan(traffic):
        raise ValueError(f"traffic must be >= 0 erlangs, got {traffic!r}")
    if agents < 0:
        raise ValueError(f"agents must be >= 0, got {agents!r}")


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability of an M/M/N/N system (Erlang B)."""
    _check(traffic, agents)
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def _c_from_b(traffic: float, agents: int, b: float) -> float:
    if agents <= traffic:
        return 1.0  # the queue grows without bound: every caller waits
    return agents * b / (agents - traffic * (1.0 - b))


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that a caller has to wait (Erlang C); 1.0 when agents <= traffic."""
    return _c_from_b(traffic, agents, erlang_b(traffic, agents))


def _level(traffic: float, agents: int, c: float, handle_seconds: float, target_seconds: float) -> float:
    if agents <= traffic:
        return 0.0
    return 1.0 - c * math.exp(-(agents - traffic) * target_seconds / handle_seconds)


def service_level(traffic: float, agents: int, handle_seconds: float, target_seconds: float) -> float:
    """Fraction of callers answered within ``target_seconds`` (0.0 when agents <= traffic)."""
    return _level(traffic, agents, erlang_c(traffic, agents), handle_seconds, target_seconds)


def asa_seconds(traffic: float, agents: int, handle_seconds: float) -> float:
    """Mean wait of all callers (infinite when agents <= traffic)."""
    if agents <= traffic:
        return math.inf
    return erlang_c(traffic, agents) * handle_seconds / (agents - traffic)


def agents_needed(calls_per_hour: float, handle_seconds: float, target_seconds: float,
                  target_level: float = 0.8) -> int:
    """The fewest agents whose service level reaches ``target_level`` for this load.

    0 when there are no calls. One pass of the Erlang B recurrence: O(answer).
    """
    if not 0 < target_level < 1:
        raise ValueError(f"target_level must be in (0, 1), got {target_level!r}")
    if handle_seconds <= 0 or calls_per_hour < 0:
        raise ValueError("handle_seconds must be > 0 and calls_per_hour >= 0")
    traffic = calls_per_hour * handle_seconds / 3600.0
    if traffic == 0:
        return 0
    b, n = 1.0, 0
    while True:
        n += 1
        b = traffic * b / (n + traffic * b)
        if n > traffic and _level(traffic, n, _c_from_b(traffic, n, b), handle_seconds, target_seconds) >= target_level:
            return n


def agents_for_load(calls: int, minutes: float, handle_seconds: float | None, target_seconds: float,
                    target_level: float = 0.8) -> int | None:
    """Agents needed for ``calls`` arrivals over ``minutes`` with the observed mean handle time;
    None when there is nothing to size from (no minutes, or no answered call for a handle time)."""
    if minutes <= 0 or handle_seconds is None or math.isnan(handle_seconds) or handle_seconds <= 0:
        return None
    return agents_needed(calls * 60.0 / minutes, handle_seconds, target_seconds, target_level)
