"""What the command line writes, and how: every line qcsync composes goes through `say`
(controls escaped, URL credentials redacted), debug logs through the same rule, a plan through
one of the renderings, and the apply report to both streams."""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from qcsync.escape import redact_urls, terminal

if TYPE_CHECKING:
    from qcsync.plan import Plan
    from qcsync.report import ApplyReport

# What a command (or a flag's check) runs is imported inside the function that runs it, for
# start-up time (cli/__init__.py).


def say(text: str, *, err: bool = False) -> None:
    """Print lines qcsync composed that may quote names, descriptions or the service's messages:
    each line with its control characters escaped and any credentials in a URL redacted."""
    for line in text.split("\n"):
        click.echo(terminal(redact_urls(line)), err=err)


def log_to_stderr() -> None:
    """Send qcsync's own debug logs (HTTP requests, token redacted) to stderr.

    A handler on the `qcsync` logger rather than logging.basicConfig, which does nothing once the
    root logger has handlers (as under pytest) and would also turn on other libraries' logs.
    """
    logger = logging.getLogger("qcsync")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_SafeFormatter("debug: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


class _SafeFormatter(logging.Formatter):
    """Debug lines as printed errors are: controls escaped, URL credentials redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(terminal(redact_urls(line)) for line in super().format(record).split("\n"))


def rendered(
    plan: Plan, fmt: str, color: bool, violations: Sequence[str], compact: bool = False
) -> str:
    """The plan as `--format` (and `--compact`) asks, without its last newline."""
    from qcsync.render import render_compact, render_json, render_markdown, render_text

    if fmt == "json":
        text = render_json(plan)
    elif fmt == "markdown":
        text = render_markdown(plan, violations=violations)
    elif compact:
        text = render_compact(plan, color=color, violations=violations)
    else:
        text = render_text(plan, color=color, violations=violations)
    return text.rstrip("\n")  # click.echo adds the one newline


def _same_stream() -> bool:
    """Whether stdout and stderr are one file (a terminal, or a CI log capturing both)."""
    try:
        out, err = os.fstat(sys.stdout.fileno()), os.fstat(sys.stderr.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False
    return (out.st_dev, out.st_ino) == (err.st_dev, err.st_ino)


def emit_report(report: ApplyReport) -> None:
    """The report on stdout (the result) and on stderr, so that a log keeps it even when
    stdout goes to a file; once only when both are the same file."""
    from qcsync.report import render_report

    text = render_report(report)
    say(text)
    if not _same_stream():
        say(text, err=True)
