"""The reparse's settled heap keeps large freed blocks for reuse: they are not mapped and faulted in afresh."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

pytestmark = [
    pytest.mark.integration,  # each case needs a fresh process: the allocator's settings last a process's life
    pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the settings are glibc's"),
]

#: Allocates, touches and frees a 1 MiB block 20 times after the given settings; prints the page faults.
_CYCLES = """
import ctypes, ctypes.util, resource, sys
from ttb_cola.heap import KEEP_FREE_BYTES, settle_for_parsing

libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[1] == "settled":
    settle_for_parsing()
else:  # the trim threshold alone, as the reparse once set it
    libc.mallopt(-1, KEEP_FREE_BYTES)
size = 1 << 20


def cycle():
    block = libc.malloc(size)
    ctypes.memset(block, 1, size)
    libc.free(block)


cycle()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    cycle()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
_PAGES_PER_BLOCK = (1 << 20) // 4096


def _faults(settings: str) -> int:
    return int(subprocess.run([sys.executable, "-c", _CYCLES, settings], capture_output=True, text=True,
                              check=True).stdout)


def test_a_settled_heap_reuses_large_blocks_where_the_trim_threshold_alone_maps_each_afresh() -> None:
    assert _faults("trim only") >= 20 * _PAGES_PER_BLOCK // 2  # every block mapped anew, each page faulted in
    assert _faults("settled") < _PAGES_PER_BLOCK  # the first block's pages, reused for the other 19
