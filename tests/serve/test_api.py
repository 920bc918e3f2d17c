"""`ttb-cola serve` as a real process on loopback, asked with a real HTTP client: every route, bad input
answered 4xx with a JSON message, an injection attempt, no write route, no CORS.

Expected answers are read from the published file directly with DuckDB (not through the API's code)."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest


def _get(api: str, path: str, **params: str) -> httpx.Response:
    return httpx.get(f"{api}{path}", params=params, timeout=30)


def test_a_cola_with_its_history_images_and_barcodes(api, published) -> None:
    [with_gtin] = published.rows("select ttb_id from marts.bridge_cola_gtins order by ttb_id limit 1") or [None]
    assert with_gtin, "the simulator's labels gave no barcode"
    ttb_id = with_gtin["ttb_id"]
    answer = _get(api, f"/colas/{ttb_id}")
    assert answer.status_code == 200
    cola = answer.json()
    [fact] = published.rows("select * from marts.fct_cola_approvals where ttb_id = ?", [ttb_id])
    for name in ("permit_number", "brand_name", "fanciful_name", "status", "class_type_code", "days_to_approval"):
        assert cola[name] == fact[name]
    assert cola["approval_date"] == fact["approval_date"].isoformat()
    history = published.rows("select status, version_number from marts.fct_cola_status_history where ttb_id = ? "
                             "order by version_number", [ttb_id])
    assert [(h["status"], h["version_number"]) for h in cola["status_history"]] == \
        [(h["status"], h["version_number"]) for h in history]
    gtins = published.rows("select gtin from marts.bridge_cola_gtins where ttb_id = ? order by gtin", [ttb_id])
    assert [b["gtin"] for b in cola["barcodes"]] == [g["gtin"] for g in gtins]
    images = published.rows("select image_position, image_sha256, image_url from marts.fct_cola_images "
                            "where ttb_id = ? order by image_position", [ttb_id])
    assert images, "a COLA with a barcode has a stored label image"
    assert [(i["image_position"], i["image_sha256"], i["image_url"]) for i in cola["images"]] == \
        [(i["image_position"], i["image_sha256"], i["image_url"]) for i in images]


def test_unknown_and_malformed_ids(api) -> None:
    missing = _get(api, "/colas/25167001999999")
    assert missing.status_code == 404 and "25167001999999" in missing.json()["detail"]
    for bad in ("123", "2516700100000x", "25167001000001x"):
        answer = _get(api, f"/colas/{bad}")
        assert answer.status_code == 400 and "14 digits" in answer.json()["detail"]


def test_search_filters_newest_first_with_total_and_pages(api, published) -> None:
    facts = published.rows("""
        select a.ttb_id, a.permit_number, a.status, a.approval_date, coalesce(a.approval_date, a.status_date,
            a.receipt_date) as newest from marts.fct_cola_approvals as a""")
    [(permit, count)] = Counter(f["permit_number"] for f in facts).most_common(1)
    first = _get(api, "/colas", permit=permit.lower(), limit="2")
    assert first.status_code == 200
    body = first.json()
    want = sorted((f for f in facts if f["permit_number"] == permit), key=lambda f: (f["newest"], f["ttb_id"]),
                  reverse=True)
    assert body["total"] == count == len(want)
    assert [c["ttb_id"] for c in body["colas"]] == [f["ttb_id"] for f in want[:2]]
    second = _get(api, "/colas", permit=permit, limit="2", offset="2").json()
    assert [c["ttb_id"] for c in second["colas"]] == [f["ttb_id"] for f in want[2:4]]

    everything = _get(api, "/colas", limit="500").json()
    assert everything["total"] == len(facts)
    order = [(c["newest_date"], c["ttb_id"]) for c in everything["colas"]]
    assert order == sorted(order, reverse=True)

    start, end = sorted(f["approval_date"] for f in facts if f["approval_date"])[len(facts) // 3], None
    dated = _get(api, "/colas", approved_from=start.isoformat(), status="approved", limit="500").json()
    assert {c["ttb_id"] for c in dated["colas"]} == {
        f["ttb_id"] for f in facts if f["approval_date"] and f["approval_date"] >= start and f["status"] == "APPROVED"}
    assert end is None


def test_full_text_search_finds_words_in_brand_and_company(api, published) -> None:
    rows = published.rows("select ttb_id, brand_name, company_name, permittee_name, fanciful_name from serve.colas")
    words = Counter(w for r in rows for w in (r["brand_name"] or "").upper().split() if len(w) > 3 and w.isalpha())
    word, n = words.most_common(1)[0]
    answer = _get(api, "/colas", q=word.lower(), limit="500").json()
    found = {c["ttb_id"] for c in answer["colas"]}
    assert {r["ttb_id"] for r in rows if word in (r["brand_name"] or "").upper().split()} <= found
    assert answer["total"] == len(found) >= n
    for cola in answer["colas"]:
        text = " ".join(cola[k] or "" for k in ("brand_name", "fanciful_name", "company_name", "permittee_name"))
        assert word[:4] in text.upper()  # stemmed: the word's stem is in one of the searched fields
    company_word = next(w for w in (rows[0]["company_name"] or "").split() if len(w) > 3 and w.isalpha())
    assert rows[0]["ttb_id"] in {c["ttb_id"] for c in _get(api, "/colas", q=company_word, limit="500").json()["colas"]}


@pytest.mark.parametrize(("params", "says"), [
    ({"limit": "ten"}, "limit"), ({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"),
    ({"offset": "-1"}, "offset"), ({"status": "PENDING"}, "status"), ({"signal": "hot"}, "signal"),
    ({"approved_from": "2025-13-01"}, "approved_from"),
    ({"approved_from": "2025-06-02", "approved_to": "2025-06-01"}, "approved_from"), ({"colour": "red"}, "colour"),
    ({"brand": "%"}, "brand"), ({"permit": "DSP KY 1"}, "permit"), ({"q": "x" * 201}, "q"),
])
def test_bad_filters_are_400_with_a_message(api, params, says) -> None:
    answer = _get(api, "/colas", **params)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/json" and says in answer.json()["detail"]


def test_injection_attempts_are_plain_values(api, published) -> None:
    [(total,)] = [tuple(r.values()) for r in published.rows("select count(*) from serve.colas")]
    for attack in ("zzqx' or '1'='1", "zzqx'); drop table serve.colas; --", "%zzqx' or 1=1 --"):
        for name in ("q", "brand", "company", "origin"):
            answer = _get(api, "/colas", **{name: attack})
            assert answer.status_code == 200 and answer.json()["total"] == 0, (name, attack, answer.text)
    stop_words = _get(api, "/colas", q="the and of 1942")
    assert stop_words.status_code == 400 and "no word to search" in stop_words.json()["detail"]
    assert _get(api, "/colas/1' or '1'='1").status_code in (400, 404)
    assert _get(api, "/colas", limit="500").json()["total"] == total  # the table is still whole


def test_company_barcode_signals_processing_times(api, published) -> None:
    [top] = published.rows("select permit_number, company_name, applicant_cola_count from marts.dim_company "
                           "where permit_number is not null order by applicant_cola_count desc, permit_number limit 1")
    company = _get(api, f"/companies/{top['permit_number']}").json()
    assert company["company_name"] == top["company_name"]
    assert sum(company["colas_by_product_type"].values()) == len(
        published.rows("select 1 from marts.fct_cola_approvals where permit_number = ?", [top["permit_number"]]))
    assert _get(api, "/companies/ZZ-Q-0000000").status_code == 404
    assert _get(api, "/companies/no such permit").status_code == 400

    [gtin] = published.rows("select gtin, count(*) as n from marts.bridge_cola_gtins group by gtin order by n desc, "
                            "gtin limit 1")
    barcode = _get(api, f"/barcodes/{gtin['gtin'].lstrip('0')}").json()  # a UPC/EAN as printed, not padded
    assert barcode["cola_count"] == gtin["n"] and barcode["gtin"] == gtin["gtin"]
    assert _get(api, "/barcodes/12345").status_code == 400
    assert _get(api, "/barcodes/4006381333932").status_code == 400  # wrong check digit
    assert _get(api, "/barcodes/4006381333931").status_code == 404

    signals = published.rows("select ttb_id, signal_type, approval_date from marts.fct_cola_signals")
    since = min(s["approval_date"] for s in signals if s["approval_date"])
    new = _get(api, "/signals", since=since.isoformat(), limit="500").json()
    assert {c["ttb_id"] for c in new["colas"]} == {
        s["ttb_id"] for s in signals if s["signal_type"] in ("new_company", "new_brand", "new_product")
        and s["approval_date"] and s["approval_date"] >= since}
    unknown = _get(api, "/signals", since=since.isoformat(), signal="unknown", limit="500").json()
    assert unknown["total"] == sum(1 for s in signals if s["signal_type"] == "unknown" and s["approval_date"]
                                   and s["approval_date"] >= since)
    assert _get(api, "/signals", since="last week").status_code == 400

    weeks = published.rows("select approval_week_start, cola_count from marts.fct_processing_times")
    times = _get(api, "/processing-times", limit="500").json()["weeks"]
    assert sorted((w["approval_week_start"], w["cola_count"]) for w in times) == \
        sorted((w["approval_week_start"].isoformat(), w["cola_count"]) for w in weeks)
    assert _get(api, "/processing-times", product_type="Beer").status_code == 400


def test_watchlist_route_matches_the_file_the_server_was_given(api, published) -> None:
    answer = _get(api, "/watchlist").json()
    assert {entry for entry, _ in published.expected} == {"Top filer", "Brand prefix", "Imported wine"}
    assert answer["entries"] == ["Top filer", "Brand prefix", "Imported wine"]
    assert {(m["entry_name"], m["ttb_id"]) for m in answer["matches"]} == published.expected
    assert answer["total"] == len(published.expected)


def test_read_only_documented_and_no_cors(api) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert httpx.request(method, f"{api}/colas", timeout=10).status_code == 405
    answer = httpx.get(f"{api}/colas", headers={"Origin": "https://elsewhere.example"}, timeout=10)
    assert "access-control-allow-origin" not in answer.headers
    preflight = httpx.options(f"{api}/colas", headers={"Origin": "https://elsewhere.example",
                                                       "Access-Control-Request-Method": "GET"}, timeout=10)
    assert "access-control-allow-origin" not in preflight.headers
    spec = httpx.get(f"{api}/openapi.json", timeout=10).json()
    assert {"/colas/{ttb_id}", "/colas", "/companies/{permit}", "/barcodes/{gtin}", "/signals",
            "/processing-times"} <= set(spec["paths"])
    assert all(set(item) == {"get"} for item in spec["paths"].values())
    assert httpx.get(f"{api}/docs", timeout=10).status_code == 200
