"""``ttb_open_data``: TTB's open files beside the registry, as a dlt source.

Resources (tables in the same dataset as the crawl's):

- ``frl_importers``, ``frl_wholesalers``, ``frl_spirits_producers``, ``frl_wine_producers``,
  ``frl_puerto_rico`` -> ``permittee_lists`` (appended: one whole list per week that changed, ``list_name``
  and ``list_date`` on every row);
- ``frl_issued_since`` -> ``permittee_new_permits`` (the permits issued since the previous publication);
- ``permittee_list_files`` -> one row per file loaded (URL, sha256, ETag, rows);
- ``label_processing_times`` -> ``processing_time_snapshots`` and ``formula_processing_times`` ->
  ``formula_processing_time_snapshots``: TTB's processing times, appended at most once a day.

The week's files are fetched, compared (conditional GET, sha256) and parsed together, before any row is
yielded (:mod:`ttb_cola.open_data.week`): a refused file fails the extract and nothing of its week is loaded.
Config: ``[sources.ttb_open_data]`` (``base_url``, ``folder``, ``files``, ``min_rows_ratio``, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any, TypeVar

import dlt
from dlt.sources import DltResource

from ttb_cola.clock import utc_timestamp, washington_today
from ttb_cola.open_data.fetch import DEFAULT_USER_AGENT, OpenDataClient
from ttb_cola.open_data.files import (
    DEFAULT_BASE_URL,
    DEFAULT_FOLDER,
    FORMULA_TIMES_PATH,
    ISSUED_SINCE,
    LABEL_TIMES_PATH,
    ListFile,
    foia_url,
    selected_files,
)
from ttb_cola.open_data.permit_csv import COLUMNS
from ttb_cola.open_data.permit_table import permit_table
from ttb_cola.open_data.week import OpenDataReport, fetch_processing_times, fetch_week, remember_week

T = TypeVar("T")



def _text() -> dict[str, Any]:
    """A nullable text column (a new dict each time: dlt writes the column's name into its hint)."""
    return {"data_type": "text", "nullable": True}


PERMIT_COLUMNS: dict[str, Any] = {
    **{name: _text() for name in COLUMNS},
    "new_permit_flag": {"data_type": "bool", "nullable": True},
    "row_number": {"data_type": "bigint", "nullable": True},
    "list_name": _text(),
    "list_date": {"data_type": "date", "nullable": False},
    "fetched_at": {"data_type": "timestamp", "nullable": False},
}
FILE_COLUMNS: dict[str, Any] = {
    "list_date": {"data_type": "date"}, "list_name": _text(), "file_name": _text(), "url": _text(), "sha256": _text(),
    "etag": _text(), "last_modified": _text(), "bytes": {"data_type": "bigint"}, "rows": {"data_type": "bigint"},
    "fetched_at": {"data_type": "timestamp"},
}
LABEL_TIME_COLUMNS: dict[str, Any] = {
    "snapshot_date": {"data_type": "date"}, "commodity": _text(), "median_days": {"data_type": "bigint"},
    "processing_received_date": {"data_type": "date", "nullable": True}, "generated_at_text": _text(),
    "sha256": _text(), "fetched_at": {"data_type": "timestamp"},
}
FORMULA_TIME_COLUMNS: dict[str, Any] = {
    "snapshot_date": {"data_type": "date"}, "application_type": _text(), "processing_days": {"data_type": "bigint"},
    "processing_new_text": _text(), "processing_new_date": {"data_type": "date", "nullable": True},
    "created_text": _text(), "created_date": {"data_type": "date", "nullable": True}, "sha256": _text(),
    "fetched_at": {"data_type": "timestamp"},
}


def _once(load: Callable[[], T]) -> Callable[[], T]:
    """``load`` run on the first call only; every resource of a source shares its answer."""
    cache: list[T] = []

    def value() -> T:
        if not cache:
            cache.append(load())
        return cache[0]

    return value


@dlt.source(name="ttb_open_data", section="ttb_open_data", max_table_nesting=0)
def ttb_open_data(
    base_url: str = DEFAULT_BASE_URL,
    folder: str = DEFAULT_FOLDER,
    today: str | None = None,
    files: list[str] | None = None,
    permittees: bool = True,
    processing_times: bool = True,
    force: bool = False,
    min_rows_ratio: float = 0.5,
    user_agent: str = DEFAULT_USER_AGENT,
    request_timeout: float = 60.0,
    report: OpenDataReport | None = None,
) -> Sequence[DltResource]:
    """TTB's List of Permittees and processing times.

    Args:
        base_url: TTB's site root (``SOURCES__TTB_OPEN_DATA__BASE_URL``).
        folder: the ``/system/files/<folder>/`` the lists are published under.
        today: the run's date, ISO (default: today in Washington): the list's ``list_date``, the snapshot date.
        files: resource or file names of the week's files to load (default: all six).
        permittees: load the week's lists (when they changed).
        processing_times: append today's processing-time snapshot (when not yet taken today).
        force: load the week's lists even when unchanged.
        min_rows_ratio: a per-type list shorter than this share of its last load is refused as cut.
        user_agent: the User-Agent header.
        request_timeout: seconds per request.
        report: filled with what the run did.
    """
    run_date = date.fromisoformat(today) if today else washington_today()
    chosen = selected_files(files)
    client = OpenDataClient(user_agent, request_timeout)
    report = report if report is not None else OpenDataReport()
    fetched_at = utc_timestamp()

    def load_week() -> list[Any] | None:
        known = dlt.current.source_state().setdefault("files", {})
        week = fetch_week(client, base_url, folder, chosen, known, force=force, min_rows_ratio=min_rows_ratio)
        report.week_changed = week is not None
        if week is not None:
            remember_week(known, week, run_date.isoformat())
            report.rows = {item.file.file_name: len(item.rows) for item in week}
        return week

    week = _once(load_week)

    def list_resource(item: ListFile) -> DltResource:
        def rows() -> Iterator[Any]:
            for loaded in week() or ():
                if loaded.file is item and loaded.rows:
                    yield permit_table(loaded.rows, item.resource.removeprefix("frl_"), run_date, fetched_at)

        return dlt.resource(rows, name=item.resource, table_name=item.table, write_disposition="append",
                            columns=PERMIT_COLUMNS, selected=permittees)

    @dlt.resource(name="permittee_list_files", write_disposition="append", columns=FILE_COLUMNS, selected=permittees)
    def permittee_list_files() -> Iterator[dict[str, Any]]:
        for loaded in week() or ():
            body = loaded.fetched.body or b""
            yield {"list_date": run_date, "list_name": loaded.file.resource.removeprefix("frl_"),
                   "file_name": loaded.file.file_name, "url": loaded.fetched.url, "sha256": loaded.fetched.sha256,
                   "etag": loaded.fetched.etag, "last_modified": loaded.fetched.last_modified, "bytes": len(body),
                   "rows": len(loaded.rows), "fetched_at": fetched_at}

    def load_day() -> Any:
        state = dlt.current.source_state()
        if state.get("processing_times_date") == run_date.isoformat():
            report.processing_times = f"already taken on {run_date}"
            return None
        day = fetch_processing_times(client, foia_url(base_url, LABEL_TIMES_PATH),
                                     foia_url(base_url, FORMULA_TIMES_PATH))
        state["processing_times_date"] = run_date.isoformat()
        report.processing_times = f"appended for {run_date} ({len(day[1])} label, {len(day[3])} formula rows)"
        return day

    day = _once(load_day)

    @dlt.resource(name="label_processing_times", table_name="processing_time_snapshots", write_disposition="append",
                  columns=LABEL_TIME_COLUMNS, selected=processing_times)
    def label_processing_times() -> Iterator[dict[str, Any]]:
        if (answer := day()) is not None:
            for row in answer[1]:
                yield {"snapshot_date": run_date, **row, "sha256": answer[0].sha256, "fetched_at": fetched_at}

    @dlt.resource(name="formula_processing_times", table_name="formula_processing_time_snapshots",
                  write_disposition="append", columns=FORMULA_TIME_COLUMNS, selected=processing_times)
    def formula_processing_times() -> Iterator[dict[str, Any]]:
        if (answer := day()) is not None:
            for row in answer[3]:
                yield {"snapshot_date": run_date, **row, "sha256": answer[2].sha256, "fetched_at": fetched_at}

    lists = [list_resource(item) for item in chosen if item is not ISSUED_SINCE]
    issued = [list_resource(ISSUED_SINCE)] if ISSUED_SINCE in chosen else []
    return (*lists, *issued, permittee_list_files, label_processing_times, formula_processing_times)
