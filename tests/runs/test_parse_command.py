"""`ttb-cola parse`: one JSON line per file, kinds for every real page, clean errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ttb_cola.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures"


def run_parse(capsys: pytest.CaptureFixture[str], *files: str) -> tuple[int, list[dict], str]:
    status = main(["parse", *files])
    out, err = capsys.readouterr()
    return status, [json.loads(line) for line in out.splitlines()], err


def test_every_real_page_gets_its_kind(capsys: pytest.CaptureFixture[str]) -> None:
    expected = {"detail": "detail", "form": "form", "notfound": "not_found", "search": None}
    files = sorted(str(p) for p in FIXTURES.glob("*.html"))
    status, lines, err = run_parse(capsys, *files)
    assert status == 0 and err == ""
    assert [line["file"] for line in lines] == files
    for line in lines:
        prefix = Path(line["file"]).name.split("_")[0]
        if expected.get(prefix):
            assert line["kind"] == expected[prefix], line["file"]
    kinds = {Path(line["file"]).name: line["kind"] for line in lines}
    assert kinds["search_results_old_potrero_page1.html"] == "search_results"
    assert kinds["search_results_noresults.html"] == "no_results"
    assert kinds["search_form_error_daterange15y.html"] == "error"


def test_detail_record_carries_page_and_id_fields(capsys: pytest.CaptureFixture[str]) -> None:
    _, [line], _ = run_parse(capsys, str(FIXTURES / "detail_23223001000234.html"))
    record = line["record"]
    # Read off the page: status SURRENDERED, received 2023 day 223 (Aug 11), e-filed, sequence 234.
    assert record["ttb_id"] == "23223001000234"
    assert record["status"] == "SURRENDERED"
    assert (record["receipt_date"], record["receipt_method"], record["sequence"]) == ("2023-08-11", "001", 234)
    assert record["fanciful_name"] is None
    assert record["label_images"] == [] and record["class_type_code"] is None


def test_form_record_has_codes_and_images(capsys: pytest.CaptureFixture[str]) -> None:
    _, [line], _ = run_parse(capsys, str(FIXTURES / "form_24011001000462.html"))
    assert line["kind"] == "form"
    assert (line["record"]["class_type_code"], line["record"]["origin_code"]) == ("153", "5K")
    assert line["record"]["label_images"]


def test_a_value_that_does_not_parse_is_null_with_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Derived: the real detail page with its approval date not MM/DD/YYYY."""
    page = tmp_path / "detail.html"
    page.write_bytes((FIXTURES / "detail_24011001000462.html").read_bytes().replace(b"01/11/2024", b"01/11/24x", 1))
    status, [line, clean], _ = run_parse(capsys, str(page), str(FIXTURES / "detail_24011001000462.html"))
    assert status == 0 and line["kind"] == "detail"
    assert line["record"]["approval_date"] is None and line["record"]["brand_name"]
    assert line["warnings"] == ["approval_date: not a MM/DD/YYYY date: '01/11/24x'"]
    assert "warnings" not in clean and clean["record"]["approval_date"] == "2024-01-11"


def test_missing_file_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, lines, err = run_parse(capsys, str(tmp_path / "nope.html"), str(FIXTURES / "notfound_99999999999999.html"))
    assert status == 2
    assert err.count("\n") == 1 and "nope.html" in err and "Traceback" not in err
    assert [line["kind"] for line in lines] == ["not_found"]


def test_binary_and_foreign_files_are_unknown(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    binary = tmp_path / "junk.bin"
    binary.write_bytes(bytes(range(256)) * 10)
    page = tmp_path / "other.html"
    page.write_text("<html><body><h1>COLA Detail</h1>hello</body></html>")
    status, lines, err = run_parse(capsys, str(binary), str(page))
    assert status == 0 and err == ""
    assert [(line["kind"], line["record"]) for line in lines] == [("unknown", None), ("unknown", None)]


def test_console_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ttb_cola.cli", "parse", str(FIXTURES / "detail_24011001000462.html")],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["record"]["brand_name"] == "LAPHROAIG"



def test_a_reader_that_stops_early_stops_parse_quietly() -> None:
    """`ttb-cola parse FILES | head -n 1`: the closed pipe ends the command with no traceback."""
    pages = [str(path) for path in sorted(FIXTURES.glob("*.html"))] * 20
    script = (f"{sys.executable} -m ttb_cola.cli parse {' '.join(pages)} | head -n 1; "
              'echo "status=${PIPESTATUS[0]}" >&2')
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False, timeout=300)
    assert json.loads(done.stdout)["file"] == pages[0]
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr[-2000:]
    assert done.stderr.strip().endswith("status=0"), done.stderr[-2000:]


def test_parse_never_imports_dlt() -> None:
    """`ttb-cola parse` is a local tool: the package's re-exports must not pull dlt in."""
    code = (
        "import sys; from ttb_cola.cli import main; "
        f"status = main(['parse', {str(FIXTURES / 'form_24011001000462.html')!r}]); "
        "sys.exit(10 + status if [m for m in sys.modules if m == 'dlt' or m.startswith('dlt.')] else status)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, (done.returncode, done.stderr)
    assert json.loads(done.stdout)["kind"] == "form"

def test_csv_export_is_parsed_with_its_rows(capsys: pytest.CaptureFixture[str]) -> None:
    _, [line], _ = run_parse(capsys, str(FIXTURES / "export_quilceda_leonetti_20260921.csv"))
    assert line["kind"] == "export"
    first = line["record"]["rows"][0]
    # The first data line of the file: '24045001000976',BW-WA-68,24CABS,02/15/2024,,QUILCEDA CREEK,07,...
    assert (first["ttb_id"], first["permit_number"]) == ("24045001000976", "BW-WA-68")
    assert first["completed_date"] == "2024-02-15"
    assert first["fanciful_name"] is None and first["class_type_code"] == "88"
    assert line["record"]["quarantined"] == []
