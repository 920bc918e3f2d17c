-- One row per crawled partition (receipt date x method): the outcome of its latest crawl run,
-- with how many runs crawled it.
with

runs as (

    select * from {{ ref('stg_ttb__crawl_partitions') }}

),

final as (

    select
        partition_key,
        receipt_date,
        receipt_method,
        crawl_run_id as latest_crawl_run_id,
        crawl_status as latest_crawl_status,
        ids_probed,
        colas_found,
        ids_not_found,
        error_count,
        highest_sequence,
        sequence_holes,
        last_error,
        finished_at as latest_finished_at,
        count(*) over (partition by partition_key) as crawl_run_count,
        min(started_at) over (partition by partition_key) as first_crawled_at,
        bool_or(crawl_status = 'settled') over (partition by partition_key) as was_ever_settled
    from runs
    qualify row_number() over (
        partition by partition_key order by finished_at desc, started_at desc, dlt_load_id desc
    ) = 1

)

select * from final
