"""A stand-alone emulator of the QuantConnect REST API v2, for tests, ``--sandbox`` and offline use.

It is a second, independent reading of the API documentation (qc-api.md), so it imports nothing
from the rest of qcsync, only the standard library; tests/emulator enforce that boundary.

Modules: ``seed`` (the default account and the seed format), ``store`` (state and operations),
``projectcontent`` (files, parameters, libraries, collaborators, the lock; a base of the store),
``content`` (their pure rules and quotas), ``patch`` (``files/patch``), ``content_routes`` (their
handlers), ``refusal`` (the business error),
``request`` (query/JSON/form parsing), ``auth`` (signature check), ``faults`` (failure injection),
``server`` (HTTP, envelope, request log and the ``Emulator`` object), ``__main__`` (command line).
"""

from qcsync.emulator.faults import Fault
from qcsync.emulator.seed import default_seed
from qcsync.emulator.server import Emulator, RequestRecord

__all__ = ["Emulator", "Fault", "RequestRecord", "default_seed"]
