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


def all_at_once(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Every call at once, the last in this thread and the others in daemon threads (as in
    `concurrently`); the first error propagates, after all are done. For a handful of calls
    (each aspect's read of one project for a backup); the client's in-flight bound caps the
    requests they send together."""
    if len(calls) <= 1:
        return [call() for call in calls]
    *others, last = calls
    found: dict[int, T] = {}
    failure: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        try:
            found[index] = call()
        except BaseException as error:
            failure.append(error)

    threads = [
        threading.Thread(target=run, args=(i, call), name="qcsync-concurrently", daemon=True)
        for i, call in enumerate(others)
    ]
    for thread in threads:
        thread.start()
    try:
        found[len(others)] = last()
    finally:
        for thread in threads:
            thread.join()
    if failure:
        raise failure[0]
    return [found[i] for i in range(len(calls))]
