"""Pausing Python's cyclic garbage collector for a whole evaluation.

A check or a batch partition builds millions of long-lived objects (events,
obligations, output rows) that hold almost no reference cycle, so each full
collection walks all of them and frees nothing: on 200,000 QMS events the
collector's passes were 40-50% of ``hanchot check`` (``benchmarks/check.py``).
Reference counting still frees everything. Only whole-process entry points (the
``check`` command, a batch worker's partition) pause it; the library never does.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block, restoring its state afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
