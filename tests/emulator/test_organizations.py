"""organizations/read and organizations/list with the fields lean-cli requires (qc-api.md §4.9)."""

from __future__ import annotations

import re

from qcsync.emulator import Emulator
from tests.emulator.api import ok, refused


def test_read_without_an_id_is_the_preferred_organization(emulator: Emulator) -> None:
    organization = ok(emulator, "organizations/read")["organization"]
    assert organization["id"] == emulator.preferred_organization_id
    assert re.fullmatch(r"[0-9a-f]{32}", organization["id"])
    assert set(organization) >= {
        "id",
        "name",
        "seats",
        "type",
        "credit",
        "products",
        "data",
        "members",
    }
    assert set(organization["credit"]) == {"movements", "balance"}
    assert set(organization["members"][0]) == {"id", "name", "isAdmin", "email"}


def test_read_by_id_returns_that_organization(emulator: Emulator) -> None:
    body = ok(
        emulator, "organizations/read", json={"organizationId": emulator.other_organization_id}
    )
    assert body["organization"]["id"] == emulator.other_organization_id


def test_read_of_an_unknown_organization_is_refused(emulator: Emulator) -> None:
    refused(emulator, "organizations/read", json={"organizationId": "0" * 32})


def test_list_names_both_organizations_and_marks_the_preferred_one(emulator: Emulator) -> None:
    organizations = ok(emulator, "organizations/list")["organizations"]
    assert {o["id"]: o["preferred"] for o in organizations} == {
        emulator.preferred_organization_id: True,
        emulator.other_organization_id: False,
    }
    for organization in organizations:
        assert set(organization) == {"id", "name", "type", "ownerName", "members", "preferred"}
