-- The completed-date index: at most one row, the gap-free run of completed dates whose latest
-- search is `complete` that ends at the latest complete date (index_end_date), and whether it
-- is current: every one of its dates was last searched no later than index_max_lag_days after
-- index_end_date (dbt var index_max_lag_days, default 2 in dbt_project.yml). Only a current index proves
-- that every COLA received on or after index_start_date is held (see fct_cola_signals).
with

searches as (

    select * from {{ ref('int_crawl_searches_latest') }}

),

complete_dates as (

    select
        completed_date,
        latest_finished_at,
        -- gaps and islands: consecutive complete dates share an island
        completed_date - cast(row_number() over (order by completed_date) as integer) as island
    from searches
    where latest_search_status = 'complete'

),

last_island_id as (

    select arg_max(island, completed_date) as island
    from complete_dates

),

last_island as (

    select complete_dates.*
    from complete_dates
    inner join last_island_id on complete_dates.island = last_island_id.island

),

final as (

    select
        min(completed_date) as index_start_date,
        max(completed_date) as index_end_date,
        count(*) as indexed_date_count,
        max(latest_finished_at) as last_search_finished_at,
        {{ var('index_max_lag_days') | int }} as index_max_lag_days,
        cast(timezone('UTC', max(latest_finished_at)) as date)
        <= max(completed_date) + {{ var('index_max_lag_days') | int }} as is_current
    from last_island
    having count(*) > 0

)

select * from final
