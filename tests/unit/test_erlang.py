"""Erlang C against the textbook example and an independent (factorial) formula.

Textbook example (Call Centre Helper / Koole): 100 calls per 30 min, 180 s handle time
-> A = 10 erlangs; target 80% answered within 20 s.
  N = 11: P(wait) 0.6821, SL 39.0%; N = 12: 0.4494, 64.0%; N = 13: 0.2853, 79.6%;
  N = 14: 0.1741, 88.8%, ASA 7.8 s  -> 14 agents needed.
"""
import math

import pytest

from launchboard.erlang import agents_needed, asa_seconds, erlang_b, erlang_c, service_level


def factorial_erlang_c(a: float, n: int) -> float:
    """The closed form with factorials: an independent computation for small N."""
    top = a ** n / math.factorial(n) * n / (n - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(n)) + top)


@pytest.mark.parametrize("n, p_wait, level", [(11, 0.6821, 0.3896), (12, 0.4494, 0.6402),
                                              (13, 0.2853, 0.7956), (14, 0.1741, 0.8884)])
def test_textbook_example(n, p_wait, level):
    assert erlang_c(10, n) == pytest.approx(p_wait, abs=5e-5)
    assert service_level(10, n, 180, 20) == pytest.approx(level, abs=5e-5)


def test_textbook_agents_needed_and_asa():
    assert agents_needed(200, 180, 20, 0.8) == 14  # 13 agents give 79.6% < 80%
    assert asa_seconds(10, 14, 180) == pytest.approx(7.8, abs=0.05)


@pytest.mark.parametrize("a, n", [(0.5, 1), (2.0, 3), (7.3, 9), (25.0, 30), (40.0, 41)])
def test_matches_factorial_formula(a, n):
    assert erlang_c(a, n) == pytest.approx(factorial_erlang_c(a, n), rel=1e-12)


def test_erlang_b_known_value():
    # B(A=1, N=1) = 1/2; B(A=2, N=2) = 2 / (1 + 2 + 2) = 0.4
    assert erlang_b(1, 1) == pytest.approx(0.5)
    assert erlang_b(2, 2) == pytest.approx(0.4)


def test_overloaded_queue_always_waits():
    assert erlang_c(10, 10) == 1.0
    assert erlang_c(10, 8) == 1.0
    assert service_level(10, 10, 180, 20) == 0.0
    assert asa_seconds(10, 9, 180) == math.inf


def test_agents_needed_is_the_smallest_meeting_the_target():
    for calls, aht, target, level in [(200, 180, 20, 0.8), (1200, 240, 20, 0.8), (35, 300, 30, 0.9),
                                      (15000, 300, 20, 0.8)]:
        n = agents_needed(calls, aht, target, level)
        a = calls * aht / 3600
        assert service_level(a, n, aht, target) >= level
        assert n - 1 <= a or service_level(a, n - 1, aht, target) < level


def test_no_calls_needs_no_agent():
    assert agents_needed(0, 180, 20) == 0


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        agents_needed(100, 0, 20)
    with pytest.raises(ValueError):
        agents_needed(100, 180, 20, target_level=1.0)
    with pytest.raises(ValueError):
        erlang_c(-1, 3)
