{#-
    A watchlist pattern test as on the registry's search: case-insensitive, `%` matches any run
    of characters, everything else (`_` and `\` included) is literal; surrounding spaces ignored.
-#}
{% macro watchlist_match(value, pattern) -%}
    (trim({{ value }}) ilike replace(replace(trim({{ pattern }}), '\', '\\'), '_', '\_') escape '\')
{%- endmacro %}
