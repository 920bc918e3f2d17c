"""Ground truth export: the public records of a receipt-date range as JSONL.

One JSON object per public COLA (as of the registry clock), the field names of ttb_cola.records plus
``completed_date``, in receipt date, method and sequence order, so tests and benchmarks can assert
recall and exact values of what the pipeline loaded. With ``labels``, what each COLA's labels state
instead (:func:`ttb_cola_sim.statements.statement_truth`): alcohol, net contents, vintage, age, where.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import IO

from ttb_cola_sim.registry import Registry

METHOD_ORDER = ["001", "002", "003", "000"]


def write_truth(registry: Registry, start: date, end: date, out: IO[str],
                methods: Iterable[str] | None = None, labels: bool = False) -> int:
    """Write the truth records received from ``start`` to ``end`` (inclusive), or with ``labels`` what their
    labels state; return how many."""
    from ttb_cola_sim.statements import statement_truth

    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for record in registry.records(start, end, list(methods or METHOD_ORDER)):
        if labels:
            record = {"ttb_id": record["ttb_id"],
                      **statement_truth(registry.seed, registry.raw(record["ttb_id"]) or record)}
        out.write(dumps(record))
        out.write("\n")
        count += 1
    return count
