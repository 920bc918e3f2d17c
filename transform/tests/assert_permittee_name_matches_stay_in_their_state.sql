-- A producer matched by name to a List of Permittees permit is never matched across states: the COLA's
-- address state (else its permit's state) is the permit's premises state.
select
    matches.permit_number,
    matches.permittee_permit_number
from {{ ref('int_cola_permittees_matched') }} as matches
inner join {{ ref('int_companies_resolved') }} as companies on matches.permit_number = companies.permit_number
inner join {{ ref('dim_permittee') }} as permittees on matches.permittee_permit_number = permittees.permit_number
where
    matches.match_method != 'importer_permit_exact'
    and coalesce(companies.address_state, companies.permit_state) != permittees.premises_state
