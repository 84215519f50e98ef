"""How fast seats go when many people book one cohort at once, against the bare cost of the lock.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/booking_contention.py \
        [--seats N] [--workers W] [--attempts A] [--time-limit S]

DATABASE_URL only says which PostgreSQL server to use: the script never touches that database.
It drops and re-creates a scratch database (`workshop_bench`), migrates it, and measures there,
with W threads that each hold their own connection:

1. seats/s: `place_booking` on a free cohort with N seats (each success is a confirmed seat);
2. bare/s:  the floor under it, on the same database and cohort row: BEGIN; SELECT … FOR UPDATE;
            INSERT one row into a scratch table; COMMIT, with psycopg directly;
3. oversold: a separate storm where demand far exceeds a small capacity; must be 0.

The scratch database is dropped at the end, and the figures are written to bench/results.json
under "booking_contention".
"""

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch import (  # noqa: E402
    close_django_connections,
    drop_scratch_database,
    make_cohort,
    recreate_scratch_database,
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
    server_url = os.environ.get("DATABASE_URL", "")
    if urlsplit(server_url).scheme not in {"postgres", "postgresql"}:
        sys.exit("Set DATABASE_URL=postgres://user@host:port/<db>: it names the server to benchmark on.")
    if urlsplit(server_url).path.lstrip("/") == SCRATCH_DB:
        sys.exit(f"DATABASE_URL already names {SCRATCH_DB!r}, which this script drops; point it at another database.")
    scratch_url = urlsplit(server_url)._replace(path=f"/{SCRATCH_DB}").geturl()

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
    parser.add_argument("--workers", type=int, default=8, help="threads, each with its own connection (default 8)")
    parser.add_argument("--attempts", type=int, default=2000, help="bookings tried in each measured phase (default 2000)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds after which each phase stops trying (default 60)")
    parser.add_argument("--storm-capacity", type=int, default=10, help="seats in the oversell check (default 10)")
    parser.add_argument("--storm-attempts", type=int, default=400, help="bookings tried in the oversell check (default 400)")
    parser.add_argument("--storm-workers", type=int, default=32, help="threads in the oversell check (default 32)")
    args = parser.parse_args()
    args.seats = args.seats or args.attempts
    for name in ("seats", "workers", "attempts", "storm_capacity", "storm_attempts", "storm_workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if max(args.workers, args.storm_workers) > MAX_WORKERS:
        parser.error(f"at most {MAX_WORKERS} workers: each holds a connection, and PostgreSQL allows about 100")
    return args








def run_threads(*, workers: int, attempts: int, time_limit: float, prepare, attempt, finish) -> tuple[float, bool]:
    """Start `workers` threads together; they share `attempts` tries until those or the time run out.

    `prepare()` runs in each thread before the start (to open its connection), `attempt(n)`
    once per try, `finish()` at the end. Returns the seconds from the start to the last thread's
    end, and whether the time limit cut the run short.
    """
    next_n = iter(range(attempts))
    take = threading.Lock()
    ready = threading.Barrier(workers + 1, timeout=60)  # a worker that cannot connect breaks it
    stopped_by_time = threading.Event()
    ends: list[float] = []

    def work() -> None:
        try:
            prepare()
            ready.wait()
            deadline = time.perf_counter() + time_limit
            while True:
                if time.perf_counter() > deadline:
                    stopped_by_time.set()
                    return
                with take:
                    n = next(next_n, None)
                if n is None:
                    return
                attempt(n)
        finally:
            ends.append(time.perf_counter())
            finish()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    ready.wait()  # every thread has its connection open: the clock starts now
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return max(ends) - start, stopped_by_time.is_set()


def measure_place_booking(*, name: str, cohort, workers: int, attempts: int, time_limit: float, email: str) -> PhaseResult:
    from django.db import connection

    from bookings.exceptions import CohortFull
    from bookings.services.placing import Participant, consent_text_for, place_booking

    result = PhaseResult(name=name)
    count = threading.Lock()
    consent = consent_text_for(cohort.program)

    def attempt(n: int) -> None:
        participant = Participant(name=f"Bench {n}", email=email.format(n=n), consent_text=consent)
        outcome = "succeeded"
        try:
            place_booking(cohort_id=cohort.pk, participant=participant)
        except CohortFull:
            outcome = "refused"
        except Exception as error:  # the outer boundary: counted and shown, never hidden
            outcome = f"{type(error).__name__}: {error}"
        with count:
            result.attempts += 1
            if outcome == "succeeded":
                result.succeeded += 1
            elif outcome == "refused":
                result.refused += 1
            else:
                result.errors.append(outcome)

    result.seconds, result.stopped_by_time = run_threads(
        workers=workers, attempts=attempts, time_limit=time_limit,
        # Lambdas, so that `connection` is looked up in each worker's thread, not in this one.
        prepare=lambda: connection.ensure_connection(), attempt=attempt, finish=lambda: connection.close(),
    )
    return result


def measure_bare_lock(*, scratch_url: str, cohort_id: int, workers: int, attempts: int, time_limit: float) -> PhaseResult:
    with psycopg.connect(scratch_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare_seat")
        conn.execute("CREATE TABLE bench_bare_seat (id bigserial PRIMARY KEY, cohort_id bigint NOT NULL, n integer NOT NULL)")

    result = PhaseResult(name="bare: lock cohort row + insert")
    count = threading.Lock()
    local = threading.local()

    def prepare() -> None:
        local.conn = psycopg.connect(scratch_url, autocommit=True)

    def attempt(n: int) -> None:
        try:
            with local.conn.transaction():  # BEGIN … COMMIT
                local.conn.execute("SELECT id FROM programs_cohort WHERE id = %s FOR UPDATE", (cohort_id,))
                local.conn.execute("INSERT INTO bench_bare_seat (cohort_id, n) VALUES (%s, %s)", (cohort_id, n))
            outcome = None
        except psycopg.Error as error:
            outcome = f"{type(error).__name__}: {error}"
        with count:
            result.attempts += 1
            if outcome is None:
                result.succeeded += 1
            else:
                result.errors.append(outcome)

    def finish() -> None:
        if getattr(local, "conn", None) is not None:
            local.conn.close()

    result.seconds, result.stopped_by_time = run_threads(
        workers=workers, attempts=attempts, time_limit=time_limit, prepare=prepare, attempt=attempt, finish=finish
    )
    return result


def queries_per_booking(cohort) -> int:
    """What one booking costs in round trips: the main difference from the bare baseline."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bookings.services.placing import Participant, consent_text_for, place_booking

    participant = Participant(name="Bench", email="bench-queries@example.org", consent_text=consent_text_for(cohort.program))
    with CaptureQueriesContext(connection) as captured:
        place_booking(cohort_id=cohort.pk, participant=participant)
    return len(captured)


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


def run(args: argparse.Namespace, scratch_url: str) -> int:
    from tests.factories import build_site

    index = build_site()[1]
    cohort = make_cohort(index, title="Bench: many seats", capacity=args.seats)
    booking = measure_place_booking(
        name=f"place_booking, {args.seats} seats", cohort=cohort, workers=args.workers, attempts=args.attempts,
        time_limit=args.time_limit, email="bench{n}@example.org",
    )
    bare = measure_bare_lock(
        scratch_url=scratch_url, cohort_id=cohort.pk, workers=args.workers, attempts=args.attempts,
        time_limit=args.time_limit,
    )
    queries = queries_per_booking(make_cohort(index, title="Bench: one booking, counted", capacity=1))
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
    for phase, workers in ((booking, args.workers), (bare, args.workers), (storm, args.storm_workers)):
        print(
            f"{phase.name:<34} {workers:>7} {phase.attempts:>6} {phase.succeeded:>6} {phase.refused:>6} "
            f"{len(phase.errors):>6} {phase.seconds:>8.2f} {phase.per_second:>9.1f}"
            + ("  (stopped by the time limit)" if phase.stopped_by_time else "")
        )
    for phase in (booking, bare, storm):
        for error in sorted(set(phase.errors))[:5]:
            print(f"  {phase.name}: {error}")
    print(f"oversell check: seats taken {by_rule} by the seat rule, {by_state} by row state, capacity {args.storm_capacity}")
    ratio = booking.per_second / bare.per_second if bare.per_second else 0.0
    print(f"queries per place_booking (one free seat, on its own cohort): {queries}")
    print(f"seats/s: {booking.per_second:.1f}")
    print(f"bare/s: {bare.per_second:.1f}")
    print(f"ratio: {ratio:.2f}")
    print(f"oversold: {oversold}")

    write_results(args=args, booking=booking, bare=bare, storm=storm, ratio=ratio, oversold=oversold,
                  seats_taken=by_rule, queries=queries)
    return 0 if oversold == 0 and not (booking.errors or bare.errors or storm.errors) else 1


def write_results(*, args, booking: PhaseResult, bare: PhaseResult, storm: PhaseResult, ratio: float,
                  oversold: int, seats_taken: int, queries: int) -> None:
    import django
    from django.utils import timezone

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["booking_contention"] = {
        "measured_at": timezone.now().isoformat(timespec="seconds"),
        "throughput": {
            "seats_per_second": round(booking.per_second, 1),
            "bare_per_second": round(bare.per_second, 1),
            "ratio": round(ratio, 2),
            "baseline": "BEGIN; SELECT … FROM programs_cohort WHERE id = %s FOR UPDATE; INSERT one row; COMMIT",
            "workers": args.workers,
            "seats": args.seats,
            "queries_per_booking": queries,
            "attempts": {"place_booking": booking.attempts, "bare": bare.attempts},
            "seconds": {"place_booking": round(booking.seconds, 3), "bare": round(bare.seconds, 3)},
            "errors": {"place_booking": len(booking.errors), "bare": len(bare.errors)},
            "stopped_by_time_limit": booking.stopped_by_time or bare.stopped_by_time,
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
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "postgresql": _server_version(),
        },
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def _server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
