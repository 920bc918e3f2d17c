"""The documented exit statuses of every ``ttb-cola`` command (README, "Output")."""

EXIT_OK = 0
#: A partition or completed date failed (the next run retries it).
EXIT_FAILED = 1
#: Bad input: one line on stderr, nothing written.
EXIT_USAGE = 2
#: The registry blocked the run (CAPTCHA after all retries).
EXIT_BLOCKED = 3
#: The run budget (max_minutes / max_requests) was reached: what was loaded is committed, the rest is
#: left; rerun the same command to resume (sysexits' EX_TEMPFAIL: "try again later").
EXIT_BUDGET = 75
#: Interrupted (Ctrl-C).
EXIT_INTERRUPTED = 130
