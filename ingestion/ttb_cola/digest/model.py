"""What a digest holds: titled sections of rows, written the same way by every writer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ttb_cola.digest.period import Period

#: The registry's public detail page of a COLA.
DETAIL_URL = "https://www.ttbonline.gov/colasonline/viewColaDetails.do?action=publicDisplaySearchBasic&ttbid={ttb_id}"


def detail_url(ttb_id: str) -> str:
    """Link to the registry's detail page of ``ttb_id``."""
    return DETAIL_URL.format(ttb_id=ttb_id)


@dataclass
class Section:
    """One table of the digest. Rows hold plain values; ``ttb_id`` columns become registry links.

    ``limit`` caps the rows shown in Markdown and HTML (the spreadsheet has them all).
    """

    key: str
    title: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    note: str = ""
    limit: int | None = 25

    def shown(self) -> list[tuple[Any, ...]]:
        """The rows Markdown and HTML show."""
        return self.rows if self.limit is None else self.rows[: self.limit]

    @property
    def hidden_count(self) -> int:
        """How many rows Markdown and HTML leave out."""
        return len(self.rows) - len(self.shown())


@dataclass
class Digest:
    """A period's digest: the period, the one before it, and its sections in reading order."""

    period: Period
    previous: Period
    coverage_note: str
    sections: list[Section] = field(default_factory=list)
    generated_on: date | None = None

    def section(self, key: str) -> Section:
        """The section named ``key``."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    @property
    def title(self) -> str:
        """The digest's heading."""
        return f"TTB COLA digest: {self.period.label}"
