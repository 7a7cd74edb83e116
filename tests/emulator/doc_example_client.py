# mypy: ignore-errors
# (deliberately untyped: it is written the way the documentation writes its examples)
# ruff: noqa: UP012, RUF015
"""A client written the way QuantConnect's API documentation writes its Python examples.

Only BASE_URL (argv[1]) and the credentials (environment) differ from the documentation; the
paths are joined exactly as the examples join them, which doubles the slash.
Usage: python doc_example_client.py BASE_URL   (with QC_USER_ID and QC_API_TOKEN set)
"""

import os
import sys
import time
from base64 import b64encode
from hashlib import sha256

from requests import post

BASE_URL = "https://www.quantconnect.com/api/v2/"
BASE_URL = sys.argv[1] if len(sys.argv) > 1 else BASE_URL

USER_ID = os.environ["QC_USER_ID"]
API_TOKEN = os.environ["QC_API_TOKEN"]


def get_headers():
    # Get timestamp
    timestamp = f"{int(time.time())}"
    time_stamped_token = f"{API_TOKEN}:{timestamp}".encode("utf-8")

    # Get hased API token
    hashed_token = sha256(time_stamped_token).hexdigest()
    authentication = f"{USER_ID}:{hashed_token}".encode("utf-8")
    authentication = b64encode(authentication).decode("ascii")

    # Create headers dictionary.
    return {"Authorization": f"Basic {authentication}", "Timestamp": timestamp}


# Authenticate to verify credentials
response = post(f"{BASE_URL}/authenticate", headers=get_headers())
print(response.json())

# Create a project
response = post(
    f"{BASE_URL}/projects/create",
    headers=get_headers(),
    json={"name": "Doc Example Project", "language": "Py"},
)
result = response.json()
if result["success"]:
    print("Project Created Successfully:")
    project_id = result["projects"][0]["projectId"]
    print(result["projects"][0]["name"])

# Read the project
response = post(f"{BASE_URL}/projects/read", headers=get_headers(), json={"projectId": project_id})
result = response.json()
if result["success"]:
    print("Project Details Retrieved Successfully:")
    print(result["projects"][0]["language"])

# List all projects, then keep those of one organization, as delete_project_example.py does
response = post(f"{BASE_URL}/projects/read", headers=get_headers())
projects = response.json()["projects"]
organization_id = [p for p in projects if p["projectId"] == project_id][0]["organizationId"]
mine = [p for p in projects if p["organizationId"] == organization_id]
print(f"{len(projects)} projects, {len(mine)} in the organization")

# Read the project nodes
response = post(
    f"{BASE_URL}/projects/nodes/read", headers=get_headers(), json={"projectId": project_id}
)
result = response.json()
if result["success"]:
    print("Project Nodes Retrieved Successfully:")
    backtest_node_id = result["nodes"]["backtest"][0]["id"]
    print(result["autoSelectNode"])

# Update the project nodes, form-encoded as the older examples do
response = post(
    f"{BASE_URL}/projects/nodes/update",
    headers=get_headers(),
    data={"projectId": project_id, "nodes": [backtest_node_id]},
)
result = response.json()
if result["success"]:
    print("Project Nodes Updated Successfully:")
    print(result["autoSelectNode"])

# Delete the project
response = post(
    f"{BASE_URL}/projects/delete", headers=get_headers(), json={"projectId": project_id}
)
result = response.json()
if result["success"]:
    print("Project Deleted Successfully")
