-- Every receipt date x method that was crawled or holds COLA records has its coverage row, and
-- a row holding records is never marked empty: a gap in coverage is visible, never silent.
with

expected as (

    select
        receipt_date,
        receipt_method
    from {{ ref('stg_ttb__crawl_partitions') }}
    union
    select
        received_date,
        received_method
    from {{ ref('int_colas_parsed') }}

),

missing as (

    select
        expected.receipt_date,
        expected.receipt_method,
        'no coverage row' as problem
    from expected
    left join {{ ref('fct_crawl_coverage') }} as coverage
        on
            expected.receipt_date = coverage.receipt_date
            and expected.receipt_method = coverage.receipt_method
    where coverage.partition_key is null

),

contradictory as (

    select
        receipt_date,
        receipt_method,
        'records but marked empty, or empty without a reason' as problem
    from {{ ref('fct_crawl_coverage') }}
    where
        (cola_count > 0 and (is_empty or empty_reason is not null))
        or (cola_count = 0 and (not is_empty or empty_reason is null))

)

select * from missing
union all
select * from contradictory
