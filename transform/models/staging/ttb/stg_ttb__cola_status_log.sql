-- The status log: one row per page fetched (detail page, printable form) or search list row, of
-- every run. Appended, never merged: the data the status history is computed from.
with

source as (

    -- only loads dlt completed: an unfinished load's files never reach a model
    select * from {{ source('ttb', 'cola_status_log') }}
    where {{ completed_loads() }}

),

deduplicated as (

    -- one row per fetch: a retried load may write a run's rows twice, and a reparse of an archive
    -- whose pages are stamped as fetched would repeat them; the first load's row is kept
    select *
    from source
    qualify row_number() over (
        partition by ttb_id, page_kind, fetched_at
        order by try_cast(_dlt_load_id as double), _dlt_id
    ) = 1

),

renamed as (

    select
        trim(ttb_id) as ttb_id,
        lower(trim(page_kind)) as page_kind,
        {{ upper_text('status') }} as status,
        approval_date,
        expiration_date,
        completed_date,
        fetched_at,
        run_id as crawl_run_id,
        _dlt_load_id as dlt_load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at

    from deduplicated

)

select * from renamed
