-- One row per calendar day from the first of January of the earliest date in the data to the
-- 31st of December of the later of the latest date and today, with weekday, weekend and US
-- federal holiday flags (5 U.S.C. 6103, with the Friday/Monday observance rule).
with

bounds as (

    select
        date_trunc(
            'year', least(min(received_date), min(application_date), min(approval_date), min(completed_date))
        ) as first_day,
        greatest(
            max(received_date), max(approval_date), max(expiration_date), max(completed_date), current_date
        ) as last_date
    from {{ ref('int_colas_parsed') }}

),

days as (

    select
        cast(unnest(generate_series(
            cast(coalesce(first_day, date_trunc('year', current_date)) as date),
            cast(date_trunc('year', coalesce(last_date, current_date)) + interval 1 year - interval 1 day as date),
            interval 1 day
        )) as date) as date_day
    from bounds

),

years as (

    select distinct year(date_day) as calendar_year from days
    union
    -- New Year's Day of the following year can be observed on the 31st of December
    select max(year(date_day)) + 1 from days

),

fixed_rules as (

    -- holidays on a fixed date: observed on the Friday before / Monday after a weekend
    select
        rules.holiday_name,
        rules.holiday_month,
        rules.holiday_day,
        rules.since_year
    from (
        values
        ('New Year''s Day', 1, 1, 1871),
        ('Juneteenth National Independence Day', 6, 19, 2021),
        ('Independence Day', 7, 4, 1871),
        ('Veterans Day', 11, 11, 1938),
        ('Christmas Day', 12, 25, 1871)
    ) as rules (holiday_name, holiday_month, holiday_day, since_year)

),

weekday_rules as (

    -- holidays on the nth <ISO weekday> of a month (1 = Monday, 4 = Thursday); nth 5 = the last
    select
        rules.holiday_name,
        rules.holiday_month,
        rules.iso_weekday,
        rules.nth,
        rules.since_year
    from (
        values
        ('Birthday of Martin Luther King, Jr.', 1, 1, 3, 1986),
        ('Washington''s Birthday', 2, 1, 3, 1971),
        ('Memorial Day', 5, 1, 5, 1971),
        ('Labor Day', 9, 1, 1, 1894),
        ('Columbus Day', 10, 1, 2, 1971),
        ('Thanksgiving Day', 11, 4, 4, 1942)
    ) as rules (holiday_name, holiday_month, iso_weekday, nth, since_year)

),

fixed_dates as (

    select
        fixed_rules.holiday_name,
        make_date(years.calendar_year, fixed_rules.holiday_month, fixed_rules.holiday_day) as actual_date
    from years
    inner join fixed_rules on years.calendar_year >= fixed_rules.since_year

),

weekday_dates as (

    select
        weekday_rules.holiday_name,
        weekday_rules.nth,
        weekday_rules.iso_weekday,
        make_date(years.calendar_year, weekday_rules.holiday_month, 1) as month_start
    from years
    inner join weekday_rules on years.calendar_year >= weekday_rules.since_year

),

holiday_dates as (

    select
        holiday_name,
        case dayofweek(actual_date)
            when 6 then actual_date - 1
            when 0 then actual_date + 1
            else actual_date
        end as observed_date
    from fixed_dates

    union all

    select
        holiday_name,
        case
            when nth = 5
                -- the last one: step back from the month's last day
                then
                    last_day(month_start)
                    - cast((isodow(last_day(month_start)) - iso_weekday + 7) % 7 as integer)
            else
                month_start
                + cast((iso_weekday - isodow(month_start) + 7) % 7 + 7 * (nth - 1) as integer)
        end as observed_date
    from weekday_dates

),

holidays as (

    select
        observed_date,
        string_agg(holiday_name, ', ' order by holiday_name) as holiday_name
    from holiday_dates
    group by observed_date

),

final as (

    select
        days.date_day,
        cast(strftime(days.date_day, '%Y%m%d') as integer) as date_key,
        cast(date_trunc('week', days.date_day) as date) as week_start_date,
        cast(date_trunc('month', days.date_day) as date) as month_start_date,
        holidays.holiday_name,
        year(days.date_day) as calendar_year,
        quarter(days.date_day) as calendar_quarter,
        month(days.date_day) as calendar_month,
        monthname(days.date_day) as month_name,
        day(days.date_day) as day_of_month,
        dayofyear(days.date_day) as day_of_year,
        isodow(days.date_day) as iso_day_of_week,
        dayname(days.date_day) as day_name,
        weekofyear(days.date_day) as iso_week_of_year,
        isodow(days.date_day) >= 6 as is_weekend,
        holidays.observed_date is not null as is_federal_holiday,
        isodow(days.date_day) < 6 and holidays.observed_date is null as is_business_day
    from days
    left join holidays on days.date_day = holidays.observed_date

)

select * from final
