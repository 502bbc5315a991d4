"""Anonymous journey figures: counters per form, form version, day the journey started, event and step.

What is counted (from the signals of `forms_catalogue.progress`):
- a journey started: `started` +1 and `reached` its first step +1;
- a step reached for the first time: `reached` that step +1, `left` the furthest step before it +1;
- a journey completed: `left` its furthest step +1, `completed` +1, and its time from start to
  submit +1 in a histogram bucket (`CompletionTime`).
So the journeys that stopped at a step are `reached − left`, exactly, whatever the conditions.
Figures are kept by the day the journey *started*: the journeys of a week are one cohort, and
their completion rate is never above 100%.

How (cheap on the hot path): with Redis as the default cache, each event is one round trip to
Redis (HINCRBY on one hash, pipelined) and the database is not touched; `flush()` (the delivery
worker every minute, or `manage.py flush_journey_figures`) renames the hash to a batch in one
atomic step and adds the batch to the database in one transaction, remembering its name
(`FlushedBatch`) so a batch is never added twice, even when a flush stops half way and the next
one takes it up again. Without Redis (a local-memory cache is one per process, so a worker
could not see a web process's counters), each event is one `INSERT … ON CONFLICT DO UPDATE SET
count = count + excluded.count` statement, and there is nothing to flush.

Failure behaviour: figures are never worth a citizen's journey. A Redis or database error while
counting is logged and the event is lost; the journey goes on.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import logging
import time
import uuid
from collections import Counter

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from forms_catalogue import progress

from .models import CompletionTime, FlushedBatch, JourneyCount, JourneyEvent

logger = logging.getLogger(__name__)

REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"
MAX_SECONDS = 30 * 24 * 60 * 60  # journeys completed later share the last bucket
BATCH_MEMORY = datetime.timedelta(days=7)  # how long a flushed batch's name is kept
FLUSH_EVERY_SECONDS = getattr(settings, "JOURNEY_FIGURES_FLUSH_SECONDS", 60)
UPSERT_ROWS = 200  # rows per INSERT statement when flushing


def bucket_edges(limit: int = MAX_SECONDS) -> tuple[int, ...]:
    """Lower bounds of the completion-time buckets: one second wide up to 20 s, then each 10% wider.

    So the middle of a bucket is within half a second or 5% of any time in it.
    """
    edges = [0, 1]
    while edges[-1] < limit:
        edges.append(max(edges[-1] + 1, int(edges[-1] * 1.1)))
    return tuple(edges)


BUCKETS = bucket_edges()


def bucket_for(seconds: float) -> int:
    """The lower bound of the bucket a completion time falls in."""
    return BUCKETS[bisect.bisect_right(BUCKETS, max(0.0, seconds)) - 1]


def bucket_middle(bucket: int) -> float:
    """The time a bucket stands for: its middle (its lower bound for the last, open-ended one)."""
    index = BUCKETS.index(bucket) if bucket in BUCKETS else bisect.bisect_right(BUCKETS, bucket) - 1
    if index + 1 >= len(BUCKETS):
        return float(BUCKETS[index])
    return (BUCKETS[index] + BUCKETS[index + 1]) / 2


# --- what an event adds ----------------------------------------------------------------------

# A counter: (page id, version id, day, event, step) of JourneyCount, or (page id, version id, day,
# bucket) of CompletionTime; kept apart by their length.
CountKey = tuple[int, int, datetime.date, str, str]
TimeKey = tuple[int, int, datetime.date, int]


def on_started(sender, *, page_id, version_id, started_on, step, **kwargs):
    key = (page_id, version_id, started_on)
    add({(*key, JourneyEvent.STARTED.value, ""): 1, (*key, JourneyEvent.REACHED.value, step): 1})


def on_step_reached(sender, *, page_id, version_id, started_on, step, previous_step, **kwargs):
    key = (page_id, version_id, started_on)
    add({(*key, JourneyEvent.REACHED.value, step): 1, (*key, JourneyEvent.LEFT.value, previous_step): 1})


def on_completed(sender, *, page_id, version_id, started_on, last_step, seconds, **kwargs):
    key = (page_id, version_id, started_on)
    add(
        {
            (*key, JourneyEvent.LEFT.value, last_step): 1,
            (*key, JourneyEvent.COMPLETED.value, ""): 1,
            (*key, bucket_for(seconds)): 1,
        }
    )


def connect() -> None:
    progress.journey_started.connect(on_started, dispatch_uid="insights-journey-started")
    progress.step_reached.connect(on_step_reached, dispatch_uid="insights-step-reached")
    progress.journey_completed.connect(on_completed, dispatch_uid="insights-journey-completed")


def add(counters: dict[tuple, int]) -> None:
    """Add to counters (the hot path): to Redis when it is the cache, else to the database. Never raises."""
    client = redis_client()
    try:
        if client is not None:
            pipeline = client.pipeline(transaction=False)
            for key, amount in counters.items():
                pipeline.hincrby(live_key(), encode(key), amount)
            pipeline.execute()
        else:
            add_to_database(counters)
    except (redis.RedisError, DatabaseError):
        logger.warning("journey figures: could not count %s", list(counters), exc_info=True)


# --- the database ----------------------------------------------------------------------------


def add_to_database(counters: dict[tuple, int]) -> None:
    """Add to counters in the database: one upsert statement per table (and per UPSERT_ROWS rows)."""
    counts = [(*key, amount) for key, amount in counters.items() if len(key) == 5]
    times = [(*key, amount) for key, amount in counters.items() if len(key) == 4]
    for model, rows in ((JourneyCount, counts), (CompletionTime, times)):
        for start in range(0, len(rows), UPSERT_ROWS):
            upsert(model, rows[start : start + UPSERT_ROWS])


def upsert(model, rows: list[tuple]) -> None:
    """INSERT the rows, or add their counts to the rows already there (SQLite ≥ 3.24 and PostgreSQL alike).

    Each row is its key fields in the model's unique constraint order, then the amount.
    """
    if not rows:
        return
    (constraint,) = model._meta.constraints
    fields = [model._meta.get_field(name) for name in constraint.fields]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key_columns = ", ".join(quote(field.column) for field in fields)
    count = quote("count")
    placeholders = ", ".join(["(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"] * len(rows))
    params = []
    for row in rows:
        for field, value in zip(fields, row[:-1], strict=True):
            params.append(field.get_db_prep_value(value, connection))
        params.append(row[-1])
    # Identifiers are the model's own, quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({key_columns}, {count}) VALUES {placeholders} "  # noqa: S608  # nosec B608
        f"ON CONFLICT ({key_columns}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- Redis -----------------------------------------------------------------------------------

FLUSH_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[2])
  redis.call('SADD', KEYS[3], KEYS[2])
end
return redis.call('SMEMBERS', KEYS[3])
"""


def redis_client() -> redis.Redis | None:
    """A client of the default cache's Redis (its first, writable server), or None when the cache is not Redis."""
    config = settings.CACHES["default"]
    if config["BACKEND"] != REDIS_BACKEND:
        return None
    location = config["LOCATION"]
    servers = location.split(",") if isinstance(location, str) else location
    return _client(servers[0].strip(), tuple(sorted(config.get("OPTIONS", {}).items())))


@functools.lru_cache(maxsize=4)
def _client(url: str, options: tuple) -> redis.Redis:
    return redis.Redis.from_url(url, **dict(options))


def live_key() -> str:
    """The hash events add to, under the cache's key prefix (one hash tag: a Redis cluster keeps the keys together)."""
    return cache.make_key("{journey-figures}:live")


def pending_key() -> str:
    return cache.make_key("{journey-figures}:pending")


def encode(key: tuple) -> str:
    return "|".join(value.isoformat() if isinstance(value, datetime.date) else str(value) for value in key)


def decode(field: bytes | str) -> tuple | None:
    """A counter key from a hash field, or None for one that cannot be read."""
    parts = (field.decode() if isinstance(field, bytes) else field).split("|")
    try:
        page_id, version_id, day = int(parts[0]), int(parts[1]), datetime.date.fromisoformat(parts[2])
        if len(parts) == 5 and parts[3] in JourneyEvent.values:
            return (page_id, version_id, day, parts[3], parts[4])
        if len(parts) == 4:
            return (page_id, version_id, day, int(parts[3]))
    except (IndexError, ValueError):
        pass
    return None


def flush() -> int:
    """Move the counters gathered in Redis into the database; returns how many counters were moved.

    Nothing to do (0) when counters go straight to the database. Safe to run in several processes
    at once: each batch is added by whichever gets to it first, once.
    """
    client = redis_client()
    if client is None:
        return 0
    batch = f"{live_key()}:batch:{uuid.uuid4().hex}"
    moved = 0
    for name in client.eval(FLUSH_SCRIPT, 3, live_key(), batch, pending_key()):
        name = name.decode() if isinstance(name, bytes) else name
        counters: Counter = Counter()
        for field, amount in client.hgetall(name).items():
            key = decode(field)
            if key is None:
                logger.warning("journey figures: left out an unreadable counter %r", field)
            elif int(amount):
                counters[key] += int(amount)
        with transaction.atomic():
            _batch, new = FlushedBatch.objects.get_or_create(name=name)
            if new:
                add_to_database(counters)
                moved += len(counters)
        client.delete(name)
        client.srem(pending_key(), name)
    FlushedBatch.objects.filter(flushed_at__lt=timezone.now() - BATCH_MEMORY).delete()
    return moved


class FlushTimer:
    """Flush at most every FLUSH_EVERY_SECONDS in this process (the delivery worker's tick calls it often)."""

    def __init__(self, every: float = FLUSH_EVERY_SECONDS):
        self.every = every
        self.last = 0.0

    def __call__(self, sender=None, **kwargs) -> None:
        if time.monotonic() - self.last < self.every:
            return
        self.last = time.monotonic()
        if redis_client() is not None:
            moved = flush()
            if moved:
                logger.info("journey figures: flushed %s counters", moved)


flush_timer = FlushTimer()
