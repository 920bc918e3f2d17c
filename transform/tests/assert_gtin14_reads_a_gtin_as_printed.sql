-- gtin14() turns a GTIN as typed (8, 12, 13 or 14 digits, spaces or dashes between them) into the
-- GTIN-14 the barcode marts store, and anything else into NULL: no row when it does.
with

typed as (

    select
        cases.printed,
        cases.expected
    from (
        values
        ('15621894', '00000015621894'),
        ('1562 1894', '00000015621894'),
        ('012345678905', '00012345678905'),
        ('0-12345-67890-5', '00012345678905'),
        ('4006381333931', '04006381333931'),
        ('04006381333931', '04006381333931'),
        ('1234567', null),
        ('ABCDEFGH', null)
    ) as cases (printed, expected)

)

select printed, expected, {{ gtin14('printed') }} as got
from typed
where {{ gtin14('printed') }} is distinct from expected
