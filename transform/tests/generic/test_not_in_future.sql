{#
    A date (or timestamp) column holds no value later than today (plus `days_ahead` days of
    tolerance for clocks and time zones).
#}
{% test not_in_future(model, column_name, days_ahead=1) %}

select {{ column_name }} as future_value
from {{ model }}
where cast({{ column_name }} as date) > current_date + {{ days_ahead }}

{% endtest %}
