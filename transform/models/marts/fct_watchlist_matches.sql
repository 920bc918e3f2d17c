-- One row per watchlist entry x matching COLA. An entry (seed `watchlist`) matches a COLA when
-- every criterion it gives matches: brand, company name, permit number, class/type (code or
-- description) and origin (code or description), case-insensitively, `%` matching any run of
-- characters as on the registry's own search (`_` is literal).
with

entries as (

    select * from {{ ref('watchlist') }}

),

colas as (

    select * from {{ ref('int_colas_enriched') }}

),

final as (

    select
        entries.entry_name,
        colas.ttb_id,
        colas.received_date as receipt_date,
        colas.approval_date,
        colas.status,
        colas.permit_number,
        colas.company_name,
        colas.brand_name,
        colas.fanciful_name,
        colas.class_type_code,
        colas.class_type_description,
        colas.origin_code,
        colas.origin_description,
        colas.product_type,
        colas.completed_date,
        colas.has_pages,
        md5(entries.entry_name || '|' || colas.ttb_id) as watchlist_match_id
    from entries
    inner join colas
        on
            (entries.brand_name is null or {{ watchlist_match('colas.brand_name', 'entries.brand_name') }})
            and (entries.company_name is null or {{ watchlist_match('colas.company_name', 'entries.company_name') }})
            and (
                entries.permit_number is null
                or {{ watchlist_match('colas.permit_number', 'entries.permit_number') }}
            )
            and (
                entries.class_type is null
                or {{ watchlist_match('colas.class_type_code', 'entries.class_type') }}
                or {{ watchlist_match('colas.class_type_description', 'entries.class_type') }}
            )
            and (
                entries.origin is null
                or {{ watchlist_match('colas.origin_code', 'entries.origin') }}
                or {{ watchlist_match('colas.origin_description', 'entries.origin') }}
            )

)

select * from final
