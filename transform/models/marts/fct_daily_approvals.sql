-- Approvals per approval date x product type x domestic/imported.
with

colas as (

    select * from {{ ref('int_colas_enriched') }}
    where approval_date is not null

),

final as (

    select
        approval_date,
        product_type,
        product_source,
        md5(concat_ws('|', cast(approval_date as varchar), product_type, product_source)) as daily_approval_id,
        count(*) as cola_count,
        count(*) filter (where status = 'APPROVED') as active_cola_count,
        count(*) filter (where product_type_source = 'inferred') as inferred_product_type_count,
        count(*) filter (where product_source_source = 'inferred') as inferred_product_source_count,
        count(*) filter (where received_method = '001') as e_filed_count,
        count(distinct permit_number) as company_count,
        count(distinct brand_name_key) as brand_count,
        sum(label_image_count) as label_image_count,
        avg(days_to_approval) as avg_days_to_approval,
        median(days_to_approval) as median_days_to_approval,
        max(days_to_approval) as max_days_to_approval
    from colas
    group by approval_date, product_type, product_source

)

-- sum() of an integer is a hugeint in DuckDB; the contract publishes a bigint.
select * replace (cast(label_image_count as bigint) as label_image_count)
from final
