"""Webhook delivery: the new matches as one JSON POST (batches of :data:`BATCH`), signed when a secret is set.

The signature is ``X-TTB-Cola-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body bytes with the
secret as key (as GitHub signs its webhooks): the receiver recomputes it to trust the sender.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import requests

from ttb_cola.alerts.channels import DeliveryError, Webhook

SIGNATURE_HEADER = "X-TTB-Cola-Signature"
BATCH = 500
TIMEOUT = 20.0


def signature(secret: str, body: bytes) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_matches(channel: Webhook, alerts: list[dict[str, Any]]) -> None:
    """POST ``alerts`` in one request; a non-2xx answer or no answer is a :class:`DeliveryError`."""
    body = json.dumps({"source": "ttb-cola", "event": "watchlist_matches", "count": len(alerts),
                       "matches": alerts}, sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "ttb-cola-alerts"}
    if channel.secret:
        headers[SIGNATURE_HEADER] = signature(channel.secret, body)
    try:
        response = requests.post(channel.url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as exc:
        raise DeliveryError(f"{channel.shown}: {type(exc).__name__}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"{channel.shown} answered HTTP {response.status_code}")
