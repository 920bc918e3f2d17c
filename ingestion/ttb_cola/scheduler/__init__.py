"""The crawl's run: the bounded pool that runs search, probe, retry and fill work and folds every
outcome into the crawl state.

:mod:`.plan` says what one run covers and how its workers talk to the registry, :mod:`.pool` runs it
(:class:`~ttb_cola.scheduler.pool.Scheduler`), :mod:`.work` holds the units of work its workers run
and the plan of the partitions left to probe, :mod:`.report` holds what it did and what its workers
send, :mod:`.deferral` what its budget leaves for the next run, and :mod:`.listing` folds a completed
date's listing into the receipt partitions.
"""
