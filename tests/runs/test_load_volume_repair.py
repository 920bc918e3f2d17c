"""A kill between dlt marking its load volume ready and making the volume's folders leaves a ready volume
without one of them (``new``, ``normalized`` or ``loaded``): the next run makes it and finishes, nothing lost."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from ingest_helpers import Warehouse, assert_same_records
from sim_server import running_simulator

from ttb_cola.destinations.working_folder import LOAD_FOLDER, LOAD_VOLUME_FOLDERS

DAY = date(2025, 6, 12)
OTHER_DAY = date(2025, 6, 13)
AS_OF = date(2025, 6, 26)
METHOD = "002"  # mailed-in: a few public COLAs a day


@pytest.mark.parametrize("folder", LOAD_VOLUME_FOLDERS)
def test_a_load_volume_missing_a_folder_is_completed_and_the_next_run_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    warehouse = Warehouse(tmp_path, monkeypatch)
    with running_simulator(seed=3, as_of=AS_OF) as sim:
        expected = {r["ttb_id"]: r for day in (DAY, OTHER_DAY)
                    for r in sim.registry.partition_records(day, METHOD, AS_OF)}
        assert warehouse.ingest(sim.base_url, "--date", DAY.isoformat(), "--methods", METHOD, today=AS_OF) == 0
        [volume] = [path for path in warehouse.pipelines.glob(f"*/{LOAD_FOLDER}") if path.is_dir()]
        assert (volume / ".version").is_file()  # dlt's mark that the volume is ready (VersionedStorage)
        shutil.rmtree(volume / folder)
        assert warehouse.ingest(sim.base_url, "--date", OTHER_DAY.isoformat(), "--methods", METHOD, today=AS_OF) == 0
    assert (volume / folder).is_dir()
    assert_same_records(warehouse.colas(), expected)
