{#
    A column's value is never greater than another column's of the same row (a median not above
    its 90th percentile, a coverage start not after the date it covers). NULLs pass.
#}
{% test not_after(model, column_name, other_column) %}

select {{ column_name }} as value, {{ other_column }} as other_value
from {{ model }}
where {{ column_name }} > {{ other_column }}

{% endtest %}
