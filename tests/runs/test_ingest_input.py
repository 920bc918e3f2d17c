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
