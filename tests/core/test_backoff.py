"""One backoff: bounds, caps, jitter ranges, and the three places that use it."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from removethebackground import InvalidParameterError, RetryPolicy
from removethebackground.core.backoff import Backoff


def test_the_bound_doubles_up_to_the_cap() -> None:
    backoff = Backoff(0.25, cap=4.0)
    assert [backoff.bound(n) for n in range(1, 9)] == [0.25, 0.5, 1, 2, 4, 4, 4, 4]
    assert [Backoff(1.0, factor=3.0).bound(n) for n in (1, 2, 3)] == [1, 3, 9]
    # no cap: it keeps doubling (the sandbox's webhook retries; their timing is checked in
    # tests/service/test_sandbox_images.py)
    assert Backoff(0.5).bound(11) == 512.0


def test_long_runs_neither_overflow_nor_turn_into_nan() -> None:
    assert Backoff(0.1, cap=30.0).bound(100_000) == 30.0
    assert Backoff(0.1).bound(100_000) == math.inf
    assert Backoff(0.1, jitter=0.5).delay(100_000, lambda: 0.0) == math.inf
    assert Backoff(0.0, cap=4.0, jitter=1.0).delay(100_000, lambda: 0.5) == 0.0
    delays = Backoff(1.0, cap=2.0, jitter=0.25).delays(lambda: 1.0)
    assert [next(delays) for _ in range(5)] == [1.0, 2.0, 2.0, 2.0, 2.0]


@pytest.mark.parametrize("jitter", [0.0, 0.1, 0.25, 0.5, 1.0])
def test_jitter_draws_within_the_stated_range(jitter: float) -> None:
    backoff = Backoff(0.5, cap=8.0, jitter=jitter)
    rng = random.Random(7)
    for attempt in range(1, 9):
        bound = backoff.bound(attempt)
        low = bound * (1.0 - jitter)
        # the ends of the range, with the draw at its ends
        assert backoff.delay(attempt, lambda: 0.0) == pytest.approx(low)
        assert backoff.delay(attempt, lambda: 1.0) == pytest.approx(bound)
        drawn = [backoff.delay(attempt, rng.random) for _ in range(400)]
        assert all(low <= d <= bound for d in drawn)
        if jitter:  # and they spread over it, not onto one value
            spread = bound - low
            assert min(drawn) < low + spread * 0.1 and max(drawn) > bound - spread * 0.1


def test_full_jitter_spans_zero_to_the_bound() -> None:
    rng = random.Random(1)
    drawn = [Backoff(2.0, jitter=1.0).delay(1, rng.random) for _ in range(1000)]
    assert 0.0 <= min(drawn) < 0.05 and 1.95 < max(drawn) <= 2.0


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"first": -1.0}, "first"),
        ({"first": float("nan")}, "first"),
        ({"first": 1.0, "cap": -1.0}, "cap"),
        ({"first": 1.0, "factor": 0.5}, "factor"),
        ({"first": 1.0, "jitter": 1.5}, "jitter"),
        ({"first": 1.0, "jitter": True}, "jitter"),
        ({"first": "1"}, "first"),
    ],
)
def test_bad_settings_name_the_setting(kwargs: dict[str, Any], parameter: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        Backoff(**kwargs)
    assert info.value.parameter == parameter
    with pytest.raises(InvalidParameterError, match="count from 1"):
        Backoff(1.0).bound(0)


# --- the three users keep their bounds --------------------------------------------------------


def _old_retry_delay(policy: RetryPolicy, retry: int, draw: float) -> float:
    """RetryPolicy.delay as it was written before it used Backoff."""
    bound = min(policy.max_backoff, policy.backoff * 2.0 ** (retry - 1))
    return bound * draw if policy.jitter else bound


@pytest.mark.parametrize(
    "policy",
    [
        RetryPolicy(),
        RetryPolicy(backoff=0.0),
        RetryPolicy(backoff=5.0, max_backoff=4.0),
        RetryPolicy(backoff=0.1, max_backoff=100.0, jitter=False),
        RetryPolicy(attempts=100, backoff=1.0, max_backoff=60.0),
    ],
)
def test_retry_policy_delays_are_unchanged(policy: RetryPolicy) -> None:
    for retry in range(1, policy.attempts + 1):
        for draw in (0.0, 0.3, 0.5, 0.999):
            assert policy.delay(retry, lambda d=draw: d) == pytest.approx(
                _old_retry_delay(policy, retry, draw)
            )
