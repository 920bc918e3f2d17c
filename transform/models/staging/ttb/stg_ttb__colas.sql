-- One row per COLA: the latest load's row wins, so the model stays right when the destination
-- appends instead of merging. Rename, cast and clean only.
with

source as (

    -- only loads dlt completed: an unfinished load's files never reach a model
    select * from {{ source('ttb', 'colas') }}
    where {{ completed_loads() }}

),

latest_rows as (

    -- the winning row of each ttb_id, found on narrow rows and then semi-joined: much cheaper than
    -- sorting the whole wide table in a window
    select _dlt_id
    from source
    qualify row_number() over (
        partition by ttb_id
        order by try_cast(_dlt_load_id as double) desc, fetched_at desc nulls last, _dlt_id desc
    ) = 1

),

latest as (

    select source.*
    from source
    semi join latest_rows on source._dlt_id = latest_rows._dlt_id

),

renamed as (

    select
        -- identifiers
        trim(ttb_id) as ttb_id,
        receipt_date,
        receipt_method,
        sequence as receipt_sequence,
        {{ clean_text('vendor_code') }} as vendor_code,
        {{ clean_text('serial_number') }} as serial_number,
        {{ clean_text('previous_ttb_id') }} as previous_ttb_id,

        -- status and dates
        {{ upper_text('status') }} as status,
        approval_date,
        date_of_application as application_date,
        date_issued as issued_date,
        expiration_date,
        completed_date,

        -- product
        {{ upper_text('class_type_code') }} as class_type_code,
        {{ clean_text('class_type_description') }} as class_type_description,
        {{ upper_text('origin_code') }} as origin_code,
        {{ clean_text('origin_description') }} as origin_description,
        {{ clean_text('brand_name') }} as brand_name,
        {{ clean_text('fanciful_name') }} as fanciful_name,
        case {{ upper_text('type_of_product') }}
            when 'WINE' then 'Wine'
            when 'DISTILLED SPIRITS' then 'Distilled Spirits'
            when 'DISTILLED SPIRIT' then 'Distilled Spirits'
            when 'MALT BEVERAGE' then 'Malt Beverage'
            when 'MALT BEVERAGES' then 'Malt Beverage'
            else {{ clean_text('type_of_product') }}
        end as form_product_type,
        case {{ upper_text('source_of_product') }}
            when 'DOMESTIC' then 'Domestic'
            when 'IMPORTED' then 'Imported'
            else {{ clean_text('source_of_product') }}
        end as form_product_source,
        {{ clean_text('grape_varietals') }} as grape_varietals,
        {{ clean_text('wine_vintage') }} as wine_vintage,
        {{ clean_text('wine_appellation') }} as wine_appellation,
        {{ clean_text('formula') }} as formula,

        -- application
        -- JSON in DuckDB, JSON text (VARCHAR) in the Parquet lake: read both as JSON
        coalesce(cast(cast(type_of_application as json) as varchar[]), []) as application_types,
        {{ clean_text('for_sale_in') }} as for_sale_in,
        {{ clean_text('total_bottle_capacity') }} as total_bottle_capacity,
        {{ clean_text('qualifications') }} as qualifications,

        -- applicant
        upper(replace(trim(permit_number), ' ', '')) as permit_number,
        {{ clean_text('company_name') }} as company_name,
        {{ clean_text('address_street') }} as address_street,
        {{ clean_text('address_city') }} as address_city,
        {{ upper_text('address_state') }} as address_state,
        {{ clean_text('address_zip') }} as address_zip,
        coalesce(
            from_json(
                other_permits,
                '[{"permit_number": "VARCHAR", "company_name": "VARCHAR", "address_street": "VARCHAR",
                   "address_city": "VARCHAR", "address_state": "VARCHAR", "address_zip": "VARCHAR"}]'
            ),
            []
        ) as other_permits,
        {{ clean_text('dba_name') }} as dba_name,
        {{ clean_text('contact_name') }} as contact_name,
        {{ clean_text('phone') }} as phone,
        {{ clean_text('email') }} as email,

        -- provenance
        class_type_code is not null
        or origin_code is not null
        or type_of_product is not null
        or source_of_product is not null
        or date_of_application is not null as is_form_fetched,
        source_url,
        fetched_at,
        page_sha256,
        _dlt_load_id as dlt_load_id,
        _dlt_id as dlt_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at

    from latest

)

select * from renamed
