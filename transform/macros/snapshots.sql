{#-
    Pre-hook of a check-strategy snapshot: add `columns` ({name: data type}) to the existing
    snapshot table when it lacks them. dbt reads a check column missing from the snapshot as "every
    row changed" and versions every row once; added beforehand (NULL on the existing versions),
    only the rows whose value is known make a version. Renders nothing on the first build.
-#}
{% macro snapshot_add_check_columns(columns) -%}
    {%- set relation = adapter.get_relation(this.database, this.schema, this.identifier) if execute else none -%}
    {%- if relation is not none -%}
        {%- for name, data_type in columns.items() %}
            alter table {{ relation }} add column if not exists {{ adapter.quote(name) }} {{ data_type }};
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
