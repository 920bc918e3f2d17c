"""Where a run loads: the DuckDB file (default) or the lake (dlt's filesystem destination), and the
lock that keeps runs on one destination one at a time."""
