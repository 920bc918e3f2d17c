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
CHARTS = ("approvals-per-week", "processing-trend", "top-filers", "new-companies", "coverage", "abv-by-category",
          "container-sizes")
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
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    # one browser run: the rendered DOM on stdout, the console on stderr, and the screenshot
    done = subprocess.run(
        [*_browser_args(browser, tmp_path / "profile"), "--enable-logging=stderr", "--v=0", "--dump-dom",
         "--window-size=1280,3000", f"--screenshot={shot}", index.as_uri()],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.stat().st_size > 10_000, done.stderr[-2000:]
    dom = done.stdout
    assert 'data-charts="rendered"' in dom, dom[-3000:]
    for chart in CHARTS:
        match = re.search(rf'<div class="chart[^"]*" id="{chart}"[^>]*data-rendered="true"[^>]*>(.*?)</figure>', dom,
                          re.S)
        assert match and "<svg" in match[1], f"chart {chart} did not render"
    assert re.search(r'<pre id="console-errors"></pre>', dom), "errors reported on the page"
    console_errors = [line for line in done.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line.upper()]
    assert not console_errors, console_errors


def _latest_approval(db: Path) -> date:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select max(approval_date) from marts.fct_cola_approvals").fetchone()[0]


def test_default_period_is_the_latest_week_with_approvals_when_the_last_full_week_has_none(built, tmp_path, capsys):
    from ttb_cola.digest.period import week_period

    latest = _latest_approval(built["db"])
    week = week_period(latest.isoformat())
    today = date.fromordinal(latest.toordinal() + 60)
    assert main(["digest", "--duckdb", str(built["db"]), "--today", today.isoformat(), "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert f"the latest week with approvals is {week.label}" in err and len(err.strip().splitlines()) == 1
    with duckdb.connect(str(built["db"]), read_only=True) as con:
        [(approved,)] = con.execute("select count(*) from marts.fct_cola_approvals where approval_date between ? and ?",
                                    [week.start, week.end]).fetchall()
    summary = {row["metric"]: row["this period"] for row in sheet_rows(tmp_path / "digest.xlsx", "At a glance")}
    assert approved > 0 and summary["COLAs approved"] == approved


def test_spreadsheet_sizes_every_column_to_its_content_and_filters_every_sheet(digest_dir):
    import openpyxl
    from openpyxl.utils import get_column_letter

    book = openpyxl.load_workbook(digest_dir / "digest.xlsx")
    for title in ("New brands", "Top filers", "Weekly processing times"):
        sheet = book[title]
        header = [c.value for c in sheet[1]]
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}{sheet.max_row}"
        for col, name in enumerate(header, start=1):
            cells = [sheet.cell(r, col) for r in range(1, sheet.max_row + 1)]
            longest = max(10 if cell.is_date else len(str(cell.value or "")) for cell in cells)
            assert sheet.column_dimensions[get_column_letter(col)].width >= min(longest, 60), (title, name)


def test_html_keeps_identifiers_and_dates_on_one_line_and_names_receipt_methods(digest_dir):
    from bs4 import BeautifulSoup

    page = BeautifulSoup((digest_dir / "digest.html").read_text(encoding="utf-8"), "html.parser")
    assert "td.code, td.num { white-space: nowrap; }" in page.style.text
    table = page.find("section", id="new_brand").table
    header = [th.text for th in table.thead.find_all("th")]
    cells = [row.find_all("td") for row in table.tbody.find_all("tr")]
    for name in ("ttb_id", "permit", "approval_date", "new_since"):
        assert all("code" in row[header.index(name)].get("class", []) for row in cells), name
    weekly = page.find("section", id="weekly_processing_times").table
    methods = {row.find_all("td")[2].text for row in weekly.tbody.find_all("tr")}
    assert methods and methods <= {"E-filed", "Mailed", "Overnight", "Hand delivered"}


def test_digest_says_how_long_coverage_is_and_warns_when_short(digest_dir):
    text = (digest_dir / "digest.md").read_text(encoding="utf-8")
    days = int(re.search(r": (\d+) days of receipt dates, to ", text)[1])
    assert 0 < days < 365 and f"Warning: {days} days is short" in text


def test_week_charts_put_dates_on_a_time_axis_and_break_lines_over_weeks_without_data(tmp_path):
    from ttb_cola.digest.period import week_period
    from ttb_cola.report import charts, data

    db = tmp_path / "weekly.duckdb"
    with duckdb.connect(str(db)) as con:  # approvals in the weeks of 2025-06-02 and 2025-06-16, none between
        con.execute("create schema marts")
        con.execute("create table marts.fct_cola_approvals as select * from (values "
                    "(date '2025-06-03', 'Wine', 4), (date '2025-06-04', 'Wine', 6), (date '2025-06-17', 'Wine', 8))"
                    " as t(approval_date, product_type, days_to_approval)")
        period = week_period("2025-06-17")
        trend = data.processing_trend(con, period)
        weekly = data.approvals_per_week(con, period)
    assert [(r["week"], r["median_days"]) for r in trend] == [
        ("2025-06-02", 5.0), ("2025-06-09", None), ("2025-06-16", 8.0)]
    line = charts.processing_chart(trend).to_dict()
    assert line["mark"]["invalid"] == "break-paths-filter-domains"
    for spec in (line, charts.approvals_chart(weekly).to_dict()):
        x = spec["encoding"]["x"]
        assert x["type"] == "temporal" and x["axis"]["format"] == "%Y-%m-%d"
        assert [(v["year"], v["month"], v["date"]) for v in x["axis"]["values"]][0] == (2025, 6, 2)
