"""`authenticate` and `organizations/*`."""

from __future__ import annotations

from qcsync.client.transport import Transport
from qcsync.model import (
    Organization,
)


class OrganizationEndpoints(Transport):
    """`authenticate` and `organizations/*`."""

    def authenticate(self) -> None:
        self._call("authenticate")

    def read_organization(self, organization_id: str | None = None) -> Organization:
        body = {"organizationId": organization_id} if organization_id else {}
        data = self._call("organizations/read", body)

        def parse() -> Organization:
            item = data["organization"]
            return Organization(id=str(item["id"]), name=str(item.get("name") or ""))

        return self._parsed("organizations/read", parse)

    def list_organizations(self) -> tuple[Organization, ...]:
        data = self._call("organizations/list")
        return self._parsed(
            "organizations/list",
            lambda: tuple(
                Organization(
                    id=str(o["id"]),
                    name=str(o.get("name") or ""),
                    preferred=bool(o.get("preferred")),
                )
                for o in data.get("organizations") or []
            ),
        )

    def preferred_organization_id(self) -> str:
        """`organizations/read` without an id answers with the preferred organization."""
        if self._preferred is None:
            self._preferred = self.read_organization().id
        return self._preferred
