-- One row per GTIN read on the labels of more than one COLA (placeholder codes left out): how many
-- COLAs, brands and companies share it, over which approval dates, and the COLAs themselves.
with

gtins as (

    select * from {{ ref('int_cola_gtins') }}
    where not is_placeholder

),

colas as (

    select * from {{ ref('fct_cola_approvals') }}

),

joined as (

    select
        gtins.gtin,
        gtins.symbology,
        colas.ttb_id,
        colas.brand_key,
        colas.company_key,
        colas.approval_date
    from gtins
    inner join colas on gtins.ttb_id = colas.ttb_id

),

final as (

    select
        gtin,
        min(symbology) as symbology,
        count(distinct ttb_id) as cola_count,
        count(distinct brand_key) as brand_count,
        count(distinct company_key) as company_count,
        min(approval_date) as first_approval_date,
        max(approval_date) as last_approval_date,
        string_agg(ttb_id, ',' order by ttb_id) as ttb_ids
    from joined
    group by gtin
    having count(distinct ttb_id) > 1

)

select * from final
