"""A database shared by a test and real `manage.py deliver` processes, and those processes.

pytest-django's database belongs to the pytest process, so the process-level tests use a
database of their own: a file SQLite database, or, when DATABASE_URL points at PostgreSQL, a
database of their own on that server (`test_worker_<pid>_<n>`). Each is a fresh copy of the
demo-council template (tests/demo_database.py), dropped afterwards.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.demo_database import REPO, admin_connection, copy_demo_database, drop_copy, is_postgres, manage_env, run

__all__ = ["SharedDatabase", "admin_connection", "is_postgres", "new_shared_database_url", "drop_copy", "wait_until"]

PYTHON = sys.executable
_copies = itertools.count(1)


def start_deliver_process(env: dict[str, str], log_path: Path, *args: str) -> subprocess.Popen:
    """`manage.py deliver` in the background, its output in `log_path` (the file is closed with the process)."""
    log = open(log_path, "wb")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [PYTHON, "manage.py", "deliver", *args], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    process.log = log
    return process


def new_shared_database_url(folder: Path) -> str:
    """A fresh copy of the demo council on the server of DATABASE_URL (or a SQLite file in `folder`)."""
    name = f"test_worker_{os.getpid()}_{next(_copies)}"
    return copy_demo_database(os.environ.get("DATABASE_URL", ""), folder / "shared.sqlite3", name)


@dataclass
class SharedDatabase:
    """One test's database, shared with the worker processes it starts; runs commands in their environment."""

    url: str
    folder: Path
    delivery: dict[str, str]
    workers: list[subprocess.Popen] = field(default_factory=list)

    @property
    def vendor(self) -> str:
        return "postgresql" if is_postgres(self.url) else "sqlite"

    def env(self) -> dict[str, str]:
        return manage_env(self.url, self.folder / "media", **self.delivery)

    def ctl(self, *args: str, timeout: float = 300) -> dict:
        """Run a `tests.backoffice.dbctl` command against this database; its JSON answer."""
        return json.loads(run([PYTHON, "-m", "tests.backoffice.dbctl", *args], self.env(), timeout=timeout))

    def ctl_in_background(self, *args: str) -> subprocess.Popen:
        """Start a `tests.backoffice.dbctl` command; `communicate()` gives its JSON answer."""
        return subprocess.Popen(
            [PYTHON, "-m", "tests.backoffice.dbctl", *args],
            cwd=REPO,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def status(self) -> dict:
        return self.ctl("status")

    def deliveries(self, kind: str = "webhook") -> list[dict]:
        return [row for row in self.status()["deliveries"] if row["kind"] == kind]

    def start_worker(self, *args: str) -> subprocess.Popen:
        """`manage.py deliver` in the background (output to a log file in the test's folder)."""
        process = start_deliver_process(self.env(), self.folder / f"worker-{len(self.workers) + 1}.log", *args)
        self.workers.append(process)
        return process

    def deliver_once(self, *args: str, timeout: float = 120) -> str:
        """`manage.py deliver --once`; its output."""
        return run([PYTHON, "manage.py", "deliver", "--once", *args], self.env(), timeout=timeout)

    def log(self, process: subprocess.Popen) -> str:
        process.log.flush()
        return Path(process.log.name).read_text(errors="replace")

    def stop_workers(self) -> None:
        """SIGTERM every worker still running, then SIGKILL any that has not exited after 15 s."""
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.workers:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.log.close()


def wait_until(condition, timeout: float, interval: float = 0.1, message: str = "condition"):
    """Poll `condition()` until it returns something true; fail with `message` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {message}")
        time.sleep(interval)
