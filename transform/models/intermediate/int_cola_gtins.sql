-- One row per COLA and GTIN read from the label images the COLA holds now (a barcode of an image
-- since replaced at its position drops out), with the symbology and how many of its images show it.
with

barcodes as (

    select * from {{ ref('stg_ttb__cola_barcodes') }}

),

images as (

    select * from {{ ref('stg_ttb__cola_images') }}
    where is_stored

),

current_barcodes as (

    select barcodes.*
    from barcodes
    inner join images
        on
            barcodes.ttb_id = images.ttb_id
            and barcodes.image_position = images.image_position
            and barcodes.image_sha256 = images.image_sha256

),

final as (

    select
        ttb_id,
        gtin,
        min(symbology) as symbology,
        bool_or(is_placeholder) as is_placeholder,
        count(distinct image_position) as label_image_count,
        min(image_position) as first_image_position
    from current_barcodes
    group by ttb_id, gtin

)

select * from final
