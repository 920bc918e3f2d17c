"""The bounded pool that runs search and probe work and folds every outcome into the crawl state."""

from ttb_cola.scheduler.listing import apply_listing
from ttb_cola.scheduler.plan import RunPlan, WorkerSettings, date_range
from ttb_cola.scheduler.pool import Scheduler
from ttb_cola.scheduler.report import Event, Outcome, RunReport, Stateful

__all__ = [
    "Event", "Outcome", "RunPlan", "RunReport", "Scheduler", "Stateful", "WorkerSettings", "apply_listing",
    "date_range",
]
