"""At-scale mode is settings alone: each switch, read from the environment by a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOW = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'tasks': s.TASKS['default']['BACKEND'], "
    "'cache': s.CACHES['default']['BACKEND'], 'media': s.STORAGES['default']['BACKEND'], "
    "'email': s.EMAIL_BACKEND, 'page_cache': s.PAGE_CACHE_SECONDS, "
    "'db_options': s.DATABASES['default'].get('OPTIONS', {})}))"
)


def settings_with(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TASK_", "CACHE_", "MEDIA_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def test_the_embedded_default(tmp_path):
    shown = json.loads(settings_with(tmp_path).stdout)
    assert shown.pop("db_options")["transaction_mode"] == "IMMEDIATE"
    assert shown == {
        "db": "django.db.backends.sqlite3", "tasks": "django_tasks_db.DatabaseBackend",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "media": "django.core.files.storage.FileSystemStorage",
        "email": "bookings.outbox.EmailBackend", "page_cache": 30,
    }


def test_at_scale(tmp_path):
    shown = json.loads(settings_with(
        tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/workshops", TASK_BACKEND="rq",
        CACHE_BACKEND="redis", EMAIL_BACKEND="anymail.backends.mailgun.EmailBackend",
    ).stdout)
    assert shown == {
        "db": "django.db.backends.postgresql", "tasks": "django_tasks_rq.RQBackend",
        "cache": "config.cache.RedisCache",
        "media": "django.core.files.storage.FileSystemStorage",
        "email": "anymail.backends.mailgun.EmailBackend", "page_cache": 30,
        "db_options": {"server_side_binding": True, "prepare_threshold": 5},
    }


def test_options_given_in_the_database_url_are_kept(tmp_path):
    shown = json.loads(settings_with(
        tmp_path, DATABASE_URL="postgres://postgres@db.example.org:5432/workshops?sslmode=verify-full",
    ).stdout)
    assert shown["db_options"] == {"server_side_binding": True, "prepare_threshold": 5, "sslmode": "verify-full"}


def test_prepared_statements_can_be_turned_off_for_a_pooler(tmp_path):
    shown = json.loads(settings_with(
        tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/workshops", DATABASE_PREPARED_STATEMENTS="0",
    ).stdout)
    assert shown["db_options"] == {}


@pytest.mark.parametrize(("name", "value"), [
    ("TASK_BACKEND", "celery"), ("CACHE_BACKEND", "memcached"), ("MEDIA_STORAGE", "ftp"),
])
def test_a_mistyped_switch_refuses_to_start_and_says_what_it_accepts(tmp_path, name, value):
    failed = settings_with(tmp_path, **{name: value})
    assert failed.returncode != 0
    assert f"{name} must be" in failed.stderr and repr(value) in failed.stderr


def test_object_storage_says_what_it_needs(tmp_path):
    no_bucket = settings_with(tmp_path, MEDIA_STORAGE="s3")
    assert no_bucket.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in no_bucket.stderr

    with_bucket = settings_with(tmp_path, MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="circles-media")
    if with_bucket.returncode == 0:  # django-storages is installed here
        assert json.loads(with_bucket.stdout)["media"] == "storages.backends.s3.S3Storage"
    else:  # it is optional, and the error says how to get it
        assert "pip install 'django-storages[s3]'" in with_bucket.stderr


PRODUCTION = {
    "DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "p" * 20 + "roduction-only-Secret-9f3Kq2Lx8Zt4Vb7Nm1Wc6Hd",
    "DJANGO_ALLOWED_HOSTS": "circles.example.org", "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend",
    "ANYMAIL_WEBHOOK_SECRET": "esp:long-random-secret", "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": "key-signing",
}


def manage(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DATABASE_", "TASK_", "CACHE_", "MEDIA_", "ANYMAIL_", "DJANGO_", "EMAIL_", "ADMIN_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path), **env})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=120)


def test_production_settings_pass_check_deploy_with_no_issue(tmp_path):
    checked = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert "System check identified no issues" in checked.stdout


@pytest.mark.parametrize(("missing", "named"), [
    ("ANYMAIL_WEBHOOK_SECRET", "ANYMAIL_WEBHOOK_SECRET"),
    ("ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY", "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY"),
])
def test_production_with_an_esp_refuses_to_start_without_its_webhook_secrets(tmp_path, missing, named):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    failed = manage(tmp_path, "check", **env)
    assert failed.returncode != 0 and named in failed.stderr


def test_two_factor_sign_in_is_required_in_production_and_optional_on_a_laptop(tmp_path):
    show = ["shell", "--no-imports", "-c", "from django.conf import settings as s; print(s.ADMIN_2FA, s.TRUSTED_PROXY_COUNT)"]
    assert manage(tmp_path, *show, **PRODUCTION).stdout.split() == ["required", "0"]
    assert manage(tmp_path, *show).stdout.split() == ["optional", "0"]
    assert manage(tmp_path, *show, ADMIN_2FA="sometimes").returncode != 0
