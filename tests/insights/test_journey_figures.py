"""Journey figures: what each event counts, exact funnels across two versions, the histogram, Redis, flushing."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forms_catalogue import progress
from insights import journey_figures
from insights.journey_figures import BUCKETS, bucket_for, bucket_middle
from insights.models import CompletionTime, FlushedBatch, JourneyCount
from insights.performance import Period, form_report, forms_overview, median_seconds, week_start
from tests.redis_cache import needs_redis, redis_default_cache

from .journeys import ANSWERS, CHECK, Clock, citizen, complete, publish_form, publish_version_2, stop_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def counts(page) -> dict[tuple, int]:
    return {(row.version_id, row.day, row.event, row.step): row.count for row in JourneyCount.objects.filter(page=page)}


# --- the histogram ------------------------------------------------------------------------------


def test_buckets_are_a_second_wide_to_20_seconds_then_at_most_10_percent_wide():
    assert BUCKETS[:21] == tuple(range(21)) and BUCKETS[21] == 22
    for lower, upper in zip(BUCKETS[20:], BUCKETS[21:], strict=False):
        assert upper - lower <= 0.1 * lower + 1e-9
    assert BUCKETS[-1] >= journey_figures.MAX_SECONDS


@pytest.mark.parametrize("seconds", [0, 0.4, 5.2, 19.9, 65, 125, 300, 3_599, 86_400, 10 * 86_400])
def test_a_time_is_shown_as_its_bucket_middle_within_half_a_second_or_5_percent(seconds):
    shown = bucket_middle(bucket_for(seconds))
    assert abs(shown - seconds) <= max(0.5, 0.05 * seconds)


def test_a_time_beyond_the_last_bucket_is_shown_as_its_lower_bound():
    assert bucket_middle(bucket_for(365 * 86_400)) == BUCKETS[-1]


def test_median_of_a_histogram_takes_the_middle_journey_or_the_mean_of_the_two_middle_ones():
    assert median_seconds({}) is None
    assert median_seconds({bucket_for(65): 1, bucket_for(125): 1, bucket_for(300): 1}) == bucket_middle(bucket_for(125))
    two = median_seconds({bucket_for(10): 1, bucket_for(12): 1})
    assert two == (10.5 + 12.5) / 2
    assert median_seconds({bucket_for(10): 3, bucket_for(500): 1}) == 10.5


# --- what a journey counts -------------------------------------------------------------------------


def test_a_journey_counts_its_start_each_new_step_once_and_its_completion(clock):
    page = publish_form()
    version = page.current_version().pk
    today = timezone.localdate()
    journey = citizen(page)
    assert counts(page) == {(version, today, "started", ""): 1, (version, today, "reached", "where"): 1}

    journey.complete(ANSWERS)  # where → details → check answers
    journey.show("where")  # going back and sending a step again reaches nothing new
    journey.answer(journey.answers_for_step(ANSWERS))
    journey.show("details")
    clock.wait(42)
    assert journey.submit()["Location"].endswith("/confirmation/")
    resent = journey.client.post(journey.url_of(CHECK), {f"{CHECK}-confirm": "on"})
    assert resent["Location"].endswith("/confirmation/")  # the same request: counted once

    assert counts(page) == {
        (version, today, "started", ""): 1,
        (version, today, "reached", "where"): 1,
        (version, today, "left", "where"): 1,
        (version, today, "reached", "details"): 1,
        (version, today, "left", "details"): 1,
        (version, today, "reached", CHECK): 1,
        (version, today, "left", CHECK): 1,
        (version, today, "completed", ""): 1,
    }
    assert list(CompletionTime.objects.filter(page=page).values_list("version_id", "day", "bucket", "count")) == [
        (version, today, bucket_for(42), 1)
    ]


def test_showing_a_step_counts_nothing_and_a_journey_without_progress_state_counts_nothing(clock):
    page = publish_form()
    journey = citizen(page)
    before = counts(page)
    journey.show()
    journey.show()
    assert counts(page) == before

    session = journey.client.session
    key = next(key for key in session.keys() if key.startswith("wizard_eform_"))
    data = session[key]
    del data["extra_data"][progress.KEY]  # a journey started before the figures existed
    session[key] = data
    session.save()
    journey.complete(ANSWERS)
    assert counts(page) == before


def test_a_journey_that_starts_one_day_and_ends_the_next_counts_on_its_first_day(clock):
    page = publish_form()
    monday = week_start(timezone.localdate()) - datetime.timedelta(weeks=1)
    clock.set_day(monday, hour=23)
    journey = citizen(page)
    journey.complete(ANSWERS)
    clock.wait(2 * 60 * 60)  # sent at 1 in the morning on Tuesday
    journey.submit()
    assert set(JourneyCount.objects.filter(page=page).values_list("day", flat=True)) == {monday}
    assert CompletionTime.objects.get(page=page).bucket == bucket_for(2 * 60 * 60)


# --- the acceptance test: known journeys, two versions ------------------------------------------------------


def test_funnel_completion_rate_and_median_are_exact_for_known_journeys_across_two_versions(clock):
    today = timezone.localdate()
    last_week = today - datetime.timedelta(weeks=1)
    page = publish_form()
    version_1 = page.current_version()

    clock.set_day(last_week)
    stop_at(page, "where")  # started, went no further
    stop_at(page, "details")  # dropped at step 2
    stop_at(page, "elsewhere", {**ANSWERS, "lives_here": "no"})  # sent to the exit page
    complete(page, clock, seconds=65)

    page = publish_version_2(page)
    version_2 = page.current_version()
    assert version_2.pk != version_1.pk
    clock.set_day(today)
    complete(page, clock, seconds=125)
    complete(page, clock, seconds=300)
    stop_at(page, "colour")  # dropped at the step only version 2 has

    period = Period(ending=today, weeks=2)
    report = form_report(page, period)
    assert (report.total.started, report.total.completed, report.total.completion_rate) == (7, 3, 43)
    assert report.total.median_seconds == bucket_middle(bucket_for(125)) == 130.0
    funnel = {step.step: (step.reached, step.stopped) for step in report.funnel}
    assert funnel == {
        "where": (7, 1),
        "elsewhere": (1, 1),
        "details": (5, 1),
        "colour": (3, 1),
        CHECK: (3, 0),
    }
    assert [step.step for step in report.funnel] == ["where", "elsewhere", "details", "colour", CHECK]
    assert sum(step.stopped for step in report.funnel) == report.total.started - report.total.completed
    assert [step.is_exit for step in report.funnel] == [False, True, False, False, False]
    assert report.most_stopped.step == "where"  # the first of the steps with most stopped (1), exits left out

    weeks = dict(report.weeks)
    first, second = weeks[week_start(last_week)], weeks[week_start(today)]
    assert (first.started, first.completed, first.completion_rate, first.median_seconds) == (4, 1, 25, 63.0)
    assert (second.started, second.completed, second.completion_rate) == (3, 2, 67)
    assert second.median_seconds == (bucket_middle(bucket_for(125)) + bucket_middle(bucket_for(300))) / 2 == 214.0

    versions = {row.version_id: row.figures for row in report.versions}
    assert [row.version_id for row in report.versions] == [version_2.pk, version_1.pk]
    assert (versions[version_1.pk].started, versions[version_1.pk].completed) == (4, 1)
    assert (versions[version_2.pk].started, versions[version_2.pk].completed) == (3, 2)

    only_1 = form_report(page, period, version_1.pk)
    assert {step.step: (step.reached, step.stopped) for step in only_1.funnel} == {
        "where": (4, 1),
        "elsewhere": (1, 1),
        "details": (2, 1),
        CHECK: (1, 0),
    }
    only_2 = form_report(page, period, version_2.pk)
    assert {step.step: (step.reached, step.stopped) for step in only_2.funnel} == {
        "where": (3, 0),
        "elsewhere": (0, 0),
        "details": (3, 0),
        "colour": (3, 1),
        CHECK: (2, 0),
    }
    assert only_2.most_stopped.step == "colour"

    (row,) = [row for row in forms_overview(period) if row.page_id == page.pk]
    assert (row.figures.started, row.figures.completed, row.figures.completion_rate) == (7, 3, 43)
    this_week = form_report(page, Period(ending=today, weeks=1))
    assert (this_week.total.started, this_week.total.completed) == (3, 2)


def test_a_version_of_another_form_gives_the_funnel_of_every_version(clock):
    page = publish_form()
    other = publish_form("another-form")
    stop_at(page, "details")
    report = form_report(page, Period(ending=timezone.localdate(), weeks=1), other.current_version().pk)
    assert report.version is None and report.total.started == 1


# --- where the counts go ---------------------------------------------------------------------------------


def test_without_redis_an_event_is_one_upsert_statement(clock):
    page = publish_form()
    journey = citizen(page)
    with CaptureQueriesContext(connection) as queries:
        journey.answer(journey.answers_for_step(ANSWERS))  # where → details: reached details, left where
    upserts = [query["sql"] for query in queries if "insights_journeycount" in query["sql"]]
    assert len(upserts) == 1 and "ON CONFLICT" in upserts[0]


def test_a_database_error_while_counting_loses_the_count_not_the_journey(clock, monkeypatch):
    page = publish_form()

    def broken(counters):
        raise journey_figures.DatabaseError("disk full")

    monkeypatch.setattr(journey_figures, "add_to_database", broken)
    journey = citizen(page)
    journey.complete(ANSWERS)
    assert journey.submit()["Location"].endswith("/confirmation/")
    assert not JourneyCount.objects.filter(page=page).exists()


def test_flush_command_says_there_is_nothing_to_flush_without_redis(capsys):
    call_command("flush_journey_figures")
    assert "Nothing to flush" in capsys.readouterr().out


def test_the_delivery_worker_flushes_at_most_once_a_minute(monkeypatch):
    calls = []
    timer = journey_figures.FlushTimer(every=60)
    monkeypatch.setattr(journey_figures, "redis_client", lambda: object())
    monkeypatch.setattr(journey_figures, "flush", lambda: calls.append(1) or 0)
    timer()
    timer()
    assert calls == [1]
    timer.last -= 61
    timer()
    assert calls == [1, 1]


def test_the_delivery_worker_tick_flushes_and_survives_a_failing_job(monkeypatch):
    from backoffice.relay import Worker, worker_tick

    flushed = []
    monkeypatch.setattr(journey_figures, "redis_client", lambda: object())
    monkeypatch.setattr(journey_figures, "flush", lambda: flushed.append(1) or 0)
    monkeypatch.setattr(journey_figures.flush_timer, "last", 0.0)

    def failing(**kwargs):
        raise RuntimeError("redis down")

    worker_tick.connect(failing, dispatch_uid="test-failing-tick")
    try:
        Worker().tick()  # the failure is logged, not raised
    finally:
        worker_tick.disconnect(dispatch_uid="test-failing-tick")
    assert flushed == [1]


@needs_redis
def test_with_redis_events_touch_no_table_and_a_flush_moves_them_once(clock):
    page = publish_form()
    with redis_default_cache():
        journey = citizen(page)
        with CaptureQueriesContext(connection) as queries:
            journey.complete(ANSWERS)
            clock.wait(30)
            journey.submit()
        assert not any("insights_" in query["sql"] for query in queries)
        assert not JourneyCount.objects.filter(page=page).exists()

        call_command("flush_journey_figures")
        version = page.current_version().pk
        today = timezone.localdate()
        flushed = counts(page)
        assert flushed[(version, today, "started", "")] == 1
        assert flushed[(version, today, "completed", "")] == 1
        assert flushed[(version, today, "reached", CHECK)] == 1
        assert CompletionTime.objects.get(page=page).bucket == bucket_for(30)
        assert journey_figures.flush() == 0  # nothing new: nothing added twice
        assert counts(page) == flushed


@needs_redis
def test_a_batch_left_by_a_flush_that_stopped_half_way_is_added_once(clock):
    page = publish_form()
    with redis_default_cache():
        citizen(page)
        client = journey_figures.redis_client()
        batch = f"{journey_figures.live_key()}:batch:stopped"
        client.rename(journey_figures.live_key(), batch)
        client.sadd(journey_figures.pending_key(), batch)
        FlushedBatch.objects.create(name=batch)  # that flush had committed, then stopped before deleting the batch
        citizen(page)

        journey_figures.flush()
        assert JourneyCount.objects.get(page=page, event="started").count == 1  # the second journey only
        assert not client.exists(batch) and not client.smembers(journey_figures.pending_key())


@needs_redis
def test_an_unreadable_counter_in_redis_is_left_out(clock):
    page = publish_form()
    with redis_default_cache():
        citizen(page)
        journey_figures.redis_client().hincrby(journey_figures.live_key(), "not|a|counter", 5)
        assert journey_figures.flush() == 2  # started and reached the first step
        assert JourneyCount.objects.filter(page=page).count() == 2
