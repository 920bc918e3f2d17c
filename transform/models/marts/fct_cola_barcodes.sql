-- One row per barcode read from a COLA's stored label image, as GTIN-14 and in the shorter forms it is
-- printed in (GTIN-8, -12, -13), so a code typed as printed finds its COLAs:
-- `where '15621894' in (gtin, gtin_8, gtin_12, gtin_13)`.
with

barcodes as (

    select * from {{ ref('stg_ttb__cola_barcodes') }}

),

final as (

    select
        ttb_id,
        image_sha256,
        image_position,
        symbology,
        gtin,
        {{ gtin_short_form('gtin', 8) }} as gtin_8,
        {{ gtin_short_form('gtin', 12) }} as gtin_12,
        {{ gtin_short_form('gtin', 13) }} as gtin_13,
        raw_text,
        is_placeholder,
        fetched_at
    from barcodes

)

select * from final
