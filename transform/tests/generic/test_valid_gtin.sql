{#
    Every value is a GTIN-14: 14 digits whose last is the GS1 mod-10 check digit of the others
    (weights 3 and 1 alternating from the right, the rightmost body digit weighing 3).
#}
{% test valid_gtin(model, column_name) %}

select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    and (
        not regexp_full_match({{ column_name }}, '[0-9]{14}')
        or (
            10 - (
                {%- for i in range(13) %}
                cast(substr({{ column_name }}, {{ i + 1 }}, 1) as integer) * {{ 3 if i % 2 == 0 else 1 }}
                {{- " +" if not loop.last }}
                {%- endfor %}
            ) % 10
        ) % 10 != cast(substr({{ column_name }}, 14, 1) as integer)
    )

{% endtest %}
