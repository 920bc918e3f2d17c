-- Leads: permits the latest List of Permittees holds that no COLA in the index is matched to, among the
-- permits that file labels (importers, distilled spirits plants, wine producers; wholesalers do not),
-- newest first (lead_rank 1 = most recently first seen).
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
        premises_city,
        premises_zip,
        premises_county,
        first_seen_date,
        is_new_permit,
        last_seen_date - first_seen_date as days_listed,
        row_number() over (order by first_seen_date desc, permit_number asc) as lead_rank
    from permittees
    where is_active and cola_count = 0 and permit_type_code in ('I', 'S', 'W')

)

select * from final
