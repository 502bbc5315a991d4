"""gunicorn settings for the portal (the Procfile's `web:` process reads this file).

Every value can be overridden by an environment variable, so one file serves a 2-core box
and a row of web nodes behind a load balancer:

- WEB_CONCURRENCY: worker processes (default: 2 × CPU cores + 1, at most 2 × cores on
  machines with one core's worth of memory headroom — see `default_workers`);
- GUNICORN_THREADS: threads per worker (default 1: sync workers; above 1 gunicorn uses the
  gthread worker, which keeps slow clients from holding a whole process);
- GUNICORN_TIMEOUT / GUNICORN_GRACEFUL_TIMEOUT / GUNICORN_KEEPALIVE: seconds;
- GUNICORN_MAX_REQUESTS / GUNICORN_MAX_REQUESTS_JITTER: recycle a worker after that many
  requests (± jitter, so workers do not restart together), which bounds slow memory growth;
- GUNICORN_PRELOAD: "1" (default) loads Django once in the master and forks workers from it
  (less memory, faster restarts); database and cache connections are opened lazily per
  worker, so nothing is shared across the fork;
- FORWARDED_ALLOW_IPS: the load balancer's addresses;
- GUNICORN_ACCESS_LOG: access log file ("-": stdout; none by default, the Procfile passes
  `--access-logfile -`);
- PORT: the port to bind on all interfaces (default 8000); GUNICORN_BIND overrides the address.
"""

import os


def env_int(name: str, default: int) -> int:
    """An integer environment variable, or `default` when unset or blank."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def default_workers(cpu_count: int | None = None) -> int:
    """Worker processes for this machine: the usual 2 × cores + 1 for sync workers, at least 2."""
    cores = cpu_count or os.cpu_count() or 1
    return max(2, 2 * cores + 1)


bind = os.environ.get("GUNICORN_BIND", "").strip() or f"0.0.0.0:{env_int('PORT', 8000)}"
workers = env_int("WEB_CONCURRENCY", default_workers())
threads = env_int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
max_requests = env_int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10)
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip() not in ("0", "false", "no")
# Addresses whose X-Forwarded-* headers gunicorn trusts (the load balancer's; gunicorn's own
# default, 127.0.0.1, when unset). Django reads X-Forwarded-Proto itself (SECURE_PROXY_SSL_HEADER).
if os.environ.get("FORWARDED_ALLOW_IPS", "").strip():
    forwarded_allow_ips = os.environ["FORWARDED_ALLOW_IPS"].strip()
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "").strip() or None  # the Procfile logs to stdout
errorlog = "-"
control_socket_disable = True


def pre_fork(server, worker):
    """With the app preloaded, close any database connection the master holds, so no worker inherits one."""
    if preload_app:
        from django.db import connections

        connections.close_all()
