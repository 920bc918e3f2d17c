{#-
    GTINs as printed and as stored. Barcodes are kept as GTIN-14 (14 digits, left-padded with zeros);
    a GTIN is printed as 8 (EAN-8), 12 (UPC-A), 13 (EAN-13) or 14 (ITF-14) digits.
    gtin14(expr): any printed form (digits, spaces or dashes between them) as GTIN-14, NULL when it
    is not 8, 12, 13 or 14 digits; so `gtin = {{ gtin14("'15621894'") }}` finds a GTIN-8 typed as printed.
    gtin_short_form(column, digits): the GTIN-14 `column` in its `digits`-long form (8, 12 or 13), NULL
    when its leading digits are not zeros (the code has no such form).
-#}
{% macro gtin14(expr) -%}
    case
        when length(regexp_replace({{ expr }}, '[\s-]', '', 'g')) in (8, 12, 13, 14)
            and regexp_full_match(regexp_replace({{ expr }}, '[\s-]', '', 'g'), '[0-9]+')
            then lpad(regexp_replace({{ expr }}, '[\s-]', '', 'g'), 14, '0')
    end
{%- endmacro %}

{% macro gtin_short_form(column, digits) -%}
    case when starts_with({{ column }}, repeat('0', {{ 14 - digits }})) then right({{ column }}, {{ digits }}) end
{%- endmacro %}
