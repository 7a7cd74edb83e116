"""Reading config files and directories: the thin imperative shell around parse_config."""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterator, Mapping, Sequence

from qcsync.config.codescan import with_code
from qcsync.config.parsing import parse_config
from qcsync.config.variables import api_tokens
from qcsync.errors import ConfigError, ConfigIssue
from qcsync.model import DesiredState


def load_config(
    paths: Sequence[str | os.PathLike[str]],
    env: Mapping[str, str],
    *,
    known_tokens: Collection[str] = (),
) -> DesiredState:
    """Read config files and directories (every *.yaml / *.yml directly inside, in name order)
    and parse them together, then read the entries' `files:` folders. Raises ConfigError with
    every issue found."""
    desired = parse_config(read_config_sources(paths), env, known_tokens=known_tokens)
    return with_code(desired, api_tokens(env, known_tokens))


def read_config_sources(paths: Sequence[str | os.PathLike[str]]) -> list[tuple[str, bytes]]:
    """The (file name, bytes) of every config file `paths` names, in order; ConfigError when
    one cannot be read."""
    sources: list[tuple[str, bytes]] = []
    issues: list[ConfigIssue] = []
    seen: set[str] = set()
    for file in _expand_paths(paths, issues):
        real = os.path.realpath(file)
        if real in seen:  # the same file named twice (a directory and a file in it)
            continue
        seen.add(real)
        try:
            sources.append((file, _read_regular_file(file)))
        except _NotAConfigFile as problem:
            issues.append(ConfigIssue(file, 1, 1, "", str(problem)))
        except OSError as error:
            issues.append(ConfigIssue(file, 1, 1, "", f"cannot read: {error.strerror or error}"))
    if issues:
        raise ConfigError(issues)
    return sources


# A config of 50,000 fully specified projects is about 7 MB; far beyond that is a mistake.
MAX_CONFIG_BYTES = 64 * 1024 * 1024


class _NotAConfigFile(Exception):
    pass


def _read_regular_file(file: str) -> bytes:
    """Read a regular file of sane size; devices and pipes (`-f /dev/zero`) would never end."""
    # Checked before opening: opening a named pipe blocks until someone writes to it.
    if not stat.S_ISREG(os.stat(file).st_mode):
        raise _NotAConfigFile("not a regular file")
    with open(file, "rb") as handle:
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise _NotAConfigFile(f"larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB")
    return data


def _expand_paths(
    paths: Sequence[str | os.PathLike[str]], issues: list[ConfigIssue]
) -> Iterator[str]:
    for path in paths:
        name = os.fspath(path)
        if not os.path.isdir(name):
            yield name
            continue
        entries = sorted(
            entry
            for entry in os.listdir(name)
            if entry.endswith((".yaml", ".yml")) and os.path.isfile(os.path.join(name, entry))
        )
        if not entries:
            issues.append(ConfigIssue(name, 1, 1, "", "directory has no *.yaml or *.yml file"))
        yield from (os.path.join(name, entry) for entry in entries)
