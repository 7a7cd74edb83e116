"""QuantConnect's own CLI, `lean` (a client nobody here wrote), against `qcsync emulator`.

The `lean` package is installed from PyPI into a temporary venv (skipped, with the reason, where
that is impossible) and run unchanged as a new user would: `lean login`, `lean whoami`,
`lean cloud pull`, `lean cloud push` with an edited file and a new project, and
`lean cloud status`; the emulator's state is checked afterwards over raw HTTP.

lean talks to `http://localhost:5612/api/v2/` with `QC_API=local` (lean/constants.py), so the
emulator runs on its default port 5612 (skipped when the port is taken). Offline, lean cannot
fetch its brokerage catalogue (`modules-1.14.json`, read at import time from its CDN): an empty
one is put where lean caches it. `lean cloud pull` of a C# project needs Docker, so the seed has
Python projects only.

Set QCSYNC_LEAN to a `lean` executable to skip the install (a faster local loop).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import venv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.emulator.api import signed_headers

LEAN_VERSION = "1.0.230"
PORT = 5612
USER_ID = "424242"
TOKEN = "lean-test-token-0123456789abcdef"
ORG = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SEED = {
    "organizations": [
        {
            "id": ORG,
            "name": "Lean Desk",
            "preferred": True,
            "ownerName": "Lean Tester",
            "projects": [
                {
                    "name": "Strategies/Momentum",
                    "description": "pulled by lean",
                    "files": {"main.py": "# momentum\nprint('v1')\n", "lib/signals.py": "S = 1\n"},
                },
                {"name": "Scratch"},
            ],
        }
    ]
}


def _lean_executable(root: Path) -> Path:
    given = os.environ.get("QCSYNC_LEAN")
    if given:
        return Path(given)
    where = root / "venv"
    try:
        venv.EnvBuilder(with_pip=True).create(where)
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"cannot create a venv for lean: {error}")
    python = where / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         f"lean=={LEAN_VERSION}"],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if install.returncode != 0:
        tail = (install.stderr or install.stdout).strip().splitlines()[-1:] or ["no output"]
        pytest.skip(f"QuantConnect's lean {LEAN_VERSION} cannot be installed here: {tail[0]}")
    return where / "bin" / "lean"


def _offline_modules(lean: Path) -> None:
    """lean reads its brokerage catalogue at import; without its CDN, give it an empty one."""
    found = subprocess.run(
        [str(lean.parent / "python"), "-c",
         "import importlib.util as u; print(u.find_spec('lean').submodule_search_locations[0])"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if found.returncode == 0:
        modules = Path(found.stdout.strip()) / "modules-1.14.json"
        if not modules.exists():
            modules.write_text('{"modules": []}\n', encoding="utf-8")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def lean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    executable = _lean_executable(tmp_path_factory.mktemp("lean"))
    if not executable.exists():
        pytest.skip(f"no lean executable at {executable}")
    _offline_modules(executable)
    return executable


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """`qcsync emulator` on lean's local port, in its own process; yields the API URL."""
    if not _port_free(PORT):
        pytest.skip(f"port {PORT} (lean's QC_API=local address) is in use")
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(SEED), encoding="utf-8")
    log = tmp_path / "emulator.log"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "qcsync", "emulator", "--port", str(PORT),
             "--user-id", USER_ID, "--token", TOKEN, "--seed", str(seed),
             "--state", str(tmp_path / "state.json")],
            stdout=output, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{PORT}/api/v2/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.post(url + "authenticate", timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"qcsync emulator did not start: {log.read_text()}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def api(url: str, endpoint: str, **body: Any) -> dict[str, Any]:
    """One signed call to the emulator, to check what lean did."""
    answer = requests.post(
        url + endpoint, json=body, headers=signed_headers(USER_ID, TOKEN), timeout=5
    )
    data: dict[str, Any] = answer.json()
    assert data["success"] is True, data
    return data


def projects(url: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in api(url, "projects/read")["projects"]}


def files(url: str, pid: int) -> dict[str, str]:
    return {f["name"]: f["content"] for f in api(url, "files/read", projectId=pid)["files"]}


def test_lean_logs_in_pulls_and_pushes_against_qcsync_emulator(
    lean: Path, served: str, tmp_path: Path
) -> None:
    home, workspace = tmp_path / "home", tmp_path / "workspace"
    (home / ".lean").mkdir(parents=True)
    workspace.mkdir()
    # lean checks PyPI for a newer lean and GitHub for announcements once a day; a fresh cache
    # keeps every request of this test on 127.0.0.1.
    checked = {"last-update-check-cli": time.time(), "last-update-check-announcements": time.time()}
    (home / ".lean" / "cache").write_text(json.dumps(checked), encoding="utf-8")
    # What `lean init` leaves for cloud commands; `lean init` itself downloads LEAN's data.
    # A fresh "file-database-last-update" stops lean fetching LEAN's market databases from GitHub.
    lean_json = {
        "organization-id": ORG,
        "data-folder": "data",
        "file-database-last-update": datetime.now().strftime("%m/%d/%Y %H:%M:%S"),
    }
    (workspace / "lean.json").write_text(json.dumps(lean_json), encoding="utf-8")
    (workspace / "data").mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "QC_API": "local",
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(lean), *args], cwd=workspace, env=env, capture_output=True, text=True,
            timeout=120, check=False,
        )  # fmt: skip

    login = run("login", "--user-id", USER_ID, "--api-token", TOKEN)
    assert login.returncode == 0, login.stdout + login.stderr
    assert "Successfully logged in" in login.stdout
    whoami = run("whoami")
    assert whoami.returncode == 0, whoami.stdout + whoami.stderr
    assert "logged in as Lean Tester (emulator@example.com)" in whoami.stdout

    pull = run("cloud", "pull")
    assert pull.returncode == 0, pull.stdout + pull.stderr
    assert "Cannot pull" not in pull.stdout, pull.stdout
    momentum = workspace / "Strategies" / "Momentum"
    assert (momentum / "main.py").read_text(encoding="utf-8") == "# momentum\nprint('v1')\n"
    assert (momentum / "lib" / "signals.py").read_text(encoding="utf-8") == "S = 1\n"
    config = json.loads((momentum / "config.json").read_text(encoding="utf-8"))
    before = projects(served)
    assert config["cloud-id"] == before["Strategies/Momentum"]["projectId"]
    assert config["description"] == "pulled by lean"

    (momentum / "main.py").write_text("# momentum\nprint('v2')\n", encoding="utf-8")
    (momentum / "lib" / "signals.py").unlink()
    fresh = workspace / "Strategies" / "Carry"
    fresh.mkdir()
    (fresh / "main.py").write_text("print('carry')\n", encoding="utf-8")
    (fresh / "config.json").write_text(
        json.dumps(
            {"algorithm-language": "Python", "parameters": {"lookback": "20"},
             "description": "new from lean"}
        ),
        encoding="utf-8",
    )  # fmt: skip
    push = run("cloud", "push")
    assert push.returncode == 0, push.stdout + push.stderr
    assert "Cannot push" not in push.stdout, push.stdout

    after = projects(served)
    pid = before["Strategies/Momentum"]["projectId"]
    assert after["Strategies/Momentum"]["projectId"] == pid
    assert files(served, pid) == {"main.py": "# momentum\nprint('v2')\n"}  # pushed exactly
    carry = after["Strategies/Carry"]
    assert (carry["language"], carry["description"]) == ("Py", "new from lean")
    assert carry["parameters"] == [{"key": "lookback", "value": "20"}]
    assert files(served, carry["projectId"]) == {"main.py": "print('carry')\n"}
    assert json.loads((fresh / "config.json").read_text())["cloud-id"] == carry["projectId"]
    assert set(after) == {*before, "Strategies/Carry"}  # no duplicate, nothing renamed

    status = run("cloud", "status", "Strategies/Carry")
    assert "No live algorithm is deployed" in status.stdout + status.stderr
