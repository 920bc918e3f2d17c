-- One row per class/type description (plus "(unknown)"): its code where known and the product
-- type it belongs to, with where each came from.
with

class_types as (

    select
        description_key as class_type_description_key,
        code as class_type_code,
        code_source as class_type_code_source,
        description as class_type_description,
        category as product_type,
        category_source as product_type_source,
        cola_count
    from {{ ref('int_codes_resolved') }}
    where code_list = 'class_type'

),

final as (

    select
        {{ dimension_key('class_type_description_key') }} as class_type_key,
        class_type_code,
        class_type_code_source,
        class_type_description,
        product_type,
        product_type_source,
        cola_count
    from class_types

    union all

    select
        {{ dimension_key('null') }} as class_type_key,
        null as class_type_code,
        null as class_type_code_source,
        '(unknown)' as class_type_description,
        'Unknown' as product_type,
        'none' as product_type_source,
        0 as cola_count

)

select * from final
