"""Ctrl-C during an apply, as a value the applier polls (the CLI turns SIGINT into requests).

The first request stops new changes from starting while those in flight finish; the second
abandons those in flight (their outcome is then unknown). Thread-safe; no signal handling here.
"""

from __future__ import annotations

import threading


class Interrupt:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self.stop = threading.Event()
        self.abandon = threading.Event()

    def request(self) -> None:
        with self._lock:
            self._requests += 1
            self.stop.set()
            if self._requests >= 2:
                self.abandon.set()
