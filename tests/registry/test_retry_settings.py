"""The backoff settings' defaults have one home (:data:`ttb_cola.registry.retry.RETRY_SETTINGS`): the source's
arguments, the settings' checks and a policy built from no settings all read them there."""

from __future__ import annotations

import inspect

from ttb_cola.registry.retry import RETRY_SETTINGS, RetryPolicy
from ttb_cola.runs.limits import COUNT_SETTINGS, ZERO_OR_MORE_SETTINGS
from ttb_cola.source import ttb_cola


def test_the_sources_arguments_and_the_checks_default_to_the_retry_settings() -> None:
    parameters = inspect.signature(ttb_cola).parameters
    assert {key: parameters[key].default for key in RETRY_SETTINGS} == RETRY_SETTINGS
    checked = {**COUNT_SETTINGS, **ZERO_OR_MORE_SETTINGS}
    assert {key: checked[key] for key in RETRY_SETTINGS} == RETRY_SETTINGS
    # the README's documented defaults, which this change must not move
    assert RETRY_SETTINGS == {"max_attempts": 6, "backoff_initial": 1.0, "backoff_max": 60.0, "captcha_backoff": 30.0}


def test_a_policy_of_no_settings_is_the_policy_of_the_default_settings() -> None:
    assert RetryPolicy.from_settings() == RetryPolicy.from_settings(**RETRY_SETTINGS)
    default = RetryPolicy.from_settings()
    assert (default.max_attempts, default.initial_wait, default.max_wait, default.captcha_wait) == (
        RetryPolicy().max_attempts, RetryPolicy().initial_wait, RetryPolicy().max_wait, RetryPolicy().captcha_wait)
