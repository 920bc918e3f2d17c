"""The dbt `s3` target finds the bucket the way ingestion does: `.dlt/` of the repo root, from either directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import duckdb, sys
from ttb_cola.destinations.lake_duckdb import Plugin
plugin = Plugin("lake_duckdb", {"profiles_dir": sys.argv[1]})
con = duckdb.connect()
plugin.configure_connection(con)
cursor = con.cursor()  # dbt runs models on cursors: each gets the variable too
plugin.configure_cursor(cursor)
print(cursor.execute("select getvariable('ttb_cola_lake_root')").fetchone()[0])
"""


@pytest.mark.parametrize("start", ["transform"])
def test_the_s3_target_reads_bucket_url_from_the_repos_dlt_settings(tmp_path: Path, start: str) -> None:
    repo = tmp_path / "repo"
    (repo / ".dlt").mkdir(parents=True)
    (repo / "transform").mkdir()
    lake = tmp_path / "lake"
    (repo / ".dlt" / "config.toml").write_text(f'[destination.filesystem]\nbucket_url = "file://{lake}"\n')
    (repo / "profiles.yml").write_text("ttb_cola: {}\n")
    (repo / "transform" / "profiles.yml").symlink_to("../profiles.yml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DESTINATION__", "DLT_"))}
    cwd = repo / start
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(cwd)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == str(lake)
