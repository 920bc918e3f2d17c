-- One row per COLA x label image read by `ttb-cola ocr`: the recognised lines (JSON: text,
-- confidence, box) and their texts joined by spaces, the engine and its version. Empty until the first
-- label is read.
with

source as (

    select *
    from {{ optional_source('ttb', 'cola_label_text', {
        'ttb_id': 'varchar', 'image_sha256': 'varchar', 'position': 'bigint', 'image_type': 'varchar',
        'lines': 'json', 'line_count': 'bigint', 'engine': 'varchar', 'engine_version': 'varchar',
        'reused': 'boolean', 'read_at': 'timestamp with time zone', '_dlt_load_id': 'varchar',
        '_dlt_id': 'varchar'}) }}

),

latest as (

    select *
    from source
    {{ latest_row('ttb_id, image_sha256', 'read_at') }}

),

renamed as (

    select
        image_sha256,
        image_type,
        line_count,
        engine as ocr_engine,
        engine_version as ocr_engine_version,
        reused as is_reused,
        read_at,
        position as image_position,
        cast(lines as json) as lines_json,
        trim(ttb_id) as ttb_id,
        array_to_string(json_extract_string(cast(lines as json), '$[*].text'), ' ') as label_text

    from latest

)

select * from renamed
