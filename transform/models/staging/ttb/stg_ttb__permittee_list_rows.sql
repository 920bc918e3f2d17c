-- One row per permit per List of Permittees loaded (TTB's weekly FOIA list, all five per-type files):
-- the listed attributes cleaned, the ZIP kept as text, and a hash of the attributes the history compares.
-- A permit in two files of the same week keeps one row (the per-type file before the Puerto Rico one).
with

source as (

    select *
    from {{ optional_source('ttb', 'permittee_lists', {
        'permit_number': 'varchar', 'owner_name': 'varchar', 'operating_name': 'varchar', 'street': 'varchar',
        'city': 'varchar', 'state': 'varchar', 'premises_zip': 'varchar', 'premises_county': 'varchar',
        'industry_type': 'varchar', 'new_permit_flag': 'boolean', 'list_name': 'varchar', 'list_date': 'date',
        'row_number': 'bigint', 'fetched_at': 'timestamp with time zone'}) }}

),

renamed as (

    select
        upper(trim(permit_number)) as permit_number,
        {{ clean_text('owner_name') }} as owner_name,
        {{ clean_text('operating_name') }} as operating_name,
        {{ clean_text('street') }} as premises_street,
        {{ clean_text('city') }} as premises_city,
        {{ upper_text('state') }} as premises_state,
        {{ clean_text('premises_zip') }} as premises_zip,
        {{ clean_text('premises_county') }} as premises_county,
        {{ clean_text('industry_type') }} as industry_type,
        coalesce(new_permit_flag, false) as is_new_permit_flag,
        list_name,
        list_date,
        fetched_at
    from source

),

one_per_week as (

    select *
    from renamed
    qualify row_number() over (
        partition by permit_number, list_date order by list_name = 'puerto_rico' asc, list_name asc, fetched_at desc
    ) = 1

),

final as (

    select
        *,
        split_part(permit_number, '-', 1) as permit_state,
        split_part(permit_number, '-', 2) as permit_type_code,
        left(regexp_replace(coalesce(premises_zip, ''), '[^0-9]', '', 'g'), 5) as premises_zip5,
        md5(concat_ws(
            '|', coalesce(owner_name, ''), coalesce(operating_name, ''), coalesce(premises_street, ''),
            coalesce(premises_city, ''), coalesce(premises_state, ''), coalesce(premises_zip, ''),
            coalesce(premises_county, ''), coalesce(industry_type, '')
        )) as attributes_hash
    from one_per_week

)

select * from final
