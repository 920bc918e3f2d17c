"""A Basic Search by completed-date range (and class/type codes), as the registry's form takes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ttb_cola.search.split_plan import code_number

#: A search spans at most 15 years (the registry refuses longer ones).
MAX_RANGE_YEARS = 15


@dataclass(frozen=True)
class Query:
    """A Basic Search by completed-date range, optionally narrowed to a class/type code range."""

    first: date
    last: date
    class_from: int | None = None
    class_to: int | None = None

    def form(self) -> dict[str, str]:
        """The search form's fields."""
        return {
            "searchCriteria.dateCompletedFrom": self.first.strftime("%m/%d/%Y"),
            "searchCriteria.dateCompletedTo": self.last.strftime("%m/%d/%Y"),
            "searchCriteria.productOrFancifulName": "",
            "searchCriteria.productNameSearchType": "B",
            "searchCriteria.classTypeFrom": "" if self.class_from is None else str(self.class_from),
            # "80Z", not "80": the range must also hold the lettered codes of its last number (80A)
            "searchCriteria.classTypeTo": "" if self.class_to is None else f"{self.class_to}Z",
            "searchCriteria.originCode": "",
        }

    def holds(self, row: dict[str, Any]) -> bool:
        """Whether a listed row matches this query (its completed date and class/type code)."""
        if not self.first.isoformat() <= (row.get("completed_date") or "") <= self.last.isoformat():
            return False
        if self.class_from is None:
            return True
        number = code_number(row.get("class_type_code"))
        return number is not None and self.class_from <= number <= (self.class_to or self.class_from)


def spans(first: date, last: date) -> list[Query]:
    """``first``..``last`` as searches the registry accepts (at most 15 years each)."""
    out = []
    while first <= last:
        try:
            limit = first.replace(year=first.year + MAX_RANGE_YEARS)
        except ValueError:  # 29 February
            limit = first.replace(year=first.year + MAX_RANGE_YEARS, day=28)
        end = min(last, limit - timedelta(days=1))
        out.append(Query(first, end))
        first = end + timedelta(days=1)
    return out
