{% macro latest_rows(relation, order_column) %}
    {#-
        The latest load's row of each ttb_id in a raw page table, so staging stays right when the
        destination appends instead of merging. The winners are found on narrow rows, then
        semi-joined: much cheaper than sorting the whole wide table in a window.
    -#}
    select raw_rows.*
    from {{ relation }} as raw_rows
    semi join (
        select _dlt_id
        from {{ relation }}
        qualify row_number() over (
            partition by ttb_id
            order by try_cast(_dlt_load_id as double) desc, {{ order_column }} desc nulls last, _dlt_id desc
        ) = 1
    ) as winners on raw_rows._dlt_id = winners._dlt_id
{% endmacro %}
