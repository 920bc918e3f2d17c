"""The numbers of a run, from its flags or its settings, checked before anything is created or written.

Counts and sizes (dates per chunk, workers, days, attempts) are whole numbers of at least 1; durations
are positive; a rate is not negative, and 0 means unlimited (as :class:`~ttb_cola.registry.ratelimit.
RateLimiter` reads it: the tests and the simulator demo run so). A bad value is an
:class:`~ttb_cola.errors.InputError` naming the flag, or the setting when no flag gave it.
"""

from __future__ import annotations

import math
from typing import Any

from ttb_cola.errors import InputError
from ttb_cola.parked.give_up import DEFAULT_GIVE_UP_ATTEMPTS, DEFAULT_GIVE_UP_DAYS
from ttb_cola.registry.retry import (
    DEFAULT_BACKOFF_INITIAL,
    DEFAULT_BACKOFF_MAX,
    DEFAULT_CAPTCHA_BACKOFF,
    DEFAULT_MAX_ATTEMPTS,
)

#: ``[sources.ttb_cola]`` settings the crawl reads that must be whole numbers of at least 1, and
#: their defaults (the source's): a 0 or negative value would stop or skip work without a word.
COUNT_SETTINGS: dict[str, int] = {
    "max_attempts": DEFAULT_MAX_ATTEMPTS,
    "max_consecutive_misses": 40,
    "probe_lookahead": 4,
    "settle_days": 120,
    "recheck_daily_days": 14,
    "block_threshold": 24,
    "block_cooldowns": 6,
    "export_cap": 500,
}
#: Settings that may be 0 (none) but never negative.
ZERO_OR_MORE_SETTINGS: dict[str, float] = {
    "recheck_complete_days": 3,
    "backoff_initial": DEFAULT_BACKOFF_INITIAL,
    "backoff_max": DEFAULT_BACKOFF_MAX,
    "captcha_backoff": DEFAULT_CAPTCHA_BACKOFF,
}
#: Whole numbers that may be 0 (a limit turned off) but never negative.
WHOLE_OR_ZERO_SETTINGS: dict[str, int] = {
    "parked_give_up_attempts": DEFAULT_GIVE_UP_ATTEMPTS,
    "parked_give_up_days": DEFAULT_GIVE_UP_DAYS,
}
#: Durations in seconds that must be positive (when set; the source has defaults).
SECONDS_SETTINGS = ("request_timeout", "block_cooldown")


def given(flag_value: Any, flag: str, key: str, default: Any = None) -> tuple[Any, str]:
    """A value and how to name it in a message: the flag's when given, else the setting's (or its default)."""
    from ttb_cola.settings import configured

    if flag_value is not None:
        return flag_value, flag
    return configured(key, default), f"setting {key}"


def _number(value: Any, name: str, whole: bool) -> float:
    if isinstance(value, bool):
        raise InputError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise InputError(f"{name} must be a finite number, got {value!r}")
    if whole and number != int(number):
        raise InputError(f"{name} must be a whole number, got {value!r}")
    return number


def _shown(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def count(value: Any, name: str) -> int:
    """A whole number of at least 1 (dates per chunk, workers, days, attempts)."""
    number = int(_number(value, name, whole=True))
    if number < 1:
        raise InputError(f"{name} must be at least 1, got {_shown(number)}")
    return number


def whole_or_zero(value: Any, name: str) -> int:
    """A whole number that may be 0 (where 0 asks for the automatic choice, e.g. one worker per CPU)."""
    number = int(_number(value, name, whole=True))
    if number < 0:
        raise InputError(f"{name} must be 0 or more, got {_shown(number)}")
    return number


def positive(value: Any, name: str) -> float:
    """A positive number (minutes, seconds)."""
    number = _number(value, name, whole=False)
    if number <= 0:
        raise InputError(f"{name} must be positive, got {_shown(number)}")
    return number


def zero_or_more(value: Any, name: str) -> float:
    """A number that may be 0 but never negative."""
    number = _number(value, name, whole=False)
    if number < 0:
        raise InputError(f"{name} must be 0 or more, got {_shown(number)}")
    return number


def rate(value: Any, name: str) -> float:
    """Requests per second: 0 means unlimited, a negative rate is refused."""
    number = _number(value, name, whole=False)
    if number < 0:
        raise InputError(f"{name} must be 0 (unlimited) or more requests per second, got {_shown(number)}")
    return number


def check_crawl_settings() -> None:
    """The crawl's other numeric settings (:data:`COUNT_SETTINGS`, :data:`ZERO_OR_MORE_SETTINGS`,
    :data:`WHOLE_OR_ZERO_SETTINGS`, :data:`SECONDS_SETTINGS`), which reach the source from the configuration,
    not from a flag."""
    for key, default in COUNT_SETTINGS.items():
        count(*given(None, "", key, default))
    for key, default in WHOLE_OR_ZERO_SETTINGS.items():
        whole_or_zero(*given(None, "", key, default))
    for key, fallback in ZERO_OR_MORE_SETTINGS.items():
        zero_or_more(*given(None, "", key, fallback))
    for key in SECONDS_SETTINGS:
        value, name = given(None, "", key)
        if value is not None:
            positive(value, name)
