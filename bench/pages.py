"""Page throughput under gunicorn on PostgreSQL, beside a bare Django view and a stock Wagtail page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/pages.py \
        [--sizes 10,100,1000] [--duration 5] [--connections 8] [--web-workers 4]

DATABASE_URL only names the PostgreSQL server: the script drops and re-creates a scratch database
(`workshop_bench_pages`), loads the demo content into it and, for each size, replaces the bench
cohorts with that many. The data grows the way a real site's does: ten programs (the demo's three
and seven more), the cohorts spread evenly over them, each program with at most six cohorts still
to come and the rest finished, every cohort with 12 weekly sessions and six confirmed bookings.
So the tables grow a hundredfold from 10 to 1,000 cohorts while each page shows about as much.

For each size, three gunicorns (bench.settings: the site's settings, plus the two baselines) run
side by side and serve the same set of URLs, each URL loaded in one server right after the other,
so that a page and its baselines are measured seconds apart (Redis as the cache, database 2,
flushed first, a key prefix per server): "uncached", with no
cache at all; "fragments", with the fragment and route caches every reader gets (the page cache
off, as for a logged-in reader or a first read; the summary's "uncached" figure); "cached", with
the anonymous readers' whole-page cache as well. `wrk` (Debian's package) loads each URL from 127.0.0.1 for --duration seconds after a
one-second warm-up; any non-2xx answer or socket error fails the run. The baselines are measured
in the same server in the same run: a bare Django view that returns "ok" (the ceiling), and a
plain wagtailcore.Page rendered by a one-line template (stock Wagtail).

It also counts each page's SQL queries at every size (they must not grow). The figures go to
bench/results.json under "pages".
"""

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
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

SCRATCH_DB = "workshop_bench_pages"
CACHE_URL = "redis://127.0.0.1:6379/2"
PROGRAMS = 10
UPCOMING_PER_PROGRAM = 6
SESSIONS_PER_COHORT = 12
BOOKINGS_PER_COHORT = 6
BENCH_TITLE = "Bench cohort"
PAGES = ("program_index", "program_page", "booking_page")
# mode: (PAGE_CACHE_SECONDS, FRAGMENT_CACHE_SECONDS). "uncached" has neither; "fragments" (fragments
# and routes) is what a logged-in reader (or anyone with a session) gets; "cached" is an anonymous reader's.
MODES = {"uncached": (0, 0), "fragments": (0, 300), "cached": (300, 300)}
BASELINES = ("bare", "wagtail")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="cohort counts to measure at (default 10,100,1000)")
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per URL (default 5)")
    parser.add_argument("--connections", type=int, default=8, help="wrk's open connections (default 8)")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--profile", choices=PAGES + BASELINES,
                        help="instead of loading, profile 200 requests of this page in-process with pyinstrument, "
                             "at the largest size")
    parser.add_argument("--explain", choices=PAGES + BASELINES,
                        help="instead of loading, EXPLAIN ANALYZE every query of this page at the largest size")
    parser.add_argument("--with-fragments", action="store_true",
                        help="--profile and --explain with the fragment cache on (in-process, local memory)")
    args = parser.parse_args()
    args.sizes = [int(size) for size in args.sizes.split(",")]
    if any(size < PROGRAMS for size in args.sizes):
        parser.error(f"each size must be at least {PROGRAMS} (one cohort per program)")
    if not 1 <= args.duration <= 60:
        parser.error("--duration must be between 1 and 60 seconds")
    return args


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (the load generator; it only ever calls 127.0.0.1).")
    server_url, scratch_url = scratch_urls(SCRATCH_DB)
    var_dir = tempfile.mkdtemp(prefix="workshop-bench-pages-")
    recreate_scratch_database(server_url, SCRATCH_DB)
    try:
        # In this process (query counts, --profile, --explain) nothing is cached, unless asked.
        os.environ["PAGE_CACHE_SECONDS"] = "0"
        os.environ["FRAGMENT_CACHE_SECONDS"] = "300" if args.with_fragments else "0"
        setup_django(scratch_url, var_dir=var_dir, email_backend="django.core.mail.backends.locmem.EmailBackend",
                     settings_module="bench.settings")
        return run(args, scratch_url=scratch_url, var_dir=var_dir)
    finally:
        close_django_connections()
        drop_scratch_database(server_url, SCRATCH_DB)
        shutil.rmtree(var_dir, ignore_errors=True)


# Data


def build_site():
    """The demo site, seven more programs (ten in all) and a stock Wagtail page; returns the programs."""
    from django.core.management import call_command
    from wagtail.models import Page

    from cms.models import HomePage, ProgramIndexPage
    from programs.demo.loader import load_demo
    from programs.models import ProgramPage
    from tests.factories import add_program

    load_demo()
    call_command("collectstatic", interactive=False, verbosity=0)
    home = HomePage.objects.get()
    index = ProgramIndexPage.objects.get()
    for n in range(PROGRAMS - ProgramPage.objects.count()):
        add_program(index, title=f"Bench program {n + 1}", default_price=0, slug=f"bench-program-{n + 1}")
    home.add_child(instance=Page(title="Stock Wagtail page", slug="stock"))
    return list(ProgramPage.objects.order_by("path"))


def replace_bench_cohorts(programs, *, size: int):
    """`size` bench cohorts over the programs (earlier ones removed); returns one that is still to come."""
    from django.utils import timezone

    from bookings.models import Booking, EmailLog
    from programs.models import Cohort
    from tests.factories import CohortFactory

    EmailLog.objects.filter(booking__cohort__title__startswith=BENCH_TITLE).delete()
    Booking.objects.filter(cohort__title__startswith=BENCH_TITLE).delete()
    Cohort.objects.filter(title__startswith=BENCH_TITLE).delete()
    today = timezone.localdate()
    per_program = size // len(programs)
    upcoming = min(per_program, UPCOMING_PER_PROGRAM)
    first_upcoming = None
    for program in programs:
        for n in range(per_program):
            to_come = n - (per_program - upcoming)  # 0 … upcoming-1 for cohorts still to come
            if to_come >= 0:
                start = today + timedelta(weeks=1 + 2 * to_come)
            else:
                start = today + timedelta(weeks=(SESSIONS_PER_COHORT + 1) * to_come)
            cohort = CohortFactory(
                program=program, title=f"{BENCH_TITLE} {n + 1}", start_date=start, weeks=SESSIONS_PER_COHORT,
                capacity=20, price=0,
            )
            if to_come == 0 and first_upcoming is None and program.slug.startswith("meeting"):
                first_upcoming = cohort
    add_bookings()
    analyze()
    return first_upcoming or Cohort.objects.filter(title__startswith=BENCH_TITLE).order_by("-start_date").first()


def add_bookings() -> None:
    """Six confirmed bookings in every bench cohort, finished ones included, written in bulk."""
    from django.utils import timezone

    from bookings.codes import code_digest, new_secret_code
    from bookings.models import Booking, BookingState, PaymentMethod
    from programs.models import Cohort

    now = timezone.now()
    rows = []
    for cohort_id in Cohort.objects.filter(title__startswith=BENCH_TITLE).values_list("pk", flat=True):
        for n in range(BOOKINGS_PER_COHORT):
            code = new_secret_code()
            rows.append(Booking(
                cohort_id=cohort_id, code=code, code_digest=code_digest(code), state=BookingState.CONFIRMED,
                payment_method=PaymentMethod.FREE, name=f"Participant {n}", email=f"p{cohort_id}-{n}@example.org",
                participant_time_zone="Europe/London", consent_text="I agree.", consent_given_at=now,
                amount=0, confirmed_at=now,
            ))
    Booking.objects.bulk_create(rows, batch_size=1000)


def analyze() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would soon give a live site."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def urls_for(cohort) -> dict[str, str]:
    from wagtail.models import Page

    from cms.models import ProgramIndexPage

    return {
        "bare": "/bench/ok/",
        "wagtail": Page.objects.get(slug="stock").url,
        "program_index": ProgramIndexPage.objects.get().url,
        "program_page": cohort.program.url,
        "booking_page": f"/book/{cohort.pk}/",
    }


def count_queries(urls: dict[str, str]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for name, url in urls.items():
        assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts[name] = len(queries)
    return counts


# Serving and loading


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving bench.settings on 127.0.0.1, stopped on exit whatever happens."""

    def __init__(self, *, workers: int, page_cache_seconds: int, fragment_cache_seconds: int, var_dir: str,
                 cache_key_prefix: str):
        self.port = free_port()
        env = dict(os.environ)
        env.update({
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PAGE_CACHE_SECONDS": str(page_cache_seconds),
            "FRAGMENT_CACHE_SECONDS": str(fragment_cache_seconds),
            "CACHE_BACKEND": "redis",
            "REDIS_CACHE_URL": CACHE_URL,
            "CACHE_KEY_PREFIX": cache_key_prefix,
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_MAX_REQUESTS": "0",
            "VAR_DIR": var_dir,
        })
        self.env = env

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT, env=self.env, stderr=subprocess.DEVNULL,
        )
        # Ready when a worker has answered a real request, not merely when the socket is open:
        # a load started before the workers have imported Django measures their start-up.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url("/bench/ok/"), timeout=5) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn stopped on start") from None
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def flush_cache() -> None:
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()


WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_FAILURES = re.compile(r"(Non-2xx or 3xx responses|Socket errors):.*")


def requests_per_second(url: str, *, duration: int, connections: int) -> float:
    """wrk's rate for `url`, after a one-second warm-up; raises if any answer failed."""
    command = ["wrk", "-t1", f"-c{connections}", "--timeout", "10s"]
    subprocess.run([*command, "-d1s", url], check=True, capture_output=True, timeout=30)
    output = subprocess.run(
        [*command, f"-d{duration}s", url], check=True, capture_output=True, text=True, timeout=duration + 30
    ).stdout
    failures = WRK_FAILURES.search(output)
    if failures:
        raise RuntimeError(f"{url}: {failures.group(0)}")
    rate = float(WRK_RATE.search(output).group(1))
    if rate * duration < 10:  # a server that hardly answered: a fault to look at, not a figure
        raise RuntimeError(f"{url}: only {rate} requests a second; is something else using the CPU?")
    return rate


def measure(server_for: dict[str, "Gunicorn"], urls: dict[str, str], args) -> dict[str, dict[str, float]]:
    """Each URL in each mode's server, one right after another.

    The servers run side by side (an idle one takes no CPU) so that a page and the baselines it
    is compared with are measured seconds apart, not minutes: this machine's speed drifts.
    """
    rates = {mode: {} for mode in server_for}
    for name, path in urls.items():
        for mode, server in server_for.items():
            rates[mode][name] = round(requests_per_second(server.url(path), duration=args.duration,
                                                          connections=args.connections), 1)
        print(f"    {name:<14} " + "  ".join(f"{mode} {rates[mode][name]:>8.1f}" for mode in server_for)
              + " req/s", flush=True)
    return rates


def profile(page_url: str, *, requests: int = 200) -> None:
    from django.test import Client
    from pyinstrument import Profiler

    client = Client()
    client.get(page_url)
    with Profiler(interval=0.0005) as profiler:
        for _ in range(requests):
            client.get(page_url)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if os.environ.get("PROFILE_FLAT"):
        print(profiler.output_text(unicode=True, color=False, flat=True, flat_time="total"))


def explain(page_url: str) -> None:
    """Each query the page runs, slowest first, with PostgreSQL's plan for those over a millisecond."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.get(page_url)
    with CaptureQueriesContext(connection) as captured:
        client.get(page_url)
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + query["sql"])
            plan = [row[0] for row in cursor.fetchall()]
            took = float(re.search(r"Execution Time: ([\d.]+)", plan[-1]).group(1))
            plans.append((took, query["sql"], plan))
    for took, sql, plan in sorted(plans, reverse=True):
        print(f"{took:8.3f} ms  {sql[:300]}")
        if took > 1:
            print("\n".join("            " + line for line in plan))


def run(args, *, scratch_url: str, var_dir: str) -> int:
    programs = build_site()
    if args.profile or args.explain:
        cohort = replace_bench_cohorts(programs, size=max(args.sizes))
        if args.profile:
            profile(urls_for(cohort)[args.profile])
        else:
            explain(urls_for(cohort)[args.explain])
        return 0
    by_size = {}
    for size in args.sizes:
        started = time.perf_counter()
        cohort = replace_bench_cohorts(programs, size=size)
        urls = urls_for(cohort)
        print(f"{size} cohorts: data ready in {time.perf_counter() - started:.1f} s", flush=True)
        queries = count_queries(urls)
        close_django_connections()
        flush_cache()
        with contextlib.ExitStack() as servers:
            server_for = {
                mode: servers.enter_context(Gunicorn(
                    workers=args.web_workers, page_cache_seconds=page_seconds, fragment_cache_seconds=fragment_seconds,
                    var_dir=var_dir, cache_key_prefix=f"bench-{mode}",
                ))
                for mode, (page_seconds, fragment_seconds) in MODES.items()
            }
            rates = measure(server_for, urls, args)
        by_size[str(size)] = summarise(rates, queries)
    results = {
        "figures": by_size,
        "load": {"generator": "wrk -t1 (127.0.0.1 only)", "connections": args.connections,
                 "seconds_per_url": args.duration, "warm_up_seconds": 1},
        "server": {"gunicorn_workers": args.web_workers, "worker_class": "sync",
                   "cache": "Redis (config.cache.RedisCache: Django's, one client per pool)", "database": "PostgreSQL, same machine"},
        "data": {"programs": PROGRAMS, "upcoming_cohorts_per_program": UPCOMING_PER_PROGRAM,
                 "sessions_per_cohort": SESSIONS_PER_COHORT, "bookings_per_cohort": BOOKINGS_PER_COHORT},
        "machine": machine(),
    }
    update_results("pages", results)
    print_table(by_size)
    return 0


def summarise(rates: dict, queries: dict) -> dict:
    """Each page's rate beside the baselines; the cached figures use the best of the bare rates."""
    bare = max(rates[mode]["bare"] for mode in MODES)
    wagtail = rates["uncached"]["wagtail"]
    pages = {}
    for page in PAGES:
        pages[page] = {
            "uncached_per_second": rates["uncached"][page],
            "ratio_vs_wagtail": round(rates["uncached"][page] / wagtail, 2),
            "fragments_per_second": rates["fragments"][page],
            "fragments_ratio_vs_wagtail": round(rates["fragments"][page] / wagtail, 2),
            "cached_per_second": rates["cached"][page],
            "ratio_vs_bare": round(rates["cached"][page] / bare, 2),
            "queries": queries[page],
        }
    return {
        "pages": pages,
        "baselines": {
            "bare_per_second": {f"{mode}_server": rates[mode]["bare"] for mode in MODES},
            "wagtail_per_second": {f"{mode}_server": rates[mode]["wagtail"] for mode in MODES},
            "queries": {name: queries[name] for name in BASELINES},
        },
    }


def print_table(by_size: dict) -> None:
    print(f"\n{'cohorts':>7} {'page':<14} {'uncached/s':>10} {'×wagtail':>9} {'fragments/s':>11} {'×wagtail':>9} "
          f"{'cached/s':>9} {'×bare':>6} {'queries':>7}")
    for size, figures in by_size.items():
        base = figures["baselines"]
        for page, row in figures["pages"].items():
            print(f"{size:>7} {page:<14} {row['uncached_per_second']:>10.1f} {row['ratio_vs_wagtail']:>9.2f} "
                  f"{row['fragments_per_second']:>11.1f} {row['fragments_ratio_vs_wagtail']:>9.2f} "
                  f"{row['cached_per_second']:>9.1f} {row['ratio_vs_bare']:>6.2f} {row['queries']:>7}")
        print(f"{size:>7} {'(bare ok)':<14} {base['bare_per_second']['uncached_server']:>10.1f} {'':>9} "
              f"{base['bare_per_second']['fragments_server']:>11.1f} {'':>9} {base['bare_per_second']['cached_server']:>9.1f}")
        print(f"{size:>7} {'(stock wagtail)':<14} {base['wagtail_per_second']['uncached_server']:>10.1f}")


if __name__ == "__main__":
    sys.exit(main())
