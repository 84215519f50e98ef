"""How long expanding cohorts' schedules takes, and how that grows from 100 to 1,000 cohorts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/expansion.py [--sizes 100,300,1000]

DATABASE_URL only names the PostgreSQL server: the script drops and re-creates a scratch
database (`workshop_bench_expansion`), migrates it and measures there. For each size it creates
that many new cohorts (weekly, 12 sessions, in one of four time zones, one with a skipped week
and an extra date) and times `expand_schedule` over all of them, one transaction per cohort as
the admin does it. The tables keep what earlier sizes wrote, so the last size also runs against
the most data. Then it times a second pass over the largest set, which must change nothing.

The baseline is the floor under it: the same session rows, computed in advance, written with
one bulk insert per cohort in its own transaction (no rule, no time-zone arithmetic, no reading
back). Growth is linear when the time per cohort stays the same from the smallest size to the
largest (`per_cohort_growth` ≈ 1.0). The figures go to bench/results.json under "expansion".
"""

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import machine, update_results  # noqa: E402
from bench.scratch import (  # noqa: E402
    close_django_connections,
    drop_scratch_database,
    recreate_scratch_database,
    scratch_urls,
    setup_django,
)

SCRATCH_DB = "workshop_bench_expansion"
SESSIONS = 12
ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,300,1000", help="cohorts expanded at each step (default 100,300,1000)")
    args = parser.parse_args()
    args.sizes = sorted(int(size) for size in args.sizes.split(","))
    if args.sizes[0] < 1:
        parser.error("each size must be at least 1")
    return args


def main() -> int:
    args = parse_args()
    server_url, scratch_url = scratch_urls(SCRATCH_DB)
    var_dir = tempfile.mkdtemp(prefix="workshop-bench-expansion-")
    recreate_scratch_database(server_url, SCRATCH_DB)
    try:
        setup_django(scratch_url, var_dir=var_dir, email_backend="django.core.mail.backends.locmem.EmailBackend")
        return run(args)
    finally:
        close_django_connections()
        drop_scratch_database(server_url, SCRATCH_DB)
        shutil.rmtree(var_dir, ignore_errors=True)


def new_cohorts(program, count: int, *, label: str) -> list[int]:
    """`count` unexpanded cohorts; every tenth skips its third week and adds a date after the end."""
    from tests.factories import CohortFactory

    ids = []
    for n in range(count):
        start = date(2027, 1, 4) + timedelta(days=n % 28)
        odd_one = n % 10 == 0
        cohort = CohortFactory(
            program=program, title=f"{label} {n}", time_zone=ZONES[n % len(ZONES)], start_date=start,
            start_time=clock(18, 30), end_time=clock(20, 0), weeks=SESSIONS - 1 if odd_one else SESSIONS,
            skip=(start + timedelta(weeks=2),) if odd_one else (),
            extra=(start + timedelta(weeks=SESSIONS + 1),) if odd_one else (),
            expanded=False,
        )
        ids.append(cohort.pk)
    return ids


def time_expansion(cohort_ids: list[int]) -> tuple[float, int]:
    from programs.services import expand_schedule

    started = time.perf_counter()
    changed = 0
    for cohort_id in cohort_ids:
        changes = expand_schedule(cohort_id=cohort_id)
        changed += len(changes.added) + len(changes.retimed) + len(changes.removed) + len(changes.restored)
    return time.perf_counter() - started, changed


def time_bulk_floor(cohort_ids: list[int]) -> float:
    """The same rows, computed before the clock starts, bulk-inserted per cohort, then removed."""
    from django.db import transaction

    from programs.models import Cohort, Session
    from programs.time_zones import local_start

    planned = []
    for cohort in Cohort.objects.filter(pk__in=cohort_ids):
        rows = [
            Session(cohort_id=cohort.pk, occurrence_date=day, starts_at=local_start(day, cohort.start_time, cohort.zone),
                    ends_at=local_start(day, cohort.end_time, cohort.zone))
            for day in cohort.scheduled_dates()
        ]
        planned.append(rows)
    Session.objects.filter(cohort_id__in=cohort_ids).delete()
    started = time.perf_counter()
    for rows in planned:
        with transaction.atomic():
            Session.objects.bulk_create(rows)
    return time.perf_counter() - started


def run(args) -> int:
    from programs.models import Session
    from tests.factories import add_program, build_site

    program = add_program(build_site()[1], title="Bench program")
    by_size = {}
    largest: list[int] = []
    for size in args.sizes:
        ids = new_cohorts(program, size, label=f"Bench {size}")
        seconds, changed = time_expansion(ids)
        sessions = Session.objects.filter(cohort_id__in=ids).count()
        floor = time_bulk_floor(ids)  # leaves the same rows in place
        by_size[str(size)] = {
            "seconds": round(seconds, 3),
            "per_cohort_ms": round(seconds / size * 1000, 3),
            "sessions": sessions,
            "sessions_per_second": round(sessions / seconds, 1),
            "bulk_insert_floor_seconds": round(floor, 3),
            "ratio": round(floor / seconds, 3),
            "changes_written": changed,
        }
        print(f"{size:>5} cohorts: {seconds:7.2f} s ({seconds / size * 1000:6.2f} ms per cohort, {sessions} sessions), "
              f"bulk floor {floor:6.2f} s", flush=True)
        largest = ids
    rerun_seconds, rerun_changes = time_expansion(largest)
    smallest, biggest = by_size[str(args.sizes[0])], by_size[str(args.sizes[-1])]
    growth = biggest["per_cohort_ms"] / smallest["per_cohort_ms"]
    print(f"second pass over {len(largest)} cohorts: {rerun_seconds:.2f} s, {rerun_changes} changes (must be 0)")
    print(f"time per cohort grows {growth:.2f}× from {args.sizes[0]} to {args.sizes[-1]} cohorts (1.0 is linear)")
    update_results("expansion", {
        "by_size": by_size,
        "per_cohort_growth": round(growth, 2),
        "linear": growth <= 1.5,
        "second_pass": {"cohorts": len(largest), "seconds": round(rerun_seconds, 3), "changes": rerun_changes},
        "sessions_per_cohort": SESSIONS,
        "baseline": "the same session rows, computed in advance, bulk-inserted one transaction per cohort",
        "machine": machine(),
    })
    return 0 if rerun_changes == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
