"""Side-by-side benchmark: the portal against a bare Wagtail site and a static file, in one run.

Against two running servers under the same gunicorn settings (bench/run_side_by_side.sh starts
them), with wrk (`apt-get install -y wrk`) or, when wrk is missing, a Python client of the
same shape (threads with keep-alive connections; it measures less precisely and says so), at
16 connections for `--duration` seconds each, it measures:

1. the cached service page against a static file of the same size served by whitenoise
   (target ≥ 0.8×);
2. the uncached service page (a query string unique to each request, so no cache can answer)
   against the anchor's plain Wagtail home page (target ≥ 1.0×);
3. an e-form step POST (16 journeys, each re-posting the same valid step with its own
   session and CSRF cookie; 302 expected) against the anchor's single-page
   `wagtail.contrib.forms` POST of the same 5 fields (16 sessions; its thank-you page
   expected) (target ≥ 3×).

A response with another status (or a form POST without its thank-you page) counts as an
error; any error fails the run. It prints each pair as a ratio against its target and writes
bench/results/side_by_side.json with the machine (CPU model, cores, RAM), date, versions and
each gunicorn worker's peak memory (VmHWM; target < 150 MB).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import requests
from urllib3 import encode_multipart_formdata

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.form_steps import Citizen, Stats, percentile  # noqa: E402
from bench.journey import Target, find_form_url, form_schema, post_form_fields, question_schemas  # noqa: E402
from bench.run_info import git_commit, machine  # noqa: E402

DEFAULT_OUTPUT = REPO / "bench" / "results" / "side_by_side.json"
SUBMITTED_MARKER = "data-submitted"
MEMORY_TARGET_MB = 150
HTTPS = {"X-Forwarded-Proto": "https"}
# What the anchor's contrib.forms fields are answered with (text boxes; radios take their first option).
TEXT_ANSWERS = ("AB12 CDE", "Ford Focus")


@dataclass
class Scenario:
    """One measured load: requests sent round-robin over the connections, each expecting `expect`."""

    name: str
    base_url: str
    requests: list[dict[str, Any]]
    expect: int
    unique_query: bool = False
    body_marker: str = ""
    result: dict[str, Any] = field(default_factory=dict)


# --- preparing the requests -----------------------------------------------------------------


def get_request(path: str) -> dict[str, Any]:
    return {"method": "GET", "path": path, "headers": dict(HTTPS), "body": b""}


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


def portal_step_posts(base_url: str, form: str, step: str, journeys: int) -> list[dict[str, Any]]:
    """Journeys of the portal form stopped at `step`: each one's POST answering it, to send again and again."""
    setup = Target(base_url, "", {}, True, 30, 1).session()
    form_url = find_form_url(base_url, form, setup)
    schema, _source = form_schema(setup, form_url, 30)
    target = Target(base_url, form_url, question_schemas(schema), True, 30, 1)
    prepared = []
    for number in range(journeys):
        citizen = Citizen(target, Stats(), number)
        url = citizen.begin()
        for _ in range(20):
            name, data = citizen.open_step(url)
            if name == step:
                break
            url = citizen.post("step_post", url, data)
        else:
            sys.exit(f"The journey of {form} never reached the step '{step}'.")
        body, content_type = encode_multipart_formdata(data)
        headers = {
            **HTTPS,
            "Content-Type": content_type,
            "Origin": target.origin,
            "Referer": target.origin + urlsplit(url).path,
            "Cookie": cookie_header(citizen.session),
        }
        prepared.append({"method": "POST", "path": urlsplit(url).path, "headers": headers, "body": body})
    return prepared


def anchor_form_posts(base_url: str, path: str, sessions: int) -> list[dict[str, Any]]:
    """`sessions` visitors of the anchor's form page, each with the POST of a valid answer to every field."""
    prepared = []
    for _ in range(sessions):
        session = requests.Session()
        page = session.get(urljoin(base_url, path), timeout=30)
        page.raise_for_status()
        texts = iter(TEXT_ANSWERS)
        data, seen = [], set()
        for control in post_form_fields(page.text):
            if control.name in seen:
                continue
            seen.add(control.name)
            value = control.value if control.type in ("hidden", "radio") else next(texts, "Benchmark answer")
            data.append((control.name, value))
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie_header(session)}
        headers["Referer"] = urljoin(base_url, path)
        prepared.append({"method": "POST", "path": path, "headers": headers, "body": urlencode(data).encode()})
    return prepared


def check_once(scenario: Scenario) -> None:
    """Send the scenario's first request once and stop with a clear message unless it answers as expected."""
    spec = scenario.requests[0]
    path = spec["path"] + ("?uncached=check" if scenario.unique_query else "")
    response = requests.request(
        spec["method"],
        urljoin(scenario.base_url, path),
        headers=spec["headers"],
        data=spec["body"] or None,
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != scenario.expect or scenario.body_marker not in response.text:
        sys.exit(f"{scenario.name}: {spec['method']} {path} answered {response.status_code}, not {scenario.expect}.")


# --- load generators ------------------------------------------------------------------------


def lua_string(value: str | bytes) -> str:
    """A Lua string literal of any bytes (printable ASCII as is, everything else escaped)."""
    data = value.encode() if isinstance(value, str) else value
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in data) + '"'


def wrk_script(scenario: Scenario) -> str:
    """A wrk Lua script that sends the scenario's requests round-robin, counts unexpected answers, prints JSON."""

    def lua_table(spec: dict[str, Any]) -> str:
        headers = ", ".join(f"[{lua_string(key)}]={lua_string(value)}" for key, value in spec["headers"].items())
        method, path, body = (lua_string(spec[key]) for key in ("method", "path", "body"))
        return f"{{method={method}, path={path}, body={body}, headers={{{headers}}}}}"

    specs = ",\n".join(lua_table(spec) for spec in scenario.requests)
    return f"""
local specs = {{
{specs}
}}
local threads, thread_number = {{}}, 0
local prepared, counter = {{}}, 0
unexpected = 0
function setup(thread)
  thread_number = thread_number + 1
  thread:set("id", thread_number)
  table.insert(threads, thread)
end
function init(args)
  for i, spec in ipairs(specs) do
    prepared[i] = wrk.format(spec.method, spec.path, spec.headers, spec.body ~= "" and spec.body or nil)
  end
end
function request()
  counter = counter + 1
  if {str(scenario.unique_query).lower()} then
    local spec = specs[1]
    return wrk.format(spec.method, spec.path .. "?uncached=" .. id .. "-" .. counter, spec.headers, nil)
  end
  return prepared[(counter % #prepared) + 1]
end
function response(status, headers, body)
  if status ~= {scenario.expect} or not string.find(body, {lua_string(scenario.body_marker)}, 1, true) then
    unexpected = unexpected + 1
  end
end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("unexpected") end
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
    .. '"unexpected": %d, "socket_errors": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    bad, errors.connect + errors.read + errors.write + errors.timeout))
end
"""


def run_wrk(scenario: Scenario, duration: float, connections: int, threads: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(scenario))
    try:
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "10s"]
        result = subprocess.run(  # noqa: S603
            [*command, "-s", script.name, scenario.base_url], capture_output=True, text=True, check=False
        )
    finally:
        os.unlink(script.name)
    found = re.search(r"WRK_RESULT (\{.*\})", result.stdout)
    if not found:
        sys.exit(f"wrk gave no result for {scenario.name}: {result.stdout}{result.stderr}")
    raw = json.loads(found.group(1))
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "requests_per_second": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "errors": raw["unexpected"] + raw["socket_errors"],
    }


def run_python(scenario: Scenario, duration: float, connections: int) -> dict[str, Any]:
    """The same load from Python threads with keep-alive connections (when wrk is not installed)."""
    parts = urlsplit(scenario.base_url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def connection_loop(number: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        counter = 0
        mine, bad = [], 0
        while time.monotonic() < deadline:
            counter += 1
            spec = scenario.requests[(number + counter) % len(scenario.requests)]
            path = spec["path"] + (f"?uncached={number}-{counter}" if scenario.unique_query else "")
            started = time.perf_counter()
            try:
                connection.request(spec["method"], path, body=spec["body"] or None, headers=spec["headers"])
                response = connection.getresponse()
                body = response.read().decode(errors="replace")
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                bad += 1
                continue
            mine.append(time.perf_counter() - started)
            bad += response.status != scenario.expect or scenario.body_marker not in body
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    workers = [threading.Thread(target=connection_loop, args=(number,)) for number in range(connections)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    point = {name: round(percentile(ordered, q) * 1000, 1) if ordered else None for name, q in PERCENTILES.items()}
    return {
        "requests": len(ordered),
        "requests_per_second": round(len(ordered) / elapsed, 1),
        **point,
        "errors": errors[0],
    }


PERCENTILES = {"p50_ms": 0.50, "p95_ms": 0.95, "p99_ms": 0.99}


# --- the run --------------------------------------------------------------------------------


def peak_worker_memory_mb(master_pid: int) -> list[float]:
    """Peak resident memory (VmHWM) of each worker process of a gunicorn master, in MB."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        parent = re.search(r"^PPid:\s+(\d+)", text, re.MULTILINE)
        peak = re.search(r"^VmHWM:\s+(\d+) kB", text, re.MULTILINE)
        if parent and peak and int(parent.group(1)) == master_pid:
            peaks.append(round(int(peak.group(1)) / 1024, 1))
    return sorted(peaks)


def versions() -> dict[str, str]:
    found = {name: metadata.version(name) for name in ("django", "wagtail", "gunicorn", "whitenoise")}
    if shutil.which("wrk"):
        first = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
        found["wrk"] = (first.stdout or first.stderr).split("[")[0].replace("wrk", "").strip()
    return {"python": sys.version.split()[0], **found}


def memory_total_mb() -> int | None:
    meminfo = Path("/proc/meminfo")
    found = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text()) if meminfo.exists() else None
    return round(int(found.group(1)) / 1024) if found else None


PAIRS = [
    ("cached service page vs static file", "cached_service_page", "static_file", 0.8),
    ("uncached service page vs plain Wagtail page", "uncached_service_page", "wagtail_page", 1.0),
    ("e-form step POST vs contrib.forms POST", "eform_step_post", "contrib_forms_post", 3.0),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portal", required=True, help="the portal's base URL")
    parser.add_argument("--anchor", required=True, help="the anchor site's base URL")
    parser.add_argument("--portal-pid", type=int, required=True, help="the portal's gunicorn master pid")
    parser.add_argument("--anchor-pid", type=int, required=True, help="the anchor's gunicorn master pid")
    parser.add_argument("--service-path", default="", help="the service page (default: the form's service)")
    parser.add_argument("--static-path", required=True, help="a static file of the service page's size")
    parser.add_argument("--form", default="resident-parking-permit", help="the portal service whose form is posted")
    parser.add_argument("--step", default="vehicle", help="the step posted (5 fields, as the anchor's form)")
    parser.add_argument("--anchor-page", default="/", help="the anchor's plain Wagtail page")
    parser.add_argument("--anchor-form", default="/vehicle/", help="the anchor's contrib.forms page")
    parser.add_argument("--duration", type=float, default=30, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--python-client", action="store_true", help="use the Python client even if wrk is installed")
    parser.add_argument("--server-command", default="not given", help="how the servers were started (recorded)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    portal, anchor = args.portal.rstrip("/"), args.anchor.rstrip("/")
    if not args.service_path:
        form_url = find_form_url(portal, args.form, Target(portal, "", {}, True, 30, 1).session())
        args.service_path = urlsplit(form_url).path.removesuffix("form/")
    scenarios = [
        Scenario("static_file", portal, [get_request(args.static_path)], 200),
        Scenario("cached_service_page", portal, [get_request(args.service_path)], 200),
        Scenario("uncached_service_page", portal, [get_request(args.service_path)], 200, unique_query=True),
        Scenario("wagtail_page", anchor, [get_request(args.anchor_page)], 200),
        Scenario("eform_step_post", portal, portal_step_posts(portal, args.form, args.step, args.connections), 302),
        Scenario(
            "contrib_forms_post",
            anchor,
            anchor_form_posts(anchor, args.anchor_form, args.connections),
            200,
            body_marker=SUBMITTED_MARKER,
        ),
    ]
    use_wrk = bool(shutil.which("wrk")) and not args.python_client
    if not use_wrk:
        print("wrk not found (apt-get install -y wrk): using the Python client, which measures less precisely")
    load_before = os.getloadavg()[0]
    for scenario in scenarios:
        check_once(scenario)
        if use_wrk:
            scenario.result = run_wrk(scenario, args.duration, args.connections, args.threads)
        else:
            scenario.result = run_python(scenario, args.duration, args.connections)
        result = scenario.result
        print(
            f"{scenario.name:24} {result['requests_per_second']:8.1f} requests/s  p50 {result['p50_ms']} ms  "
            f"p95 {result['p95_ms']} ms  errors {result['errors']}"
        )
    results = {scenario.name: scenario.result for scenario in scenarios}
    ratios = []
    for label, measured, anchor_name, target in PAIRS:
        base = results[anchor_name]["requests_per_second"]
        ratio = round(results[measured]["requests_per_second"] / base, 2) if base else None
        ratios.append({"pair": label, "ratio": ratio, "target": target, "met": ratio is not None and ratio >= target})
        print(f"{label:46} {ratio}× (target ≥ {target}×){'' if ratios[-1]['met'] else '  NOT MET'}")
    memory = {"portal": peak_worker_memory_mb(args.portal_pid), "anchor": peak_worker_memory_mb(args.anchor_pid)}
    memory_met = bool(memory["portal"]) and max(memory["portal"]) < MEMORY_TARGET_MB
    print(f"peak RSS per worker: portal {memory['portal']} MB, anchor {memory['anchor']} MB (target < 150 MB)")
    errors = sum(result["errors"] for result in results.values())
    document = {
        "benchmark": "side_by_side",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": git_commit(),
        "machine": {**machine(), "memory_mb": memory_total_mb(), "load_average_1min_before": round(load_before, 2)},
        "versions": versions(),
        "client": {
            "tool": "wrk" if use_wrk else "python",
            "connections": args.connections,
            "threads": args.threads if use_wrk else args.connections,
            "duration_s": args.duration,
            "same_machine_as_servers": True,
        },
        "servers": {"command": args.server_command, "portal": args.portal, "anchor": args.anchor},
        "paths": {
            "service_page": args.service_path,
            "static_file": args.static_path,
            "form": args.form,
            "step": args.step,
            "anchor_page": args.anchor_page,
            "anchor_form": args.anchor_form,
        },
        "results": results,
        "ratios": ratios,
        "peak_worker_rss_mb": {**memory, "target": MEMORY_TARGET_MB, "met": memory_met},
        "errors": errors,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"Written to {args.output}")
    if errors:
        print(f"{errors} unexpected responses: the figures are not valid", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
