"""Bad input gives one clear line on stderr, a non-zero exit, no traceback, and writes nothing.

Extends tests/runs/test_ingest_input.py (dates, ranges, methods, destination names, unreachable URL) with
more malformed values, bad base URLs, an unwritable data directory, a corrupt DuckDB file and missing
bucket settings or credentials; a few run as real processes so nothing (dlt included) prints a traceback.
"""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from reliability_helpers import BIN, REPO
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola_sim.server import SimulatorServer

AS_OF = date(2025, 6, 26)
AWS_VARS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorServer]:
    """One simulator for the module (bad input must fail before it is asked anything much)."""
    with running_simulator(seed=3, as_of=AS_OF) as server:
        yield server


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A DuckDB target, dlt data dir and AWS settings that exist only in ``tmp_path``."""
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(tmp_path / "data" / "ttb.duckdb"))
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    for name in AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # relative paths land here (dlt reads the repository's .dlt/: tests/conftest.py)
    return tmp_path


def _ingest(sim: SimulatorServer, isolated: Path, *args: str, base_url: str | None = None) -> int:
    return main(["ingest", "--date", "2025-06-20", "--methods", "002", "--today", AS_OF.isoformat(),
                 "--base-url", base_url or sim.base_url, "--requests-per-second", "0",
                 "--pipelines-dir", str(isolated / "pipelines"), "--quiet", *args])


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2025-02-30"], "DATE '2025-02-30' is not a valid"),
        (["--date", "2025-06-20T00:00"], "is not a valid YYYY-MM-DD date"),
        (["--date", "../../etc/passwd"], "is not a valid YYYY-MM-DD date"),
        (["--today", "2025-13-40"], "TODAY '2025-13-40' is not a valid"),
        (["--start", "2025-06-20", "--end", "2025-06-19"], "START 2025-06-20 is after END 2025-06-19"),
        (["--start", "2025-06-20", "--end", "2026-06-19"], "is in the future"),
        (["--methods", "1"], "unknown receipt method '1'"),
        (["--methods", "001;002"], "unknown receipt method '001;002'"),
        (["--methods", "004"], "unknown receipt method '004'"),
        (["--destination", "s3"], "unknown destination 's3'"),
        (["--date", "1899-01-01"], "DATE 1899-01-01 is before 1970-01-01"),
        (["--date", "1969-12-31"], "DATE 1969-12-31 is before 1970-01-01"),
        (["--date", "0001-01-01"], "DATE 0001-01-01 is before 1970-01-01"),
        (["--chunk-days", "0"], "--chunk-days must be at least 1, got 0"),
        (["--requests-per-second", "-1"], "--requests-per-second must be 0 (unlimited) or more"),
    ],
)
def test_malformed_values(sim: SimulatorServer, isolated: Path, capsys: pytest.CaptureFixture[str],
                          tally: Counter[str], args: list[str], message: str) -> None:
    argv = ["ingest", "--date", "2025-06-20", "--today", AS_OF.isoformat(), "--base-url", sim.base_url,
            "--pipelines-dir", str(isolated / "pipelines")]
    for flag in ("--date", "--today"):  # the case's own value replaces the default one
        if flag in args and flag in argv:
            del argv[argv.index(flag):argv.index(flag) + 2]
    if "--start" in args:
        del argv[argv.index("--date"):argv.index("--date") + 2]
    tally["bad_inputs_tried"] += 1
    assert main([*argv, *args]) == 2
    out, err = capsys.readouterr()
    assert message in _one_line(err) and out == ""
    assert not (isolated / "data").exists() and not (isolated / "pipelines").exists()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("PARKED_GIVE_UP_ATTEMPTS", "-1", "setting parked_give_up_attempts must be 0 or more, got -1"),
        ("PARKED_GIVE_UP_DAYS", "-30", "setting parked_give_up_days must be 0 or more, got -30"),
        ("PARKED_GIVE_UP_DAYS", "1.5", "setting parked_give_up_days must be a whole number, got '1.5'"),
    ],
)
def test_bad_parked_give_up_settings(sim: SimulatorServer, isolated: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str], tally: Counter[str], setting: str,
                                     value: str, message: str) -> None:
    """The give-up limits of parked COLAs are checked with the run's other settings, before the source is built."""
    monkeypatch.setenv(f"SOURCES__TTB_COLA__{setting}", value)
    tally["bad_inputs_tried"] += 1
    assert _ingest(sim, isolated) == 2
    out, err = capsys.readouterr()
    assert message in _one_line(err) and out == ""
    assert not (isolated / "data").exists() and not (isolated / "pipelines").exists()


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("not a url", "is unreachable"),
        ("ftp://127.0.0.1/colasonline", "is unreachable"),
        ("http://", "is unreachable"),
        ("WRONG_PATH", "does not look like the COLA registry (HTTP 404"),
    ],
)
def test_bad_base_url(sim: SimulatorServer, isolated: Path, capsys: pytest.CaptureFixture[str],
                      tally: Counter[str], base_url: str, message: str) -> None:
    if base_url == "WRONG_PATH":
        base_url = sim.base_url.replace("/colasonline", "/not-the-registry")
    tally["bad_inputs_tried"] += 1
    assert _ingest(sim, isolated, base_url=base_url) == 2
    out, err = capsys.readouterr()
    assert message in _one_line(err) and out == ""
    assert not (isolated / "data").exists() and not (isolated / "pipelines").exists()


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
def test_unwritable_data_directory(sim: SimulatorServer, isolated: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str], tally: Counter[str], where: str) -> None:
    """A data directory that cannot be created (a file in the way; /proc refuses even root)."""
    if where == "under-a-file":
        (isolated / "blocker").write_text("a file, not a directory")
        target = isolated / "blocker" / "data" / "ttb.duckdb"
    else:
        target = Path("/proc/self/ttb-cola-test/ttb.duckdb")
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(target))
    tally["bad_inputs_tried"] += 1
    assert _ingest(sim, isolated) == 2
    out, err = capsys.readouterr()
    assert "data directory" in _one_line(err) and out == ""
    assert not (isolated / "pipelines").exists()
    assert (isolated / "blocker").read_text() == "a file, not a directory" if where == "under-a-file" else True


def test_read_only_data_directory(sim: SimulatorServer, isolated: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str], tally: Counter[str]) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories: covered by test_unwritable_data_directory")
    data = isolated / "ro"
    data.mkdir()
    data.chmod(0o555)
    monkeypatch.setenv("DESTINATION__DUCKDB__CREDENTIALS", str(data / "ttb.duckdb"))
    tally["bad_inputs_tried"] += 1
    try:
        assert _ingest(sim, isolated) == 2
    finally:
        data.chmod(0o755)
    assert "not writable" in _one_line(capsys.readouterr().err)
    assert list(data.iterdir()) == []


def test_missing_bucket_url_and_credentials(sim: SimulatorServer, isolated: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str], tally: Counter[str]) -> None:
    tally["bad_inputs_tried"] += 2
    monkeypatch.delenv("DESTINATION__FILESYSTEM__BUCKET_URL", raising=False)
    assert _ingest(sim, isolated, "--destination", "filesystem") == 2
    assert "bucket_url" in _one_line(capsys.readouterr().err)
    monkeypatch.setenv("DESTINATION__FILESYSTEM__BUCKET_URL", "s3://ttb-cola-no-such-bucket/lake")
    assert _ingest(sim, isolated, "--destination", "filesystem") == 2
    assert "credentials" in _one_line(capsys.readouterr().err)
    assert not (isolated / "pipelines").exists() and not (isolated / "data").exists()


def _process(sim: SimulatorServer, workdir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [str(BIN / "ttb-cola"), "ingest", "--date", "2025-06-20", "--methods", "002", "--today",
           AS_OF.isoformat(), "--base-url", sim.base_url, "--requests-per-second", "0",
           "--pipelines-dir", str(workdir / "pipelines"), "--quiet", *args]
    full = {k: v for k, v in os.environ.items() if k not in AWS_VARS}
    full.update({"DLT_DATA_DIR": str(workdir / "dlt"), "AWS_SHARED_CREDENTIALS_FILE": str(workdir / "none"),
                 "AWS_CONFIG_FILE": str(workdir / "none"), **env})
    return subprocess.run(cmd, cwd=workdir, env=full, capture_output=True, text=True, timeout=120, check=False)


def test_corrupt_duckdb_file_fails_cleanly_and_is_left_untouched(
    sim: SimulatorServer, tmp_path: Path, tally: Counter[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "warehouse.duckdb"
    garbage = b"this is not a DuckDB database\x00\xff" * 512
    db.write_bytes(garbage)
    tally["bad_inputs_tried"] += 1
    done = _process(sim, tmp_path, {"DESTINATION__DUCKDB__CREDENTIALS": str(db)})
    assert done.returncode == 2
    line = _one_line(done.stderr)
    assert "not a valid DuckDB database file: the file is damaged" in line and str(db) in line
    status = subprocess.run([str(BIN / "ttb-cola"), "status"], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "DESTINATION__DUCKDB__CREDENTIALS": str(db),
                                 "DLT_DATA_DIR": str(tmp_path / "dlt")}, timeout=120, check=False)
    assert status.returncode == 2 and "the file is damaged" in _one_line(status.stderr)
    assert db.read_bytes() == garbage
    assert sorted(p.name for p in data.iterdir()) == ["warehouse.duckdb", "warehouse.duckdb.lock"]
    assert not list(data.glob("*.wal"))


@pytest.mark.parametrize("case", ["under-a-file", "no-credentials", "bad-url"])
def test_real_process_prints_one_line(sim: SimulatorServer, tmp_path: Path, tally: Counter[str], case: str) -> None:
    """The same refusals from the installed console script: exit 2, one line, nothing written."""
    tally["bad_inputs_tried"] += 1
    (tmp_path / "blocker").write_text("x")
    env = {"DESTINATION__DUCKDB__CREDENTIALS": str(tmp_path / "data" / "ttb.duckdb")}
    args: list[str] = []
    if case == "under-a-file":
        env["DESTINATION__DUCKDB__CREDENTIALS"] = str(tmp_path / "blocker" / "ttb.duckdb")
    elif case == "no-credentials":
        env["DESTINATION__FILESYSTEM__BUCKET_URL"] = "s3://ttb-cola-no-such-bucket/lake"
        args = ["--destination", "filesystem"]
    else:
        args = ["--base-url", "http//missing-colon/colasonline"]
    done = _process(sim, tmp_path, env, *args)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    _one_line(done.stderr)
    assert not (tmp_path / "data").exists() and not (tmp_path / "pipelines").exists()
    assert REPO.exists()
