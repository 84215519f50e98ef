"""What every benchmark needs: a scratch PostgreSQL database, Django pointed at it, a test cohort.

Nothing here touches the developer's own data: the database is created and dropped by the
benchmark, var/ is a temporary directory, and mail stays in memory.
"""

import os
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def scratch_urls(scratch_db: str, *, alternative: str = "") -> tuple[str, str]:
    """(server URL, scratch database URL) from DATABASE_URL, or exit saying what to set.

    DATABASE_URL only names the PostgreSQL server; the scratch database beside it is dropped
    and re-created, so DATABASE_URL may not name that one.
    """
    server_url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(server_url)
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit(f"Set DATABASE_URL=postgres://user@host:port/<db>: it names the server to benchmark on{alternative}.")
    if parts.path.lstrip("/") == scratch_db:
        sys.exit(f"DATABASE_URL already names {scratch_db!r}, which this script drops; point it at another database.")
    return server_url, parts._replace(path=f"/{scratch_db}").geturl()


def admin_connection(server_url: str):
    """A connection to the server's `postgres` database, where databases are created and dropped."""
    import psycopg

    return psycopg.connect(psycopg.conninfo.make_conninfo(server_url, dbname="postgres"), autocommit=True)


def recreate_scratch_database(server_url: str, name: str) -> None:
    from psycopg import sql

    with admin_connection(server_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_scratch_database(server_url: str, name: str) -> None:
    from psycopg import sql

    with admin_connection(server_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def close_django_connections() -> None:
    from django.conf import settings

    if settings.configured:
        from django.db import connections

        connections.close_all()


def setup_django(database_url: str, *, var_dir: str, email_backend: str, settings_module: str = "config.settings") -> None:
    """Point Django at the scratch database and a temporary var/, then migrate."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ["DJANGO_ENV"] = "development"
    os.environ["DJANGO_DEBUG"] = "0"  # DEBUG keeps every query in memory, which would slow the measured side
    os.environ["VAR_DIR"] = var_dir
    os.environ["TASK_BACKEND"] = "database"
    os.environ["EMAIL_BACKEND"] = email_backend
    os.environ["LOG_LEVEL"] = "WARNING"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def make_cohort(index, *, title: str, capacity: int):
    """A free cohort starting weeks from now: open today, and every booking is confirmed at once."""
    from django.utils import timezone

    from tests.factories import CohortFactory, add_program

    program = add_program(index, title=title, default_price=Decimal("0"))
    return CohortFactory(
        program=program, price=Decimal("0"), capacity=capacity, start_date=timezone.localdate() + timedelta(weeks=6)
    )
