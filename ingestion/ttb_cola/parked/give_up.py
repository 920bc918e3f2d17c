"""When a parked COLA is given up: its limits, settings ``parked_give_up_attempts`` and ``parked_give_up_days``.

Apart from the book (:mod:`ttb_cola.parked.book`) so the settings' checks read the defaults without importing the
parsers the book's rows are built from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

#: The defaults of the ``parked_give_up_attempts`` and ``parked_give_up_days`` settings (:class:`GiveUp`).
DEFAULT_GIVE_UP_ATTEMPTS = 10
DEFAULT_GIVE_UP_DAYS = 30


@dataclass(frozen=True)
class GiveUp:
    """When a parked COLA is given up: after ``attempts`` failed runs, or once ``days`` have passed since it was
    first parked (settings ``parked_give_up_attempts`` and ``parked_give_up_days``; 0 turns a limit off)."""

    attempts: int = DEFAULT_GIVE_UP_ATTEMPTS
    days: int = DEFAULT_GIVE_UP_DAYS

    def __post_init__(self) -> None:
        if self.attempts < 0 or self.days < 0:
            raise ValueError(f"parked_give_up_attempts and parked_give_up_days must be >= 0, got "
                             f"{self.attempts} and {self.days}")

    def reached(self, entry: dict[str, Any], now: str) -> bool:
        """Whether the parked ``entry`` (attempts, first_seen) is past either limit at ``now`` (ISO)."""
        if self.attempts and entry["attempts"] >= self.attempts:
            return True
        parked_for = datetime.fromisoformat(now) - datetime.fromisoformat(entry["first_seen"])
        return bool(self.days) and parked_for >= timedelta(days=self.days)
