"""What the run's budget does to its units of work: none starts once it is spent, and those left count
as deferred to the next run (:attr:`~ttb_cola.scheduler.report.RunReport.deferred`)."""

from __future__ import annotations

from ttb_cola.budget import BUDGET_SPENT, Budget
from ttb_cola.registry.stopping import StopSignal
from ttb_cola.scheduler.report import Outcome, RunReport


class Deferral:
    """Counts each unit's requests against ``budget`` and what the budget left for the next run in ``report``."""

    def __init__(self, budget: Budget, report: RunReport, signal: StopSignal) -> None:
        self.budget = budget
        self.report = report
        self.signal = signal

    def budget_spent(self) -> None:
        """No request is sent any more: the units in flight stop, the chunk is left unfinished."""
        if not self.report.budget_stopped:
            self.report.budget_stopped = True
            self.report.deferred += 1
        self.signal.set(BUDGET_SPENT)

    def deferred(self, outcome: Outcome) -> bool:
        """Count the outcome's requests against the budget; True when it never started (budget spent)."""
        self.budget.spend(outcome.requests)
        return self.skipped(outcome)

    def skipped(self, outcome: Outcome) -> bool:
        """True when the unit never started (budget spent), counted as deferred; its requests, if any,
        are counted already (a fill unit counts its own as it ends)."""
        if outcome.skipped:
            self.report.deferred += 1
        return outcome.skipped
