-- The four receipt methods of a TTB ID (from the ttb_receipt_methods seed).
select
    receipt_method,
    receipt_method_name,
    is_electronic,
    description as receipt_method_description
from {{ ref('ttb_receipt_methods') }}
