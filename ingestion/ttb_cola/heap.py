"""Settle the process before it parses many pages in a row (``ttb-cola reparse``).

Two costs that have nothing to do with the pages: each garbage collection the parser's short-lived
objects set off rescans every object the imports made (dlt's are many, and live as long as the
process), and glibc hands the heap's freed top back to the system whenever more than a small, moving
threshold is free, so each page's tree, freed, is faulted in again by the next one. Both cost the form
parser about 40% of its time; neither changes what it reads.

Fixing that threshold also fixes, in glibc, the one at which a block gets its own mapping, which glibc
otherwise raises as large blocks are freed: left at its 128 KiB start, every large block (DuckDB's, as the
reparse loads the warehouse and checkpoints it) would be mapped fresh and faulted in page by page, so it is
set where glibc would raise it to.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

#: glibc's mallopt parameters: the free memory kept at the top of the heap, and the size from which a block
#: gets a mapping of its own.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: Free heap kept for reuse instead of being handed back after every page (several trees' worth).
KEEP_FREE_BYTES = 16 << 20
#: Blocks below this come from the heap, freed ones reused: glibc's own ceiling for the threshold it raises
#: (``DEFAULT_MMAP_THRESHOLD_MAX`` on 64-bit systems).
OWN_MAPPING_BYTES = 32 << 20


def settle_for_parsing() -> None:
    """Freeze the objects alive now out of the collector, and keep freed heap for the next page."""
    gc.freeze()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, musl): its allocator is left as it is
        return
    mallopt(_M_TRIM_THRESHOLD, KEEP_FREE_BYTES)
    mallopt(_M_MMAP_THRESHOLD, OWN_MAPPING_BYTES)


__all__ = ["KEEP_FREE_BYTES", "OWN_MAPPING_BYTES", "settle_for_parsing"]
