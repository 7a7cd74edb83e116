"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.emulator_fixtures"]

REPO = Path(__file__).resolve().parent.parent
SPEC_NAME = "QuantConnect-Platform-2.0.0.yaml"


def spec_path() -> Path | None:
    """QuantConnect's OpenAPI file: $QCSYNC_SPEC, else ../shared/spec/ beside the clone."""
    candidates = [
        os.environ.get("QCSYNC_SPEC", ""),
        str(REPO.parent / "shared" / "spec" / SPEC_NAME),
    ]
    for candidate in candidates:
        if not candidate:
            continue
        path = Path(candidate)
        if path.is_dir():
            path = path / SPEC_NAME
        if path.is_file():
            return path
    return None


@pytest.fixture(scope="session")
def openapi_spec_path() -> Path:
    path = spec_path()
    if path is None:
        pytest.skip(
            "QuantConnect's OpenAPI file not found: set QCSYNC_SPEC or put the shared/spec folder "
            "beside this clone (CI always has it)"
        )
    return path
