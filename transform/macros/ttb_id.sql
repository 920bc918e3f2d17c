{#
    TTB ID parts (ingestion/ttb_cola/ids.py): 14 digits `YY DDD MMM SSSSSS`. The 2-digit year is 19YY
    for 70-99 and 20YY otherwise; DDD is the day of the year the application was received; MMM the
    receipt method; SSSSSS the daily sequence per method. The part macros return NULL for an ID
    that is not 14 characters or whose part is not a number; they avoid regular expressions
    because they run on every row (`ttb_id_is_valid` is the strict check, used by the tests).
#}

{% macro ttb_id_is_valid(ttb_id) -%}
    coalesce(regexp_full_match({{ ttb_id }}, '[0-9]{14}')
        and substr({{ ttb_id }}, 6, 3) in ('000', '001', '002', '003')
        and cast(substr({{ ttb_id }}, 3, 3) as integer) between 1 and 366, false)
{%- endmacro %}

{% macro _ttb_id_part(ttb_id, start, length) -%}
    case when length({{ ttb_id }}) = 14 then try_cast(substr({{ ttb_id }}, {{ start }}, {{ length }}) as integer) end
{%- endmacro %}

{% macro ttb_id_receipt_year(ttb_id) -%}
    ({{ _ttb_id_part(ttb_id, 1, 2) }}
    + case when {{ _ttb_id_part(ttb_id, 1, 2) }} >= 70 then 1900 else 2000 end)
{%- endmacro %}

{% macro ttb_id_receipt_day_of_year(ttb_id) -%}
    {{ _ttb_id_part(ttb_id, 3, 3) }}
{%- endmacro %}

{% macro ttb_id_receipt_date(ttb_id) -%}
    {#- NULL when the day does not exist in that year (day 0, or 366 of a common year). -#}
    case
        when {{ ttb_id_receipt_day_of_year(ttb_id) }} >= 1
            and year(
                make_date({{ ttb_id_receipt_year(ttb_id) }}, 1, 1)
                + cast({{ ttb_id_receipt_day_of_year(ttb_id) }} - 1 as integer)
            ) = {{ ttb_id_receipt_year(ttb_id) }}
            then make_date({{ ttb_id_receipt_year(ttb_id) }}, 1, 1)
            + cast({{ ttb_id_receipt_day_of_year(ttb_id) }} - 1 as integer)
    end
{%- endmacro %}

{% macro ttb_id_receipt_method(ttb_id) -%}
    case when length({{ ttb_id }}) = 14 and {{ _ttb_id_part(ttb_id, 6, 3) }} is not null
        then substr({{ ttb_id }}, 6, 3) end
{%- endmacro %}

{% macro ttb_id_sequence(ttb_id) -%}
    case when length({{ ttb_id }}) = 14 then try_cast(substr({{ ttb_id }}, 9, 6) as bigint) end
{%- endmacro %}
