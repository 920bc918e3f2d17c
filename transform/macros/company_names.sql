{#-
    The key two company names are compared on (COLA applicant vs List of Permittees owner/operating
    name): upper case, `&` as AND, punctuation to spaces, whitespace collapsed, a leading THE and
    trailing legal forms (LLC, INC, CO, CORP, LTD, COMPANY...) dropped; NULL when nothing is left.
-#}
{% macro company_name_key(expression) -%}
    nullif(regexp_replace(regexp_replace(trim(regexp_replace(regexp_replace(
        replace(upper({{ expression }}), '&', ' AND '), '[^A-Z0-9]+', ' ', 'g'), '\s+', ' ', 'g')),
        '^THE ', ''),
        '( (LLC|L L C|INC|INCORPORATED|CO|CORP|CORPORATION|LTD|LIMITED|COMPANY|LP|LLP|PLLC|PC))+$', ''), '')
{%- endmacro %}
