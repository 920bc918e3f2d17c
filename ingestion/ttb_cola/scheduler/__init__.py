"""The bounded pool that runs search and probe work and folds every outcome into the crawl state."""

from ttb_cola.scheduler.pool import (
    Event,
    Outcome,
    RunPlan,
    RunReport,
    Scheduler,
    Stateful,
    WorkerSettings,
    apply_listing,
    date_range,
)

__all__ = [
    "Event", "Outcome", "RunPlan", "RunReport", "Scheduler", "Stateful", "WorkerSettings", "apply_listing",
    "date_range",
]
