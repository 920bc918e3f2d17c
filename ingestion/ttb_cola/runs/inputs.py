"""An ingest request checked before anything is created or written (its methods fall back to the settings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ttb_cola.clock import washington_today
from ttb_cola.destinations.warehouse import check_destination
from ttb_cola.errors import InputError
from ttb_cola.ids import InvalidTtbId, check_method, check_receipt_date
from ttb_cola.settings import configured


@dataclass(frozen=True)
class IngestRequest:
    """A validated ingest: receipt dates, methods, destination."""

    start: date
    end: date
    methods: list[str]
    destination: str


def run_date(value: str | None) -> date:
    """The run's date: ``--today`` (a replay), else today's date in Washington, where the registry
    dates completions. A replay later than Washington's date is refused (InputError): it would search
    days the registry has not reached and take their empty lists for the truth."""
    real = washington_today()
    if not value:
        return real
    try:
        today = date.fromisoformat(value)
    except ValueError:
        raise InputError(f"TODAY {value!r} is not a valid YYYY-MM-DD date") from None
    if today > real:
        raise InputError(f"TODAY {today} is later than today's date in Washington ({real}), the registry's date: "
                         "a replay can only be of a date that has come")
    return today


def parse_day(value: str, name: str) -> date:
    """An ISO date from the command line, or an InputError naming the argument."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} {value!r} is not a valid YYYY-MM-DD date") from None


def receipt_day(value: str, name: str) -> date:
    """An ISO receipt (or completed) date from the command line that a TTB ID can hold, or an InputError
    naming the argument."""
    return check_day(parse_day(value, name), name)


def check_day(day: date, name: str) -> date:
    """``day`` if a TTB ID can hold it (1970-01-01 to 2069-12-31), else an InputError naming ``name``."""
    try:
        return check_receipt_date(day)
    except InvalidTtbId as exc:
        raise InputError(f"{name} {exc}") from None


def validate(
    start: str,
    end: str | None,
    methods: str | list[str] | None,
    destination: str,
    today: date,
) -> IngestRequest:
    """Check an ingest request before anything is created or written."""
    first = receipt_day(start, "START" if end else "DATE")
    last = receipt_day(end, "END") if end else first
    if first > last:
        raise InputError(f"START {first} is after END {last}")
    if last > today:
        raise InputError(f"receipt date {last} is in the future (today is {today})")
    if isinstance(methods, str):
        methods = [m.strip() for m in methods.split(",") if m.strip()]
    chosen = list(methods or configured("receipt_methods", ["001", "002", "003", "000"]))
    try:
        chosen = [check_method(m) for m in chosen]
    except InvalidTtbId as exc:
        raise InputError(str(exc)) from None
    return IngestRequest(first, last, chosen, check_destination(destination))
