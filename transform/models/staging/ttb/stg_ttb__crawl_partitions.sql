-- The crawl log: one row per partition (receipt date x method) per crawl run.
with

source as (

    -- only loads dlt completed: an unfinished load's files never reach a model
    select * from {{ source('ttb', 'crawl_partitions') }}
    where {{ completed_loads() }}

),

deduplicated as (

    -- a run writes one row per partition; a retried load may write it twice
    select *
    from source
    {{ one_row_per_run('partition_key') }}

),

renamed as (

    select
        partition_key || '@' || run_id as crawl_partition_run_id,
        partition_key,
        receipt_date,
        receipt_method,
        run_id as crawl_run_id,
        lower(trim(status)) as crawl_status,
        probed as ids_probed,
        found as colas_found,
        not_found as ids_not_found,
        retried as ids_retried,
        requests as request_count,
        errors as error_count,
        highest_sequence,
        holes as sequence_holes,
        {{ clean_text('error') }} as last_error,
        started_at,
        finished_at,
        _dlt_load_id as dlt_load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at

    from deduplicated

)

select * from renamed
