"""The at-scale set-up on one machine: gunicorn with several workers, RQ task workers on Redis,
the bookings tick, all on the local PostgreSQL. Used by `make run-scaled`; Ctrl-C stops them all.

Only settings differ from `make run` (see the README's "Running at scale"): DATABASE_URL,
TASK_BACKEND=rq, CACHE_BACKEND=redis, DJANGO_DEBUG=0. The database is created if missing and
gets the same demo content.
"""

import os
import subprocess
import sys

import psycopg
from psycopg import sql
from supervise import PYTHON, ROOT, run_together

HOST = os.environ.get("RUN_HOST", "127.0.0.1")
PORT = int(os.environ.get("RUN_PORT", "8000"))
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/workshop_scaled")
TASK_WORKERS = int(os.environ.get("TASK_WORKERS", "2"))


def scaled_environment() -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": DATABASE_URL,
        "TASK_BACKEND": "rq",
        "REDIS_URL": env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "CACHE_BACKEND": "redis",
        "DJANGO_DEBUG": "0",
        "GUNICORN_BIND": f"{HOST}:{PORT}",
        "SITE_URL": env.get("SITE_URL", f"http://{HOST}:{PORT}"),
    })
    return env


def create_database_if_missing(url: str) -> None:
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(psycopg.conninfo.make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created the database {name}")


def prepare(env: dict) -> None:
    for command in (["migrate", "--noinput"], ["load_demo"], ["collectstatic", "--noinput", "--verbosity", "0"]):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)


if __name__ == "__main__":
    env = scaled_environment()
    create_database_if_missing(DATABASE_URL)
    prepare(env)
    rq_worker = [PYTHON, "manage.py", "rqworker", "--job-class", "django_tasks_rq.Job", "--verbosity", "0", "default"]
    sys.exit(run_together([
        [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        *[rq_worker for _ in range(TASK_WORKERS)],
        [PYTHON, "manage.py", "bookings_tick", "--every", "20"],
    ], host=HOST, port=PORT, env=env))
