"""Atom feed delivery: the feed file rewritten with the new matches on top of those sent before.

The entries come from the sent log (channel ``feed``), so the file can be deleted and is rebuilt; it
is written to a temporary file and renamed over the old one, so a reader never sees half a feed.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from ttb_cola.alerts.channels import DeliveryError, Feed
from ttb_cola.alerts.payload import title

ATOM = "http://www.w3.org/2005/Atom"
SUMMARY = ("approval_date", "status", "class_type_description", "origin_description", "permit_number")
#: Entries the feed keeps (newest first).
FEED_ENTRIES = 500


def entry_id(alert: dict[str, Any]) -> str:
    """A stable id for a match: the same entry and COLA always give the same id."""
    digest = hashlib.sha256(f"{alert['entry_name']}|{alert['ttb_id']}".encode()).hexdigest()[:32]
    return f"urn:ttb-cola:watch:{digest}"


def render(entries: list[tuple[datetime, dict[str, Any]]], now: datetime) -> bytes:
    """The Atom document of ``entries`` (sent time, alert), newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = "urn:ttb-cola:watchlist"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = "ttb-cola watchlist matches"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = now.isoformat()
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = "ttb-cola"
    for sent_at, alert in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = entry_id(alert)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = title(alert)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = sent_at.astimezone(UTC).isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}link", href=alert["registry_url"])
        summary = ", ".join(f"{key}: {alert[key]}" for key in SUMMARY if alert.get(key))
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def write_feed(channel: Feed, entries: list[tuple[datetime, dict[str, Any]]]) -> None:
    """Replace the feed file with ``entries``; a failed write is a :class:`DeliveryError`."""
    path: Path = channel.path
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_bytes(render(entries[:FEED_ENTRIES], datetime.now(UTC)))
        os.replace(scratch, path)
    except OSError as exc:
        scratch.unlink(missing_ok=True)
        raise DeliveryError(f"{path}: {exc.strerror or type(exc).__name__}") from None
