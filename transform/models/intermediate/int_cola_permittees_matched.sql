-- Each permit number seen on a COLA, matched to the List of Permittees permit behind it:
-- - importer permits (`ST-I-n`) are the list's own numbers: matched exactly (`importer_permit_exact`, 1.0);
-- - a producer's plant registry number (DSP-, BW-, BWN-, BWC-) is not: matched by company name to a
--   spirits plant (DSP) or wine producer (BW*) permit of the same state, on the normalised COLA name (whole,
--   or either part of "Operating, Owner") against the list's owner or operating name, with the same
--   five-digit ZIP (`name_state_zip`, 0.95) or else the same street (`name_state_street`, 0.85). Never
--   across states; a name that finds two permits at its best method is left unmatched (no guess);
-- - breweries (BR-) hold no permit of the list: never matched.
with

companies as (

    select * from {{ ref('int_companies_resolved') }}
    where permit_number is not null

),

permittees as (

    select * from {{ ref('int_permittee_versions') }}
    qualify row_number() over (partition by permit_number order by version_number desc) = 1

),

importers as (

    select
        companies.permit_number,
        permittees.permit_number as permittee_permit_number,
        'importer_permit_exact' as match_method,
        1.0 as match_confidence
    from companies
    inner join permittees on companies.permit_number = permittees.permit_number
    where regexp_full_match(companies.permit_number, '[A-Z]{2}-I-[0-9]+')

),

producers as (

    select
        permit_number,
        case when permit_prefix = 'DSP' then 'Distilled Spirits Plant' else 'Wine Producer' end as industry_type,
        coalesce(address_state, permit_state) as state_code,
        left(regexp_replace(coalesce(address_zip, ''), '[^0-9]', '', 'g'), 5) as zip5,
        {{ company_name_key('address_street') }} as street_key,
        company_name
    from companies
    where permit_prefix in ('DSP', 'BW', 'BWN', 'BWC')

),

producer_names as (

    select distinct
        producers.permit_number,
        producers.industry_type,
        producers.state_code,
        producers.zip5,
        producers.street_key,
        {{ company_name_key('name_part.part') }} as name_key
    from producers
    cross join
        unnest(list_append(string_split(producers.company_name, ', '), producers.company_name)) as name_part (part)

),

permittee_names as (

    select distinct
        permittees.permit_number,
        permittees.industry_type,
        permittees.premises_state,
        permittees.premises_zip5,
        {{ company_name_key('permittees.premises_street') }} as street_key,
        {{ company_name_key('name_part.part') }} as name_key
    from permittees
    cross join unnest([permittees.owner_name, permittees.operating_name]) as name_part (part)

),

candidates as (

    select
        producer_names.permit_number,
        permittee_names.permit_number as permittee_permit_number,
        case
            when producer_names.zip5 != '' and producer_names.zip5 = permittee_names.premises_zip5 then 1
            when producer_names.street_key = permittee_names.street_key then 2
        end as method_rank
    from producer_names
    inner join permittee_names
        on
            producer_names.name_key = permittee_names.name_key
            and producer_names.state_code = permittee_names.premises_state
            and producer_names.industry_type = permittee_names.industry_type
    where producer_names.name_key is not null

),

best as (

    select
        permit_number,
        min(method_rank) as method_rank
    from candidates
    where method_rank is not null
    group by permit_number

),

producer_matches as (

    select
        candidates.permit_number,
        min(candidates.permittee_permit_number) as permittee_permit_number,
        case when best.method_rank = 1 then 'name_state_zip' else 'name_state_street' end as match_method,
        case when best.method_rank = 1 then 0.95 else 0.85 end as match_confidence
    from candidates
    inner join best
        on
            candidates.permit_number = best.permit_number
            and candidates.method_rank = best.method_rank
    group by candidates.permit_number, best.method_rank
    having count(distinct candidates.permittee_permit_number) = 1

),

final as (

    select * from importers
    union all
    select * from producer_matches

)

select * from final
