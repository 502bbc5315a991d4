"""Benchmark delivery: requests per second through real workers, and submission → back-office receipt latency.

With a real webhook receiver (tests/backoffice/receiver.py: a threaded HTTP server in this
process that checks every signature and deduplicates by Idempotency-Key) and real
`manage.py deliver` workers on PostgreSQL, for one and then two workers:

1. throughput: N requests are submitted through `backoffice.intake.submit` while no worker
   runs, then the workers start and drain the backlog; deliveries per second is measured
   between the receiver's first and last receipt (worker start-up excluded);
2. latency: with the workers running and idle (polling as `manage.py deliver` does by
   default, every second), M requests are submitted at a steady rate; each one's latency is
   the receiver's receipt time minus the request's `created_at` (one machine, one clock).

The database (`bench_delivery` by default; never `test`) is created, migrated and loaded with
the demo council, and dropped at the end. Workers and the submitting process run with the
production settings module. Results go to bench/results/delivery.json.

    .venv/bin/python bench/delivery.py                  # N=2000, M=500 at 25 requests/s
    .venv/bin/python bench/delivery.py --requests 500 --latency-requests 200 --workers 1
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.run_info import git_commit, machine  # noqa: E402
from tests.backoffice.receiver import Receiver  # noqa: E402
from tests.backoffice.worker_db import admin_connection, is_postgres, start_deliver_process  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_delivery"
DEFAULT_OUTPUT = REPO / "bench" / "results" / "delivery.json"
YARDSTICK = "Submission → back-office receipt p95 < 2 s with the worker running (DESIGN.md, 2 cores)"
YARDSTICK_P95_MS = 2000
PYTHON = sys.executable
SECRET = secrets.token_hex(16)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL database to create and drop")
    parser.add_argument("--requests", type=int, default=2000, help="backlog size for the throughput phase")
    parser.add_argument("--latency-requests", type=int, default=500, help="requests in the latency phase")
    parser.add_argument("--rate", type=float, default=25.0, help="submissions per second in the latency phase")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to run")
    parser.add_argument("--batch", type=int, default=20, help="manage.py deliver --batch")
    parser.add_argument("--poll", type=float, default=1.0, help="manage.py deliver --poll")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args(argv)
    name = urlsplit(args.database_url).path.lstrip("/")
    if not is_postgres(args.database_url) or name in {"", "test", "postgres", "template0", "template1"}:
        parser.error("--database-url must name a PostgreSQL database of its own (e.g. bench_delivery), never test")
    return args


class Bench:
    """The database, the receiver and the worker processes of one benchmark run."""

    def __init__(self, args: argparse.Namespace, workdir: Path):
        self.args = args
        self.url = args.database_url
        self.name = urlsplit(self.url).path.lstrip("/")
        self.workdir = workdir
        self.receiver = Receiver(SECRET)
        self.workers: list[subprocess.Popen] = []
        self.secret_key = secrets.token_urlsafe(40)
        self.encryption_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "SECRET_KEY": self.secret_key,
            "FIELD_ENCRYPTION_KEYS": self.encryption_key,
            "FIELD_INDEX_KEY": self.secret_key[::-1],
            "ALLOWED_HOSTS": "localhost",
            "VIRUS_SCAN": "off",
            "DATABASE_URL": self.url,
            "MEDIA_ROOT": str(self.workdir / "media"),
            "DEMO_WEBHOOK_URL": "",
            "DEMO_RABBITMQ_URL": "",
            "PYTHONUNBUFFERED": "1",
        }

    def run(self, *args: str, timeout: float = 900) -> str:
        result = subprocess.run(  # noqa: S603
            [PYTHON, *args], cwd=REPO, env=self.env(), capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        return result.stdout

    def ctl(self, *args: str) -> dict:
        return json.loads(self.run("-m", "tests.backoffice.dbctl", *args))

    def create_database(self) -> str:
        with admin_connection(self.url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{self.name}"')
            version = connection.execute("SHOW server_version").fetchone()[0]
        print(f"Preparing database {self.name} (migrate, load_demo_council)…", file=sys.stderr)
        self.run("manage.py", "migrate", "--noinput", "-v0")
        self.run("manage.py", "load_demo_council", "-v0")
        return version

    def drop_database(self) -> None:
        with admin_connection(self.url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def start_workers(self, count: int) -> None:
        options = ("--batch", str(self.args.batch), "--poll", str(self.args.poll))
        for _ in range(count):
            log_path = self.workdir / f"worker-{len(self.workers) + 1}.log"
            self.workers.append(start_deliver_process(self.env(), log_path, *options))

    def stop_workers(self) -> list[int]:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = []
        for process in self.workers:
            try:
                codes.append(process.wait(timeout=30))
            except subprocess.TimeoutExpired:
                process.kill()
                codes.append(process.wait())
            process.log.close()
        self.workers = []
        return codes

    def wait_for_keys(self, keys: set[str], timeout: float) -> None:
        if not self.receiver.wait_for(lambda r: keys <= r.acted_keys(), timeout=timeout, interval=0.05):
            missing = len(keys - self.receiver.acted_keys())
            raise RuntimeError(f"{missing} of {len(keys)} deliveries did not arrive within {timeout:.0f} s")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def throughput_phase(bench: Bench, workers: int, count: int) -> dict[str, Any]:
    submitted = bench.ctl("submit", "--count", str(count))
    keys = set(submitted["webhook_keys"])
    bench.start_workers(workers)
    bench.wait_for_keys(keys, timeout=max(120, count / 5))
    receipts = sorted(call.received_at for key, call in bench.receiver.acted.items() if key in keys)
    elapsed = receipts[-1] - receipts[0]
    return {
        "requests": count,
        "submit_seconds": round(submitted["seconds"], 2),
        "submits_per_second": round(count / submitted["seconds"], 1),
        "drain_seconds": round(elapsed, 2),
        "deliveries_per_second": round((count - 1) / elapsed, 1) if elapsed else None,
    }


def latency_phase(bench: Bench, count: int, rate: float) -> dict[str, Any]:
    interval = 1 / rate if rate else 0
    started = time.time()
    submitted = bench.ctl("submit", "--count", str(count), "--interval", str(interval))
    keys = set(submitted["webhook_keys"])
    bench.wait_for_keys(keys, timeout=120)
    created = bench.ctl("status", "--created")["created"]
    latencies_ms = [(bench.receiver.acted[key].received_at - created[key.rpartition("-d")[0]]) * 1000 for key in keys]
    return {
        "requests": count,
        "submit_rate_per_second": round(count / submitted["seconds"], 1),
        "elapsed_s": round(time.time() - started, 1),
        "latency_ms": {
            "p50": round(statistics.median(latencies_ms)),
            "p95": round(percentile(latencies_ms, 0.95)),
            "p99": round(percentile(latencies_ms, 0.99)),
            "max": round(max(latencies_ms)),
            "min": round(min(latencies_ms)),
        },
    }


def main(argv=None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as folder:
        bench = Bench(args, Path(folder))
        bench.receiver.start()
        try:
            server_version = bench.create_database()
            bench.ctl("webhook", "--url", bench.receiver.url, "--secret", SECRET)
            load_before = os.getloadavg()[0]
            runs = []
            for workers in args.workers:
                print(f"{workers} worker(s): throughput…", file=sys.stderr)
                throughput = throughput_phase(bench, workers, args.requests)
                print(f"{workers} worker(s): latency…", file=sys.stderr)
                latency = latency_phase(bench, args.latency_requests, args.rate)
                exit_codes = bench.stop_workers()
                runs.append(
                    {
                        "workers": workers,
                        "throughput": throughput,
                        "latency": latency,
                        "worker_exit_codes": exit_codes,
                        "meets_yardstick": latency["latency_ms"]["p95"] < YARDSTICK_P95_MS,
                    }
                )
                print(json.dumps(runs[-1]), file=sys.stderr)
            calls = bench.receiver.snapshot()
            result = {
                "benchmark": "delivery",
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "git": git_commit(),
                "machine": machine(),
                "database": {"engine": "postgresql", "server_version": server_version},
                "settings": {
                    "django_settings": "portal.settings.production",
                    "batch": args.batch,
                    "poll_seconds": args.poll,
                    "destination": "signed webhook to a local threaded HTTP receiver (HMAC checked, deduplicated)",
                },
                "yardstick": YARDSTICK,
                "runs": runs,
                "receiver": {
                    "calls": len(calls),
                    "bad_signatures": sum(not call.signature_ok for call in calls),
                    "sent_again": sum(call.duplicate for call in calls),
                },
                "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
            }
        finally:
            bench.stop_workers()
            bench.receiver.stop()
            if not args.keep_database:
                bench.drop_database()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
