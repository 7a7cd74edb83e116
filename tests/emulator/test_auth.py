"""Authentication exactly as qc-api.md §2: signature, timestamp age, 401 and the 200 mode."""

from __future__ import annotations

import base64
import time

import pytest

from qcsync.emulator import Emulator
from tests.emulator.api import call, signed_headers
from tests.emulator_fixtures import EmulatorFactory

NOW = 1_750_000_000


def test_a_correctly_signed_request_authenticates(emulator: Emulator) -> None:
    response = call(emulator, "authenticate", json={})
    assert response.status_code == 200
    assert response.json() == {"success": True}


def test_authenticate_accepts_get_as_lean_cli_sends_it(emulator: Emulator) -> None:
    response = call(emulator, "authenticate", method="GET")
    assert response.json()["success"] is True


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "no headers"),
        ({"Timestamp": str(NOW)}, "no Authorization"),
        ({"Authorization": "Bearer abc", "Timestamp": str(NOW)}, "not Basic"),
        ({"Authorization": "Basic !!!notbase64", "Timestamp": str(NOW)}, "bad base64"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_missing_or_malformed_credentials_are_refused_with_401(
    emulator: Emulator, headers: dict[str, str], why: str
) -> None:
    response = call(emulator, "projects/read", headers=headers)
    assert response.status_code == 401, why
    assert response.headers["WWW-Authenticate"] == "Basic"
    body = response.json()
    assert body["success"] is False
    assert body["errors"][0].startswith("Hash doesn't match.")


def test_a_missing_timestamp_header_is_refused(emulator: Emulator) -> None:
    headers = signed_headers(emulator.user_id, emulator.token)
    del headers["Timestamp"]
    assert call(emulator, "projects/read", headers=headers).status_code == 401


def test_a_hash_made_with_the_wrong_token_is_refused_and_the_token_is_not_echoed(
    emulator: Emulator,
) -> None:
    headers = signed_headers(emulator.user_id, "not-the-token")
    response = call(emulator, "projects/read", headers=headers)
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error == f"Hash doesn't match. UID: {emulator.user_id} Timestamp: {headers['Timestamp']}"
    assert emulator.token not in response.text


def test_a_wrong_user_id_is_refused(emulator: Emulator) -> None:
    headers = signed_headers("999", emulator.token)
    assert call(emulator, "projects/read", headers=headers).status_code == 401


def test_a_timestamp_header_that_differs_from_the_hashed_one_is_refused(emulator: Emulator) -> None:
    headers = signed_headers(emulator.user_id, emulator.token)
    headers["Timestamp"] = str(int(headers["Timestamp"]) - 1)
    assert call(emulator, "projects/read", headers=headers).status_code == 401


def test_a_token_put_in_the_user_id_slot_is_not_echoed(emulator: Emulator) -> None:
    basic = base64.b64encode(f"{emulator.token}:abc".encode()).decode()
    response = call(
        emulator, "projects/read", headers={"Authorization": f"Basic {basic}", "Timestamp": "1"}
    )
    assert response.status_code == 401
    assert emulator.token not in response.text


@pytest.mark.parametrize(
    ("age", "accepted"),
    [(0, True), (20, True), (21, False), (-21, False), (3600, False)],
    ids=["fresh", "at-max-age", "just-expired", "future", "hour-old"],
)
def test_the_timestamp_must_be_within_the_configured_maximum_age(
    emulator_factory: EmulatorFactory, age: int, accepted: bool
) -> None:
    emulator = emulator_factory(max_age_seconds=20, clock=lambda: float(NOW))
    headers = signed_headers(emulator.user_id, emulator.token, timestamp=NOW - age)
    response = call(emulator, "projects/read", headers=headers)
    assert (response.status_code == 200) is accepted
    if not accepted:
        assert "too old" in response.json()["errors"][0]


def test_the_default_maximum_age_is_1800_seconds(emulator_factory: EmulatorFactory) -> None:
    emulator = emulator_factory(clock=lambda: float(NOW))
    fresh = signed_headers(emulator.user_id, emulator.token, timestamp=NOW - 1800)
    stale = signed_headers(emulator.user_id, emulator.token, timestamp=NOW - 1801)
    assert call(emulator, "authenticate", headers=fresh).status_code == 200
    assert call(emulator, "authenticate", headers=stale).status_code == 401


def test_in_200_mode_an_auth_failure_is_http_200_with_the_same_body(
    emulator_factory: EmulatorFactory,
) -> None:
    emulator = emulator_factory(auth_failure_status=200)
    response = call(emulator, "projects/read", headers=signed_headers(emulator.user_id, "wrong"))
    assert response.status_code == 200
    assert "WWW-Authenticate" not in response.headers
    body = response.json()
    assert body["success"] is False
    assert body["errors"][0].startswith("Hash doesn't match.")


def test_a_refused_request_performs_no_action(emulator: Emulator) -> None:
    before = len(emulator.projects())
    headers = signed_headers(emulator.user_id, "wrong")
    call(emulator, "projects/create", headers=headers, json={"name": "X", "language": "Py"})
    assert len(emulator.projects()) == before
    assert emulator.writes() == []
    assert emulator.requests[-1].authorized is False


def test_a_random_token_is_made_when_none_is_given() -> None:
    first, second = Emulator(), Emulator()
    assert len(first.token) == 64
    assert first.token != second.token
    assert first.token not in repr(first)


def test_headers_signed_a_moment_ago_still_work(emulator: Emulator) -> None:
    headers = signed_headers(emulator.user_id, emulator.token, timestamp=int(time.time()) - 5)
    assert call(emulator, "authenticate", headers=headers).status_code == 200
