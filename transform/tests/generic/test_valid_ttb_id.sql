{#
    A TTB ID is 14 digits `YY DDD MMM SSSSSS`: day of year 001-366 and a receipt method of
    000-003 (ingestion/ttb_cola/ids.py). Fails on every non-null value that is not.
#}
{% test valid_ttb_id(model, column_name) %}

select {{ column_name }} as invalid_ttb_id
from {{ model }}
where {{ column_name }} is not null
    and not {{ ttb_id_is_valid(column_name) }}

{% endtest %}
