-- One row per COLA with its product type and domestic/imported resolved: from the COLA's own
-- form when it was fetched, else inferred from its class/type and origin descriptions (and
-- recorded as inferred). Descriptions missing from a record are looked up by code.
with

colas as (

    select * from {{ ref('int_colas_parsed') }}

),

class_types as (

    select
        description_key as class_type_description_key,
        code as class_type_code,
        category as product_type,
        cola_count
    from {{ ref('int_codes_resolved') }}
    where code_list = 'class_type'

),

origins as (

    select
        description_key as origin_description_key,
        code as origin_code,
        category as origin_scope,
        cola_count
    from {{ ref('int_codes_resolved') }}
    where code_list = 'origin'

),

class_type_codes as (

    select
        class_type_code,
        arg_max(class_type_description_key, cola_count) as class_type_description_key
    from class_types
    where class_type_code is not null
    group by class_type_code

),

origin_codes as (

    select
        origin_code,
        arg_max(origin_description_key, cola_count) as origin_description_key
    from origins
    where origin_code is not null
    group by origin_code

),

keyed as (

    select
        colas.*,
        coalesce(colas.class_type_description_key, class_type_codes.class_type_description_key)
            as class_type_key_text,
        coalesce(colas.origin_description_key, origin_codes.origin_description_key) as origin_key_text
    from colas
    left join class_type_codes on colas.class_type_code = class_type_codes.class_type_code
    left join origin_codes on colas.origin_code = origin_codes.origin_code

),

final as (

    select
        keyed.*,
        case
            when keyed.form_product_type in ('Wine', 'Distilled Spirits', 'Malt Beverage')
                then keyed.form_product_type
            else coalesce(class_types.product_type, 'Unknown')
        end as product_type,
        case
            when keyed.form_product_type in ('Wine', 'Distilled Spirits', 'Malt Beverage') then 'form'
            when coalesce(class_types.product_type, 'Unknown') != 'Unknown' then 'inferred'
            else 'unknown'
        end as product_type_source,
        case
            when keyed.form_product_source in ('Domestic', 'Imported') then keyed.form_product_source
            else coalesce(origins.origin_scope, 'Unknown')
        end as product_source,
        case
            when keyed.form_product_source in ('Domestic', 'Imported') then 'form'
            when origins.origin_scope is not null then 'inferred'
            else 'unknown'
        end as product_source_source
    from keyed
    left join class_types on keyed.class_type_key_text = class_types.class_type_description_key
    left join origins on keyed.origin_key_text = origins.origin_description_key

)

select * from final
