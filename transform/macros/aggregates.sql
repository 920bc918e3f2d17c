{#-
    The most frequent non-NULL value of a group, ties broken by the smallest value, so a build
    gives the same answer every time (DuckDB's mode() keeps whichever tied value its hash table
    met first, which changes with threads). `where` filters the rows counted, like FILTER (WHERE).
-#}
{% macro stable_mode(expression, where=none) -%}
    list_sort(list_transform(
        map_entries(histogram({{ expression }}){% if where %} filter (where {{ where }}){% endif %}),
        entry -> {'negative_count': -entry.value, 'value': entry.key}
    ))[1].value
{%- endmacro %}
