-- One row per product category path placed by product_category_rules (plus Unknown): the path, its
-- levels and how many COLAs it holds. fct_cola_approvals.product_category_key points here.
with

categories as (

    select
        category_path,
        count(*) as cola_count
    from {{ ref('int_cola_categories') }}
    group by category_path

),

rules as (

    select distinct category_path
    from {{ ref('product_category_rules') }}

),

final as (

    select
        {{ dimension_key('rules.category_path') }} as product_category_key,
        rules.category_path,
        string_split(rules.category_path, ' > ')[1] as category_level_1,
        string_split(rules.category_path, ' > ')[2] as category_level_2,
        string_split(rules.category_path, ' > ')[3] as category_level_3,
        coalesce(categories.cola_count, 0) as cola_count
    from rules
    left join categories on rules.category_path = categories.category_path

)

select * from final
