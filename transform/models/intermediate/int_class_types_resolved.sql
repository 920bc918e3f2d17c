{{ config(materialized='table') }}
-- One row per class/type description seen on a COLA or in the code list: its code where known
-- and its product type, taken from the forms that carry the description, else from the code
-- list, else inferred from keywords.
with

colas as (

    select
        class_type_description_key,
        class_type_description,
        class_type_code,
        form_product_type
    from {{ ref('int_colas_parsed') }}
    where class_type_description_key is not null

),

codes as (

    select
        class_type_description,
        product_type,
        upper(class_type_code) as class_type_code,
        upper(class_type_description) as class_type_description_key
    from {{ ref('ttb_class_type_codes') }}

),

keywords as (

    select * from {{ ref('ttb_product_type_keywords') }}

),

observed as (

    select
        class_type_description_key,
        {{ stable_mode('class_type_description') }} as class_type_description,
        {{ stable_mode('class_type_code') }} as observed_code,
        {{ stable_mode(
            'form_product_type',
            where="form_product_type in ('Wine', 'Distilled Spirits', 'Malt Beverage')"
        ) }} as observed_product_type,
        count(*) as cola_count
    from colas
    group by class_type_description_key

),

descriptions as (

    select
        observed.observed_code,
        observed.observed_product_type,
        codes.class_type_code as listed_code,
        codes.product_type as listed_product_type,
        coalesce(observed.class_type_description_key, codes.class_type_description_key)
            as class_type_description_key,
        coalesce(observed.class_type_description, codes.class_type_description) as class_type_description,
        coalesce(observed.cola_count, 0) as cola_count
    from observed
    full outer join codes on observed.class_type_description_key = codes.class_type_description_key

),

keyword_matches as (

    select
        descriptions.class_type_description_key,
        arg_min(keywords.product_type, keywords.priority) as keyword_product_type
    from descriptions
    inner join keywords on regexp_matches(descriptions.class_type_description_key, keywords.pattern)
    group by descriptions.class_type_description_key

),

final as (

    select
        descriptions.class_type_description_key,
        descriptions.class_type_description,
        descriptions.cola_count,
        coalesce(descriptions.observed_code, descriptions.listed_code) as class_type_code,
        case
            when descriptions.observed_code is not null then 'form'
            when descriptions.listed_code is not null then 'code_list'
        end as class_type_code_source,
        coalesce(
            descriptions.observed_product_type,
            descriptions.listed_product_type,
            keyword_matches.keyword_product_type,
            'Unknown'
        ) as product_type,
        case
            when descriptions.observed_product_type is not null then 'form'
            when descriptions.listed_product_type is not null then 'code_list'
            when keyword_matches.keyword_product_type is not null then 'keyword'
            else 'none'
        end as product_type_source
    from descriptions
    left join keyword_matches
        on descriptions.class_type_description_key = keyword_matches.class_type_description_key

)

select * from final
