"""Suite-wide settings: tests send nothing anywhere (no dltHub telemetry, also in subprocesses)."""

import os

os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
# `daily` loads TTB's open files from www.ttb.gov after its crawl: never from a test (tests that want it
# point SOURCES__TTB_OPEN_DATA__BASE_URL at the simulator and turn it back on).
os.environ["SOURCES__TTB_OPEN_DATA__DAILY"] = "false"

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

#: Folders and files whose tests run whole pipelines, subprocesses, dbt or S3 (marked ``integration``).
INTEGRATION = ("reliability", "transform", "destinations", "runs", "simulator", "bench", "serve",
               "test_search_strategy.py", "test_search_client.py", "test_warehouse.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slow tests ``integration`` so `make test-fast` (-m "not integration") skips them."""
    root = Path(__file__).resolve().parent
    for item in items:
        parts = Path(str(item.fspath)).resolve().relative_to(root).parts
        if any(part in INTEGRATION for part in parts) or "warehouse" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
