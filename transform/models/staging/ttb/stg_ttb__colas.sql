-- One row per COLA we hold a page or a search listing of: its detail page, printable form and search
-- listing, each the latest load's row of its raw table (so refetching one page kind never erases
-- another's fields). A COLA only listed (no page fetched yet) has its listing's fields and NULL in
-- every page-only field; has_detail_page / is_form_fetched / has_pages say which pages we hold.
-- The detail page wins where both pages carry a field (its wording is the registry's record), the
-- form adds its codes, checkboxes and dates, the listing its completed date and, where no page has
-- them, codes and descriptions; the status is the one of the page fetched last, since a status
-- change refetches only the page that shows it. Rename, cast and clean only.
with

details as (

    select * from {{ ref('base_ttb__cola_details') }}

),

forms as (

    select * from {{ ref('base_ttb__cola_forms') }}

),

listings as (

    select * from {{ ref('base_ttb__cola_listings') }}

),

joined as (

    select
        details.vendor_code,
        forms.previous_ttb_id,
        forms.date_of_application,
        forms.date_issued,
        forms.expiration_date,
        listings.completed_date,
        listings.listed_at,
        forms.type_of_product,
        forms.source_of_product,
        forms.wine_appellation,
        forms.dba_name,
        coalesce(details.ttb_id, forms.ttb_id, listings.ttb_id) as ttb_id,
        coalesce(details.receipt_date, forms.receipt_date, listings.receipt_date) as receipt_date,
        coalesce(details.receipt_method, forms.receipt_method, listings.receipt_method) as receipt_method,
        coalesce(details.sequence, forms.sequence, listings.sequence) as receipt_sequence,
        coalesce(details.serial_number, forms.serial_number, listings.serial_number) as serial_number,
        case
            when forms.fetched_at > details.fetched_at then coalesce(forms.status, details.status)
            else coalesce(details.status, forms.status)
        end as status,
        coalesce(details.approval_date, forms.date_issued) as approval_date,
        coalesce(forms.class_type_code, listings.class_type_code) as class_type_code,
        coalesce(
            details.class_type_description, forms.class_type_description, listings.class_type_description
        ) as class_type_description,
        coalesce(forms.origin_code, listings.origin_code) as origin_code,
        coalesce(
            details.origin_description, forms.origin_description, listings.origin_description
        ) as origin_description,
        coalesce(details.brand_name, forms.brand_name, listings.brand_name) as brand_name,
        coalesce(details.fanciful_name, forms.fanciful_name, listings.fanciful_name) as fanciful_name,
        coalesce(details.grape_varietals, forms.grape_varietals) as grape_varietals,
        coalesce(details.wine_vintage, forms.wine_vintage) as wine_vintage,
        coalesce(details.formula, forms.formula) as formula,
        case
            when coalesce(cast(details.type_of_application as varchar), '[]') = '[]'
                then forms.type_of_application
            else details.type_of_application
        end as type_of_application,
        coalesce(details.for_sale_in, forms.for_sale_in) as for_sale_in,
        coalesce(details.total_bottle_capacity, forms.total_bottle_capacity) as total_bottle_capacity,
        coalesce(details.qualifications, forms.qualifications) as qualifications,
        coalesce(details.permit_number, forms.permit_number, listings.permit_number) as permit_number,
        coalesce(details.company_name, forms.company_name) as company_name,
        coalesce(details.address_street, forms.address_street) as address_street,
        coalesce(details.address_city, forms.address_city) as address_city,
        coalesce(details.address_state, forms.address_state) as address_state,
        coalesce(details.address_zip, forms.address_zip) as address_zip,
        case
            when coalesce(cast(details.other_permits as varchar), '[]') = '[]' then forms.other_permits
            else details.other_permits
        end as other_permits,
        coalesce(details.contact_name, forms.contact_name) as contact_name,
        coalesce(details.phone, forms.phone) as phone,
        coalesce(details.email, forms.email) as email,
        details.ttb_id is not null as has_detail_page,
        forms.ttb_id is not null as is_form_fetched,
        coalesce(details.source_url, forms.source_url) as source_url,
        coalesce(details.fetched_at, forms.fetched_at) as fetched_at,
        coalesce(details.page_sha256, forms.page_sha256) as page_sha256,
        -- the latest load that carried any of the COLA's rows
        case greatest(
            try_cast(details._dlt_load_id as double),
            try_cast(forms._dlt_load_id as double),
            try_cast(listings._dlt_load_id as double)
        )
            when try_cast(details._dlt_load_id as double) then details._dlt_load_id
            when try_cast(forms._dlt_load_id as double) then forms._dlt_load_id
            else listings._dlt_load_id
        end as _dlt_load_id,
        coalesce(details._dlt_id, forms._dlt_id, listings._dlt_id) as _dlt_id

    from details
    full outer join forms on details.ttb_id = forms.ttb_id
    full outer join listings on coalesce(details.ttb_id, forms.ttb_id) = listings.ttb_id

),

renamed as (

    select
        -- identifiers
        trim(ttb_id) as ttb_id,
        receipt_date,
        receipt_method,
        receipt_sequence,
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

        -- provenance: which pages we hold (none for a COLA only listed by the search)
        has_detail_page,
        is_form_fetched,
        has_detail_page or is_form_fetched as has_pages,
        listed_at,
        source_url,
        fetched_at,
        page_sha256,
        _dlt_load_id as dlt_load_id,
        _dlt_id as dlt_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at

    from joined

)

select * from renamed
