"""ttb-cola: the US TTB public COLA Registry as an analytics warehouse (a dlt source and its runs).

Re-exports only, resolved on first use so that importing a submodule (``ttb-cola parse``) never
pays for dlt: :func:`ttb_cola` and :func:`ttb_cola_archive` (the dlt sources, :mod:`ttb_cola.source` and
:mod:`ttb_cola.archive_source`)
and :class:`RunReport` (:mod:`ttb_cola.scheduler.report`).
"""

from __future__ import annotations

from ttb_cola.lazy_exports import lazy_exports

_EXPORTS = {
    "ttb_cola": "ttb_cola.source",
    "ttb_cola_archive": "ttb_cola.archive_source",
    "table_resources": "ttb_cola.tables",
    "RunReport": "ttb_cola.scheduler.report",
}


__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = sorted(_EXPORTS)
