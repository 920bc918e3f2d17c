-- One row per permit number (plus the "(unknown)" member for COLAs without one): the latest
-- name and address used with the permit, its type from the prefix, and its state; the List of Permittees
-- permit matched to it (int_cola_permittees_matched), its owner and how it was matched.
with

companies as (

    select * from {{ ref('int_companies_resolved') }}

),

permittees as (

    {{ matched_permittees(['owner_name', 'operating_name']) }}

),

prefixes as (

    select * from {{ ref('ttb_permit_prefixes') }}

),

final as (

    select
        {{ dimension_key('companies.permit_number') }} as company_key,
        companies.permit_number,
        companies.permit_prefix,
        companies.permit_type,
        prefixes.permit_type_description,
        companies.permit_state,
        companies.company_name,
        companies.address_street,
        companies.address_city,
        companies.address_state,
        companies.address_zip,
        coalesce(companies.address_state, companies.permit_state) as state_code,
        companies.applicant_cola_count,
        companies.other_plant_cola_count,
        companies.distinct_name_count,
        companies.first_received_date,
        companies.last_received_date,
        permittees.permittee_permit_number,
        permittees.permittee_owner_name,
        permittees.permittee_operating_name,
        permittees.permittee_match_method,
        permittees.permittee_match_confidence
    from companies
    left join prefixes on companies.permit_prefix = prefixes.permit_prefix
    left join permittees on companies.permit_number = permittees.permit_number

    union all

    select
        {{ dimension_key('null') }} as company_key,
        null as permit_number,
        null as permit_prefix,
        'Unknown' as permit_type,
        'COLAs whose permit number was not captured' as permit_type_description,
        null as permit_state,
        '(unknown)' as company_name,
        null as address_street,
        null as address_city,
        null as address_state,
        null as address_zip,
        null as state_code,
        0 as applicant_cola_count,
        0 as other_plant_cola_count,
        0 as distinct_name_count,
        null as first_received_date,
        null as last_received_date,
        null as permittee_permit_number,
        null as permittee_owner_name,
        null as permittee_operating_name,
        null as permittee_match_method,
        null as permittee_match_confidence

)

select * from final
