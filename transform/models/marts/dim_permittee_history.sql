-- The history of each permit's listed attributes (SCD type 2): one row per version of a permit in TTB's
-- List of Permittees, valid from the first list showing it to the first list that did not (NULL: current).
select * from {{ ref('int_permittee_versions') }}
