"""`ttb-cola permittees` / `processing-times` against the simulator over loopback HTTP, into a real DuckDB file:
a refused file writes nothing of its week, an unchanged week is not reloaded, processing times are
appended once a day (also by daily's hook); then two weeks of lists and a crawl, built with dbt (the
permittee marts and the models they and the checks read, with their tests): the permit history (added,
removed, moved), COLA-to-permittee matches checked against the simulator's truth, and leads that exclude
permits that filed."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from digest_helpers import NO_UNIT_TESTS, dbt_command
from ingest_helpers import Warehouse
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.runs.exit_codes import EXIT_REFUSED
from ttb_cola_sim.open_data import LIST_FILES, monday_of

WEEK_A, WEEK_B = date(2025, 6, 16), date(2025, 7, 21)
IMPORTERS = LIST_FILES["I"]
#: What `dbt build` builds here: every permittee mart and the models the checks read, with their parents, the
#: dimensions fct_cola_approvals' relationship tests name, and every test among them (``--indirect-selection
#: cautious``: a test that also reads a model left out is left out; the whole project's build runs in
#: tests/transform/test_dbt_project.py and the README test).
PERMITTEE_MODELS = ("+dim_permittee", "+dim_permittee_history", "+fct_permittee_leads", "+fct_permittee_first_labels",
                    "+fct_processing_time_snapshots", "+int_cola_permittees_matched", "+int_companies_resolved",
                    "+fct_cola_approvals", "+dim_company", "+dim_date", "+dim_brand", "+dim_class_type", "+dim_origin",
                    "+dim_product_category", "+dim_receipt_method")


def _load(warehouse: Warehouse, sim, command: str, day: date) -> int:
    sim.set_as_of(day)
    return main([command, "--today", day.isoformat(), "--base-url", sim.site_url,
                 "--pipelines-dir", str(warehouse.pipelines)])


def _rows(warehouse: Warehouse, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse.db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_refused_file_writes_nothing_of_its_week_and_an_unchanged_week_is_not_reloaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = Warehouse(tmp_path, monkeypatch)
    with running_simulator(as_of=WEEK_A) as sim:
        assert _load(warehouse, sim, "permittees", WEEK_A) == 0
        listed = len(sim.open_data.permits(WEEK_A))
        assert _rows(warehouse, "select count(*) from ttb_cola.permittee_lists") == [(listed,)]

        assert _load(warehouse, sim, "permittees", WEEK_A + timedelta(days=2)) == 0  # same week: same files
        assert "unchanged since the last load: nothing reloaded" in capsys.readouterr().out
        assert _rows(warehouse, "select count(*) from ttb_cola.permittee_lists") == [(listed,)]

        week = WEEK_A + timedelta(weeks=1)
        for damage, reason in (("cut", "cut"), ("short", "min_rows_ratio"), ("header", "unexpected header"),
                               ("empty", "empty file")):
            sim.open_data.damage = {IMPORTERS: damage}
            assert _load(warehouse, sim, "permittees", week) == EXIT_REFUSED
            err = capsys.readouterr().err.strip()
            assert len(err.splitlines()) == 1 and IMPORTERS in err and reason in err, err
            assert _rows(warehouse, f"select count(*) from ttb_cola.permittee_lists where list_date = '{week}'") \
                == [(0,)]
            assert _rows(warehouse, "select count(*) from ttb_cola.permittee_new_permits where list_date = "
                                    f"'{week}'") == [(0,)]

        sim.open_data.damage = {IMPORTERS: "bom", LIST_FILES["P"]: "one_line"}
        assert _load(warehouse, sim, "permittees", week) == 0  # a BOM and LF/one-line variants load as such
        assert _rows(warehouse, f"select count(*) from ttb_cola.permittee_lists where list_date = '{week}'") \
            == [(len(sim.open_data.permits(week)),)]


def test_processing_times_are_appended_once_a_day_also_by_the_daily_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ttb_cola.runs.open_data import daily_open_data

    warehouse = Warehouse(tmp_path, monkeypatch)
    with running_simulator(as_of=WEEK_A) as sim:
        monkeypatch.setenv("SOURCES__TTB_OPEN_DATA__BASE_URL", sim.site_url)
        monkeypatch.setenv("SOURCES__TTB_OPEN_DATA__DAILY", "true")
        for day in (WEEK_A, WEEK_A, WEEK_A + timedelta(days=1)):
            assert _load(warehouse, sim, "processing-times", day) == 0
        sim.set_as_of(WEEK_A + timedelta(days=2))
        daily_open_data(argparse.Namespace(destination="duckdb", pipelines_dir=str(warehouse.pipelines)),
                        WEEK_A + timedelta(days=2))
        daily_open_data(argparse.Namespace(destination="duckdb", pipelines_dir=str(warehouse.pipelines)),
                        WEEK_A + timedelta(days=2))
    snapshots = _rows(warehouse, "select snapshot_date, count(*) from ttb_cola.processing_time_snapshots "
                                 "group by all order by all")
    assert snapshots == [(WEEK_A + timedelta(days=n), 3) for n in range(3)]
    assert _rows(warehouse, "select count(distinct snapshot_date), count(*) "
                            "from ttb_cola.formula_processing_time_snapshots") == [(3, 12)]
    # the daily hook loaded the week's lists too, once
    assert _rows(warehouse, "select count(distinct list_date) from ttb_cola.permittee_lists") == [(1,)]


def test_two_weeks_of_lists_make_the_history_and_matches_hold_on_simulator_truth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = Warehouse(tmp_path, monkeypatch)
    monkeypatch.setenv("SOURCES__TTB_COLA__PAGES", "form")
    with running_simulator(as_of=WEEK_A) as sim:
        assert _load(warehouse, sim, "permittees", WEEK_A) == 0
        assert _load(warehouse, sim, "permittees", WEEK_B) == 0
        # the weekend before WEEK_B's Monday: some 70 COLAs, importers and producers among their permits
        assert warehouse.ingest(sim.base_url, "--start", (WEEK_B - timedelta(days=9)).isoformat(),
                                "--end", (WEEK_B - timedelta(days=8)).isoformat(), today=WEEK_B) == 0
        files = sim.open_data
        before = {p.number: p for p in files.permits(WEEK_A)}
        after = {p.number: p for p in files.permits(WEEK_B)}
        truth = {t["registry_permit"]: t for t in files.truth()}
    dbt_command(warehouse.db, tmp_path / "dbt", "build", "--indirect-selection", "cautious", "--select",
                *PERMITTEE_MODELS, *NO_UNIT_TESTS)

    added, removed = after.keys() - before.keys(), before.keys() - after.keys()
    moved = {n for n in before.keys() & after.keys() if before[n].street != after[n].street}
    assert added and removed and moved
    dim = {row[0]: row[1:] for row in _rows(warehouse, "select permit_number, is_active, first_seen_date, "
                                                       "last_seen_date, version_count from marts.dim_permittee")}
    assert dim.keys() == before.keys() | after.keys()
    assert all(dim[n] == (True, WEEK_B, WEEK_B, 1) for n in added)
    assert all(dim[n] == (False, WEEK_A, WEEK_A, 1) for n in removed)
    assert all(dim[n] == (True, WEEK_A, WEEK_B, 2) for n in moved)
    history = _rows(warehouse, "select permit_number, version_number, valid_from, valid_to, is_current, "
                               "premises_street from marts.dim_permittee_history where permit_number in "
                               f"({', '.join(repr(n) for n in sorted(moved | removed))}) order by 1, 2")
    for number in moved:
        assert [h[1:] for h in history if h[0] == number] == [
            (1, WEEK_A, WEEK_B, False, before[number].street), (2, WEEK_B, None, True, after[number].street)]
    for number in removed:
        assert [h[1:5] for h in history if h[0] == number] == [(1, WEEK_A, WEEK_B, False)]

    matches = _rows(warehouse, "select m.permit_number, m.permittee_permit_number, m.match_method, c.address_state, "
                               "p.premises_state from intermediate.int_cola_permittees_matched m "
                               "join intermediate.int_companies_resolved c using (permit_number) "
                               "join marts.dim_permittee p on p.permit_number = m.permittee_permit_number")
    matched = {m[0]: m for m in matches}
    on_colas = {n for (n,) in _rows(warehouse, "select distinct permit_number from marts.fct_cola_approvals "
                                               "where permit_number is not null")}
    importers = {n for n in on_colas if "-I-" in n and n in truth and monday_of(WEEK_B) >= date.fromisoformat(
        truth[n]["listed_from"])}
    producers = {n for n in on_colas if n.split("-")[0] in ("DSP", "BW", "BWN")}
    assert importers and producers
    assert all(matched[n][1:3] == (n, "importer_permit_exact") for n in importers)  # 100% exact
    name_matches = [m for m in matches if m[2] != "importer_permit_exact"]
    assert name_matches and all(truth[m[0]]["list_permit"] == m[1] for m in name_matches)  # precision 100%
    assert all(m[3] == m[4] for m in name_matches)  # never across states
    findable = {n for n in producers if truth[n]["matchable"]}
    assert len({m[0] for m in name_matches}) / len(findable) > 0.8
    assert not any(n.startswith("BR-") for n in matched)  # breweries are not in the list

    leads = _rows(warehouse, "select permit_number, lead_rank, first_seen_date from marts.fct_permittee_leads "
                             "order by lead_rank")
    filed = {m[1] for m in matches}
    assert leads and not filed & {lead[0] for lead in leads}
    assert [lead[2] for lead in leads] == sorted((lead[2] for lead in leads), reverse=True)
    companies = _rows(warehouse, "select count(*) from marts.dim_company where permittee_owner_name is not null")
    assert companies[0][0] == len(matches)


def test_the_lists_load_into_the_lake_as_delta_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from deltalake import DeltaTable

    lake = tmp_path / "lake"
    monkeypatch.setenv("DESTINATION__FILESYSTEM__BUCKET_URL", lake.as_uri())
    pipelines = str(tmp_path / "pipelines")
    with running_simulator(as_of=WEEK_A) as sim:
        for day in (WEEK_A, WEEK_A + timedelta(days=1)):
            sim.set_as_of(day)
            assert main(["permittees", "--today", day.isoformat(), "--destination", "filesystem",
                         "--base-url", sim.site_url, "--pipelines-dir", pipelines]) == 0
        listed = len(sim.open_data.permits(WEEK_A))
    assert "unchanged since the last load" in capsys.readouterr().out  # the state travels with the lake
    rows = DeltaTable(str(lake / "ttb_cola" / "permittee_lists")).to_pyarrow_table()
    assert rows.num_rows == listed
    assert set(rows.column("list_date").to_pylist()) == {WEEK_A}
