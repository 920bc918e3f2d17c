-- One row per origin description (plus "(unknown)"): its code where known, whether it is
-- domestic or imported, and the state or country it names.
with

origins as (

    select
        description_key as origin_description_key,
        code as origin_code,
        code_source as origin_code_source,
        description as origin_description,
        category as origin_scope,
        category_source as origin_scope_source,
        state_code,
        country,
        cola_count
    from {{ ref('int_codes_resolved') }}
    where code_list = 'origin'

),

final as (

    select
        {{ dimension_key('origin_description_key') }} as origin_key,
        origin_code,
        origin_code_source,
        origin_description,
        origin_scope,
        origin_scope_source,
        state_code,
        country,
        cola_count
    from origins

    union all

    select
        {{ dimension_key('null') }} as origin_key,
        null as origin_code,
        null as origin_code_source,
        '(unknown)' as origin_description,
        'Unknown' as origin_scope,
        'none' as origin_scope_source,
        null as state_code,
        null as country,
        0 as cola_count

)

select * from final
