-- TTB's published processing times, one row per snapshot day and row of the file: label applications
-- (cola_stats.xml, by commodity) and formulas (form_stats.csv, by application type). Loads append at most
-- once a day; a day loaded twice (state lost) keeps its latest load.
with

labels as (

    select *
    from {{ optional_source('ttb', 'processing_time_snapshots', {
        'snapshot_date': 'date', 'commodity': 'varchar', 'median_days': 'bigint',
        'processing_received_date': 'date', 'generated_at_text': 'varchar', 'fetched_at': 'timestamp with time zone',
        '_dlt_load_id': 'varchar'}) }}

),

formulas as (

    select *
    from {{ optional_source('ttb', 'formula_processing_time_snapshots', {
        'snapshot_date': 'date', 'application_type': 'varchar', 'processing_days': 'bigint',
        'processing_new_text': 'varchar', 'processing_new_date': 'date', 'created_text': 'varchar',
        'fetched_at': 'timestamp with time zone', '_dlt_load_id': 'varchar'}) }}

),

unioned as (

    select
        snapshot_date,
        'label' as snapshot_kind,
        trim(commodity) as category,
        median_days as processing_days,
        processing_received_date as processing_through_date,
        generated_at_text as published_at_text,
        fetched_at,
        _dlt_load_id as dlt_load_id
    from labels

    union all

    select
        snapshot_date,
        'formula' as snapshot_kind,
        trim(application_type) as category,
        processing_days,
        processing_new_date as processing_through_date,
        created_text as published_at_text,
        fetched_at,
        _dlt_load_id as dlt_load_id
    from formulas

),

final as (

    select *
    from unioned
    qualify row_number() over (
        partition by snapshot_date, snapshot_kind, category order by dlt_load_id desc
    ) = 1

)

select * from final
