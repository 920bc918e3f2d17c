{#- Rows of loads that dlt's load log marks complete (status 0). On the lake a killed or unfinished
    load leaves Parquet files behind with no _dlt_loads row: readers must not see them. -#}
{% macro completed_loads(load_id_column='_dlt_load_id') -%}
    {{ load_id_column }} in (
        select dlt_loads.load_id
        from {{ source('ttb', '_dlt_loads') }} as dlt_loads
        where dlt_loads.status = 0
    )
{%- endmacro %}
