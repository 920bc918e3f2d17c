"""Suite-wide settings: tests send nothing anywhere (no dltHub telemetry, also in subprocesses); dlt reads the
repository's `.dlt/` in every test process; the ``integration`` marker and its guard; the wall time of the last
whole-suite run, for `make bench`."""

import os

os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
# `daily` loads TTB's open files from www.ttb.gov after its crawl: never from a test (tests that want it
# point SOURCES__TTB_OPEN_DATA__BASE_URL at the simulator and turn it back on).
os.environ["SOURCES__TTB_OPEN_DATA__DAILY"] = "false"

import contextlib  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import dlt  # noqa: E402
import pytest  # noqa: E402

#: Folders and files whose tests run whole pipelines, subprocesses, dbt, a browser or S3 (marked ``integration``).
INTEGRATION = ("reliability", "transform", "destinations", "runs", "simulator", "bench", "serve",
               "test_search_strategy.py", "test_search_client.py", "test_completed_days.py", "test_index_run.py",
               "test_digest_week.py", "test_report_and_digest_files.py", "test_fill.py",
               "test_images_command.py", "test_crawl_images.py", "test_images_lake_reparse.py",
               "test_images_servlet_faults.py", "test_readme_commands.py", "test_ocr_command.py",
               "test_ocr_daily.py", "test_drawn_labels.py")
#: The longest files of the suite, first in the order files are handed to `make test`'s workers while no
#: whole-suite run has recorded its own times (see ``_file_seconds``).
LONGEST = ("tests/test_readme_commands.py", "tests/transform/test_status_history_lake.py",
           "tests/images/test_images_command.py", "tests/transform/test_lake_dbt.py",
           "tests/reliability/test_crash_moments.py", "tests/runs/test_chunks.py", "tests/runs/test_schedule.py",
           "tests/reliability/test_crashes.py", "tests/fill/test_fill.py", "tests/search/test_completed_days.py",
           "tests/transform/test_signals_from_index.py", "tests/reliability/test_one_line_errors.py",
           "tests/search/test_search_strategy.py", "tests/destinations/test_analyst_reader.py",
           "tests/destinations/test_state_prune.py", "tests/reliability/test_faults.py",
           "tests/runs/test_permittees.py", "tests/digest/test_digest_week.py")
#: Fixtures that hold a whole run's warehouse or a server process: a test asking for one is ``integration``.
INTEGRATION_FIXTURES = ("warehouse", "s3")
#: Where `make test` (``--record-suite-time``) records its wall time and file times for `make bench`.
SUITE_TIME = Path(__file__).resolve().parents[1] / ".pytest_cache" / "suite_time.json"

_started = time.monotonic()
#: Seconds each test took (setup, call and teardown), as the controller of the run hears of them.
_durations: dict[str, float] = {}
#: What the running test started that a unit test must not: subprocesses, dlt loads.
_expensive: list[str] = []


def _file_seconds() -> dict[str, float]:
    """Seconds each test file took in the last whole-suite run (empty before the first)."""
    try:
        return json.loads(SUITE_TIME.read_text()).get("files", {})
    except (OSError, ValueError):
        return {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slow tests ``integration`` so `make test-fast` (-m "not integration") skips them, and run
    the longest files first (`make test` hands whole files to its workers in this order): by their time
    in the last whole-suite run, else integration files first, the known longest of them at the head."""
    root = Path(__file__).resolve().parent
    for item in items:
        parts = Path(str(item.fspath)).resolve().relative_to(root).parts
        fixtures = getattr(item, "fixturenames", ())
        if any(part in INTEGRATION for part in parts) or any(name in fixtures for name in INTEGRATION_FIXTURES):
            item.add_marker(pytest.mark.integration)
    recorded = _file_seconds()

    def cost(item: pytest.Item) -> tuple[float, float]:
        path = item.nodeid.split("::", 1)[0]
        head = LONGEST.index(path) if path in LONGEST else len(LONGEST)
        return -recorded.get(path, -1.0), head - 1000.0 * (item.get_closest_marker("integration") is not None)

    items.sort(key=cost)  # stable: a file's tests keep their order and stay together


def _watch(owner: Any, name: str, describe: Callable[..., str]) -> None:
    """Note in ``_expensive`` each call of ``owner.name`` (described by ``describe(*args)``)."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def watched(*args: Any, **kwargs: Any) -> Any:
        _expensive.append(describe(*args))
        return original(*args, **kwargs)

    setattr(owner, name, watched)


def _program(_popen: Any, args: Any = (), *_: Any) -> str:
    argv = [args] if isinstance(args, str | bytes | os.PathLike) else list(args)
    return f"a subprocess ({Path(str(argv[0])).name if argv else '?'})"


def pytest_configure(config: pytest.Config) -> None:
    """Watch for what only an ``integration`` test may do: start a process (dbt, Chromium, the CLI), use
    moto's S3 (one server process serves a whole test process, so only its first user starts it) or run a
    dlt load (a whole pipeline run)."""
    import moto_server
    from dlt.pipeline.pipeline import Pipeline

    # dlt reads the `.dlt/` folder of the directory it is first asked a setting in, for the rest of the process:
    # read one in the repository now, so a test that changes directory cannot leave the later tests of its
    # process without `.dlt/config.toml` (what they see then depended on which test ran first).
    with contextlib.chdir(Path(__file__).resolve().parents[1]):
        dlt.config.get("sources.ttb_cola.base_url")

    _watch(subprocess.Popen, "__init__", _program)
    _watch(moto_server, "running_moto", lambda *_: "moto's S3 server")
    _watch(Pipeline, "load", lambda *_: "a dlt load (a whole pipeline run)")


@pytest.fixture(scope="session", autouse=True)
def _dbt_parses(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The session's dbt runs start from one saved parse of transform/ (tests/dbt_parse_reuse.py)."""
    from dbt_parse_reuse import keep_parses_in
    from shared_builds import shared_root

    keep_parses_in(shared_root(tmp_path_factory) / "dbt-parse")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _expensive.clear()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """A test not marked ``integration`` that started a process or a pipeline run fails here: mark it
    (add its file to ``INTEGRATION``) so `make test-fast` stays unit-only."""
    seen, _expensive[:] = sorted(set(_expensive)), []
    if seen and item.get_closest_marker("integration") is None:
        pytest.fail(f"{item.nodeid} ran {', '.join(seen)} but is not marked integration (tests/conftest.py)",
                    pytrace=False)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def _per_file() -> dict[str, float]:
    files: dict[str, float] = {}
    for nodeid, seconds in _durations.items():
        path = nodeid.split("::", 1)[0]
        files[path] = files.get(path, 0.0) + seconds
    return {path: round(seconds, 1) for path, seconds in sorted(files.items(), key=lambda item: -item[1])}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--record-suite-time", action="store_true",
                     help="keep this run's wall time and file times for `make bench` and the next run's order "
                          "(`make test` passes it)")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Record the wall time of a `make test` run (its controller, once every test ran) for `make bench`."""
    config = session.config
    if hasattr(config, "workerinput") or not config.getoption("record_suite_time") or not _durations or \
            exitstatus not in (0, 1):
        return
    SUITE_TIME.parent.mkdir(parents=True, exist_ok=True)
    SUITE_TIME.write_text(json.dumps({
        "seconds": round(time.monotonic() - _started, 1),
        "tests": session.testscollected,
        "failed": session.testsfailed,
        "exit_status": int(exitstatus),
        "workers": config.getoption("numprocesses", None) or 1,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": _per_file(),
        "slowest": [[nodeid, round(seconds, 1)] for nodeid, seconds in
                    sorted(_durations.items(), key=lambda item: -item[1])[:10]],
    }, indent=1) + "\n")
