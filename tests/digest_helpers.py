"""Helpers for the digest and report tests: run `dbt build` on a test's warehouse file, read an .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbt_parse_reuse import ROOT, run_dbt


def dbt_command(db: Path, work: Path, *args: str) -> str:
    """`dbt <args>` on transform/ over ``db`` (artifacts under ``work``, the session's parse reused: see
    tests/dbt_parse_reuse.py); returns the log, asserts success."""
    done = run_dbt(db, work, *args)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    return done.stdout


#: `dbt build` arguments that leave out the unit tests: they read the fixtures their YAML gives, not the
#: warehouse's rows, so every build of a target runs the same ones; the session's dev build
#: (tests/shared_builds.py ``dev_warehouse``), `make build` (tests/test_readme_commands.py) and the whole
#: `--target s3` build (tests/transform/test_lake_dbt.py) run all of them. A build that reads ingested data
#: leaves them out.
NO_UNIT_TESTS = ("--exclude-resource-type", "unit_test")


def dbt_build(db: Path, work: Path, dbt_vars: str | None = None, unit_tests: bool = True) -> str:
    """`dbt build` of transform/ into ``db`` (artifacts under ``work``, ``dbt_vars`` as ``--vars``, the unit
    tests left out unless ``unit_tests``); returns the log, asserts success."""
    return dbt_command(db, work, "build", *(["--vars", dbt_vars] if dbt_vars else []),
                       *(() if unit_tests else NO_UNIT_TESTS))


def sheet_rows(path: Path, title: str) -> list[dict[str, Any]]:
    """The rows of one sheet of an .xlsx file, as dicts keyed by the header row."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book[title].iter_rows(values_only=True))
    finally:
        book.close()
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


__all__ = ["NO_UNIT_TESTS", "ROOT", "dbt_build", "dbt_command", "sheet_rows"]
