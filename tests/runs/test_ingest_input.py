"""`ttb-cola ingest` refuses bad input with one clear line, exit 2, and writes nothing."""

from pathlib import Path

import pytest

from ttb_cola.cli import main


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(tmp_path / "data" / "ttb.duckdb"))
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    return tmp_path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2024-13-01"], "DATE '2024-13-01' is not a valid YYYY-MM-DD date"),
        (["--date", "yesterday"], "DATE 'yesterday' is not a valid"),
        (["--date", "2026-11-23", "--today", "2026-11-22"], "is in the future"),
        (["--start", "2024-02-10", "--end", "2024-02-01"], "START 2024-02-10 is after END 2024-02-01"),
        (["--start", "2024-02-01", "--end", "2024-02-31"], "END '2024-02-31' is not a valid"),
        (["--date", "2024-02-01", "--methods", "001,007"], "unknown receipt method '007'"),
        (["--date", "2024-02-01", "--destination", "postgres"], "unknown destination 'postgres'"),
        (["--date", "2024-02-01", "--start", "2024-02-01"], "either DATE or START/END"),
        ([], "give DATE=YYYY-MM-DD"),
        (["--date", "1899-01-01"], "DATE 1899-01-01 is before 1970-01-01, the earliest receipt date a TTB ID"),
        (["--date", "1969-12-31"], "DATE 1969-12-31 is before 1970-01-01"),
        (["--date", "0001-01-01"], "DATE 0001-01-01 is before 1970-01-01"),
        (["--start", "1969-12-31", "--end", "1970-01-02"], "START 1969-12-31 is before 1970-01-01"),
        (["--date", "2070-01-01"], "DATE 2070-01-01 is after 2069-12-31"),
        (["--date", "2024-02-01", "--chunk-days", "0"], "--chunk-days must be at least 1, got 0"),
        (["--date", "2024-02-01", "--chunk-days", "-3"], "--chunk-days must be at least 1, got -3"),
        (["--date", "2024-02-01", "--requests-per-second", "-1"], "--requests-per-second must be 0 (unlimited) or"),
        (["--date", "2024-02-01", "--requests-per-second", "nan"], "--requests-per-second must be a finite number"),
        (["--date", "2024-02-01", "--max-workers", "0"], "--max-workers must be at least 1, got 0"),
        (["--date", "2024-02-01", "--max-minutes", "0"], "--max-minutes must be positive"),
        (["--date", "2024-02-01", "--max-minutes", "-5"], "--max-minutes must be positive"),
        (["--date", "2024-02-01", "--max-requests", "0"], "--max-requests must be at least 1, got 0"),
    ],
)
def test_bad_input(isolated: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    status = main(["ingest", *args, "--pipelines-dir", str(isolated / "pipelines")])
    out, err = capsys.readouterr()
    assert status == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out == ""
    assert not (isolated / "data").exists()
    assert not (isolated / "pipelines").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["daily", "--lookback-days", "0"], "--lookback-days must be at least 1, got 0"),
        (["daily", "--lookback-days", "-7"], "--lookback-days must be at least 1, got -7"),
        (["daily", "--lookback-days", "30000", "--today", "2025-06-30"],
         "--lookback-days 30000: the first completed date 1943-05-12 is before 1970-01-01"),
        (["daily", "--max-workers", "-1"], "--max-workers must be at least 1, got -1"),
        (["backfill", "--start", "1969-12-01"], "START 1969-12-01 is before 1970-01-01"),
        (["backfill", "--start", "2024-01-01", "--chunk-days", "0"], "--chunk-days must be at least 1, got 0"),
        (["backfill", "--start", "2024-01-01", "--requests-per-second", "-0.5"], "--requests-per-second must be 0"),
        (["images", "--date", "1969-12-31"], "DATE 1969-12-31 is before 1970-01-01"),
        (["images", "--start", "2024-01-01", "--end", "0001-01-01"], "END 0001-01-01 is before 1970-01-01"),
        (["images", "--date", "2024-02-01", "--max-workers", "0"], "--max-workers must be at least 1, got 0"),
        (["images", "--date", "2024-02-01", "--max-requests", "-1"], "--max-requests must be at least 1, got -1"),
        (["images", "--date", "2024-02-01", "--requests-per-second", "-1"], "--requests-per-second must be 0"),
        (["images", "--date", "2024-02-01", "--today", "2999-01-01"], "later than today's date in Washington"),
        (["images", "--date", "2024-02-01", "--today", "someday"], "TODAY 'someday' is not a valid YYYY-MM-DD date"),
    ],
)
def test_every_command_refuses_bad_dates_and_numbers(
    isolated: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """daily, backfill and images check their dates and numbers as ingest does: one line, exit 2, nothing written."""
    assert main([*args, "--pipelines-dir", str(isolated / "pipelines")]) == 2
    out, err = capsys.readouterr()
    assert message in err and err.count("\n") == 1 and "Traceback" not in err and out == "", err
    assert not (isolated / "data").exists() and not (isolated / "pipelines").exists()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("CHUNK_DAYS", "0", "setting chunk_days must be at least 1, got 0"),
        ("MAX_WORKERS", "many", "setting max_workers must be a number, got 'many'"),
        ("REQUESTS_PER_SECOND", "-2", "setting requests_per_second must be 0 (unlimited) or more"),
        ("LOOKBACK_DAYS", "0", "setting lookback_days must be at least 1"),
        ("SETTLE_DAYS", "-1", "setting settle_days must be at least 1"),
        ("MAX_MINUTES", "0", "setting max_minutes must be positive"),
        ("MAX_ATTEMPTS", "0", "setting max_attempts must be at least 1"),
        ("MAX_CONSECUTIVE_MISSES", "2.5", "setting max_consecutive_misses must be a whole number"),
        ("REQUEST_TIMEOUT", "0", "setting request_timeout must be positive"),
        ("BACKOFF_MAX", "-1", "setting backoff_max must be 0 or more"),
        ("EXPORT_CAP", "0", "setting export_cap must be at least 1, got 0"),
    ],
)
def test_bad_settings_are_refused_by_name(
    isolated: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, setting: str, value: str,
    message: str,
) -> None:
    """A setting (config.toml or its environment variable) is checked like the flag that overrides it."""
    monkeypatch.setenv(f"SOURCES__TTB_COLA__{setting}", value)
    assert main(["daily", "--today", "2025-06-30", "--pipelines-dir", str(isolated / "pipelines")]) == 2
    out, err = capsys.readouterr()
    assert message in err and err.count("\n") == 1 and out == "", err
    assert not (isolated / "data").exists() and not (isolated / "pipelines").exists()


@pytest.mark.parametrize(("value", "message"), [
    ("-1", "setting parse_workers must be 0 or more, got -1"),
    ("1.5", "setting parse_workers must be a whole number"),
])
def test_bad_parse_workers_are_refused_before_a_reparse_writes(
    isolated: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, value: str, message: str,
) -> None:
    (isolated / "raw").mkdir()
    monkeypatch.setenv("SOURCES__TTB_COLA__PARSE_WORKERS", value)
    status = main(["reparse", "--archive-url", str(isolated / "raw"), "--pipelines-dir", str(isolated / "pipelines")])
    out, err = capsys.readouterr()
    assert status == 2 and message in err and err.count("\n") == 1 and out == "", err
    assert not (isolated / "data").exists() and not (isolated / "pipelines").exists()


def test_unreachable_registry_is_an_outage_exit_4(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A registry that does not answer (nothing listens on the port) is not bad input: its own exit code."""
    status = main(["ingest", "--date", "2024-02-01", "--base-url", "http://user:s3cret@127.0.0.1:9/colasonline",
                   "--pipelines-dir", str(isolated / "pipelines")])
    out, err = capsys.readouterr()
    assert status == 4
    assert "is unreachable" in err and "retry later" in err and "s3cret" not in err
    assert err.count("\n") == 1 and "Traceback" not in err and out == ""
    assert not (isolated / "data").exists() and not (isolated / "pipelines").exists()


def test_a_package_gone_from_under_dlt_is_one_line_and_exit_1(
    isolated: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """dlt's error path can raise LoadPackageNotFound for a package a killed run left half gone: one line."""
    from datetime import date

    from dlt.common.storages.exceptions import LoadPackageNotFound
    from sim_server import running_simulator

    def gone(*_args: object, **_kwargs: object) -> None:
        raise LoadPackageNotFound("1796191685.3536997")

    monkeypatch.setattr("ttb_cola.runs.pipeline.run_ingest", gone)
    with running_simulator(seed=1, as_of=date(2024, 2, 10)) as sim:
        status = main(["ingest", "--date", "2024-02-01", "--today", "2024-02-10", "--base-url", sim.base_url,
                       "--pipelines-dir", str(isolated / "pipelines")])
    _, err = capsys.readouterr()
    assert status == 1
    [line] = [line for line in err.splitlines() if line.startswith("ttb-cola ingest:")]
    assert "1796191685.3536997" in line and "rerun the command" in line
    assert "Traceback" not in err
