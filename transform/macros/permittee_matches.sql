{#-
    The body of a mart's `permittees` CTE: each COLA permit's matched List of Permittees permit and how it
    was matched (int_cola_permittees_matched), with the columns `names` of that permit (dim_permittee),
    each renamed `permittee_<name>`.
-#}
{% macro matched_permittees(names) -%}
    select
        permittee_matches.permit_number,
        permittee_matches.permittee_permit_number,
        permittee_matches.match_method as permittee_match_method,
        permittee_matches.match_confidence as permittee_match_confidence
        {%- for name in names %},
        permittee.{{ name }} as permittee_{{ name }}
        {%- endfor %}
    from {{ ref('int_cola_permittees_matched') }} as permittee_matches
    inner join {{ ref('dim_permittee') }} as permittee
        on permittee_matches.permittee_permit_number = permittee.permit_number
{%- endmacro %}
