"""File quotas by tier, linked library files, encrypted projects and files/patch (qc-api.md §4.8).

Quotas (DOC-PLATFORM): Free 25 files / 32 KB per file, Quant Researcher 50 / 64 KB, Team
75 / 128 KB, Trading Firm 100 / 256 KB, Institution 250 / 256 KB; ``Project.maxFileSize``
carries the per-file limit. The library-file naming, the encrypted refusal and the patch
rules are inferred (qcsync/emulator/projectfiles.py, patch.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qcsync.emulator import Emulator
from tests.emulator.api import create, ok, refused
from tests.emulator_fixtures import EmulatorFactory
from tests.openapi import response_validator

KB = 1024


def _project(emulator: Emulator, pid: int) -> dict[str, Any]:
    project: dict[str, Any] = ok(emulator, "projects/read", json={"projectId": pid})["projects"][0]
    return project


def _files(emulator: Emulator, pid: int) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = ok(emulator, "files/read", json={"projectId": pid})["files"]
    return files


# -------------------------------------------------------------------------------- quotas


@pytest.mark.parametrize(
    ("tier", "files", "size"),
    [
        ("free", 25, 32 * KB),
        ("quant-researcher", 50, 64 * KB),
        ("team", 75, 128 * KB),
        ("trading-firm", 100, 256 * KB),
        ("institution", 250, 256 * KB),
    ],
)
def test_each_tier_limits_file_size_and_count(
    emulator: Emulator, tier: str, files: int, size: int
) -> None:
    emulator.set_tier(emulator.preferred_organization_id, tier)
    pid = create(emulator, f"Quota/{tier}")["projectId"]
    assert _project(emulator, pid)["maxFileSize"] == size
    ok(emulator, "files/create", json={"projectId": pid, "name": "big.py", "content": "x" * size})
    too_big = {"projectId": pid, "name": "bigger.py", "content": "x" * (size + 1)}
    assert "bytes" in refused(emulator, "files/create", json=too_big)[0]
    grow = {"projectId": pid, "name": "big.py", "content": "x" * (size + 1)}
    assert "bytes" in refused(emulator, "files/update", json=grow)[0]
    assert len(_files(emulator, pid)[2]["content"]) == size
    for n in range(files - 3):  # 2 default files and big.py exist
        ok(emulator, "files/create", json={"projectId": pid, "name": f"f{n}.py", "content": "1"})
    over = {"projectId": pid, "name": "one-more.py", "content": "1"}
    assert "files" in refused(emulator, "files/create", json=over)[0]
    ok(emulator, "files/delete", json={"projectId": pid, "name": "f0.py"})
    ok(emulator, "files/create", json=over)
    assert len(_files(emulator, pid)) == files


def test_size_counts_utf8_bytes(emulator: Emulator) -> None:
    emulator.set_tier(None, "free")
    pid = create(emulator, "Quota/Bytes")["projectId"]
    exact = {"projectId": pid, "name": "e.py", "content": "é" * (16 * KB)}
    ok(emulator, "files/create", json=exact)
    over = {"projectId": pid, "name": "e.py", "content": "é" * (16 * KB) + "x"}
    refused(emulator, "files/update", json=over)


def test_the_tier_comes_from_the_seed_and_survives_a_restart(
    emulator_factory: EmulatorFactory, tmp_path: Path, openapi_spec_path: Path
) -> None:
    first = emulator_factory()
    other = create(first, "Side/Free", organizationId=first.other_organization_id)
    assert other["maxFileSize"] == 32 * KB  # the default seed's second organization is free
    assert _project(first, create(first, "Team/One")["projectId"])["maxFileSize"] == 128 * KB
    response_validator(openapi_spec_path, "projects/read")(
        {"projects": first.projects(), "success": True}
    )
    state = tmp_path / "tier.json"
    with Emulator(state_path=state, token="t") as before:
        before.set_tier(None, "institution")
    with Emulator(state_path=state, token="t") as after:
        assert create(after, "After")["maxFileSize"] == 256 * KB
    with pytest.raises(ValueError, match="tier"):
        Emulator(seed={"organizations": [{"id": "a" * 32, "name": "O", "tier": "gold"}]})


# ----------------------------------------------------------------------- library files


@pytest.fixture
def linked(emulator: Emulator) -> dict[str, int]:
    project = create(emulator, "Strategies/Uses Tools")["projectId"]
    library = emulator.add_project("Library/Tools", files={"tools.py": "def tool(): ...\n"})
    ok(emulator, "projects/library/create", json={"projectId": project, "libraryId": library})
    return {"project": project, "library": library}


def test_a_linked_librarys_files_are_read_flagged_after_the_projects_own(
    emulator: Emulator, linked: dict[str, int], openapi_spec_path: Path
) -> None:
    body = ok(emulator, "files/read", json={"projectId": linked["project"]})
    response_validator(openapi_spec_path, "files/read")(body)
    files = body["files"]
    assert [(f["name"], f["isLibrary"], f["projectId"]) for f in files] == [
        ("main.py", False, linked["project"]),
        ("research.ipynb", False, linked["project"]),
        ("Library/Tools/tools.py", True, linked["library"]),
    ]
    one = ok(
        emulator,
        "files/read",
        json={"projectId": linked["project"], "name": "Library/Tools/tools.py"},
    )["files"]
    assert one[0]["content"] == "def tool(): ...\n"
    unlink = {"projectId": linked["project"], "libraryId": linked["library"]}
    ok(emulator, "projects/library/delete", json=unlink)
    assert all(not f["isLibrary"] for f in _files(emulator, linked["project"]))


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("files/update", {"name": "Library/Tools/tools.py", "content": "changed\n"}),
        ("files/update", {"name": "Library/Tools/tools.py", "newName": "mine.py"}),
        ("files/delete", {"name": "Library/Tools/tools.py"}),
        ("files/create", {"name": "Library/Tools/tools.py", "content": "shadow\n"}),
        ("files/update", {"name": "main.py", "newName": "Library/Tools/tools.py"}),
    ],
    ids=["update", "rename", "delete", "create-over", "rename-onto"],
)
def test_library_files_are_never_writable_through_the_linking_project(
    emulator: Emulator, linked: dict[str, int], endpoint: str, body: dict[str, str]
) -> None:
    before = _files(emulator, linked["project"])
    errors = refused(emulator, endpoint, json={"projectId": linked["project"], **body})
    assert "library" in errors[0]
    assert _files(emulator, linked["project"]) == before
    library_files = _files(emulator, linked["library"])
    assert [(f["name"], f["content"]) for f in library_files] == [("tools.py", "def tool(): ...\n")]


def test_library_files_follow_the_library_and_do_not_count_against_the_project(
    emulator: Emulator, linked: dict[str, int]
) -> None:
    ok(
        emulator,
        "files/update",
        json={"projectId": linked["library"], "name": "tools.py", "content": "v2\n"},
    )
    files = _files(emulator, linked["project"])
    assert files[-1]["content"] == "v2\n"
    emulator.set_tier(None, "free")
    for n in range(23):
        ok(
            emulator,
            "files/create",
            json={"projectId": linked["project"], "name": f"f{n}.py", "content": "1"},
        )
    assert len(_files(emulator, linked["project"])) == 26  # 25 own + 1 library file


# ---------------------------------------------------------------------- encrypted projects


def test_an_encrypted_project_says_so_and_refuses_its_files(
    emulator: Emulator, openapi_spec_path: Path
) -> None:
    pid = create(emulator, "Secret/Alpha")["projectId"]
    emulator.set_encrypted(pid)
    project = _project(emulator, pid)
    assert project["encrypted"] is True
    assert set(project["encryptionKey"]) == {"id", "name"}
    response_validator(openapi_spec_path, "projects/read")({"projects": [project], "success": True})
    for endpoint, body in [
        ("files/read", {}),
        ("files/read", {"name": "main.py"}),
        ("files/create", {"name": "a.py", "content": "a"}),
        ("files/update", {"name": "main.py", "content": "b"}),
        ("files/delete", {"name": "main.py"}),
    ]:
        assert "encrypted" in refused(emulator, endpoint, json={"projectId": pid, **body})[0]
    emulator.set_encrypted(pid, False)
    assert _project(emulator, pid)["encryptionKey"] is None
    assert [f["name"] for f in _files(emulator, pid)] == ["main.py", "research.ipynb"]


def test_a_seeded_encrypted_library_lends_no_files(emulator_factory: EmulatorFactory) -> None:
    seed = {
        "organizations": [
            {
                "id": "a" * 32,
                "name": "O",
                "projects": [
                    {"name": "Library/Sealed", "encrypted": True, "files": {"s.py": "s"}},
                    {"name": "User", "libraries": ["Library/Sealed"]},
                ],
            }
        ]
    }
    emulator = emulator_factory(seed=seed)
    user = next(p for p in emulator.projects() if p["name"] == "User")
    assert [lib["libraryName"] for lib in user["libraries"]] == ["Library/Sealed"]
    assert [f["isLibrary"] for f in _files(emulator, user["projectId"])] == [False, False]


# ------------------------------------------------------------------------------- patch


def _patch(name: str, old: str, new: str, line: int = 1) -> str:
    header = f"diff --git a/{name} b/{name}\n--- a/{name}\n+++ b/{name}\n"
    return f"{header}@@ -{line} +{line} @@\n-{old}\n+{new}\n"


def test_a_patch_changes_files_exactly(emulator: Emulator, openapi_spec_path: Path) -> None:
    pid = create(emulator, "Patch/Ok")["projectId"]
    ok(
        emulator,
        "files/create",
        json={"projectId": pid, "name": "a.py", "content": "a = 1\nb = 2\n"},
    )
    ok(emulator, "files/create", json={"projectId": pid, "name": "c.py", "content": "c = 1\n"})
    patch = _patch("a.py", "b = 2", "b = 3", line=2) + _patch("c.py", "c = 1", "c = 9")
    body = ok(emulator, "files/patch", json={"projectId": pid, "patch": patch})
    assert body == {"success": True}
    response_validator(openapi_spec_path, "files/patch")(body)
    contents = {f["name"]: f["content"] for f in _files(emulator, pid)}
    assert (contents["a.py"], contents["c.py"]) == ("a = 1\nb = 3\n", "c = 9\n")


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (_patch("a.py", "a = 5", "a = 6"), "does not apply"),
        (_patch("a.py", "a = 1", "a = 2") + _patch("c.py", "nope", "x"), "does not apply"),
        (_patch("missing.py", "a", "b"), "File not found"),
        ("--- /dev/null\n+++ b/n.py\n@@ -0,0 +1 @@\n+n\n", "existing files"),
        ("just words\n", "no file"),
        ("--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n-a = 1\n+a = 2\n", "header"),
    ],
    ids=["context-mismatch", "second-file-fails", "unknown-file", "new-file", "no-diff", "counts"],
)
def test_a_patch_that_does_not_apply_changes_nothing(
    emulator: Emulator, patch: str, message: str
) -> None:
    pid = create(emulator, "Patch/Bad")["projectId"]
    ok(emulator, "files/create", json={"projectId": pid, "name": "a.py", "content": "a = 1\n"})
    ok(emulator, "files/create", json={"projectId": pid, "name": "c.py", "content": "c = 1\n"})
    before = _files(emulator, pid)
    assert message in refused(emulator, "files/patch", json={"projectId": pid, "patch": patch})[0]
    assert _files(emulator, pid) == before
