"""Settle the process before it parses many pages in a row (``ttb-cola reparse``).

Two costs that have nothing to do with the pages: each garbage collection the parser's short-lived
objects set off rescans every object the imports made (dlt's are many, and live as long as the
process), and glibc hands the heap's freed top back to the system whenever more than a small, moving
threshold is free, so each page's tree, freed, is faulted in again by the next one. Both cost the form
parser about 40% of its time; neither changes what it reads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

#: glibc's mallopt parameter for the free memory kept at the top of the heap.
_M_TRIM_THRESHOLD = -1
#: Free heap kept for reuse instead of being handed back after every page (several trees' worth).
KEEP_FREE_BYTES = 16 << 20


def settle_for_parsing() -> None:
    """Freeze the objects alive now out of the collector, and keep freed heap for the next page."""
    gc.freeze()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, musl): its allocator is left as it is
        return
    mallopt(_M_TRIM_THRESHOLD, KEEP_FREE_BYTES)


__all__ = ["KEEP_FREE_BYTES", "settle_for_parsing"]
