-- One row per COLA and GTIN (UPC/EAN/ITF-14 read from its label images, as GTIN-14): the bridge
-- from fct_cola_approvals to trade item numbers, with how many COLAs share each GTIN, and the GTIN in
-- its printed forms (GTIN-8, -12, -13) for a lookup of a code as printed.
with

gtins as (

    select * from {{ ref('int_cola_gtins') }}

),

final as (

    select
        ttb_id,
        gtin,
        {{ gtin_short_form('gtin', 8) }} as gtin_8,
        {{ gtin_short_form('gtin', 12) }} as gtin_12,
        {{ gtin_short_form('gtin', 13) }} as gtin_13,
        symbology,
        is_placeholder,
        label_image_count,
        first_image_position,
        count(*) over (partition by gtin) as cola_count
    from gtins

)

select * from final
