-- The status history of every COLA, one row per status version (valid_from / valid_to), computed
-- from the append-only status log alone: rebuilt whole by every build, on any runner, from data
-- that lives in the destination. A COLA's state after each run that saw it is its latest status
-- (the page fetched last), approval, expiration and completed dates so far; a new version starts
-- when the status differs from the previous run's (the snapshot snp_cola_status_history's check
-- column): a date first becoming known (a completed date listed after the page was fetched) is no
-- change of status. A version carries the dates as of the run that started it.
with

status_log as (

    select * from {{ ref('stg_ttb__cola_status_log') }}

),

running as (

    -- the state as of each log row: the latest known value of each field up to it
    select
        ttb_id,
        crawl_run_id,
        last_value(status ignore nulls) over so_far as status,
        last_value(approval_date ignore nulls) over so_far as approval_date,
        last_value(expiration_date ignore nulls) over so_far as expiration_date,
        last_value(completed_date ignore nulls) over so_far as completed_date,
        count(*) filter (where page_kind != 'listing') over so_far as pages_seen,
        min(fetched_at) over (partition by ttb_id, crawl_run_id) as seen_at,
        row_number() over (
            partition by ttb_id, crawl_run_id order by fetched_at desc, page_kind desc
        ) as rows_after

    from status_log
    window so_far as (
        partition by ttb_id order by fetched_at, page_kind
        rows between unbounded preceding and current row
    )

),

run_states as (

    -- each run's last row: the COLA's state after the run; a COLA only listed, no page of it
    -- fetched yet, has no state (nor a row in stg_ttb__colas)
    select
        ttb_id,
        crawl_run_id,
        status,
        approval_date,
        expiration_date,
        completed_date,
        seen_at
    from running
    where rows_after = 1 and pages_seen > 0

),

previous as (

    select
        *,
        row_number() over by_run as run_number,
        lag(status) over by_run as previous_status
    from run_states
    window by_run as (partition by ttb_id order by seen_at)

),

changes as (

    select
        *,
        (run_number = 1 or status is distinct from previous_status) as is_change
    from previous

),

versions as (

    select
        ttb_id,
        status,
        approval_date,
        expiration_date,
        completed_date,
        crawl_run_id,
        seen_at as valid_from,
        row_number() over (partition by ttb_id order by seen_at) as version_number,
        lead(seen_at) over (partition by ttb_id order by seen_at) as valid_to
    from changes
    where is_change

)

select
    ttb_id,
    version_number,
    status,
    approval_date,
    expiration_date,
    completed_date,
    crawl_run_id as first_seen_crawl_run_id,
    cast(valid_from as timestamptz) as valid_from,
    cast(valid_to as timestamptz) as valid_to,
    ttb_id || '#' || version_number as status_version_key,
    valid_to is null as is_current
from versions
