"""`make run` from a fresh clone of the committed HEAD, with an empty environment.

Exactly what the README tells a newcomer to do: clone, `make run`. The test then checks
what they would: the site and `/healthz` answer, the printed admin login works, an e-form
sent over HTTP gets a reference and the worker started by `make run` delivers it, every
`<loc>` of the sitemap answers, a missing page gets the council's own 404, and Ctrl+C
(SIGINT to the process group, as a terminal sends it) stops every process it started.

FRONTDOOR_REF picks another commit to try (default HEAD): `FRONTDOOR_REF=<commit> make frontdoor`.
The pip and npm caches of the user running it are reused (the empty environment keeps HOME).
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from bench.form_steps import Citizen, Stats
from bench.journey import SITEMAP_LOC, Target, find_form_url, form_schema, question_schemas
from tests.staff_signin import code_for_secret

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = "http://127.0.0.1:8000"
START_TIMEOUT = 15 * 60  # a cold pip cache on a slow line; a warm one takes about a minute
DELIVERY_TIMEOUT = 60
STOP_TIMEOUT = 30
FORM = "report-missed-bin"
ADMIN_LOGIN = re.compile(r"Admin login: (\S+)\s+username: (\S+)\s+password: (\S+)")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ENROLMENT_SECRET = re.compile(r'<code id="totp-secret">([A-Z2-7 ]+)</code>')
README_COMMANDS = re.compile(r"## The two commands\s+```sh\n(.*?)```", re.DOTALL)


def readme_run_command(readme: str) -> list[str]:
    """The first of the README's two commands (the one that runs the portal), without its comment."""
    block = README_COMMANDS.search(readme)
    assert block, "the README has no 'The two commands' block"
    first_line = block.group(1).strip().splitlines()[0]
    return shlex.split(first_line.split("#", 1)[0])


def session_processes(session_id: int) -> set[int]:
    """The ids of the live processes in a session (field 6 of /proc/<pid>/stat)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it ended while we looked
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (command)": state, ppid, pgrp, session, ...
        if fields[0] != "Z" and int(fields[3]) == session_id:
            found.add(int(entry.name))
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@dataclass
class RunningPortal:
    """`make run` in its own session, its output in a file, and every process seen in that session."""

    process: subprocess.Popen
    log: Path
    seen: set[int] = field(default_factory=set)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def look(self) -> None:
        self.seen |= session_processes(self.process.pid)

    def fail(self, message: str) -> None:
        pytest.fail(f"{message}\n--- make run output (last 6,000 characters) ---\n{self.output()[-6000:]}")

    def wait_until(self, what: str, check, timeout: float) -> None:
        """Poll `check()` until it is true; fail with the output if `make run` ends or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.look()
            if check():
                return
            if self.process.poll() is not None:
                self.fail(f"make run exited with {self.process.returncode} before {what}")
            time.sleep(1)
        self.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A fresh clone of the commit under test: nothing of this checkout but what is committed."""
    ref = os.environ.get("FRONTDOOR_REF", "HEAD")
    commit = subprocess.run(
        ["git", "rev-parse", "--verify", ref + "^{commit}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    target = tmp_path_factory.mktemp("frontdoor") / "portal"
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(target)], check=True)
    subprocess.run(["git", "checkout", "--quiet", commit], cwd=target, check=True)
    return target


@pytest.fixture(scope="module")
def portal(clone: Path) -> Iterator[RunningPortal]:
    """The README's run command, exactly as written, with nothing in the environment but PATH and HOME."""
    if port_in_use(8000):
        pytest.fail("Port 8000 is already in use: the front-door test runs `make run` on its default address.")
    command = readme_run_command((clone / "README.md").read_text())
    log = clone.parent / "make-run.log"
    env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    running = RunningPortal(process, log)
    try:
        running.wait_until("/healthz answered 200", lambda: answers(BASE_URL + "/healthz"), START_TIMEOUT)
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_home_page_and_health(portal: RunningPortal):
    home = requests.get(BASE_URL + "/", timeout=10)
    assert home.status_code == 200
    assert "Ashworth Borough Council" in home.text
    assert requests.get(BASE_URL + "/healthz", timeout=10).json()["status"] == "ok"


@pytest.fixture(scope="module")
def admin(portal: RunningPortal) -> Iterator[requests.Session]:
    """A session logged in to the admin with the login `make run` printed."""
    match = ADMIN_LOGIN.search(portal.output())
    assert match, "make run did not print the admin login"
    url, username, password = match.groups()
    assert url == BASE_URL + "/admin/"
    assert "authenticator app" in portal.output(), "make run did not explain the second factor"
    session = requests.Session()
    login = session.get(BASE_URL + "/admin/login/", timeout=10)
    response = session.post(
        BASE_URL + "/admin/login/",
        data={
            "csrfmiddlewaretoken": CSRF_TOKEN.search(login.text).group(1),
            "username": username,
            "password": password,
            "next": "/admin/",
        },
        headers={"Referer": BASE_URL + "/admin/login/"},
        timeout=10,
    )
    assert response.url.startswith(BASE_URL + "/admin/second-factor/set-up/"), "the printed login did not work"
    secret = ENROLMENT_SECRET.search(response.text)
    assert secret, "the first sign-in did not show the authenticator app's key"
    enrolled = session.post(
        response.url,
        data={
            "csrfmiddlewaretoken": CSRF_TOKEN.search(response.text).group(1),
            "code": code_for_secret(secret.group(1)),
            "next": "/admin/",
        },
        headers={"Referer": response.url},
        timeout=10,
    )
    assert enrolled.status_code == 200 and 'id="recovery-codes"' in enrolled.text, "setting up the app did not work"
    with session:
        yield session


def test_printed_admin_login_works(admin: requests.Session):
    dashboard = admin.get(BASE_URL + "/admin/", timeout=10, allow_redirects=False)
    assert dashboard.status_code == 200
    assert "/admin/logout/" in dashboard.text


def test_sitemap_points_at_the_running_site(portal: RunningPortal):
    sitemap = requests.get(BASE_URL + "/sitemap.xml", timeout=10)
    locations = SITEMAP_LOC.findall(sitemap.text)
    assert len(locations) > 100, "the demo council's pages are missing from the sitemap"
    wrong = [loc for loc in locations if not loc.startswith(BASE_URL + "/")]
    assert not wrong, f"sitemap <loc>s that do not point at {BASE_URL}: {wrong[:5]}"
    failing = []
    with requests.Session() as session:
        for loc in locations:
            status = session.get(loc, timeout=10, allow_redirects=False).status_code
            if status != 200:
                failing.append((loc, status))
    assert not failing, f"sitemap <loc>s that do not answer 200: {failing[:10]}"


def test_a_missing_page_gets_the_councils_404(portal: RunningPortal):
    response = requests.get(BASE_URL + "/no-such-service/", timeout=10)
    assert response.status_code == 404
    assert "Page not found" in response.text and "Ashworth Borough Council" in response.text
    assert "Using the URLconf" not in response.text, "Django's technical 404 page (DEBUG is on)"


def test_an_eform_is_sent_and_the_worker_delivers_it(portal: RunningPortal, admin: requests.Session):
    """A whole journey over HTTP, then the worker's confirmation email on the console and 'Delivered' for staff."""
    with requests.Session() as session:
        form_url = find_form_url(BASE_URL + "/", FORM, session)
        schema, _ = form_schema(session, form_url, timeout=10)
    target = Target(BASE_URL, form_url, question_schemas(schema), https_proxy=False, timeout=30, seed=1)
    stats = Stats()
    Citizen(target, stats, 1).journey()
    assert not stats.errors, stats.examples
    (reference,) = stats.references
    compact = reference.replace("-", "").replace(" ", "")

    def email_printed() -> bool:
        printed = re.sub(r"[-\s]", "", portal.output())
        return "Subject:" in portal.output() and compact in printed

    portal.wait_until(f"the confirmation email of {reference} on the console", email_printed, DELIVERY_TIMEOUT)
    request_page = BASE_URL + f"/admin/requests/reference/{compact}/"

    def all_delivered() -> bool:
        page = admin.get(request_page, timeout=10).text
        return "Delivered" in page and not re.search(r">\s*(Pending|Sending|Failed, will retry|Dead)\s*<", page)

    portal.wait_until(f"every delivery of {reference} shown as delivered to staff", all_delivered, DELIVERY_TIMEOUT)


def test_ctrl_c_stops_every_process(portal: RunningPortal):
    """Runs last in this module: SIGINT to the foreground process group, then nothing of it is left."""
    portal.look()
    commands = {pid: command_line(pid) for pid in portal.seen}
    assert any("gunicorn" in command for command in commands.values() if command), commands
    assert any("deliver" in command for command in commands.values() if command), commands
    os.killpg(portal.process.pid, signal.SIGINT)
    try:
        portal.process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        portal.fail(f"make run still running {STOP_TIMEOUT} s after SIGINT")
    deadline = time.monotonic() + STOP_TIMEOUT
    while (left := session_processes(portal.process.pid)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not left, f"still running after Ctrl+C: {[commands.get(pid, pid) for pid in left]}"
    assert not port_in_use(8000), "something still listens on port 8000"
    assert "Traceback" not in portal.output().split("Portal running at", 1)[-1], "a traceback on the way out"
