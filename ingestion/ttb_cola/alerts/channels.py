"""The alert channels a run delivers to, from the options, else ``[alerts]`` in .dlt/config.toml and
the secrets (``alerts.webhook_secret``, ``alerts.smtp_password`` in .dlt/secrets.toml or ``ALERTS__*``
variables). Secrets are held here only to sign and to log in: never printed, never in a message."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_SMTP_PORT = 25


class ChannelError(ValueError):
    """A channel configured wrongly (bad input: exit 2)."""


class DeliveryError(Exception):
    """A channel did not take a delivery (retried by the next run); the message holds no secret."""


@dataclass(frozen=True)
class Webhook:
    """POST the new matches as JSON to ``url``, signed with HMAC-SHA256 when ``secret`` is set."""

    url: str
    secret: str | None = field(default=None, repr=False)
    name: str = "webhook"

    @property
    def shown(self) -> str:
        """The URL's scheme, host and port only: a path or query may hold a token."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"


@dataclass(frozen=True)
class Email:
    """One e-mail per batch of new matches (at most 500) through an SMTP server (STARTTLS and login when
    configured)."""

    host: str
    port: int
    mail_from: str
    mail_to: tuple[str, ...]
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    name: str = "email"

    @property
    def shown(self) -> str:
        """Where the mail goes, for messages."""
        return f"{self.host}:{self.port} to {', '.join(self.mail_to)}"


@dataclass(frozen=True)
class Feed:
    """An Atom feed file the matches are added to."""

    path: Path
    name: str = "feed"

    @property
    def shown(self) -> str:
        """The file, for messages."""
        return str(self.path)


Channel = Webhook | Email | Feed


def _setting(key: str, secret: bool = False) -> Any:
    import dlt

    value: Any = (dlt.secrets if secret else dlt.config).get(f"alerts.{key}")
    return None if value in (None, "") else value


def resolve_channels(args: argparse.Namespace) -> list[Channel]:
    """The channels the options and configuration name, in delivery order (feed, webhook, e-mail).

    Raises:
        ChannelError: a URL that is not http(s), an SMTP server without sender or recipients, a bad port.
    """
    channels: list[Channel] = []
    if feed := args.feed or _setting("feed_path"):
        channels.append(Feed(Path(feed).expanduser()))
    if url := args.webhook or _setting("webhook_url"):
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ChannelError(f"webhook must be an http(s) URL, got {url.split('?')[0]!r}")
        channels.append(Webhook(url, _setting("webhook_secret", secret=True)))
    if smtp := args.smtp or _setting("smtp_host"):
        host, _, port_text = str(smtp).partition(":")
        port_text = port_text or str(_setting("smtp_port") or DEFAULT_SMTP_PORT)
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ChannelError(f"SMTP port must be 1-65535, got {port_text!r}")
        mail_from = args.mail_from or _setting("mail_from")
        mail_to = args.mail_to or _setting("mail_to")
        if not mail_from or not mail_to:
            raise ChannelError("e-mail alerts need a sender and recipients (--mail-from, --mail-to or "
                               "alerts.mail_from, alerts.mail_to)")
        recipients = tuple(part.strip() for part in str(mail_to).split(",") if part.strip())
        channels.append(Email(host, int(port_text), str(mail_from), recipients, _setting("smtp_user"),
                              _setting("smtp_password", secret=True), bool(_setting("smtp_starttls"))))
    return channels
