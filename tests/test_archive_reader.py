"""The raw archive read back: a local folder walked directly and an fsspec store (``memory://``) give the same
pages in the same order, with the time each was stored; and the reparse's batches (one Arrow table per
table, the status log taken from them) hold what the real pages say."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from ttb_cola.archive import RawArchive, archived_records
from ttb_cola.arrow_batches import ROW_ID, page_tables
from ttb_cola.parsers.detail import parse_detail
from ttb_cola.parsers.form import parse_form
from ttb_cola.records import DETAILS_TABLE, FORMS_TABLE, LABEL_IMAGES_TABLE
from ttb_cola.registry.pages import PageKind
from ttb_cola.status_log import status_log_row, status_log_table

FIXTURES = Path(__file__).parent / "fixtures"
#: Real pages: a COLA with both pages, one with its detail page only, and one registry "not found" answer.
BOTH, DETAIL_ONLY, FORM_ONLY = "24011001000462", "19362001000052", "20055001000188"
STORED = datetime(2026, 3, 4, 5, 6, 7, 250000, tzinfo=UTC)


def real(kind: str, ttb_id: str) -> bytes:
    return (FIXTURES / f"{kind}_{ttb_id}.html").read_bytes()


def fill(archive: RawArchive) -> None:
    archive.put(BOTH, PageKind.FORM, real("form", BOTH))
    archive.put(BOTH, PageKind.DETAIL, real("detail", BOTH))
    archive.put(DETAIL_ONLY, PageKind.DETAIL, real("detail", DETAIL_ONLY))
    archive.put(FORM_ONLY, PageKind.FORM, real("form", FORM_ONLY))
    archive.put(FORM_ONLY, PageKind.NOT_FOUND, (FIXTURES / "notfound_99999999999999.html").read_bytes())


def test_a_local_archive_reads_as_an_fsspec_one(tmp_path: Path) -> None:
    local = RawArchive.at(str(tmp_path / "raw"))
    fill(local)
    for path in (tmp_path / "raw").rglob("*.html.gz"):
        os.utime(path, (STORED.timestamp(), STORED.timestamp()))
    (tmp_path / "raw" / "year=2024" / "notes.txt").write_text("not a page")
    memory = RawArchive.at(f"memory://ttb-cola-test-{uuid.uuid4().hex}/raw")
    fill(memory)

    pages = list(local.pages())
    assert [(page.ttb_id, page.kind) for page in pages] == [
        (DETAIL_ONLY, PageKind.DETAIL),  # received 1936
        (FORM_ONLY, PageKind.FORM), (FORM_ONLY, PageKind.NOT_FOUND),  # 2020, path order
        (BOTH, PageKind.DETAIL), (BOTH, PageKind.FORM),
    ]
    assert [(p.ttb_id, p.kind, p.body) for p in memory.pages()] == [(p.ttb_id, p.kind, p.body) for p in pages]
    assert pages[0].body == real("detail", DETAIL_ONLY)
    assert {page.fetched_at for page in pages} == {STORED}
    # the kinds not asked for are skipped
    assert [(p.ttb_id, p.kind) for p in local.pages((PageKind.FORM,))] == [(FORM_ONLY, PageKind.FORM),
                                                                           (BOTH, PageKind.FORM)]


def test_batches_hold_the_real_pages_and_their_status_log(tmp_path: Path) -> None:
    archive = RawArchive.at(str(tmp_path / "raw"))
    fill(archive)
    colas = list(archived_records(archive, "https://registry.example/colasonline"))
    batch = page_tables(colas)

    form, detail = parse_form(real("form", BOTH)), parse_detail(real("detail", BOTH))
    forms = batch[FORMS_TABLE].to_pylist()
    assert [row["ttb_id"] for row in forms] == [FORM_ONLY, BOTH]
    assert forms[1]["brand_name"] == form["brand_name"] and forms[1]["class_type_code"] == form["class_type_code"]
    assert forms[1]["date_issued"] == date.fromisoformat(form["date_issued"])
    details = batch[DETAILS_TABLE].to_pylist()
    assert [row["ttb_id"] for row in details] == [DETAIL_ONLY, BOTH]
    assert details[1]["status"] == detail["status"] and details[1]["permit_number"] == detail["permit_number"]
    images = batch[LABEL_IMAGES_TABLE].to_pylist()
    assert [(row["ttb_id"], row["position"], row["filename"]) for row in images if row["ttb_id"] == BOTH] == [
        (BOTH, position, image["filename"]) for position, image in enumerate(form["label_images"], start=1)
    ]

    # the status log, column by column, is what status_log_row makes of each page row
    log = status_log_table(batch, "run-1")
    assert isinstance(log, pa.Table)
    expected = [status_log_row(table, row, "run-1") for table in (DETAILS_TABLE, FORMS_TABLE)
                for cola in colas if (row := cola.detail if table == DETAILS_TABLE else cola.form) is not None]
    as_text = [{name: value.isoformat() if isinstance(value, date) else value for name, value in row.items()}
               for row in log.drop_columns([ROW_ID]).to_pylist()]
    for row in expected:
        assert row is not None
        row["fetched_at"] = datetime.fromisoformat(row["fetched_at"]).isoformat()
    assert as_text == expected
    assert len(set(log[ROW_ID].to_pylist())) == log.num_rows  # each row its own dlt row key
    assert {row["approval_date"] for row in as_text if row["page_kind"] == "form"} >= {form["date_issued"]}
