-- One row per public COLA (with or without its pages: the search listing's permit, brand, fanciful
-- name and class/type are enough): what it signals when it first becomes public (new_company,
-- new_brand, new_product, refile, other, or unknown), judged against every earlier-received COLA of
-- the same permit. "New" is only claimed when the COLA's receipt date lies in gap-free coverage,
-- and then reads "new since coverage_start_date". A receipt date is covered when every receipt
-- method of it was crawled (receipt partitions), or when it lies in the current completed-date
-- index (int_completed_date_index: every COLA received since its start whose status took effect
-- by its end was listed, since a COLA is completed on or after its receipt date). A COLA received
-- outside covered dates that has no earlier COLA to compare with is `unknown`, never guessed.
with

colas as (

    select * from {{ ref('int_colas_enriched') }}

),

coverage as (

    select * from {{ ref('fct_crawl_coverage') }}

),

-- a receipt date is covered when every receipt method of that date was crawled and its latest
-- crawl did not fail (an open crawl counts: it was probed, later approvals only add COLAs)
covered_dates as (

    select receipt_date
    from coverage
    group by receipt_date
    having bool_and(
        coverage_status in ('records', 'records_open', 'settled_no_public_colas', 'open_no_records_yet')
    )

),

-- every receipt date from the start to the end of the current completed-date index
indexed_dates as (

    select cast(unnest(generate_series(index_start_date, index_end_date, interval 1 day)) as date) as receipt_date
    from {{ ref('int_completed_date_index') }}
    where is_current

),

all_covered_dates as (

    select receipt_date from covered_dates
    union
    select receipt_date from indexed_dates

),

-- gaps and islands: consecutive covered dates share an island; its first date starts the coverage
islands as (

    select
        receipt_date,
        receipt_date - cast(row_number() over (order by receipt_date) as integer) as island
    from all_covered_dates

),

coverage_starts as (

    select
        receipt_date,
        min(receipt_date) over (partition by island) as coverage_start_date
    from islands

),

ranked as (

    select
        colas.ttb_id,
        colas.received_date,
        colas.received_method,
        colas.approval_date,
        colas.status,
        colas.permit_number,
        colas.company_name,
        colas.brand_name,
        colas.fanciful_name,
        colas.class_type_code,
        colas.class_type_description,
        colas.product_type,
        colas.completed_date,
        colas.has_pages,
        coverage_starts.coverage_start_date,
        coverage_starts.receipt_date is not null as is_receipt_date_covered,
        indexed_dates.receipt_date is not null as is_receipt_date_indexed,
        row_number() over (
            partition by colas.permit_number
            order by colas.received_date, colas.ttb_id
        ) as company_rank,
        row_number() over (
            partition by colas.permit_number, colas.brand_name_key
            order by colas.received_date, colas.ttb_id
        ) as brand_rank,
        row_number() over (
            partition by colas.permit_number, colas.brand_name_key, {{ normalized_text('colas.fanciful_name') }}
            order by colas.received_date, colas.ttb_id
        ) as product_rank,
        row_number() over (
            partition by
                colas.permit_number,
                colas.brand_name_key,
                {{ normalized_text('colas.fanciful_name') }},
                colas.class_type_key_text
            order by colas.received_date, colas.ttb_id
        ) as refile_rank
    from colas
    left join coverage_starts
        on colas.received_date = coverage_starts.receipt_date
    left join indexed_dates
        on colas.received_date = indexed_dates.receipt_date

),

final as (

    select
        ttb_id,
        received_date as receipt_date,
        received_method as receipt_method,
        approval_date,
        status,
        permit_number,
        company_name,
        brand_name,
        fanciful_name,
        class_type_code,
        class_type_description,
        product_type,
        completed_date,
        has_pages,
        coverage_start_date,
        is_receipt_date_covered,
        is_receipt_date_indexed,
        case
            when permit_number is null then 'unknown'
            when company_rank = 1 and is_receipt_date_covered then 'new_company'
            when company_rank = 1 then 'unknown'
            when brand_rank = 1 and is_receipt_date_covered then 'new_brand'
            when brand_rank = 1 then 'unknown'
            when product_rank = 1 and is_receipt_date_covered then 'new_product'
            when product_rank = 1 then 'unknown'
            when refile_rank > 1 then 'refile'
            else 'other'
        end as signal_type,
        case
            when permit_number is null then 'no permit number on the COLA'
            when
                (company_rank = 1 or brand_rank = 1 or product_rank = 1) and not is_receipt_date_covered
                then 'no earlier COLA found and the receipt date is neither crawled nor in the completed-date index'
        end as unknown_reason
    from ranked

)

select * from final
