"""Bounded concurrency for reads and writes: the one place threads are started for a map.

state.py, apply.py and the workflows read through `bounded_map`, so `--parallelism` bounds every
burst of requests the same way (DESIGN.md §5).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")

DEFAULT_PARALLELISM = 8


def bounded_map(fn: Callable[[T], R], items: Sequence[T], parallelism: int) -> list[R]:
    """`map` over a thread pool of at most `parallelism` workers; the first error propagates."""
    if len(items) <= 1 or parallelism <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(parallelism, len(items))) as pool:
        return list(pool.map(fn, items))


def concurrently(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """Both calls at once, `second` in this thread; the first error propagates (after both
    are done). The client's in-flight bound still caps the requests they send together.
    `first` runs in a daemon thread, like apply's workers, so that a change abandoned by a
    second Ctrl-C does not keep the process alive."""
    outcome: list[A] = []
    failure: list[BaseException] = []

    def run_first() -> None:
        try:
            outcome.append(first())
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=run_first, name="qcsync-concurrently", daemon=True)
    thread.start()
    try:
        other = second()
    finally:
        thread.join()
    if failure:
        raise failure[0]
    return outcome[0], other
