"""TTB ID model: the 14-digit ``YY DDD MMM SSSSSS`` key of every COLA.

``YY`` and ``DDD`` are the year and day of year the application was received, ``MMM`` the receipt
method and ``SSSSSS`` the day's sequence for that method. A partition (receipt date x method) is the
unit of crawling and of incremental state, keyed ``YYYY-MM-DD|MMM``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

RECEIPT_METHODS: dict[str, str] = {
    "001": "e-filed",
    "002": "mailed",
    "003": "overnight",
    "000": "hand delivered",
}
MAX_SEQUENCE = 999_999
# Two-digit years 70-99 are 1970-1999 (the registry holds a few 1997-1999 IDs), 00-69 are 20YY.
_CENTURY_PIVOT = 70
#: The first and last receipt dates a TTB ID can write (``YY`` 70 is 1970, 69 is 2069): no COLA in the
#: registry can have been received outside them, so no crawl can ask for a date outside them.
FIRST_RECEIPT_DATE = date(1900 + _CENTURY_PIVOT, 1, 1)
LAST_RECEIPT_DATE = date(2000 + _CENTURY_PIVOT - 1, 12, 31)
_DIGITS14 = re.compile(r"^[0-9]{14}$")
_PARTITION_KEY = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})\|([0-9]{3})$")


class InvalidTtbId(ValueError):
    """A TTB ID, partition key or receipt method that cannot exist."""


@dataclass(frozen=True, order=True, slots=True)
class TtbId:
    """A parsed TTB ID."""

    receipt_date: date
    receipt_method: str
    sequence: int

    @property
    def value(self) -> str:
        """The 14-digit string form."""
        return format_ttb_id(self.receipt_date, self.receipt_method, self.sequence)

    @property
    def partition_key(self) -> str:
        """The ``YYYY-MM-DD|MMM`` key of the partition this ID belongs to."""
        return partition_key(self.receipt_date, self.receipt_method)

    def __str__(self) -> str:
        return self.value


def _year(yy: int) -> int:
    return (1900 if yy >= _CENTURY_PIVOT else 2000) + yy


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def check_method(method: str) -> str:
    """Return ``method`` if it is a known receipt method code, else raise InvalidTtbId."""
    if method not in RECEIPT_METHODS:
        known = ", ".join(f"{code} ({name})" for code, name in sorted(RECEIPT_METHODS.items()))
        raise InvalidTtbId(f"unknown receipt method {method!r}: expected one of {known}")
    return method


def check_receipt_date(receipt_date: date) -> date:
    """Return ``receipt_date`` if a TTB ID can write it (:data:`FIRST_RECEIPT_DATE` to
    :data:`LAST_RECEIPT_DATE`), else raise InvalidTtbId saying which bound it is beyond."""
    if receipt_date < FIRST_RECEIPT_DATE:
        raise InvalidTtbId(f"{receipt_date} is before {FIRST_RECEIPT_DATE}, the earliest receipt date a TTB ID "
                           "can hold (its two-digit years 70-99 are 1970-1999)")
    if receipt_date > LAST_RECEIPT_DATE:
        raise InvalidTtbId(f"{receipt_date} is after {LAST_RECEIPT_DATE}, the latest receipt date a TTB ID "
                           "can hold (its two-digit years 00-69 are 2000-2069)")
    return receipt_date


def parse_ttb_id(text: str) -> TtbId:
    """Parse and validate a 14-digit TTB ID.

    Raises:
        InvalidTtbId: naming the problem (length, non-digits, day of year, method).
    """
    if not isinstance(text, str):
        raise InvalidTtbId(f"TTB ID must be a string, got {type(text).__name__}")
    if not _DIGITS14.match(text):
        if text and not all("0" <= ch <= "9" for ch in text):
            raise InvalidTtbId(f"TTB ID {text!r} must contain only digits")
        raise InvalidTtbId(f"TTB ID {text!r} has {len(text)} digits, expected 14")
    year = _year(int(text[0:2]))
    day = int(text[2:5])
    days_in_year = 366 if _is_leap(year) else 365
    if not 1 <= day <= days_in_year:
        raise InvalidTtbId(f"TTB ID {text!r}: day of year {day:03d} is not in 001-{days_in_year} for {year}")
    method = text[5:8]
    try:
        check_method(method)
    except InvalidTtbId as exc:
        raise InvalidTtbId(f"TTB ID {text!r}: {exc}") from None
    return TtbId(date(year, 1, 1) + timedelta(days=day - 1), method, int(text[8:14]))


def format_ttb_id(receipt_date: date, receipt_method: str, sequence: int) -> str:
    """Build the 14-digit TTB ID of a receipt date, method and sequence."""
    check_method(receipt_method)
    if not FIRST_RECEIPT_DATE <= receipt_date <= LAST_RECEIPT_DATE:
        raise InvalidTtbId(f"receipt year {receipt_date.year} cannot be written as a TTB ID")
    if not 0 <= sequence <= MAX_SEQUENCE:
        raise InvalidTtbId(f"sequence {sequence} is not in 0-{MAX_SEQUENCE}")
    day = receipt_date.timetuple().tm_yday
    return f"{receipt_date.year % 100:02d}{day:03d}{receipt_method}{sequence:06d}"


def partition_key(receipt_date: date, receipt_method: str) -> str:
    """The ``YYYY-MM-DD|MMM`` key of a receipt date x method partition."""
    return f"{receipt_date.isoformat()}|{check_method(receipt_method)}"


def parse_partition_key(key: str) -> tuple[date, str]:
    """Split a ``YYYY-MM-DD|MMM`` partition key into its receipt date and method."""
    match = _PARTITION_KEY.match(key)
    if not match:
        raise InvalidTtbId(f"partition key {key!r} is not YYYY-MM-DD|MMM")
    try:
        receipt_date = date.fromisoformat(match.group(1))
    except ValueError as exc:
        raise InvalidTtbId(f"partition key {key!r}: {exc}") from None
    return receipt_date, check_method(match.group(2))
