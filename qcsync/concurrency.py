"""Bounded concurrency for reads and writes: the one place threads are started for a map.

state.py, apply.py and the workflows read through `bounded_map`, so `--parallelism` bounds every
burst of requests the same way (DESIGN.md §5).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_PARALLELISM = 8


def bounded_map(fn: Callable[[T], R], items: Sequence[T], parallelism: int) -> list[R]:
    """`map` over a thread pool of at most `parallelism` workers; the first error propagates."""
    if len(items) <= 1 or parallelism <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(parallelism, len(items))) as pool:
        return list(pool.map(fn, items))
