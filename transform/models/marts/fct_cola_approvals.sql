-- One row per public COLA: keys to every dimension, status and when it took effect, dates, days
-- from receipt to approval, product type and domestic/imported (with whether they were read or
-- inferred), the number of label images, the GTINs read from its labels (bridge_cola_gtins), its
-- alcohol content, net contents, vintage and age statement (form or label) and product category.
-- A COLA only listed by the search (has_pages false) has its listing's fields and NULL page fields.
with

enriched as (

    select * from {{ ref('int_colas_enriched') }}

),

gtins as (

    select
        ttb_id,
        count(*) as gtin_count,
        min(gtin) as primary_gtin
    from {{ ref('int_cola_gtins') }}
    where not is_placeholder
    group by ttb_id

),

permittees as (

    {{ matched_permittees(['owner_name']) }}

),

contents as (

    select * from {{ ref('int_cola_contents') }}

),

categories as (

    select * from {{ ref('int_cola_categories') }}

),

colas as (

    select
        enriched.*,
        gtins.gtin_count,
        gtins.primary_gtin,
        permittees.permittee_permit_number,
        permittees.permittee_owner_name,
        permittees.permittee_match_method,
        permittees.permittee_match_confidence,
        contents.abv_percent,
        contents.abv_percent_source,
        contents.net_contents_ml,
        contents.net_contents_ml_source,
        contents.vintage_year,
        contents.vintage_year_source,
        contents.age_statement_years,
        categories.category_path,
        categories.category_rule
    from enriched
    left join gtins on enriched.ttb_id = gtins.ttb_id
    left join permittees on enriched.permit_number = permittees.permit_number
    left join contents on enriched.ttb_id = contents.ttb_id
    left join categories on enriched.ttb_id = categories.ttb_id

),

final as (

    select
        ttb_id,

        -- dimension keys
        received_date as receipt_date,
        approval_date,
        received_method as receipt_method,
        {{ dimension_key('permit_number') }} as company_key,
        {{ dimension_key('class_type_key_text') }} as class_type_key,
        {{ dimension_key('origin_key_text') }} as origin_key,
        {{ dimension_key('brand_name_key') }} as brand_key,

        -- attributes
        receipt_sequence,
        status,
        status = 'APPROVED' as is_active,
        -- when the current status took effect: the search list's completed date, else the
        -- approval date of a COLA still approved; unknown for a change no search has listed yet
        case
            when completed_date is not null then completed_date
            when status = 'APPROVED' then approval_date
        end as status_date,
        case
            when completed_date is not null then 'listing'
            when status = 'APPROVED' and approval_date is not null then 'approval_date'
        end as status_date_source,
        application_date,
        issued_date,
        expiration_date,
        product_type,
        product_type_source,
        product_source,
        product_source_source,
        permit_number,
        brand_name,
        fanciful_name,
        class_type_code,
        origin_code,
        vendor_code,
        serial_number,
        is_label_approval,
        is_exemption,
        is_distinctive_bottle,
        is_resubmission,
        for_sale_in,
        total_bottle_capacity,
        wine_vintage,
        wine_appellation,
        grape_varietals,
        formula is not null as has_formula,
        has_detail_page,
        is_form_fetched,
        has_pages,

        -- measures
        days_to_approval,
        approval_date - application_date as days_application_to_approval,
        label_image_count,
        other_permit_count,
        coalesce(gtin_count, 0) as gtin_count,
        primary_gtin,

        -- provenance
        fetched_at,
        loaded_at,
        dlt_load_id,

        -- the List of Permittees permit behind the COLA's permit (int_cola_permittees_matched)
        permittee_permit_number,
        permittee_owner_name,
        permittee_match_method,
        permittee_match_confidence,

        -- label contents: the form's items where its edition has them, else read from the labels
        abv_percent,
        abv_percent_source,
        net_contents_ml,
        net_contents_ml_source,
        vintage_year,
        vintage_year_source,
        age_statement_years,
        {{ dimension_key('category_path') }} as product_category_key,
        category_path as product_category_path,
        category_rule as product_category_rule
    from colas

)

select * from final
