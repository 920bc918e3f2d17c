"""A week's List of Permittees, all files or none: fetched (conditionally), compared with what was
loaded, parsed and checked before a single row is yielded, so a refused file leaves nothing of its week.

A file counts as changed when TTB answers 200 with a body whose sha256 differs from the last one
loaded (a 304 to our ETag / If-Modified-Since, or the same hash, is unchanged). When any file
changed, every file of the week is loaded again, so each load is a whole list (the history compares
whole lists). A per-type list much shorter than last week's (below ``min_rows_ratio``) is refused as
cut: the CSV itself cannot show a cut that falls between two records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ttb_cola.open_data.fetch import Fetched, OpenDataClient
from ttb_cola.open_data.files import ISSUED_SINCE, ListFile, list_url
from ttb_cola.open_data.permit_csv import parse_permit_csv
from ttb_cola.open_data.processing_times import parse_formula_times, parse_label_times
from ttb_cola.open_data.refused import FileRefused


@dataclass
class WeekFile:
    """One file of the week: what TTB served and its parsed rows."""

    file: ListFile
    fetched: Fetched
    rows: list[dict[str, Any]]


@dataclass
class OpenDataReport:
    """What a run did, for the command's summary."""

    week_changed: bool | None = None
    rows: dict[str, int] = field(default_factory=dict)
    processing_times: str | None = None


def fetch_week(
    client: OpenDataClient, base_url: str, folder: str, files: tuple[ListFile, ...], known: dict[str, Any],
    *, force: bool = False, min_rows_ratio: float = 0.5,
) -> list[WeekFile] | None:
    """The week's files parsed, or None when none changed since ``known`` (state: file name ->
    ``{sha256, etag, last_modified, rows}``); FileRefused / FetchFailed for the whole week."""
    answers: dict[str, Fetched] = {}
    for item in files:
        seen = {} if force else known.get(item.file_name, {})
        answers[item.file_name] = client.get(list_url(base_url, folder, item.file_name),
                                             seen.get("etag"), seen.get("last_modified"))
    changed = [name for name, answer in answers.items()
               if answer.status == 200 and (force or answer.sha256 != known.get(name, {}).get("sha256"))]
    if not changed:
        return None
    week = []
    for item in files:
        answer = answers[item.file_name]
        if answer.body is None:  # not modified, but the week is loaded whole
            answer = client.get(answer.url)
        rows = parse_permit_csv(answer.body or b"", item.file_name, all_new=item is ISSUED_SINCE)
        before = known.get(item.file_name, {}).get("rows")
        if item is not ISSUED_SINCE and before and len(rows) < before * min_rows_ratio:
            raise FileRefused(item.file_name, f"{len(rows)} records, last load {before}: cut file? "
                                              "(min_rows_ratio)")
        week.append(WeekFile(item, answer, rows))
    return week


def remember_week(known: dict[str, Any], week: list[WeekFile], list_date: str) -> None:
    """Record the loaded week's validators, hashes and sizes in ``known`` (the source state)."""
    for item in week:
        known[item.file.file_name] = {
            "sha256": item.fetched.sha256, "etag": item.fetched.etag, "last_modified": item.fetched.last_modified,
            "rows": len(item.rows), "list_date": list_date,
        }


def fetch_processing_times(
    client: OpenDataClient, label_url: str, formula_url: str
) -> tuple[Fetched, list[dict[str, Any]], Fetched, list[dict[str, Any]]]:
    """Both processing-time files, fetched and parsed (FileRefused / FetchFailed for the day)."""
    label = client.get(label_url)
    formula = client.get(formula_url)
    return label, parse_label_times(label.body or b""), formula, parse_formula_times(formula.body or b"")
