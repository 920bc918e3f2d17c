-- Processing times: one row per ISO week of approval (starting Monday) x product type x receipt
-- method: COLAs approved, median and 90th percentile days from receipt (and from application) to
-- approval (rounded to a tenth of a day), and the change from the week before (same product type and method);
-- beside them TTB's own published label turnaround for the product type that week (the median of the
-- daily snapshots taken, fct_processing_time_snapshots).
with

colas as (

    select
        *,
        cast(date_trunc('week', approval_date) as date) as approval_week_start
    from {{ ref('fct_cola_approvals') }}
    where approval_date is not null

),

weekly as (

    select
        approval_week_start,
        product_type,
        receipt_method,
        count(*) as cola_count,
        round(quantile_cont(days_to_approval, 0.5), 1) as median_days_to_approval,
        round(quantile_cont(days_to_approval, 0.9), 1) as p90_days_to_approval,
        count(days_application_to_approval) as cola_with_application_date_count,
        round(quantile_cont(days_application_to_approval, 0.5), 1) as median_days_application_to_approval,
        round(quantile_cont(days_application_to_approval, 0.9), 1) as p90_days_application_to_approval
    from colas
    group by approval_week_start, product_type, receipt_method

),

published as (

    select
        snapshot_week_start,
        product_type,
        median(processing_days) as ttb_published_median_days,
        count(*) as ttb_snapshot_count
    from {{ ref('fct_processing_time_snapshots') }}
    where snapshot_kind = 'label' and product_type is not null
    group by snapshot_week_start, product_type

),

final as (

    select
        this_week.approval_week_start,
        this_week.product_type,
        this_week.receipt_method,
        this_week.cola_count,
        this_week.median_days_to_approval,
        this_week.p90_days_to_approval,
        this_week.cola_with_application_date_count,
        this_week.median_days_application_to_approval,
        this_week.p90_days_application_to_approval,
        previous_week.cola_count as previous_week_cola_count,
        previous_week.median_days_to_approval as previous_week_median_days_to_approval,
        md5(concat_ws(
            '|', cast(this_week.approval_week_start as varchar), this_week.product_type, this_week.receipt_method
        )) as processing_time_id,
        this_week.cola_count - coalesce(previous_week.cola_count, 0) as cola_count_change,
        round(this_week.median_days_to_approval - previous_week.median_days_to_approval, 1)
            as median_days_to_approval_change,
        round(this_week.p90_days_to_approval - previous_week.p90_days_to_approval, 1) as p90_days_to_approval_change,
        round(published.ttb_published_median_days, 1) as ttb_published_median_days,
        coalesce(published.ttb_snapshot_count, 0) as ttb_snapshot_count,
        round(this_week.median_days_to_approval - published.ttb_published_median_days, 1)
            as median_days_vs_ttb_published
    from weekly as this_week
    left join weekly as previous_week
        on
            this_week.approval_week_start - interval 7 day = previous_week.approval_week_start
            and this_week.product_type = previous_week.product_type
            and this_week.receipt_method = previous_week.receipt_method
    left join published
        on
            this_week.approval_week_start = published.snapshot_week_start
            and this_week.product_type = published.product_type

)

select * from final
