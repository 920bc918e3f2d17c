-- One row per COLA with an alcohol content, net contents, vintage or age statement: each value from
-- the printable form where its edition carries it (items 12, 13 and 15 before mid-2016; the vintage
-- also from the pages' wine vintage), else read from the label images by `ttb-cola ocr`, and which.
with

forms as (

    select
        ttb_id,
        {{ optional_column(ref('base_ttb__cola_forms'), 'abv_percent', 'double') }} as form_abv_percent,
        {{ optional_column(ref('base_ttb__cola_forms'), 'net_contents_ml', 'double') }} as form_net_contents_ml
    from {{ ref('base_ttb__cola_forms') }}

),

colas as (

    select
        enriched.ttb_id,
        forms.form_abv_percent,
        forms.form_net_contents_ml,
        case
            when regexp_full_match(trim(enriched.wine_vintage), '(19|20)[0-9]{2}')
                then cast(trim(enriched.wine_vintage) as integer)
        end as form_vintage_year
    from {{ ref('int_colas_enriched') }} as enriched
    left join forms on enriched.ttb_id = forms.ttb_id

),

labels as (

    select
        ttb_id,
        max(case when field = 'abv_percent' then value end) as label_abv_percent,
        max(case when field = 'net_contents_ml' then value end) as label_net_contents_ml,
        max(case when field = 'vintage_year' then cast(value as integer) end) as label_vintage_year,
        max(case when field = 'age_statement_years' then cast(value as integer) end) as label_age_statement_years
    from {{ ref('stg_ttb__cola_label_values') }}
    group by ttb_id

),

final as (

    select
        colas.ttb_id,
        labels.label_age_statement_years as age_statement_years,
        coalesce(colas.form_abv_percent, labels.label_abv_percent) as abv_percent,
        case
            when colas.form_abv_percent is not null then 'form'
            when labels.label_abv_percent is not null then 'label'
        end as abv_percent_source,
        coalesce(colas.form_net_contents_ml, labels.label_net_contents_ml) as net_contents_ml,
        case
            when colas.form_net_contents_ml is not null then 'form'
            when labels.label_net_contents_ml is not null then 'label'
        end as net_contents_ml_source,
        coalesce(colas.form_vintage_year, labels.label_vintage_year) as vintage_year,
        case
            when colas.form_vintage_year is not null then 'form'
            when labels.label_vintage_year is not null then 'label'
        end as vintage_year_source
    from colas
    left join labels on colas.ttb_id = labels.ttb_id
    where
        coalesce(colas.form_abv_percent, colas.form_net_contents_ml, colas.form_vintage_year) is not null
        or labels.ttb_id is not null

)

select * from final
