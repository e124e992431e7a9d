"""Keeping an unattended run safe: one run per data directory (a kernel lock), signals passed
on to Snakemake and its jobs, and every process of the run gone before it reports."""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from modelprep.errors import InputError

log = logging.getLogger("modelprep.startup")


class Locked(RuntimeError):
    """Another startup.py holds the data directory."""


@contextmanager
def data_lock(path: Path):
    """An exclusive ``flock`` on ``path`` in DATA_PATH; the kernel releases it if we are killed."""
    data_dir = path.parent
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise Locked(
                f"another modelprep run (pid {holder}) is using {data_dir} ({path} is locked); "
                "wait for it to finish. Nothing was changed."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield handle.fileno()


def snakemake_processes_here() -> list[int]:
    """PIDs of Snakemake processes (or their jobs) working in this directory, ours excepted.

    The kernel lock covers startup.py runs only; a plain `snakemake` in the same directory
    must not have its lock cleared under it. Linux's /proc answers; elsewhere, none are seen.
    """
    here, mine = os.getcwd(), {os.getpid(), os.getppid()}
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if int(entry.name) in mine or os.readlink(entry / "cwd") != here:
                continue
            if b"snakemake" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone, or not ours to inspect
            continue
    return sorted(found)


class Stopper:
    """SIGTERM/SIGINT for the whole run: remembered, and passed to the running Snakemake.

    Installed before the first subprocess, so a ``docker stop`` at any moment ends the run
    with a failure marker (PID 1 ignores SIGTERM without a handler). Snakemake runs in its own
    process group; the signal goes to the whole group (Snakemake and its jobs).
    """

    def __init__(self):
        self.requested: int | None = None
        self.child: subprocess.Popen | None = None
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.handle)

    def handle(self, signum, _frame):
        self.requested = signum
        log.warning("received signal %d: stopping Snakemake and its jobs", signum)
        if self.child is not None and self.child.poll() is None:
            try:
                os.killpg(self.child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def check(self) -> None:
        if self.requested:
            raise InputError(f"stopped by signal {self.requested} before the build finished")

    def run(self, command: list[str], env: dict, run_log: Path, lock_fd: int) -> int:
        """Run Snakemake, copying its output to the console and the run log.

        Snakemake inherits the lock's descriptor, so a SIGKILL of this process alone cannot
        let another run start while Snakemake still builds.
        """
        self.check()
        with open(run_log, "a", encoding="utf-8") as sink:
            self.child = subprocess.Popen(
                command,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
                pass_fds=(lock_fd,),
            )
            if self.requested:  # arrived while Popen ran, before the handler knew the child
                self.handle(self.requested, None)
            for line in self.child.stdout:
                sys.stderr.write(line)
                sink.write(line)
            code = self.child.wait()
        self.wait_for_group(self.child.pid)
        return code

    @staticmethod
    def wait_for_group(pgid: int, seconds: float = 30.0) -> None:
        """Wait until Snakemake's jobs are gone too; SIGKILL stragglers after ``seconds``.

        As a container's PID 1 we inherit orphaned jobs, so reap them here as well.
        """
        deadline, killed = time.monotonic() + seconds, False
        while True:
            try:
                while os.waitpid(-pgid, os.WNOHANG)[0]:
                    pass
            except ChildProcessError:
                pass
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            if time.monotonic() > deadline:
                if killed:
                    log.warning("processes of group %d outlived SIGKILL; not waiting", pgid)
                    return
                os.killpg(pgid, signal.SIGKILL)
                deadline, killed = time.monotonic() + 5, True
            time.sleep(0.05)
