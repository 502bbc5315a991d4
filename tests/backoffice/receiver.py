"""A real HTTP receiver for webhook deliveries, as a department's system would run one.

It listens on 127.0.0.1 (a free port unless told), checks every POST's
X-Portal-Signature-256 against the queue's secret (401 if wrong), and deduplicates by the
Idempotency-Key header: the first successful call for a key is *acted on*; a later call with
the same key is answered 200 but not acted on again. It records every call and every key.

It can be told to fail: every call with a status (`fail_with`), the next n calls
(`fail_next`), a random fraction of calls (`fail_fraction`); failures happen before acting,
as a real system that is down would. It can answer slowly (`delay`), act on its first call
and then hang without answering (`hang_first`, until `release()`), and be stopped and
restarted on the same port (open keep-alive connections are cut, as a crash would).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SIGNATURE_HEADER = "X-Portal-Signature-256"


def signature_ok(body: bytes, secret: str, header: str) -> bool:
    """What a receiver does: recompute the HMAC-SHA256 of the raw body and compare in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")


@dataclass
class Call:
    """One POST the receiver answered (or started to answer, for a hung call)."""

    key: str
    status: int
    signature_ok: bool
    duplicate: bool
    body: bytes
    headers: dict[str, str]
    received_at: float  # time.time()

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Behaviour:
    fail_status: int | None = None
    fail_next: int = 0
    fail_next_status: int = 500
    fail_fraction: float = 0.0
    fail_statuses: tuple[int, ...] = (500,)
    delay: float = 0.0
    hang_first: bool = False
    rng: random.Random = field(default_factory=random.Random)


class QuietServer(ThreadingHTTPServer):
    """Connections the sender cuts (a killed worker, `stop()`) are expected here, not errors to print."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Receiver:
    """A threaded HTTP server in this process; `url` is where to point a webhook destination."""

    def __init__(self, secret: str, *, port: int = 0, host: str = "127.0.0.1"):
        self.secret = secret
        self.host = host
        self.port = port
        self.lock = threading.Lock()
        self.behaviour = Behaviour()
        self.released = threading.Event()
        self.calls: list[Call] = []
        self.acted: dict[str, Call] = {}
        self.successes: Counter[str] = Counter()
        self._server: QuietServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    # --- running ----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hooks/requests"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> Receiver:
        server = QuietServer((self.host, self.port), self._handler_class())
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut every open connection; a hung call is released."""
        server, self._server = self._server, None
        self.released.set()
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self.lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=5)

    def restart(self) -> None:
        """Start again on the same port (after `stop()`)."""
        self.released.clear()
        self.start()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- behaviour --------------------------------------------------------------------------

    def fail_with(self, status: int | None) -> None:
        """Answer every call with `status` (None: stop failing)."""
        with self.lock:
            self.behaviour.fail_status = status

    def fail_next(self, count: int, status: int = 500) -> None:
        with self.lock:
            self.behaviour.fail_next, self.behaviour.fail_next_status = count, status

    def fail_fraction(self, fraction: float, statuses: tuple[int, ...] = (500,), seed: int | None = None) -> None:
        """Fail this fraction of calls at random, each with one of `statuses`."""
        with self.lock:
            self.behaviour.fail_fraction, self.behaviour.fail_statuses = fraction, statuses
            self.behaviour.rng = random.Random(seed)

    def delay(self, seconds: float) -> None:
        """Take this long to answer each call (after acting on it)."""
        with self.lock:
            self.behaviour.delay = seconds

    def hang_first(self) -> None:
        """Act on the first call, then hold it without answering until `release()` (or 60 s)."""
        with self.lock:
            self.behaviour.hang_first = True
        self.released.clear()

    def release(self) -> None:
        self.released.set()

    # --- what happened ----------------------------------------------------------------------

    def snapshot(self) -> list[Call]:
        with self.lock:
            return list(self.calls)

    def acted_keys(self) -> set[str]:
        with self.lock:
            return set(self.acted)

    def wait_for(self, condition, timeout: float = 10.0, interval: float = 0.02) -> bool:
        """Wait until `condition(self)` holds; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self):
                return True
            time.sleep(interval)
        return bool(condition(self))

    # --- the handler ------------------------------------------------------------------------

    def _decide(self, key: str, body: bytes, headers: dict[str, str], valid: bool) -> tuple[int, Call, bool]:
        """Under the lock: the status to answer, the call record, and whether to hang."""
        behaviour = self.behaviour
        now = time.time()
        status, duplicate, hang = 200, False, False
        if not valid:
            status = 401
        elif not key:
            status = 400
        elif behaviour.fail_status:
            status = behaviour.fail_status
        elif behaviour.fail_next:
            behaviour.fail_next -= 1
            status = behaviour.fail_next_status
        elif behaviour.fail_fraction and behaviour.rng.random() < behaviour.fail_fraction:
            status = behaviour.rng.choice(behaviour.fail_statuses)
        call = Call(key, status, valid, False, body, headers, now)
        if status == 200:
            duplicate = key in self.acted
            call.duplicate = duplicate
            if not duplicate:
                self.acted[key] = call
            self.successes[key] += 1
            if behaviour.hang_first and len(self.calls) == 0:
                hang = True
        self.calls.append(call)
        return status, call, hang

    def _handler_class(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real server
            disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms stall

            def setup(self):
                super().setup()
                with receiver.lock:
                    receiver._connections.add(self.connection)

            def finish(self):
                with receiver.lock:
                    receiver._connections.discard(self.connection)
                try:
                    super().finish()
                except OSError:
                    pass

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                if len(body) < length:  # the sender died mid-request: nothing arrived to act on or answer
                    self.close_connection = True
                    return
                headers = {name: value for name, value in self.headers.items()}
                valid = signature_ok(body, receiver.secret, self.headers.get(SIGNATURE_HEADER, ""))
                with receiver.lock:
                    status, call, hang = receiver._decide(self.headers.get("Idempotency-Key", ""), body, headers, valid)
                    delay = receiver.behaviour.delay
                if hang:
                    receiver.released.wait(60)
                if delay:
                    time.sleep(delay)
                outcome = "duplicate" if call.duplicate else ("accepted" if status == 200 else "failed")
                reply = json.dumps({"outcome": outcome}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:
                    pass  # the sender went away (killed while waiting)

        return Handler
