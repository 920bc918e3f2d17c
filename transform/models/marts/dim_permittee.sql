-- One row per permit ever listed in TTB's List of Permittees: its latest listed owner and operating
-- names, premises and industry type, whether the latest list holds it, when it was first and last seen
-- and last changed, whether it was a new permit when first seen, and the COLAs matched to it.
with

versions as (

    select * from {{ ref('int_permittee_versions') }}

),

lists as (

    select
        min(list_date) as first_list_date,
        max(list_date) as latest_list_date
    from {{ ref('stg_ttb__permittee_list_rows') }}

),

issued as (

    select
        permit_number,
        min(list_date) as issued_list_date
    from {{ ref('stg_ttb__permittee_new_permits') }}
    group by permit_number

),

colas as (

    select
        permittee_matches.permittee_permit_number,
        count(*) as cola_count,
        min(enriched.received_date) as first_cola_receipt_date,
        arg_min(enriched.ttb_id, enriched.received_date) as first_cola_ttb_id,
        arg_min(enriched.approval_date, enriched.received_date) as first_cola_approval_date,
        max(enriched.received_date) as last_cola_receipt_date
    from {{ ref('int_colas_enriched') }} as enriched
    inner join {{ ref('int_cola_permittees_matched') }} as permittee_matches
        on enriched.permit_number = permittee_matches.permit_number
    group by permittee_matches.permittee_permit_number

),

permits as (

    select
        permit_number,
        min(valid_from) as first_seen_date,
        max(last_listed_date) as last_seen_date,
        max(valid_from) as last_changed_date,
        count(*) as version_count,
        arg_min(was_flagged_new, version_number) as first_seen_flagged_new
    from versions
    group by permit_number

),

latest as (

    select * from versions
    qualify row_number() over (partition by permit_number order by version_number desc) = 1

),

final as (

    select
        {{ dimension_key('latest.permit_number') }} as permittee_key,
        latest.permit_number,
        latest.owner_name,
        latest.operating_name,
        latest.premises_street,
        latest.premises_city,
        latest.premises_state,
        latest.premises_zip,
        latest.premises_county,
        latest.industry_type,
        latest.permit_type_code,
        latest.permit_state,
        latest.list_name,
        permits.last_seen_date = lists.latest_list_date as is_active,
        permits.first_seen_date,
        permits.last_seen_date,
        permits.last_changed_date,
        permits.version_count,
        coalesce(
            permits.first_seen_flagged_new
            or issued.issued_list_date is not null
            or permits.first_seen_date > lists.first_list_date,
            false
        ) as is_new_permit,
        coalesce(colas.cola_count, 0) as cola_count,
        colas.first_cola_ttb_id,
        colas.first_cola_receipt_date,
        colas.first_cola_approval_date,
        colas.last_cola_receipt_date
    from latest
    inner join permits on latest.permit_number = permits.permit_number
    cross join lists
    left join issued on latest.permit_number = issued.permit_number
    left join colas on latest.permit_number = colas.permittee_permit_number

)

select * from final
