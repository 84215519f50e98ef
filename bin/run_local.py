"""Run the site, its database task worker and the bookings tick together; Ctrl-C stops them all.

Used by `make run`. Prints where to go and how to log in once the server answers.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = os.environ.get("RUN_HOST", "127.0.0.1")
PORT = int(os.environ.get("RUN_PORT", "8000"))


class Stop(Exception):
    pass


def _stop(signum, frame):
    raise Stop


def _wait_until_listening(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, PORT), timeout=1):
                return
        except OSError:
            time.sleep(0.3)


def main() -> int:
    os.chdir(ROOT)
    # Installed explicitly: a shell that starts us in the background ignores SIGINT, and
    # the children would inherit that.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    children: list[subprocess.Popen] = []
    try:
        children.append(subprocess.Popen([PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"]))
        children.append(
            subprocess.Popen([PYTHON, "manage.py", "db_worker", "--interval", "1", "--no-reload", "--queue-name", "*"])
        )
        children.append(subprocess.Popen([PYTHON, "manage.py", "bookings_tick", "--every", "20"]))
        _wait_until_listening()
        subprocess.run([PYTHON, "manage.py", "demo_logins", "--site-url", f"http://{HOST}:{PORT}"], check=False)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A process stopped on its own; stopping the other.", file=sys.stderr)
    except Stop:
        print("\nStopping the web server and the task worker…", flush=True)
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


if __name__ == "__main__":
    sys.exit(main())
