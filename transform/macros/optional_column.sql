{#-
    A column a raw table gains only with its first load of a newer pipeline (e.g. items 12 and 13 of
    cola_forms): the column when the built relation has it, else a typed NULL, so a warehouse loaded
    before it still builds.
-#}
{% macro optional_column(relation, column, type) -%}
    {%- if execute -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {#- no columns: not a built relation (a unit test's fixture), which names every column it needs -#}
        {%- if not names or column | lower in names -%}
            {{ column }}
        {%- else -%}
            cast(null as {{ type }})
        {%- endif -%}
    {%- else -%}
        cast(null as {{ type }})
    {%- endif -%}
{%- endmacro %}
