-- One row per COLA x field read from its label images by `ttb-cola ocr` (abv_percent,
-- net_contents_ml, vintage_year, age_statement_years): the value, the image and text it came from,
-- the recogniser's confidence and the rule that read it. Empty until the first label is read.
with

source as (

    select *
    from {{ optional_source('ttb', 'cola_label_values', {
        'ttb_id': 'varchar', 'field': 'varchar', 'value': 'double', 'image_sha256': 'varchar',
        'position': 'bigint', 'source_text': 'varchar', 'confidence': 'double', 'rule': 'varchar',
        'engine': 'varchar', 'read_at': 'timestamp with time zone', '_dlt_load_id': 'varchar',
        '_dlt_id': 'varchar'}) }}

),

latest as (

    select *
    from source
    {{ latest_row('ttb_id, field', 'read_at') }}

),

renamed as (

    select
        field,
        value,
        image_sha256,
        source_text,
        confidence,
        rule as extraction_rule,
        engine as ocr_engine,
        read_at,
        position as image_position,
        trim(ttb_id) as ttb_id

    from latest

)

select * from renamed
