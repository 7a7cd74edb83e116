"""The client's calls for parameters, library links, collaborators and the lock, against the
emulator over HTTP: what they send (encodings, spec field names), what they read back, and how
a lost answer to a write that must not be repeated is settled by a read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qcsync.client import QCClient
from qcsync.emulator import Emulator, Fault
from qcsync.errors import ApiError
from qcsync.model import Collaborator, LibraryLink, Parameter
from tests.integration.test_client import make_client
from tests.openapi import request_validator


@pytest.fixture
def client(emulator: Emulator) -> Iterator[QCClient]:
    with make_client(emulator, create_settle=0.0) as qc:
        yield qc


def _sent(emulator: Emulator, endpoint: str) -> list[dict[str, Any]]:
    return [r.params for r in emulator.requests if r.endpoint == endpoint]


def test_parameters_are_sent_form_encoded_and_read_back(
    emulator: Emulator, client: QCClient
) -> None:
    pid = emulator.add_project("Client/Params")
    wanted = (Parameter("slow", "50"), Parameter("fast", "0"), Parameter("name", ""))
    client.update_parameters(pid, wanted)
    assert client.read_project(pid).parameters == wanted
    # Form values arrive as strings: a JSON body would carry projectId as a number.
    assert _sent(emulator, "projects/update")[-1] == {
        "projectId": str(pid),
        "parameters": [
            {"key": "slow", "value": "50"},
            {"key": "fast", "value": "0"},
            {"key": "name", "value": ""},
        ],
    }
    assert [r.encoding for r in emulator.requests if r.endpoint == "projects/update"] == ["form"]
    client.update_parameters(pid, ())
    assert client.read_project(pid).parameters == ()
    assert _sent(emulator, "projects/update")[-1] == {"projectId": str(pid), "parameters": ""}


def test_library_links_round_trip_and_a_lost_answer_is_settled_by_a_read(
    emulator: Emulator, client: QCClient
) -> None:
    pid = emulator.add_project("Client/Uses")
    library = emulator.add_project("Library/ClientTools")
    emulator.inject("projects/library/create", Fault.lost_response())
    client.link_library(pid, library)
    assert client.read_project(pid).libraries == (LibraryLink(library, "Library/ClientTools"),)
    assert len(_sent(emulator, "projects/library/create")) == 1
    emulator.inject("projects/library/delete", Fault.lost_response())
    client.unlink_library(pid, library)
    assert client.read_project(pid).libraries == ()
    assert len(_sent(emulator, "projects/library/delete")) == 1
    with pytest.raises(ApiError, match="Library/"):
        client.link_library(pid, emulator.add_project("Not A Library"))


def test_collaborators_round_trip_with_spec_request_bodies(
    emulator: Emulator, client: QCClient, openapi_spec_path: Path
) -> None:
    pid = emulator.add_project("Client/Team")
    emulator.inject("projects/collaboration/create", Fault.lost_response())
    client.add_collaborator(pid, "mia-ai", write=False, live_control=True)
    assert len(_sent(emulator, "projects/collaboration/create")) == 1
    client.update_collaborator(pid, "mia-ai", write=True, live_control=False)
    people = client.read_collaborators(pid)
    assert [(p.public_id, p.write, p.live_control, p.owner) for p in people] == [
        ("emulator-user", True, True, True),
        ("mia-ai", True, False, False),
    ]
    assert client.read_project(pid).collaborators == people
    client.acquire_lock(pid)
    client.update_file(pid, "main.py", "x = 1\n")
    emulator.inject("projects/collaboration/delete", Fault.lost_response())
    client.remove_collaborator(pid, "mia-ai")
    assert [p.public_id for p in client.read_collaborators(pid)] == ["emulator-user"]
    with pytest.raises(ApiError, match="User not found"):
        client.add_collaborator(pid, "nobody-at-all", write=True, live_control=False)
    for endpoint in (
        "projects/collaboration/create",
        "projects/collaboration/update",
        "projects/collaboration/delete",
        "projects/collaboration/read",
        "projects/collaboration/lock/acquire",
    ):
        for body in _sent(emulator, endpoint):
            request_validator(openapi_spec_path, endpoint)(body)


def test_a_file_write_to_a_shared_project_without_the_lock_fails(
    emulator: Emulator, client: QCClient
) -> None:
    pid = emulator.add_project("Client/Locked")
    client.add_collaborator(pid, "johnny_walker", write=True, live_control=False)
    with pytest.raises(ApiError, match="lock"):
        client.update_file(pid, "main.py", "x = 2\n")


def test_project_fields_for_files_are_parsed(emulator: Emulator, client: QCClient) -> None:
    pid = emulator.add_project("Client/Sealed")
    emulator.set_encrypted(pid)
    project = client.read_project(pid)
    assert (project.encrypted, project.max_file_size) == (True, 128 * 1024)
    assert project.collaborators == (
        Collaborator("emulator-user", True, True, True, "Emulator User"),
    )
