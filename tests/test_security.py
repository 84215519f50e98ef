"""Production settings pass Django's deploy checks; public pages carry a strict CSP."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env) -> subprocess.CompletedProcess:
    ignored = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_ENV="production", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="circles.example.org", VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_its_secret(tmp_path):
    result = run_manage("check", DJANGO_ENV="production", DJANGO_ALLOWED_HOSTS="x.org", VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_public_pages_have_a_csp_without_inline_scripts_and_the_admin_is_left_out(client):
    from tests.factories import build_site

    home, _ = build_site()
    policy = client.get(home.url)["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "object-src 'none'" in policy
    assert "Content-Security-Policy" not in client.get("/admin/login/").headers
