{#
    Use a model's custom schema as named (staging, intermediate, marts, seeds, snapshots) instead of
    dbt's default <target_schema>_<custom>, so analysts query `marts.fct_cola_approvals`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
