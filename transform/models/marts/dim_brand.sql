-- One row per brand name (upper-cased, whitespace collapsed; plus "(unknown)"), with its
-- first and latest approvals and how many companies used it.
with

colas as (

    select * from {{ ref('int_colas_enriched') }}

),

brands as (

    select
        brand_name_key,
        {{ stable_mode('brand_name') }} as brand_name,
        count(*) as cola_count,
        count(distinct permit_number) as company_count,
        {{ stable_mode('product_type') }} as main_product_type,
        min(approval_date) as first_approval_date,
        max(approval_date) as last_approval_date
    from colas
    group by brand_name_key

),

final as (

    select
        {{ dimension_key('brand_name_key') }} as brand_key,
        coalesce(brand_name, '(unknown)') as brand_name,
        cola_count,
        company_count,
        main_product_type,
        first_approval_date,
        last_approval_date
    from brands

    union all

    -- the unknown member, unless a COLA without a brand already created it
    select
        {{ dimension_key('null') }} as brand_key,
        '(unknown)' as brand_name,
        0 as cola_count,
        0 as company_count,
        'Unknown' as main_product_type,
        null as first_approval_date,
        null as last_approval_date
    where not exists (
        select 1 from brands
        where brand_name_key is null
    )

)

select * from final
