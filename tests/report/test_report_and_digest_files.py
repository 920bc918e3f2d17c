"""`ttb-cola digest` and `ttb-cola report` on a built dev warehouse (transform/scripts/make_dev_data.py).

Checks the spreadsheet keeps TTB IDs and permits as text with registry links, the status changes
equal those read straight from the raw table, --stdout prints the Markdown, --target s3 reads
TTB_COLA_LAKE_DUCKDB, and the report page loads nothing from the network and renders every chart
in headless Chromium with no console error (a screenshot is kept in build/test-artifacts/).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
from digest_helpers import ROOT, sheet_rows
from shared_builds import dev_warehouse

from ttb_cola.cli import main

SINCE, UNTIL = "2026-10-01", "2026-11-30"
CHARTS = ("approvals-per-week", "processing-trend", "top-filers", "new-companies", "coverage")
ARTIFACTS = ROOT / "build" / "test-artifacts"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """A copy of the session's built dev warehouse (tests/shared_builds.py)."""
    tmp = tmp_path_factory.mktemp("digest_report")
    db, _, _ = dev_warehouse(tmp_path_factory, tmp)
    return {"db": db, "tmp": tmp}


@pytest.fixture(scope="module")
def digest_dir(built) -> Path:
    out = built["tmp"] / "digest"
    assert main(["digest", "--duckdb", str(built["db"]), "--since", SINCE, "--until", UNTIL, "--out", str(out)]) == 0
    return out


def test_spreadsheet_keeps_ids_as_text_and_links_them(digest_dir):
    import openpyxl

    book = openpyxl.load_workbook(digest_dir / "digest.xlsx")
    sheet = book["New brands"]
    header = [c.value for c in sheet[1]]
    id_col, permit_col = header.index("ttb_id") + 1, header.index("permit") + 1
    assert sheet.max_row > 2
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row, id_col)
        assert cell.data_type == "s" and re.fullmatch(r"\d{14}", cell.value)
        assert cell.hyperlink.target.endswith(f"ttbid={cell.value}")
        assert sheet.cell(row, permit_col).data_type == "s"


def test_status_changes_are_those_of_the_raw_table(built, digest_dir):
    with duckdb.connect(str(built["db"]), read_only=True) as con:
        want = {ttb_id for (ttb_id,) in con.execute("""
            select ttb_id from (
                select ttb_id, status from ttb_cola.cola_details
                qualify row_number() over (partition by ttb_id order by _dlt_load_id desc) = 1
            ) join (
                select ttb_id, completed_date from ttb_cola.cola_listings
                qualify row_number() over (partition by ttb_id order by _dlt_load_id desc) = 1
            ) using (ttb_id)
            where upper(status) in ('SURRENDERED', 'REVOKED', 'EXPIRED') and completed_date between ? and ?""",
            [date.fromisoformat(SINCE), date.fromisoformat(UNTIL)],
        ).fetchall()}
    assert want
    assert {row["ttb_id"] for row in sheet_rows(digest_dir / "digest.xlsx", "Status changes")} == want


def test_stdout_prints_the_markdown(built, tmp_path, capsys):
    out = tmp_path / "d"
    assert main(["digest", "--duckdb", str(built["db"]), "--since", SINCE, "--until", UNTIL,
                 "--out", str(out), "--stdout"]) == 0
    printed = capsys.readouterr().out
    assert printed == (out / "digest.md").read_text(encoding="utf-8")
    assert printed.startswith(f"# TTB COLA digest: {SINCE} to {UNTIL}")


def test_s3_target_reads_the_lake_duckdb_file(built, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TTB_COLA_LAKE_DUCKDB", str(built["db"]))
    monkeypatch.setenv("TTB_COLA_DUCKDB", str(tmp_path / "absent.duckdb"))
    assert main(["digest", "--target", "s3", "--since", SINCE, "--until", UNTIL, "--out", str(tmp_path)]) == 0
    assert main(["digest", "--since", SINCE, "--until", UNTIL, "--out", str(tmp_path)]) == 1
    assert "absent.duckdb" in capsys.readouterr().err


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _browser_args(browser: str, profile: Path) -> list[str]:
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--virtual-time-budget=20000"]


def test_report_renders_every_chart_offline_in_chromium(built, tmp_path):
    out = tmp_path / "report"
    assert main(["report", "--duckdb", str(built["db"]), "--since", SINCE, "--until", UNTIL, "--out", str(out)]) == 0
    index = out / "index.html"
    page = index.read_text(encoding="utf-8")
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", page, flags=re.S)  # tags, not script bodies
    assert markup.count("<script") == 4
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", markup), "the page must not load resources"
    assert "Top filers" in page and "New companies" in page  # the digest's tables are on the page too
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed on the CI machine (make test installs it with apt-get)")
        pytest.skip("chromium is not installed: apt-get install chromium")
    done = subprocess.run(
        [*_browser_args(browser, tmp_path / "profile"), "--enable-logging=stderr", "--v=0", "--dump-dom",
         index.as_uri()],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'data-charts="rendered"' in dom, dom[-3000:]
    for chart in CHARTS:
        match = re.search(rf'<div class="chart[^"]*" id="{chart}"[^>]*data-rendered="true"[^>]*>(.*?)</figure>', dom,
                          re.S)
        assert match and "<svg" in match[1], f"chart {chart} did not render"
    assert re.search(r'<pre id="console-errors"></pre>', dom), "errors reported on the page"
    console_errors = [line for line in done.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line.upper()]
    assert not console_errors, console_errors
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    done = subprocess.run(
        [*_browser_args(browser, tmp_path / "profile2"), "--window-size=1280,3000", f"--screenshot={shot}",
         index.as_uri()],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0 and shot.stat().st_size > 10_000, done.stderr[-2000:]
