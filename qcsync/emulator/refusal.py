"""The one exception every emulator operation raises for a request the service refuses."""

from __future__ import annotations


class BusinessError(Exception):
    """A request the service refuses with HTTP 200 and ``success: false``."""
