"""A stand-alone emulator of the QuantConnect REST API v2, for tests, ``--sandbox`` and offline use.

It is a second, independent reading of the API documentation (qc-api.md), so it imports nothing
from the rest of qcsync, only the standard library; tests/emulator enforce that boundary.

Modules: ``server`` (the ``Emulator`` object: lifecycle, test hooks, one request through
routing, authentication, faults and the request log), ``httpserver`` (HTTP on loopback),
``routes`` and ``content_routes`` (one handler per endpoint), ``auth`` (signature check),
``faults`` (failure injection), ``request`` (query/JSON/form parsing), ``store`` (the ``Store``,
built from a state file or a ``seed``) over ``records`` (the data, the lock, the clock,
persistence with ``journal``) and one module of operations per area: ``projects`` (and the
Recycle Bin), ``nodes``, ``organizations`` (and known users), ``projectfiles``, ``libraries``,
``collaboration`` (collaborators and the lock); ``content`` (pure content rules and quotas),
``patch`` (``files/patch``), ``refusal`` (the business error), ``__main__`` (command line).
"""

from qcsync.emulator.faults import Fault
from qcsync.emulator.seed import default_seed
from qcsync.emulator.server import Emulator, RequestRecord

__all__ = ["Emulator", "Fault", "RequestRecord", "default_seed"]
