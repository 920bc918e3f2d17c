-- One row per label image of a COLA as the crawl or `ttb-cola images` last fetched it: verified and stored
-- (content-addressed by sha256), or unavailable/invalid; the latest load wins per position.
with

source as (

    select *
    from {{ optional_source('ttb', 'cola_images', {
        'ttb_id': 'varchar', 'position': 'bigint', 'image_type': 'varchar', 'filename': 'varchar',
        'status': 'varchar', 'sha256': 'varchar', 'bytes': 'bigint', 'format': 'varchar',
        'extension': 'varchar', 'width_px': 'bigint', 'height_px': 'bigint', 'image_url': 'varchar',
        'shared_with_previous': 'boolean', 'mixups': 'bigint', 'requests': 'bigint', 'detail': 'varchar',
        'fetched_at': 'timestamp with time zone', '_dlt_load_id': 'varchar', '_dlt_id': 'varchar'}) }}

),

latest as (

    select *
    from source
    {{ latest_row('ttb_id, position', 'fetched_at') }}

),

renamed as (

    select
        trim(ttb_id) || '-' || cast(position as varchar) as label_image_id,
        trim(ttb_id) as ttb_id,
        position as image_position,
        {{ clean_text('image_type') }} as image_type,
        {{ clean_text('filename') }} as filename,
        status as fetch_status,
        status = 'stored' as is_stored,
        sha256 as image_sha256,
        bytes as image_bytes,
        format as image_format,
        extension as file_extension,
        width_px as width_pixels,
        height_px as height_pixels,
        image_url,
        shared_with_previous as is_shared_with_previous,
        mixups as mixups_discarded,
        requests as request_count,
        detail as fetch_detail,
        fetched_at,
        _dlt_load_id as dlt_load_id,
        {{ dlt_load_time('_dlt_load_id') }} as loaded_at

    from latest

)

select * from renamed
