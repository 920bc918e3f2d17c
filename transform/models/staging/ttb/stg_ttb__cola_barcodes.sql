-- One row per barcode read from a COLA's stored label image (UPC-A, UPC-E, EAN-13, EAN-8, ITF-14),
-- check digit validated, as GTIN-14; one row per COLA x image x GTIN (the latest read).
with

source as (

    select *
    from {{ optional_source('ttb', 'cola_barcodes', {
        'ttb_id': 'varchar', 'image_sha256': 'varchar', 'position': 'bigint', 'symbology': 'varchar',
        'gtin': 'varchar', 'raw_text': 'varchar', 'placeholder': 'boolean',
        'fetched_at': 'timestamp with time zone', '_dlt_load_id': 'varchar', '_dlt_id': 'varchar'}) }}

),

latest as (

    select *
    from source
    {{ latest_row('ttb_id, image_sha256, gtin', 'fetched_at') }}

),

renamed as (

    select
        image_sha256,
        symbology,
        gtin,
        raw_text,
        fetched_at,
        position as image_position,
        placeholder as is_placeholder,
        _dlt_load_id as dlt_load_id,
        trim(ttb_id) as ttb_id

    from latest

)

select * from renamed
