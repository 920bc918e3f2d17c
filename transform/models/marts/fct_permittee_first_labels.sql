-- Signal: a new permittee's first label. One row per permit that was new when the List of Permittees
-- first showed it and whose first matched COLA in the index was received on or after that date, with
-- the lag in days from first listed to that COLA's receipt.
with

permittees as (

    select * from {{ ref('dim_permittee') }}

),

final as (

    select
        permittee_key,
        permit_number,
        owner_name,
        operating_name,
        industry_type,
        premises_state,
        first_seen_date,
        first_cola_ttb_id,
        first_cola_receipt_date,
        first_cola_approval_date,
        first_cola_receipt_date - first_seen_date as days_permit_to_first_cola
    from permittees
    where is_new_permit and first_cola_receipt_date >= first_seen_date

)

select * from final
