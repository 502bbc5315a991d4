"""A database shared by a test and real `manage.py deliver` processes, and those processes.

pytest-django's SQLite test database lives in memory, invisible to other processes, so the
process-level tests use their own database: a file SQLite database, or, when DATABASE_URL
points at PostgreSQL, a database of their own on that server (`test_worker_<pid>_<n>`).
Each is a copy of a template prepared once per test run by `migrate` and
`load_demo_council` in a subprocess with the workers' environment; a file lock in the run's
temporary folder lets the pytest-xdist workers share the template. Templates and copies are
dropped afterwards.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def start_deliver_process(env: dict[str, str], log_path: Path, *args: str) -> subprocess.Popen:
    """`manage.py deliver` in the background, its output in `log_path` (the file is closed with the process)."""
    log = open(log_path, "wb")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [PYTHON, "manage.py", "deliver", *args], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    process.log = log
    return process


SETTINGS = "portal.settings.test"
_copies = itertools.count(1)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def admin_connection(url: str):
    """An autocommit psycopg connection to the server's maintenance database, for CREATE/DROP DATABASE."""
    import psycopg

    connection = psycopg.connect(with_database(url, "postgres").replace("postgres://", "postgresql://", 1))
    connection.autocommit = True
    try:
        yield connection
    finally:
        connection.close()


def base_env(database_url: str, media_root: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "PYTHONUNBUFFERED": "1",
        "DEMO_WEBHOOK_URL": "",
        "DEMO_RABBITMQ_URL": "",
    }
    env.update({name: str(value) for name, value in extra.items()})
    return env


def run(args: list[str], env: dict[str, str], timeout: float = 300) -> str:
    result = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Template:
    """The migrated demo-council database every shared database is copied from (one per test run)."""

    def __init__(self, run_id: str, server_url: str, folder: Path):
        self.run_id = run_id
        self.server_url = server_url
        self.folder = folder / f"worker-db-{run_id}"
        self.folder.mkdir(exist_ok=True)
        self.lock_path = self.folder / "lock"
        self.pg_name = f"test_worker_tpl_{run_id}"[:63]

    @contextmanager
    def locked(self):
        with open(self.lock_path, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @property
    def sqlite_path(self) -> Path:
        return self.folder / "template.sqlite3"

    def _exists(self) -> bool:
        if not is_postgres(self.server_url):
            return self.sqlite_path.exists()
        with admin_connection(self.server_url) as connection:
            return bool(connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.pg_name]).fetchone())

    def _prepare(self) -> None:
        if is_postgres(self.server_url):
            with admin_connection(self.server_url) as connection:
                connection.execute(f'CREATE DATABASE "{self.pg_name}"')
            url = with_database(self.server_url, self.pg_name)
        else:
            building = self.folder / "building.sqlite3"
            building.unlink(missing_ok=True)
            url = f"sqlite:///{building}"
        env = base_env(url, self.folder / "media")
        try:
            run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
            run([PYTHON, "manage.py", "load_demo_council", "-v0"], env)
        except BaseException:
            self.drop()
            raise
        if not is_postgres(self.server_url):
            sqlite_copy(building, self.sqlite_path)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{building}{suffix}").unlink(missing_ok=True)

    def copy(self, tmp_path: Path) -> str:
        """A new database, a copy of the template (prepared first if need be); returns its URL."""
        with self.locked():
            if not self._exists():
                self._prepare()
            if not is_postgres(self.server_url):
                target = tmp_path / "shared.sqlite3"
                sqlite_copy(self.sqlite_path, target)
                return f"sqlite:///{target}"
            name = f"test_worker_{os.getpid()}_{next(_copies)}"
            with admin_connection(self.server_url) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.pg_name}"')
            return with_database(self.server_url, name)

    def drop(self) -> None:
        """Remove the template (another xdist worker that needs it later prepares it again)."""
        if is_postgres(self.server_url):
            with admin_connection(self.server_url) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
        for name in ("template.sqlite3", "building.sqlite3"):
            for suffix in ("", "-wal", "-shm"):
                (self.folder / f"{name}{suffix}").unlink(missing_ok=True)


def sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database with SQLite's backup API (which includes what is still in its WAL file)."""
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)


def drop_copy(url: str) -> None:
    if is_postgres(url):
        with admin_connection(url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


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
        return base_env(self.url, self.folder / "media", **self.delivery)

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
