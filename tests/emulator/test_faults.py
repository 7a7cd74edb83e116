"""Injected and random faults: 5xx, 429 with Retry-After, timeout, lost response, business error."""

from __future__ import annotations

import contextlib
import time

import pytest
import requests

from qcsync.emulator import Emulator, Fault
from tests.emulator.api import call, create, ok
from tests.emulator_fixtures import EmulatorFactory

CREATE = {"name": "Faulty", "language": "Py"}


def _count(emulator: Emulator, name: str) -> int:
    return sum(1 for p in emulator.projects() if p["name"] == name)


@pytest.mark.parametrize(
    ("fault", "status"), [(Fault.http_500(), 500), (Fault.http_status(503), 503)]
)
def test_a_server_error_answers_without_acting(
    emulator: Emulator, fault: Fault, status: int
) -> None:
    emulator.inject("projects/create", fault)
    response = call(emulator, "projects/create", json=CREATE)
    assert response.status_code == status
    assert response.json()["success"] is False
    assert _count(emulator, "Faulty") == 0
    assert emulator.requests[-1].fault == f"http_{status}"
    create(emulator, "Faulty")  # only the next call was faulty
    assert _count(emulator, "Faulty") == 1


def test_rate_limiting_answers_429_with_retry_after(emulator: Emulator) -> None:
    emulator.inject("projects/read", Fault.rate_limited(retry_after=3), times=2)
    assert [call(emulator, "projects/read").status_code for _ in range(3)] == [429, 429, 200]
    assert emulator.requests[0].status == 429
    response = call(emulator, "authenticate")
    assert response.status_code == 200
    emulator.inject("authenticate", Fault.rate_limited(retry_after=3))
    assert call(emulator, "authenticate").headers["Retry-After"] == "3"


def test_a_timeout_makes_the_client_give_up_and_does_not_act(emulator: Emulator) -> None:
    emulator.inject("projects/create", Fault.timeout(seconds=0.6))
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        call(emulator, "projects/create", json=CREATE, timeout=0.2)
    assert time.monotonic() - started < 0.5
    time.sleep(0.6)
    assert _count(emulator, "Faulty") == 0


def test_a_timeout_answers_504_to_a_patient_client(emulator: Emulator) -> None:
    emulator.inject("projects/read", Fault.timeout(seconds=0.1))
    assert call(emulator, "projects/read").status_code == 504


def test_a_lost_response_performs_the_write_but_drops_the_connection(emulator: Emulator) -> None:
    emulator.inject("projects/create", Fault.lost_response())
    with pytest.raises(requests.ConnectionError):
        call(emulator, "projects/create", json=CREATE)
    assert _count(emulator, "Faulty") == 1
    (record,) = emulator.writes()
    assert (record.status, record.fault, record.authorized) == (0, "lost_response", True)


def test_a_business_error_is_http_200_with_success_false(emulator: Emulator) -> None:
    emulator.inject("projects/update", Fault.business_error("Project is locked"))
    pid = create(emulator, "Locked")["projectId"]
    response = call(emulator, "projects/update", json={"projectId": pid, "name": "Renamed"})
    assert response.status_code == 200
    assert response.json() == {"success": False, "errors": ["Project is locked"]}
    assert emulator.project(pid)["name"] == "Locked"  # type: ignore[index]


def test_faults_are_not_spent_on_unauthorized_requests(emulator: Emulator) -> None:
    emulator.inject("authenticate", Fault.http_500())
    assert call(emulator, "authenticate", headers={}).status_code == 401
    assert call(emulator, "authenticate").status_code == 500


def test_an_endpoint_with_a_leading_slash_is_the_same_endpoint(emulator: Emulator) -> None:
    emulator.inject("/projects/read", Fault.http_500())
    assert call(emulator, "projects/read").status_code == 500


def test_a_random_fault_rate_is_repeatable_with_a_seed(emulator_factory: EmulatorFactory) -> None:
    def statuses() -> list[int]:
        emulator = emulator_factory(fault_rate=0.5, random_seed=7, latency_ms=0)
        result = []
        for _ in range(12):
            try:
                result.append(call(emulator, "authenticate", timeout=0.3).status_code)
            except requests.RequestException as error:
                result.append(-1 if isinstance(error, requests.Timeout) else 0)
        return result

    first = statuses()
    assert first == statuses()
    assert 200 in first
    assert set(first) - {200}


def test_a_fault_rate_outside_zero_to_one_is_rejected() -> None:
    with pytest.raises(ValueError, match="fault_rate"):
        Emulator(fault_rate=1.5)


def test_an_ok_call_after_all_faults_is_logged_without_fault(emulator: Emulator) -> None:
    ok(emulator, "authenticate")
    assert emulator.requests[-1].fault == ""


def test_a_slow_answer_still_lands_after_the_client_gave_up(emulator: Emulator) -> None:
    emulator.inject("projects/create", Fault.slow(seconds=1.0))
    with pytest.raises(requests.Timeout):
        call(emulator, "projects/create", json=CREATE, timeout=0.1)
    assert _count(emulator, "Faulty") == 0  # not yet
    deadline = time.monotonic() + 5
    while _count(emulator, "Faulty") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _count(emulator, "Faulty") == 1
    (record,) = emulator.writes()
    assert (record.status, record.fault) == (200, "slow")


def test_a_slow_answer_reaches_a_patient_client(emulator: Emulator) -> None:
    emulator.inject("projects/create", Fault.slow(seconds=0.1))
    response = call(emulator, "projects/create", json=CREATE)
    assert response.status_code == 200
    assert response.json()["projects"][0]["name"] == "Faulty"


def test_random_timeouts_and_slow_answers_take_fault_seconds(
    emulator_factory: EmulatorFactory,
) -> None:
    emulator = emulator_factory(fault_rate=1.0, random_seed=3, fault_seconds=0.05)
    started = time.monotonic()
    kinds = set()
    for _ in range(20):
        with contextlib.suppress(requests.RequestException):
            call(emulator, "authenticate", timeout=2)
        kinds.add(emulator.requests[-1].fault)
    assert {"timeout", "slow"} <= kinds
    assert time.monotonic() - started < 10  # 0.05 s each, not the default 2 s


def test_negative_fault_seconds_are_rejected() -> None:
    with pytest.raises(ValueError, match="fault_seconds"):
        Emulator(fault_seconds=-1)


def test_the_fault_rate_can_be_switched_on_and_off_while_serving(emulator: Emulator) -> None:
    emulator.set_fault_rate(1.0, random_seed=1)
    with contextlib.suppress(requests.RequestException):
        call(emulator, "authenticate", timeout=5)
    assert emulator.requests[-1].fault != ""
    emulator.set_fault_rate(0.0)
    assert [call(emulator, "authenticate").status_code for _ in range(5)] == [200] * 5
    with pytest.raises(ValueError, match="fault_rate"):
        emulator.set_fault_rate(2.0)
