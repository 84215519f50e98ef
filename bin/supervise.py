"""Run several processes as one: print where to log in once the site answers; Ctrl-C stops them all."""

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


class Stop(Exception):
    pass


def _stop(signum, frame):
    raise Stop


def _wait_until_listening(host: str, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)


def run_together(commands: list[list[str]], *, host: str, port: int, env: dict | None = None) -> int:
    """Start every command, wait for the site on host:port, print the logins; stop all when one stops."""
    # Installed explicitly: a shell that starts us in the background ignores SIGINT, and
    # the children would inherit that.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    children: list[subprocess.Popen] = []
    try:
        children = [subprocess.Popen(command, cwd=ROOT, env=env) for command in commands]
        _wait_until_listening(host, port)
        subprocess.run(
            [PYTHON, "manage.py", "demo_logins", "--site-url", f"http://{host}:{port}"], cwd=ROOT, env=env, check=False
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A process stopped on its own; stopping the others.", file=sys.stderr)
    except Stop:
        print("\nStopping the web server and the task workers…", flush=True)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    expected = {0, -signal.SIGTERM, -signal.SIGINT}
    return 0 if all(child.returncode in expected for child in children) else 1
