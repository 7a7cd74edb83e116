# mypy: ignore-errors
# (deliberately untyped: written the way QuantConnect's API documentation writes its examples)
# ruff: noqa: UP012
"""A no-op "plan" the way the documentation's Python examples would write it: sequential.

One `requests.post` per call (a new connection each, as the examples do), signed as the
documentation signs: list every project, keep the organization's, then read each wanted
project's nodes one after the other and compare with the YAML. The yardstick plan_bench.py
compares qcsync against. Usage (QC_USER_ID and QC_API_TOKEN set):

    python docs_style_plan.py BASE_URL CONFIG.yaml
"""

import os
import sys
import time
from base64 import b64encode
from hashlib import sha256

import yaml
from requests import post

BASE_URL = sys.argv[1]
CONFIG = sys.argv[2]
USER_ID = os.environ["QC_USER_ID"]
API_TOKEN = os.environ["QC_API_TOKEN"]


def get_headers():
    timestamp = f"{int(time.time())}"
    hashed_token = sha256(f"{API_TOKEN}:{timestamp}".encode("utf-8")).hexdigest()
    authentication = b64encode(f"{USER_ID}:{hashed_token}".encode("utf-8")).decode("ascii")
    return {"Authorization": f"Basic {authentication}", "Timestamp": timestamp}


with open(CONFIG, encoding="utf-8") as handle:
    config = yaml.safe_load(handle)
wanted = {p["name"]: p.get("nodes") for p in config["projects"]}

response = post(f"{BASE_URL}/projects/read", headers=get_headers())
projects = [p for p in response.json()["projects"] if p["organizationId"] == config["organization"]]

changes = 0
for project in projects:
    if project["name"] not in wanted:
        continue
    response = post(
        f"{BASE_URL}/projects/nodes/read",
        headers=get_headers(),
        json={"projectId": project["projectId"]},
    )
    result = response.json()
    active = sorted(
        node["name"] for kind in result["nodes"].values() for node in kind if node["active"]
    )
    if active != sorted(wanted[project["name"]] or []):
        changes += 1
print(f"{changes} changes")
