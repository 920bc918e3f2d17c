-- One row per permit per "issued since the last publication" file loaded: the permits TTB issued in
-- the week before each List of Permittees.
with

source as (

    select *
    from {{ optional_source('ttb', 'permittee_new_permits', {
        'permit_number': 'varchar', 'owner_name': 'varchar', 'industry_type': 'varchar', 'state': 'varchar',
        'list_date': 'date', 'fetched_at': 'timestamp with time zone'}) }}

),

final as (

    select
        upper(trim(permit_number)) as permit_number,
        {{ clean_text('owner_name') }} as owner_name,
        {{ clean_text('industry_type') }} as industry_type,
        {{ upper_text('state') }} as premises_state,
        list_date
    from source
    qualify row_number() over (partition by upper(trim(permit_number)), list_date order by fetched_at desc) = 1

)

select * from final
