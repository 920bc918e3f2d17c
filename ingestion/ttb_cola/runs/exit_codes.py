"""The documented exit statuses of every ``ttb-cola`` command (README, "Output")."""

EXIT_OK = 0
#: A partition or completed date failed (the next run retries it).
EXIT_FAILED = 1
#: Bad input: one line on stderr, nothing written.
EXIT_USAGE = 2
#: The registry blocked the run or stopped answering during it (a CAPTCHA after all retries, or the
#: circuit breaker: K unavailable/unknown answers, or a few HTTP 403s, in a row); the run stopped.
EXIT_BLOCKED = 3
#: The run budget (max_minutes / max_requests) was reached: what was loaded is committed, the rest is
#: left; rerun the same command to resume (sysexits' EX_TEMPFAIL: "try again later").
EXIT_BUDGET = 75
#: The registry could not be reached before the run started (outage, maintenance): nothing written.
EXIT_UNAVAILABLE = 4
#: The run finished, but some COLAs could not be read and were parked (``crawl_parked``): everything
#: else is loaded and the crawl walked on past them; every later run retries them.
EXIT_PARKED = 5
#: Interrupted (Ctrl-C).
EXIT_INTERRUPTED = 130
#: A DuckDB file the command must write is held open by another process (named in the one-line
#: message): close it and rerun. Analysts read the published ``data/analytics.duckdb`` instead.
EXIT_HELD = 6
#: A TTB open file (List of Permittees, processing times) was refused: empty, cut, a wrong header or an
#: unknown shape (named in the one-line message); nothing of its week or day was written.
EXIT_REFUSED = 8
