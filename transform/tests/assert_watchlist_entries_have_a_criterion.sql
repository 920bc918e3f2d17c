-- Every watchlist entry gives at least one criterion (an entry without one would match every COLA).
select entry_name
from {{ ref('watchlist') }}
where
    coalesce(
        trim(brand_name), trim(company_name), trim(permit_number), trim(class_type), trim(origin), ''
    ) = ''
