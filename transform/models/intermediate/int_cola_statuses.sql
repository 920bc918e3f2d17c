-- The status of each COLA as of the latest load: the relation the status-history snapshot tracks.
select
    ttb_id,
    status,
    approval_date,
    expiration_date,
    completed_date,
    fetched_at,
    dlt_load_id,
    loaded_at
from {{ ref('stg_ttb__colas') }}
