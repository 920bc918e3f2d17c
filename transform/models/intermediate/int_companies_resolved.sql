{{ config(materialized='table') }}
-- One row per permit number seen on a COLA (as the applicant's permit or as one of its other
-- plants): the latest name and address used with it (latest receipt date, then sequence, then
-- load; the applicant block beats an "other plant" entry of the same COLA), the permit type
-- from its prefix and the state in the number.
with

colas as (

    select * from {{ ref('int_colas_parsed') }}

),

prefixes as (

    select * from {{ ref('ttb_permit_prefixes') }}

),

applicants as (

    select
        permit_number,
        company_name,
        address_street,
        address_city,
        address_state,
        address_zip,
        received_date,
        receipt_sequence,
        loaded_at,
        1 as source_rank,
        true as is_applicant
    from colas
    where permit_number is not null

),

other_plants as (

    select
        upper(replace(trim(permit_number), ' ', '')) as permit_number,
        {{ clean_text('company_name') }} as company_name,
        {{ clean_text('address_street') }} as address_street,
        {{ clean_text('address_city') }} as address_city,
        {{ upper_text('address_state') }} as address_state,
        {{ clean_text('address_zip') }} as address_zip,
        received_date,
        receipt_sequence,
        loaded_at,
        0 as source_rank,
        false as is_applicant
    from (
        -- one row per other plant, its struct fields as columns
        select
            received_date,
            receipt_sequence,
            loaded_at,
            unnest(other_permits, recursive := true)  -- noqa: AL03
        from colas
        where other_permit_count > 0
    ) as plants
    where nullif(trim(permit_number), '') is not null

),

mentions as (

    select * from applicants
    union all
    select * from other_plants

),

latest as (

    select
        permit_number,
        arg_max(
            {
                'company_name': company_name,
                'address_street': address_street,
                'address_city': address_city,
                'address_state': address_state,
                'address_zip': address_zip
            },
            (company_name is not null, received_date, receipt_sequence, loaded_at, source_rank)
        ) as latest_details,
        count(*) filter (where is_applicant) as applicant_cola_count,
        count(*) filter (where not is_applicant) as other_plant_cola_count,
        count(distinct upper(company_name)) as distinct_name_count,
        min(received_date) as first_received_date,
        max(received_date) as last_received_date
    from mentions
    group by permit_number

),

parts as (

    select
        latest.*,
        string_split(latest.permit_number, '-') as segments
    from latest

),

typed as (

    select
        parts.*,
        coalesce(first_prefix.permit_prefix, second_prefix.permit_prefix) as permit_prefix,
        coalesce(first_prefix.permit_type, second_prefix.permit_type, 'Unknown') as permit_type,
        case
            when first_prefix.permit_prefix is not null then parts.segments[2]
            when second_prefix.permit_prefix is not null then parts.segments[1]
        end as state_segment
    from parts
    left join prefixes as first_prefix on parts.segments[1] = first_prefix.permit_prefix
    left join prefixes as second_prefix
        on
            parts.segments[2] = second_prefix.permit_prefix
            and first_prefix.permit_prefix is null

),

final as (

    select
        typed.permit_number,
        typed.permit_prefix,
        typed.permit_type,
        latest_details.company_name,
        latest_details.address_street,
        latest_details.address_city,
        latest_details.address_state,
        latest_details.address_zip,
        typed.applicant_cola_count,
        typed.other_plant_cola_count,
        typed.distinct_name_count,
        typed.first_received_date,
        typed.last_received_date,
        case when regexp_full_match(typed.state_segment, '[A-Z]{2}') then typed.state_segment end as permit_state
    from typed

)

select * from final
