-- The status log: one row per page fetched (detail page, printable form) or search list row, of
-- every run. Appended, never merged: the data the status history is computed from.
with

logged as (

    -- only loads dlt completed: an unfinished load's files never reach a model
    select
        ttb_id,
        page_kind,
        status,
        approval_date,
        expiration_date,
        completed_date,
        fetched_at,
        run_id,
        _dlt_load_id,
        _dlt_id,
        0 as source_rank
    from {{ source('ttb', 'cola_status_log') }}
    where {{ completed_loads() }}

),

latest_pages as (

    -- each COLA's latest page of each kind as the merged page tables hold it: the same fetch as a
    -- row of the log (dropped below), except in a warehouse loaded before the log existed, whose
    -- COLAs so get their current state as their first version
    select
        ttb_id,
        'detail' as page_kind,
        status,
        approval_date,
        cast(null as date) as expiration_date,
        cast(null as date) as completed_date,
        fetched_at,
        'load-' || _dlt_load_id as run_id,
        _dlt_load_id,
        _dlt_id,
        1 as source_rank
    from {{ ref('base_ttb__cola_details') }}
    union all
    select
        ttb_id,
        'form' as page_kind,
        status,
        date_issued as approval_date,
        expiration_date,
        cast(null as date) as completed_date,
        fetched_at,
        'load-' || _dlt_load_id as run_id,
        _dlt_load_id,
        _dlt_id,
        1 as source_rank
    from {{ ref('base_ttb__cola_forms') }}
    union all
    select
        ttb_id,
        'listing' as page_kind,
        cast(null as varchar) as status,
        cast(null as date) as approval_date,
        cast(null as date) as expiration_date,
        completed_date,
        listed_at as fetched_at,
        'load-' || _dlt_load_id as run_id,
        _dlt_load_id,
        _dlt_id,
        1 as source_rank
    from {{ ref('base_ttb__cola_listings') }}

),

combined as (

    select * from logged
    union all
    select * from latest_pages

),

deduplicated as (

    -- one row per fetch: a retried load may write a run's rows twice, a reparse of an archive
    -- whose pages are stamped as fetched repeats them, and the page tables repeat each latest
    -- fetch; the log's row of the first load is kept
    select *
    from combined
    qualify row_number() over (
        partition by ttb_id, page_kind, fetched_at
        order by source_rank, try_cast(_dlt_load_id as double), _dlt_id
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
