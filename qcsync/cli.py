"""The command line: parses flags, runs one operation, renders, maps errors to exit codes.

This is the only module that prints (DESIGN.md §5). Results go to stdout; progress and
diagnostics go to stderr.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar, assert_never

import click

from qcsync import __version__
from qcsync.errors import (
    ApplyCancelled,
    ApplyError,
    ConfigError,
    ExitCode,
    QcsyncError,
    SafetyError,
)
from qcsync.escape import redact_urls, terminal
from qcsync.interrupt import Interrupt

if TYPE_CHECKING:
    from qcsync.client import QCClient
    from qcsync.credentials import Credentials
    from qcsync.filebackup import FilesRestored
    from qcsync.model import DesiredState
    from qcsync.network import RetryNotice
    from qcsync.plan import ConfigFile, Plan
    from qcsync.report import ApplyReport, ChangeResult
    from qcsync.restore import RestoreResult

T = TypeVar("T")

DEFAULT_CONFIG = "qcsync.yaml"
SANDBOX_STATE = Path(".qcsync") / "sandbox.json"


@dataclass(frozen=True)
class GlobalOptions:
    api_url: str | None
    sandbox: bool
    no_color: bool
    debug: bool

    @property
    def color(self) -> bool:
        # no-color.org: NO_COLOR turns colour off only when it is set and not empty.
        return not self.no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def _say(text: str, *, err: bool = False) -> None:
    """Print lines qcsync composed that may quote names, descriptions or the service's messages:
    each line with its control characters escaped and any credentials in a URL redacted."""
    for line in text.split("\n"):
        click.echo(terminal(redact_urls(line)), err=err)


def _fail(error: QcsyncError, debug: bool) -> NoReturn:
    if debug:
        traceback.print_exc()
    if isinstance(error, ApplyError):
        # The report is the message: what was applied, failed, not attempted, unknown.
        _emit_report(error.report)
    lines = (
        [str(i) for i in error.issues]
        if isinstance(error, ConfigError)
        else str(error).splitlines()
    )
    if not lines and not isinstance(error, ApplyError):
        lines = [type(error).__name__]
    plain = isinstance(error, ConfigError | ApplyCancelled)
    for line in lines:
        _say(line if plain else f"Error: {line}", err=True)
    sys.exit(int(error.exit_code))


def _run(ctx: click.Context, operation: Callable[[], T]) -> T:
    """Run an operation, turning qcsync errors into one-line messages and exit codes."""
    options: GlobalOptions = ctx.obj
    try:
        return operation()
    except QcsyncError as error:
        _fail(error, options.debug)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as error:  # a bug: still one line, unless --debug asks for the traceback
        if options.debug:
            raise
        _say(f"Error: internal error: {type(error).__name__}: {error}", err=True)
        click.echo("Run again with --debug for the traceback.", err=True)
        sys.exit(int(ExitCode.ERROR))


def _config_paths(paths: Sequence[str]) -> tuple[str, ...]:
    return tuple(paths) or (DEFAULT_CONFIG,)


def _read_config(paths: Sequence[str]) -> tuple[DesiredState, tuple[ConfigFile, ...]]:
    """The config named by -f (default qcsync.yaml), with every API token this machine knows
    kept out of it (the token rule), and the digests of the very bytes that were parsed."""
    from qcsync.config import parse_config, read_config_sources
    from qcsync.config.codescan import with_code
    from qcsync.config.variables import api_tokens
    from qcsync.credentials import known_tokens
    from qcsync.planfile import config_digests

    sources = read_config_sources(_config_paths(paths))
    known = known_tokens(os.environ)
    desired = parse_config(sources, os.environ, known_tokens=known)
    return with_code(desired, api_tokens(os.environ, known)), config_digests(sources)


def _load_config(paths: Sequence[str]) -> DesiredState:
    return _read_config(paths)[0]


def _bound_config(saved: Plan, paths: Sequence[str]) -> DesiredState:
    """The config a saved plan was made from (its paths, or -f), digests checked."""
    from qcsync.credentials import known_tokens
    from qcsync.savedplan import bound_config

    return bound_config(saved, paths, os.environ, known_tokens(os.environ))


def _log_to_stderr() -> None:
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--api-url", metavar="URL", help="QuantConnect API base URL (default: QC_API_URL).")
@click.option(
    "--sandbox", is_flag=True, help="Use the local emulator; state in .qcsync/sandbox.json."
)
@click.option("--no-color", is_flag=True, help="Never colour output (NO_COLOR is honoured too).")
@click.option("--debug", is_flag=True, help="Tracebacks and HTTP request logs (token redacted).")
@click.version_option(__version__, prog_name="qcsync")
@click.pass_context
def main(
    ctx: click.Context, api_url: str | None, sandbox: bool, no_color: bool, debug: bool
) -> None:
    """Manage QuantConnect cloud projects and their node assignments as code."""
    if debug:
        _log_to_stderr()
    ctx.obj = GlobalOptions(api_url=api_url, sandbox=sandbox, no_color=no_color, debug=debug)


def _global_after_command(ctx: click.Context, param: click.Parameter, value: object) -> object:
    """A global option typed after the command (`qcsync plan --sandbox`), as people type them:
    it adds to what was given before the command; a later --api-url wins."""
    if value is None or value is False or param.name is None:
        return value
    ctx.obj = replace(ctx.obj, **{param.name: value})
    if param.name == "debug":
        _log_to_stderr()
    return value


def _global_params() -> list[click.Parameter]:
    """Fresh copies of the group's own options for one command (click shares no Parameter)."""

    def option(flag: str, is_flag: bool, help_text: str) -> click.Option:
        return click.Option(
            [flag],
            is_flag=is_flag,
            metavar=None if is_flag else "URL",
            expose_value=False,
            callback=_global_after_command,
            help=f"{help_text} (also before the command).",
        )

    return [
        option("--api-url", False, "QuantConnect API base URL"),
        option("--sandbox", True, "Use the local emulator"),
        option("--no-color", True, "Never colour output"),
        option("--debug", True, "Tracebacks and HTTP request logs"),
    ]


def _write_config(path: Path, text: str) -> None:
    """The config, and beside it the schema its first line points editors at (replaced, since
    it belongs to this version of qcsync)."""
    from qcsync.config import schema_text
    from qcsync.importer import SCHEMA_FILE

    schema = path.parent / SCHEMA_FILE
    for target, content in ((path, text), (schema, schema_text())):
        try:
            target.write_text(content, encoding="utf-8")
        except OSError as error:
            raise QcsyncError(f"cannot write {target}: {error.strerror}") from None
    _say(f"Wrote {path} and {schema} (the schema its first line points editors at).", err=True)


@main.command()
@click.option(
    "-f",
    "--file",
    "paths",
    multiple=True,
    metavar="PATH",
    type=click.Path(),  # completes file names in the shell
    help="Config file or directory.",
)
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Check config files without touching the network."""

    desired = _run(ctx, lambda: _load_config(paths))
    files = len(desired.files)
    click.echo(
        f"{files} file{'s' if files != 1 else ''}, {len(desired.projects)} "
        f"project{'s' if len(desired.projects) != 1 else ''}: valid"
    )


@main.command()
def schema() -> None:
    """Print the config file's JSON Schema."""
    from qcsync.config import schema_text

    click.echo(schema_text(), nl=False)


# --- connecting -------------------------------------------------------------------------------


class _RetryNotices:
    """One line on stderr while a request is retried, so a slow or failing network is never
    silence. Concurrent requests failing alike share a line: the same attempt failing for the
    same cause is told once a second."""

    QUIET_SECONDS = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}

    def __call__(self, notice: RetryNotice) -> None:
        key = f"{notice.attempt} {notice.checking} {notice.cause}"
        now = time.monotonic()
        with self._lock:
            if now - self._last.get(key, -self.QUIET_SECONDS) < self.QUIET_SECONDS:
                return
            self._last[key] = now
        _say(notice.line(), err=True)


@contextlib.contextmanager
def _connect(options: GlobalOptions, parallelism: int = 1) -> Iterator[QCClient]:
    """A client for the real service, or for the embedded emulator with --sandbox.

    The sandbox goes through the same HTTP client code as the real service, over loopback, with
    a token made up for this run only. The connection pool keeps one connection per worker.
    """
    from qcsync.credentials import Credentials, load_credentials, resolve_api_url

    if not options.sandbox:
        credentials = load_credentials(os.environ)
        url = resolve_api_url(options.api_url, os.environ)
        with _client(url, credentials, parallelism) as client:
            yield client
        return

    from secrets import token_hex  # hmac and all: only the sandbox needs a made-up token

    from qcsync.emulator import Emulator  # lazily: only the CLI may import the emulator
    from qcsync.statelock import locked

    state = Path(os.environ.get("QCSYNC_SANDBOX_STATE") or SANDBOX_STATE)
    try:
        state.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise QcsyncError(f"sandbox state {state}: {error.strerror or error}") from None
    # One command at a time: each loads the state and writes it back.
    with locked(state):
        try:
            sandbox = Emulator(state_path=state, token=token_hex(16))
        except (OSError, ValueError, KeyError, TypeError) as error:
            reason = (
                error.strerror if isinstance(error, OSError) else f"{type(error).__name__}: {error}"
            )
            raise QcsyncError(
                f"sandbox state {state}: {reason}; delete it to start the sandbox afresh"
            ) from None
        with sandbox as emulator:
            credentials = Credentials(user_id=emulator.user_id, token=emulator.token)
            with _client(emulator.base_url, credentials, parallelism) as client:
                yield client


def _client(url: str, credentials: Credentials, parallelism: int) -> QCClient:
    from qcsync.client import QCClient

    # `--parallelism` bounds the requests in flight, and the pool keeps a connection for each.
    return QCClient(
        url,
        credentials,
        pool_size=parallelism,
        max_in_flight=parallelism,
        on_retry=_RetryNotices(),
    )


def _imported(
    options: GlobalOptions,
    organization: str | None,
    prefix: str | None,
    parallelism: int,
    files: tuple[Path, Path, bool] | None = None,
) -> str:
    """`files`: `import --files DIR` (DIR, the config's folder, --force)."""
    from qcsync.operations import imported_config

    with _connect(options, parallelism) as client:
        return imported_config(client, organization, prefix, parallelism, files)


def _render(
    plan: Plan, fmt: str, color: bool, violations: Sequence[str], compact: bool = False
) -> str:
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


# --- plan, show, apply --------------------------------------------------------------------------

_config_option = click.option(
    "-f",
    "--file",
    "paths",
    multiple=True,
    metavar="PATH",
    type=click.Path(),  # completes file names in the shell
    help="Config file or directory.",
)


def _no_recycle_bin(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...] | str | None
) -> tuple[str, ...] | str | None:
    """A flag naming a project in the Recycle Bin is refused, naming the flag (DESIGN.md §1)."""
    from qcsync.config import recycle_bin_problem

    values = value if isinstance(value, tuple) else () if value is None else (value,)
    for item in values:
        problem = recycle_bin_problem(item)
        if problem:
            raise click.BadParameter(problem)
    return value


_target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="NAME",
    callback=_no_recycle_bin,
    help="Limit the plan to this project (a saved plan's targets are given again to apply it).",
)
_parallelism_option = click.option(
    "--parallelism",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Concurrent API requests.",
)
_force_option = click.option("--force", is_flag=True, help="Lift the delete limits after review.")
_allow_live_option = click.option(
    "--allow-live", is_flag=True, help="Allow changes to projects with live trading running."
)


@main.command("plan")
@_config_option
@click.option(
    "-o",
    "--out",
    "plan_file",
    metavar="PLANFILE",
    type=click.Path(),
    help="Save the plan (JSON) for apply.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 3 when changes are pending.")
@click.option(
    "--compact", is_flag=True, help="Text: one line per change, then the counts per folder."
)
@_target_option
@_parallelism_option
@_force_option
@_allow_live_option
@click.pass_context
def plan_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    plan_file: str | None,
    fmt: str,
    detailed_exitcode: bool,
    compact: bool,
    targets: tuple[str, ...],
    parallelism: int,
    force: bool,
    allow_live: bool,
) -> None:
    """Show what apply would change, without changing anything."""
    from qcsync.operations import plan_live, with_file_counts
    from qcsync.planfile import write_plan_file
    from qcsync.safety import safety_violations

    options: GlobalOptions = ctx.obj

    def operation() -> tuple[Plan, tuple[str, ...]]:
        desired, config = _read_config(paths)
        with _connect(options, parallelism) as client:
            result = dataclasses.replace(
                plan_live(client, desired, targets, parallelism), config=config
            )
            if fmt != "json":
                result = with_file_counts(client, result, parallelism)
        if plan_file:
            write_plan_file(Path(plan_file), result)
        return result, safety_violations(result, force=force, allow_live=allow_live)

    result, violations = _run(ctx, operation)
    click.echo(_render(result, fmt, options.color, violations, compact))
    if plan_file:
        click.echo(f"Saved the plan to {plan_file}.", err=True)
    if violations:
        sys.exit(int(ExitCode.BLOCKED))
    if detailed_exitcode and result.changes:
        sys.exit(int(ExitCode.CHANGES))


def _read_plan_file(path: str) -> Plan:
    from qcsync.planfile import read_plan_file

    return read_plan_file(Path(path))


@main.command()
@click.argument("plan_file", metavar="PLANFILE", type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
)
@click.pass_context
def show(ctx: click.Context, plan_file: str, fmt: str) -> None:
    """Render a saved plan file."""
    from qcsync.safety import safety_violations

    options: GlobalOptions = ctx.obj
    saved = _run(ctx, lambda: _read_plan_file(plan_file))
    click.echo(_render(saved, fmt, options.color, safety_violations(saved)))


class _Progress:
    """One stderr line per finished change: `[3/12 4.1s] + create NAME: created (id 5) [0.3s]`,
    counting what apply runs (a new project with its content is one) and the time since the
    apply started."""

    def __init__(self, total: int) -> None:
        self._total = total
        self._done = 0
        self._started = time.monotonic()
        self._lock = threading.Lock()

    def __call__(self, result: ChangeResult) -> None:
        from qcsync.plan import what
        from qcsync.render import symbol
        from qcsync.report import Outcome

        with self._lock:
            self._done += 1
            elapsed = time.monotonic() - self._started
            step = f"[{self._done}/{self._total} {elapsed:.1f}s]"
        line = f"{step} {symbol(result.change.action)} {what(result.change)} {result.change.name}"
        if result.outcome is Outcome.APPLIED:
            _say(f"{line}: {result.message} [{result.seconds:.1f}s]", err=True)
        else:
            label = result.outcome.value.upper()
            _say(f"{line}: {label}: {result.message} [{result.seconds:.1f}s]", err=True)
        for note in result.notes:
            _say(f"  note: {note}", err=True)


def _same_stream() -> bool:
    """Whether stdout and stderr are one file (a terminal, or a CI log capturing both)."""
    try:
        out, err = os.fstat(sys.stdout.fileno()), os.fstat(sys.stderr.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False
    return (out.st_dev, out.st_ino) == (err.st_dev, err.st_ino)


def _emit_report(report: ApplyReport) -> None:
    """The report on stdout (the result) and on stderr, so that a log keeps it even when
    stdout goes to a file; once only when both are the same file."""
    from qcsync.report import render_report

    text = render_report(report)
    _say(text)
    if not _same_stream():
        _say(text, err=True)


@contextlib.contextmanager
def _ctrl_c_requests(interrupt: Interrupt) -> Iterator[None]:
    """While applying, Ctrl-C (SIGINT) asks the applier to stop instead of raising mid-change:
    the first stops new changes, the second abandons those in flight."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: interrupt.request())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise QcsyncError(
            "no terminal to confirm on: pass --auto-approve, or apply a saved plan file"
        )
    try:
        answer = click.prompt(
            "Apply these changes? Only 'yes' will be accepted",
            default="",
            show_default=False,
            err=True,
        )
    except click.Abort:  # click's name for Ctrl-C and Ctrl-D at a prompt
        click.echo("", err=True)  # end the prompt's line
        raise ApplyCancelled() from None
    if answer != "yes":
        raise ApplyCancelled()


@main.command()
@_config_option
@click.argument("plan_file", metavar="[PLANFILE]", required=False, type=click.Path())
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@_target_option
@_parallelism_option
@_force_option
@_allow_live_option
@click.pass_context
def apply(
    ctx: click.Context,
    paths: tuple[str, ...],
    plan_file: str | None,
    auto_approve: bool,
    targets: tuple[str, ...],
    parallelism: int,
    force: bool,
    allow_live: bool,
) -> None:
    """Make QuantConnect match the config (or apply a saved PLANFILE exactly)."""
    from qcsync.apply import apply_plan, units
    from qcsync.operations import converge, plan_live, with_file_counts
    from qcsync.plan import summary_counts
    from qcsync.render import summary_line
    from qcsync.safety import safety_violations
    from qcsync.savedplan import matching_fresh_plan

    options: GlobalOptions = ctx.obj

    def operation() -> int:
        # A saved plan is never applied as it is: the config it names (digests checked) is
        # planned afresh, and that plan is applied only if it equals the saved one.
        saved = _read_plan_file(plan_file) if plan_file else None
        desired = _bound_config(saved, paths) if saved else _load_config(paths)
        with _connect(options, parallelism) as client:
            if saved is not None:
                planned = matching_fresh_plan(client, saved, desired, parallelism, targets)
            else:
                planned = plan_live(client, desired, targets, parallelism)
                # Worth a request per delete only when someone reviews it before saying yes.
                shown = planned if auto_approve else with_file_counts(client, planned, parallelism)
                click.echo(_render(shown, "text", options.color, ()))
            violations = safety_violations(planned, force=force, allow_live=allow_live)
            if violations:
                raise SafetyError(violations)
            if not planned.changes:
                if saved is not None:  # a plan on screen already ends with this line
                    click.echo(summary_line(summary_counts(planned)))
                return int(ExitCode.OK)
            if saved is None:
                _confirm(auto_approve)
            interrupt = Interrupt()
            with _ctrl_c_requests(interrupt):
                report = apply_plan(
                    client,
                    planned,
                    now=datetime.now(UTC),
                    parallelism=parallelism,
                    on_result=_Progress(len(units(planned.changes))),
                    interrupt=interrupt,
                    on_notice=lambda notice: _say(notice, err=True),
                )
            converge(client, desired, planned, report, parallelism)
            _emit_report(report)
            return int(ExitCode.OK)

    sys.exit(_run(ctx, operation))


# --- restore, import, emulator ----------------------------------------------------------------


def _restore_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """`--name` follows the config's name rules (DESIGN.md §1), checked before anything else."""
    from qcsync.config import name_problem

    problem = name_problem(value) if value is not None else None
    if problem:
        raise click.BadParameter(problem)
    return value


@main.command()
@click.argument("backup_file", metavar="BACKUP", required=False, type=click.Path())
@click.option(
    "--name", metavar="NAME", callback=_restore_name, help="Restore under this name instead."
)
@click.option(
    "--list",
    "list_only",
    is_flag=True,
    help="List the backups and whether each project is in the Recycle Bin.",
)
@click.pass_context
def restore(ctx: click.Context, backup_file: str | None, name: str | None, list_only: bool) -> None:
    """Bring a deleted project back: from QuantConnect's Recycle Bin by renaming it back (same
    id) while it is there, else recreated from its backup."""
    from qcsync.backup import read_backup
    from qcsync.restore import How, list_backups
    from qcsync.restore import restore as restore_backup

    options: GlobalOptions = ctx.obj
    if list_only:
        if backup_file or name:
            raise click.UsageError("--list takes no BACKUP and no --name")

        def listing() -> list[str]:
            with _connect(options) as client:
                found = list_backups(client)
            return [
                f"{b.path}: {b.name} (id {b.project_id}), taken {b.taken_at}: {b.status}"
                if b.name
                else f"{b.path}: {b.status}"
                for b in found
            ]

        lines = _run(ctx, listing)
        _say("\n".join(lines) if lines else "No backups under .qcsync/backups/.")
        return
    if not backup_file:
        raise click.UsageError("give the BACKUP file to restore, or --list")
    path = Path(backup_file)
    if _is_files_backup(path):
        _restore_files(ctx, path, name)
        return

    def operation() -> RestoreResult:
        document = read_backup(path)
        with _connect(options) as client:
            return restore_backup(client, path, document, name=name)

    result = _run(ctx, operation)
    for note in result.notes:
        _say(f"Note: {note}", err=True)
    for missing in result.nodes_missing:
        _say(f"Warning: node {missing} no longer exists; not selected.", err=True)
    for library in result.libraries_missing:
        _say(f"Warning: library project {library} no longer exists; not linked.", err=True)
    project = result.project
    match result.how:
        case How.RECYCLE_BIN:
            _say(
                f"Restored {project.name} from the Recycle Bin: project {project.id}, same id, "
                "so its backtests, live history and links are back too."
            )
        case How.RECREATED:
            again = " (finished a restore that had stopped part-way)" if result.resumed else ""
            _say(
                f"Restored {project.name} as project {project.id} from the backup "
                f"({result.files} files){again}; the original was purged, so this is a new id."
            )
        case How.ALREADY:
            _say(f"{project.name} is already restored (project {project.id}); nothing to do.")
        case _ as unreachable:
            assert_never(unreachable)


def _is_files_backup(path: Path) -> bool:
    """A backup of files an apply overwrote or deleted (`*.files.json`), not of a project."""
    return path.name.endswith(".files.json")


def _restore_files(ctx: click.Context, path: Path, name: str | None) -> None:
    from qcsync.filebackup import read_files_backup, restore_files

    options: GlobalOptions = ctx.obj
    if name is not None:
        raise click.UsageError("--name is for project backups; a files backup restores in place")

    def operation() -> FilesRestored:
        backup = read_files_backup(path)
        with _connect(options) as client:
            return restore_files(client, backup)

    result = _run(ctx, operation)
    project = result.project
    restored = len(result.restored)
    _say(
        f"Restored {restored} file{'s' if restored != 1 else ''} of {project.name} "
        f"(project {project.id}) from the backup"
        + (f"; {result.unchanged} already as backed up." if result.unchanged else ".")
    )
    for file_name in result.restored:
        _say(f"  {file_name}")


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.pass_context
def emulator(ctx: click.Context) -> None:
    """Run the local QuantConnect API emulator (see `qcsync emulator --help`)."""
    from qcsync.emulator.__main__ import main as emulator_main

    sys.exit(emulator_main(list(ctx.args), prog="qcsync emulator"))


@main.command("import")
@click.option(
    "--prefix",
    metavar="FOLDER/",
    callback=_no_recycle_bin,
    help="Only projects under this folder; it becomes the scope.",
)
@click.option(
    "-o",
    "--out",
    "out_file",
    metavar="FILE",
    type=click.Path(),
    help="Write here instead of stdout.",
)
@click.option("--organization", metavar="ID", help="Organization id (default: the preferred one).")
@click.option("--force", is_flag=True, help="Overwrite an existing FILE.")
@click.option(
    "--files",
    "files_dir",
    metavar="DIR",
    help="Also write each project's code to DIR/<project name>/ and manage it (files:).",
)
@_parallelism_option
@click.pass_context
def import_command(
    ctx: click.Context,
    prefix: str | None,
    out_file: str | None,
    organization: str | None,
    force: bool,
    files_dir: str | None,
    parallelism: int,
) -> None:
    """Write a config for the projects that already exist."""
    options: GlobalOptions = ctx.obj
    if prefix is not None and not prefix.endswith("/"):
        raise click.BadParameter("a folder prefix ends with '/'", param_hint="--prefix")
    if out_file and Path(out_file).exists() and not force:
        raise click.UsageError(f"{out_file} exists; pass --force to overwrite it")
    config_dir = Path(out_file).parent if out_file else Path()
    files = (Path(files_dir), config_dir, force) if files_dir else None
    text = _run(ctx, lambda: _imported(options, organization, prefix, parallelism, files))
    if out_file:
        _run(ctx, lambda: _write_config(Path(out_file), text))
    else:
        click.echo(text, nl=False)


@main.command()
@click.option(
    "-o",
    "--out",
    "out_file",
    metavar="FILE",
    default=DEFAULT_CONFIG,
    show_default=True,
    type=click.Path(),
    help="The config file to write.",
)
@click.option(
    "--import",
    "from_account",
    is_flag=True,
    help="Describe the account's current projects instead of a starter project.",
)
@click.option(
    "--prefix",
    metavar="FOLDER/",
    callback=_no_recycle_bin,
    help="With --import: only projects under this folder; it becomes the scope.",
)
@click.option("--organization", metavar="ID", help="With --import: the organization id.")
@click.option("--force", is_flag=True, help="Overwrite an existing FILE.")
@_parallelism_option
@click.pass_context
def init(
    ctx: click.Context,
    out_file: str,
    from_account: bool,
    prefix: str | None,
    organization: str | None,
    force: bool,
    parallelism: int,
) -> None:
    """Start a config: a starter qcsync.yaml (or, with --import, the account as it is) and the
    schema beside it, which the file's first line points editors at."""
    from qcsync.importer import STARTER

    options: GlobalOptions = ctx.obj
    if prefix is not None and not from_account:
        raise click.UsageError("--prefix goes with --import")
    if prefix is not None and not prefix.endswith("/"):
        raise click.BadParameter("a folder prefix ends with '/'", param_hint="--prefix")
    path = Path(out_file)
    if path.exists() and not force:
        raise click.UsageError(f"{out_file} exists; pass --force to overwrite it")
    if from_account:
        text = _run(ctx, lambda: _imported(options, organization, prefix, parallelism))
    else:
        text = STARTER
    _run(ctx, lambda: _write_config(path, text))
    sandbox = " --sandbox" if options.sandbox else ""
    _say(f"Next: qcsync{sandbox} plan -f {out_file}", err=True)


# Every command but `emulator` (which passes its arguments on) also takes the global options.
for _command in main.commands.values():
    if _command.name != "emulator":
        _command.params.extend(_global_params())
