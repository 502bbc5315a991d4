"""Benchmark e-form journeys against a running portal: step POSTs per second and their latency.

Each simulated citizen has its own cookie session and completes one whole journey
(bench/journey.py): the form's start page, "Start now", then for every step a GET and a POST
of valid answers, check your answers with the declaration, and the confirmation page with its
reference. The answers are made from the form's published JSON Schema (`<form url>schema.json`)
and the fields of each step page, so any form works without per-form code; random choices
(seeded) take journeys down different branches.

Only question-step POSTs count towards the headline POST figures; the final check-answers
POST (which stores the request) is reported on its own as `submit_post`. Any unexpected
status, a step shown again with errors, or a confirmation without a reference is an error:
it ends that journey and is counted and reported, never dropped.

Run against production settings behind plain http with `--https-proxy`: the client then
acts as a TLS-terminating proxy would (X-Forwarded-Proto: https, https Origin, Secure cookies
sent back on the next request), so the server's production security settings stay as they are.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.journey import (  # noqa: E402
    JourneyClient,
    JourneyError,
    Target,
    describe,
    find_form_url,
    form_schema,
    question_schemas,
    send_secure_cookies_over_http,
)
from bench.run_info import git_commit, machine  # noqa: E402

DEFAULT_OUTPUT = REPO / "bench" / "results" / "form_steps.json"
YARDSTICK = "A form step POST p95 < 300 ms at 250 requests/s (DESIGN.md, 2 cores)"
YARDSTICK_P95_MS = 300
YARDSTICK_RATE = 250
ERROR_EXAMPLES = 20


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Stats:
    """What one phase of the run measured; shared by the citizens' threads."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    examples: list[dict[str, str]] = field(default_factory=list)
    started: int = 0
    completed: int = 0
    references: set[str] = field(default_factory=set)
    steps_per_journey: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)

    def fail(self, error: JourneyError) -> None:
        with self.lock:
            self.errors[f"{error.kind}: {error.message}"] += 1
            if len(self.examples) < ERROR_EXAMPLES:
                self.examples.append({"request": error.kind, "message": error.message, "url": error.url})

    def finish(self, reference: str, steps: int) -> None:
        with self.lock:
            self.completed += 1
            self.references.add(reference)
            self.steps_per_journey.append(steps)


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def latency_summary(seconds: list[float]) -> dict[str, float | int]:
    ordered = sorted(seconds)
    if not ordered:
        return {"count": 0}
    points = {
        "mean": sum(ordered) / len(ordered),
        "p50": percentile(ordered, 0.50),
        "p95": percentile(ordered, 0.95),
        "p99": percentile(ordered, 0.99),
        "max": ordered[-1],
    }
    return {"count": len(ordered), **{f"{name}_ms": round(value * 1000, 1) for name, value in points.items()}}


class Citizen(JourneyClient):
    """One citizen of the benchmark: a fresh cookie session, every request timed into `stats`."""

    def __init__(self, target: Target, stats: Stats, number: int):
        super().__init__(target, number)
        self.stats = stats
        self.session = target.session()

    def call(self, kind: str, method: str, url: str, expect: int, **kwargs: Any) -> requests.Response:
        """One request, timed; a status other than `expect` is a JourneyError."""
        started = time.perf_counter()
        try:
            response = self.session.request(method, url, allow_redirects=False, timeout=self.target.timeout, **kwargs)
        except requests.RequestException as error:
            raise JourneyError(kind, type(error).__name__, url) from None
        self.stats.record(kind, time.perf_counter() - started)
        if self.target.https_proxy:
            send_secure_cookies_over_http(self.session)
        if response.status_code != expect:
            raise JourneyError(kind, describe(response, expect), url)
        return response

    def journey(self) -> tuple[str, int]:
        """Complete the journey and record its reference and steps in `stats`."""
        reference, steps = super().journey()
        self.stats.finish(reference, steps)
        return reference, steps


def run_phase(
    target: Target, concurrency: int, journeys: int, duration: float, first_number: int
) -> tuple[Stats, float, float]:
    """Run journeys on `concurrency` threads until `journeys` have started or `duration` has passed."""
    stats = Stats()
    deadline = time.monotonic() + duration if duration else math.inf
    numbers = iter(range(first_number, first_number + journeys) if journeys else range(first_number, sys.maxsize))
    numbers_lock = threading.Lock()

    def next_number() -> int | None:
        with numbers_lock:
            if time.monotonic() >= deadline:
                return None
            number = next(numbers, None)
            if number is not None:
                stats.started += 1
            return number

    def citizen_loop() -> None:
        while (number := next_number()) is not None:
            try:
                Citizen(target, stats, number).journey()
            except JourneyError as error:
                stats.fail(error)

    threads = [threading.Thread(target=citizen_loop, daemon=True) for _ in range(concurrency)]
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return stats, time.perf_counter() - started, time.process_time() - cpu


# --- setting up and reporting ----------------------------------------------------------------


def server_cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of a process and its children (the gunicorn master and workers)."""
    if not pid:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def phase_results(stats: Stats, elapsed: float, client_cpu: float) -> dict[str, Any]:
    steps = stats.steps_per_journey
    step_posts = len(stats.latencies.get("step_post", []))
    return {
        "elapsed_s": round(elapsed, 2),
        "step_posts_per_second": round(step_posts / elapsed, 1) if elapsed else 0,
        "requests_per_second": round(sum(map(len, stats.latencies.values())) / elapsed, 1) if elapsed else 0,
        "journeys": {"started": stats.started, "completed": stats.completed, "failed": sum(stats.errors.values())},
        "submissions_with_reference": len(stats.references),
        "question_steps_per_journey": {
            "min": min(steps, default=0),
            "mean": round(sum(steps) / len(steps), 2) if steps else 0,
            "max": max(steps, default=0),
        },
        "errors": {"count": sum(stats.errors.values()), "by_message": dict(stats.errors), "examples": stats.examples},
        "latency_ms": {kind: latency_summary(values) for kind, values in sorted(stats.latencies.items())},
        "client_cpu_s": round(client_cpu, 1),
    }


def write_result(path: Path, run: dict[str, Any]) -> None:
    """Add the run to the results file, replacing an earlier run of the same setup."""
    document = {"benchmark": "form_steps", "yardstick": YARDSTICK, "runs": []}
    if path.exists():
        document = json.loads(path.read_text())

    def key(item: dict[str, Any]) -> tuple:
        server = item["server"]
        return (
            server["database"],
            server["settings"],
            server["workers"],
            item["client"]["concurrency"],
            item["form"]["slug"],
        )

    document["runs"] = [item for item in document["runs"] if key(item) != key(run)] + [run]
    document["runs"].sort(key=lambda item: (item["server"]["database"], item["client"]["concurrency"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    temporary.replace(path)


def print_summary(run: dict[str, Any]) -> None:
    results = run["results"]
    post = results["latency_ms"].get("step_post", {})
    print(
        f"{run['server']['database']}, {run['server']['workers']} workers, concurrency {run['client']['concurrency']}: "
        f"{results['step_posts_per_second']} step POSTs/s ({results['requests_per_second']} requests/s), "
        f"step POST p50 {post.get('p50_ms')} ms p95 {post.get('p95_ms')} ms p99 {post.get('p99_ms')} ms; "
        f"journeys {results['journeys']['completed']}/{results['journeys']['started']} completed, "
        f"errors {results['errors']['count']}; yardstick met: {run['yardstick_met']}"
    )
    for message, count in results["errors"]["by_message"].items():
        print(f"  error x{count}: {message}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--form", default="report-missed-bin", help="service slug (or path) of the e-form")
    parser.add_argument("--concurrency", type=int, default=8, help="citizens completing journeys at once")
    parser.add_argument("--journeys", type=int, default=0, help="stop after this many journeys (0: no limit)")
    parser.add_argument("--duration", type=float, default=30, help="seconds to start new journeys for (0: no limit)")
    parser.add_argument("--warmup", type=int, default=-1, help="unmeasured journeys first (default: concurrency)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--https-proxy", action="store_true", help="act as a TLS-terminating proxy (production)")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server-command", default="not given", help="how the server was started (recorded)")
    parser.add_argument("--settings", default="not given", help="server settings module (recorded)")
    parser.add_argument("--database", default="not given", help="server database (recorded)")
    parser.add_argument("--workers", default="not given", help="server worker processes (recorded)")
    parser.add_argument("--server-pid", type=int, help="gunicorn master pid, to record server CPU time")
    args = parser.parse_args(argv)
    if not args.journeys and not args.duration:
        parser.error("give --journeys or --duration")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base_url = args.base_url.rstrip("/")
    setup = Target(base_url, "", {}, args.https_proxy, args.timeout, args.seed).session()
    try:
        form_url = find_form_url(base_url, args.form, setup)
        schema, schema_source = form_schema(setup, form_url, args.timeout)
    except requests.RequestException as error:
        sys.exit(f"Cannot read the form from {base_url}: {error}")
    target = Target(base_url, form_url, question_schemas(schema), args.https_proxy, args.timeout, args.seed)

    load_before = os.getloadavg()
    if load_before[0] > (os.cpu_count() or 1):
        print(f"Warning: load average {load_before[0]:.1f} on {os.cpu_count()} CPUs before the run", file=sys.stderr)
    warmup = args.concurrency if args.warmup < 0 else args.warmup
    warm_stats, _, _ = run_phase(target, args.concurrency, warmup, 0, 0) if warmup else (Stats(), 0, 0)
    server_cpu = server_cpu_seconds(args.server_pid)
    stats, elapsed, client_cpu = run_phase(target, args.concurrency, args.journeys, args.duration, warmup)
    server_cpu = server_cpu_seconds(args.server_pid) - server_cpu if server_cpu is not None else None

    results = phase_results(stats, elapsed, client_cpu)
    requests_made = sum(summary["count"] for summary in results["latency_ms"].values())
    results["server_cpu_s"] = round(server_cpu, 1) if server_cpu is not None else None
    results["server_cpu_ms_per_request"] = round(server_cpu * 1000 / requests_made, 1) if server_cpu else None
    results["load_average_1min"] = {"before": round(load_before[0], 2), "after": round(os.getloadavg()[0], 2)}
    post = results["latency_ms"].get("step_post", {})
    run = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": git_commit(),
        "machine": machine(),
        "server": {
            "command": args.server_command,
            "settings": args.settings,
            "database": args.database,
            "workers": args.workers,
        },
        "client": {
            "concurrency": args.concurrency,
            "journeys_limit": args.journeys or None,
            "duration_limit_s": args.duration or None,
            "warmup_journeys": warmup,
            "same_machine_as_server": urlsplit(base_url).hostname in ("127.0.0.1", "localhost", "::1"),
            "https_proxy": args.https_proxy,
            "seed": args.seed,
        },
        "form": {
            "slug": args.form,
            "url": urlsplit(form_url).path,
            "title": schema.get("title", ""),
            "answers_from": schema_source,
        },
        "warmup": {"journeys": warm_stats.started, "errors": dict(warm_stats.errors)},
        "results": results,
        "yardstick_met": bool(
            post.get("count")
            and post["p95_ms"] < YARDSTICK_P95_MS
            and results["step_posts_per_second"] >= YARDSTICK_RATE
            and not results["errors"]["count"]
        ),
    }
    write_result(args.output, run)
    print_summary(run)
    print(f"Written to {args.output}")
    return 1 if results["errors"]["count"] or warm_stats.errors else 0


if __name__ == "__main__":
    sys.exit(main())
