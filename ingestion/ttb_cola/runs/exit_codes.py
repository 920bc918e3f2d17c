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
#: A DuckDB file the command must write is held open by another process, or another run holds the
#: destination's lock (named in the one-line message): close it, or let the run finish, and rerun.
#: Analysts read the published ``data/analytics.duckdb`` instead.
EXIT_HELD = 6
#: A TTB open file (List of Permittees, processing times) was refused: empty, cut, a wrong header or an
#: unknown shape (named in the one-line message); nothing of its week or day was written.
EXIT_REFUSED = 8

#: Each status in a few words, for ``--help`` (README, "Output", says more).
MEANINGS = {
    EXIT_OK: "done",
    EXIT_FAILED: "a partition, completed date or step failed (the next run retries it)",
    EXIT_USAGE: "bad input or a damaged or unwritable file: one line, nothing written",
    EXIT_BLOCKED: "the registry blocked the run or stopped answering; it stopped",
    EXIT_UNAVAILABLE: "the registry could not be reached before the run: nothing written",
    EXIT_PARKED: "finished, but some COLAs are parked (every run retries them)",
    EXIT_HELD: "another process holds the DuckDB file, or another run the destination's lock",
    EXIT_BUDGET: "the budget (max_minutes / max_requests) is spent: rerun to resume",
    EXIT_REFUSED: "a TTB open file was refused (empty, cut, wrong header): nothing of it written",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C): what was confirmed is committed",
}


def exit_codes_epilog(codes: tuple[int, ...] | None = None) -> str:
    """The exit statuses ``codes`` (default: all), one a line, for a command's ``--help``."""
    return "exit status:\n" + "\n".join(f"  {code:>3}  {MEANINGS[code]}" for code in sorted(codes or MEANINGS))
