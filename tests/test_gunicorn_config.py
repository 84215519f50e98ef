"""config/gunicorn.py: read from the environment, and a warning when workers cannot share a cache."""

import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parent.parent / "config" / "gunicorn.py"


class RecordingLog:
    def __init__(self):
        self.warnings = []

    def warning(self, message, *args):
        self.warnings.append(message % args)


class FakeServer:
    def __init__(self):
        self.log = RecordingLog()


def started(monkeypatch, **env) -> FakeServer:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = runpy.run_path(str(CONFIG))
    server = FakeServer()
    config["when_ready"](server)
    return server


@pytest.mark.parametrize(("workers", "backend", "warned"), [
    ("4", "locmem", True),
    ("4", "redis", False),
    ("1", "locmem", False),
])
def test_several_workers_without_a_shared_cache_are_warned_about(monkeypatch, workers, backend, warned):
    server = started(monkeypatch, WEB_CONCURRENCY=workers, CACHE_BACKEND=backend)
    assert bool(server.log.warnings) is warned
    if warned:
        assert "CACHE_BACKEND=redis" in server.log.warnings[0]


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config = runpy.run_path(str(CONFIG))
    assert (config["bind"], config["workers"]) == ("127.0.0.1:9123", 3)
