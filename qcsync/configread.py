"""The config as a command reads it: the files `-f` names (default qcsync.yaml), the
environment for its variables, every API token this machine knows kept out of it, the code
folders its entries manage, and the digests of the very bytes that were parsed.

Light to import (everything it uses is imported when it is called), so that `validate` and
`--help` load neither the HTTP stack nor the YAML parser before they need them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qcsync.model import DesiredState
    from qcsync.plan import ConfigFile, Plan

DEFAULT_CONFIG = "qcsync.yaml"


def read_config(
    paths: Sequence[str], environ: Mapping[str, str]
) -> tuple[DesiredState, tuple[ConfigFile, ...]]:
    """The config named by `paths` (default qcsync.yaml), and the digests of its files."""
    from qcsync.config import parse_config, read_config_sources
    from qcsync.config.codescan import with_code
    from qcsync.config.variables import api_tokens
    from qcsync.credentials import known_tokens
    from qcsync.planfile import config_digests

    sources = read_config_sources(tuple(paths) or (DEFAULT_CONFIG,))
    known = known_tokens(environ)
    desired = parse_config(sources, environ, known_tokens=known)
    return with_code(desired, api_tokens(environ, known)), config_digests(sources)


def load_config(paths: Sequence[str], environ: Mapping[str, str]) -> DesiredState:
    return read_config(paths, environ)[0]


def saved_plan_config(
    saved: Plan, paths: Sequence[str], environ: Mapping[str, str]
) -> DesiredState:
    """The config a saved plan was made from (its paths, or `paths`), digests checked."""
    from qcsync.credentials import known_tokens
    from qcsync.savedplan import bound_config

    return bound_config(saved, paths, environ, known_tokens(environ))
