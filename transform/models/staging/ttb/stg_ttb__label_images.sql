-- One row per label image of a COLA: only the images of the latest load that carried the COLA
-- (each form fetch carries the COLA's whole image list), one row per position. The lake upserts on
-- (ttb_id, position), so a refetched form with fewer images leaves older positions behind: dropped
-- here. No filter on completed loads: a merged row replaced the one before it, so hiding it would
-- hide the COLA's images.
with

source as (

    select * from {{ source('ttb', 'cola_label_images') }}

),

latest as (

    select *
    from source
    qualify
        dense_rank() over (partition by ttb_id order by try_cast(_dlt_load_id as double) desc) = 1
        and row_number() over (
            partition by ttb_id, position order by try_cast(_dlt_load_id as double) desc, _dlt_id desc
        ) = 1

),

renamed as (

    select
        trim(ttb_id) || '-' || cast(position as varchar) as label_image_id,
        trim(ttb_id) as ttb_id,
        position as image_position,
        {{ clean_text('image_type') }} as image_type,
        {{ clean_text('filename') }} as filename,
        width_in as width_inches,
        height_in as height_inches,
        width_in * height_in as area_square_inches,
        _dlt_load_id as dlt_load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at

    from latest

)

select * from renamed
