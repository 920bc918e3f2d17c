{#-
    Trimmed text, NULL when blank. The record contract (ingestion/ttb_cola/records.py) already collapses
    whitespace runs, so no regex here: it runs on every text column of a million rows.
-#}
{% macro clean_text(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}

{#- Upper case, trimmed, NULL when blank: codes, states, and the grouping key of descriptions
    and brand names (whitespace runs are already collapsed by the record contract). -#}
{% macro upper_text(expression) -%}
    nullif(upper(trim({{ expression }})), '')
{%- endmacro %}

{% macro normalized_text(expression) -%}
    {{ upper_text(expression) }}
{%- endmacro %}

{#-
    Surrogate key of a dimension member: md5 of its natural key, with NULL mapped to the
    "(unknown)" member so that fact keys are never NULL.
-#}
{% macro dimension_key(expression) -%}
    md5(coalesce(cast({{ expression }} as varchar), '(unknown)'))
{%- endmacro %}

{#- dlt load ids are epoch seconds as text; their time is the load time. -#}
{% macro dlt_load_time(load_id_column) -%}
    to_timestamp(try_cast({{ load_id_column }} as double))
{%- endmacro %}
