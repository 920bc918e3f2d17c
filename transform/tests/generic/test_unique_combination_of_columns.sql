{#
    The combination of `combination_of_columns` is unique across the model (the grain test of
    models keyed by several columns; no dbt packages in this project).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as row_count
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
