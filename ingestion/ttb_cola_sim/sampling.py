"""Seeded draws shared by the registry's layers: weighted picks, Poisson counts and partition salts.

Every layer draws from its own ``random.Random`` keyed by the seed and what it generates, so these
helpers take the generator and never hold one.
"""

from __future__ import annotations

import bisect
import math
import random
from datetime import date
from typing import Any

# One salt digit per receipt method, so that the partitions of a day draw from different generators.
METHOD_SALT = {"001": 1, "002": 2, "003": 3, "000": 4}


def partition_salt(receipt_date: date, method: str) -> int:
    """The number that keys a partition's generators (with the seed and the layer or sequence)."""
    return receipt_date.toordinal() * 10 + METHOD_SALT[method]


def cumulative(weights: list[float]) -> list[float]:
    """Running totals of ``weights``, for :func:`pick`."""
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def pick(rng: random.Random, items: list, cumulative: list[float]) -> Any:
    """Weighted choice with precomputed cumulative weights (faster than rng.choices per call)."""
    return items[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count of ``mean`` (normal above 30, where Knuth's product loop gets long)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k
