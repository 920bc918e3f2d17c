"""The List of Permittees parser on TTB's real files (reference samples) and on the quirks FORMATS.md
documents: BOM, cp1252, line endings, records on one line; cut, empty and wrong-header files refused."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ttb_cola.open_data.permit_csv import parse_permit_csv
from ttb_cola.open_data.refused import FileRefused

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "open_data"
ISSUED = "FRL_Basic_Permits_Issued_Since_the_Last_Publication.sample.csv"
IMPORTERS = "FRL_Alcohol_Importer_Permit_List.sample.csv"


def _sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _by_permit(rows: list[dict]) -> dict[str, dict]:
    return {row["permit_number"]: row for row in rows}


def test_the_real_importer_list_keeps_quotes_accents_and_zip_text() -> None:
    rows = parse_permit_csv(_sample(IMPORTERS), IMPORTERS)
    assert len(rows) == 168
    by = _by_permit(rows)
    assert by["AK-I-15000"]["owner_name"] == "ROGER ROM WINE IMPORTS LLC"
    assert by["AK-I-15000"]["premises_zip"] == "99507"
    assert by["CA-I-16190"]["owner_name"] == 'DOMINICK CHIRICHILLO WINES "LLC"'
    assert by["CA-I-21190"]["owner_name"] == "MAÑANA TEQUILA USA, LLC"
    assert by["CA-I-22553"]["operating_name"] == "RON COLÓN SALVADOREÑO"
    assert by["CA-I-22553"]["premises_county"] is None
    assert by["CA-I-21190"]["industry_type"] == "Importer (Alcohol)"
    assert by["CA-I-21190"]["new_permit_flag"] is False


def test_the_real_issued_since_file_crlf_with_leading_zero_zips() -> None:
    data = _sample(ISSUED)
    assert b"\r\n" in data
    rows = parse_permit_csv(data, ISSUED, all_new=True)
    assert len(rows) == 95
    assert Counter(row["industry_type"] for row in rows) == {
        "Wholesaler (Alcohol)": 42, "Importer (Alcohol)": 24, "Wine Producer": 18, "Distilled Spirits Plant": 11}
    by = _by_permit(rows)
    assert by["CT-W-21081"]["premises_zip"] == "06359"
    assert by["CA-W-25875"]["operating_name"] == "SAVAGE BEE-CHES®"
    assert all(row["new_permit_flag"] for row in rows)


@pytest.mark.parametrize("variant", ["bom", "lf", "cr", "cp1252", "one_line"])
def test_the_documented_variants_parse_to_the_same_rows(variant: str) -> None:
    data = _sample(ISSUED)
    expected = parse_permit_csv(data, ISSUED, all_new=True)
    if variant == "bom":
        data = b"\xef\xbb\xbf" + data
    elif variant == "lf":
        data = data.replace(b"\r\n", b"\n")
    elif variant == "cr":
        data = data.replace(b"\r\n", b"\r")
    elif variant == "cp1252":
        data = data.decode("utf-8").encode("cp1252")
    else:  # the header on its own line, every record comma-joined onto one line
        header, _, body = data.partition(b"\r\n")
        data = header + b"\r\n" + b",".join(line for line in body.split(b"\r\n") if line)
    assert parse_permit_csv(data, ISSUED, all_new=True) == expected


def test_a_file_cut_mid_record_is_refused() -> None:
    data = _sample(IMPORTERS)
    cut = data[: data.index(b"CA-I-16190") + 40]
    with pytest.raises(FileRefused, match="fields, the header 10"):
        parse_permit_csv(cut, IMPORTERS)


def test_a_file_cut_inside_a_quoted_field_is_refused() -> None:
    data = _sample(IMPORTERS)
    cut = data[: data.index(b'"MA\xc3\x91ANA') + 8]
    with pytest.raises(FileRefused, match="cut or malformed"):
        parse_permit_csv(cut, IMPORTERS)


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"\r\n  \r\n", "empty file"),
    (b"Permit Number,Owner Name,Operating Name,Street,City,State,Zip,County,Industry_Type,New_Permit_Flag\r\n"
     b"AK-I-15000,X,,1 MAIN,ANCHORAGE,AK,99507,,Importer (Alcohol),0\r\n", "unexpected header"),
    (b"Permit_Number,Owner_Name,Operating_Name,Street,City,State,Prem_Zip,Prem_County,Industry_Type,"
     b"New_Permit_Flag\r\n", "no records"),
    (b"Permit_Number,Owner_Name,Operating_Name,Street,City,State,Prem_Zip,Prem_County,Industry_Type,"
     b"New_Permit_Flag\r\nX,AK-I-15000,,1 MAIN,ANCHORAGE,AK,99507,,Importer (Alcohol),0\r\n", "not a permit number"),
    (b"Permit_Number,Owner_Name,Operating_Name,Street,City,State,Prem_Zip,Prem_County,Industry_Type,"
     b"New_Permit_Flag\r\nAK-I-15000,X,,1 MAIN,ANCHORAGE,AK,99507,,Importer (Alcohol),yes\r\n", "neither 0 nor 1"),
])
def test_empty_wrong_header_and_shifted_files_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(FileRefused, match=reason):
        parse_permit_csv(data, "FRL_Alcohol_Importer_Permit_List.csv")


def test_the_issued_since_file_may_hold_no_permit_and_lack_the_flag_column() -> None:
    header = b"Permit_Number,Owner_Name,Operating_Name,Street,City,State,Prem_Zip,Prem_County,Industry_Type"
    assert parse_permit_csv(header + b",New_Permit_Flag\r\n", ISSUED, all_new=True) == []
    rows = parse_permit_csv(header + b"\r\nAZ-I-21235,JAZLEEN ROSE LLC,Jazleen Rose,4539 N 22ND ST UNIT 7393,"
                                     b"PHOENIX,AZ,85388,MARICOPA,Importer (Alcohol)\r\n", ISSUED, all_new=True)
    assert rows[0]["new_permit_flag"] is True and rows[0]["premises_county"] == "MARICOPA"
