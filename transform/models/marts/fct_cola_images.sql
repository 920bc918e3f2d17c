-- One row per label image of a COLA (its position on the printable form): whether it is stored,
-- where (image_url: a URL, or a path; `ttb-cola publish` roots a relative path at the repo), its
-- format, size and content hash.
with

images as (

    select * from {{ ref('stg_ttb__cola_images') }}

),

final as (

    select
        label_image_id,
        ttb_id,
        image_position,
        image_type,
        filename,
        fetch_status,
        is_stored,
        image_sha256,
        image_bytes,
        image_format,
        file_extension,
        width_pixels,
        height_pixels,
        image_url,
        is_shared_with_previous,
        fetched_at
    from images

)

select * from final
