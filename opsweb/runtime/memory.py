"""Keeping big downloads from leaving memory behind.

Streaming a whole log moves hundreds of 1 MiB blocks through a worker thread (the
upstream answer, its JSON string, the piece sent on). Python frees each at once, but
glibc raises its mmap threshold each time such a block is freed, after which blocks of
that size come from per-thread arenas that keep the space: measured under waitress
(16 threads), every 50 MB download left ~28 MB of RSS behind, without end (issue 10,
item 13). Pinning the threshold at glibc's own default (128 KiB) keeps big blocks
mmapped, so they go back to the system when freed; with it, ten 50 MB downloads in a
row leave RSS where it was (bench/log_follow.py). Elsewhere than glibc this does
nothing. It is process-wide, so it is done only once a download starts.
"""
from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3
BIG_BLOCK = 128 * 1024

try:
    _mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
except (OSError, AttributeError):  # not glibc
    _mallopt = None
_pinned = False


def return_big_blocks() -> None:
    """Make blocks of BIG_BLOCK bytes and more go back to the system when freed."""
    global _pinned
    if not _pinned and _mallopt is not None:
        _mallopt(M_MMAP_THRESHOLD, BIG_BLOCK)
    _pinned = True
