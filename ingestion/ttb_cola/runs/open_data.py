"""``ttb-cola permittees`` and ``ttb-cola processing-times``: TTB's open files into the crawl's destination
(:mod:`ttb_cola.open_data`), and the hook that lets ``daily`` load them too.

A refused file (empty, cut, wrong header, unknown shape) is one line on stderr and exit 8, nothing of its
week (or day) written; TTB unreachable is exit 4.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from ttb_cola.errors import InputError
from ttb_cola.runs.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, EXIT_UNAVAILABLE, EXIT_USAGE

#: What each command loads: (permittees, processing_times).
COMMANDS = {"permittees": (True, False), "processing-times": (False, True)}


def load_open_data(
    destination: str, pipelines_dir: str | None, today: date, *, permittees: bool, processing_times: bool,
    **overrides: Any,
) -> Any:
    """Run the ``ttb_open_data`` source into ``destination`` (its pipeline, dataset and state); the report."""
    from ttb_cola.destinations.lake_tables import as_lake_tables
    from ttb_cola.destinations.warehouse import FILE_FORMAT, pipeline_and_lake
    from ttb_cola.open_data import ttb_open_data
    from ttb_cola.open_data.week import OpenDataReport
    from ttb_cola.runs.recovery import finish_pending

    report = OpenDataReport()
    pipeline, lake = pipeline_and_lake(destination, pipelines_dir)
    finish_pending(pipeline)
    source = ttb_open_data(today=today.isoformat(), permittees=permittees, processing_times=processing_times,
                           report=report, **{k: v for k, v in overrides.items() if v is not None})
    if lake is not None:
        as_lake_tables(source)
    pipeline.run(source, loader_file_format=FILE_FORMAT)
    return report


def run_open_data(args: argparse.Namespace) -> int:
    """The command: validate, take the destination's lock, load, print one summary line."""
    from ttb_cola.clock import washington_today
    from ttb_cola.destinations.warehouse import check_destination, destination_lock
    from ttb_cola.runs.inputs import parse_day

    name = args.command
    try:
        check_destination(args.destination)
        today = parse_day(args.today, "--today") if args.today else washington_today()
        if today > washington_today():
            raise InputError(f"--today {today} is later than today in Washington")
        with destination_lock(args.destination, f"ttb-cola {name}"):
            permittees, processing_times = COMMANDS[name]
            report = load_open_data(args.destination, args.pipelines_dir, today, permittees=permittees,
                                    processing_times=processing_times, base_url=args.base_url, force=args.force)
    except InputError as exc:
        print(f"ttb-cola {name}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - a load failure is reported in one line with its own exit status
        status, line = failure(exc)
        if status is None:
            raise
        print(f"ttb-cola {name}: {line}", file=sys.stderr)
        return status
    print(f"ttb-cola {name}: {summary(report, today)}")
    return EXIT_OK


def failure(exc: BaseException) -> tuple[int | None, str]:
    """The exit status and line of a refused file or an unreachable TTB (None: not ours to explain)."""
    from ttb_cola.open_data.fetch import FetchFailed
    from ttb_cola.open_data.refused import FileRefused

    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, FileRefused | FetchFailed):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, FileRefused):
        return EXIT_REFUSED, f"refused {cause}; nothing of this week or day was loaded"
    if isinstance(cause, FetchFailed):
        return EXIT_UNAVAILABLE, f"TTB did not serve a file: {cause}; nothing loaded, retry later"
    from dlt.pipeline.exceptions import PipelineStepFailed

    if isinstance(exc, PipelineStepFailed):
        return EXIT_FAILED, f"the {exc.step} step failed: {str(exc).splitlines()[0][:200]}"
    return None, ""


def summary(report: Any, today: date) -> str:
    """One line: what the run loaded."""
    parts = []
    if report.week_changed is True:
        lists = {k: v for k, v in report.rows.items() if "Issued_Since" not in k}
        issued = sum(v for k, v in report.rows.items() if "Issued_Since" in k)
        parts.append(f"List of Permittees of {today} loaded: {sum(lists.values()):,} permits in {len(lists)} "
                     f"list(s), {issued:,} issued since the last publication")
    elif report.week_changed is False:
        parts.append("List of Permittees unchanged since the last load: nothing reloaded")
    if report.processing_times:
        parts.append(f"processing times {report.processing_times}")
    return "; ".join(parts) or "nothing to do"


def daily_open_data(args: argparse.Namespace, today: date) -> None:
    """``daily``'s hook: the week's lists when they changed and today's processing times, each its own load;
    a failure is one warning line and never fails the crawl (``sources.ttb_open_data.daily`` = false: off)."""
    import dlt

    from ttb_cola.progress import progress_log

    if dlt.config.get("sources.ttb_open_data.daily", bool) is False:
        return
    for name, (permittees, processing_times) in COMMANDS.items():
        try:
            report = load_open_data(args.destination, args.pipelines_dir, today, permittees=permittees,
                                    processing_times=processing_times)
        except Exception as exc:  # noqa: BLE001 - TTB's open files must never fail the registry crawl
            status, line = failure(exc)
            progress_log.warning(f"daily: {name}: {line or type(exc).__name__ + ': ' + str(exc)[:200]}"
                                 f"{f' (exit {status} for ttb-cola {name})' if status else ''}")
            continue
        progress_log.info(f"daily: {name}: {summary(report, today)}")
