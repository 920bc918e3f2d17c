{{ config(materialized='table') }}
-- One row per origin description seen on a COLA or in the code list: its code where known,
-- whether it is domestic or imported, and its state or country.
with

colas as (

    select
        origin_description_key,
        origin_description,
        origin_code,
        form_product_source
    from {{ ref('int_colas_parsed') }}
    where origin_description_key is not null

),

codes as (

    select
        origin_description,
        origin_scope,
        upper(origin_code) as origin_code,
        upper(origin_description) as origin_description_key
    from {{ ref('ttb_origin_codes') }}

),

states as (

    select * from {{ ref('us_states') }}

),

observed as (

    select
        origin_description_key,
        {{ stable_mode('origin_description') }} as origin_description,
        {{ stable_mode('origin_code') }} as observed_code,
        {{ stable_mode(
            'form_product_source', where="form_product_source in ('Domestic', 'Imported')"
        ) }} as observed_scope,
        count(*) as cola_count
    from colas
    group by origin_description_key

),

descriptions as (

    select
        observed.observed_code,
        observed.observed_scope,
        codes.origin_code as listed_code,
        codes.origin_scope as listed_scope,
        coalesce(observed.origin_description_key, codes.origin_description_key) as origin_description_key,
        coalesce(observed.origin_description, codes.origin_description) as origin_description,
        coalesce(observed.cola_count, 0) as cola_count
    from observed
    full outer join codes on observed.origin_description_key = codes.origin_description_key

),

scoped as (

    select
        descriptions.*,
        states.state_code,
        case
            when states.state_code is not null then 'Domestic'
            else coalesce(descriptions.observed_scope, descriptions.listed_scope, 'Imported')
        end as origin_scope,
        case
            when states.state_code is not null then 'us_states'
            when descriptions.observed_scope is not null then 'form'
            when descriptions.listed_scope is not null then 'code_list'
            else 'not_a_us_state'
        end as origin_scope_source
    from descriptions
    left join states on descriptions.origin_description_key = states.state_name

),

final as (

    select
        origin_description_key,
        origin_description,
        origin_scope,
        origin_scope_source,
        state_code,
        cola_count,
        coalesce(observed_code, listed_code) as origin_code,
        case
            when observed_code is not null then 'form'
            when listed_code is not null then 'code_list'
        end as origin_code_source,
        case when origin_scope = 'Domestic' then 'UNITED STATES' else origin_description_key end as country
    from scoped

)

select * from final
