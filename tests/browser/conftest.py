"""Real-browser and accessibility tests: a real portal server, Debian's Chromium, axe-core.

How it fits together
- Every test under tests/browser/ gets the `browser` marker (select with `-m browser`,
  leave out with `-m "not browser"`) and runs after all the other tests of the run:
  Playwright's sync API keeps an asyncio loop running in the main thread while the
  browser is open, and Django refuses database calls from a thread with a running loop.
- `portal_server` (session scope, so one per pytest-xdist worker) runs gunicorn on a free
  port with `tests.browser.server_settings`, on its own SQLite copy of the demo-council
  template (tests/demo_database.py): emails go to files, uploads to a temporary folder.
  Nothing in the pytest process touches that database; tests read it through the browser,
  the email files, or `portal_server.manage(...)`. A failing test's report ends with the
  server's log.
- Chromium is `/usr/bin/chromium` (or CHROMIUM_PATH), launched headless by pytest-playwright.
  Missing Chromium skips these tests, except with REQUIRE_SERVICES=1 (CI), where it fails them.
- PORTAL_BROWSER_TESTS=0 deselects them (bin/test does this for its PostgreSQL pass: the
  server always runs on its own SQLite file, so a second run would test nothing new).

Extension point for the back-office and tracking journeys: add `test_<area>.py` files here.
They get the marker, the server and its helpers for free; `staff_context` gives a browser
context logged in to the admin as a superuser, `portal_server.manage(...)` runs any
management command against the server's database, and `assert_accessible(page, name)`
(tests/browser/accessibility.py) is the same zero-violation axe check the public pages pass.
"""

from __future__ import annotations

import ctypes
import email
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

from tests.demo_database import copy_demo_database
from tests.staff_signin import create_device_code, pass_second_factor

BROWSER_DIR = Path(__file__).resolve().parent
ROOT = BROWSER_DIR.parent.parent
SCREENSHOT_DIR = ROOT / "test-artifacts" / "screenshots"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--headless",
]
SERVER_START_TIMEOUT = 60
PR_SET_PDEATHSIG = 1
STAFF_USERNAME = "browser-staff"
STAFF_PASSWORD = "browser-staff-password"  # only ever in the throwaway database of one test run


def in_browser_folder(item) -> bool:
    return BROWSER_DIR in Path(str(item.path)).resolve().parents


def pytest_itemcollected(item):
    """Mark every test in this folder `browser` as it is collected, so `-m` sees the marker."""
    if in_browser_folder(item):
        item.add_marker(pytest.mark.browser)


@pytest.hookimpl(trylast=True)  # after any other reordering: the browser tests must stay last
def pytest_collection_modifyitems(config, items):
    """Run the browser tests after all the others, or deselect them with PORTAL_BROWSER_TESTS=0."""
    browser_items = [item for item in items if in_browser_folder(item)]
    other_items = [item for item in items if not in_browser_folder(item)]
    if os.environ.get("PORTAL_BROWSER_TESTS", "1") == "0" and browser_items:
        config.hook.pytest_deselected(items=browser_items)
        browser_items = []
    items[:] = other_items + browser_items


# --- the portal server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_prctl = ctypes.CDLL(None).prctl  # looked up here: the child of a fork should only call it


def stop_with_parent() -> None:
    """In the server process: ask Linux to stop it when pytest dies, so a killed run leaves no server behind."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def run_manage(env: dict[str, str], *args: str, timeout: int = 120) -> str:
    """Run manage.py in a subprocess with the given environment; its stdout, or an error with its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class PortalServer:
    """A running gunicorn of the portal, its database, email folder and log."""

    url: str
    directory: Path
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def email_dir(self) -> Path:
        return Path(self.env["BROWSER_TEST_EMAIL_DIR"])

    def manage(self, *args: str, timeout: int = 120) -> str:
        """Run a manage.py command against the server's database; its stdout, or an error with its output."""
        return run_manage(self.env, *args, timeout=timeout)

    def shell(self, code: str) -> str:
        """Run Python code in `manage.py shell` against the server's database (for setting up a state)."""
        return self.manage("shell", "--no-imports", "-c", code)

    def shell_json(self, code: str):
        """Run code that ends by printing one JSON document, and return that document."""
        return json.loads(self.shell(code).strip().splitlines()[-1])

    def new_offline_service(self, title: str, slug: str, summary: str, category: str) -> dict:
        """Publish a service page with no e-form (the demo council has every service online); its pk, title,
        URL and department."""
        return self.shell_json(
            "import json\n"
            "from home.models import CategoryPage, Department, ServicePage\n"
            f"category = CategoryPage.objects.get(slug={category!r})\n"
            "department = ServicePage.objects.child_of(category).first().department\n"
            f"service = ServicePage(title={title!r}, slug={slug!r}, summary={summary!r}, department=department)\n"
            "category.add_child(instance=service)\n"
            "service.save_revision().publish()\n"
            "print(json.dumps({'pk': service.pk, 'title': service.title, 'url': service.url,"
            " 'department': service.department_id}))"
        )

    def emails(self) -> list[Message]:
        """Every email the server has sent so far, oldest first (the file backend writes one file a connection)."""
        messages = []
        for path in sorted(self.email_dir.glob("*.log"), key=lambda path: path.stat().st_mtime_ns):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk.lstrip(b"\n")))
        return messages

    def wait_for_email(self, to: str, subject_contains: str = "", timeout: float = 10) -> Message:
        """The latest email to `to` (whose subject has `subject_contains`), waiting for it to be written."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                message
                for message in self.emails()
                if to in (message["To"] or "") and subject_contains in (message["Subject"] or "")
            ]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no email to {to!r} with {subject_contains!r} in the subject was sent")
            time.sleep(0.1)

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.env["BROWSER_TEST_BASE_URL"] = self.url
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--timeout",
            "60",
            "--max-requests",
            "0",  # gunicorn.conf.py recycles workers; this one keeps its in-memory cache for the session
            "--no-control-socket",  # gunicorn's default control socket is one path shared by every gunicorn
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=stop_with_parent
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the portal server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the portal server did not answer within {SERVER_START_TIMEOUT}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_portal_server(directory: Path) -> PortalServer:
    """A live portal in `directory`, on its own copy of the demo-council database, started."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.browser.server_settings",
        BROWSER_TEST_DATABASE=str(directory / "portal.sqlite3"),
        BROWSER_TEST_EMAIL_DIR=str(directory / "emails"),
        BROWSER_TEST_MEDIA_ROOT=str(directory / "media"),
        PYTHONUNBUFFERED="1",
    )
    (directory / "emails").mkdir()
    (directory / "media").mkdir()
    copy_demo_database("", directory / "portal.sqlite3", "")  # SQLite, whatever DATABASE_URL says
    server = PortalServer(url="", directory=directory, env=env, log_path=directory / "server.log")
    server.start()
    return server


@pytest.fixture(scope="session")
def portal_server(tmp_path_factory) -> Iterator[PortalServer]:
    """One live portal per test session (per xdist worker), on its own copy of the demo-council database."""
    server = start_portal_server(tmp_path_factory.mktemp("portal-server"))
    _running_servers.append(server)
    yield server
    _running_servers.remove(server)
    server.stop()


_running_servers: list[PortalServer] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Add the end of the server's log (tracebacks of server errors) to a failing browser test's report."""
    report = yield
    if report.failed and _running_servers and BROWSER_DIR in Path(str(item.path)).resolve().parents:
        report.sections.append(("portal server log (last lines)", _running_servers[0].log_tail(40)))
    return report


@pytest.fixture(scope="session")
def base_url(portal_server) -> str:
    """pytest-playwright gives every browser context this base URL, so `page.goto("/")` works."""
    return portal_server.url


# --- Chromium ------------------------------------------------------------------------------


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium (Playwright's own browser download is not used)."""
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        message = f"Chromium not found at {path} (install it with bin/setup, or set CHROMIUM_PATH)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message + " and REQUIRE_SERVICES=1", pytrace=False)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture(autouse=True)
def _fail_fast_timeouts(request):
    """Short timeouts: a locator that does not match fails in seconds, not Playwright's default 30 s."""
    if "page" in request.fixturenames:
        page = request.getfixturevalue("page")
        page.set_default_timeout(8_000)
        page.set_default_navigation_timeout(15_000)


@pytest.fixture
def no_js_page(new_context):
    """A page in a browser context with JavaScript switched off."""
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(8_000)
    page.javascript = False  # tells assert_accessible to check a script-free copy (axe needs JavaScript)
    return page


@pytest.fixture
def screenshot():
    """`screenshot(page, "name")` saves a full-page PNG to test-artifacts/screenshots/ (git-ignored)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture(scope="session")
def staff_user(portal_server) -> tuple[str, str]:
    """A superuser in the server's database, with an authenticator device: (username, password)."""
    portal_server.shell(
        "from django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.filter(username={STAFF_USERNAME!r}).exists() or "
        f"get_user_model().objects.create_superuser({STAFF_USERNAME!r}, 'staff@example.invalid', {STAFF_PASSWORD!r})\n"
        + create_device_code(STAFF_USERNAME)
    )
    return STAFF_USERNAME, STAFF_PASSWORD


@pytest.fixture
def staff_context(new_context, staff_user, base_url):
    """A browser context signed in to the Wagtail admin, password and second factor (for the journeys to build on)."""
    context = new_context()
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", staff_user[0])
    page.fill("#id_password", staff_user[1])
    page.click("button[type=submit]")
    pass_second_factor(page, staff_user[0])
    page.wait_for_url(f"{base_url}/admin/")
    page.close()
    return context


@pytest.fixture(scope="session")
def eform_urls(portal_server) -> dict[str, str]:
    """The URL of each published e-form by its service's slug (e.g. "blue-badge")."""
    return portal_server.shell_json(
        "import json\n"
        "from forms_catalogue.models import EFormPage\n"
        "print(json.dumps({page.get_parent().slug: page.url for page in EFormPage.objects.live()}))"
    )
