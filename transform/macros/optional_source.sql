{#-
    A source table that may not exist yet: the crawl with `images` set, or `ttb-cola images`,
    creates cola_images and cola_barcodes with their first image, so a warehouse without label
    images still builds. Renders the source when the table exists (a DuckDB relation on dev, a
    Delta table in the bucket on s3), else an empty relation with the given columns ({name: type}).
    The source() call is always made, for lineage.
-#}
{% macro optional_source(source_name, table_name, empty_columns) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute and not optional_source_exists(relation, table_name) -%}
        (select
        {%- for name, type in empty_columns.items() %}
            cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
        where false)
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{% macro optional_source_exists(relation, table_name) -%}
    {%- if target.name == 's3' -%}
        {#- the lake's root as the target's plugin resolved it (dlt's settings: .dlt/ or the environment) -#}
        {%- set schema = env_var('TTB_COLA_DATASET', 'ttb_cola') -%}
        {%- set found = run_query("select count(*) from glob(getvariable('ttb_cola_lake_root') || '/" ~ schema ~ "/" ~ table_name ~ "/_delta_log/*.json')") -%}
        {{- return(found.columns[0].values()[0] > 0) -}}
    {%- else -%}
        {%- set existing = adapter.get_relation(database=relation.database, schema=relation.schema,
                                                identifier=relation.identifier) -%}
        {{- return(existing is not none) -}}
    {%- endif -%}
{%- endmacro %}
