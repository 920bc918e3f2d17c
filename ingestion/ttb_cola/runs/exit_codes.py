"""The documented exit statuses of every ``ttb-cola`` command (README, "Output")."""

EXIT_OK = 0
#: A partition or completed date failed (the next run retries it).
EXIT_FAILED = 1
#: Bad input: one line on stderr, nothing written.
EXIT_USAGE = 2
#: The registry blocked the run (CAPTCHA after all retries).
EXIT_BLOCKED = 3
#: Interrupted (Ctrl-C).
EXIT_INTERRUPTED = 130
