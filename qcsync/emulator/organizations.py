"""Organizations and accounts: ``organizations/read|list`` (qc-api.md §4.6), an organization's tier
(its file quotas) and the users the emulator knows (collaborator candidates). A base class of
``store.Store``; every emulated organization is the caller's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qcsync.emulator import content
from qcsync.emulator.records import Records


class Organizations(Records):
    """Operations on organizations and known users."""

    def organization_ids(self) -> tuple[str, str | None]:
        """The preferred organization's id and the first other one's (None if there is none)."""
        with self._lock:
            self._sweep()
            preferred = self._organization(None)["id"]
            others = [o["id"] for o in self._organizations if o["id"] != preferred]
            return preferred, (others[0] if others else None)

    def read_organization(self, organization_id: str | None) -> dict[str, Any]:
        with self._lock:
            self._sweep()
            org = self._organization(organization_id)
            uid = int(self._user_id) if self._user_id.isdigit() else 0
            return {
                "id": org["id"],
                "name": org["name"],
                "seats": org["seats"],
                "type": org["type"],
                "credit": {"movements": [], "balance": 0},
                "products": [],
                "data": {"signedTime": None, "current": False},
                "members": [
                    {
                        "id": uid,
                        "name": org["ownerName"],
                        "isAdmin": True,
                        "email": "emulator@example.com",
                    }
                ],
                "objectStoreExportDerivative": False,
            }

    def list_organizations(self) -> list[dict[str, Any]]:
        with self._lock:
            self._sweep()
            return [
                {
                    "id": o["id"],
                    "name": o["name"],
                    "type": o["type"],
                    # The caller owns every emulated organization; the service says so as "You",
                    # which is how lean-cli's `whoami` finds the personal organization.
                    "ownerName": "You",
                    "members": 1,
                    "preferred": o["preferred"],
                }
                for o in self._organizations
            ]

    def set_tier(self, organization_id: str | None, tier: str) -> None:
        """Change an organization's tier (its file quotas); persisted."""
        with self._lock:
            self._organization(organization_id)["tier"] = content.check_tier(tier)
            self._settings_changed()

    def add_user(self, user: Mapping[str, Any]) -> dict[str, Any]:
        """Make a user known (a collaborator candidate); persisted."""
        with self._lock:
            self._load_users([dict(user)])
            self._settings_changed()
            return dict(self._users[str(user["publicId"])])
