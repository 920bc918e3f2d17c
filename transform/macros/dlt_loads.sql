{#- Rows of loads that dlt's load log marks complete (status 0), for the appended crawl log: each
    table's load is its own Delta commit, so a load killed after some of its commits leaves rows of a
    load with no _dlt_loads row, which readers of the log must not count. (Never for a merged table:
    its row replaced the previous one, so hiding it would hide the record.) -#}
{% macro completed_loads(load_id_column='_dlt_load_id') -%}
    {{ load_id_column }} in (
        select dlt_loads.load_id
        from {{ source('ttb', '_dlt_loads') }} as dlt_loads
        where dlt_loads.status = 0
    )
{%- endmacro %}
