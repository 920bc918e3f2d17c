-- One row per receipt date x receipt method in the crawled range (first to last receipt date
-- crawled or holding records, every method of dim_receipt_method): how many COLAs it holds
-- and, when none, why. A gap in coverage is a row marked `not_crawled`, never a missing row.
with

partitions as (

    select * from {{ ref('int_crawl_partitions_latest') }}

),

colas as (

    select
        received_date,
        received_method,
        count(*) as cola_count,
        max(receipt_sequence) as highest_sequence_loaded
    from {{ ref('int_colas_parsed') }}
    group by received_date, received_method

),

methods as (

    select receipt_method from {{ ref('dim_receipt_method') }}

),

bounds as (

    select
        min(receipt_date) as first_date,
        max(receipt_date) as last_date
    from (
        select receipt_date from partitions
        union all
        select received_date from colas
    ) as crawled_or_loaded

),

grid as (

    select cast(unnest(generate_series(bounds.first_date, bounds.last_date, interval 1 day)) as date) as receipt_date
    from bounds
    where bounds.first_date is not null

),

final as (

    select
        grid.receipt_date,
        methods.receipt_method,
        colas.highest_sequence_loaded,
        partitions.crawl_run_count,
        partitions.latest_crawl_run_id,
        partitions.latest_crawl_status,
        partitions.was_ever_settled,
        partitions.ids_probed,
        partitions.colas_found,
        partitions.ids_not_found,
        partitions.highest_sequence,
        partitions.sequence_holes,
        partitions.error_count,
        partitions.last_error,
        partitions.first_crawled_at,
        partitions.latest_finished_at,
        strftime(grid.receipt_date, '%Y-%m-%d') || '|' || methods.receipt_method as partition_key,
        coalesce(colas.cola_count, 0) as cola_count,
        partitions.partition_key is not null as is_crawled,
        coalesce(colas.cola_count, 0) = 0 as is_empty,
        case
            when coalesce(colas.cola_count, 0) > 0 and partitions.partition_key is null then 'records_not_crawled'
            when coalesce(colas.cola_count, 0) > 0 and partitions.latest_crawl_status = 'failed'
                then 'records_crawl_failed'
            when coalesce(colas.cola_count, 0) > 0 and partitions.latest_crawl_status = 'open' then 'records_open'
            when coalesce(colas.cola_count, 0) > 0 then 'records'
            when partitions.partition_key is null then 'not_crawled'
            when partitions.latest_crawl_status = 'failed' then 'crawl_failed'
            when partitions.latest_crawl_status = 'open' then 'open_no_records_yet'
            else 'settled_no_public_colas'
        end as coverage_status,
        case
            when coalesce(colas.cola_count, 0) > 0 then null
            when partitions.partition_key is null then 'never crawled: no crawl run covered this date and method'
            when partitions.latest_crawl_status = 'failed'
                then 'latest crawl failed: ' || coalesce(partitions.last_error, 'no error recorded')
            when partitions.latest_crawl_status = 'open'
                then 'crawl still open: no public COLA found yet (pending applications may appear later)'
            else 'crawl settled: no public COLA was received this day by this method'
        end as empty_reason
    from grid
    cross join methods
    left join partitions
        on
            grid.receipt_date = partitions.receipt_date
            and methods.receipt_method = partitions.receipt_method
    left join colas
        on
            grid.receipt_date = colas.received_date
            and methods.receipt_method = colas.received_method

)

select * from final
