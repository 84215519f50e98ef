"""How fast seats go when many people book one cohort at once, against the bare cost of the lock.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/booking_contention.py \
        [--seats N] [--workers 2,8] [--attempts A] [--time-limit S] [--profile]

DATABASE_URL only says which PostgreSQL server to use: the script never touches that database.
It drops and re-creates a scratch database (`workshop_bench`), migrates it, and measures there,
with W worker processes (forked, as gunicorn's are) that each hold their own connection; W is a
list, and each figure is measured at every W in it:

1. seats/s: `place_booking` on a free cohort with N seats (each success is a confirmed seat);
2. bare/s:  the floor under it, on the same database and cohort row: BEGIN; SELECT … FOR UPDATE;
            INSERT one row into a scratch table; COMMIT, with psycopg directly;
3. the steps between the two, to show where the difference goes: the same two statements sent
   through Django's connection and transaction, then with the seat rule's count between them
   (the statement `place_booking` runs under the lock);
4. oversold: a separate storm where demand far exceeds a small capacity; must be 0.

The scratch database is dropped at the end, and the figures are written to bench/results.json
under "booking_contention".
"""

import argparse
import multiprocessing
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import machine, update_results  # noqa: E402
from bench.scratch import (  # noqa: E402
    close_django_connections,
    drop_scratch_database,
    make_cohort,
    recreate_scratch_database,
    scratch_urls,
    setup_django,
)

RESULTS = Path(__file__).resolve().parent / "results.json"
SCRATCH_DB = "workshop_bench"
# PostgreSQL's default max_connections is 100; each worker holds one and the script one more.
MAX_WORKERS = 90


@dataclass
class PhaseResult:
    name: str
    attempts: int = 0
    succeeded: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stopped_by_time: bool = False

    @property
    def per_second(self) -> float:
        return self.succeeded / self.seconds if self.seconds else 0.0


def main() -> int:
    args = parse_args()
    server_url, scratch_url = scratch_urls(SCRATCH_DB)

    var_dir = tempfile.mkdtemp(prefix="workshop-bench-")
    recreate_scratch_database(server_url, SCRATCH_DB)
    try:
        setup_django(scratch_url, var_dir=var_dir, email_backend="django.core.mail.backends.locmem.EmailBackend")
        return run(args, scratch_url)
    finally:
        close_django_connections()
        drop_scratch_database(server_url, SCRATCH_DB)
        shutil.rmtree(var_dir, ignore_errors=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seats", type=int, default=None, help="capacity of the measured cohort (default: --attempts)")
    parser.add_argument("--workers", default="2,8",
                        help="worker processes, each with its own connection; a list measures each (default 2,8: "
                             "one per core, and four per core as a busy gunicorn has)")
    parser.add_argument("--attempts", type=int, default=2000, help="bookings tried in each measured phase (default 2000)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds after which each phase stops trying (default 60)")
    parser.add_argument("--storm-capacity", type=int, default=10, help="seats in the oversell check (default 10)")
    parser.add_argument("--storm-attempts", type=int, default=400, help="bookings tried in the oversell check (default 400)")
    parser.add_argument("--storm-workers", type=int, default=32, help="processes in the oversell check (default 32)")
    parser.add_argument("--profile", action="store_true",
                        help="instead of measuring, profile 200 bookings one after another with pyinstrument")
    args = parser.parse_args()
    args.seats = args.seats or args.attempts
    args.workers = [int(w) for w in str(args.workers).split(",")]
    if min(args.workers) < 1:
        parser.error("--workers must be at least 1")
    for name in ("seats", "attempts", "storm_capacity", "storm_attempts", "storm_workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if max(*args.workers, args.storm_workers) > MAX_WORKERS:
        parser.error(f"at most {MAX_WORKERS} workers: each holds a connection, and PostgreSQL allows about 100")
    return args


def run_workers(*, workers: int, attempts: int, time_limit: float, prepare, attempt, finish) -> tuple[float, bool, list]:
    """Fork `workers` processes that start together and share `attempts` tries until those or the time run out.

    Processes, as gunicorn's workers are: threads would queue for one interpreter lock and
    measure that instead of the database. In each process `prepare()` runs before the start
    (to open its connection), `attempt(n)` once per try and returns an outcome (None for
    success, "refused", or an error's text), `finish()` at the end. Returns the seconds from
    the start to the last process's end, whether the time limit cut the run short, and
    every outcome.
    """
    context = multiprocessing.get_context("fork")
    next_n = context.Value("i", 0)
    ready = context.Barrier(workers + 1, timeout=60)  # a worker that cannot connect breaks it
    reports = context.Queue()
    close_django_connections()  # each child opens its own

    def work() -> None:
        outcomes, stopped, end = [], False, None
        try:
            prepare()
            ready.wait()
            deadline = time.perf_counter() + time_limit
            while True:
                if time.perf_counter() > deadline:
                    stopped = True
                    break
                with next_n.get_lock():
                    n = next_n.value
                    next_n.value += 1
                if n >= attempts:
                    break
                outcomes.append(attempt(n))
        finally:
            end = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes
            finish()
            reports.put((end, stopped, outcomes))

    processes = [context.Process(target=work) for _ in range(workers)]
    for process in processes:
        process.start()
    ready.wait()  # every process has its connection open: the clock starts now
    start = time.perf_counter()
    collected = [reports.get(timeout=time_limit + 120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    ends = [end for end, _, _ in collected]
    outcomes = [outcome for _, _, batch in collected for outcome in batch]
    return max(ends) - start, any(stopped for _, stopped, _ in collected), outcomes


def measure_phase(name: str, *, workers: int, attempts: int, time_limit: float, attempt, prepare, finish) -> PhaseResult:
    seconds, stopped, outcomes = run_workers(
        workers=workers, attempts=attempts, time_limit=time_limit, prepare=prepare, attempt=attempt, finish=finish
    )
    result = tally(PhaseResult(name=name), outcomes)
    result.seconds, result.stopped_by_time = seconds, stopped
    return result


def tally(result: "PhaseResult", outcomes: list) -> "PhaseResult":
    for outcome in outcomes:
        result.attempts += 1
        if outcome is None:
            result.succeeded += 1
        elif outcome == "refused":
            result.refused += 1
        else:
            result.errors.append(outcome)
    return result


def measure_place_booking(*, name: str, cohort, workers: int, attempts: int, time_limit: float, email: str) -> PhaseResult:
    from django.db import connection

    from bookings.exceptions import CohortFull
    from bookings.services.placing import Participant, consent_text_for, place_booking

    consent = consent_text_for(cohort.program)

    def attempt(n: int):
        participant = Participant(name=f"Bench {n}", email=email.format(n=n), consent_text=consent)
        try:
            place_booking(cohort_id=cohort.pk, participant=participant)
        except CohortFull:
            return "refused"
        except Exception as error:  # the outer boundary: counted and shown, never hidden
            return f"{type(error).__name__}: {error}"
        return None

    return measure_phase(name, workers=workers, attempts=attempts, time_limit=time_limit, attempt=attempt,
                         prepare=connection.ensure_connection, finish=connection.close)


LOCK_COHORT = "SELECT id FROM programs_cohort WHERE id = %s FOR UPDATE"
INSERT_SEAT = "INSERT INTO bench_bare_seat (cohort_id, n) VALUES (%s, %s)"


def create_seat_table(scratch_url: str) -> None:
    with psycopg.connect(scratch_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare_seat")
        conn.execute("CREATE TABLE bench_bare_seat (id bigserial PRIMARY KEY, cohort_id bigint NOT NULL, n integer NOT NULL)")


def measure_bare_lock(*, scratch_url: str, cohort_id: int, workers: int, attempts: int, time_limit: float) -> PhaseResult:
    create_seat_table(scratch_url)
    opened = {}

    def prepare() -> None:
        opened["conn"] = psycopg.connect(scratch_url, autocommit=True)

    def attempt(n: int):
        conn = opened["conn"]
        try:
            with conn.transaction():  # BEGIN … COMMIT
                conn.execute(LOCK_COHORT, (cohort_id,))
                conn.execute(INSERT_SEAT, (cohort_id, n))
        except psycopg.Error as error:
            return f"{type(error).__name__}: {error}"
        return None

    def finish() -> None:
        if "conn" in opened:
            opened["conn"].close()

    return measure_phase("bare: lock cohort row + insert", workers=workers, attempts=attempts,
                         time_limit=time_limit, attempt=attempt, prepare=prepare, finish=finish)


def measure_through_django(*, name: str, cohort_id: int, workers: int, attempts: int, time_limit: float,
                           count_seats: bool) -> PhaseResult:
    """The bare statements sent through Django's connection and `transaction.atomic()`, and with
    `count_seats` the seat rule's count between them, as `place_booking` runs it under the lock."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bookings.seats import seats_taken

    def attempt(n: int):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(LOCK_COHORT, (cohort_id,))
                if count_seats:
                    seats_taken(cohort_id=cohort_id, now=timezone.now())
                cursor.execute(INSERT_SEAT, (cohort_id, n))
        except Exception as error:  # counted and shown, never hidden
            return f"{type(error).__name__}: {error}"
        return None

    return measure_phase(name, workers=workers, attempts=attempts, time_limit=time_limit, attempt=attempt,
                         prepare=connection.ensure_connection, finish=connection.close)


def fill_seats(cohort, count: int) -> None:
    """`count` confirmed places in `cohort`, written at once."""
    from django.utils import timezone

    from bookings.codes import code_digest, new_secret_code
    from bookings.models import Booking, BookingState, PaymentMethod

    now = timezone.now()
    codes = [new_secret_code() for _ in range(count)]
    Booking.objects.bulk_create(
        Booking(cohort=cohort, state=BookingState.CONFIRMED, payment_method=PaymentMethod.FREE, name=f"Seated {n}",
                email=f"seated{n}-{cohort.pk}@example.org", consent_text="I agree.", consent_version="v1",
                consent_given_at=now, confirmed_at=now, amount=0, currency="GBP", code=code,
                code_digest=code_digest(code))
        for n, code in enumerate(codes)
    )


def queries_per_booking(cohort) -> int:
    """What one booking costs in round trips: the main difference from the bare baseline."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bookings.services.placing import Participant, consent_text_for, place_booking

    participant = Participant(name="Bench", email="bench-queries@example.org", consent_text=consent_text_for(cohort.program))
    with CaptureQueriesContext(connection) as captured:
        place_booking(cohort_id=cohort.pk, participant=participant)
    return len(captured)


def cost_per_booking(index, *, count: int = 300) -> dict:
    """One process booking one seat after another: where a booking's time goes, without contention.

    cpu_ms is this process's CPU (Python and the driver, not PostgreSQL's); lock_held_ms runs
    from the moment `SELECT … FOR UPDATE` returns to the end of the COMMIT, the time every other
    booker of the cohort waits. Two ceilings follow: cores ÷ CPU, and 1 ÷ lock time.
    """
    import os

    from django.db import connection

    from bookings.services.placing import Participant, consent_text_for, place_booking

    cohort = make_cohort(index, title="Bench: cost per booking", capacity=count)
    consent = consent_text_for(cohort.program)
    locked_at, held = [], []

    def note_lock(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "FOR UPDATE" in sql:
            locked_at.append(time.perf_counter())
        return result

    commit = connection._commit

    def timed_commit():
        commit()
        if locked_at:
            held.append(time.perf_counter() - locked_at.pop())

    connection._commit = timed_commit
    try:
        with connection.execute_wrapper(note_lock):
            wall, cpu = time.perf_counter(), time.process_time()
            for n in range(count):
                place_booking(cohort_id=cohort.pk, participant=Participant(
                    name=f"Bench {n}", email=f"cost{n}@example.org", consent_text=consent))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        del connection._commit  # back to the class's own method
    lock_ms = 1000 * sum(held) / len(held)
    return {
        "bookings": count,
        "wall_ms": round(1000 * wall / count, 2),
        "cpu_ms": round(1000 * cpu / count, 2),
        "lock_held_ms": round(lock_ms, 2),
        "ceiling_by_cpu_per_second": round(len(os.sched_getaffinity(0)) * count / cpu, 1),
        "ceiling_by_lock_per_second": round(1000 / lock_ms, 1),
    }


def seats_beyond_capacity(cohort) -> tuple[int, int]:
    """Seats taken by the seat rule and by the rows' states; each must stay within capacity."""
    from django.utils import timezone

    from bookings.models import Booking, BookingState
    from bookings.seats import seats_taken

    now = timezone.now()
    by_rule = seats_taken(cohort_id=cohort.pk, now=now)
    rows = Booking.objects.filter(cohort=cohort)
    by_state = (
        rows.filter(state__in=[BookingState.CONFIRMED, BookingState.AWAITING_PAYMENT]).count()
        + rows.filter(state=BookingState.HELD, hold_expires_at__gt=now).count()
    )
    return by_rule, by_state


def profile_bookings(index, *, count: int = 200) -> None:
    from pyinstrument import Profiler

    from bookings.services.placing import Participant, consent_text_for, place_booking

    cohort = make_cohort(index, title="Bench: profiled", capacity=count)
    consent = consent_text_for(cohort.program)
    with Profiler(interval=0.0005) as profiler:
        for n in range(count):
            place_booking(cohort_id=cohort.pk, participant=Participant(
                name=f"Bench {n}", email=f"profiled{n}@example.org", consent_text=consent))
    print(profiler.output_text(unicode=True, color=False))


def run(args: argparse.Namespace, scratch_url: str) -> int:
    from tests.factories import build_site

    index = build_site()[1]
    if args.profile:
        profile_bookings(index)
        return 0
    rows = []
    for workers in args.workers:
        cohort = make_cohort(index, title=f"Bench: many seats, {workers} workers", capacity=args.seats)
        booking = measure_place_booking(
            name=f"place_booking, {args.seats} seats", cohort=cohort, workers=workers, attempts=args.attempts,
            time_limit=args.time_limit, email=f"bench{workers}-{{n}}@example.org",
        )
        bare = measure_bare_lock(
            scratch_url=scratch_url, cohort_id=cohort.pk, workers=workers, attempts=args.attempts,
            time_limit=args.time_limit,
        )
        # The steps run on a cohort half full, so the count covers as many rows as it did on
        # average for place_booking, which filled its cohort from empty.
        half_full = make_cohort(index, title=f"Bench: steps, {workers} workers", capacity=args.seats)
        fill_seats(half_full, args.attempts // 2)
        steps = [
            measure_through_django(name=name, cohort_id=half_full.pk, workers=workers, attempts=args.attempts,
                                   time_limit=args.time_limit, count_seats=count_seats)
            for name, count_seats in (("django: lock + insert", False), ("django: lock + seat count + insert", True))
        ]
        rows.append((workers, booking, bare, steps))
    queries = queries_per_booking(make_cohort(index, title="Bench: one booking, counted", capacity=1))
    cost = cost_per_booking(index)
    small = make_cohort(index, title="Bench: oversell check", capacity=args.storm_capacity)
    storm = measure_place_booking(
        name=f"oversell check, {args.storm_capacity} seats", cohort=small, workers=args.storm_workers,
        attempts=args.storm_attempts, time_limit=args.time_limit, email="storm{n}@example.org",
    )
    by_rule, by_state = seats_beyond_capacity(small)
    # Counted three ways (the seat rule, the rows' states, the successes the threads saw);
    # any of them above capacity is an oversold seat.
    oversold = max(by_rule, by_state, storm.succeeded, args.storm_capacity) - args.storm_capacity

    print(f"{'phase':<34} {'workers':>7} {'tried':>6} {'ok':>6} {'full':>6} {'errors':>6} {'seconds':>8} {'ok/s':>9}")
    phases = [(phase, workers) for workers, booking, bare, steps in rows for phase in (booking, bare, *steps)]
    for phase, workers in [*phases, (storm, args.storm_workers)]:
        print(
            f"{phase.name:<34} {workers:>7} {phase.attempts:>6} {phase.succeeded:>6} {phase.refused:>6} "
            f"{len(phase.errors):>6} {phase.seconds:>8.2f} {phase.per_second:>9.1f}"
            + ("  (stopped by the time limit)" if phase.stopped_by_time else "")
        )
        for error in sorted(set(phase.errors))[:5]:
            print(f"  {phase.name}: {error}")
    print(f"oversell check: seats taken {by_rule} by the seat rule, {by_state} by row state, capacity {args.storm_capacity}")
    print(f"queries per place_booking (one free seat, on its own cohort): {queries}")
    print(f"one process, one booking after another: {cost['wall_ms']} ms each, {cost['cpu_ms']} ms of it this "
          f"process's CPU, the cohort locked for {cost['lock_held_ms']} ms; ceilings: "
          f"{cost['ceiling_by_cpu_per_second']}/s by CPU, {cost['ceiling_by_lock_per_second']}/s by the lock")
    for workers, booking, bare, steps in rows:
        print(f"{workers} workers: seats/s {booking.per_second:.1f}, bare/s {bare.per_second:.1f}, "
              f"ratio {booking.per_second / bare.per_second:.2f}; "
              + ", ".join(f"{step.name} {step.per_second / bare.per_second:.2f}" for step in steps))
    print(f"oversold: {oversold}")

    write_results(args=args, rows=rows, storm=storm, oversold=oversold, seats_taken=by_rule, queries=queries, cost=cost)
    failed = any(phase.errors for phase, _ in phases) or storm.errors
    return 0 if oversold == 0 and not failed else 1


def ratio(phase: PhaseResult, bare: PhaseResult) -> float:
    return round(phase.per_second / bare.per_second, 3) if bare.per_second else 0.0


def write_results(*, args, rows: list, storm: PhaseResult, oversold: int, seats_taken: int, queries: int,
                  cost: dict) -> None:
    by_workers = {
        str(workers): {
            "seats_per_second": round(booking.per_second, 1),
            "bare_per_second": round(bare.per_second, 1),
            "ratio": ratio(booking, bare),
            "attempts": {"place_booking": booking.attempts, "bare": bare.attempts},
            "seconds": {"place_booking": round(booking.seconds, 3), "bare": round(bare.seconds, 3)},
            "errors": {"place_booking": len(booking.errors), "bare": len(bare.errors)},
            "stopped_by_time_limit": booking.stopped_by_time or bare.stopped_by_time,
            # Where the difference goes: each step's rate and its ratio to the bare rate.
            "steps_between": {
                step.name: {"per_second": round(step.per_second, 1), "ratio": ratio(step, bare),
                            "errors": len(step.errors), "stopped_by_time_limit": step.stopped_by_time}
                for step in steps
            },
            "steps_cohort_seats_taken_at_start": args.attempts // 2,
        }
        for workers, booking, bare, steps in rows
    }
    update_results("booking_contention", {
        "throughput": {
            "by_workers": by_workers,
            "baseline": "BEGIN; SELECT … FROM programs_cohort WHERE id = %s FOR UPDATE; INSERT one row; COMMIT "
                        "(psycopg, no ORM), from the same number of processes",
            "workers_are": "forked processes, each with its own connection",
            "seats": args.seats,
            "queries_per_booking": queries,
            "cost_per_booking": cost,
        },
        "oversell": {
            "oversold": oversold,
            "allowed": 0,
            "capacity": args.storm_capacity,
            "seats_taken": seats_taken,
            "attempts": storm.attempts,
            "refused_full": storm.refused,
            "errors": len(storm.errors),
            "workers": args.storm_workers,
        },
        "machine": machine(),
    })


if __name__ == "__main__":
    sys.exit(main())
