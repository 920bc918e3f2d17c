-- No COLA is approved before the day its application was received (the receipt date is the
-- one encoded in the TTB ID).
select
    ttb_id,
    receipt_date,
    approval_date,
    days_to_approval
from {{ ref('fct_cola_approvals') }}
where approval_date < receipt_date
