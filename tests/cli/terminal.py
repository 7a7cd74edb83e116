"""Run `python -m qcsync` in a real pseudo-terminal, as a user at a keyboard would.

stdin and stdout are the terminal (so qcsync sees a TTY: it prompts and colours); stderr is a
pipe, so a test reads the two streams apart. The child is a session leader with the terminal as
its controlling terminal, so a Ctrl-C written to the terminal reaches it as SIGINT, exactly as
from a keyboard.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

CTRL_C = b"\x03"
CTRL_D = b"\x04"
READ_SYSCALLS = {"0", "63"}  # read(2) on x86-64 and on arm64


@dataclass
class Session:
    process: subprocess.Popen[bytes]
    master: int
    stdout: bytes = b""
    stderr: bytes = b""
    closed: set[int] = field(default_factory=set)

    @property
    def _stderr_fd(self) -> int:
        assert self.process.stderr is not None
        return self.process.stderr.fileno()

    def _pump(self, timeout: float) -> None:
        streams = [fd for fd in (self.master, self._stderr_fd) if fd not in self.closed]
        if not streams:
            time.sleep(timeout)
            return
        ready, _, _ = select.select(streams, [], [], timeout)
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the terminal's other side closed (EIO on Linux)
                chunk = b""
            if not chunk:
                self.closed.add(fd)
            elif fd == self.master:
                self.stdout += chunk
            else:
                self.stderr += chunk

    def wait_for(self, text: bytes, *, stream: str = "stderr", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in getattr(self, stream):
            if time.monotonic() > deadline or self._stderr_fd in self.closed:
                raise AssertionError(
                    f"{text!r} never came on {stream}; stdout={self.stdout!r} "
                    f"stderr={self.stderr!r}"
                )
            self._pump(0.1)

    def wait_until_reading(self, timeout: float = 60) -> None:
        """Wait until qcsync is blocked reading the terminal.

        A SIGINT that lands after a prompt is written but before the read starts is noted by
        Python and acted on only after the read returns, so a Ctrl-C sent the instant the
        prompt appears could wait forever; a person is never that quick. Linux shows the
        syscall a process waits in; elsewhere, a pause stands in for it.
        """
        syscall = Path(f"/proc/{self.process.pid}/syscall")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                fields = syscall.read_text().split()
            except OSError:
                time.sleep(1)
                return
            if len(fields) > 1 and fields[0] in READ_SYSCALLS and fields[1] == "0x0":
                return
            self._pump(0.05)
        raise AssertionError(f"qcsync never waited for input; stderr={self.stderr!r}")

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def finish(self, timeout: float = 60) -> int:
        """Wait for the exit, reading both streams to their end; the exit code."""
        deadline = time.monotonic() + timeout
        while self._stderr_fd not in self.closed or self.process.poll() is None:
            if time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError(f"qcsync did not exit; stderr={self.stderr!r}")
            self._pump(0.1)
        self._pump(0.05)  # what is left on the terminal
        code = self.process.wait(timeout=5)
        os.close(self.master)
        assert self.process.stderr is not None
        self.process.stderr.close()
        return code


# Run in the child, a new session's leader: take the terminal on stdin as the controlling one,
# then become qcsync. (preexec_fn would do the same, but is unsafe in a threaded parent.)
_TAKE_TERMINAL = (
    "import fcntl, os, signal, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    # An inherited 'SIGINT ignored' (a backgrounded CI shell) would survive the exec.
    "signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, '-m', 'qcsync', *sys.argv[1:]])"
)


def start(args: list[str], env: Mapping[str, str], cwd: str) -> Session:
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", _TAKE_TERMINAL, *args],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
        cwd=cwd,
        start_new_session=True,
    )
    os.close(slave)
    return Session(process, master)
