"""Analysts never break a run: a separate process holding the published marts file open (and querying
it) while ingest, `dbt build` and `ttb-cola publish` run; and a process holding the warehouse file
itself, which makes ingest, publish, the check `make build` runs before dbt, and any other command
on the warehouse (status) stop with one line naming it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from digest_helpers import ROOT, dbt_command
from ingest_helpers import Warehouse
from sim_server import running_simulator

from ttb_cola.cli import main
from ttb_cola.runs.exit_codes import EXIT_HELD

DAY = date(2025, 6, 16)  # a Monday
AS_OF = DAY + timedelta(days=10)
COUNT = "select count(*) from marts.fct_cola_approvals"
#: The paper-filed methods: a COLA or two a day, enough for the marts to change, and each run quick.
METHODS = "002,003"

# Reads commands on stdin: "query" asks on the open connection, "reconnect" closes and opens again.
READER = textwrap.dedent(f"""
    import sys, duckdb
    path = sys.argv[1]
    con = duckdb.connect(path, read_only=True)
    print(con.sql({COUNT!r}).fetchone()[0], flush=True)
    for line in sys.stdin:
        if line.strip() == "reconnect":
            con.close()
            con = duckdb.connect(path, read_only=True)
        print(con.sql({COUNT!r}).fetchone()[0], flush=True)
""")

# Opens a DuckDB file read-write, says so, and holds it until killed.
HOLDER = "import sys, time, duckdb\ncon = duckdb.connect(sys.argv[1])\nprint('open', flush=True)\ntime.sleep(600)\n"


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    return Warehouse(tmp_path, monkeypatch)


def ask(reader: subprocess.Popen[str], command: str) -> int:
    """Send ``command`` to the reader process; the count it answers."""
    assert reader.stdin is not None and reader.stdout is not None
    reader.stdin.write(command + "\n")
    reader.stdin.flush()
    return int(reader.stdout.readline())


def build_models(db: Path, work: Path, *select: str) -> None:
    """`dbt build` of every seed, model and snapshot into ``db`` (or of the ``select`` ones): what a reader of
    the published marts sees change (the project's data tests run in tests/transform, over an ingest in
    test_lake_dbt)."""
    dbt_command(db, work, "build", *(("--select", *select) if select else ()),
                "--exclude-resource-type", "test", "unit_test")


def warehouse_count(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(COUNT).fetchone()[0]  # type: ignore[index]


def table_comment(db: Path) -> str | None:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql("select comment from duckdb_tables() where schema_name = 'marts' "
                       "and table_name = 'fct_cola_approvals'").fetchone()[0]  # type: ignore[index]


def test_a_reader_holding_the_published_marts_never_blocks_ingest_build_or_publish(
    warehouse: Warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = warehouse.db.with_name("analytics.duckdb")
    with running_simulator(seed=7, as_of=AS_OF) as sim:
        assert warehouse.ingest(sim.base_url, "--date", DAY.isoformat(), "--methods", METHODS, today=AS_OF) == 0
        build_models(warehouse.db, tmp_path / "dbt")
        assert main(["publish", "--duckdb", str(warehouse.db)]) == 0
        old = warehouse_count(warehouse.db)
        reader = subprocess.Popen([sys.executable, "-c", READER, str(published)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert reader.stdout is not None
            assert int(reader.stdout.readline()) == old
            # While the reader holds the file open: the next day's ingest, a build and a publish.
            next_day = (DAY + timedelta(days=1)).isoformat()
            assert warehouse.ingest(sim.base_url, "--date", next_day, "--methods", METHODS, today=AS_OF) == 0
            assert ask(reader, "query") == old
            build_models(warehouse.db, tmp_path / "dbt", "+fct_cola_approvals")  # the mart the reader counts
            assert main(["publish", "--duckdb", str(warehouse.db)]) == 0
            new = warehouse_count(warehouse.db)
            assert new > old
            assert ask(reader, "query") == old  # the open connection keeps reading the build it opened
            assert ask(reader, "reconnect") == new
            assert table_comment(published) == table_comment(warehouse.db) is not None  # dbt's descriptions too
        finally:
            reader.kill()
            reader.wait(timeout=60)
    assert not list(published.parent.glob(".analytics.duckdb.*"))  # no scratch file left behind
    assert main(["publish", "--check", "--duckdb", str(warehouse.db)]) == 0  # nobody holds the warehouse now
    # The digest reads the published file by default: it runs while a process writes the warehouse.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TTB_COLA_DUCKDB", raising=False)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(warehouse.db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert main(["digest", "--week", DAY.isoformat(), "--today", AS_OF.isoformat(), "--out", "digest"]) == 0
    finally:
        holder.kill()
        holder.wait(timeout=60)
    assert (tmp_path / "digest" / "digest.md").is_file()


def test_a_process_holding_the_warehouse_stops_ingest_publish_and_the_build_check_with_one_line_naming_it(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    warehouse.db.parent.mkdir(parents=True)
    duckdb.connect(str(warehouse.db)).close()
    published = warehouse.db.with_name("analytics.duckdb")
    published.write_bytes(b"the previous build")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(warehouse.db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with running_simulator(seed=7, as_of=AS_OF) as sim:
            ingest = subprocess.run(
                [sys.executable, "-m", "ttb_cola.cli", "ingest", "--date", DAY.isoformat(),
                 "--today", AS_OF.isoformat(), "--base-url", sim.base_url, "--requests-per-second", "0",
                 "--pipelines-dir", str(tmp_path / "pipes"), "--quiet"],
                cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=600, check=False,
            )
        publish, check, status = (subprocess.run(
            [sys.executable, "-m", "ttb_cola.cli", *command],
            cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=600, check=False,
        ) for command in (["publish", "--duckdb", str(warehouse.db)], ["publish", "--check", "--duckdb",
                          str(warehouse.db)], ["status", "--pipelines-dir", str(tmp_path / "pipes")]))
    finally:
        holder.kill()
        holder.wait(timeout=60)
    for command, done in (("ingest", ingest), ("publish", publish), ("publish", check), ("status", status)):
        assert done.returncode == EXIT_HELD, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr  # one line, no traceback
        # the holder's pid and program name (/proc/<pid>/comm: the name it was started by), no arguments
        program = Path(sys.executable).name[:15]
        assert lines[0].startswith(f"ttb-cola {command}: {warehouse.db} is held open by pid {holder.pid} ({program}):")
        assert HOLDER.splitlines()[0] not in lines[0] and " -c " not in lines[0]
    assert published.read_bytes() == b"the previous build"
