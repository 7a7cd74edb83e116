"""pytest plugin: a running QuantConnect API emulator per test (registered in tests/conftest.py).

Fixtures:
- ``emulator``: a started ``Emulator`` on 127.0.0.1 (free port), default seed, state in tmp_path.
- ``emulator_factory``: ``emulator_factory(**Emulator kwargs) -> started Emulator``; every emulator
  it makes is stopped after the test. ``state_path`` defaults to a fresh file in tmp_path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from qcsync.emulator import Emulator

EmulatorFactory = Callable[..., Emulator]


@pytest.fixture
def emulator_factory(tmp_path: Path) -> Iterator[EmulatorFactory]:
    started: list[Emulator] = []

    def make(**kwargs: Any) -> Emulator:
        kwargs.setdefault("state_path", tmp_path / f"emulator-state-{len(started)}.json")
        emulator = Emulator(**kwargs)
        emulator.start("127.0.0.1", 0)
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emulator(emulator_factory: EmulatorFactory) -> Emulator:
    return emulator_factory()
