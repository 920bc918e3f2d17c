{#- Rows of loads that dlt's load log marks complete (status 0), for the appended crawl log: each
    table's load is its own Delta commit, so a load killed after some of its commits leaves rows of a
    load with no _dlt_loads row, which readers of the log must not count. (Never for a merged table:
    its row replaced the previous one, so hiding it would hide the record.) -#}
{% macro completed_loads(load_id_column='_dlt_load_id') -%}
    {{ load_id_column }} in (
        select dlt_loads.load_id
        from {{ source('ttb', '_dlt_loads') }} as dlt_loads
        where dlt_loads.status = 0
    )
{%- endmacro %}

{#- One row per `key` per crawl run of an appended crawl log: a retried load may write a run's row
    twice; the latest load's (then the latest finished) is kept. -#}
{% macro one_row_per_run(key) -%}
    qualify row_number() over (
        partition by {{ key }}, run_id
        order by try_cast(_dlt_load_id as double) desc, finished_at desc, _dlt_id desc
    ) = 1
{%- endmacro %}

{#- One row per `key` of a table loaded more than once: the row of the latest `at`, then of the latest
    load, then the greatest _dlt_id, so every build keeps the same row. -#}
{% macro latest_row(key, at) -%}
    qualify row_number() over (
        partition by {{ key }}
        order by {{ at }} desc, try_cast(_dlt_load_id as double) desc, _dlt_id desc
    ) = 1
{%- endmacro %}
