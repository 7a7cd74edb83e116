"""The emulator's default account: organizations, their node catalogues and seeded projects.

A seed is a JSON-able dict (``--seed FILE`` on the command line replaces this one)::

    {
      "deleteMode": "recycle",           # optional: "recycle" (default: deleted projects go
                                         # to "Recycle Bin/") or "hard" (removed at once)
      "users": [                         # optional: users who can be added as collaborators
        {"publicId": "mia-ai",           # required: the public profile id (qc-api.md §1)
         "uid": 1234,                    # optional integer, default 0
         "name": "Mia", "email": "...", "bio": "", "profileImage": "https://..."}  # optional
      ],
      "organizations": [
        {
          "id": "<32 hex>",             # required
          "name": "Quant Team",          # required
          "type": "team",                # optional, default "team"
          "seats": 5,                    # optional, default 1
          "preferred": true,             # exactly one organization should be preferred
          "ownerName": "Emulator User",  # optional
          "tier": "team",                # optional file quotas: free, quant-researcher, team
                                         # (default), trading-firm, institution
          "nodes": {                     # optional; each list optional
            "backtest": [{"id": "BN-<32 hex>", "name": "...", "sku": "B2-8", ...}],
            "research": [...],
            "live": [...]
          },
          "projects": [                  # optional
            {"name": "Examples/Momentum",  # required
             "language": "Py",             # optional, default "Py"
             "description": "",            # optional
             "codeRunning": false,         # optional
             "files": {"main.py": "..."},  # optional, default: the language's default files
             "nodes": ["BN-..."],          # optional node ids; omitted -> autoSelectNode
             "parameters": [{"key": "ema", "value": "10"}],    # optional
             "libraries": ["Library/Tools"],  # optional names of seeded projects (same org)
             "collaborators": [{"publicId": "mia-ai", "write": true, "liveControl": false}],
             "encrypted": false}           # optional; encrypted projects refuse files/*
          ]
        }
      ]
    }

Node entries need ``id``, ``name`` and ``sku``; every other Node field (speed, cpu, ram, hasGpu,
price, assets, description, busy, usedBy, userProfile, projectName, projectId, host) is filled
from the SKU when it is missing. The module imports nothing outside the standard library.
"""

from __future__ import annotations

import copy
from typing import Any

PREFERRED_ORGANIZATION_ID = "5cad178b20a1d52567b534553413b691"
OTHER_ORGANIZATION_ID = "9f2e4c1d7a8b3e6f0c5d2a1b4e7f8c9d"

# Hardware per SKU (qc-api.md §6, DOC-PLATFORM specs pages): cores, GHz, RAM GB, GPU, prices.
SKU_SPECS: dict[str, dict[str, Any]] = {
    "B-MICRO": {"cpu": 2, "speed": 3.0, "ram": 8, "hasGpu": 0, "monthly": 0, "yearly": 0},
    "B2-8": {"cpu": 2, "speed": 4.9, "ram": 8, "hasGpu": 0, "monthly": 14, "yearly": 168},
    "B4-12": {"cpu": 4, "speed": 4.9, "ram": 12, "hasGpu": 0, "monthly": 20, "yearly": 240},
    "B4-16-GPU": {"cpu": 4, "speed": 3.0, "ram": 16, "hasGpu": 1, "monthly": 400, "yearly": 4800},
    "B8-16": {"cpu": 8, "speed": 4.9, "ram": 16, "hasGpu": 0, "monthly": 28, "yearly": 336},
    "R1-4": {"cpu": 1, "speed": 2.4, "ram": 4, "hasGpu": 0, "monthly": 5, "yearly": 60},
    "R2-8": {"cpu": 2, "speed": 2.4, "ram": 8, "hasGpu": 0, "monthly": 10, "yearly": 120},
    "R4-12": {"cpu": 4, "speed": 2.4, "ram": 12, "hasGpu": 0, "monthly": 14, "yearly": 168},
    "R8-16": {"cpu": 8, "speed": 2.4, "ram": 16, "hasGpu": 0, "monthly": 20, "yearly": 240},
    "L-MICRO": {"cpu": 1, "speed": 2.6, "ram": 0.5, "hasGpu": 0, "monthly": 20, "yearly": 240},
    "L1-1": {"cpu": 1, "speed": 2.6, "ram": 1, "hasGpu": 0, "monthly": 24, "yearly": 288},
    "L1-2": {"cpu": 1, "speed": 2.6, "ram": 2, "hasGpu": 0, "monthly": 32, "yearly": 384},
    "L2-4": {"cpu": 2, "speed": 2.6, "ram": 4, "hasGpu": 0, "monthly": 50, "yearly": 600},
}

_UNKNOWN_SKU = {"cpu": 1, "speed": 2.4, "ram": 4, "hasGpu": 0, "monthly": 10, "yearly": 120}


def complete_node(entry: dict[str, Any]) -> dict[str, Any]:
    """A full wire-shaped Node (qc-api.md §5.2) from a seed entry that has at least id/name/sku."""
    sku = str(entry["sku"])
    spec = SKU_SPECS.get(sku, _UNKNOWN_SKU)
    node: dict[str, Any] = {
        "id": str(entry["id"]),
        "name": str(entry["name"]),
        "sku": sku,
        "description": f"{spec['cpu']} cores, {spec['ram']} GB RAM",
        "speed": spec["speed"],
        "cpu": spec["cpu"],
        "ram": spec["ram"],
        "hasGpu": spec["hasGpu"],
        "price": {"monthly": spec["monthly"], "yearly": spec["yearly"]},
        "assets": 100 * int(spec["cpu"]),
        "busy": False,
        "usedBy": "",
        "userProfile": "",
        "projectName": "",
        "projectId": None,
        "host": None,
    }
    node.update({k: copy.deepcopy(v) for k, v in entry.items() if k in node})
    return node


DEFAULT_USERS: list[dict[str, Any]] = [
    {
        "publicId": "mia-ai",
        "uid": 226949,
        "name": "Mia",
        "email": "mia@example.com",
        "bio": "A bio",
        "profileImage": "https://cdn.quantconnect.com/web/i/users/profile/abc123.jpeg",
    },
    {"publicId": "johnny_walker", "uid": 318842, "name": "Johnny Walker", "bio": ""},
    {"publicId": "ada-quant", "uid": 402117, "name": "Ada Quant", "bio": ""},
]


def default_seed() -> dict[str, Any]:
    """The seeded account: a preferred and a second organization, each with nodes and projects,
    and the users who can be added as collaborators."""
    return {
        "users": copy.deepcopy(DEFAULT_USERS),
        "organizations": [
            {
                "id": PREFERRED_ORGANIZATION_ID,
                "name": "Quant Team",
                "type": "team",
                "seats": 5,
                "preferred": True,
                "ownerName": "Emulator User",
                "tier": "team",
                "nodes": {
                    "backtest": [
                        {
                            "id": "BN-3c7f0e8a9b1d4c2e8f6a5b4c3d2e1f0a",
                            "name": "Backtest Micro",
                            "sku": "B-MICRO",
                        },
                        {
                            "id": "BN-8d2c4e6f1a3b5c7d9e0f1a2b3c4d5e6f",
                            "name": "Fast Backtest 1",
                            "sku": "B2-8",
                        },
                        {
                            "id": "BN-1e9f3a5b7c2d4e6f8a0b9c8d7e6f5a4b",
                            "name": "Fast Backtest 2",
                            "sku": "B2-8",
                        },
                        {
                            "id": "BN-6a4b2c0d8e6f4a2b0c8d6e4f2a0b8c6d",
                            "name": "Big Backtest",
                            "sku": "B4-12",
                        },
                        {
                            "id": "BN-f0e1d2c3b4a5968778695a4b3c2d1e0f",
                            "name": "Huge Backtest",
                            "sku": "B8-16",
                        },
                    ],
                    "research": [
                        {
                            "id": "RN-2b4d6f8a0c1e3a5c7e9b1d3f5a7c9e0b",
                            "name": "Research Node 1",
                            "sku": "R1-4",
                        },
                        {
                            "id": "RN-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
                            "name": "Research Node 2",
                            "sku": "R2-8",
                        },
                    ],
                    "live": [
                        {
                            "id": "LN-c54129e1b4f667613d3f34542b787771",
                            "name": "Live Micro",
                            "sku": "L-MICRO",
                        },
                        {
                            "id": "LN-7e5c3a1f9d7b5e3c1a9f7d5b3e1c9a7f",
                            "name": "Live Trading 1",
                            "sku": "L1-1",
                        },
                    ],
                },
                "projects": [
                    {
                        "name": "Examples/Buy and Hold",
                        "language": "Py",
                        "description": "Buys SPY and holds it.",
                    },
                    {
                        "name": "Examples/Moving Average Cross",
                        "language": "C#",
                        "description": "Trades an EMA cross on SPY.",
                    },
                    {"name": "Scratch", "language": "Py", "description": ""},
                ],
            },
            {
                "id": OTHER_ORGANIZATION_ID,
                "name": "Side Desk",
                "type": "individual",
                "seats": 1,
                "preferred": False,
                "ownerName": "Emulator User",
                "tier": "free",
                "nodes": {
                    "backtest": [
                        {
                            "id": "BN-0a1b2c3d4e5f60718293a4b5c6d7e8f9",
                            "name": "Side Backtest",
                            "sku": "B2-8",
                        },
                    ],
                    "research": [
                        {
                            "id": "RN-5f4e3d2c1b0a99887766554433221100",
                            "name": "Side Research",
                            "sku": "R1-4",
                        },
                    ],
                    "live": [
                        {
                            "id": "LN-11223344556677889900aabbccddeeff",
                            "name": "Side Live",
                            "sku": "L-MICRO",
                        },
                    ],
                },
                "projects": [
                    {
                        "name": "Examples/Buy and Hold",
                        "language": "Py",
                        "description": "Same name, other organization.",
                    },
                    {
                        "name": "Side/Live Bot",
                        "language": "Py",
                        "description": "Trades live.",
                        "codeRunning": True,
                        "nodes": ["LN-11223344556677889900aabbccddeeff"],
                    },
                ],
            },
        ],
    }
