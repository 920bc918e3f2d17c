"""`ttb-cola serve` latency on 3M COLAs: p50 and p95 of a lookup, a full-text search and a permit filter,
at 1 and 8 concurrent clients, over loopback HTTP against a real server process, with the server's CPU time
per request (latency on a shared machine follows its load; the CPU a request costs does much less).

The published file is generated with DuckDB SQL (``generate_series``) into the marts' tables, then
given its serving table and full-text index by the publish code itself (:func:`build_search_index`).
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import httpx
from harness import BIN, REPO
from ports import free_port

from ttb_cola.serve.search_index import build_search_index

ROWS = 3_000_000
COMPANIES = 60_000
WORDS = 4_000
TARGET_LOOKUP_MS = 50
TARGET_SEARCH_MS = 200
REQUESTS = 200

_SYLLABLES = ["ka", "ro", "mi", "ten", "sol", "var", "lu", "der", "an", "bel", "cor", "ve", "na", "tor", "is",
              "pa", "ri", "gen", "mor", "da", "vel", "sur", "o", "le"]


#: Two label images per COLA (front and back), as ``fct_cola_images`` holds them.
IMAGES_SQL = """
    create table marts.fct_cola_images as
    select md5(ttb_id || position) as label_image_id, ttb_id, position::bigint as image_position,
        (['Brand (front)', 'Back'])[position] as image_type, ttb_id || '_' || position || '.jpg' as filename,
        'stored' as fetch_status, true as is_stored, sha256(ttb_id || position) as image_sha256,
        40000::bigint as image_bytes, 'JPEG' as image_format, '.jpg' as file_extension,
        800::bigint as width_pixels, 1200::bigint as height_pixels,
        'images/' || ttb_id || '_' || position || '.jpg' as image_url, false as is_shared_with_previous,
        fetched_at
    from marts.fct_cola_approvals cross join range(1, 3) as t(position)"""


def make_analytics(path: Path, rows: int = ROWS) -> None:
    """A published file of ``rows`` generated COLAs in the marts the API reads (same names and columns)."""
    rng = random.Random(7)
    words = sorted({"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).upper() for _ in range(WORDS)})
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create temp table words as select * from unnest(?) with ordinality as w(word, n)", [words])
        [(n_words,)] = con.execute("select count(*) from words").fetchall()
        con.execute(f"""
            create table marts.dim_company as
            select md5(permit_number) as company_key, permit_number, split_part(permit_number, '-', 1) as permit_prefix,
                'Unknown' as permit_type, null::varchar as permit_type_description,
                split_part(permit_number, '-', 2) as permit_state, company_name, null::varchar as address_street,
                null::varchar as address_city, split_part(permit_number, '-', 2) as address_state,
                null::varchar as address_zip, split_part(permit_number, '-', 2) as state_code,
                0::bigint as applicant_cola_count, 0::bigint as other_plant_cola_count,
                1::bigint as distinct_name_count,
                date '2015-01-01' as first_received_date, date '2023-01-01' as last_received_date
            from (
                select c,
                    (['DSP', 'BWN', 'BR', 'I', 'BW'])[1 + c % 5] || '-'
                        || (['KY', 'CA', 'NY', 'OR', 'TX', 'WA'])[1 + c % 6] || '-' || (c + 1000)::varchar
                        as permit_number,
                    w1.word || ' ' || w2.word || ' '
                        || (['LLC', 'INC', 'CELLARS', 'DISTILLING CO', 'BREWING'])[1 + c % 5] as company_name
                from range({COMPANIES}) as t(c)
                join words as w1 on w1.n = 1 + hash(c) % {n_words}
                join words as w2 on w2.n = 1 + hash(c * 31) % {n_words}
            )""")
        con.execute("""
            create table marts.dim_class_type as
            select md5(code) as class_type_key, code as class_type_code, 'form' as class_type_code_source,
                description as class_type_description, product_type, 'form' as product_type_source,
                0::bigint as cola_count
            from (values ('80', 'TABLE RED WINE', 'Wine'), ('81', 'TABLE WHITE WINE', 'Wine'),
                ('101', 'STRAIGHT BOURBON WHISKY', 'Distilled Spirits'), ('943', 'TEQUILA', 'Distilled Spirits'),
                ('901', 'BEER', 'Malt Beverage'), ('906', 'ALE', 'Malt Beverage')) as t(code, description, product_type)
        """)
        con.execute("""
            create table marts.dim_origin as
            select md5(code) as origin_key, code as origin_code, 'form' as origin_code_source,
                description as origin_description, scope as origin_scope, 'form' as origin_scope_source,
                null::varchar as state_code, null::varchar as country, 0::bigint as cola_count
            from (values ('22', 'KENTUCKY', 'Domestic'), ('08', 'CALIFORNIA', 'Domestic'), ('5K', 'FRANCE', 'Imported'),
                ('58', 'MEXICO', 'Imported'), ('34', 'NEW YORK', 'Domestic')) as t(code, description, scope)
        """)
        con.execute(f"""
            create table marts.fct_cola_approvals as
            with base as (
                select i, date '2015-01-01' + cast(i // 1000 as integer) as receipt_date, i % 1000 + 1 as seq,
                    hash(i) as h
                from range({rows}) as t(i)
            )
            select strftime(receipt_date, '%y') || lpad(dayofyear(receipt_date)::varchar, 3, '0') || '001'
                    || lpad(seq::varchar, 6, '0') as ttb_id,
                receipt_date, receipt_date + cast(5 + h % 60 as integer) as approval_date, '001' as receipt_method,
                company.company_key, class_type.class_type_key, origin.origin_key, md5(brand) as brand_key,
                seq as receipt_sequence, case when h % 50 = 0 then 'SURRENDERED' else 'APPROVED' end as status,
                h % 50 != 0 as is_active, receipt_date + cast(5 + h % 60 as integer) as status_date,
                'approval_date' as status_date_source, receipt_date as application_date,
                receipt_date + cast(5 + h % 60 as integer) as issued_date, null::date as expiration_date,
                class_type.product_type, 'form' as product_type_source,
                case when origin.origin_scope = 'Imported' then 'Imported' else 'Domestic' end as product_source,
                'form' as product_source_source, company.permit_number, brand as brand_name, fanciful_name,
                class_type.class_type_code, origin.origin_code, null::varchar as vendor_code,
                null::varchar as serial_number, true as is_label_approval, false as is_exemption,
                false as is_distinctive_bottle, false as is_resubmission, null::varchar as for_sale_in,
                '750 ML' as total_bottle_capacity, null::varchar as wine_vintage,
                null::varchar as wine_appellation,
                null::varchar as grape_varietals, false as has_formula, true as has_detail_page,
                true as is_form_fetched,
                true as has_pages, cast(5 + h % 60 as bigint) as days_to_approval,
                cast(5 + h % 60 as bigint) as days_application_to_approval, 2::bigint as label_image_count,
                0::bigint as other_permit_count, 0::bigint as gtin_count, null::varchar as primary_gtin,
                now() as fetched_at, now() as loaded_at, 'bench' as dlt_load_id
            from (
                select base.*, w1.word || ' ' || w2.word as brand,
                    case when h % 3 = 0 then null else w3.word end as fanciful_name,
                    1 + h % {COMPANIES} as company_n, h % 6 as class_n, (h // 7) % 5 as origin_n
                from base
                join words as w1 on w1.n = 1 + h % {n_words}
                join words as w2 on w2.n = 1 + (h // 13) % {n_words}
                join words as w3 on w3.n = 1 + (h // 17) % {n_words}
            ) as colas
            join (select *, row_number() over (order by permit_number) as n from marts.dim_company) as company
                on company.n = colas.company_n
            join (select *, row_number() over (order by class_type_code) - 1 as n from marts.dim_class_type)
                as class_type on class_type.n = colas.class_n
            join (select *, row_number() over (order by origin_code) - 1 as n from marts.dim_origin) as origin
                on origin.n = colas.origin_n
        """)
        con.execute("""
            create table marts.fct_cola_signals as
            select a.ttb_id, a.receipt_date, a.receipt_method, a.approval_date, a.status, a.permit_number,
                c.company_name, a.brand_name, a.fanciful_name, a.class_type_code,
                null::varchar as class_type_description,
                a.product_type, a.approval_date as completed_date, true as has_pages,
                date '2015-01-01' as coverage_start_date, true as is_receipt_date_covered,
                true as is_receipt_date_indexed,
                (['new_company', 'new_brand', 'new_product', 'refile', 'other', 'other', 'other', 'other'])
                    [cast(1 + hash(a.ttb_id) % 8 as bigint)] as signal_type, null::varchar as unknown_reason
            from marts.fct_cola_approvals as a join marts.dim_company as c using (company_key)""")
        con.execute("""
            create table marts.fct_cola_status_history as
            select ttb_id || '#1' as status_version_key, ttb_id, 1::bigint as version_number, status, approval_date,
                expiration_date, status_date as completed_date, fetched_at as valid_from,
                null::timestamptz as valid_to, true as is_current, 'bench' as first_seen_crawl_run_id
            from marts.fct_cola_approvals""")
        con.execute("""
            create table marts.bridge_cola_gtins as
            select ttb_id, lpad((hash(ttb_id) % 100000000000)::varchar, 13, '0') || '0' as gtin, 'EAN-13' as symbology,
                false as is_placeholder, 2::bigint as label_image_count, 1::bigint as first_image_position,
                1::bigint as cola_count
            from marts.fct_cola_approvals where hash(ttb_id) % 10 = 0""")
        con.execute(IMAGES_SQL)
        con.execute("""
            create table marts.fct_processing_times as
            select date_trunc('week', approval_date)::date as approval_week_start, product_type, receipt_method,
                count(*) as cola_count, quantile_cont(days_to_approval, 0.5) as median_days_to_approval,
                quantile_cont(days_to_approval, 0.9) as p90_days_to_approval,
                count(*) as cola_with_application_date_count,
                quantile_cont(days_to_approval, 0.5) as median_days_application_to_approval,
                quantile_cont(days_to_approval, 0.9) as p90_days_application_to_approval,
                null::bigint as previous_week_cola_count, null::double as previous_week_median_days_to_approval,
                md5('x') as processing_time_id, null::bigint as cola_count_change,
                null::double as median_days_to_approval_change, null::double as p90_days_to_approval_change
            from marts.fct_cola_approvals group by all""")
        build_search_index(con)
        con.execute("checkpoint")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _cpu_ms(pid: int) -> float:
    """CPU milliseconds (user + system) process ``pid`` has used; 0 where /proc is not there."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        return 0.0
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _run(base: str, paths: list[str], clients: int) -> list[float]:
    """Milliseconds per request of ``paths`` spread over ``clients`` threads, each with its own connection."""
    times: list[float] = []
    lock = threading.Lock()

    def worker(share: list[str]) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            for path in share:
                started = time.perf_counter()
                answer = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {answer.status_code} {answer.text[:200]}")
                with lock:
                    times.append(elapsed)

    threads = [threading.Thread(target=worker, args=(paths[n::clients],)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def serve_latency_3m() -> None:
    """Generate 3M COLAs, serve them, print p50/p95 per query kind at 1 and 8 clients vs the goals."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "analytics.duckdb"
        started = time.perf_counter()
        make_analytics(path)
        generated = time.perf_counter() - started
        with duckdb.connect(str(path), read_only=True) as con:
            [(count,)] = con.execute("select count(*) from serve.colas").fetchall()
            rng = random.Random(11)
            ids = [r[0] for r in con.execute("select ttb_id from serve.colas using sample 2000 rows").fetchall()]
            brands = [r[0] for r in con.execute("select brand_name from serve.colas using sample 2000 rows").fetchall()]
            permits = [r[0] for r in con.execute("select permit_number from marts.dim_company").fetchall()]
        port = free_port()
        server = subprocess.Popen([str(BIN / "ttb-cola"), "serve", "--duckdb", str(path), "--port", str(port)],
                                  cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    httpx.get(f"{base}/openapi.json", timeout=2)
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            kinds = {
                "lookup GET /colas/{id}": ([f"/colas/{rng.choice(ids)}" for _ in range(REQUESTS)], TARGET_LOOKUP_MS),
                "full text GET /colas?q=": ([f"/colas?q={rng.choice(brands).split()[rng.randint(0, 1)].lower()}"
                                             for _ in range(REQUESTS)], TARGET_SEARCH_MS),
                "permit GET /colas?permit=": ([f"/colas?permit={rng.choice(permits)}" for _ in range(REQUESTS)],
                                              None),
                # no query at all (the schema FastAPI caches): the floor the machine's load sets
                "floor GET /openapi.json": (["/openapi.json"] * REQUESTS, None),
            }
            print(f"serve on {count:,} generated COLAs (file and search index built in {generated:.0f} s)")
            for name, (paths, goal) in kinds.items():
                _run(base, paths[:10], 1)  # warm the server's caches
                for clients in (1, 8):
                    cpu_before = _cpu_ms(server.pid)
                    p50, p95 = _percentiles(_run(base, paths, clients))
                    cpu = (_cpu_ms(server.pid) - cpu_before) / len(paths)
                    ratio = f"  goal p95 <= {goal} ms: {p95 / goal:.2f}x" if goal else ""
                    print(f"  {name:28} {clients} client{'s' if clients > 1 else ' '}: p50 {p50:6.1f} ms  "
                          f"p95 {p95:6.1f} ms  server CPU {cpu:4.1f} ms/request{ratio}")
            print("  load average while measured: " + " ".join(f"{load:.1f}" for load in os.getloadavg()))
        finally:
            server.terminate()
            server.wait(timeout=30)


BENCHES = {"serve": serve_latency_3m}
