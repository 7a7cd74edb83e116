r"""The QuantConnect API client: a transport and one group of endpoints per API area.

| module        | owns                                                                   |
|---------------|------------------------------------------------------------------------|
| transport     | the one place requests go through: one signed POST per attempt         |
| signing       | the Authorization/Timestamp headers; a refused signature's message     |
| answers       | decoding an answer, mapping each failure (refused, unknown, final)     |
| retrying      | the retry policy: backoff, Retry-After, notices, the give-up message   |
| lostanswers   | writes never resent blindly: read back, settle, then resend            |
| wire          | the API's JSON -> qcsync's frozen values                               |
| organizations | `authenticate`, `organizations/read\|list`, the preferred organization |
| projects      | `projects/read\|create\|update\|delete`, parameters, library links     |
| nodes         | `projects/nodes/read\|update`, `nodes/read`                            |
| files         | `files/read\|create\|update\|delete`                                   |
| collaboration | `projects/collaboration/*` and the collaboration lock                  |

`QCClient` is all of them in one object, so callers keep one name for the API.
"""

from __future__ import annotations

from qcsync.client.collaboration import CollaborationEndpoints
from qcsync.client.files import FileEndpoints
from qcsync.client.nodes import NodeEndpoints
from qcsync.client.projects import ProjectEndpoints
from qcsync.client.signing import CLOCK_HINT, signature_headers
from qcsync.client.transport import FormBody, Transport
from qcsync.client.wire import parse_date
from qcsync.model import CreatedProject


class QCClient(ProjectEndpoints, NodeEndpoints, FileEndpoints, CollaborationEndpoints, Transport):
    """Typed access to the endpoints qcsync uses. Safe to share between threads."""


__all__ = [
    "CLOCK_HINT",
    "CreatedProject",
    "FormBody",
    "QCClient",
    "Transport",
    "parse_date",
    "signature_headers",
]
