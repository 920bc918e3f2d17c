{{ config(materialized='table') }}
-- One row per code list (class_type, origin) x description seen on a COLA or in that list's seed:
-- its code where known (the code the forms print with it, else the seed's) and its category (a
-- class/type's product type, an origin's domestic/imported scope): what the forms carrying it
-- say, else the seed, else for a class/type keyword rules and for an origin whether it names a
-- US state. One resolution for both lists: dim_class_type and dim_origin read their own rows.
with

colas as (

    select * from {{ ref('int_colas_parsed') }}

),

observed_rows as (

    select
        'class_type' as code_list,
        class_type_description_key as description_key,
        class_type_description as description,
        class_type_code as code,
        case when form_product_type in ('Wine', 'Distilled Spirits', 'Malt Beverage') then form_product_type end
            as form_category
    from colas
    where class_type_description_key is not null

    union all

    select
        'origin' as code_list,
        origin_description_key as description_key,
        origin_description as description,
        origin_code as code,
        case when form_product_source in ('Domestic', 'Imported') then form_product_source end as form_category
    from colas
    where origin_description_key is not null

),

listed as (

    select
        'class_type' as code_list,
        upper(class_type_description) as description_key,
        class_type_description as description,
        upper(class_type_code) as code,
        product_type as category
    from {{ ref('ttb_class_type_codes') }}

    union all

    select
        'origin' as code_list,
        upper(origin_description) as description_key,
        origin_description as description,
        upper(origin_code) as code,
        origin_scope as category
    from {{ ref('ttb_origin_codes') }}

),

observed as (

    select
        code_list,
        description_key,
        {{ stable_mode('description') }} as description,
        {{ stable_mode('code') }} as observed_code,
        {{ stable_mode('form_category', where='form_category is not null') }} as observed_category,
        count(*) as cola_count
    from observed_rows
    group by code_list, description_key

),

descriptions as (

    select
        observed.observed_code,
        observed.observed_category,
        listed.code as listed_code,
        listed.category as listed_category,
        coalesce(observed.code_list, listed.code_list) as code_list,
        coalesce(observed.description_key, listed.description_key) as description_key,
        coalesce(observed.description, listed.description) as description,
        coalesce(observed.cola_count, 0) as cola_count
    from observed
    full outer join listed
        on observed.code_list = listed.code_list and observed.description_key = listed.description_key

),

keyword_matches as (

    select
        descriptions.description_key,
        arg_min(keywords.product_type, keywords.priority) as keyword_product_type
    from descriptions
    inner join {{ ref('ttb_product_type_keywords') }} as keywords
        on regexp_matches(descriptions.description_key, keywords.pattern)
    where descriptions.code_list = 'class_type'
    group by descriptions.description_key

),

states as (

    select * from {{ ref('us_states') }}

),

final as (

    select
        descriptions.code_list,
        descriptions.description_key,
        descriptions.description,
        descriptions.cola_count,
        states.state_code,
        coalesce(descriptions.observed_code, descriptions.listed_code) as code,
        case
            when descriptions.observed_code is not null then 'form'
            when descriptions.listed_code is not null then 'code_list'
        end as code_source,
        case
            when states.state_code is not null then 'Domestic'
            when descriptions.code_list = 'origin'
                then coalesce(descriptions.observed_category, descriptions.listed_category, 'Imported')
            else coalesce(
                descriptions.observed_category,
                descriptions.listed_category,
                keyword_matches.keyword_product_type,
                'Unknown'
            )
        end as category,
        case
            when states.state_code is not null then 'us_states'
            when descriptions.observed_category is not null then 'form'
            when descriptions.listed_category is not null then 'code_list'
            when descriptions.code_list = 'origin' then 'not_a_us_state'
            when keyword_matches.keyword_product_type is not null then 'keyword'
            else 'none'
        end as category_source,
        case
            when descriptions.code_list != 'origin' then null
            when states.state_code is not null then 'UNITED STATES'
            when coalesce(descriptions.observed_category, descriptions.listed_category) = 'Domestic'
                then 'UNITED STATES'
            else descriptions.description_key
        end as country
    from descriptions
    left join keyword_matches
        on descriptions.code_list = 'class_type' and descriptions.description_key = keyword_matches.description_key
    left join states
        on descriptions.code_list = 'origin' and descriptions.description_key = states.state_name

)

select * from final
