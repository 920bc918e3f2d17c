-- One row per COLA: its product category path by the first matching rule of product_category_rules
-- (product type, class/type code, and the words of its class/type description, brand, fanciful name
-- and label text read by `ttb-cola ocr`), and the rule that fired.
-- A table, unlike the other intermediate models: each rule's pattern is a column, so DuckDB compiles it
-- again for every COLA it is tried on, the costliest step of a build; built once, its tests and the two
-- marts that read it (dim_product_category, fct_cola_approvals) read the result.
{{ config(materialized='table') }}

with

colas as (

    select
        ttb_id,
        product_type,
        class_type_code,
        upper(concat_ws(' ', class_type_description, brand_name, fanciful_name)) as page_text
    from {{ ref('int_colas_enriched') }}

),

label_text as (

    select
        ttb_id,
        upper(string_agg(label_text, ' ' order by image_position)) as label_text
    from {{ ref('stg_ttb__cola_label_text') }}
    group by ttb_id

),

rules as (

    select * from {{ ref('product_category_rules') }}

),

texts as (

    select
        colas.ttb_id,
        colas.product_type,
        colas.class_type_code,
        concat_ws(' ', colas.page_text, label_text.label_text) as search_text
    from colas
    left join label_text on colas.ttb_id = label_text.ttb_id

),

matched as (

    select
        texts.ttb_id,
        rules.category_path,
        rules.rule as category_rule
    from texts
    inner join rules
        on
            (rules.product_type is null or texts.product_type = rules.product_type)
            and (
                rules.class_type_pattern is null
                or regexp_matches(coalesce(texts.class_type_code, ''), rules.class_type_pattern)
            )
            and (rules.text_pattern is null or regexp_matches(texts.search_text, rules.text_pattern))
    qualify row_number() over (partition by texts.ttb_id order by rules.priority) = 1

)

select * from matched
