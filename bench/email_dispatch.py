"""How fast confirmations go out through the planner and the task queue, against the bare send.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/email_dispatch.py [--bookings N]
    .venv/bin/python bench/email_dispatch.py --sqlite [--bookings N]

DATABASE_URL only says which PostgreSQL server to use: the script never touches that database.
It drops and re-creates a scratch database (`workshop_bench_email`), migrates it and measures
there; with --sqlite it uses a scratch SQLite file in a temporary directory instead (the default
deployment). Mail goes to anymail's test backend, tasks to django-tasks-db, as in production:

1. pipeline: one free cohort with N confirmed bookings, so N confirmations (each with its .ics)
   are due. The clock runs from `plan_emails` through `dispatch_due_emails` (which queues at
   most 500 per call, so it is called again until nothing is left) and django-tasks-db's worker,
   run in this process in batch mode, until every row is sent;
2. baseline: N messages of the same size (a copy of a real confirmation's subject, text, HTML
   and .ics, tags and metadata) built and sent through one `get_connection()` in a loop;
3. the planner on its own: its first run over the N bookings, a second run that finds nothing
   new, and the floor under it (read the N bookings, bulk-insert N log rows);
4. queries, on a separate cohort of --sample bookings: per planner run, per dispatch and per task.

Every message must go out exactly once (`duplicates: 0`). Each phase stops trying once its share
of --time-limit (default 120 s) is spent, and a watchdog ends the run a minute after that whatever
happens; the scratch database is dropped at the end.
The figures go to bench/results.json under "email_dispatch", one entry per database.
"""

import argparse
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import (  # noqa: E402
    close_django_connections,
    drop_scratch_database,
    make_cohort,
    recreate_scratch_database,
    scratch_urls,
    setup_django,
)

RESULTS = Path(__file__).resolve().parent / "results.json"
SCRATCH_DB = "workshop_bench_email"
RESULTS_KEY = "email_dispatch"
# The worker runs in chunks of this many tasks, so the time limit is checked between chunks.
WORKER_CHUNK = 50


class OutOfTime(Exception):
    """The watchdog fired: the run took far longer than its time limit."""


@dataclass
class Deadline:
    """The run's time budget; each phase stops trying when its share is used up."""

    limit: float
    started: float = field(default_factory=time.perf_counter)

    def at(self, share: float) -> float:
        return self.started + self.limit * share

    def passed(self, share: float = 1.0) -> bool:
        return time.perf_counter() > self.at(share)


@dataclass
class Timers:
    """Time and calls spent in the functions wrapped by `timed`, and queries when they are captured."""

    seconds: Counter = field(default_factory=Counter)
    calls: Counter = field(default_factory=Counter)
    queries: Counter = field(default_factory=Counter)


def main() -> int:
    args = parse_args()
    # The watchdog: a phase stuck on a lock still ends the run, and the finally below cleans up.
    signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(int(args.time_limit) + 60)
    var_dir = tempfile.mkdtemp(prefix="workshop-bench-email-")
    server_url = None
    try:
        if args.sqlite:
            database_url = f"sqlite:///{var_dir}/bench.sqlite3"
        else:
            server_url, database_url = scratch_urls(SCRATCH_DB, alternative=", or pass --sqlite")
            recreate_scratch_database(server_url, SCRATCH_DB)
        setup_django(database_url, var_dir=var_dir, email_backend="anymail.backends.test.EmailBackend")
        return run(args)
    finally:
        signal.alarm(0)
        close_django_connections()
        if server_url:
            drop_scratch_database(server_url, SCRATCH_DB)
        shutil.rmtree(var_dir, ignore_errors=True)


def _out_of_time(signum, frame):
    raise OutOfTime("the run went past its time limit by a minute; stopped")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bookings", type=int, default=500, help="confirmed bookings, so messages, in the pipeline (default 500)")
    parser.add_argument("--sqlite", action="store_true", help="measure on a scratch SQLite file instead of PostgreSQL")
    parser.add_argument(
        "--place-booking", action="store_true",
        help="make every booking with place_booking (default: the first one, then bulk rows copied from it)",
    )
    parser.add_argument("--baseline-rounds", type=int, default=3, help="rounds of the baseline; the median counts (default 3)")
    parser.add_argument("--sample", type=int, default=20, help="bookings in the separate query-count sample (default 20)")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds after which the run stops trying (default 120)")
    args = parser.parse_args()
    for name in ("bookings", "sample", "baseline_rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.time_limit <= 0:
        parser.error("--time-limit must be positive")
    return args







# Data



def add_confirmed_bookings(cohort, *, count: int, prefix: str, via_service: bool) -> list[int]:
    """`count` confirmed free bookings; the first through `place_booking`, the rest copied from it in bulk."""
    from bookings.codes import code_digest, new_secret_code
    from bookings.models import Booking
    from bookings.services.placing import place_booking
    from tests.bookings.helpers import participant_for

    program = cohort.program
    first = place_booking(cohort_id=cohort.pk, participant=participant_for(program, 0, email=f"{prefix}0@example.org"))
    if via_service:
        for n in range(1, count):
            place_booking(cohort_id=cohort.pk, participant=participant_for(program, n, email=f"{prefix}{n}@example.org"))
    else:
        # The same row place_booking wrote, with another name, address and code: confirmed, free,
        # with the same consent and time zone, so every confirmation renders the same way.
        copies = [
            Booking(
                cohort=cohort, code=(code := new_secret_code()), code_digest=code_digest(code),
                state=first.state, payment_method=first.payment_method,
                name=f"Participant {n}", email=f"{prefix}{n}@example.org",
                participant_time_zone=first.participant_time_zone, intake_answers=first.intake_answers,
                consent_text=first.consent_text, consent_version=first.consent_version,
                consent_given_at=first.consent_given_at, tier_label=first.tier_label, amount=first.amount,
                currency=first.currency, confirmed_at=first.confirmed_at,
            )
            for n in range(1, count)
        ]
        Booking.objects.bulk_create(copies, batch_size=500)
    return list(Booking.objects.filter(cohort=cohort).values_list("pk", flat=True))


# Instruments


@contextmanager
def timed(timers: Timers, targets: dict[str, tuple[object, str]]):
    """Wrap each `owner.attribute` so its time, calls and (when captured) queries add up under its name.

    The wrappers only read the clock: what runs inside is the real code. They are removed on exit.
    """
    from django.db import connection

    originals = {}

    def wrap(name, function):
        def wrapper(*args, **kwargs):
            queries_before = len(connection.queries_log)
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timers.seconds[name] += time.perf_counter() - start
                timers.calls[name] += 1
                timers.queries[name] += len(connection.queries_log) - queries_before

        return wrapper

    for name, (owner, attribute) in targets.items():
        originals[name] = getattr(owner, attribute)
        setattr(owner, attribute, wrap(name, originals[name]))
    try:
        yield timers
    finally:
        for name, (owner, attribute) in targets.items():
            setattr(owner, attribute, originals[name])


def instrument_targets() -> dict[str, tuple[object, str]]:
    from anymail.backends.test import EmailBackend
    from django_tasks_db.management.commands.db_worker import Worker

    from bookings.services import email_sending

    return {
        # The task calls email_sending.send_planned_email, which calls the module's build_message.
        "task": (Worker, "run_task"),
        "send_planned_email": (email_sending, "send_planned_email"),
        "render": (email_sending, "build_message"),
        "esp": (EmailBackend, "send_messages"),
    }


@contextmanager
def counting_connections():
    """How many database connections were opened inside the block."""
    from django.db.backends.signals import connection_created

    opened = Counter()

    def count(sender, connection, **kwargs):
        opened["connections"] += 1

    connection_created.connect(count, weak=False)
    try:
        yield opened
    finally:
        connection_created.disconnect(count)


def run_worker(*, max_tasks: int | None) -> None:
    """django-tasks-db's own worker, as `db_worker --batch` runs it, in this process and thread."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=max_tasks, worker_id="bench-email-dispatch", excluded_queue_names=[],
    ).run()


def drain_queue() -> int:
    """Run what is queued already (Wagtail queues its reference-index and search updates when
    pages are made), so the measured worker runs email tasks only; returns how many ran."""
    from django_tasks_db.models import DBTaskResult

    before = DBTaskResult.objects.ready().count()
    run_worker(max_tasks=None)
    return before


def tasks_ready() -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().exists()


# Phases


@dataclass
class Pipeline:
    planned: int = 0
    queued: int = 0
    dispatch_calls: int = 0
    sent: int = 0
    seconds: float = 0.0
    planner_seconds: float = 0.0
    dispatch_seconds: float = 0.0
    worker_seconds: float = 0.0
    connections_opened: int = 0
    stopped_by_time: bool = False
    timers: Timers = field(default_factory=Timers)

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


def measure_pipeline(*, deadline: Deadline, share: float) -> Pipeline:
    from django.core import mail
    from django.utils import timezone

    from bookings.services.email_planning import plan_emails
    from bookings.services.email_sending import dispatch_due_emails

    mail.outbox = []
    result = Pipeline()
    with timed(result.timers, instrument_targets()), counting_connections() as opened:
        start = time.perf_counter()
        result.planned = plan_emails(now=timezone.now())
        result.planner_seconds = time.perf_counter() - start
        while True:
            if deadline.passed(share):
                result.stopped_by_time = True
                break
            mark = time.perf_counter()
            queued = dispatch_due_emails(now=timezone.now())
            result.dispatch_seconds += time.perf_counter() - mark
            result.dispatch_calls += 1
            result.queued += queued
            if not queued:
                break
            mark = time.perf_counter()
            while tasks_ready():
                if deadline.passed(share):
                    result.stopped_by_time = True
                    break
                run_worker(max_tasks=WORKER_CHUNK)
            result.worker_seconds += time.perf_counter() - mark
            if result.stopped_by_time:
                break
        result.seconds = time.perf_counter() - start
    result.connections_opened = opened["connections"]
    result.sent = len(mail.outbox)
    return result


@dataclass
class Baseline:
    rounds: list[tuple[int, float]] = field(default_factory=list)  # (messages, seconds) per round
    message_bytes: int = 0
    stopped_by_time: bool = False

    @property
    def median_round(self) -> tuple[int, float]:
        ranked = sorted(self.rounds, key=lambda r: r[0] / r[1] if r[1] else 0.0)
        return ranked[len(ranked) // 2] if ranked else (0, 0.0)

    @property
    def sent(self) -> int:
        return self.median_round[0]

    @property
    def seconds(self) -> float:
        return self.median_round[1]

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


def measure_baseline(*, template, count: int, rounds: int, deadline: Deadline, share: float) -> Baseline:
    """`count` messages shaped like `template` (a real confirmation), sent one by one on one connection.

    A round takes a fraction of a second, so a moment of other work on the machine would skew it:
    the round with the median rate counts.
    """
    from django.core import mail
    from django.core.mail import EmailMultiAlternatives, get_connection

    html = next(content for content, mimetype in template.alternatives if mimetype == "text/html")
    attachments = list(template.attachments)
    result = Baseline(message_bytes=len(template.message().as_bytes()))
    for _ in range(rounds):
        mail.outbox = []
        connection = get_connection()
        connection.open()
        start = time.perf_counter()
        for n in range(count):
            if deadline.passed(share):
                result.stopped_by_time = True
                break
            message = EmailMultiAlternatives(
                subject=template.subject, body=template.body, from_email=template.from_email,
                to=[f"baseline{n}@example.org"], connection=connection,
            )
            message.attach_alternative(html, "text/html")
            for attachment in attachments:
                message.attach(*attachment)
            message.tags = list(template.tags)
            message.metadata = {"email_log_id": str(n)}
            message.send()
        seconds = time.perf_counter() - start
        connection.close()
        result.rounds.append((len(mail.outbox), seconds))
        if result.stopped_by_time:
            break
    return result


def measure_planner_floor(*, cohort_id: int) -> float:
    """Read the cohort's bookings and bulk-insert one log row each: what any planner has to do."""
    from django.utils import timezone

    from bookings.models import Booking, EmailKind, EmailLog

    now = timezone.now()
    start = time.perf_counter()
    rows = [
        EmailLog(dedupe_key=f"floor:{pk}", kind=EmailKind.CONFIRMATION, booking_id=pk, to=email, due_at=confirmed_at or now)
        for pk, email, confirmed_at in Booking.objects.filter(cohort_id=cohort_id).values_list("pk", "email", "confirmed_at")
    ]
    EmailLog.objects.bulk_create(rows, ignore_conflicts=True)
    seconds = time.perf_counter() - start
    EmailLog.objects.filter(dedupe_key__startswith="floor:").delete()
    return seconds


def time_planner_rerun() -> float:
    """The planner again with nothing new to plan: what every tick pays once the messages exist."""
    from django.utils import timezone

    from bookings.services.email_planning import plan_emails

    start = time.perf_counter()
    planned = plan_emails(now=timezone.now())
    seconds = time.perf_counter() - start
    assert planned == 0, f"the second planner run planned {planned} more"
    return seconds


@dataclass
class QuerySample:
    other_tasks: int = 0
    messages: int = 0
    planner: int = 0
    dispatch: int = 0
    per_task: list[int] = field(default_factory=list)
    per_send: float = 0.0
    connections_per_task: float = 0.0
    timers: Timers = field(default_factory=Timers)


def count_queries(index, *, size: int) -> QuerySample:
    """Queries on a separate cohort of `size` bookings: one planner run, one dispatch, each task."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bookings.services.email_planning import plan_emails
    from bookings.services.email_sending import dispatch_due_emails

    cohort = make_cohort(index, title="Bench: queries counted", capacity=size)
    add_confirmed_bookings(cohort, count=size, prefix="sample", via_service=False)
    sample = QuerySample(other_tasks=drain_queue())
    with CaptureQueriesContext(connection) as captured:
        sample.messages = plan_emails(now=timezone.now())
    sample.planner = len(captured)
    with CaptureQueriesContext(connection) as captured:
        dispatch_due_emails(now=timezone.now())
    sample.dispatch = len(captured)
    with timed(sample.timers, instrument_targets()), counting_connections() as opened:
        while tasks_ready():
            with CaptureQueriesContext(connection) as captured:
                run_worker(max_tasks=1)  # fetch and lock one task, claim it, run it, record the result
            sample.per_task.append(len(captured))
    sample.per_send = sample.timers.queries["send_planned_email"] / max(sample.timers.calls["send_planned_email"], 1)
    sample.connections_per_task = opened["connections"] / max(len(sample.per_task), 1)
    return sample


@dataclass
class Check:
    rows: int = 0
    sent: int = 0
    distinct_keys: int = 0
    outbox: int = 0
    outbox_distinct: int = 0
    tasks_failed: int = 0
    tasks_successful: int = 0

    @property
    def duplicates(self) -> int:
        # A message in the outbox twice, or a row sent for a key that another sent row has.
        return (self.outbox - self.outbox_distinct) + (self.sent - self.distinct_keys)


def check_sent_once(outbox, *, cohort_id: int) -> Check:
    from django_tasks_db.models import DBTaskResult

    from bookings.models import EmailLog, EmailStatus

    rows = EmailLog.objects.filter(booking__cohort_id=cohort_id)
    sent = rows.filter(status=EmailStatus.SENT)
    return Check(
        rows=rows.count(),
        sent=sent.count(),
        distinct_keys=sent.values("dedupe_key").distinct().count(),
        outbox=len(outbox),
        outbox_distinct=len({m.metadata["email_log_id"] for m in outbox}),
        tasks_failed=DBTaskResult.objects.failed().count(),  # any task, Wagtail's too
        tasks_successful=DBTaskResult.objects.successful().count(),
    )


# The run


def run(args: argparse.Namespace) -> int:
    from django.core import mail
    from django.db import connection

    from tests.factories import build_site

    deadline = Deadline(args.time_limit)
    load_at_start = os.getloadavg()[0]
    index = build_site()[1]
    # The query sample first: it also warms up what a long-running worker has loaded already
    # (imports, compiled templates), so the pipeline's first message does not pay for that.
    sample = count_queries(index, size=args.sample)
    cohort = make_cohort(index, title="Bench: many confirmations", capacity=args.bookings)
    setup_start = time.perf_counter()
    booking_ids = add_confirmed_bookings(cohort, count=args.bookings, prefix="bench", via_service=args.place_booking)
    setup_seconds = time.perf_counter() - setup_start
    other_tasks = drain_queue()

    # Shares of the time limit: the pipeline may use up to 60% of it, the baseline up to 85%.
    pipeline = measure_pipeline(deadline=deadline, share=0.6)
    pipeline_outbox = list(mail.outbox)
    check = check_sent_once(pipeline_outbox, cohort_id=cohort.pk)
    planner_rerun = time_planner_rerun()
    planner_floor = measure_planner_floor(cohort_id=cohort.pk)
    if not pipeline_outbox:
        print("no message went out through the pipeline; nothing to compare the baseline with")
        print("duplicates: ?")
        print("ratio: 0.000")
        return 1
    baseline = measure_baseline(
        template=pipeline_outbox[0], count=args.bookings, rounds=args.baseline_rounds, deadline=deadline, share=0.85
    )

    ratio = pipeline.per_second / baseline.per_second if baseline.per_second else 0.0
    planner_ratio = planner_floor / pipeline.planner_seconds if pipeline.planner_seconds else 0.0
    database = describe_database(connection)
    t = pipeline.timers
    sends = max(t.calls["send_planned_email"], 1)
    tasks = max(t.calls["task"], 1)
    per_message_ms = {
        "worker, outside the task": 1000 * (pipeline.worker_seconds - t.seconds["task"]) / tasks,
        "task, outside send_planned_email": 1000 * (t.seconds["task"] - t.seconds["send_planned_email"]) / tasks,
        "send_planned_email: database": 1000 * (t.seconds["send_planned_email"] - t.seconds["render"] - t.seconds["esp"]) / sends,
        "send_planned_email: render": 1000 * t.seconds["render"] / sends,
        "send_planned_email: ESP (test backend)": 1000 * t.seconds["esp"] / sends,
        "planner (its run / messages)": 1000 * pipeline.planner_seconds / max(pipeline.planned, 1),
        "dispatch (queueing)": 1000 * pipeline.dispatch_seconds / max(pipeline.queued, 1),
    }

    print(f"database: {database['vendor']} {database['version']}, CONN_MAX_AGE {database['conn_max_age']}; "
          f"{args.bookings} bookings made in {setup_seconds:.1f} s "
          f"({'place_booking each' if args.place_booking else 'place_booking once, then bulk copies'})")
    print(f"{'phase':<48} {'messages':>8} {'seconds':>8} {'msg/s':>9}")
    rows = [
        ("pipeline: plan → queue → worker → sent", pipeline.sent, pipeline.seconds, pipeline.stopped_by_time),
        ("  of which planner (first run)", pipeline.planned, pipeline.planner_seconds, False),
        (f"  of which dispatch ({pipeline.dispatch_calls} calls, ≤500 each)", pipeline.queued, pipeline.dispatch_seconds, False),
        ("  of which worker (batch, in-process)", t.calls["task"], pipeline.worker_seconds, False),
        (f"baseline: anymail test backend (median of {len(baseline.rounds)})", baseline.sent, baseline.seconds, baseline.stopped_by_time),
        ("planner floor: read bookings + bulk insert", args.bookings, planner_floor, False),
        ("planner again, nothing new (every tick)", args.bookings, planner_rerun, False),
    ]
    for name, count, seconds, stopped in rows:
        rate = count / seconds if seconds else 0.0
        print(f"{name:<48} {count:>8} {seconds:>8.2f} {rate:>9.1f}" + ("  (stopped by the time limit)" if stopped else ""))
    print("per message, ms: " + "; ".join(f"{name} {ms:.2f}" for name, ms in per_message_ms.items()))
    print(f"message size: {baseline.message_bytes} bytes (text + HTML + .ics)")
    print(f"database connections opened in the pipeline: {pipeline.connections_opened} "
          f"({pipeline.connections_opened / max(pipeline.sent, 1):.1f} per message)")
    print(f"queries (sample of {sample.messages}): planner run {sample.planner}, dispatch {sample.dispatch}, "
          f"per task {min(sample.per_task, default=0)}–{max(sample.per_task, default=0)} "
          f"(of which send_planned_email {sample.per_send:.1f}), connections per task {sample.connections_per_task:.1f}")
    print(f"other tasks run before the clock started (Wagtail's index updates): {other_tasks + sample.other_tasks}")
    print(f"sent {check.sent} of {args.bookings} rows ({check.rows} in the log), {check.distinct_keys} distinct keys, "
          f"{check.outbox} in the outbox, tasks failed {check.tasks_failed}")
    # Other work on the machine slows both sides, but not evenly: say how busy it was.
    load = {"at_start": round(load_at_start, 2), "at_end": round(os.getloadavg()[0], 2)}
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, load average {load['at_start']} → {load['at_end']}")
    print(f"planner ratio (floor / planner): {planner_ratio:.2f}")
    print(f"pipeline msg/s: {pipeline.per_second:.1f}")
    print(f"baseline msg/s: {baseline.per_second:.1f}")
    print(f"duplicates: {check.duplicates}")
    print(f"ratio: {ratio:.3f}")

    write_results(
        args=args, database=database, pipeline=pipeline, baseline=baseline, check=check, sample=sample,
        ratio=ratio, planner_floor=planner_floor, planner_rerun=planner_rerun, planner_ratio=planner_ratio,
        per_message_ms=per_message_ms, setup_seconds=setup_seconds, booking_count=len(booking_ids),
        other_tasks=other_tasks + sample.other_tasks, load=load,
    )
    complete = check.sent == check.outbox == args.bookings and all(n == args.bookings for n, _ in baseline.rounds)
    return 0 if complete and check.duplicates == 0 and check.tasks_failed == 0 else 1


def describe_database(connection) -> dict:
    from django.conf import settings

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return {
        "vendor": connection.vendor,
        "version": version,
        "name": SCRATCH_DB if connection.vendor == "postgresql" else "scratch file in a temporary directory",
        "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    }


def write_results(*, args, database: dict, pipeline: Pipeline, baseline: Baseline, check: Check, sample: QuerySample,
                  ratio: float, planner_floor: float, planner_rerun: float, planner_ratio: float,
                  per_message_ms: dict, setup_seconds: float, booking_count: int, other_tasks: int,
                  load: dict) -> None:
    import django
    from django.utils import timezone

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    entry = results.get(RESULTS_KEY, {})
    # One entry per database, so a PostgreSQL run and an SQLite run stand side by side.
    entry[database["vendor"]] = {
        "measured_at": timezone.now().isoformat(timespec="seconds"),
        "bookings": booking_count,
        "bookings_made_by": "place_booking" if args.place_booking else "place_booking once, then bulk copies",
        "throughput": {
            "pipeline_messages_per_second": round(pipeline.per_second, 1),
            "baseline_messages_per_second": round(baseline.per_second, 1),
            "ratio": round(ratio, 3),
            "pipeline": "plan_emails → dispatch_due_emails (≤500 per call) → django-tasks-db worker (--batch, in-process) → send_email task → anymail test backend",
            "baseline": "EmailMultiAlternatives of the same size (text + HTML + .ics), sent one by one through one get_connection() (anymail test backend)",
            "message_bytes": baseline.message_bytes,
            "messages": {"pipeline": pipeline.sent, "baseline": baseline.sent},
            "baseline_rounds_per_second": [round(n / seconds, 1) if seconds else 0.0 for n, seconds in baseline.rounds],
            "seconds": {"pipeline": round(pipeline.seconds, 3), "baseline": round(baseline.seconds, 3)},
            "stopped_by_time_limit": pipeline.stopped_by_time or baseline.stopped_by_time,
        },
        "planner": {
            "seconds": round(pipeline.planner_seconds, 3),
            "floor_seconds": round(planner_floor, 3),
            "ratio": round(planner_ratio, 3),
            "floor": "read the cohort's bookings (pk, email, confirmed_at) and bulk_create one log row each",
            "rerun_nothing_new_seconds": round(planner_rerun, 3),
            "messages_planned": pipeline.planned,
        },
        "pipeline_parts_seconds": {
            "planner": round(pipeline.planner_seconds, 3),
            "dispatch": round(pipeline.dispatch_seconds, 3),
            "dispatch_calls": pipeline.dispatch_calls,
            "worker": round(pipeline.worker_seconds, 3),
        },
        "per_message_ms": {name: round(ms, 3) for name, ms in per_message_ms.items()},
        "queries": {
            "sample_messages": sample.messages,
            "planner_run": sample.planner,
            "dispatch_call": sample.dispatch,
            "per_task_min": min(sample.per_task, default=0),
            "per_task_max": max(sample.per_task, default=0),
            "per_send_planned_email": round(sample.per_send, 1),
            "connections_opened_per_task": round(sample.connections_per_task, 2),
            "connections_opened_in_pipeline": pipeline.connections_opened,
        },
        "sent_once": {
            "duplicates": check.duplicates,
            "allowed": 0,
            "rows_sent": check.sent,
            "distinct_dedupe_keys": check.distinct_keys,
            "outbox": check.outbox,
            "tasks_failed": check.tasks_failed,
        },
        "other_tasks_run_before_timing": other_tasks,
        "setup_seconds": round(setup_seconds, 2),
        "database": database,
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "load_average_1min": load,
        },
    }
    results[RESULTS_KEY] = entry
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    sys.exit(main())
