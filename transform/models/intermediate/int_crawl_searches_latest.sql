-- One row per completed date searched: the outcome of its latest search run, with how many runs
-- searched it.
with

runs as (

    select * from {{ ref('stg_ttb__crawl_searches') }}

),

final as (

    select
        completed_date,
        crawl_run_id as latest_crawl_run_id,
        search_status as latest_search_status,
        reported_total,
        rows_listed,
        last_error,
        finished_at as latest_finished_at,
        count(*) over (partition by completed_date) as search_run_count
    from runs
    qualify row_number() over (
        partition by completed_date order by finished_at desc, started_at desc, dlt_load_id desc
    ) = 1

)

select * from final
