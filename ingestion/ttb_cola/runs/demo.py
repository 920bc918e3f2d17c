"""``make demo``: the whole pipeline against the local simulator, start to finish.

Starts the simulator on a free loopback port, loads two weeks of TTB's List of Permittees and the day's
processing times, ingests a week of receipt dates into its own DuckDB file (``data/demo/``, never mixed
with real registry data or state), runs ``dbt build`` and prints a few headline numbers from the marts:
among them the leads (permits with no label yet) and companies matched to their permittee.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb

from ttb_cola_sim.registry import Registry
from ttb_cola_sim.server import SimulatorServer

DEMO_DIR = Path("data") / "demo"
AS_OF = date(2025, 6, 30)
SEED = 1
#: The List of Permittees is loaded twice: the week the crawled receipt dates start, and AS_OF's.
LIST_WEEKS = (date(2025, 6, 16), AS_OF)
HEADLINES = {
    "COLAs by product type and origin": """
        select product_type, product_source, count(*) as colas, median(days_to_approval) as median_days
        from marts.fct_cola_approvals group by all order by colas desc""",
    "Busiest approval days": """
        select approval_date, sum(cola_count) as colas from marts.fct_daily_approvals
        group by all order by colas desc limit 3""",
    "Top applicants": """
        select c.company_name, count(*) as colas from marts.fct_cola_approvals f
        join marts.dim_company c using (company_key) group by all order by colas desc limit 5""",
    "Leads: new permits, no label yet": """
        select lead_rank, permit_number, owner_name, industry_type, premises_state, first_seen_date
        from marts.fct_permittee_leads order by lead_rank limit 5""",
    "Companies matched to their permittee (List of Permittees)": """
        select permit_number, company_name, permittee_permit_number, permittee_owner_name, permittee_match_method
        from marts.dim_company where permittee_match_method is not null
        qualify row_number() over (partition by permittee_match_method order by applicant_cola_count desc) = 1
        order by permittee_match_method""",
    "Crawl coverage": """
        select coverage_status, count(*) as partitions, sum(cola_count) as colas
        from marts.fct_crawl_coverage group by all order by partitions desc""",
}


def demo_week(database: Path) -> str:
    """The ISO week (``2025-W26``) of the demo's latest approvals: the week its digest has data for."""
    with duckdb.connect(str(database), read_only=True) as con:
        [(latest,)] = con.execute("select max(approval_date) from marts.fct_cola_approvals").fetchall()
    year, week, _ = (latest or AS_OF).isocalendar()
    return f"{year}-W{week:02d}"


def run(project_root: Path) -> int:
    """Run the demo; returns the exit status of the first failing step, else 0."""
    start, end = AS_OF - timedelta(days=14), AS_OF - timedelta(days=8)
    bin_dir = Path(sys.executable).parent
    demo_dir = (project_root / DEMO_DIR).resolve()
    shutil.rmtree(demo_dir, ignore_errors=True)
    database = demo_dir / "warehouse.duckdb"
    server = SimulatorServer(Registry(seed=SEED, as_of=AS_OF)).start()
    try:
        print(f"simulator at {server.base_url} (seed {SEED}, as of {AS_OF})", flush=True)
        cli = str(bin_dir / "ttb-cola")
        open_data = ["--base-url", server.site_url, "--pipelines-dir", str(demo_dir / "pipelines")]
        steps: list[list[str] | date] = [
            LIST_WEEKS[0], [cli, "permittees", "--today", LIST_WEEKS[0].isoformat(), *open_data],
            AS_OF, [cli, "permittees", "--today", AS_OF.isoformat(), *open_data],
            [cli, "processing-times", "--today", AS_OF.isoformat(), *open_data],
            [str(bin_dir / "ttb-cola"), "ingest", "--start", start.isoformat(), "--end", end.isoformat(),
             "--today", AS_OF.isoformat(), "--base-url", server.base_url, "--requests-per-second", "0",
             "--pipelines-dir", str(demo_dir / "pipelines")],
            [str(bin_dir / "dbt"), "build", "--project-dir", "transform", "--quiet"],
        ]
        env = dict(os.environ, TTB_COLA_DUCKDB=str(database), DESTINATION__DUCKDB__CREDENTIALS=str(database))
        for step in steps:
            if isinstance(step, date):  # TTB publishes a new list weekly: the simulator's clock moves
                server.set_as_of(step)
                continue
            print("$", " ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)), flush=True)
            status = subprocess.run(step, cwd=project_root, env=env, check=False).returncode
            if status:
                print(f"demo: step failed with exit status {status}", file=sys.stderr)
                return status
    finally:
        server.stop()
    with duckdb.connect(str(database), read_only=True) as con:
        for title, sql in HEADLINES.items():
            print(f"\n== {title}")
            con.sql(sql).show()
    relative = database.relative_to(project_root)
    print(f"\nThe demo warehouse is {relative}. Next, from the repo root:\n"
          f"  make docs-serve DUCKDB={relative}          # dbt docs with its catalog, on http://localhost:8080\n"
          f"  make digest DUCKDB={relative} WEEK={demo_week(database)}   # the week's digest into data/digest/")
    return 0
