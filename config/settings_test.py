"""Test settings: the real settings with fast, local, observable backends."""

import os

os.environ.setdefault("VAR_DIR", "/tmp/workshop-scheduler-test-var")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
# The delivery-tracking tests post Mailgun's real payloads to its (only) mounted webhook.
ANYMAIL_ESP = "mailgun"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Most tests read pages right after changing data; the page-cache tests turn it on.
PAGE_CACHE_SECONDS = 0
PAGE_CACHE_LOCAL_SECONDS = 0
FRAGMENT_CACHE_SECONDS = 0
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
