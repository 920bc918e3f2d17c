"""E-mail delivery: one plain-text message listing a batch of new matches, through SMTP."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

from ttb_cola.alerts.channels import DeliveryError, Email
from ttb_cola.alerts.payload import title

TIMEOUT = 30.0


def compose(channel: Email, alerts: list[dict[str, Any]]) -> EmailMessage:
    """The message: a subject counting the matches, one paragraph per match."""
    message = EmailMessage()
    message["From"] = channel.mail_from
    message["To"] = ", ".join(channel.mail_to)
    message["Subject"] = f"ttb-cola: {len(alerts)} new watchlist match{'es' if len(alerts) != 1 else ''}"
    lines = []
    for alert in alerts:
        lines += [title(alert), f"  approved {alert.get('approval_date') or 'n/a'}, {alert.get('status') or 'n/a'}; "
                  f"{alert.get('class_type_description') or ''}, {alert.get('origin_description') or ''}",
                  f"  {alert['registry_url']}", ""]
    message.set_content("\n".join(lines))
    return message


def send_mail(channel: Email, alerts: list[dict[str, Any]]) -> None:
    """Send the message; any SMTP or network failure is a :class:`DeliveryError`."""
    try:
        with smtplib.SMTP(channel.host, channel.port, timeout=TIMEOUT) as smtp:
            if channel.starttls:
                smtp.starttls()
            if channel.user:
                smtp.login(channel.user, channel.password or "")
            smtp.send_message(compose(channel, alerts))
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{channel.shown}: {type(exc).__name__}") from None
