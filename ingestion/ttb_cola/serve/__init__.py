"""Serving the published marts: the read-only HTTP API (``ttb-cola serve``) and the MCP server (``ttb-cola mcp``).

Both answer through :mod:`ttb_cola.serve.queries` over ``data/analytics.duckdb`` opened read-only; the
full-text index and the serving table they read are built into that file by ``ttb-cola publish``
(:mod:`ttb_cola.serve.search_index`).
"""
