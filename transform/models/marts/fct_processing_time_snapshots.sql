-- TTB's published processing times as taken each day (TTB keeps no history of them): one row per
-- snapshot day, kind (label, formula) and category, with the product type a label commodity stands for.
with

snapshots as (

    select * from {{ ref('stg_ttb__processing_time_snapshots') }}

),

final as (

    select
        snapshot_date,
        snapshot_kind,
        category,
        processing_days,
        processing_through_date,
        published_at_text,
        fetched_at,
        cast(date_trunc('week', snapshot_date) as date) as snapshot_week_start,
        md5(concat_ws('|', cast(snapshot_date as varchar), snapshot_kind, category)) as processing_time_snapshot_id,
        case
            when upper(category) in ('DS', 'DISTILLED SPIRIT FORMULAS') then 'Distilled Spirits'
            when upper(category) in ('MB', 'MALT BEVERAGE FORMULAS') then 'Malt Beverage'
            when upper(category) in ('WINE', 'WINE FORMULAS') then 'Wine'
        end as product_type
    from snapshots

)

select * from final
