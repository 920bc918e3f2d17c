-- The history of each permit's listed attributes (SCD type 2): one row per version, a version starting
-- when a permit first appears, when any listed attribute changes (an address change makes a version) and
-- when it reappears after being left out of a list. valid_to is the date of the first list that no longer
-- showed the version (changed or removed); NULL while the latest list shows it.
with

listed as (

    select * from {{ ref('stg_ttb__permittee_list_rows') }}

),

lists as (

    select
        list_date,
        row_number() over (order by list_date) as list_ordinal,
        lead(list_date) over (order by list_date) as next_list_date
    from (select distinct list_date from listed) as dates

),

ordered as (

    select
        listed.*,
        lists.list_ordinal,
        lag(listed.attributes_hash) over (partition by listed.permit_number order by listed.list_date) as previous_hash,
        lag(lists.list_ordinal) over (partition by listed.permit_number order by listed.list_date) as previous_ordinal
    from listed
    inner join lists on listed.list_date = lists.list_date

),

flagged as (

    select
        *,
        case
            when previous_hash is null then 1
            when previous_hash != attributes_hash or list_ordinal - previous_ordinal > 1 then 1
            else 0
        end as starts_version
    from ordered

),

numbered as (

    select
        *,
        cast(sum(starts_version) over (
            partition by permit_number order by list_date rows between unbounded preceding and current row
        ) as bigint) as version_number
    from flagged

),

versions as (

    select
        permit_number,
        version_number,
        min(list_date) as valid_from,
        max(list_date) as last_listed_date,
        max(list_ordinal) as last_list_ordinal,
        bool_or(is_new_permit_flag) as was_flagged_new,
        arg_max(owner_name, list_date) as owner_name,
        arg_max(operating_name, list_date) as operating_name,
        arg_max(premises_street, list_date) as premises_street,
        arg_max(premises_city, list_date) as premises_city,
        arg_max(premises_state, list_date) as premises_state,
        arg_max(premises_zip, list_date) as premises_zip,
        arg_max(premises_zip5, list_date) as premises_zip5,
        arg_max(premises_county, list_date) as premises_county,
        arg_max(industry_type, list_date) as industry_type,
        arg_max(list_name, list_date) as list_name,
        arg_max(permit_state, list_date) as permit_state,
        arg_max(permit_type_code, list_date) as permit_type_code,
        arg_max(attributes_hash, list_date) as attributes_hash
    from numbered
    group by permit_number, version_number

),

final as (

    select
        versions.permit_number,
        versions.version_number,
        versions.valid_from,
        lists.next_list_date as valid_to,
        versions.last_listed_date,
        versions.was_flagged_new,
        versions.owner_name,
        versions.operating_name,
        versions.premises_street,
        versions.premises_city,
        versions.premises_state,
        versions.premises_zip,
        versions.premises_zip5,
        versions.premises_county,
        versions.industry_type,
        versions.list_name,
        versions.permit_state,
        versions.permit_type_code,
        versions.attributes_hash,
        lists.next_list_date is null as is_current,
        md5(versions.permit_number || '|' || cast(versions.version_number as varchar)) as permittee_version_id
    from versions
    inner join lists on versions.last_list_ordinal = lists.list_ordinal

)

select * from final
