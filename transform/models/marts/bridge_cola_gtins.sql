-- One row per COLA and GTIN (UPC/EAN/ITF-14 read from its label images, as GTIN-14): the bridge
-- from fct_cola_approvals to trade item numbers, with how many COLAs share each GTIN.
with

gtins as (

    select * from {{ ref('int_cola_gtins') }}

),

final as (

    select
        ttb_id,
        gtin,
        symbology,
        is_placeholder,
        label_image_count,
        first_image_position,
        count(*) over (partition by gtin) as cola_count
    from gtins

)

select * from final
