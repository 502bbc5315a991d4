"""The demo-council test database, built once per state of the code and copied for every use.

Building it (`migrate` + `load_demo_council`) takes 20–30 s; copying it takes well under a
second. Every part of the suite that needs the demo council starts from a copy of the same
template: pytest-django's database (tests/conftest.py), the databases shared with worker
processes (tests/backoffice/worker_db.py) and the browser tests' server (tests/browser).

The template is keyed by a hash of everything that can change its content (the apps' code,
migrations and demo data, and requirements.txt), so it is rebuilt only when one of those
changes, and kept between runs: a SQLite file in `.test-cache/` (git-ignored) and, on a
PostgreSQL server, a database named `test_demo_<hash>`. Older templates are removed when a new
one is built. A file lock lets pytest-xdist workers and parallel runs share one build.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".test-cache"
HASHED_FOLDERS = ("portal", "home", "forms_catalogue", "backoffice")
HASHED_SUFFIXES = {".py", ".json", ".csv", ".txt"}
SETTINGS = "portal.settings.test"


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


def content_key() -> str:
    """A short hash of every file that can change what the demo-council database holds."""
    digest = hashlib.sha256()
    files = [REPO / "requirements.txt"]
    for folder in HASHED_FOLDERS:
        files += [
            path
            for path in (REPO / folder).rglob("*")
            if path.suffix in HASHED_SUFFIXES and "__pycache__" not in path.parts and path.is_file()
        ]
    for path in sorted(files):
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def manage_env(database_url: str, media_root: Path, **extra: str) -> dict[str, str]:
    """The environment of a `manage.py` process of the test settings on `database_url`."""
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


def run(args: list[str], env: dict[str, str], timeout: float = 600) -> str:
    """Run a command in the repository; its stdout, or an error with all its output."""
    result = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    if result.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database with SQLite's backup API (which includes what is still in its WAL file)."""
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build(database_url: str) -> None:
    """Migrate an empty database and load the demo council into it, in a subprocess."""
    env = manage_env(database_url, CACHE / "media")
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([sys.executable, "manage.py", "load_demo_council", "-v0"], env)


@contextmanager
def locked(name: str):
    """An exclusive file lock in the cache folder, shared by every process of every run."""
    CACHE.mkdir(exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def sqlite_template() -> Path:
    """The demo-council SQLite template for the code as it is now, built if missing."""
    path = CACHE / f"demo-{content_key()}.sqlite3"
    with locked("sqlite"):
        if not path.exists():
            building = CACHE / "building.sqlite3"
            remove_sqlite(building)
            build(f"sqlite:///{building}")
            for old in CACHE.glob("demo-*.sqlite3"):
                remove_sqlite(old)
            sqlite_copy(building, path)
            remove_sqlite(building)
    return path


def postgres_template(server_url: str) -> str:
    """The name of the demo-council template database on the server for the code as it is now, built if missing."""
    name = f"test_demo_{content_key()}"
    with locked("postgres"), admin_connection(server_url) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            for (old,) in connection.execute("SELECT datname FROM pg_database WHERE datname LIKE 'test\\_demo\\_%%'"):
                connection.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
            try:
                build(with_database(server_url, name))
            except BaseException:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                raise
    return name


def copy_demo_database(server_url: str, sqlite_target: Path, postgres_name: str) -> str:
    """A fresh copy of the demo council: a SQLite file at `sqlite_target`, or a database `postgres_name`
    on the PostgreSQL server of `server_url`; returns its URL."""
    if not is_postgres(server_url):
        sqlite_copy(sqlite_template(), sqlite_target)
        return f"sqlite:///{sqlite_target}"
    template = postgres_template(server_url)
    with locked("postgres"), admin_connection(server_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{postgres_name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{postgres_name}" TEMPLATE "{template}"')
    return with_database(server_url, postgres_name)


def drop_copy(url: str) -> None:
    """Remove a copy made by `copy_demo_database` (a SQLite file is left to its temporary folder)."""
    if is_postgres(url):
        with admin_connection(url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')
