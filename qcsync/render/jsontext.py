"""The JSON rendering of a Plan: its plan document (`plandoc`, format 2) as text."""

from __future__ import annotations

import json

from qcsync.escape import json_text
from qcsync.plan import Plan
from qcsync.plandoc import plan_to_json


def render_json(plan: Plan) -> str:
    return json_text(json.dumps(plan_to_json(plan), indent=2, ensure_ascii=False))
