"""Start-up cost: what a command imports before its first request (issue 15).

jsonschema (~80 ms to import) is needed only to explain a config the fast check refuses, so a
valid config must not import it; `import qcsync.cli` alone (every command, `--help` included)
imports neither the HTTP stack, the YAML parser, the emulator nor `secrets` (hmac: only the
sandbox's made-up token needs it). Checked in a fresh
interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
from pathlib import Path
from qcsync.config import load_config
from qcsync.errors import ConfigError
try:
    load_config([Path(sys.argv[1])], {})
    outcome = "valid"
except ConfigError:
    outcome = "invalid"
print(outcome, "jsonschema" in sys.modules)
"""


def probe(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_a_valid_config_never_imports_jsonschema(tmp_path: Path) -> None:
    path = tmp_path / "qcsync.yaml"
    path.write_text("version: 1\nprojects:\n  - {name: A/B, nodes: [B2-8]}\n", encoding="utf-8")
    assert probe(path) == "valid False"


def test_an_invalid_config_asks_jsonschema_why(tmp_path: Path) -> None:
    path = tmp_path / "qcsync.yaml"
    path.write_text("version: 1\nprojects:\n  - {name: A/B, language: Python}\n", encoding="utf-8")
    assert probe(path) == "invalid True"


def test_importing_the_command_line_loads_no_heavy_dependency() -> None:
    code = (
        "import sys, qcsync.cli\n"
        "heavy = ('requests', 'urllib3', 'yaml', 'jsonschema', 'qcsync.emulator',"
        " 'qcsync.config', 'secrets')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
