-- The completed-date index log: one row per completed date searched per crawl run, with the
-- registry's reported total, the rows listed and how the search ended (complete, partial, failed).
with

source as (

    -- only loads dlt completed: an unfinished load's files never reach a model. The table is
    -- created by the first run that searches (a warehouse filled by probing only has none).
    select *
    from {{ optional_source('ttb', 'crawl_searches', {
        'completed_date': 'date', 'run_id': 'varchar', 'reported_total': 'bigint', 'listed': 'bigint',
        'fetched': 'bigint', 'new': 'bigint', 'moved': 'bigint', 'exports': 'bigint', 'pages': 'bigint',
        'splits': 'bigint', 'requests': 'bigint', 'status': 'varchar', 'error': 'varchar',
        'started_at': 'timestamp with time zone', 'finished_at': 'timestamp with time zone',
        '_dlt_load_id': 'varchar', '_dlt_id': 'varchar'}) }}
    where {{ completed_loads() }}

),

deduplicated as (

    -- a run writes one row per completed date; a retried load may write it twice
    select *
    from source
    {{ one_row_per_run('completed_date') }}

),

renamed as (

    select
        strftime(completed_date, '%Y-%m-%d') || '@' || run_id as crawl_search_run_id,
        completed_date,
        run_id as crawl_run_id,
        lower(trim(status)) as search_status,
        reported_total,
        listed as rows_listed,
        fetched as colas_fetched,
        new as new_colas,
        moved as moved_colas,
        exports as export_count,
        pages as result_page_count,
        splits as split_count,
        requests as request_count,
        {{ clean_text('error') }} as last_error,
        started_at,
        finished_at,
        _dlt_load_id as dlt_load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at

    from deduplicated

)

select * from renamed
