{{ config(materialized='table') }}
-- One row per COLA: staging plus the TTB ID parts, days to approval, label image counts,
-- application flags and the normalized natural keys of every dimension. A table: every mart
-- reads it, and it saves re-running the staging dedupe for each of them.
with

colas as (

    select * from {{ ref('stg_ttb__colas') }}

),

label_images as (

    select
        ttb_id,
        count(*) as label_image_count
    from {{ ref('stg_ttb__label_images') }}
    group by ttb_id

),

parsed as (

    select
        colas.*,
        {{ ttb_id_receipt_year('colas.ttb_id') }} as id_receipt_year,
        {{ ttb_id_receipt_day_of_year('colas.ttb_id') }} as id_receipt_day_of_year,
        {{ ttb_id_receipt_date('colas.ttb_id') }} as id_receipt_date,
        {{ ttb_id_receipt_method('colas.ttb_id') }} as id_receipt_method,
        {{ ttb_id_sequence('colas.ttb_id') }} as id_sequence,
        coalesce(label_images.label_image_count, 0) as label_image_count,
        len(colas.other_permits) as other_permit_count,
        list_contains(colas.application_types, 'LABEL APPROVAL') as is_label_approval,
        list_contains(colas.application_types, 'EXEMPTION') as is_exemption,
        list_contains(colas.application_types, 'DISTINCTIVE LIQUOR BOTTLE APPROVAL') as is_distinctive_bottle,
        list_contains(colas.application_types, 'RESUBMISSION AFTER REJECTION') as is_resubmission,
        {{ normalized_text('colas.class_type_description') }} as class_type_description_key,
        {{ normalized_text('colas.origin_description') }} as origin_description_key,
        {{ normalized_text('colas.brand_name') }} as brand_name_key
    from colas
    left join label_images on colas.ttb_id = label_images.ttb_id

),

final as (

    select
        *,
        -- the ID is the authority on when and how an application was received
        coalesce(id_receipt_date, receipt_date) as received_date,
        coalesce(id_receipt_method, receipt_method) as received_method,
        approval_date - coalesce(id_receipt_date, receipt_date) as days_to_approval
    from parsed

)

select * from final
