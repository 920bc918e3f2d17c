"""The simulator's TTB open files: in the real files' format (our parser reads them as TTB's own), agreeing
with the simulated COLAs' permits, changing week to week, and served with ETags at TTB's paths."""

from __future__ import annotations

from datetime import date, timedelta

import requests
from sim_server import running_simulator

from ttb_cola.open_data.files import LABEL_TIMES_PATH, WEEK_FILES, list_url
from ttb_cola.open_data.permit_csv import HEADER, parse_permit_csv
from ttb_cola.open_data.processing_times import parse_label_times
from ttb_cola_sim.open_data import FOLDER, ISSUED_SINCE_FILE, OpenDataFiles
from ttb_cola_sim.registry import Registry

DAY = date(2025, 6, 30)


def test_the_lists_parse_as_ttbs_and_agree_with_the_colas_permits() -> None:
    files = OpenDataFiles(Registry(seed=3, as_of=DAY))
    listed = {}
    for item in WEEK_FILES:
        data = files.list_file(item.file_name, DAY)
        assert data.startswith(",".join(HEADER).encode() + b"\r\n")
        rows = parse_permit_csv(data, item.file_name, all_new=item.file_name == ISSUED_SINCE_FILE)
        assert [r["permit_number"] for r in rows] == sorted(r["permit_number"] for r in rows)
        if item.file_name != ISSUED_SINCE_FILE:
            listed.update({r["permit_number"]: r for r in rows})
    for truth in files.truth():
        if date.fromisoformat(truth["listed_from"]) > DAY:
            assert truth["list_permit"] not in listed
            continue
        row = listed[truth["list_permit"]]
        assert row["state"] == truth["state"]
        if truth["kind"] == "importer":
            assert truth["list_permit"] == truth["registry_permit"]
        else:
            assert truth["registry_permit"].split("-")[0] in ("DSP", "BW", "BWN")
            assert truth["list_permit"].split("-")[:2] == [truth["state"], "S" if truth["registry_permit"]
                                                           .startswith("DSP") else "W"]
    assert not any(p.startswith("BR-") for p in listed)
    assert any(r["premises_zip"].startswith("0") for r in listed.values())  # leading zeros kept as text


def test_new_permits_appear_flagged_and_in_the_issued_since_file() -> None:
    files = OpenDataFiles(Registry(seed=3, as_of=DAY))
    before = {p.number for p in files.permits(DAY - timedelta(weeks=1))}
    now = {p.number for p in files.permits(DAY)}
    issued = parse_permit_csv(files.list_file(ISSUED_SINCE_FILE, DAY), ISSUED_SINCE_FILE, all_new=True)
    assert {r["permit_number"] for r in issued} == now - before


def test_files_are_served_at_ttbs_paths_with_etags() -> None:
    with running_simulator(seed=3, as_of=DAY) as sim:
        url = list_url(sim.site_url, FOLDER, WEEK_FILES[0].file_name)
        first = requests.get(url, timeout=10)
        assert first.status_code == 200 and first.headers["Content-Type"] == "text/csv"
        again = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
        assert again.status_code == 304 and again.content == b""
        labels = requests.get(sim.site_url + LABEL_TIMES_PATH, timeout=10)
        assert [row["commodity"] for row in parse_label_times(labels.content)] == ["DS", "MB", "Wine"]
        assert requests.get(sim.site_url + "/system/files/2025-04/nothing.csv", timeout=10).status_code == 404
